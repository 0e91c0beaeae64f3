from proj.data import make_batch

if __name__ == "__main__":
    make_batch()
