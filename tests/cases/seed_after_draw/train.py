import torch


def init():
    return torch.randn(3)  # expect: GOV101


if __name__ == "__main__":
    weights = init()
    torch.manual_seed(0)
    more = torch.randn(3)
