"""The protocol of a benchmark's long-running PyTorch side (PyTorchWorker.cs).

The script sets itself up, prints one JSON line {"ready": true, "threads": ..., "device": ...}, then
reads one JSON command per line on stdin and answers each with one JSON line, until stdin ends.
A command that fails is answered {"error": "..."} (the C# side reports it as one line).
"""
import json
import sys
import time

import torch


def pin_threads(threads):
    """torch.set_num_threads(threads), as the C# side does; 0 keeps the default."""
    if threads > 0:
        torch.set_num_threads(threads)
    return torch.get_num_threads()


def timed(run, steps, device):
    """Images per second of `run()` (which returns the images it processed), called `steps` times."""
    sync = (lambda: torch.cuda.synchronize(device)) if device.type == "cuda" else (lambda: None)
    sync()
    t0 = time.perf_counter()
    images = sum(run() for _ in range(steps))
    sync()
    return images / (time.perf_counter() - t0)


def serve(handle, device):
    """Announces readiness, then answers commands until stdin closes."""
    print(json.dumps({"ready": True, "threads": torch.get_num_threads(), "device": str(device),
                      "torch": torch.__version__}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            answer = handle(json.loads(line))
        except Exception as e:  # reported to the C# side as one line
            answer = {"error": f"{type(e).__name__}: {e}"}
        print(json.dumps(answer), flush=True)
