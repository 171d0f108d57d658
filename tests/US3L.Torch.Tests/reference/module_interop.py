"""Loads a state_dict written by the kit into the same torch.nn model and checks its output.

usage: module_interop.py FILE   (FILE holds "model.*" weights, "input" and the kit's "output")
Prints the largest absolute difference between PyTorch's output and the kit's.
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402


def model():
    return torch.nn.Sequential(
        torch.nn.Conv2d(3, 4, 3, padding=1), torch.nn.BatchNorm2d(4), torch.nn.ReLU(),
        torch.nn.Flatten(), torch.nn.Linear(4 * 8 * 8, 5), torch.nn.LayerNorm(5))


tensors, _ = safetensors_io.load(sys.argv[1])
m = model()
m.load_state_dict({k[len("model."):]: v for k, v in tensors.items() if k.startswith("model.")}, strict=True)
m.eval()
with torch.no_grad():
    out = m(tensors["input"])
print(float((out - tensors["output"]).abs().max()))
