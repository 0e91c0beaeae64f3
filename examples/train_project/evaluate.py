"""Report the accuracy of saved weights on a fresh synthetic test set.

    python evaluate.py runs/model.pt

The test set is drawn anew by the same helper that makes the training data.
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

import torch

from trainproj.data import N_FEATURES, make_dataset
from trainproj.model import make_model


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("weights", type=Path)
    parser.add_argument("--samples", type=int, default=1024)
    args = parser.parse_args(argv)

    model = make_model(N_FEATURES)
    model.load_state_dict(torch.load(args.weights, weights_only=True))
    model.eval()

    features, labels = make_dataset(args.samples).tensors
    with torch.no_grad():
        accuracy = (model(features).argmax(dim=1) == labels).float().mean().item()
        # Hand-picked points kept beside the code, read directly: the catalog does not know them.
        with open("data/extra_holdout.csv", newline="") as handle:
            rows = [[float(value) for value in row] for row in list(csv.reader(handle))[1:]]
        holdout = torch.tensor(rows)
        holdout_correct = (model(holdout[:, :N_FEATURES]).argmax(dim=1) == holdout[:, -1].long())
    print(json.dumps({"weights": str(args.weights), "samples": args.samples, "accuracy": accuracy,
                      "holdout_accuracy": holdout_correct.float().mean().item()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
