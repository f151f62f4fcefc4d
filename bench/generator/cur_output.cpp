// bench/generator/cur_output.cpp - Plain, gzip and ZIP writers of cur_generator (zlib).
#include "bench/generator/cur_output.h"

#include <zlib.h>

#include <cstring>
#include <vector>

namespace ec::bench {
namespace {

constexpr std::size_t kChunkBytes = 256 * 1024;

class PlainOutput final : public CurOutput {
public:
  explicit PlainOutput(std::FILE* file) : m_file(file) {}
  bool write(const char* data, std::size_t size) override {
    m_bytes_in += size;
    m_bytes_out += size;
    if (std::fwrite(data, 1, size, m_file) != size) {
      m_error = "output: write failed";
      return false;
    }
    return true;
  }
  bool finish() override {
    if (std::fflush(m_file) != 0) {
      m_error = "output: flush failed";
      return false;
    }
    return true;
  }

private:
  std::FILE* m_file;
};

// Deflate into m_file; gzip framing (windowBits 31) or raw deflate (-15) for ZIP.
class DeflateOutput : public CurOutput {
public:
  DeflateOutput(std::FILE* file, int level, int window_bits) : m_file(file), m_window(kChunkBytes) {
    std::memset(&m_stream, 0, sizeof m_stream);
    m_ok = deflateInit2(&m_stream, level, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY) == Z_OK;
    if (!m_ok)
      m_error = "output: deflateInit2 failed";
  }
  ~DeflateOutput() override { deflateEnd(&m_stream); }

  bool write(const char* data, std::size_t size) override {
    if (!m_ok)
      return false;
    m_bytes_in += size;
    m_crc = crc32_z(m_crc, reinterpret_cast<const Bytef*>(data), size);
    return pump(data, size, Z_NO_FLUSH);
  }

protected:
  // Runs deflate over the input with `flush`; for Z_FINISH until the stream ends.
  bool pump(const char* data, std::size_t size, int flush) {
    m_stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data));
    m_stream.avail_in = static_cast<uInt>(size); // callers pass chunks well below 4 GiB
    for (;;) {
      m_stream.next_out = reinterpret_cast<Bytef*>(m_window.data());
      m_stream.avail_out = static_cast<uInt>(m_window.size());
      int status = deflate(&m_stream, flush);
      if (status == Z_STREAM_ERROR) {
        m_error = "output: deflate failed";
        return m_ok = false;
      }
      std::size_t produced = m_window.size() - m_stream.avail_out;
      if (!emit(m_window.data(), produced))
        return false;
      if (flush == Z_FINISH ? status == Z_STREAM_END
                            : m_stream.avail_in == 0 && m_stream.avail_out != 0)
        return true;
    }
  }
  bool emit(const void* data, std::size_t size) {
    if (size == 0)
      return true;
    m_bytes_out += size;
    if (std::fwrite(data, 1, size, m_file) != size) {
      m_error = "output: write failed";
      return m_ok = false;
    }
    return true;
  }

  std::FILE* m_file;
  z_stream m_stream;
  std::vector<char> m_window;
  unsigned long m_crc = 0;
  bool m_ok = false;
};

class GzipOutput final : public DeflateOutput {
public:
  GzipOutput(std::FILE* file, int level) : DeflateOutput(file, level, 15 + 16) {}
  bool next_member() override {
    if (!m_ok || !pump(nullptr, 0, Z_FINISH))
      return false;
    if (deflateReset(&m_stream) != Z_OK) {
      m_error = "output: deflateReset failed";
      return m_ok = false;
    }
    return true;
  }
  bool finish() override {
    if (!m_ok || !pump(nullptr, 0, Z_FINISH))
      return false;
    return std::fflush(m_file) == 0;
  }
};

// Little-endian field writer for the ZIP records.
struct Record {
  std::vector<unsigned char> bytes;
  void u16(unsigned value) {
    bytes.push_back(static_cast<unsigned char>(value & 0xff));
    bytes.push_back(static_cast<unsigned char>((value >> 8) & 0xff));
  }
  void u32(std::uint64_t value) {
    for (int shift = 0; shift < 32; shift += 8)
      bytes.push_back(static_cast<unsigned char>((value >> shift) & 0xff));
  }
  void u64(std::uint64_t value) {
    for (int shift = 0; shift < 64; shift += 8)
      bytes.push_back(static_cast<unsigned char>((value >> shift) & 0xff));
  }
  void text(const std::string& value) { bytes.insert(bytes.end(), value.begin(), value.end()); }
};

// One entry, streamed: local header with sizes unknown (flag bit 3), raw deflate, data
// descriptor, central directory, end record; ZIP64 records when asked (sizes past 4 GiB).
class ZipOutput final : public DeflateOutput {
public:
  ZipOutput(std::FILE* file, const OutputOptions& options)
      : DeflateOutput(file, options.level, -15), m_name(options.zip_entry_name),
        m_date(options.dos_date), m_zip64(options.zip64) {
    if (!m_ok)
      return;
    Record header;
    header.u32(0x04034b50);
    header.u16(m_zip64 ? 45 : 20);
    header.u16(0x0008); // sizes and CRC in the data descriptor
    header.u16(8);      // deflate
    header.u16(0);      // time 00:00
    header.u16(m_date);
    header.u32(0);
    header.u32(m_zip64 ? 0xffffffffu : 0);
    header.u32(m_zip64 ? 0xffffffffu : 0);
    header.u16(static_cast<unsigned>(m_name.size()));
    header.u16(m_zip64 ? 20 : 0);
    header.text(m_name);
    if (m_zip64) {
      header.u16(0x0001);
      header.u16(16);
      header.u64(0);
      header.u64(0);
    }
    m_ok = emit(header.bytes.data(), header.bytes.size());
  }

  bool finish() override {
    if (!m_ok || !pump(nullptr, 0, Z_FINISH))
      return false;
    std::uint64_t compressed = m_bytes_out - local_header_size();
    if (!m_zip64 && (m_bytes_in > 0xffffffffu || compressed > 0xffffffffu)) {
      m_error = "output: entry over 4 GiB; ZIP64 is needed (--zip64)";
      return m_ok = false;
    }
    Record descriptor;
    descriptor.u32(0x08074b50);
    descriptor.u32(m_crc);
    if (m_zip64) {
      descriptor.u64(compressed);
      descriptor.u64(m_bytes_in);
    } else {
      descriptor.u32(compressed);
      descriptor.u32(m_bytes_in);
    }
    if (!emit(descriptor.bytes.data(), descriptor.bytes.size()))
      return false;

    std::uint64_t directory_offset = m_bytes_out;
    Record directory;
    directory.u32(0x02014b50);
    directory.u16(0x0300 | (m_zip64 ? 45 : 20)); // made by Unix
    directory.u16(m_zip64 ? 45 : 20);
    directory.u16(0x0008);
    directory.u16(8);
    directory.u16(0);
    directory.u16(m_date);
    directory.u32(m_crc);
    directory.u32(m_zip64 ? 0xffffffffu : compressed);
    directory.u32(m_zip64 ? 0xffffffffu : m_bytes_in);
    directory.u16(static_cast<unsigned>(m_name.size()));
    directory.u16(m_zip64 ? 20 : 0);
    directory.u16(0); // comment
    directory.u16(0); // disk
    directory.u16(0); // internal attributes
    directory.u32(0100644u << 16);
    directory.u32(0); // local header at offset 0 (fits 32 bits)
    directory.text(m_name);
    if (m_zip64) {
      directory.u16(0x0001);
      directory.u16(16);
      directory.u64(m_bytes_in);
      directory.u64(compressed);
    }
    std::uint64_t directory_size = directory.bytes.size();
    if (!emit(directory.bytes.data(), directory.bytes.size()))
      return false;

    Record end;
    if (m_zip64) {
      std::uint64_t end64_offset = m_bytes_out;
      end.u32(0x06064b50);
      end.u64(44);
      end.u16(0x0300 | 45);
      end.u16(45);
      end.u32(0);
      end.u32(0);
      end.u64(1);
      end.u64(1);
      end.u64(directory_size);
      end.u64(directory_offset);
      end.u32(0x07064b50); // locator
      end.u32(0);
      end.u64(end64_offset);
      end.u32(1);
    }
    end.u32(0x06054b50);
    end.u16(0);
    end.u16(0);
    end.u16(1);
    end.u16(1);
    end.u32(directory_size);
    end.u32(m_zip64 || directory_offset > 0xffffffffu ? 0xffffffffu : directory_offset);
    end.u16(0);
    if (!emit(end.bytes.data(), end.bytes.size()))
      return false;
    return std::fflush(m_file) == 0;
  }

private:
  [[nodiscard]] std::uint64_t local_header_size() const {
    return 30 + m_name.size() + (m_zip64 ? 20 : 0);
  }

  std::string m_name;
  unsigned m_date;
  bool m_zip64;
};

} // namespace

std::unique_ptr<CurOutput> make_output(const OutputOptions& options, std::FILE* file) {
  switch (options.container) {
  case Container::Plain:
    return std::make_unique<PlainOutput>(file);
  case Container::Gzip:
    return std::make_unique<GzipOutput>(file, options.level);
  case Container::Zip:
    return std::make_unique<ZipOutput>(file, options);
  }
  return nullptr;
}

} // namespace ec::bench
