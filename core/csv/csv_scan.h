// core/csv/csv_scan.h - Bitmask kernels behind CsvReader: classify 64 bytes at a time.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__) || defined(_M_X64)
#include <emmintrin.h>
#define EC_CSV_HAVE_SSE2 1
#if defined(__GNUC__) || defined(__clang__)
// AVX2, PCLMULQDQ and BMI code in functions built for them (target attributes), chosen at run
// time: the rest of the build stays at the x86_64 baseline.
#include <immintrin.h>
#define EC_CSV_HAVE_AVX2 1
#define EC_CSV_TARGET_AVX2 __attribute__((target("avx2,pclmul,popcnt,bmi")))
#endif
#elif defined(__aarch64__) && defined(__ARM_NEON)
#include <arm_neon.h>
#define EC_CSV_HAVE_NEON 1
#endif

namespace ec::csv_scan {

/// Bytes one kernel call classifies; the reader keeps this much zeroed padding after its data.
inline constexpr std::size_t kBlockBytes = 64;

/// One bit per byte of a 64-byte block, bit i for byte i.
struct BlockMasks {
  std::uint64_t quote = 0;           ///< `"`
  std::uint64_t separator = 0;       ///< `,` or LF
  std::uint64_t newline = 0;         ///< LF
  std::uint64_t carriage_return = 0; ///< CR
};

/// Bit i of the result is the XOR of bits 0..i of `bits`: with quote bits in, it marks the bytes
/// from an opening quote up to (not including) its closing quote.
[[nodiscard]] inline std::uint64_t prefix_xor(std::uint64_t bits) {
  bits ^= bits << 1;
  bits ^= bits << 2;
  bits ^= bits << 4;
  bits ^= bits << 8;
  bits ^= bits << 16;
  bits ^= bits << 32;
  return bits;
}

/// Plain integer code: eight bytes per 64-bit word (SWAR), for any CPU, including 32-bit ARM
/// without NEON and big-endian machines (byte by byte there).
struct PortableKernel {
  static constexpr const char* kName = "portable";

  [[nodiscard]] static std::uint64_t quote_prefix_xor(std::uint64_t bits) {
    return prefix_xor(bits);
  }

  [[nodiscard]] static BlockMasks classify(const std::uint8_t* block) {
    BlockMasks masks;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    for (unsigned word_index = 0; word_index < kBlockBytes / 8; ++word_index) {
      std::uint64_t word;
      std::memcpy(&word, block + 8 * word_index, sizeof word);
      unsigned shift = 8 * word_index;
      std::uint64_t newline = equal_bytes(word, '\n');
      masks.quote |= equal_bytes(word, '"') << shift;
      masks.separator |= (equal_bytes(word, ',') | newline) << shift;
      masks.newline |= newline << shift;
      masks.carriage_return |= equal_bytes(word, '\r') << shift;
    }
#else
    for (unsigned index = 0; index < kBlockBytes; ++index) {
      std::uint64_t bit = std::uint64_t{1} << index;
      std::uint8_t byte = block[index];
      masks.quote |= byte == '"' ? bit : 0;
      masks.separator |= byte == ',' || byte == '\n' ? bit : 0;
      masks.newline |= byte == '\n' ? bit : 0;
      masks.carriage_return |= byte == '\r' ? bit : 0;
    }
#endif
    return masks;
  }

private:
  /// Eight bits, bit k set when byte k of the little-endian `word` equals `value`.
  [[nodiscard]] static std::uint64_t equal_bytes(std::uint64_t word, std::uint8_t value) {
    constexpr std::uint64_t kLow7 = 0x7f7f7f7f7f7f7f7full;
    std::uint64_t zero_where_equal = word ^ (0x0101010101010101ull * value);
    // High bit of each byte set exactly where that byte is zero (no carries between bytes).
    std::uint64_t high = ~(((zero_where_equal & kLow7) + kLow7) | zero_where_equal | kLow7);
    // Gather the eight high bits into the top byte: bit 8k+7 moves to bit 56+k, no collisions.
    return (high * 0x0002040810204081ull) >> 56;
  }
};

#if defined(EC_CSV_HAVE_SSE2)
/// x86_64 baseline: four 16-byte compares per character class.
struct Sse2Kernel {
  static constexpr const char* kName = "sse2";

  [[nodiscard]] static std::uint64_t quote_prefix_xor(std::uint64_t bits) {
    return prefix_xor(bits);
  }

  [[nodiscard]] static BlockMasks classify(const std::uint8_t* block) {
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i comma = _mm_set1_epi8(',');
    const __m128i newline = _mm_set1_epi8('\n');
    const __m128i carriage_return = _mm_set1_epi8('\r');
    BlockMasks masks;
    for (unsigned part = 0; part < 4; ++part) {
      __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(block + 16 * part));
      __m128i is_newline = _mm_cmpeq_epi8(bytes, newline);
      __m128i is_separator = _mm_or_si128(_mm_cmpeq_epi8(bytes, comma), is_newline);
      unsigned shift = 16 * part;
      masks.quote |= bits(_mm_cmpeq_epi8(bytes, quote)) << shift;
      masks.separator |= bits(is_separator) << shift;
      masks.newline |= bits(is_newline) << shift;
      masks.carriage_return |= bits(_mm_cmpeq_epi8(bytes, carriage_return)) << shift;
    }
    return masks;
  }

private:
  [[nodiscard]] static std::uint64_t bits(__m128i compared) {
    return static_cast<std::uint32_t>(_mm_movemask_epi8(compared));
  }
};
using BestKernel = Sse2Kernel;

#if defined(EC_CSV_HAVE_AVX2)
/// x86_64 with AVX2 (checked at run time): two 32-byte compares per character class, and the
/// prefix XOR as one carry-less multiply by all ones. Callers must be built for the same target.
struct Avx2Kernel {
  static constexpr const char* kName = "avx2";

  [[nodiscard]] EC_CSV_TARGET_AVX2 static std::uint64_t quote_prefix_xor(std::uint64_t bits) {
    const __m128i product =
        _mm_clmulepi64_si128(_mm_cvtsi64_si128(static_cast<long long>(bits)), _mm_set1_epi8(-1), 0);
    return static_cast<std::uint64_t>(_mm_cvtsi128_si64(product));
  }

  [[nodiscard]] EC_CSV_TARGET_AVX2 static BlockMasks classify(const std::uint8_t* block) {
    const __m256i low = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block));
    const __m256i high = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + 32));
    const __m256i quote = _mm256_set1_epi8('"');
    const __m256i comma = _mm256_set1_epi8(',');
    const __m256i newline = _mm256_set1_epi8('\n');
    const __m256i carriage_return = _mm256_set1_epi8('\r');
    const __m256i newline_low = _mm256_cmpeq_epi8(low, newline);
    const __m256i newline_high = _mm256_cmpeq_epi8(high, newline);
    BlockMasks masks;
    masks.quote = bits(_mm256_cmpeq_epi8(low, quote), _mm256_cmpeq_epi8(high, quote));
    masks.newline = bits(newline_low, newline_high);
    masks.separator = bits(_mm256_or_si256(_mm256_cmpeq_epi8(low, comma), newline_low),
                           _mm256_or_si256(_mm256_cmpeq_epi8(high, comma), newline_high));
    masks.carriage_return =
        bits(_mm256_cmpeq_epi8(low, carriage_return), _mm256_cmpeq_epi8(high, carriage_return));
    return masks;
  }

private:
  [[nodiscard]] EC_CSV_TARGET_AVX2 static std::uint64_t bits(__m256i low, __m256i high) {
    const auto low_bits = static_cast<std::uint32_t>(_mm256_movemask_epi8(low));
    const auto high_bits = static_cast<std::uint32_t>(_mm256_movemask_epi8(high));
    return (std::uint64_t{high_bits} << 32) | low_bits;
  }
};
#endif
#elif defined(EC_CSV_HAVE_NEON)
/// aarch64: compares, then pairwise adds fold each 16-byte result into 16 bits.
struct NeonKernel {
  static constexpr const char* kName = "neon";

  [[nodiscard]] static std::uint64_t quote_prefix_xor(std::uint64_t bits) {
    return prefix_xor(bits);
  }

  [[nodiscard]] static BlockMasks classify(const std::uint8_t* block) {
    uint8x16_t part0 = vld1q_u8(block);
    uint8x16_t part1 = vld1q_u8(block + 16);
    uint8x16_t part2 = vld1q_u8(block + 32);
    uint8x16_t part3 = vld1q_u8(block + 48);
    BlockMasks masks;
    masks.quote = equal_bits(part0, part1, part2, part3, '"');
    masks.newline = equal_bits(part0, part1, part2, part3, '\n');
    masks.separator = equal_bits(part0, part1, part2, part3, ',') | masks.newline;
    masks.carriage_return = equal_bits(part0, part1, part2, part3, '\r');
    return masks;
  }

private:
  [[nodiscard]] static std::uint64_t equal_bits(uint8x16_t part0, uint8x16_t part1,
                                                uint8x16_t part2, uint8x16_t part3,
                                                std::uint8_t value) {
    const uint8x16_t weights = {1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128};
    const uint8x16_t wanted = vdupq_n_u8(value);
    uint8x16_t bits0 = vandq_u8(vceqq_u8(part0, wanted), weights);
    uint8x16_t bits1 = vandq_u8(vceqq_u8(part1, wanted), weights);
    uint8x16_t bits2 = vandq_u8(vceqq_u8(part2, wanted), weights);
    uint8x16_t bits3 = vandq_u8(vceqq_u8(part3, wanted), weights);
    uint8x16_t sum = vpaddq_u8(vpaddq_u8(bits0, bits1), vpaddq_u8(bits2, bits3));
    sum = vpaddq_u8(sum, sum);
    return vgetq_lane_u64(vreinterpretq_u64_u8(sum), 0);
  }
};
using BestKernel = NeonKernel;
#else
using BestKernel = PortableKernel;
#endif

} // namespace ec::csv_scan
