# Seeding lives in pkg/seeding.py, reached through the import below.
import random

import numpy as np
import torch
from torch.utils.data import DataLoader, RandomSampler

from pkg.seeding import seed_all


def main(ds):
    seed_all(3)
    random.shuffle(ds)
    x = np.random.rand(3)
    loader = DataLoader(ds, shuffle=True)
    sampler = RandomSampler(ds)
    t = torch.zeros(3)
    t.index_add_(0, torch.zeros(1, dtype=torch.long), torch.ones(1))
    return x, loader, sampler, t
