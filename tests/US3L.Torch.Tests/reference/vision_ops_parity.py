#!/usr/bin/env python3
"""Reference values of torchvision.ops (Debian's python3-torchvision 0.14) for VisionOpsTests.cs.

Usage: vision_ops_parity.py OUT_DIR

Writes OUT_DIR/parity.json and OUT_DIR/parity.bin in the format of functional_parity.py: for every
named case, seeded inputs, the op's output and, for RoIAlign, the input gradient of sum(out * w)
with a seeded weight w of the output's shape. Boxes are drawn partly outside the feature map, some
degenerate, to reach RoIAlign's boundary handling; NMS scores are also drawn from a few values only,
to reach its tie handling.
"""
import json
import os
import sys
import zlib

import torch
import torchvision
from torchvision import ops

CASES = []


def case(name, op, inputs, grad=(), **kwargs):
    CASES.append(dict(name=name, op=op, inputs=inputs, grad=tuple(grad), kwargs=kwargs))


def random_boxes(n, lo, hi, min_size=0.0, max_size=None, dtype=torch.float64):
    """n boxes (x1, y1, x2, y2) with corners in [lo, hi] and sides in [min_size, max_size]."""
    max_size = max_size if max_size is not None else (hi - lo) / 2
    xy = torch.rand(n, 2, dtype=dtype) * (hi - lo) + lo
    wh = torch.rand(n, 2, dtype=dtype) * (max_size - min_size) + min_size
    return torch.cat([xy, xy + wh], dim=1)


def rois(batch, n, lo, hi, max_size, dtype):
    """[n, 5] RoIs over `batch` images; a few are degenerate (zero or negative width/height)."""
    b = random_boxes(n, lo, hi, 0.0, max_size, dtype)
    b[0, 2] = b[0, 0]  # zero width
    b[1, 3] = b[1, 1] - 0.7  # negative height
    ids = torch.randint(0, batch, (n, 1)).to(dtype)
    return torch.cat([ids, b], dim=1)


# ---- RoIAlign: feature maps of a 40x48 image at strides 1, 2 and 4 -------------------------------
for dtype, tag in ((torch.float64, "f64"), (torch.float32, "f32")):
    for aligned in (False, True):
        a = "aligned" if aligned else "legacy"
        case(f"roi_align_{tag}_{a}_s1_sr2", "roi_align",
             lambda dtype=dtype: dict(input=torch.randn(2, 3, 10, 12, dtype=dtype), boxes=rois(2, 24, -3.0, 13.0, 8.0, dtype)),
             grad=("input",), output_size=[4, 3], spatial_scale=1.0, sampling_ratio=2, aligned=aligned)
        case(f"roi_align_{tag}_{a}_s05_adaptive", "roi_align",
             lambda dtype=dtype: dict(input=torch.randn(2, 4, 9, 11, dtype=dtype), boxes=rois(2, 20, -6.0, 24.0, 20.0, dtype)),
             grad=("input",), output_size=[3, 3], spatial_scale=0.5, sampling_ratio=0, aligned=aligned)
        case(f"roi_align_{tag}_{a}_s025_sr1", "roi_align",
             lambda dtype=dtype: dict(input=torch.randn(3, 2, 10, 12, dtype=dtype), boxes=rois(3, 30, -10.0, 50.0, 30.0, dtype)),
             grad=("input",), output_size=[7, 7], spatial_scale=0.25, sampling_ratio=1, aligned=aligned)
        case(f"roi_align_{tag}_{a}_s025_sr3", "roi_align",
             lambda dtype=dtype: dict(input=torch.randn(2, 3, 10, 12, dtype=dtype), boxes=rois(2, 16, -10.0, 50.0, 30.0, dtype)),
             grad=("input",), output_size=[5, 4], spatial_scale=0.25, sampling_ratio=3, aligned=aligned)
        case(f"roi_align_{tag}_{a}_s025_adaptive_big", "roi_align",
             lambda dtype=dtype: dict(input=torch.randn(1, 2, 10, 12, dtype=dtype), boxes=rois(1, 8, -20.0, 60.0, 60.0, dtype)),
             grad=("input",), output_size=[2, 2], spatial_scale=0.25, sampling_ratio=-1, aligned=aligned)
case("roi_align_list_f32", "roi_align_list",
     lambda: dict(input=torch.randn(2, 3, 10, 12), boxes_0=random_boxes(5, -2.0, 40.0, 1.0, 20.0, torch.float32),
                  boxes_1=random_boxes(7, -2.0, 40.0, 1.0, 20.0, torch.float32)),
     grad=("input",), output_size=[3, 3], spatial_scale=0.25, sampling_ratio=2, aligned=False)

# ---- NMS -----------------------------------------------------------------------------------------
for dtype, tag in ((torch.float32, "f32"), (torch.float64, "f64")):
    case(f"nms_{tag}", "nms", lambda dtype=dtype: dict(boxes=random_boxes(300, 0.0, 40.0, 5.0, 30.0, dtype), scores=torch.rand(300, dtype=dtype)),
         iou_threshold=0.5)
case("nms_f32_ties", "nms", lambda: dict(boxes=random_boxes(400, 0.0, 40.0, 5.0, 30.0, torch.float32),
                                          scores=torch.randint(0, 4, (400,)).float() / 4), iou_threshold=0.3)
case("nms_f32_high_threshold", "nms", lambda: dict(boxes=random_boxes(200, 0.0, 50.0, 5.0, 30.0, torch.float32), scores=torch.rand(200)),
     iou_threshold=0.8)
# Up to 1000 boxes torchvision offsets the classes' coordinates; above, it runs NMS class by class.
for n in (300, 1500):
    case(f"batched_nms_{n}", "batched_nms", lambda n=n: dict(boxes=random_boxes(n, 0.0, n / 20, 5.0, 40.0, torch.float32),
                                                              scores=torch.rand(n), idxs=torch.randint(0, 5, (n,))), iou_threshold=0.5)
    case(f"batched_nms_{n}_ties", "batched_nms", lambda n=n: dict(boxes=random_boxes(n, 0.0, n / 20, 5.0, 40.0, torch.float32),
                                                                   scores=torch.randint(0, 5, (n,)).float() / 5,
                                                                   idxs=torch.randint(0, 4, (n,))), iou_threshold=0.4)
case("batched_nms_f64", "batched_nms", lambda: dict(boxes=random_boxes(250, 0.0, 40.0, 5.0, 30.0), scores=torch.rand(250, dtype=torch.float64),
                                                    idxs=torch.randint(0, 3, (250,))), iou_threshold=0.6)

# ---- box ops -------------------------------------------------------------------------------------
case("box_iou_f32", "box_iou", lambda: dict(boxes1=random_boxes(13, 0.0, 30.0, 0.5, 20.0, torch.float32),
                                             boxes2=random_boxes(17, 0.0, 30.0, 0.5, 20.0, torch.float32)))
case("box_iou_f64", "box_iou", lambda: dict(boxes1=random_boxes(9, -5.0, 30.0, 0.5, 20.0), boxes2=random_boxes(11, -5.0, 30.0, 0.5, 20.0)))
case("box_iou_int64", "box_iou", lambda: dict(boxes1=random_boxes(6, 0.0, 30.0, 1.0, 20.0).round().long(),
                                               boxes2=random_boxes(8, 0.0, 30.0, 1.0, 20.0).round().long()))
case("box_area_f32", "box_area", lambda: dict(boxes=random_boxes(10, 0.0, 30.0, 0.0, 20.0, torch.float32)))
case("clip_boxes_to_image", "clip_boxes_to_image", lambda: dict(boxes=random_boxes(12, -10.0, 40.0, 0.0, 30.0, torch.float32)),
     size=[25, 31])
case("remove_small_boxes", "remove_small_boxes", lambda: dict(boxes=random_boxes(40, 0.0, 30.0, 0.0, 6.0, torch.float32)), min_size=2.5)


def call(op, inputs, kwargs):
    if op == "roi_align":
        return ops.roi_align(inputs["input"], inputs["boxes"], **kwargs)
    if op == "roi_align_list":
        boxes = [inputs[k] for k in sorted(k for k in inputs if k.startswith("boxes_"))]
        return ops.roi_align(inputs["input"], boxes, **kwargs)
    if op == "clip_boxes_to_image":
        return ops.clip_boxes_to_image(inputs["boxes"], tuple(kwargs["size"]))
    return getattr(ops, op)(**inputs, **kwargs)


class Writer:
    FORMATS = {torch.float64: "<f8", torch.float32: "<f4", torch.int64: "<i8"}

    def __init__(self):
        self.chunks = []
        self.offset = 0

    def add(self, t):
        t = t.detach().contiguous()
        data = t.numpy().astype(self.FORMATS[t.dtype]).tobytes()
        ref = dict(dtype=str(t.dtype).replace("torch.", ""), shape=list(t.shape), offset=self.offset)
        self.chunks.append(data)
        self.offset += len(data)
        return ref


def run(spec, writer):
    torch.manual_seed(zlib.crc32(spec["name"].encode()))
    inputs = spec["inputs"]()
    record = dict(name=spec["name"], op=spec["op"], kwargs=spec["kwargs"], requires_grad=list(spec["grad"]),
                  inputs={k: writer.add(v) for k, v in inputs.items()})
    for k in spec["grad"]:
        inputs[k].requires_grad_(True)
    out = call(spec["op"], inputs, spec["kwargs"])
    record["output"] = writer.add(out)
    record["grads"] = {}
    if spec["grad"]:
        w = torch.randn(out.shape, generator=torch.Generator().manual_seed(4321), dtype=out.dtype)
        (out * w).sum().backward()
        record["grad_output"] = writer.add(w)
        record["grads"] = {k: writer.add(inputs[k].grad) for k in spec["grad"]}
    record["after"] = {}
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
