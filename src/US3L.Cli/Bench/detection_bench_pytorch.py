"""PyTorch side of `us3l bench detect`: torchvision's Mask R-CNN train step on the same work as the kit's.

A long-running worker (bench_worker.py). The C# side writes, per width, one safetensors file with
the kit's detector as a plain fixed-width network (MaskRcnn.FixedWidthStateDict: torchvision's
state_dict names, the backbone sliced to the width) and the batch (images and targets). The command
{"load": FILE, "key": K, ...} builds torchvision's MaskRCNN around a torchvision ResNet whose every
convolution and BatchNorm is resized to the file's shapes, loads the weights strictly (so the two
detectors are the same network with the same weights) and keeps it as K; {"key": K, "steps": N}
runs N train steps (forward with losses, backward, SGD step) and answers {"img_s": ...}.
"""
import argparse
import json
import struct

import torch
from torch import nn
from torchvision.models import resnet18, resnet34, resnet50
from torchvision.models.detection import MaskRCNN
from torchvision.models.detection.backbone_utils import BackboneWithFPN
from torchvision.ops.feature_pyramid_network import LastLevelMaxPool

from bench_worker import pin_threads, serve, timed

DTYPES = {"F32": torch.float32, "F64": torch.float64, "I64": torch.int64, "I32": torch.int32, "U8": torch.uint8, "BOOL": torch.bool}
RESNETS = {"us_resnet18": resnet18, "us_resnet34": resnet34, "us_resnet50": resnet50}


def read_safetensors(path):
    """The tensors of a safetensors file (its format: a little-endian u64 header length, a JSON header, the data)."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    body = memoryview(data)[8 + n:]
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        dtype = DTYPES[info["dtype"]]
        flat = torch.frombuffer(bytearray(body[begin:end]), dtype=dtype) if end > begin else torch.empty(0, dtype=dtype)
        tensors[name] = flat.reshape(info["shape"]).clone()
    return tensors


def resized_resnet(arch, state):
    """torchvision's ResNet of `arch` with every conv and BN resized to the shapes of the body's state_dict."""
    if arch not in RESNETS:
        raise ValueError(f"arch {arch}: the PyTorch side builds torchvision ResNets only ({', '.join(RESNETS)})")
    net = RESNETS[arch](weights=None)
    for name, module in list(net.named_modules()):
        key = name + ".weight"
        if key not in state:
            continue
        shape = state[key].shape
        if isinstance(module, nn.Conv2d):
            new = nn.Conv2d(shape[1], shape[0], module.kernel_size, module.stride, module.padding, module.dilation, module.groups, bias=False)
        elif isinstance(module, nn.BatchNorm2d):
            new = nn.BatchNorm2d(shape[0])
        else:
            continue
        parent, _, leaf = name.rpartition(".")
        setattr(net.get_submodule(parent) if parent else net, leaf, new)
    return net


def build(command, tensors):
    """torchvision's MaskRCNN with the file's weights, in train mode; the body's BNs use batch statistics as the kit's."""
    state = {k: v for k, v in tensors.items() if not k.startswith("batch.")}
    body_state = {k[len("backbone.body."):]: v for k, v in state.items() if k.startswith("backbone.body.")}
    body = resized_resnet(command["arch"], body_state)
    layers = command["returned_layers"]
    in_channels = [body_state[f"layer{l}.{len(getattr(body, f'layer{l}')) - 1}.{last_conv(body_state, l)}.weight"].shape[0] for l in layers]
    backbone = BackboneWithFPN(body, {f"layer{l}": str(i) for i, l in enumerate(layers)}, in_channels, command["fpn_channels"],
                               extra_blocks=LastLevelMaxPool())
    model = MaskRCNN(backbone, num_classes=command["num_classes"], min_size=command["min_size"], max_size=command["max_size"],
                     box_batch_size_per_image=command["box_batch_size_per_image"])
    missing, unexpected = model.load_state_dict(state, strict=False)
    # The kit's body holds no classifier (fc); everything else must match name for name.
    missing = [k for k in missing if not k.startswith("backbone.body.fc.")]
    if missing or unexpected:
        raise ValueError(f"the kit's detector and torchvision's differ: missing {missing[:5]}, unexpected {unexpected[:5]}")
    model.train()
    return model


def last_conv(body_state, layer):
    """The name of the last convolution of a block (conv3 for bottlenecks, conv2 for basic blocks)."""
    return "conv3" if f"layer{layer}.0.conv3.weight" in body_state else "conv2"


def batch(tensors, images):
    xs = [tensors[f"batch.image.{i}"] for i in range(images)]
    targets = [{"boxes": tensors[f"batch.boxes.{i}"], "labels": tensors[f"batch.labels.{i}"], "masks": tensors[f"batch.masks.{i}"]}
               for i in range(images)]
    return xs, targets


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=0)
    a = ap.parse_args()
    pin_threads(a.threads)
    device = torch.device("cpu")
    models = {}

    def handle(command):
        if "load" in command:
            tensors = read_safetensors(command["load"])
            model = build(command, tensors)
            torch.manual_seed(command.get("seed", 0))
            params = [p for p in model.parameters() if p.requires_grad]
            opt = torch.optim.SGD(params, lr=command["lr"], momentum=0.9, weight_decay=1e-4)
            models[command["key"]] = (model, opt, batch(tensors, command["images"]))
            return {"loaded": command["key"], "parameters": sum(p.numel() for p in params)}
        model, opt, (xs, targets) = models[command["key"]]

        def step():
            losses = model(xs, targets)
            total = sum(losses.values())
            opt.zero_grad(set_to_none=True)
            total.backward()
            opt.step()
            return len(xs)

        return {"img_s": timed(step, int(command["steps"]), device)}

    serve(handle, device)


if __name__ == "__main__":
    main()
