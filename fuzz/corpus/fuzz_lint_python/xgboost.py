import xgboost as xgb
from xgboost import XGBClassifier

params = {
    "objective": "binary:logistic",
    "subsample": 0.8,  # expect[xgboost-unseeded-subsampling]
    "colsample_bytree": 1.0,
    "gpu_id": 0,  # expect[xgboost-removed-param]
    "updater": "shotgun",  # expect[xgboost-shotgun]
}
note = "tree_method gpu_hist subsample 0.5"
booster = xgb.train(params, None)  # expect[xgboost-default-tree-method]
model = XGBClassifier(colsample_bynode=0.5)  # expect[xgboost-unseeded-subsampling]
