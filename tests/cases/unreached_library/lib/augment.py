import random


def jitter(x):
    return x + random.random()  # expect: GOV101


def seeded_jitter(x, seed):
    random.seed(seed)
    return x + random.random()
