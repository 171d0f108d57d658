"""Kernel side of `us3l bench kernel`: how fast a Jupyter kernel starts and answers trivial cells.

For each start: the time from starting the kernel process to its first kernel_info_reply
("ready"), then the round trip of a first trivial cell sent the moment that reply arrives, as a
frontend that runs a notebook on start does. In the first kernel, `cells` more trivial cells give
the steady per-cell latency (median). Round trips are measured through jupyter_client, from
sending execute_request to the reply after idle, as a notebook frontend sees them. Prints one
JSON line.

jupyter_client's own wait_for_ready is not used: after the reply it waits for 0.2 s of silence
on IOPub, time a kernel could spend warming up that a frontend does not give it.

Usage: kernel_bench.py --kernel NAME [--starts N] [--cells N]   (the kernelspec must be on JUPYTER_PATH)
"""
import argparse
import json
import queue
import statistics
import time

from jupyter_client.manager import KernelManager

TIMEOUT = 120


def execute(kc, code):
    msg_id = kc.execute(code)
    while True:
        msg = kc.get_iopub_msg(timeout=TIMEOUT)
        if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status" \
                and msg["content"]["execution_state"] == "idle":
            break
    while True:
        reply = kc.get_shell_msg(timeout=TIMEOUT)
        if reply["parent_header"].get("msg_id") == msg_id:
            if reply["content"]["status"] != "ok":
                raise RuntimeError(f"the cell {code!r} failed: {reply['content'].get('evalue')}")
            return


def idle_after(kc, msg_id, timeout):
    """True once IOPub shows the kernel idle after request msg_id: IOPub is connected."""
    deadline = time.perf_counter() + timeout
    while (left := deadline - time.perf_counter()) > 0:
        try:
            msg = kc.get_iopub_msg(timeout=left)
        except queue.Empty:
            return False
        if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status" \
                and msg["content"]["execution_state"] == "idle":
            return True
    return False


def wait_for_kernel_info(km, kc):
    """Returns when a kernel_info_reply has arrived and IOPub is known to be connected.

    As in jupyter_client, kernel_info is sent again until both hold: a PUB socket drops what it
    publishes before the frontend's subscription reaches it. Unlike jupyter_client, nothing is
    waited for after that.
    """
    deadline = time.perf_counter() + TIMEOUT
    while time.perf_counter() < deadline:
        msg_id = kc.kernel_info()
        try:
            while True:
                reply = kc.get_shell_msg(timeout=1)
                if reply["parent_header"].get("msg_id") == msg_id:
                    break
        except queue.Empty:
            if not km.is_alive():
                raise RuntimeError("the kernel died before replying to kernel_info")
            continue
        if idle_after(kc, msg_id, timeout=0.2):
            return
    raise RuntimeError(f"the kernel did not reply to kernel_info in {TIMEOUT} s")


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--kernel", required=True)
    p.add_argument("--starts", type=int, default=3)
    p.add_argument("--cells", type=int, default=20)
    args = p.parse_args()

    ready, first, steady = [], [], []
    for start in range(args.starts):
        km = KernelManager(kernel_name=args.kernel)
        t0 = time.perf_counter()
        km.start_kernel()
        kc = km.client()
        kc.start_channels()
        try:
            wait_for_kernel_info(km, kc)
            ready.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            execute(kc, "1")
            first.append(time.perf_counter() - t0)
            if start == 0:
                for i in range(args.cells):
                    t0 = time.perf_counter()
                    execute(kc, f"{i} + 1")
                    steady.append(time.perf_counter() - t0)
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=False)

    ms = lambda s: round(1000 * s, 1)
    print(json.dumps({
        "bench": "kernel",
        "kernel": args.kernel,
        "ready_ms": ms(statistics.median(ready)),
        "first_cell_ms": ms(statistics.median(first)),
        "steady_cell_ms": round(1000 * statistics.median(steady), 2) if steady else None,
        "starts": args.starts,
        "cells": len(steady),
    }))


if __name__ == "__main__":
    main()
