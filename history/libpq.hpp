#pragma once
// libpq, loaded when a PostgreSQL history is first opened: seedgate itself
// starts without it and the twenty libraries it pulls in (Kerberos, LDAP,
// TLS). The function types come from libpq's own header.
#include <libpq-fe.h>

#include "util/result.hpp"

namespace seedgate::history {

struct LibPq {
  decltype(&::PQconnectdb) connectdb = nullptr;
  decltype(&::PQstatus) status = nullptr;
  decltype(&::PQerrorMessage) errorMessage = nullptr;
  decltype(&::PQsetNoticeProcessor) setNoticeProcessor = nullptr;
  decltype(&::PQfinish) finish = nullptr;
  decltype(&::PQexec) exec = nullptr;
  decltype(&::PQexecParams) execParams = nullptr;
  decltype(&::PQresultStatus) resultStatus = nullptr;
  decltype(&::PQresultErrorMessage) resultErrorMessage = nullptr;
  decltype(&::PQresultErrorField) resultErrorField = nullptr;
  decltype(&::PQntuples) ntuples = nullptr;
  decltype(&::PQgetvalue) getvalue = nullptr;
  decltype(&::PQgetlength) getlength = nullptr;
  decltype(&::PQgetisnull) getisnull = nullptr;
  decltype(&::PQcmdTuples) cmdTuples = nullptr;
  decltype(&::PQclear) clear = nullptr;
};

// Loaded once (later calls give the same answer); an error names the
// library and why it could not be loaded.
util::Result<const LibPq*> load_libpq();

}  // namespace seedgate::history
