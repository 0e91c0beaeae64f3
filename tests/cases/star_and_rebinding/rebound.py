from numpy.random import rand, randn


def my_rand(*shape):
    return [0.5] * shape[0]


rand = my_rand
rand(3)


def later():
    return rand(2) + randn(2)  # expect: GOV101


if __name__ == "__main__":
    later()
