"""The same training without a seed: two runs must diverge."""

from _train import train

train(seed=None)
