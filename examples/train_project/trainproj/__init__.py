"""trainproj: data, model and seeding helpers shared by train.py and evaluate.py."""
