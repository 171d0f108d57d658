"""Kernel latency: process start to kernel_info_reply, and the round trip of a trivial cell.

Usage: JUPYTER_PATH=<dir with kernels/us3l-csharp> /usr/bin/python3 bench_kernel.py [starts] [cells]
Prints one JSON line.
"""
import json
import statistics
import sys
import time

from jupyter_client.manager import KernelManager

import kernel_session as ks


def start_once():
    km = KernelManager(kernel_name=ks.KERNEL_NAME)
    t0 = time.perf_counter()
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=ks.TIMEOUT)  # returns on the first kernel_info_reply
    return time.perf_counter() - t0, km, kc


def main():
    starts = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    cells = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    startup = []
    for _ in range(starts):
        seconds, km, kc = start_once()
        startup.append(seconds)
        kc.stop_channels()
        km.shutdown_kernel(now=False)

    seconds, km, kc = start_once()
    t0 = time.perf_counter()
    ks.execute(kc, "1")  # the first cell waits for Roslyn's warm-up
    first_cell = time.perf_counter() - t0
    trips = []
    for i in range(cells):
        t0 = time.perf_counter()
        ks.execute(kc, f"{i} + 1")
        trips.append(time.perf_counter() - t0)
    kc.stop_channels()
    km.shutdown_kernel(now=False)
    print(json.dumps({
        "startup_to_kernel_info_ms_median": round(1000 * statistics.median(startup), 1),
        "startup_runs": starts,
        "first_cell_ms": round(1000 * first_cell, 1),
        "cell_round_trip_ms_median": round(1000 * statistics.median(trips), 2),
        "cell_round_trip_ms_p90": round(1000 * sorted(trips)[int(0.9 * len(trips))], 2),
        "cells": cells,
    }))


if __name__ == "__main__":
    main()
