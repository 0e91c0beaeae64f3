import numpy as np
import torch


def load_features():
    return np.load("data/features.npy")  # expect: GOV201, GOV301


def save_model(model, path):
    torch.save(model.state_dict(), path)  # expect: GOV302
