// XGBoost through the C API, with every XGBoost hazard. Mentions in comments:
// XGBoosterSetParam(b, "tree_method", "gpu_hist"); XGBoosterSetParam(b, "updater", "shotgun");
#include <xgboost/c_api.h>

#include <cstdio>

int main() {
  DMatrixHandle train = nullptr;
  BoosterHandle booster = nullptr;
  XGBoosterCreate(&train, 1, &booster);  // expect[xgboost-default-tree-method]
  XGBoosterSetParam(booster, "subsample", "0.8");  // expect[xgboost-unseeded-subsampling]
  XGBoosterSetParam(booster, "colsample_bytree", "1");
  XGBoosterSetParam(booster, "colsample_bynode", "0.5");  // seedgate-lint: ignore[xgboost-unseeded-subsampling]
  XGBoosterSetParam(booster, "gpu_id", "0");  // expect[xgboost-removed-param]
  XGBoosterSetParam(booster, "updater", "shotgun");  // expect[xgboost-shotgun]
  // seedgate-lint: ignore[xgboost-shotgun]
  XGBoosterSetParam(booster, "updater", "shotgun");
  std::puts("XGBoosterSetParam(booster, \"gpu_id\", \"0\") subsample=0.5");
  return 0;
}
