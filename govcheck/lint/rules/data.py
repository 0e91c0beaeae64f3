"""GOV2xx: reads of data that the dataset catalog does not govern, or that bypass it.

Reads are recognised from `knowledge_data.py` (pandas, NumPy, Hugging Face datasets, PIL,
pyarrow, polars, torchvision datasets, and the builtin `open()` of data files); their path is
resolved statically where it is built from constants and matched against the catalog in
`[tool.govcheck.datasets]`.
"""

from __future__ import annotations

from govcheck.lint.rules.base import Rule

CATALOG = '''
[datasets.customers]
path = "data/customers.csv"
owner = "Marketing Director <owner@example.com>"
classification = "confidential"

[datasets.customers.columns]
email = { type = "string", pii = true, mask = "hash" }
age = { type = "int", min = 0, max = 130 }
'''


class UngovernedRead(Rule):
    """A read of data at a path the dataset catalog does not govern: `pd.read_csv("x.csv")`,
    `np.load(...)`, `datasets.load_dataset(...)`, `Image.open(...)`, `open("words.txt")` and
    the other readers of the knowledge base. Reads of configuration files are not data reads:
    the builtin `open()` counts only for data suffixes (`.csv`, `.tsv`, `.jsonl`, `.parquet`,
    `.npy`, `.npz`, `.pkl`, `.h5`, `.arrow`, `.feather`, `.txt`, `.xlsx`), so `open("config.yaml")`
    and `json.load(open("params.json"))` are never flagged."""

    code = "GOV201"
    name = "ungoverned-read"
    summary = "Read of data the dataset catalog does not govern"
    severity = "warning"
    catalog = CATALOG
    why = """
        Data that is not in the catalog has no owner, no classification, no pinned hash and no
        approved purpose: nobody can say later whether the model was allowed to learn from it,
        or whether the file it read was the one reviewed.
    """
    example = """
        import pandas as pd

        df = pd.read_csv("data/leads.csv")
    """
    instead = """
        # pyproject.toml
        # [tool.govcheck.datasets.leads]
        # path = "data/leads.csv"
        # owner = "Sales Operations <ops@example.com>"
        # classification = "internal"
        import govcheck

        df = govcheck.data.load("leads")
    """
    flagged = (
        """
import numpy as np
import pandas as pd

leads = pd.read_csv("data/leads.csv")  # expect: GOV201
vectors = np.load("data/vectors.npy")  # expect: GOV201
with open("data/words.txt") as handle:  # expect: GOV201
    words = handle.read().split()
""",
    )
    clean = (
        """
import json

import yaml

with open("config.yaml") as handle:
    config = yaml.safe_load(handle)
params = json.load(open("params.json"))
""",
    )


class CatalogBypass(Rule):
    """A read of a catalogued dataset that does not go through `govcheck.data`: the file is
    governed, but this read skips the hash check, the schema and quality rules, the masking of
    pii columns, and the lineage record."""

    code = "GOV202"
    name = "catalog-bypass"
    summary = "Catalogued data read without govcheck.data"
    severity = "warning"
    catalog = CATALOG
    why = """
        The catalog pins what was approved; a raw read cannot tell whether the file still is
        that data, does not mask the columns marked pii, and leaves no trace in the run record,
        so the model card and BOM cannot name the data the model learned from.
    """
    example = """
        import pandas as pd

        customers = pd.read_csv("data/customers.csv")
    """
    instead = """
        import govcheck

        customers = govcheck.data.load("customers")
    """
    flagged = (
        """
import pandas as pd
from pathlib import Path

DATA = Path("data")
customers = pd.read_csv(DATA / "customers.csv")  # expect: GOV202
""",
    )
    clean = (
        """
import govcheck

customers = govcheck.data.load("customers")
""",
    )


class UnresolvedDataPath(Rule):
    """A data read whose path govcheck cannot work out from the code (a command-line argument,
    a value computed at run time). The message shows the expression that was seen."""

    code = "GOV203"
    name = "unresolved-data-path"
    summary = "Data read whose path cannot be resolved statically"
    severity = "note"
    why = """
        A path chosen at run time can point at any data: nothing in the code ties the model to
        a catalogued, approved dataset. Reading by catalog name makes the choice reviewable.
    """
    example = """
        import pandas as pd

        df = pd.read_csv(args.train_file)
    """
    instead = """
        import govcheck

        df = govcheck.data.load(args.dataset)   # a catalog name, checked at run time
    """
    flagged = (
        """
import sys

import pandas as pd

df = pd.read_csv(sys.argv[1])  # expect: GOV203
""",
    )
    clean = (
        """
import pandas as pd

df = pd.read_csv("data/fixed.csv")
""",
    )


class PiiColumnUnmasked(Rule):
    """A column the catalog marks pii, used on data read without masking: `df["email"]`,
    `df[["email", "age"]]`, `df.email`, or `usecols=["email"]` in the read itself, where `df` is
    the result of a raw read (pandas, polars, pyarrow...) of a catalogued dataset.
    `govcheck.data.load` masks pii columns as the catalog says, so its results are never
    reported."""

    code = "GOV204"
    name = "pii-column-unmasked"
    summary = "Personal data column used on data read without masking"
    severity = "error"
    catalog = CATALOG
    why = """
        The catalog says how personal data may be used (hashed, dropped or redacted). Reading
        the raw file and then using the column puts personal data into features, logs and
        model weights that were never approved to hold it.
    """
    example = """
        import pandas as pd

        customers = pd.read_csv("data/customers.csv")
        domains = customers["email"].str.split("@").str[1]
    """
    instead = """
        import govcheck

        customers = govcheck.data.load("customers")   # email is hashed as the catalog says
    """
    flagged = (
        """
import pandas as pd

customers = pd.read_csv("data/customers.csv")
domains = customers["email"].str.len()  # expect: GOV204
contact = customers.email  # expect: GOV204
ages = customers["age"]
subset = pd.read_csv("data/customers.csv", usecols=["email", "age"])  # expect: GOV204
""",
    )
    clean = (
        """
import govcheck

customers = govcheck.data.load("customers")
domains = customers["email"].str.len()
""",
    )


DATA_RULES: tuple[type[Rule], ...] = (UngovernedRead, CatalogBypass, UnresolvedDataPath,
                                      PiiColumnUnmasked)
