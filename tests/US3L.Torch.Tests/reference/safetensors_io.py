"""The safetensors format written out with numpy and torch (the safetensors package is not needed).

usage: safetensors_io.py write PATH   writes the reference tensors (see SafetensorsTests.cs)
       safetensors_io.py read PATH    prints {"metadata": {...}, "tensors": {name: {dtype, shape, values}}}
"""
import json
import struct
import sys

import numpy as np
import torch

DTYPES = {"F32": torch.float32, "F64": torch.float64, "F16": torch.float16, "BF16": torch.bfloat16,
          "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8,
          "U8": torch.uint8, "BOOL": torch.bool}
FLOATS = [0, 1, -2, 3.5, 4.25, -5.5]
SIGNED = [0, 1, -2, 3, 100, -120]
VALUES = {"F32": FLOATS, "F64": FLOATS, "F16": FLOATS, "BF16": FLOATS, "I64": SIGNED, "I32": SIGNED,
          "I16": SIGNED, "I8": SIGNED, "U8": [0, 1, 2, 3, 200, 255], "BOOL": [True, False, True, True, False, False]}


def to_bytes(t):
    t = t.contiguous()
    return (t.view(torch.int16) if t.dtype == torch.bfloat16 else t).numpy().tobytes()


def save(path, tensors, metadata):
    code_of = {dt: code for code, dt in DTYPES.items()}
    header, blobs, offset = {"__metadata__": metadata}, [], 0
    for name, t in tensors.items():
        blob = to_bytes(t)
        header[name] = {"dtype": code_of[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def write(path):
    tensors = {f"t_{code.lower()}": torch.tensor(VALUES[code], dtype=dt).reshape(2, 3) for code, dt in DTYPES.items()}
    tensors["empty"] = torch.zeros(0, dtype=torch.float32)
    tensors["scalar"] = torch.tensor(7.0, dtype=torch.float64)
    save(path, tensors, {"format": "pt", "writer": "python"})


def load(path):
    """Returns ({name: tensor}, metadata) of a safetensors file."""
    data = open(path, "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    assert n % 8 == 0, "header not padded to 8 bytes"
    header = json.loads(data[8:8 + n])
    body = data[8 + n:]
    metadata = header.pop("__metadata__", {})
    tensors = {}
    for name, e in header.items():
        begin, end = e["data_offsets"]
        dt = DTYPES[e["dtype"]]
        raw = np.frombuffer(body[begin:end], dtype=np.uint8).copy()
        t = torch.from_numpy(raw).view(dt) if raw.size else torch.zeros(0, dtype=dt)
        tensors[name] = t.reshape(e["shape"])
    return tensors, metadata


def read(path):
    tensors, metadata = load(path)
    out = {"metadata": metadata, "tensors": {}}
    for name, t in tensors.items():
        code = next(c for c, dt in DTYPES.items() if dt == t.dtype)
        out["tensors"][name] = {"dtype": code, "shape": list(t.shape), "values": t.double().reshape(-1).tolist()}
    print(json.dumps(out))


if __name__ == "__main__":
    {"write": write, "read": read}[sys.argv[1]](sys.argv[2])
