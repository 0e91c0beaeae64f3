"""Shared tiny training loop for the repro workloads: a few SGD steps on a linear model.

Kept tiny so that a run takes about a second on a CPU; what matters to the tests is only whether
two runs of it agree bitwise, not what it learns.
"""

from __future__ import annotations

import json
import os


def train(*, seed: int | None) -> None:
    import torch

    if seed is not None:
        torch.manual_seed(seed)
    model = torch.nn.Linear(8, 4)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    inputs, targets = torch.randn(32, 8), torch.randn(32, 4)
    loss = torch.tensor(0.0)
    for _ in range(5):
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(model(inputs), targets)
        loss.backward()
        optimizer.step()
    os.makedirs("out", exist_ok=True)
    torch.save(model.state_dict(), "out/model.pt")
    with open("out/metrics.json", "w", encoding="utf-8") as stream:
        json.dump({"loss": float(loss), "steps": 5}, stream)
