#!/usr/bin/python3
"""A random forest on scikit-learn's handwritten digits, run by `seedgate run`.

The forest's random_state is the run's seed (SEEDGATE_SEED, which
seedgate.random_state() reads), so every seed grows different trees and the
same seed the same ones. The test
digits are the same in every run (every fourth image), so the seeds'
predicted probabilities line up example by example for the ensemble and
churn checks. Run by hand it trains seed 0 and prints its records.
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
from sklearn.datasets import load_digits
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import log_loss


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trees", type=int, default=30, help="trees in the forest (default 30)")
    parser.add_argument("--max-features", type=float, default=0.1,
                        help="share of the 64 pixels each split may consider (default 0.1)")
    args = parser.parse_args()

    seedgate.configure()  # seeds random and numpy, writes the env record
    digits = load_digits()
    ids = np.arange(len(digits.target))
    test = ids % 4 == 3  # a fixed split: every run predicts the same 449 digits
    x_train, y_train = digits.data[~test], digits.target[~test]
    x_test, y_test = digits.data[test], digits.target[test]

    threads = seedgate.settings().threads or 1
    forest = RandomForestClassifier(n_estimators=args.trees, max_features=args.max_features, n_jobs=threads,
                                    random_state=seedgate.random_state())
    forest.fit(x_train, y_train)

    probabilities = forest.predict_proba(x_test)
    accuracy = float(np.mean(forest.classes_[probabilities.argmax(axis=1)] == y_test))
    seedgate.log(accuracy=accuracy, log_loss=log_loss(y_test, probabilities, labels=forest.classes_))
    seedgate.artifact("model", forest)
    seedgate.write_predictions(probabilities, y_test, ids=ids[test])
    print(f"seed {seedgate.settings().seed}: test accuracy {accuracy:.4f} with {args.trees} trees", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
