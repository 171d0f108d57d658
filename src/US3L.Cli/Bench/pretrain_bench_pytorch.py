"""PyTorch side of `us3l bench pretrain`: the same US3L-BYOL iteration on the same libtorch.

Mirrors the kit's trainer step (science.md 3.4) for the mini US-ResNet: slimmable convs are the
full weights narrowed to their first C(w) channels; a projector whose first Linear reads F(w);
predictor q and auxiliary head a; an EMA teacher at width 1.0 updated once per iteration; BYOL
base loss at the max width, negative-cosine distillation through a at the other widths; one SGD
step per width; the per-width gradient norm the kit logs. A long-running worker (bench_worker.py):
each command {"widths": [[w, ...], ...]} runs one iteration per list, at the widths the kit's sampler
drew (so both sides do identical work), and answers {"img_s": ...}.
"""
import argparse
import copy

import torch
import torch.nn.functional as F

from bench_worker import pin_threads, serve, timed


def channels(full, w, divisor):
    v = full * w
    r = max(1, int((v + divisor / 2) // divisor) * divisor)
    return r + divisor if r < 0.9 * v else r


class Mini(torch.nn.Module):
    """us_resnet10_mini: 3x3 stem, BasicBlocks [1,1,1,1], strides 1,2,2,2, global average pool."""

    def __init__(self, widths, in_ch, divisor):
        super().__init__()
        self.widths, self.divisor = widths, divisor
        self.convs = torch.nn.ParameterDict()
        self.bns = torch.nn.ParameterDict()

        def conv(name, cout, cin, k):
            w = torch.empty(cout, cin, k, k)
            torch.nn.init.kaiming_uniform_(w, a=5 ** 0.5)
            self.convs[name] = torch.nn.Parameter(w)

        def bn(name, c):
            self.bns[name + "_w"] = torch.nn.Parameter(torch.ones(c))
            self.bns[name + "_b"] = torch.nn.Parameter(torch.zeros(c))

        conv("conv1", widths[0], in_ch, 3)
        bn("bn1", widths[0])
        cin = widths[0]
        for s, c in enumerate(widths):
            conv(f"l{s}c1", c, cin, 3); bn(f"l{s}b1", c)
            conv(f"l{s}c2", c, c, 3); bn(f"l{s}b2", c)
            if s > 0 or cin != c:
                conv(f"l{s}d", c, cin, 1); bn(f"l{s}db", c)
            cin = c

    def forward(self, x, w):
        d = self.divisor

        def conv(name, h, cin, cout, stride, pad, slim_in=True):
            co = channels(cout, w, d)
            ci = channels(cin, w, d) if slim_in else cin
            return F.conv2d(h, self.convs[name][:co, :ci], None, stride, pad)

        def bn(name, h):
            c = h.shape[1]
            return F.batch_norm(h, None, None, self.bns[name + "_w"][:c], self.bns[name + "_b"][:c], True, 0.0, 1e-5)

        h = F.relu(bn("bn1", conv("conv1", x, x.shape[1], self.widths[0], 1, 1, slim_in=False)))
        cin = self.widths[0]
        for s, c in enumerate(self.widths):
            st = 1 if s == 0 else 2
            out = F.relu(bn(f"l{s}b1", conv(f"l{s}c1", h, cin, c, st, 1)))
            out = bn(f"l{s}b2", conv(f"l{s}c2", out, c, c, 1, 1))
            short = bn(f"l{s}db", conv(f"l{s}d", h, cin, c, st, 0)) if f"l{s}d" in self.convs else h
            h = F.relu(out + short)
            cin = c
        return F.adaptive_avg_pool2d(h, 1).flatten(1)


def bn1d(h):
    return F.batch_norm(h, None, None, None, None, True, 0.0, 1e-5)


class Heads(torch.nn.Module):
    def __init__(self, feat, hidden, out, pred_hidden):
        super().__init__()
        L = torch.nn.Linear
        self.p1, self.p2, self.p3 = L(feat, hidden), L(hidden, hidden, bias=False), L(hidden, out)
        self.pb1 = torch.nn.BatchNorm1d(hidden, track_running_stats=False)
        self.pb2 = torch.nn.BatchNorm1d(hidden, track_running_stats=False)

    def project(self, f):
        w = self.p1.weight[:, :f.shape[1]]
        h = F.relu(self.pb1(F.linear(f, w, self.p1.bias)))
        h = F.relu(self.pb2(self.p2(h)))
        return self.p3(h)


def predictor(dim, hidden):
    return torch.nn.Sequential(torch.nn.Linear(dim, hidden, bias=False), torch.nn.BatchNorm1d(hidden, track_running_stats=False),
                               torch.nn.ReLU(), torch.nn.Linear(hidden, dim))


def neg_cos(p, z):
    return -(F.normalize(p, dim=1) * F.normalize(z.detach(), dim=1)).sum(1).mean()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--stage-widths", default="32,64,128,256")
    ap.add_argument("--divisor", type=int, default=8)
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--out", type=int, default=128)
    ap.add_argument("--pred-hidden", type=int, default=256)
    ap.add_argument("--channels", type=int, default=1)
    ap.add_argument("--side", type=int, default=28)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--device", default="cpu")
    a = ap.parse_args()
    pin_threads(a.threads)
    torch.manual_seed(0)
    stages = [int(s) for s in a.stage_widths.split(",")]
    backbone, heads = Mini(stages, a.channels, a.divisor), Heads(stages[-1], a.hidden, a.out, a.pred_hidden)
    q, aux = predictor(a.out, a.pred_hidden), predictor(a.out, a.pred_hidden)
    device = torch.device(a.device)
    for m in (backbone, heads, q, aux):
        m.to(device)
    t_backbone, t_heads = copy.deepcopy(backbone), copy.deepcopy(heads)
    for p in list(t_backbone.parameters()) + list(t_heads.parameters()):
        p.requires_grad_(False)
    online = list(backbone.parameters()) + list(heads.parameters()) + list(q.parameters()) + list(aux.parameters())
    opt = torch.optim.SGD(online, lr=0.05, momentum=0.9, weight_decay=5e-4)
    x1 = torch.randn(a.batch, a.channels, a.side, a.side).to(device)
    x2 = torch.randn(a.batch, a.channels, a.side, a.side).to(device)

    def iteration(widths):
        targets = None
        for j, w in enumerate(widths):
            z1, z2 = heads.project(backbone(x1, w)), heads.project(backbone(x2, w))
            if j == 0:
                with torch.no_grad():
                    for t, o in zip(list(t_backbone.parameters()) + list(t_heads.parameters()),
                                    list(backbone.parameters()) + list(heads.parameters())):
                        t.lerp_(o, 0.01)
                    targets = (t_heads.project(t_backbone(x1, 1.0)), t_heads.project(t_backbone(x2, 1.0)))
                head = q
            else:
                head = aux
            loss = 0.5 * (neg_cos(head(z1), targets[1]) + neg_cos(head(z2), targets[0]))
            loss.item()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.sqrt(sum((p.grad.detach() ** 2).sum() for p in online if p.grad is not None)).item()
            opt.step()

    def handle(command):
        iterations = iter(command["widths"])

        def one():
            iteration(next(iterations))
            return a.batch

        return {"img_s": timed(one, len(command["widths"]), device)}

    serve(handle, device)


if __name__ == "__main__":
    main()
