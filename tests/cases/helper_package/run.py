import argparse

import pkg
from pkg.model import build

parser = argparse.ArgumentParser()
parser.add_argument("--seed", type=int, default=0)
args = parser.parse_args()
pkg.seed_all(args.seed)
build()
