"""Executes one notebook with Jupyter's own client (nbclient), for `us3l notebook run`.

The C# side has already injected the parameters; this script only runs the cells, writes the
executed notebook and the HTML page, and reports a failing cell as JSON so the CLI can name it.
It prints one progress line per code cell on stdout.

Exit codes: 0 every cell ran; 1 a cell failed or timed out (details in --error-json);
2 the kernel could not be found or started.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import nbformat
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

from write_notebook import write_outputs

# Kernel names the C# kernel installs itself under (KernelSpecInstaller.OwnName, PolyglotName).
OUR_KERNELS = ("us3l-csharp", ".net-csharp")
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def parse_args():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("notebook", help="notebook to run (parameters already injected)")
    p.add_argument("--cwd", required=True, help="the kernel's working directory")
    p.add_argument("--kernel", required=True, help="kernelspec name")
    p.add_argument("--kernel-dll", required=True, help="US3L.Kernel.dll, installed privately when the kernelspec is missing")
    p.add_argument("--output", help="write the executed notebook here")
    p.add_argument("--html", help="write the executed notebook as HTML here")
    p.add_argument("--timeout", type=int, help="seconds per cell (default: no limit)")
    p.add_argument("--error-json", required=True, help="where a failure is described")
    return p.parse_args()


def ensure_kernel(name, kernel_dll):
    """Our kernelspec, installed into a private data dir when the user has not installed it.

    Returns that data dir (to delete afterwards), or None when the kernelspec was already there.
    """
    try:
        KernelSpecManager().get_kernel_spec(name)
        return None
    except NoSuchKernel:
        if name not in OUR_KERNELS:
            raise
    data_dir = tempfile.mkdtemp(prefix="us3l-kernelspec-")
    subprocess.run(["dotnet", kernel_dll, "--install", data_dir], check=True, stdout=subprocess.DEVNULL)
    # JUPYTER_PATH is read on every lookup, so the kernel manager created later finds it.
    os.environ["JUPYTER_PATH"] = os.pathsep.join(p for p in (data_dir, os.environ.get("JUPYTER_PATH")) if p)
    return data_dir


def describe_failure(nb, index, reply, timeout):
    cell = nb.cells[index]
    report = {"cell": index + 1, "cells": len(nb.cells), "source": cell.source}
    if reply is None:
        report.update(ename="CellTimeoutError", evalue=f"the cell did not finish within {timeout:g} s", traceback=[])
    else:
        content = reply["content"]
        report.update(
            ename=content.get("ename", ""),
            evalue=content.get("evalue", ""),
            traceback=[ANSI.sub("", line) for line in content.get("traceback", [])],
        )
    return report


def main():
    args = parse_args()
    nb = nbformat.read(args.notebook, as_version=4)
    try:
        private_dir = ensure_kernel(args.kernel, args.kernel_dll)
    except (NoSuchKernel, subprocess.CalledProcessError, OSError) as e:
        print(f"cannot find or install the kernel '{args.kernel}': {e}", file=sys.stderr)
        return 2
    try:
        return run(nb, args)
    finally:
        if private_dir:
            shutil.rmtree(private_dir, ignore_errors=True)


def run(nb, args):
    code_cells = sum(1 for c in nb.cells if c.cell_type == "code")
    state = {"index": None, "reply": None, "started": 0.0, "done": 0}

    def on_cell_start(cell, cell_index):
        state.update(index=cell_index, started=time.monotonic())

    def on_cell_executed(cell, cell_index, execute_reply):
        state["done"] += 1
        status = execute_reply["content"]["status"] if execute_reply else "?"
        print(f"[{state['done']}/{code_cells}] cell {cell_index + 1}: {status} ({time.monotonic() - state['started']:.1f} s)", flush=True)

    def on_cell_error(cell, cell_index, execute_reply):
        state.update(index=cell_index, reply=execute_reply)

    client = NotebookClient(
        nb,
        timeout=args.timeout,
        startup_timeout=120,
        kernel_name=args.kernel,
        resources={"metadata": {"path": args.cwd}},
        on_cell_start=on_cell_start,
        on_cell_executed=on_cell_executed,
        on_cell_error=on_cell_error,
    )
    failure = None
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError) as e:
        reply = state["reply"] if isinstance(e, CellExecutionError) else None
        failure = describe_failure(nb, state["index"], reply, args.timeout or 0)
    except DeadKernelError as e:
        failure = {"cell": (state["index"] or 0) + 1, "cells": len(nb.cells), "source": "",
                   "ename": "DeadKernelError", "evalue": str(e), "traceback": []}
    except NoSuchKernel as e:
        print(f"no kernel named '{args.kernel}': {e}", file=sys.stderr)
        return 2

    # The executed notebook is written even when a cell failed: its outputs show what happened.
    write_outputs(nb, args.output, args.html)
    if failure:
        with open(args.error_json, "w", encoding="utf-8") as f:
            json.dump(failure, f)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
