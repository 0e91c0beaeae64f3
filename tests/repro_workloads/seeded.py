"""Seeded training: two runs must be bitwise identical."""

from _train import train

train(seed=0)
