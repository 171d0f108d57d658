#!/usr/bin/env python3
"""Reference values of torchvision 0.14's detection utilities for BoxCoderTests.cs and DetectionTransformTests.cs.

Usage: detection_parity.py OUT_DIR

Writes OUT_DIR/parity.json and OUT_DIR/parity.bin in the format of functional_parity.py (tests of
US3L.Torch): seeded inputs and torchvision's outputs for
- BoxCoder.encode_single / decode_single with the box head's weights (10, 10, 5, 5) and the RPN's
  (1, 1, 1, 1), codes large enough to reach the bbox_xform_clip;
- GeneralizedRCNNTransform's resize of an image, its masks and boxes (min/max size and fixed size).
"""
import json
import math
import os
import sys
import zlib

import torch
import torchvision
from torchvision.models.detection._utils import BoxCoder
from torchvision.models.detection.transform import _resize_image_and_masks, resize_boxes

CASES = []


def case(name, op, inputs, **kwargs):
    CASES.append(dict(name=name, op=op, inputs=inputs, kwargs=kwargs))


def random_boxes(n, lo, hi, min_size, max_size, dtype=torch.float32):
    xy = torch.rand(n, 2, dtype=dtype) * (hi - lo) + lo
    wh = torch.rand(n, 2, dtype=dtype) * (max_size - min_size) + min_size
    return torch.cat([xy, xy + wh], dim=1)


for weights in ((10.0, 10.0, 5.0, 5.0), (1.0, 1.0, 1.0, 1.0)):
    tag = "box_head" if weights[0] == 10 else "rpn"
    for dtype, dname in ((torch.float32, "f32"), (torch.float64, "f64")):
        case(f"encode_{tag}_{dname}", "encode",
             lambda dtype=dtype: dict(reference_boxes=random_boxes(40, 0, 100, 1, 60, dtype), proposals=random_boxes(40, 0, 100, 1, 60, dtype)),
             weights=list(weights))
        # Codes up to +-12 after division by the weights reach the clip at log(1000/16) = 4.14.
        case(f"decode_{tag}_{dname}", "decode",
             lambda dtype=dtype, weights=weights: dict(rel_codes=torch.randn(30, 8, dtype=dtype) * torch.tensor(weights, dtype=dtype).repeat(2) * 4,
                                                       boxes=random_boxes(30, 0, 100, 1, 60, dtype)),
             weights=list(weights))

for h, w, mn, mx in ((96, 128, 200, 333), (128, 128, 64, 100), (240, 320, 400, 666), (37, 91, 50, 80)):
    case(f"resize_{h}x{w}_min{mn}_max{mx}", "resize",
         lambda h=h, w=w: dict(image=torch.rand(3, h, w), masks=(torch.rand(4, h, w) > 0.6).to(torch.uint8),
                               boxes=random_boxes(4, 0, min(h, w) / 2, 2, min(h, w) / 2)),
         min_size=mn, max_size=mx)
case("resize_fixed_100x70", "resize",
     lambda: dict(image=torch.rand(1, 64, 48), masks=(torch.rand(3, 64, 48) > 0.5).to(torch.uint8), boxes=random_boxes(3, 0, 30, 2, 18)),
     fixed_size=[100, 70])


def call(op, inputs, kwargs):
    if op == "encode":
        return BoxCoder(tuple(kwargs["weights"])).encode_single(inputs["reference_boxes"], inputs["proposals"]), {}
    if op == "decode":
        return BoxCoder(tuple(kwargs["weights"])).decode_single(inputs["rel_codes"], inputs["boxes"]), {}
    if op == "resize":
        image = inputs["image"]
        target = dict(masks=inputs["masks"].clone(), boxes=inputs["boxes"].clone())
        fixed = kwargs.get("fixed_size")
        # torchvision's fixed_size is (width, height); the kit's Fixed(height, width).
        out, target = _resize_image_and_masks(image, float(kwargs.get("min_size", 0)), float(kwargs.get("max_size", 0)), target,
                                              (fixed[1], fixed[0]) if fixed else None)
        boxes = resize_boxes(inputs["boxes"], list(image.shape[-2:]), list(out.shape[-2:]))
        return out, dict(masks=target["masks"].to(torch.int64), boxes=boxes)
    raise ValueError(op)


class Writer:
    FORMATS = {torch.float64: "<f8", torch.float32: "<f4", torch.int64: "<i8"}

    def __init__(self):
        self.chunks = []
        self.offset = 0

    def add(self, t):
        t = t.detach().contiguous()
        if t.dtype == torch.uint8:
            t = t.to(torch.int64)
        data = t.numpy().astype(self.FORMATS[t.dtype]).tobytes()
        ref = dict(dtype=str(t.dtype).replace("torch.", ""), shape=list(t.shape), offset=self.offset)
        self.chunks.append(data)
        self.offset += len(data)
        return ref


def run(spec, writer):
    torch.manual_seed(zlib.crc32(spec["name"].encode()))
    inputs = spec["inputs"]()
    record = dict(name=spec["name"], op=spec["op"], kwargs=spec["kwargs"], requires_grad=[],
                  inputs={k: writer.add(v) for k, v in inputs.items()})
    out, extra = call(spec["op"], inputs, spec["kwargs"])
    record["output"] = writer.add(out)
    record["grads"] = {}
    record["after"] = {k: writer.add(v) for k, v in extra.items()}
    return record


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out_dir = sys.argv[1]
    writer = Writer()
    records = [run(spec, writer) for spec in CASES]
    with open(os.path.join(out_dir, "parity.bin"), "wb") as f:
        for chunk in writer.chunks:
            f.write(chunk)
    with open(os.path.join(out_dir, "parity.json"), "w") as f:
        json.dump(dict(torch_version=torch.__version__, torchvision_version=torchvision.__version__, cases=records), f)


if __name__ == "__main__":
    main()
