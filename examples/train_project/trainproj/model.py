"""The classifier: a small MLP, big enough for the sign-agreement task in `trainproj.data`."""

from __future__ import annotations

from torch import nn


def make_model(n_features: int, hidden: int = 32, n_classes: int = 2) -> nn.Module:
    """Two hidden layers; the task is not linearly separable, so one linear layer would not do."""
    return nn.Sequential(
        nn.Linear(n_features, hidden),
        nn.ReLU(),
        nn.Linear(hidden, hidden),
        nn.ReLU(),
        nn.Linear(hidden, n_classes),
    )
