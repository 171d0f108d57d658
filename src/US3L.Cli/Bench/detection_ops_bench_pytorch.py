"""PyTorch side of `us3l bench detection-ops`: torchvision's RoIAlign (forward, backward) and NMS on the same inputs.

The inputs are drawn exactly as DetectionOpsBench.cs draws them (same libtorch generator, same calls),
so both sides time the same data. Prints one JSON object per measurement.
"""
import argparse
import json
import time

import torch
import torchvision
from torchvision import ops


def rois(gen, images, count, height, width):
    """Boxes in image pixels (the feature map is 1/4 of the image): sides 16-256, inside the image."""
    ih, iw = height * 4, width * 4
    u = torch.rand(count, 4, generator=gen)
    w = 16 + u[:, 2] * 240
    h = 16 + u[:, 3] * 240
    x1 = u[:, 0] * (iw - w)
    y1 = u[:, 1] * (ih - h)
    ids = torch.arange(count) % images
    return torch.stack([ids.float(), x1, y1, x1 + w, y1 + h], dim=1)


def millis(call, warmup, repeats):
    """The fastest of the timed calls in milliseconds, wall-clock and process CPU time (as the C# side).

    call(measure) runs its untimed preparation, then measure(timed_function)."""
    best = [float("inf"), float("inf")]

    def measure(timed):
        cpu0, wall0 = time.process_time(), time.perf_counter()
        timed()
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        best[0], best[1] = min(best[0], wall), min(best[1], cpu)

    for _ in range(warmup):
        call(lambda timed: timed())
    for _ in range(repeats):
        call(measure)
    return 1000 * best[0], 1000 * best[1]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--images", type=int, default=2)
    p.add_argument("--channels", type=int, default=256)
    p.add_argument("--height", type=int, default=200)
    p.add_argument("--width", type=int, default=272)
    p.add_argument("--rois", type=int, default=512)
    p.add_argument("--sampling-ratio", type=int, default=2)
    p.add_argument("--outputs", default="7,14")
    p.add_argument("--nms-boxes", type=int, default=4000)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--threads", type=int, default=torch.get_num_threads())
    a = p.parse_args()
    torch.set_num_threads(a.threads)

    gen = torch.Generator().manual_seed(0)
    x = torch.randn(a.images, a.channels, a.height, a.width, generator=gen)
    boxes = rois(gen, a.images, a.rois, a.height, a.width)
    for size in (int(s) for s in a.outputs.split(",")):
        def forward(measure):
            with torch.no_grad():
                measure(lambda: ops.roi_align(x, boxes, size, spatial_scale=0.25, sampling_ratio=a.sampling_ratio))

        leaf = x.clone().requires_grad_()
        grad = torch.randn(a.rois, a.channels, size, size, generator=gen)

        def backward(measure):
            out = ops.roi_align(leaf, boxes, size, spatial_scale=0.25, sampling_ratio=a.sampling_ratio)
            measure(lambda: out.backward(grad))
            leaf.grad = None

        fwd, fwd_cpu = millis(forward, a.warmup, a.repeats)
        bwd, bwd_cpu = millis(backward, a.warmup, a.repeats)
        print(json.dumps(dict(op="roi_align", output=size, fwd_ms=fwd, fwd_cpu_ms=fwd_cpu, bwd_ms=bwd, bwd_cpu_ms=bwd_cpu,
                              torchvision=torchvision.__version__)), flush=True)

    n = a.nms_boxes
    u = torch.rand(n, 4, generator=gen)
    nms_boxes = torch.stack([u[:, 0] * 800, u[:, 1] * 800, u[:, 0] * 800 + 8 + u[:, 2] * 200, u[:, 1] * 800 + 8 + u[:, 3] * 200], dim=1)
    scores = torch.rand(n, generator=gen)
    classes = torch.randint(0, 80, (n,), generator=gen)

    nms, nms_cpu = millis(lambda measure: measure(lambda: ops.batched_nms(nms_boxes, scores, classes, 0.5)), a.warmup, a.repeats)
    print(json.dumps(dict(op="batched_nms", boxes=n, nms_ms=nms, nms_cpu_ms=nms_cpu)), flush=True)


if __name__ == "__main__":
    main()
