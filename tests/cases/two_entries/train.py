import numpy as np

from proj.data import make_batch


def main():
    np.random.seed(0)
    make_batch()


if __name__ == "__main__":
    main()
