// core/codec/format_sniffer.cpp - FormatSniffer: the gzip and ZIP magic, byte by byte.
#include "core/codec/format_sniffer.h"

namespace ec {
namespace {

constexpr std::uint8_t kGzipMagic[2] = {0x1f, 0x8b};
constexpr std::uint8_t kZipLocalMagic[4] = {'P', 'K', 3, 4};

} // namespace

InputFormat FormatSniffer::sniff(Bytes& data) {
  InputFormat detected = m_state.format;
  std::uint8_t* const taken = m_state.taken;
  while (!data.empty() && detected == InputFormat::Unknown) {
    const std::uint8_t count = ++m_state.taken_bytes;
    taken[count - 1] = data[0];
    data = data.subspan(1);
    if (taken[0] == kGzipMagic[0]) {
      if (count == sizeof(kGzipMagic))
        detected = taken[1] == kGzipMagic[1] ? InputFormat::Gzip : InputFormat::Plain;
    } else if (taken[0] == kZipLocalMagic[0]) {
      if (taken[count - 1] != kZipLocalMagic[count - 1])
        detected = InputFormat::Plain;
      else if (count == sizeof(kZipLocalMagic))
        detected = InputFormat::Zip;
    } else {
      detected = InputFormat::Plain;
    }
  }
  m_state.format = detected;
  return detected;
}

InputFormat FormatSniffer::end_of_input() {
  if (m_state.format == InputFormat::Unknown)
    m_state.format = InputFormat::Plain;
  return m_state.format;
}

} // namespace ec
