#include "history/store.hpp"

#include <cctype>
#include <optional>
#include <string>
#include <system_error>

#include "history/backends.hpp"
#include "util/strings.hpp"

namespace seedgate::history {
namespace {

std::string percent_decoded(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

bool is_password_key(std::string_view key) {
  std::string lower = percent_decoded(key);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower == "password" || lower == "sslpassword";
}

// The URI without its password (user:secret@ and password= parameters), and
// whether it had one.
std::pair<std::string, bool> without_password(std::string_view uri) {
  std::size_t scheme_end = uri.find("://") + 3;
  std::size_t authority_end = uri.find_first_of("/?", scheme_end);
  if (authority_end == std::string_view::npos) authority_end = uri.size();
  std::string_view authority = uri.substr(scheme_end, authority_end - scheme_end);
  std::string out(uri.substr(0, scheme_end));
  bool had_password = false;
  if (std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
    std::string_view user = authority.substr(0, at);
    if (std::size_t colon = user.find(':'); colon != std::string_view::npos) {
      had_password = true;
      user = user.substr(0, colon);
    }
    out += user;
    out += authority.substr(at);
  } else {
    out += authority;
  }
  std::size_t query = uri.find('?', authority_end);
  out += uri.substr(authority_end, query == std::string_view::npos ? std::string_view::npos : query - authority_end);
  if (query == std::string_view::npos) return {out, had_password};
  char separator = '?';
  std::string_view rest = uri.substr(query + 1);
  while (!rest.empty()) {
    std::size_t amp = rest.find('&');
    std::string_view parameter = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    if (is_password_key(parameter.substr(0, parameter.find('=')))) {
      had_password = true;
      continue;
    }
    out += separator;
    out += parameter;
    separator = '&';
  }
  return {out, had_password};
}

}  // namespace

util::Result<std::unique_ptr<Store>> open_store(std::string_view url, const std::filesystem::path& base) {
  if (util::starts_with(url, "sqlite:")) {
    std::filesystem::path path(url.substr(7));
    if (path.empty()) return store_error(std::string(url), "no path after 'sqlite:'");
    return open_sqlite_store(path.is_absolute() ? path : base / path, std::string(url));
  }
  if (util::starts_with(url, "postgresql://") || util::starts_with(url, "postgres://")) {
    auto [description, had_password] = without_password(url);
    if (had_password) {
      return store_error(description,
                         "the URI holds a password: put it in PGPASSWORD or ~/.pgpass, never in the store's URI");
    }
    return open_postgres_store(std::string(url));
  }
  // Not echoed whole: a misspelt scheme may still carry a password.
  std::string_view scheme = url.substr(0, url.find(':'));
  return util::make_error("history store '" + util::printable(scheme) +
                          ":...' is neither sqlite:PATH nor postgresql://HOST/DATABASE");
}

}  // namespace seedgate::history
