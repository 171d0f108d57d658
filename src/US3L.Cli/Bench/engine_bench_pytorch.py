"""PyTorch side of `us3l bench engine`: the same CIFAR ResNet-18 train step, on the same libtorch.

A width-W network is made by narrowing the full-width weights to their first C(W) channels
(the slimmable case), then forward + backward + SGD step on a batch of random 32x32 images.
A long-running worker (bench_worker.py): each command {"width": W, "steps": K} runs K steps at
width W on the same weights and answers {"img_s": ...}.
"""
import argparse

import torch
import torch.nn.functional as F

from bench_worker import pin_threads, serve, timed

STAGES = [(64, 1), (128, 2), (256, 2), (512, 2)]


def channels(full, width):
    """science.md 1.2: nearest multiple of 8, never more than 10 % below the exact value."""
    v = full * width
    r = max(8, int(v + 4) // 8 * 8)
    return r + 8 if r < 0.9 * v else r


def make_params(gen):
    p = {}

    def conv(name, cout, cin, k):
        p[name] = (torch.randn(cout, cin, k, k, generator=gen) * (2.0 / (cin * k * k)) ** 0.5).requires_grad_()

    def bn(name, c):
        p[name + ".weight"] = torch.ones(c).requires_grad_()
        p[name + ".bias"] = torch.zeros(c).requires_grad_()

    conv("conv1", 64, 3, 3)
    bn("bn1", 64)
    cin = 64
    for s, (c, stride) in enumerate(STAGES, 1):
        for b in range(2):
            pre = f"layer{s}.{b}"
            conv(pre + ".conv1", c, cin if b == 0 else c, 3)
            bn(pre + ".bn1", c)
            conv(pre + ".conv2", c, c, 3)
            bn(pre + ".bn2", c)
            if b == 0 and (stride != 1 or cin != c):
                conv(pre + ".downsample.0", c, cin, 1)
                bn(pre + ".downsample.1", c)
        cin = c
    p["fc.weight"] = (torch.randn(10, 512, generator=gen) * 0.01).requires_grad_()
    p["fc.bias"] = torch.zeros(10).requires_grad_()
    return p


def forward(p, x, width):
    def conv(name, h, cin_full, cout_full, stride, pad, slim_in=True):
        w = p[name]
        cout = channels(cout_full, width)
        cin = channels(cin_full, width) if slim_in else cin_full
        return F.conv2d(h, w[:cout, :cin], None, stride, pad)

    def bn(name, h):
        c = h.shape[1]
        return F.batch_norm(h, None, None, p[name + ".weight"][:c], p[name + ".bias"][:c], True, 0.1, 1e-5)

    h = F.relu(bn("bn1", conv("conv1", x, 3, 64, 1, 1, slim_in=False)))
    cin = 64
    for s, (c, stride) in enumerate(STAGES, 1):
        for b in range(2):
            pre = f"layer{s}.{b}"
            st = stride if b == 0 else 1
            ci = cin if b == 0 else c
            out = F.relu(bn(pre + ".bn1", conv(pre + ".conv1", h, ci, c, st, 1)))
            out = bn(pre + ".bn2", conv(pre + ".conv2", out, c, c, 1, 1))
            if pre + ".downsample.0" in p:
                short = bn(pre + ".downsample.1", conv(pre + ".downsample.0", h, ci, c, st, 0))
            else:
                short = h
            h = F.relu(out + short)
        cin = c
    h = F.adaptive_avg_pool2d(h, 1).flatten(1)
    f = h.shape[1]
    return F.linear(h, p["fc.weight"][:, :f], p["fc.bias"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--device", default="cpu")
    a = ap.parse_args()
    pin_threads(a.threads)
    device = torch.device(a.device)
    gen = torch.Generator().manual_seed(0)
    p = {k: v.detach().to(device).requires_grad_() for k, v in make_params(gen).items()}
    opt = torch.optim.SGD(p.values(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    x = torch.randn(a.batch, 3, 32, 32, generator=gen).to(device)
    y = torch.randint(0, 10, (a.batch,), generator=gen).to(device)

    def handle(command):
        width = float(command["width"])

        def step():
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(forward(p, x, width), y)
            loss.backward()
            opt.step()
            return a.batch

        return {"img_s": timed(step, int(command["steps"]), device)}

    serve(handle, device)


if __name__ == "__main__":
    main()
