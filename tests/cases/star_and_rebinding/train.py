from numpy.random import *
import torch


def sample():
    return rand(3)  # expect: GOV101


def shadowed(torch):
    return torch.randn(3)


def rebound():
    np = FakeNumpy()
    return np.random.rand()


if __name__ == "__main__":
    s = torch.seed  # an alias of a call that is not a seed
    s()  # expect: GOV105
    sample()
