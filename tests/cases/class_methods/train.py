import random

import numpy as np


class Trainer:
    def __init__(self, seed):
        np.random.seed(seed)

    def fit(self):
        order = np.random.permutation(10)
        random.shuffle(list(order))  # expect: GOV101
        return order


if __name__ == "__main__":
    Trainer(0).fit()
