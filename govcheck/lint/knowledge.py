"""Which library APIs draw randomness, which seed it, and which only pretend to.

This module is data, not code: tables a reviewer can check line by line against each library's
documentation. The analysis in `facts.py` reads them; nothing here knows about syntax trees.
Projects extend the tables through `known-seeders` in their config.

Generators are named by the global stream they touch:

- `python`: the hidden `random.Random` instance behind the `random` module functions;
- `numpy`: NumPy's legacy global `RandomState` behind `np.random.*`;
- `torch`: torch's default CPU generator (and, through `torch.manual_seed`, every device's).
"""

from __future__ import annotations

from dataclasses import dataclass

from govcheck.lint.knowledge_sklearn import RANDOM_STATE_CALLABLES

PYTHON = "python"
NUMPY = "numpy"
TORCH = "torch"
ALL_GENERATORS = (PYTHON, NUMPY, TORCH)

GENERATOR_LABELS = {
    PYTHON: "Python's global `random` generator",
    NUMPY: "NumPy's global legacy generator",
    TORCH: "torch's global generator",
}

_PYTHON_DRAWS = (
    "random betavariate binomialvariate choice choices expovariate gammavariate gauss getrandbits "
    "lognormvariate normalvariate paretovariate randbytes randint random randrange sample shuffle "
    "triangular uniform vonmisesvariate weibullvariate"
).split()

# ruff's NPY002 list minus the seeding and state functions: every draw of the legacy global state.
_NUMPY_DRAWS = (
    "rand ranf sample randn randint random random_integers random_sample choice bytes shuffle "
    "permutation beta binomial chisquare dirichlet exponential f gamma geometric gumbel "
    "hypergeometric laplace logistic lognormal logseries multinomial multivariate_normal "
    "negative_binomial noncentral_chisquare noncentral_f normal pareto poisson power rayleigh "
    "standard_cauchy standard_exponential standard_gamma standard_normal standard_t triangular "
    "uniform vonmises wald weibull zipf"
).split()

_TORCH_DRAWS = (
    "rand randn randint randperm rand_like randn_like randint_like normal bernoulli multinomial "
    "poisson"
).split()

_TORCH_INIT_DRAWS = (
    "uniform_ normal_ trunc_normal_ xavier_uniform_ xavier_normal_ kaiming_uniform_ "
    "kaiming_normal_ orthogonal_ sparse_"
).split()

GLOBAL_DRAWS: dict[str, str] = {
    **{f"random.{name}": PYTHON for name in _PYTHON_DRAWS},
    **{f"numpy.random.{name}": NUMPY for name in _NUMPY_DRAWS},
    **{f"numpy.random.mtrand.{name}": NUMPY for name in _NUMPY_DRAWS},
    **{f"torch.{name}": TORCH for name in _TORCH_DRAWS},
    **{f"torch.nn.init.{name}": TORCH for name in _TORCH_INIT_DRAWS},
}
"""Qualified name -> the global generator it draws from. torch draws that are passed an explicit
`generator=` do not touch the global stream and are not listed consumers then."""

TENSOR_INPLACE_DRAWS = frozenset(
    "uniform_ normal_ bernoulli_ random_ exponential_ geometric_ cauchy_ log_normal_".split()
)
"""In-place `Tensor` methods that draw from torch's global generator unless given `generator=`.
They are methods on any tensor, so they are matched by name in files that import torch."""


@dataclass(frozen=True, slots=True)
class Seeder:
    """A call that seeds global generators.

    `seed_arg` is the position and keyword of the seed value; `seeds_when_missing` says whether a
    call without it still fixes the state (lightning's `seed_everything()` falls back to 0, the HF
    `Trainer` to `TrainingArguments.seed`, 42) or draws fresh entropy (`random.seed()`).
    """

    generators: tuple[str, ...]
    seed_arg: tuple[int, str] | None = (0, "seed")
    seeds_when_missing: bool = False


_ALL = ALL_GENERATORS

SEEDERS: dict[str, Seeder] = {
    "random.seed": Seeder((PYTHON,), (0, "a")),
    "random.setstate": Seeder((PYTHON,), (0, "state")),
    "numpy.random.seed": Seeder((NUMPY,), (0, "seed")),
    "numpy.random.set_state": Seeder((NUMPY,), (0, "state")),
    "torch.manual_seed": Seeder((TORCH,), (0, "seed")),
    "torch.random.manual_seed": Seeder((TORCH,), (0, "seed")),
    "torch.set_rng_state": Seeder((TORCH,), (0, "new_state")),
    "torch.random.set_rng_state": Seeder((TORCH,), (0, "new_state")),
    "transformers.set_seed": Seeder(_ALL, (0, "seed")),
    "transformers.trainer_utils.set_seed": Seeder(_ALL, (0, "seed")),
    "transformers.enable_full_determinism": Seeder(_ALL, (0, "seed")),
    "transformers.trainer_utils.enable_full_determinism": Seeder(_ALL, (0, "seed")),
    # Trainer seeds at construction with TrainingArguments.seed, 42 by default.
    "transformers.Trainer": Seeder(_ALL, None, seeds_when_missing=True),
    "transformers.trainer.Trainer": Seeder(_ALL, None, seeds_when_missing=True),
    "accelerate.utils.set_seed": Seeder(_ALL, (0, "seed")),
    "accelerate.utils.random.set_seed": Seeder(_ALL, (0, "seed")),
    # seed_everything() with no seed reads PL_GLOBAL_SEED, else uses 0: still a fixed seed.
    "lightning.seed_everything": Seeder(_ALL, (0, "seed"), seeds_when_missing=True),
    "lightning.pytorch.seed_everything": Seeder(_ALL, (0, "seed"), seeds_when_missing=True),
    "lightning.fabric.seed_everything": Seeder(_ALL, (0, "seed"), seeds_when_missing=True),
    "lightning.fabric.utilities.seed.seed_everything": Seeder(
        _ALL, (0, "seed"), seeds_when_missing=True
    ),
    "pytorch_lightning.seed_everything": Seeder(_ALL, (0, "seed"), seeds_when_missing=True),
    "pytorch_lightning.utilities.seed.seed_everything": Seeder(
        _ALL, (0, "seed"), seeds_when_missing=True
    ),
    "govcheck.seed_everything": Seeder(_ALL, (0, "seed")),
    "govcheck.runtime.seed.seed_everything": Seeder(_ALL, (0, "seed")),
}


def project_seeder() -> Seeder:
    """How a helper named in `known-seeders` is read: it seeds every global generator."""
    return Seeder(_ALL, None, seeds_when_missing=True)


NOT_SEEDS: dict[str, str] = {
    "torch.seed": "seeds torch's generator from a non-deterministic random number",
    "torch.random.seed": "seeds torch's generator from a non-deterministic random number",
    "torch.cuda.seed": "seeds the CUDA generator from a non-deterministic random number",
    "torch.cuda.seed_all": "seeds every CUDA generator from a non-deterministic random number",
}
"""Calls whose names promise a seed but which draw fresh entropy instead."""

ENTROPY_SOURCES: dict[str, str] = {
    "time.time": "the clock",
    "time.time_ns": "the clock",
    "time.perf_counter": "the clock",
    "time.perf_counter_ns": "the clock",
    "time.monotonic": "the clock",
    "time.monotonic_ns": "the clock",
    "datetime.datetime.now": "the clock",
    "datetime.datetime.utcnow": "the clock",
    "datetime.datetime.today": "the clock",
    "os.getpid": "the process id",
    "os.urandom": "`os.urandom`",
    "uuid.uuid1": "`uuid1`",
    "uuid.uuid4": "`uuid4`",
    "secrets.randbits": "`secrets`",
    "secrets.randbelow": "`secrets`",
    "secrets.token_bytes": "`secrets`",
    "secrets.token_hex": "`secrets`",
    "random.SystemRandom": "`random.SystemRandom`",
}
"""Values that differ on every run: a seed taken from one of these is no seed at all."""


@dataclass(frozen=True, slots=True)
class GeneratorConstructor:
    """Makes a generator object whose own draws are seeded iff it was given a seed.

    `seed_arg` is None for constructors that take no seed (torch.Generator): only a later
    `.manual_seed(x)` on the object seeds it.
    """

    label: str
    seed_arg: tuple[int, str] | None


GENERATOR_CONSTRUCTORS: dict[str, GeneratorConstructor] = {
    "numpy.random.default_rng": GeneratorConstructor("NumPy Generator", (0, "seed")),
    "numpy.random.RandomState": GeneratorConstructor("NumPy RandomState", (0, "seed")),
    "numpy.random.SeedSequence": GeneratorConstructor("NumPy SeedSequence", (0, "entropy")),
    "numpy.random.PCG64": GeneratorConstructor("NumPy PCG64", (0, "seed")),
    "numpy.random.PCG64DXSM": GeneratorConstructor("NumPy PCG64DXSM", (0, "seed")),
    "numpy.random.MT19937": GeneratorConstructor("NumPy MT19937", (0, "seed")),
    "numpy.random.Philox": GeneratorConstructor("NumPy Philox", (0, "seed")),
    "numpy.random.SFC64": GeneratorConstructor("NumPy SFC64", (0, "seed")),
    "random.Random": GeneratorConstructor("random.Random", (0, "x")),
    "torch.Generator": GeneratorConstructor("torch.Generator", None),
}

GENERATOR_SEED_METHODS = frozenset({"manual_seed", "seed", "set_state", "setstate", "set_rng_state"})
"""Methods that seed a generator object in place (`g.manual_seed(0)`, `r.seed(1)`)."""


@dataclass(frozen=True, slots=True)
class Shuffler:
    """A torch data utility that shuffles with `generator=` or, without one, the global stream.

    `only_when` names a keyword (with its positional index) that must be truthy for any shuffling
    to happen: `DataLoader` shuffles only with `shuffle=True`.
    """

    label: str
    only_when: tuple[int, str] | None = None


SHUFFLERS: dict[str, Shuffler] = {
    "torch.utils.data.DataLoader": Shuffler("DataLoader(shuffle=True)", (2, "shuffle")),
    "torch.utils.data.dataloader.DataLoader": Shuffler("DataLoader(shuffle=True)", (2, "shuffle")),
    "torch.utils.data.RandomSampler": Shuffler("RandomSampler"),
    "torch.utils.data.sampler.RandomSampler": Shuffler("RandomSampler"),
    "torch.utils.data.SubsetRandomSampler": Shuffler("SubsetRandomSampler"),
    "torch.utils.data.sampler.SubsetRandomSampler": Shuffler("SubsetRandomSampler"),
    "torch.utils.data.WeightedRandomSampler": Shuffler("WeightedRandomSampler"),
    "torch.utils.data.sampler.WeightedRandomSampler": Shuffler("WeightedRandomSampler"),
    "torch.utils.data.random_split": Shuffler("random_split"),
    "torch.utils.data.dataset.random_split": Shuffler("random_split"),
}

HF_DATASETS_SHUFFLING_METHODS = frozenset({"shuffle", "train_test_split"})
"""Hugging Face `datasets` methods that, without `seed=` or `generator=`, take their seed from
NumPy's global generator. Matched by method name in files that import `datasets`."""

UNORDERED_LISTINGS: dict[str, str] = {
    "os.listdir": "os.listdir",
    "os.scandir": "os.scandir",
    "glob.glob": "glob.glob",
    "glob.iglob": "glob.iglob",
}
"""Calls whose results come in file-system order, which differs between machines."""

UNORDERED_LISTING_METHODS = frozenset({"iterdir", "glob", "rglob"})
"""`pathlib.Path` methods with file-system order, matched by name on any receiver."""

ORDER_INSENSITIVE_WRAPPERS = frozenset(
    {"sorted", "len", "set", "frozenset", "sum", "any", "all", "max", "min", "bool", "Counter",
     "collections.Counter"}
)
"""Calls whose result does not depend on the order of their argument: a listing fed to them
directly is harmless."""

ORDER_PRESERVING_CONTAINERS = frozenset({"list", "tuple", "iter", "enumerate", "reversed"})
"""Calls that pass their argument's order on: whether it matters depends on their own caller."""

NONDETERMINISTIC_ASSIGNMENTS: dict[str, tuple[bool, str, str]] = {
    "torch.backends.cudnn.benchmark": (
        True,
        "lets cuDNN pick kernels by timing, so results can differ between runs",
        "set `torch.backends.cudnn.benchmark = False`",
    ),
    "torch.backends.cudnn.deterministic": (
        False,
        "allows nondeterministic cuDNN kernels",
        "set `torch.backends.cudnn.deterministic = True`",
    ),
}
"""Attribute -> (the value that allows nondeterminism, why it matters, what to write instead)."""

USE_DETERMINISTIC_ALGORITHMS = "torch.use_deterministic_algorithms"

SKLEARN_RANDOM_STATE = RANDOM_STATE_CALLABLES
"""Qualified name -> (positional index of `random_state` or None, default of `shuffle` or None
when the callable has no `shuffle`). Generated from scikit-learn itself; see
tools/generate_sklearn_table.py."""
