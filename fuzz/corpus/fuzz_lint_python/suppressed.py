# seedgate-lint: ignore[torch-no-seed]
import torch
import xgboost as xgb


def evaluate(model, x, dtrain):
    booster = xgb.train({"seed": 1}, dtrain)  # seedgate-lint: ignore[xgboost-default-tree-method]
    return model(torch.as_tensor(x)), booster
