"""GOV3xx: entry points that read data or write models without recording lineage.

Lineage counts wherever the entry point records it, before or after the read or write:
govcheck's runtime API (`govcheck.data.load/path`, `govcheck.lineage.log_output`), MLflow
(`log_input`, `log_artifact`, `log_model`, `autolog`), W&B (`use_artifact`, `log_artifact`,
`log_model`), the OpenLineage client's `emit`, and the DVC API.
"""

from __future__ import annotations

from govcheck.lint.rules.base import Rule


class ReadWithoutLineage(Rule):
    """An entry point that reads data (any reader of GOV201) and records no input lineage
    anywhere in the code it runs."""

    code = "GOV301"
    name = "read-without-lineage"
    summary = "Entry point reads data but records no input lineage"
    severity = "warning"
    why = """
        The run record, the model card and the BOM can only name the data a model learned from
        if the run recorded it. A training run that reads data silently produces a model whose
        inputs nobody can list afterwards.
    """
    example = """
        import pandas as pd

        if __name__ == "__main__":
            df = pd.read_csv("data/train.csv")
    """
    instead = """
        import govcheck

        if __name__ == "__main__":
            df = govcheck.data.load("train")
    """
    flagged = (
        """
import numpy as np

def load():
    return np.load("data/x.npy")  # expect: GOV301

if __name__ == "__main__":
    load()
""",
    )
    clean = (
        """
import mlflow
import numpy as np

if __name__ == "__main__":
    x = np.load("data/x.npy")
    mlflow.log_input(mlflow.data.from_numpy(x))
""",
    )


class ModelWriteWithoutLineage(Rule):
    """An entry point that writes a model artifact (`torch.save`, `.save_pretrained()`,
    safetensors `save_file`/`save_model`, `joblib.dump`, `pickle.dump`, `skops.io.dump`) and
    records no output lineage anywhere in the code it runs."""

    code = "GOV302"
    name = "model-write-without-lineage"
    summary = "Entry point writes a model but records no output lineage"
    severity = "warning"
    why = """
        A model file with no lineage record cannot be tied back to the run, data and code that
        made it: it cannot be attested, and a reviewer cannot tell which of several saved
        files was released.
    """
    example = """
        import torch

        torch.save(model.state_dict(), "out/model.pt")
    """
    instead = """
        import govcheck
        import torch

        torch.save(model.state_dict(), "out/model.pt")
        govcheck.lineage.log_output("out/model.pt", kind="model")
    """
    flagged = (
        """
import torch

def save(model):
    torch.save(model.state_dict(), "out/model.pt")  # expect: GOV302

if __name__ == "__main__":
    save(torch.nn.Linear(2, 2))
""",
    )
    clean = (
        """
import govcheck
import torch

if __name__ == "__main__":
    torch.save({}, "out/model.pt")
    govcheck.lineage.log_output("out/model.pt", kind="model")
""",
    )


LINEAGE_RULES: tuple[type[Rule], ...] = (ReadWithoutLineage, ModelWriteWithoutLineage)
