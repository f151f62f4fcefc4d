// core/codec/crc32_fast.cpp - crc32_update: PCLMULQDQ folding (x86_64), ARMv8 CRC32, or zlib.
#include "core/codec/crc32_fast.h"

#include <zlib.h>

#include <cstddef>
#include <cstring>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define EC_CRC32_PCLMUL 1
#elif defined(__aarch64__) && defined(__ARM_FEATURE_CRC32)
#include <arm_acle.h>
#define EC_CRC32_ARMV8 1
#endif

namespace ec {
namespace {

#if !defined(EC_CRC32_ARMV8) // the ARMv8 path never needs zlib's tables
std::uint32_t crc32_zlib(std::uint32_t crc, const std::uint8_t* data, std::size_t size) {
  return static_cast<std::uint32_t>(::crc32_z(crc, data, static_cast<z_size_t>(size)));
}
#endif

#if defined(EC_CRC32_PCLMUL)

// Below this many bytes the folding set-up costs more than zlib's tables.
constexpr std::size_t kPclmulMinBytes = 64;

// Folding constants for the reflected polynomial 0x104C11DB7 (Intel, "Fast CRC Computation for
// Generic Polynomials Using PCLMULQDQ Instruction", 2009): x^(4*128+32) mod P and x^(4*128-32)
// mod P (fold by four lanes), x^(128+32) and x^(128-32) mod P (fold by one), x^64 mod P, then
// the Barrett pair: P' = x^64 div P and P itself, all bit-reflected.
alignas(16) constexpr std::uint64_t kFold4[2] = {0x0154442bd4, 0x01c6e41596};
alignas(16) constexpr std::uint64_t kFold1[2] = {0x01751997d0, 0x00ccaa009e};
alignas(16) constexpr std::uint64_t kFold64[2] = {0x0163cd6124, 0x0000000000};
alignas(16) constexpr std::uint64_t kBarrett[2] = {0x01db710641, 0x01f7011641};

__m128i load(const std::uint8_t* p) {
  __m128i value;
  std::memcpy(&value, p, sizeof(value));
  return value;
}

// `acc` folded 128 bits forward onto `next`.
__attribute__((target("pclmul,sse4.1"), always_inline)) inline __m128i
fold1(__m128i acc, __m128i next, __m128i k) {
  const __m128i low = _mm_clmulepi64_si128(acc, k, 0x00);
  const __m128i high = _mm_clmulepi64_si128(acc, k, 0x11);
  return _mm_xor_si128(_mm_xor_si128(high, next), low);
}

// The inverted register `state` (~crc) over `size` bytes, size >= 64 and a multiple of 16.
__attribute__((target("pclmul,sse4.1"))) std::uint32_t
fold_pclmul(std::uint32_t state, const std::uint8_t* data, std::size_t size) {
  __m128i x1 = load(data + 0x00);
  __m128i x2 = load(data + 0x10);
  __m128i x3 = load(data + 0x20);
  __m128i x4 = load(data + 0x30);
  x1 = _mm_xor_si128(x1, _mm_cvtsi32_si128(static_cast<int>(state)));
  __m128i k = load(reinterpret_cast<const std::uint8_t*>(kFold4));
  data += 64;
  size -= 64;
  while (size >= 64) { // four lanes of 128 bits, each folded 512 bits forward
    const __m128i x5 = _mm_clmulepi64_si128(x1, k, 0x00);
    const __m128i x6 = _mm_clmulepi64_si128(x2, k, 0x00);
    const __m128i x7 = _mm_clmulepi64_si128(x3, k, 0x00);
    const __m128i x8 = _mm_clmulepi64_si128(x4, k, 0x00);
    x1 = _mm_clmulepi64_si128(x1, k, 0x11);
    x2 = _mm_clmulepi64_si128(x2, k, 0x11);
    x3 = _mm_clmulepi64_si128(x3, k, 0x11);
    x4 = _mm_clmulepi64_si128(x4, k, 0x11);
    x1 = _mm_xor_si128(_mm_xor_si128(x1, x5), load(data + 0x00));
    x2 = _mm_xor_si128(_mm_xor_si128(x2, x6), load(data + 0x10));
    x3 = _mm_xor_si128(_mm_xor_si128(x3, x7), load(data + 0x20));
    x4 = _mm_xor_si128(_mm_xor_si128(x4, x8), load(data + 0x30));
    data += 64;
    size -= 64;
  }
  // Fold the four lanes into one, then the remaining 16-byte blocks into it.
  k = load(reinterpret_cast<const std::uint8_t*>(kFold1));
  x1 = fold1(x1, x2, k);
  x1 = fold1(x1, x3, k);
  x1 = fold1(x1, x4, k);
  while (size >= 16) {
    x1 = fold1(x1, load(data), k);
    data += 16;
    size -= 16;
  }
  // 128 bits to 64.
  const __m128i mask32 = _mm_setr_epi32(-1, 0, -1, 0);
  x2 = _mm_clmulepi64_si128(x1, k, 0x10);
  x1 = _mm_xor_si128(_mm_srli_si128(x1, 8), x2);
  k = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(kFold64));
  x2 = _mm_srli_si128(x1, 4);
  x1 = _mm_and_si128(x1, mask32);
  x1 = _mm_xor_si128(_mm_clmulepi64_si128(x1, k, 0x00), x2);
  // Barrett reduction to 32 bits.
  k = load(reinterpret_cast<const std::uint8_t*>(kBarrett));
  x2 = _mm_and_si128(x1, mask32);
  x2 = _mm_clmulepi64_si128(x2, k, 0x10);
  x2 = _mm_and_si128(x2, mask32);
  x2 = _mm_clmulepi64_si128(x2, k, 0x00);
  x1 = _mm_xor_si128(x1, x2);
  return static_cast<std::uint32_t>(_mm_extract_epi32(x1, 1));
}

bool cpu_has_pclmul() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1");
}

#endif

} // namespace

std::uint32_t crc32_update(std::uint32_t crc, Bytes data) {
  const std::uint8_t* p = data.data();
  std::size_t size = data.size();
#if defined(EC_CRC32_PCLMUL)
  static const bool kHasPclmul = cpu_has_pclmul();
  if (kHasPclmul && size >= kPclmulMinBytes) {
    const std::size_t folded = size & ~std::size_t{15};
    crc = ~fold_pclmul(~crc, p, folded);
    p += folded;
    size -= folded;
  }
  return size == 0 ? crc : crc32_zlib(crc, p, size);
#elif defined(EC_CRC32_ARMV8)
  std::uint32_t state = ~crc;
  while (size >= 8) {
    std::uint64_t word;
    std::memcpy(&word, p, sizeof(word));
    state = __crc32d(state, word);
    p += 8;
    size -= 8;
  }
  while (size > 0) {
    state = __crc32b(state, *p);
    ++p;
    --size;
  }
  return ~state;
#else
  return size == 0 ? crc : crc32_zlib(crc, p, size);
#endif
}

} // namespace ec
