import torch
from transformers import Trainer


class MyTrainer(Trainer):
    pass


def main():
    trainer = MyTrainer(model=None)
    noise = torch.randn(2)
    return trainer, noise


if __name__ == "__main__":
    main()
