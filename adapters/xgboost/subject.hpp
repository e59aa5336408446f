#pragma once
// [subject.xgboost]: what adapter = "xgboost" trains inside seedgate. The
// adapter declares its own keys here; the policy loader reads them through
// `kXGBoostSubjectTable` (listed by adapters/registry) and keeps the result
// in SubjectSpec::adapter_table. Built with or without XGBoost, so a policy
// reads the same everywhere and says where the adapter is missing only when run.
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "harness/policy.hpp"

namespace seedgate {

struct XGBoostSubject {
  std::filesystem::path train;                                      // absolute
  std::vector<std::pair<std::string, std::filesystem::path>> eval;  // set name -> data, by name
  std::string format;                                               // "csv", "libsvm"; empty: by extension
  int label_column = -1;                                            // csv; -1: the last column
  int rounds = 10;
  int early_stopping_rounds = 0;                            // 0: off
  std::string early_stopping_metric;                        // "test-logloss"; empty: the last one evaluated
  std::vector<std::pair<std::string, std::string>> params;  // in policy order, arrays as repeated names
  std::string tree_method;                                  // from params; empty: "hist"
  std::vector<std::string> feature_names;
  std::string importance = "gain";
};

extern const SubjectTable kXGBoostSubjectTable;

// The policy's [subject.xgboost], or null when the policy has none.
const XGBoostSubject* xgboost_subject(const Policy& policy);

}  // namespace seedgate
