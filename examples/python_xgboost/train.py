#!/usr/bin/python3
"""Gradient-boosted trees on the Wisconsin breast-cancer data with XGBoost's Python package, run by `seedgate run`.

seedgate.xgboost.params() applies the run's settings to the parameters as
seedgate::xgboost does for C API programs: XGBoost's seed is the run's seed
(SEEDGATE_SEED, or SEEDGATE_SEED_DROPOUT where a sweep varies it), nthread
the sweep's thread count, tree_method explicit. Row and column subsampling
make the seed matter. seedgate.xgboost.Callback() writes every round's
evaluations ("test-logloss", "test-error", as XGBoost prints them) and the
model's digest. Every fourth patient is in the test set, as in
examples/data/breast_cancer_test.csv, so every run predicts the same 142.
Run by hand it trains seed 0 and prints its records.
"""
import argparse
import os
import sys

try:
    import seedgate
except ImportError:  # not installed: the package in this repository
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir, "python"))
    import seedgate
import seedgate.xgboost

import numpy as np
import xgboost
from sklearn.datasets import load_breast_cancer


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=60, help="boosting rounds (default 60)")
    args = parser.parse_args()

    data = load_breast_cancer()
    ids = np.arange(len(data.target))
    test = ids % 4 == 3  # a fixed split: the 4th, 8th, ... patient
    names = list(data.feature_names)  # "mean radius", ...: the importance records name them
    dtrain = xgboost.DMatrix(data.data[~test], label=data.target[~test], feature_names=names)
    dtest = xgboost.DMatrix(data.data[test], label=data.target[test], feature_names=names)

    # params() sets seed, nthread and the device from the run.
    parameters = seedgate.xgboost.params({
        "objective": "binary:logistic",
        "eta": 0.1,
        "max_depth": 3,
        "subsample": 0.7,
        "colsample_bytree": 0.7,
        "tree_method": "hist",
        "eval_metric": ["error", "logloss"],
    })
    booster = xgboost.train(parameters, dtrain, num_boost_round=args.rounds,
                            evals=[(dtrain, "train"), (dtest, "test")], verbose_eval=False,
                            callbacks=[seedgate.xgboost.Callback(importance="gain", parameters=parameters)])

    probability = booster.predict(dtest)  # P(benign), float32
    labels = data.target[test]
    accuracy = float(np.mean((probability > 0.5) == labels))
    seedgate.log(accuracy=accuracy)
    seedgate.write_predictions(np.column_stack([1 - probability, probability]), labels, ids=ids[test])
    print(f"seed {parameters['seed']}: test accuracy {accuracy:.4f} after {args.rounds} rounds", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
