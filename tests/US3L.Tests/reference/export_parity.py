"""Loads a width-exported slimmable ResNet into a plain PyTorch ResNet and runs it in eval mode.

usage: export_parity.py WEIGHTS.safetensors INPUT.safetensors
The plain network is built from the exported shapes (torchvision layout and names; CIFAR stem
unless the metadata arch is an ImageNet one), loaded with strict=True, and applied to the tensor
"x" of INPUT. Prints {"max_abs_diff": ...} against the tensor "expected" of INPUT.
"""
import json
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DTYPES = {"F32": np.float32, "F64": np.float64, "I64": np.int64}


def load(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    meta = header.pop("__metadata__", {})
    tensors = {}
    for name, info in header.items():
        start, end = info["data_offsets"]
        arr = np.frombuffer(data[start:end], dtype=DTYPES[info["dtype"]]).reshape(info["shape"])
        tensors[name] = torch.from_numpy(arr.copy())
    return tensors, meta


class Block(nn.Module):
    def __init__(self, sd, prefix, stride):
        super().__init__()
        self.bottleneck = prefix + "conv3.weight" in sd
        names = ["conv1", "conv2"] + (["conv3"] if self.bottleneck else [])
        for i, name in enumerate(names):
            w = sd[prefix + name + ".weight"]
            k = w.shape[-1]
            s = stride if (name == "conv2" if self.bottleneck else name == "conv1") else 1
            setattr(self, name, nn.Conv2d(w.shape[1], w.shape[0], k, s, k // 2, bias=False))
            setattr(self, "bn" + name[-1], nn.BatchNorm2d(w.shape[0]))
        self.downsample = None
        if prefix + "downsample.0.weight" in sd:
            w = sd[prefix + "downsample.0.weight"]
            self.downsample = nn.Sequential(nn.Conv2d(w.shape[1], w.shape[0], 1, stride, bias=False), nn.BatchNorm2d(w.shape[0]))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        if self.bottleneck:
            out = F.relu(self.bn2(self.conv2(out)))
            out = self.bn3(self.conv3(out))
        else:
            out = self.bn2(self.conv2(out))
        return F.relu(out + (x if self.downsample is None else self.downsample(x)))


class PlainResNet(nn.Module):
    def __init__(self, sd, imagenet):
        super().__init__()
        w = sd["conv1.weight"]
        self.imagenet = imagenet
        self.conv1 = nn.Conv2d(w.shape[1], w.shape[0], w.shape[-1], 2 if imagenet else 1, w.shape[-1] // 2, bias=False)
        self.bn1 = nn.BatchNorm2d(w.shape[0])
        for s in range(1, 5):
            blocks, b = [], 0
            while f"layer{s}.{b}.conv1.weight" in sd:
                blocks.append(Block(sd, f"layer{s}.{b}.", 2 if b == 0 and s > 1 else 1))
                b += 1
            setattr(self, f"layer{s}", nn.Sequential(*blocks))
        self.fc = nn.Linear(sd["fc.weight"].shape[1], sd["fc.weight"].shape[0]) if "fc.weight" in sd else None

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        if self.imagenet:
            x = F.max_pool2d(x, 3, 2, 1)
        for s in range(1, 5):
            x = getattr(self, f"layer{s}")(x)
        x = torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)
        return x if self.fc is None else self.fc(x)


def main():
    sd, meta = load(sys.argv[1])
    io, _ = load(sys.argv[2])
    model = PlainResNet(sd, imagenet=meta["arch"] in ("us_resnet18", "us_resnet50"))
    model.load_state_dict(sd, strict=True)
    model.eval()
    with torch.no_grad():
        out = model(io["x"])
    print(json.dumps({"max_abs_diff": (out - io["expected"]).abs().max().item(), "shape": list(out.shape)}))


if __name__ == "__main__":
    main()
