"""GOV1xx: randomness that a rerun cannot repeat.

Every rule here is decided by the shared analysis (`facts.py` records the draws, seeds and
calls; `project.py` follows them from each entry point); these classes are the contracts.
"""

from __future__ import annotations

from govcheck.lint.rules.base import Rule


class UnseededGlobalDraw(Rule):
    """A draw from a global generator (Python's `random` module, NumPy's legacy `np.random.*`,
    torch's `rand*`, `randperm`, `normal`, `bernoulli`, `multinomial`, `*_like`, the in-place
    `Tensor.uniform_()`, `normal_()`, `bernoulli_()`, `random_()`, `exponential_()` and
    `nn.init.*`) with no seed of that generator in force.

    The whole project is analysed: a draw in a helper module is seeded when every entry point
    that reaches it seeded that generator first (a helper that seeds counts where it is called;
    a seed after the draw does not). Code that no entry point reaches is judged on its own.
    Known seeders count: `random.seed`, `np.random.seed`, `torch.manual_seed`,
    `transformers.set_seed` and `enable_full_determinism`, the Hugging Face `Trainer` (it seeds
    at construction), `accelerate.utils.set_seed`, lightning's `seed_everything`,
    `govcheck.seed_everything`, and the helpers listed in `known-seeders`."""

    code = "GOV101"
    name = "unseeded-global-draw"
    summary = "Draw from a global random generator with no seed in force"
    severity = "error"
    why = """
        Without a seed, every run draws different numbers: weights start elsewhere, batches come
        in another order, dropout masks differ. The result cannot be repeated, so it cannot be
        audited, debugged or trusted. When only some entry points seed, the unseeded ones give
        results nobody can reproduce later.
    """
    example = """
        import numpy as np

        noise = np.random.normal(size=10)
    """
    instead = """
        import numpy as np

        rng = np.random.default_rng(seed=42)
        noise = rng.normal(size=10)
    """
    notes = """
        A finding is `uncertain` when the generator is seeded on some paths only (a seed inside
        an `if`) or from some entry points only; the message names the entry points that reach
        the draw unseeded.
    """
    flagged = (
        """
import numpy as np

def make_noise():
    return np.random.normal(size=3)  # expect: GOV101

if __name__ == "__main__":
    make_noise()
""",
        """
import torch
from torch import randn as g
from numpy import random as npr

x = g(3)  # expect: GOV101
y = npr.rand(2)  # expect: GOV101
w = torch.empty(3, 3)
w.uniform_()  # expect: GOV101
torch.nn.init.kaiming_normal_(w)  # expect: GOV101
torch.manual_seed(0)
""",
        """
import random
from numpy.random import *

def main(args):
    if args.seed:
        random.seed(args.seed)
    random.shuffle(args.items)  # expect: GOV101
    rand(3)  # expect: GOV101

if __name__ == "__main__":
    main(None)
""",
    )
    clean = (
        """
import numpy as np
import torch

def make_noise():
    return np.random.normal(size=3) + torch.randn(3).numpy()

def main():
    np.random.seed(0)
    torch.manual_seed(0)
    make_noise()

if __name__ == "__main__":
    main()
""",
        """
import torch

def draw(np):
    return np.random.rand()

g = torch.Generator().manual_seed(1)
x = torch.randn(3, generator=g)
""",
        """
from transformers import set_seed
import random

set_seed(1234)
random.random()
""",
    )


class UnseededGenerator(Rule):
    """A generator object made without a seed: `np.random.default_rng()`,
    `np.random.RandomState()`, `np.random.SeedSequence()`, bit generators such as `PCG64()`,
    `random.Random()`, or a `torch.Generator()` that is never given `manual_seed`."""

    code = "GOV102"
    name = "unseeded-generator"
    summary = "Random generator object created without a seed"
    severity = "error"
    why = """
        A dedicated generator is the best practice for reproducible code, but only with a seed:
        without one, NumPy and Python draw fresh entropy from the operating system on every run.
        An unseeded `torch.Generator` starts from torch's fixed default seed, which ignores the
        seed your run is configured with, so changing `--seed` changes nothing there.
    """
    example = """
        import numpy as np

        rng = np.random.default_rng()
    """
    instead = """
        import numpy as np

        rng = np.random.default_rng(seed)
    """
    flagged = (
        """
import numpy as np
import random
import torch

rng = np.random.default_rng()  # expect: GOV102
state = np.random.RandomState(None)  # expect: GOV102
r = random.Random()  # expect: GOV102
g = torch.Generator()  # expect: GOV102
""",
    )
    clean = (
        """
import numpy as np
import random
import torch

rng = np.random.default_rng(42)
r = random.Random()
r.seed(7)
g = torch.Generator()
g.manual_seed(0)
h = torch.Generator().manual_seed(3)


class Augment:
    def __init__(self):
        self.generator = torch.Generator()

    def reseed(self, seed):
        self.generator.manual_seed(seed)
""",
    )


class UnseededShuffle(Rule):
    """A shuffling `DataLoader(shuffle=True)`, `RandomSampler`, `SubsetRandomSampler`,
    `WeightedRandomSampler` or `random_split` with no `generator=`, where torch's global
    generator is not seeded. (A missing `worker_init_fn` is not a finding: torch reseeds
    `random`, NumPy and torch in every DataLoader worker from the loader's base seed.)"""

    code = "GOV103"
    name = "unseeded-shuffle"
    summary = "Shuffling loader, sampler or split with no seeded generator"
    severity = "error"
    why = """
        The order of training examples changes every run, so losses and final weights do too.
        With neither `generator=` nor a global seed, two runs of the same commit train on
        differently ordered data.
    """
    example = """
        from torch.utils.data import DataLoader

        loader = DataLoader(dataset, batch_size=32, shuffle=True)
    """
    instead = """
        import torch
        from torch.utils.data import DataLoader

        loader = DataLoader(dataset, batch_size=32, shuffle=True,
                            generator=torch.Generator().manual_seed(seed))
    """
    notes = """
        Passing a dedicated seeded generator is better than relying on the global seed: model
        initialisation consumes the global stream too, so with the global seed alone the data
        order changes whenever the model changes.
    """
    flagged = (
        """
from torch.utils.data import DataLoader, RandomSampler, random_split

def loaders(dataset):
    train, val = random_split(dataset, [0.8, 0.2])  # expect: GOV103
    sampler = RandomSampler(train)  # expect: GOV103
    return DataLoader(train, batch_size=8, shuffle=True)  # expect: GOV103

if __name__ == "__main__":
    loaders([])
""",
    )
    clean = (
        """
import torch
from torch.utils.data import DataLoader

def loaders(dataset):
    g = torch.Generator().manual_seed(0)
    a = DataLoader(dataset, batch_size=8, shuffle=True, generator=g)
    b = DataLoader(dataset, batch_size=8)
    return a, b

if __name__ == "__main__":
    loaders([])
""",
        """
import torch
from torch.utils.data import DataLoader

if __name__ == "__main__":
    torch.manual_seed(0)
    DataLoader([], shuffle=True)
""",
    )


class MissingRandomState(Rule):
    """A scikit-learn estimator, splitter or function that takes `random_state` and is not given
    one (`train_test_split`, `KFold(shuffle=True)` but not plain `KFold()`, `ShuffleSplit`,
    `RandomForestClassifier`, ...), or a Hugging Face `datasets` `.shuffle()` /
    `.train_test_split()` without `seed=`, where NumPy's global generator is not seeded. The
    table of scikit-learn callables is generated from scikit-learn itself."""

    code = "GOV104"
    name = "missing-random-state"
    summary = "scikit-learn or datasets call without random_state / seed"
    severity = "warning"
    why = """
        Without `random_state`, scikit-learn draws from NumPy's global generator: splits,
        bootstrap samples and initialisations change every run unless that generator was
        seeded. After `np.random.seed(x)` the run is repeatable, which is why this rule stays
        quiet then; an explicit `random_state` still keeps each step independent of how many
        numbers earlier code drew.
    """
    example = """
        from sklearn.model_selection import train_test_split

        X_train, X_test = train_test_split(X, test_size=0.2)
    """
    instead = """
        from sklearn.model_selection import train_test_split

        X_train, X_test = train_test_split(X, test_size=0.2, random_state=seed)
    """
    flagged = (
        """
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import KFold, train_test_split

train, test = train_test_split([1, 2, 3, 4])  # expect: GOV104
folds = KFold(n_splits=2, shuffle=True)  # expect: GOV104
model = RandomForestClassifier(n_estimators=10)  # expect: GOV104
""",
        """
import datasets

ds = datasets.load_dataset("imdb")
ds = ds.shuffle()  # expect: GOV104
""",
    )
    clean = (
        """
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import KFold, train_test_split

train, test = train_test_split([1, 2, 3, 4], random_state=0)
folds = KFold(n_splits=2)
model = RandomForestClassifier(n_estimators=10, random_state=0)
""",
        """
import numpy as np
from sklearn.model_selection import train_test_split

np.random.seed(0)
train, test = train_test_split([1, 2, 3, 4])
""",
    )


class SeedNotASeed(Rule):
    """A seeding call that does not fix the state: `random.seed()`, `random.seed(None)`,
    `np.random.seed(None)`, `torch.seed()`, `torch.cuda.seed()`, or a seed taken from the
    clock, the process id, `os.urandom`, `uuid4` or `secrets`. A seed from `args.seed`, a
    config value or an environment variable is a real seed and is not reported."""

    code = "GOV105"
    name = "seed-not-a-seed"
    summary = "Seeding call that seeds from fresh entropy"
    severity = "error"
    why = """
        These calls look like seeding in review but do the opposite: they reseed from the
        operating system's entropy or from values that change every run, so the code reads as
        reproducible while it is not.
    """
    example = """
        import random, time

        random.seed(time.time())
    """
    instead = """
        import random

        random.seed(args.seed)
    """
    flagged = (
        """
import os
import random
import time
import numpy as np
import torch

random.seed()  # expect: GOV105
np.random.seed(None)  # expect: GOV105
torch.seed()  # expect: GOV105
random.seed(time.time())  # expect: GOV105
torch.manual_seed(os.getpid())  # expect: GOV105
""",
    )
    clean = (
        """
import os
import random
import numpy as np

def main(args):
    random.seed(args.seed)
    np.random.seed(int(os.environ.get("SEED", "0")))

if __name__ == "__main__":
    main(None)
""",
    )


class UnorderedFileListing(Rule):
    """`os.listdir`, `os.scandir`, `glob.glob`, `glob.iglob` or `Path.iterdir` / `glob` /
    `rglob` results used in order without `sorted`. A listing passed straight to an
    order-insensitive call (`sorted`, `len`, `set`, ...) or bound to a name that is later
    sorted (`files.sort()`, `sorted(files)`) is fine."""

    code = "GOV106"
    name = "unordered-file-listing"
    summary = "File listing used in file-system order"
    severity = "warning"
    why = """
        File systems return entries in an order of their own, which differs between machines,
        file systems and even copies of the same folder. A dataset built from such a listing
        assigns different indices to different files on another machine, so shuffles, splits
        and batches differ even with every generator seeded.
    """
    example = """
        import os

        files = [os.path.join(root, f) for f in os.listdir(root)]
    """
    instead = """
        import os

        files = [os.path.join(root, f) for f in sorted(os.listdir(root))]
    """
    flagged = (
        """
import glob
import os
from pathlib import Path

images = glob.glob("data/*.png")  # expect: GOV106
for name in os.listdir("data"):  # expect: GOV106
    print(name)
shards = [p for p in Path("data").iterdir()]  # expect: GOV106
""",
    )
    clean = (
        """
import glob
import os
from pathlib import Path

images = sorted(glob.glob("data/*.png"))
count = len(os.listdir("data"))
names = os.listdir("data")
names.sort()
shards = sorted(p for p in Path("data").iterdir())
""",
    )


class NondeterministicBackend(Rule):
    """A switch that allows nondeterministic kernels, in code that an entry point runs:
    `torch.backends.cudnn.benchmark = True`, `torch.backends.cudnn.deterministic = False`,
    `torch.use_deterministic_algorithms(False)`."""

    code = "GOV107"
    name = "nondeterministic-backend"
    summary = "Backend switch that allows nondeterministic kernels"
    severity = "warning"
    why = """
        With cuDNN benchmarking on, cuDNN times several kernels and picks the fastest, which can
        differ between runs and machines; nondeterministic algorithms accumulate floating point
        sums in varying order. Seeds alone then do not make GPU training repeatable.
    """
    example = """
        import torch

        torch.backends.cudnn.benchmark = True
    """
    instead = """
        import torch

        torch.backends.cudnn.benchmark = False
        torch.use_deterministic_algorithms(True)
    """
    notes = "Library code that no entry point runs is not reported: the switch matters where a run starts."
    flagged = (
        """
import torch

if __name__ == "__main__":
    torch.backends.cudnn.benchmark = True  # expect: GOV107
    torch.use_deterministic_algorithms(False)  # expect: GOV107
""",
    )
    clean = (
        """
import torch

def tune():
    torch.backends.cudnn.benchmark = True

if __name__ == "__main__":
    torch.backends.cudnn.benchmark = False
    torch.use_deterministic_algorithms(True)
""",
    )


RANDOMNESS_RULES: tuple[type[Rule], ...] = (
    UnseededGlobalDraw,
    UnseededGenerator,
    UnseededShuffle,
    MissingRandomState,
    SeedNotASeed,
    UnorderedFileListing,
    NondeterministicBackend,
)
