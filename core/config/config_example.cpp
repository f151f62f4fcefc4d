// core/config/config_example.cpp - The annotated example file, written from the settings table.
#include "core/config/config.h"
#include "core/config/config_schema.h"

#include <cstdio>
#include <cstring>

namespace ec {
namespace {

// Appends to a fixed buffer, counting what did not fit (snprintf's contract).
class TextWriter {
public:
  explicit TextWriter(std::span<char> out) : m_out(out) {
    if (!m_out.empty())
      m_out[0] = '\0';
  }

  void text(std::string_view piece) {
    for (char c : piece) {
      if (m_length + 1 < m_out.size()) {
        m_out[m_length] = c;
        m_out[m_length + 1] = '\0';
      }
      ++m_length;
    }
  }
  [[nodiscard]] std::size_t length() const { return m_length; }

private:
  std::span<char> m_out;
  std::size_t m_length = 0;
};

constexpr const char* kHeader =
    "; edgecur.example.ini - every setting of edgecur, its default and what it is for.\n"
    "; Copy it to /etc/edgecur/edgecur.ini and change what you need. A setting that is left out\n"
    "; (or commented out with ; in front of it) takes the value shown here.\n"
    "; Comments are whole lines starting with ; or #. Sizes take K or M (64K, 8M); durations\n"
    "; take s, m, h or d (30s, 5m). Lines are at most 197 characters long.\n"
    "; Check the file with: edgecur config check /etc/edgecur/edgecur.ini\n"
    "; A file holding a secret key must be readable by its owner only: chmod 600 <file>\n"
    "; Generated from the settings table (core/config/config_schema.cpp); edit the table, not\n"
    "; this file, and the config tests tell you how to regenerate it.\n";

constexpr const char* kConnectionIntro =
    "\n; One [connection NAME] section per AWS account (or folder) to collect from. NAME is your\n"
    "; label for it: letters, digits, - _ or . Repeat the section for more accounts.\n";

/// The connection type the example's section uses.
constexpr ConnectionType kExampleType = ConnectionType::Cur;

} // namespace

std::size_t write_example_config(std::span<char> out) {
  TextWriter writer(out);
  writer.text(kHeader);
  for (Section section :
       {Section::Store, Section::Ingest, Section::Log, Section::Security, Section::Connection}) {
    if (section == Section::Connection) {
      writer.text(kConnectionIntro);
      writer.text("[connection payer1]\n");
    } else {
      writer.text("\n[");
      writer.text(section_name(section));
      writer.text("]\n");
    }
    for (const SettingSpec& spec : setting_specs()) {
      if (spec.section != section)
        continue;
      char allowed[160];
      describe_allowed(spec, allowed, sizeof allowed);
      writer.text("; ");
      writer.text(spec.description);
      if (allowed[0]) {
        writer.text(" (");
        writer.text(allowed);
        writer.text(")");
      }
      writer.text("\n");
      const char* value = spec.example_text[0] ? spec.example_text : spec.default_text;
      bool active = value[0] != '\0' && (spec.applies_to & type_bit(kExampleType)) != 0;
      if (!active)
        writer.text(";");
      writer.text(spec.key);
      writer.text(value[0] ? " = " : " =");
      writer.text(value);
      writer.text("\n");
    }
  }
  return writer.length();
}

} // namespace ec
