#include "history/libpq.hpp"

#include <optional>

#include "util/shared_library.hpp"

namespace seedgate::history {
namespace {

util::Result<LibPq> bind_libpq() {
  // libpq's soname has been libpq.so.5 since PostgreSQL 8.2; the bare name is a development install's.
  auto library = util::SharedLibrary::open({"libpq.so.5", "libpq.so"});
  if (!library) return util::make_error(library.error());
  LibPq api;
  for (const auto& bound :
       {library->bind("PQconnectdb", api.connectdb), library->bind("PQstatus", api.status),
        library->bind("PQerrorMessage", api.errorMessage),
        library->bind("PQsetNoticeProcessor", api.setNoticeProcessor), library->bind("PQfinish", api.finish),
        library->bind("PQexec", api.exec), library->bind("PQexecParams", api.execParams),
        library->bind("PQresultStatus", api.resultStatus),
        library->bind("PQresultErrorMessage", api.resultErrorMessage),
        library->bind("PQresultErrorField", api.resultErrorField), library->bind("PQntuples", api.ntuples),
        library->bind("PQgetvalue", api.getvalue), library->bind("PQgetlength", api.getlength),
        library->bind("PQgetisnull", api.getisnull), library->bind("PQcmdTuples", api.cmdTuples),
        library->bind("PQclear", api.clear)}) {
    if (!bound) return util::make_error(bound.error());
  }
  return api;
}

}  // namespace

util::Result<const LibPq*> load_libpq() {
  static const util::Result<LibPq> loaded = bind_libpq();
  if (!loaded) return util::make_error(loaded.error());
  return &*loaded;
}

}  // namespace seedgate::history
