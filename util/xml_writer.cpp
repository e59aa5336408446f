#include "util/xml_writer.hpp"

#include <fmt/format.h>

#include "util/strings.hpp"

namespace util {
namespace {

bool allowed_in_xml(char32_t c) {
  return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) ||
         (c >= 0x10000 && c <= 0x10FFFF);
}

}  // namespace

std::string xml_text(std::string_view bytes) {
  return rewrite_utf8(bytes, [](std::string& out, char32_t c, std::string_view sequence) {
    if (!allowed_in_xml(c))
      out += hex_escape(c);
    else if (c == '&')
      out += "&amp;";
    else if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '"')
      out += "&quot;";
    else if (c == '\r')
      out += "&#13;";
    else
      out += sequence;
  });
}

XmlWriter::XmlWriter() {
  m_out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
}

void XmlWriter::open(std::string_view name, const Attributes& attributes, bool self_closing) {
  m_out.append(m_open.size() * 2, ' ');
  m_out += '<';
  m_out += name;
  for (const auto& [key, value] : attributes) m_out += fmt::format(" {}=\"{}\"", key, xml_text(value));
  m_out += self_closing ? "/>\n" : ">\n";
}

XmlWriter::Scope XmlWriter::element(std::string_view name, const Attributes& attributes) {
  open(name, attributes, false);
  m_open.emplace_back(name);
  return Scope(*this);
}

void XmlWriter::leaf(std::string_view name, const Attributes& attributes, std::string_view text) {
  if (text.empty()) {
    open(name, attributes, true);
    return;
  }
  open(name, attributes, false);
  m_out.pop_back();  // text follows the tag directly
  m_out += xml_text(text);
  m_out += fmt::format("</{}>\n", name);
}

void XmlWriter::close() {
  std::string name = std::move(m_open.back());
  m_open.pop_back();
  m_out.append(m_open.size() * 2, ' ');
  m_out += fmt::format("</{}>\n", name);
}

}  // namespace util
