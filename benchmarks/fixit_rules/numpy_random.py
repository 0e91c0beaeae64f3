"""Fixit 2 rule equivalent to govcheck's core check: calls into NumPy's global random generator.

Why it exists: benchmarks/bench_torch_tree.py compares govcheck with Fixit on the same files. A
fair comparison needs Fixit doing comparable work, so this rule resolves every call's qualified
name through libcst's QualifiedNameProvider (the same metadata govcheck relies on) instead of
matching text. It is loaded by module name: `PYTHONPATH=benchmarks/fixit_rules fixit --rules
numpy_random lint PATH`. It imports fixit, so it runs in Fixit's own environment, never govcheck's.
"""

from __future__ import annotations

import libcst
from fixit import InvalidTestCase, LintRule, ValidTestCase
from libcst.metadata import QualifiedNameProvider

NUMPY_RANDOM_PREFIX = "numpy.random."


class NumpyGlobalRandomCall(LintRule):
    """Flag calls whose qualified name starts with `numpy.random.`."""

    METADATA_DEPENDENCIES = (QualifiedNameProvider,)

    VALID = [
        ValidTestCase("import numpy as np\nnp.zeros(3)\n"),
        ValidTestCase("import random\nrandom.random()\n"),
    ]
    INVALID = [
        InvalidTestCase("import numpy as np\nnp.random.rand(3)\n"),
        InvalidTestCase("from numpy.random import shuffle\nshuffle([1, 2])\n"),
        InvalidTestCase("import numpy\nnumpy.random.seed(0)\n"),
    ]

    def visit_Call(self, node: libcst.Call) -> None:
        qualified_names = self.get_metadata(QualifiedNameProvider, node.func, set())
        if any(name.name.startswith(NUMPY_RANDOM_PREFIX) for name in qualified_names):
            self.report(node, "call into numpy.random's global generator")
