"""Train the classifier and save its weights and per-epoch metrics.

    python train.py --seed 0 --epochs 5 --out runs/model.pt

Everything random in a run follows from --seed: the global generators are seeded first, and
the DataLoader shuffles with its own generator seeded from the same value.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch
from torch import nn
from torch.utils.data import DataLoader

import govcheck

from trainproj import augment
from trainproj.data import N_FEATURES, load_shards, make_dataset
from trainproj.model import make_model
from trainproj.seeding import seed_all


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--samples", type=int, default=2048, help="size of the synthetic set")
    parser.add_argument("--data-dir", help="train on .pt shards from this directory instead")
    parser.add_argument("--out", type=Path, default=Path("runs/model.pt"))
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    seed_all(args.seed)

    dataset = load_shards(args.data_dir) if args.data_dir else make_dataset(args.samples)
    generator = torch.Generator()
    generator.manual_seed(args.seed)
    loader = DataLoader(dataset, batch_size=args.batch_size, shuffle=True, generator=generator)

    model = make_model(N_FEATURES)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()

    history = []
    for epoch in range(1, args.epochs + 1):
        model.train()
        loss_sum, correct = 0.0, 0
        for features, labels in loader:
            optimizer.zero_grad()
            logits = model(augment.jitter(features))
            loss = loss_fn(logits, labels)
            loss.backward()
            optimizer.step()
            loss_sum += loss.item() * len(labels)
            correct += (logits.argmax(dim=1) == labels).sum().item()
        metrics = {
            "epoch": epoch,
            "loss": loss_sum / len(dataset),
            "accuracy": correct / len(dataset),
        }
        history.append(metrics)
        print(f"epoch {epoch}: loss {metrics['loss']:.4f} accuracy {metrics['accuracy']:.3f}")

    args.out.parent.mkdir(parents=True, exist_ok=True)
    torch.save(model.state_dict(), args.out)
    metrics_path = args.out.with_name(args.out.stem + ".metrics.json")
    # A governed read: hash checked against the catalog's pin, columns checked, input recorded.
    label_names = govcheck.data.load("label_names").sort_values("id")["name"].tolist()
    metrics = {"seed": args.seed, "classes": label_names, "epochs": history}
    metrics_path.write_text(json.dumps(metrics, indent=2) + "\n")
    # The run record (GOVCHECK_RUN_DIR, else .govcheck/runs/<run-id>/) names what was produced.
    govcheck.lineage.log_params(seed=args.seed, epochs=args.epochs, lr=args.lr)
    govcheck.lineage.log_output(str(args.out), kind="model")
    govcheck.lineage.log_output(str(metrics_path), kind="metrics")
    print(f"saved {args.out} and {metrics_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
