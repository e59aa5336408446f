#pragma once
// seedgate's own calls into XGBoost's C API go through lazy_xgboost.cpp,
// which defines each function seedgate::xgboost calls and loads libxgboost
// on the first of them: seedgate starts without it (and the OpenMP and dmlc
// libraries it pulls in) unless a sweep has adapter = "xgboost". Programs
// that link seedgate::xgboost themselves link XGBoost as usual.
#include "util/result.hpp"

namespace seedgate {

// Loads libxgboost now (once; later calls give the same answer): the one
// seedgate was built against, else its soname on the loader's path.
util::Result<void> load_xgboost();

}  // namespace seedgate
