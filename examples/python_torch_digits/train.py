#!/usr/bin/python3
"""A PyTorch MLP on scikit-learn's handwritten digits, run by `seedgate run`.

seedgate.configure() reads the run's settings (SEEDGATE_SEED, SEEDGATE_MODE,
SEEDGATE_THREADS), seeds random, numpy and torch, and in deterministic mode
turns on torch.use_deterministic_algorithms. The DataLoader shuffles with
its own generator, seeded from the order seed. Inside seedgate.guard(), an
op with no deterministic implementation becomes a protocol event, so the
run ends as a determinism violation naming the op: --plant-nondeterministic-op
adds one (Tensor.put_ without accumulate). Every fourth digit is in the test
set, so every run predicts the same 449. Run by hand it trains seed 0 in
deterministic mode and prints its records.
"""
import argparse
import os
import sys

try:
    import seedgate
except ImportError:  # not installed: the package in this repository
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir, "python"))
    import seedgate

import numpy as np
import torch
from sklearn.datasets import load_digits
from torch.utils.data import DataLoader, TensorDataset

CLASSES = 10


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=15, help="passes over the training digits (default 15)")
    parser.add_argument("--hidden", type=int, default=64, help="hidden units (default 64)")
    parser.add_argument("--dropout", type=float, default=0.2, help="dropout before the output layer (default 0.2)")
    parser.add_argument("--learning-rate", type=float, default=0.003, help="Adam's learning rate (default 0.003)")
    parser.add_argument("--batch", type=int, default=32, help="minibatch size (default 32)")
    parser.add_argument("--plant-nondeterministic-op", action="store_true",
                        help="call Tensor.put_ without accumulate, which deterministic mode refuses")
    return parser.parse_args()


def train(args: argparse.Namespace) -> None:
    digits = load_digits()
    images = torch.tensor(digits.data / 16.0, dtype=torch.float32)  # 8x8 pixels, 0..16
    labels = torch.tensor(digits.target, dtype=torch.long)
    ids = np.arange(len(digits.target))
    test = torch.tensor(ids % 4 == 3)  # a fixed split: every run predicts the same digits
    device = seedgate.device()

    loader = DataLoader(TensorDataset(images[~test], labels[~test]), batch_size=args.batch, shuffle=True,
                        generator=seedgate.dataloader_generator(), worker_init_fn=seedgate.worker_init_fn)
    # configure() seeded torch's global generator: the weights and dropout draw from it.
    model = torch.nn.Sequential(torch.nn.Linear(64, args.hidden), torch.nn.ReLU(), torch.nn.Dropout(args.dropout),
                                torch.nn.Linear(args.hidden, CLASSES)).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.learning_rate)
    for epoch in range(args.epochs):
        model.train()
        loss_sum, seen = 0.0, 0
        for batch_images, batch_labels in loader:
            batch_images, batch_labels = batch_images.to(device), batch_labels.to(device)
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(batch_images), batch_labels)
            loss.backward()
            optimizer.step()
            loss_sum += loss.item() * len(batch_labels)
            seen += len(batch_labels)
        seedgate.log(step=epoch, train_loss=loss_sum / seen)

    model.eval()
    with torch.no_grad():
        test_labels = labels[test].to(device)
        logits = model(images[test].to(device))
        predicted = logits.argmax(1)
        if args.plant_nondeterministic_op:
            # A per-class tally written with put_: without accumulate, which of
            # several writes to one index wins is unspecified, so deterministic
            # mode refuses it.
            last_seen = torch.zeros(CLASSES, dtype=torch.long, device=device)
            last_seen.put_(predicted, torch.arange(len(predicted), device=device))
        accuracy = (predicted == test_labels).double().mean().item()
        test_loss = torch.nn.functional.cross_entropy(logits, test_labels).item()
    seedgate.log(accuracy=accuracy, test_loss=test_loss)
    seedgate.artifact("weights", model)
    # The test set's class probabilities, for the ensemble and churn checks.
    seedgate.write_predictions(torch.softmax(logits, 1), test_labels, ids=ids[test.numpy()])
    print(f"seed {seedgate.settings().seed} ({seedgate.settings().mode}): test accuracy {accuracy:.4f}",
          file=sys.stderr)


def main() -> int:
    args = parse_arguments()
    seedgate.configure()
    with seedgate.guard():
        train(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
