#pragma once
// XML written through RAII scopes: an element closes when its scope ends.
// Every attribute and text goes through `xml_text`, so any bytes at all
// (control characters, "]]>", invalid UTF-8) come out as well-formed XML 1.0.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace util {

// Valid XML 1.0 character data: markup characters escaped, invalid UTF-8 as
// U+FFFD, characters XML forbids (most C0 controls) written as "\xNN".
std::string xml_text(std::string_view bytes);

class XmlWriter {
 public:
  using Attributes = std::vector<std::pair<std::string_view, std::string>>;

  class Scope {
   public:
    explicit Scope(XmlWriter& writer) : m_writer(&writer) {}
    Scope(Scope&& other) noexcept : m_writer(std::exchange(other.m_writer, nullptr)) {}
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;
    ~Scope() {
      if (m_writer) m_writer->close();
    }

   private:
    XmlWriter* m_writer;
  };

  XmlWriter();
  [[nodiscard]] Scope element(std::string_view name, const Attributes& attributes = {});
  // An element with text content (or empty), opened and closed at once.
  void leaf(std::string_view name, const Attributes& attributes, std::string_view text = {});
  const std::string& str() const { return m_out; }
  // The document, moved out (a large report is not copied).
  std::string take() { return std::move(m_out); }
  void reserve(std::size_t bytes) { m_out.reserve(bytes); }

 private:
  void open(std::string_view name, const Attributes& attributes, bool self_closing);
  void close();
  std::string m_out;
  std::vector<std::string> m_open;
};

}  // namespace util
