// bench/generator/cur_output.h - Output writers of cur_generator: plain, gzip (multi-member), ZIP.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

namespace ec::bench {

enum class Container : std::uint8_t { Plain, Gzip, Zip };

/// Receives the CSV text in order and writes it to a FILE* in its container format. Tool code:
/// errors are reported as false with a message in error(); the caller stops at the first.
class CurOutput {
public:
  virtual ~CurOutput() = default;
  /// Appends uncompressed bytes.
  virtual bool write(const char* data, std::size_t size) = 0;
  /// Gzip: ends the current member and starts another one. Others: nothing.
  virtual bool next_member() { return true; }
  /// Flushes and writes the container's trailer; once.
  virtual bool finish() = 0;

  [[nodiscard]] std::uint64_t bytes_in() const { return m_bytes_in; }
  [[nodiscard]] std::uint64_t bytes_out() const { return m_bytes_out; }
  [[nodiscard]] const std::string& error() const { return m_error; }

protected:
  std::uint64_t m_bytes_in = 0;
  std::uint64_t m_bytes_out = 0;
  std::string m_error;
};

struct OutputOptions {
  Container container = Container::Gzip;
  int level = 6;                 ///< zlib compression level 0..9
  std::string zip_entry_name;    ///< the single entry of a ZIP
  std::uint16_t dos_date = 0x21; ///< ZIP entry date (1980-01-01 when unset), fixed: deterministic
  bool zip64 = false;            ///< ZIP64 records (needed past 4 GiB)
};

/// A writer over `file` (not closed by the writer).
std::unique_ptr<CurOutput> make_output(const OutputOptions& options, std::FILE* file);

} // namespace ec::bench
