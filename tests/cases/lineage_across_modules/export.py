import torch

from pkg.io import save_model

if __name__ == "__main__":
    save_model(torch.nn.Linear(2, 2), "out/exported.pt")
