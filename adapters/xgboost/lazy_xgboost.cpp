#include "adapters/xgboost/lazy_xgboost.hpp"

#include <xgboost/c_api.h>

#include <string>

#include "util/shared_library.hpp"

namespace seedgate {
namespace {

const util::Result<util::SharedLibrary>& library() {
  static const util::Result<util::SharedLibrary> loaded =
      util::SharedLibrary::open({SEEDGATE_XGBOOST_PATH, SEEDGATE_XGBOOST_SONAME});
  return loaded;
}

// Why this thread's last call failed before reaching XGBoost; XGBGetLastError
// gives it until a call reaches XGBoost again.
thread_local std::string t_error;
thread_local bool t_failed_here = false;

// The real function behind `Self` (one of the definitions below, which share
// its type), or nullptr with the reason in t_error.
template <auto Self>
decltype(Self) real(const char* name) {
  static const util::Result<decltype(Self)> found = [name]() -> util::Result<decltype(Self)> {
    if (!library()) return util::make_error(library().error());
    decltype(Self) address = nullptr;
    if (auto bound = library()->bind(name, address); !bound) return util::make_error(bound.error());
    return address;
  }();
  t_failed_here = !found;
  if (!found) {
    t_error = found.error();
    return nullptr;
  }
  return *found;
}

template <auto Self, class... Args>
int forward(const char* name, Args... args) {
  auto function = real<Self>(name);
  return function == nullptr ? -1 : function(args...);
}

}  // namespace

util::Result<void> load_xgboost() {
  if (!library()) return util::make_error(library().error());
  return {};
}

}  // namespace seedgate

using seedgate::forward;
using seedgate::real;

// Each function seedgate::xgboost calls, with the signature of XGBoost's own
// header (the compiler refuses one that differs).
XGB_DLL void XGBoostVersion(int* major, int* minor, int* patch) {
  if (auto function = real<&XGBoostVersion>("XGBoostVersion")) return function(major, minor, patch);
  *major = *minor = *patch = 0;
}
XGB_DLL const char* XGBGetLastError() {
  if (seedgate::t_failed_here) return seedgate::t_error.c_str();
  auto function = real<&XGBGetLastError>("XGBGetLastError");
  return function == nullptr ? seedgate::t_error.c_str() : function();
}
XGB_DLL int XGBRegisterLogCallback(void (*callback)(const char*)) {
  return forward<&XGBRegisterLogCallback>("XGBRegisterLogCallback", callback);
}
XGB_DLL int XGDMatrixCreateFromCSR(char const* indptr, char const* indices, char const* data, bst_ulong ncol,
                                   char const* config, DMatrixHandle* out) {
  return forward<&XGDMatrixCreateFromCSR>("XGDMatrixCreateFromCSR", indptr, indices, data, ncol, config, out);
}
XGB_DLL int XGDMatrixFree(DMatrixHandle handle) {
  return forward<&XGDMatrixFree>("XGDMatrixFree", handle);
}
XGB_DLL int XGDMatrixSetFloatInfo(DMatrixHandle handle, const char* field, const float* array, bst_ulong len) {
  return forward<&XGDMatrixSetFloatInfo>("XGDMatrixSetFloatInfo", handle, field, array, len);
}
XGB_DLL int XGDMatrixGetFloatInfo(const DMatrixHandle handle, const char* field, bst_ulong* out_len,
                                  const float** out_dptr) {
  return forward<&XGDMatrixGetFloatInfo>("XGDMatrixGetFloatInfo", handle, field, out_len, out_dptr);
}
XGB_DLL int XGDMatrixNumRow(DMatrixHandle handle, bst_ulong* out) {
  return forward<&XGDMatrixNumRow>("XGDMatrixNumRow", handle, out);
}
XGB_DLL int XGBoosterCreate(const DMatrixHandle dmats[], bst_ulong len, BoosterHandle* out) {
  return forward<&XGBoosterCreate>("XGBoosterCreate", dmats, len, out);
}
XGB_DLL int XGBoosterFree(BoosterHandle handle) {
  return forward<&XGBoosterFree>("XGBoosterFree", handle);
}
XGB_DLL int XGBoosterSetParam(BoosterHandle handle, const char* name, const char* value) {
  return forward<&XGBoosterSetParam>("XGBoosterSetParam", handle, name, value);
}
XGB_DLL int XGBoosterUpdateOneIter(BoosterHandle handle, int iter, DMatrixHandle dtrain) {
  return forward<&XGBoosterUpdateOneIter>("XGBoosterUpdateOneIter", handle, iter, dtrain);
}
XGB_DLL int XGBoosterEvalOneIter(BoosterHandle handle, int iter, DMatrixHandle dmats[], const char* evnames[],
                                 bst_ulong len, const char** out_result) {
  return forward<&XGBoosterEvalOneIter>("XGBoosterEvalOneIter", handle, iter, dmats, evnames, len, out_result);
}
XGB_DLL int XGBoosterPredictFromDMatrix(BoosterHandle handle, DMatrixHandle dmat, char const* config,
                                        bst_ulong const** out_shape, bst_ulong* out_dim, float const** out_result) {
  return forward<&XGBoosterPredictFromDMatrix>("XGBoosterPredictFromDMatrix", handle, dmat, config, out_shape, out_dim,
                                               out_result);
}
XGB_DLL int XGBoosterLoadModel(BoosterHandle handle, const char* fname) {
  return forward<&XGBoosterLoadModel>("XGBoosterLoadModel", handle, fname);
}
XGB_DLL int XGBoosterSaveModel(BoosterHandle handle, const char* fname) {
  return forward<&XGBoosterSaveModel>("XGBoosterSaveModel", handle, fname);
}
XGB_DLL int XGBoosterSaveModelToBuffer(BoosterHandle handle, char const* config, bst_ulong* out_len,
                                       char const** out_dptr) {
  return forward<&XGBoosterSaveModelToBuffer>("XGBoosterSaveModelToBuffer", handle, config, out_len, out_dptr);
}
XGB_DLL int XGBoosterSaveJsonConfig(BoosterHandle handle, bst_ulong* out_len, char const** out_str) {
  return forward<&XGBoosterSaveJsonConfig>("XGBoosterSaveJsonConfig", handle, out_len, out_str);
}
XGB_DLL int XGBoosterFeatureScore(BoosterHandle handle, const char* config, bst_ulong* out_n_features,
                                  char const*** out_features, bst_ulong* out_dim, bst_ulong const** out_shape,
                                  float const** out_scores) {
  return forward<&XGBoosterFeatureScore>("XGBoosterFeatureScore", handle, config, out_n_features, out_features, out_dim,
                                         out_shape, out_scores);
}
