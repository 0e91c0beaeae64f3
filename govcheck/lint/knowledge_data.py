"""Which APIs read data, write model artifacts, or record lineage (rules GOV2xx and GOV3xx).

Data, not code, like `knowledge.py`: a reviewer can check each line against the library's
documentation. A reader names where its path argument is (position and keyword names) so the
linter can resolve the path statically and match it against the dataset catalog.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Reader:
    """A call that reads data from the path in its `position`-th argument or one of `keywords`."""

    label: str
    position: int | None = 0
    keywords: tuple[str, ...] = ("path",)


_PANDAS = ("csv", "table", "parquet", "json", "excel", "feather", "orc", "pickle", "hdf", "stata",
           "sas", "spss", "xml", "fwf")

DATA_READERS: dict[str, Reader] = {
    **{f"pandas.read_{kind}": Reader(f"pandas.read_{kind}", 0,
                                     ("filepath_or_buffer", "path", "path_or_buf", "io"))
       for kind in _PANDAS},
    "numpy.load": Reader("numpy.load", 0, ("file",)),
    "numpy.loadtxt": Reader("numpy.loadtxt", 0, ("fname",)),
    "numpy.genfromtxt": Reader("numpy.genfromtxt", 0, ("fname",)),
    "numpy.fromfile": Reader("numpy.fromfile", 0, ("file",)),
    "datasets.load_dataset": Reader("datasets.load_dataset", 0, ("path",)),
    "datasets.load_from_disk": Reader("datasets.load_from_disk", 0, ("dataset_path",)),
    "PIL.Image.open": Reader("PIL.Image.open", 0, ("fp",)),
    "pyarrow.parquet.read_table": Reader("pyarrow.parquet.read_table", 0, ("source",)),
    "pyarrow.csv.read_csv": Reader("pyarrow.csv.read_csv", 0, ("input_file",)),
    "pyarrow.feather.read_table": Reader("pyarrow.feather.read_table", 0, ("source",)),
    **{f"polars.{verb}_{kind}": Reader(f"polars.{verb}_{kind}", 0, ("source",))
       for verb in ("read", "scan") for kind in ("csv", "parquet", "json", "ndjson", "ipc")},
    "torchvision.datasets.ImageFolder": Reader("torchvision.datasets.ImageFolder", 0, ("root",)),
    "torchvision.datasets.DatasetFolder": Reader("torchvision.datasets.DatasetFolder", 0, ("root",)),
    **{f"torchvision.datasets.{name}": Reader(f"torchvision.datasets.{name}", 0, ("root",))
       for name in ("MNIST", "FashionMNIST", "KMNIST", "EMNIST", "QMNIST", "CIFAR10", "CIFAR100",
                    "SVHN", "STL10", "ImageNet", "CelebA", "VOCDetection", "VOCSegmentation",
                    "CocoDetection", "CocoCaptions", "Food101", "Flowers102", "OxfordIIITPet",
                    "StanfordCars", "Caltech101", "Caltech256", "Places365", "LSUN")},
}
"""Qualified name -> where its data path is. `torch.load` is not listed: it loads checkpoints far
more often than data, and checkpoints are repro's business."""

OPEN_DATA_SUFFIXES = (".csv", ".tsv", ".jsonl", ".ndjson", ".parquet", ".npy", ".npz", ".pkl",
                      ".pickle", ".h5", ".hdf5", ".arrow", ".feather", ".txt", ".xlsx", ".xls")
"""Suffixes that make a builtin `open()` a data read. Configuration files (`.yaml`, `.toml`,
`.json`, `.ini`, `.cfg`) and anything else are not data reads, so `open("config.yaml")` is never
a GOV2xx finding."""

MODEL_WRITERS: dict[str, str] = {
    "torch.save": "torch.save",
    "safetensors.torch.save_file": "safetensors.torch.save_file",
    "safetensors.torch.save_model": "safetensors.torch.save_model",
    "joblib.dump": "joblib.dump",
    "pickle.dump": "pickle.dump",
    "skops.io.dump": "skops.io.dump",
}
MODEL_WRITER_METHODS = frozenset({"save_pretrained"})
"""Methods that save a model on any receiver (Hugging Face models, tokenizers, pipelines)."""

LINEAGE_INPUT = "input"
LINEAGE_OUTPUT = "output"

LINEAGE_CALLS: dict[str, tuple[str, ...]] = {
    "govcheck.data.load": (LINEAGE_INPUT,),
    "govcheck.data.path": (LINEAGE_INPUT,),
    "govcheck.runtime.data.load": (LINEAGE_INPUT,),
    "govcheck.runtime.data.path": (LINEAGE_INPUT,),
    "govcheck.lineage.log_output": (LINEAGE_OUTPUT,),
    "govcheck.runtime.lineage.log_output": (LINEAGE_OUTPUT,),
    "mlflow.log_input": (LINEAGE_INPUT,),
    "mlflow.log_artifact": (LINEAGE_OUTPUT,),
    "mlflow.log_artifacts": (LINEAGE_OUTPUT,),
    "mlflow.pytorch.log_model": (LINEAGE_OUTPUT,),
    "mlflow.sklearn.log_model": (LINEAGE_OUTPUT,),
    "mlflow.transformers.log_model": (LINEAGE_OUTPUT,),
    "mlflow.pyfunc.log_model": (LINEAGE_OUTPUT,),
    "mlflow.autolog": (LINEAGE_INPUT, LINEAGE_OUTPUT),
    "wandb.use_artifact": (LINEAGE_INPUT,),
    "wandb.log_artifact": (LINEAGE_OUTPUT,),
    "wandb.log_model": (LINEAGE_OUTPUT,),
    "dvc.api.open": (LINEAGE_INPUT,),
    "dvc.api.read": (LINEAGE_INPUT,),
    "dvc.api.get_url": (LINEAGE_INPUT,),
}
"""Calls that record lineage. The OpenLineage client's `emit` and W&B run methods are matched by
method name in files that import those libraries (see LINEAGE_METHODS)."""

LINEAGE_METHODS: dict[str, tuple[str, tuple[str, ...]]] = {
    "emit": ("openlineage", (LINEAGE_INPUT, LINEAGE_OUTPUT)),
    "use_artifact": ("wandb", (LINEAGE_INPUT,)),
    "log_artifact": ("wandb", (LINEAGE_OUTPUT,)),
    "log_model": ("wandb", (LINEAGE_OUTPUT,)),
}
"""Method name -> (library the file must import, lineage kinds): `run.use_artifact(...)`."""
