"""Kernel side of `us3l bench kernel`: how fast a Jupyter kernel starts and answers trivial cells.

For each start: the time from starting the kernel process to its first kernel_info_reply
("ready"), then the round trip of a first trivial cell sent right after it. In the first
kernel, `cells` more trivial cells give the steady per-cell latency (median). Round trips are
measured through jupyter_client, from sending execute_request to the reply after idle, as a
notebook frontend sees them. Prints one JSON line.

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


def drain(kc):
    try:
        while True:
            kc.get_iopub_msg(timeout=0.05)
    except queue.Empty:
        pass


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
            kc.wait_for_ready(timeout=TIMEOUT)  # returns on the first kernel_info_reply
            ready.append(time.perf_counter() - t0)
            drain(kc)
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
