import govcheck
import torch

from pkg.io import load_features, save_model

if __name__ == "__main__":
    features = load_features()
    model = torch.nn.Linear(2, 2)
    save_model(model, "out/model.pt")
    govcheck.lineage.log_output("out/model.pt", kind="model")
