#pragma once
// The two stores behind open_store (store.cpp picks one by the URL).
#include <filesystem>
#include <memory>
#include <string>

#include "history/store.hpp"
#include "util/result.hpp"

namespace seedgate::history {

// `path` resolved; `description` is what describe() shows ("sqlite:" and the path as given).
util::Result<std::unique_ptr<Store>> open_sqlite_store(const std::filesystem::path& path, std::string description);

// `uri` holds no password (open_store refuses one); libpq reads PG* variables and ~/.pgpass.
util::Result<std::unique_ptr<Store>> open_postgres_store(const std::string& uri);

// "history store DESCRIPTION: MESSAGE"
inline util::Error store_error(const std::string& description, const std::string& message) {
  return util::make_error("history store " + description + ": " + message);
}

}  // namespace seedgate::history
