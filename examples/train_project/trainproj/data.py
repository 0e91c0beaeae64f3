"""Training data: a synthetic problem made on the fly, or shards saved earlier.

The synthetic task is fixed (the label is whether the first two features share a sign), but the
samples and the label noise are drawn from the global NumPy and torch generators. Whether two
runs see the same data therefore depends on the caller having seeded those generators first.
"""

from __future__ import annotations

import os

import numpy as np
import torch
from torch.utils.data import TensorDataset

N_FEATURES = 8


def make_dataset(n_samples: int, label_noise: float = 0.05) -> TensorDataset:
    """Draw `n_samples` points and their labels; a fraction `label_noise` of labels is flipped."""
    features = torch.randn(n_samples, N_FEATURES)
    labels = (features[:, 0] * features[:, 1] > 0).long()
    flip = torch.from_numpy(np.random.rand(n_samples) < label_noise)
    labels[flip] = 1 - labels[flip]
    return TensorDataset(features, labels)


def list_shards(directory: str) -> list[str]:
    """Paths of the `.pt` shards in `directory`."""
    return [os.path.join(directory, name) for name in os.listdir(directory) if name.endswith(".pt")]


def load_shards(directory: str) -> TensorDataset:
    """Concatenate shards saved as `{"features": Tensor, "labels": Tensor}`."""
    shards = [torch.load(path, weights_only=True) for path in list_shards(directory)]
    features = torch.cat([shard["features"] for shard in shards])
    labels = torch.cat([shard["labels"] for shard in shards])
    return TensorDataset(features, labels)
