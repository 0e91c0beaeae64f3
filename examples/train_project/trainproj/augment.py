"""Input augmentation: small Gaussian jitter on the features of each batch."""

from __future__ import annotations

import numpy as np
import torch

rng = np.random.default_rng()


def jitter(features: torch.Tensor, scale: float = 0.01) -> torch.Tensor:
    """Add noise with standard deviation `scale`, so the model does not fit exact points."""
    noise = rng.normal(0.0, scale, size=tuple(features.shape)).astype(np.float32)
    return features + torch.from_numpy(noise)
