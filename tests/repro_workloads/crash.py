"""A training script that fails: the runner must report FAILED with this message."""

import sys

print("loading data", flush=True)
print("about to fail", file=sys.stderr, flush=True)
raise RuntimeError("CUDA out of memory (simulated by crash.py)")
