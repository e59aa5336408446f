"""Training script with the Python hazards.

torch.manual_seed(0) in a docstring seeds nothing; neither does
torch.backends.cudnn.benchmark = True here.
"""
import os
import random

import numpy as np
import torch  # expect[torch-no-seed]
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, Dataset, RandomSampler

torch.backends.cudnn.benchmark = True  # expect[torch-cudnn-benchmark]
torch.backends.cudnn.benchmark = False
torch.backends.cudnn.benchmark = True  # seedgate-lint: ignore[torch-cudnn-benchmark]
torch.backends.cudnn.deterministic = True
os.environ["CUBLAS_WORKSPACE_CONFIG"] = ":4096:8"
torch.use_deterministic_algorithms(True, warn_only=True)  # expect[torch-deterministic-warn-only]
# seedgate-lint: ignore[torch-deterministic-warn-only]
torch.use_deterministic_algorithms(True, warn_only=True)
message = "torch.use_deterministic_algorithms(True, warn_only=True)"
text = f"{message!r} {os.environ['HOME']} np.random.rand()"
notes = '''
np.random.shuffle(x)
DataLoader(ds, num_workers=4)
'''
path = "data" \
    "/train.csv"


class Augmented(Dataset):
    def __init__(self, n):
        self.n = n
        self.scale = np.random.rand()  # expect[python-unseeded-rng]

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        noise = np.random.normal(0, 1)  # expect[numpy-rng-in-dataset]
        flip = random.random() < 0.5  # expect[numpy-rng-in-dataset]
        jitter = np.random.uniform()  # seedgate-lint: ignore[numpy-rng-in-dataset]
        rng = np.random.default_rng(i)
        return i + noise + flip + jitter + rng.normal()

    def other(self):
        return np.random.rand()  # expect[python-unseeded-rng]


class Plain:
    def __getitem__(self, i):
        return random.random()  # expect[python-unseeded-rng]


def loaders(ds):
    a = DataLoader(ds, batch_size=8, num_workers=4)  # expect[torch-dataloader-worker-seed]
    b = DataLoader(ds, batch_size=8, num_workers=4, worker_init_fn=lambda w: None, generator=torch.Generator())
    c = DataLoader(ds, num_workers=0, shuffle=False)
    d = DataLoader(ds, num_workers=2)  # seedgate-lint: ignore[torch-dataloader-worker-seed]
    e = DataLoader(ds, shuffle=True)  # expect[torch-sampler-unseeded]
    f = DataLoader(ds, shuffle=True, generator=torch.Generator().manual_seed(1))
    g = RandomSampler(ds)  # expect[torch-sampler-unseeded]
    h = RandomSampler(ds, generator=torch.Generator())
    return a, b, c, d, e, f, g, h


def split(x, y, random_state=None, *, seed=None):  # a default, not a call
    train_test_split(x, y, random_state=None)  # expect[sklearn-random-state-none]
    train_test_split(x, y, random_state=0)
    train_test_split(x, y, random_state=None)  # seedgate-lint: ignore[sklearn-random-state-none]
    random.shuffle(x)  # expect[python-unseeded-rng]
    rng = np.random.default_rng()  # expect[python-unseeded-rng]
    seeded = np.random.default_rng(7)
    r = random.Random()  # expect[python-unseeded-rng]
    random.choice(y)  # seedgate-lint: ignore[python-unseeded-rng]
    t = torch.zeros(4)
    t.index_add_(0, torch.zeros(1, dtype=torch.long), torch.ones(1))  # expect[torch-nondeterministic-op]
    u = torch.nn.functional.interpolate(t, mode="nearest")
    v = torch.nn.functional.interpolate(t, mode="bilinear")  # expect[torch-nondeterministic-op]
    w = torch.nn.functional.grid_sample(t, t)  # seedgate-lint: ignore[torch-nondeterministic-op]
    return rng, seeded, r, u, v, w
