"""Trajectories of torch.optim on loss = 0.5 * sum(a * p^2) (gradient a * p), in float64.

usage: optim_reference.py '[{"opt": "SGD", "kwargs": {...}, "p": [...], "a": [...], "steps": 5}, ...]'
prints, per case, one JSON line: the parameter after every step.
"""
import json
import sys

import torch

for spec in json.loads(sys.argv[1]):
    p = torch.tensor(spec["p"], dtype=torch.float64, requires_grad=True)
    a = torch.tensor(spec["a"], dtype=torch.float64)
    opt = getattr(torch.optim, spec["opt"])([p], **spec["kwargs"])
    trajectory = []
    for _ in range(spec["steps"]):
        opt.zero_grad()
        (0.5 * (a * p * p).sum()).backward()
        opt.step()
        trajectory.append(p.detach().tolist())
    print(json.dumps(trajectory))
