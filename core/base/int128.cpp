// core/base/int128.cpp - Multiplication and division of 128-bit magnitudes.
#include "core/base/int128.h"

namespace ec {

namespace portable {

bool mul_checked(UInt128& value, std::uint64_t factor) {
  // Schoolbook on 32-bit limbs: value = [a3 a2 a1 a0], factor = [b1 b0].
  std::uint64_t a[4] = {value.low & 0xffffffffu, value.low >> 32, value.high & 0xffffffffu,
                        value.high >> 32};
  std::uint64_t b[2] = {factor & 0xffffffffu, factor >> 32};
  std::uint64_t product[6] = {0, 0, 0, 0, 0, 0};
  for (int i = 0; i < 4; ++i) {
    std::uint64_t carry = 0;
    for (int j = 0; j < 2; ++j) {
      std::uint64_t t = a[i] * b[j] + product[i + j] + carry;
      product[i + j] = t & 0xffffffffu;
      carry = t >> 32;
    }
    product[i + 2] += carry;
  }
  if (product[4] != 0 || product[5] != 0)
    return false;
  value.low = product[0] | (product[1] << 32);
  value.high = product[2] | (product[3] << 32);
  return true;
}

std::uint64_t divmod(UInt128& value, std::uint64_t divisor) {
  if (divisor <= 0xffffffffu) {
    // Four steps of 64-by-32 division, high limb first.
    std::uint64_t limbs[4] = {value.high >> 32, value.high & 0xffffffffu, value.low >> 32,
                              value.low & 0xffffffffu};
    std::uint64_t remainder = 0;
    for (std::uint64_t& limb : limbs) {
      std::uint64_t current = (remainder << 32) | limb;
      limb = current / divisor;
      remainder = current % divisor;
    }
    value.high = (limbs[0] << 32) | limbs[1];
    value.low = (limbs[2] << 32) | limbs[3];
    return remainder;
  }
  // Restoring binary long division; only formatting and rare slow paths come here.
  UInt128 quotient;
  std::uint64_t remainder = 0;
  for (int bit = 127; bit >= 0; --bit) {
    std::uint64_t next = bit >= 64 ? (value.high >> (bit - 64)) & 1u : (value.low >> bit) & 1u;
    bool overflow = (remainder >> 63) != 0;
    remainder = (remainder << 1) | next;
    if (overflow || remainder >= divisor) {
      remainder -= divisor;
      if (bit >= 64)
        quotient.high |= std::uint64_t{1} << (bit - 64);
      else
        quotient.low |= std::uint64_t{1} << bit;
    }
  }
  value = quotient;
  return remainder;
}

} // namespace portable

#if EC_HAVE_NATIVE_INT128
using Native = unsigned __int128;
static Native to_native(UInt128 v) {
  return (static_cast<Native>(v.high) << 64) | v.low;
}
static UInt128 from_native(Native v) {
  return {static_cast<std::uint64_t>(v >> 64), static_cast<std::uint64_t>(v)};
}

bool mul_checked(UInt128& value, std::uint64_t factor) {
  Native result;
  if (__builtin_mul_overflow(to_native(value), static_cast<Native>(factor), &result))
    return false;
  value = from_native(result);
  return true;
}

std::uint64_t divmod(UInt128& value, std::uint64_t divisor) {
  Native native = to_native(value);
  std::uint64_t remainder = static_cast<std::uint64_t>(native % divisor);
  value = from_native(native / divisor);
  return remainder;
}
#else
bool mul_checked(UInt128& value, std::uint64_t factor) {
  return portable::mul_checked(value, factor);
}
std::uint64_t divmod(UInt128& value, std::uint64_t divisor) {
  return portable::divmod(value, divisor);
}
#endif

bool add_checked(UInt128& value, std::uint64_t addend) {
  std::uint64_t low = value.low + addend;
  std::uint64_t high = value.high + (low < value.low ? 1u : 0u);
  if (high < value.high)
    return false;
  value.low = low;
  value.high = high;
  return true;
}

bool Int128::from_magnitude(UInt128 magnitude, bool negative, Int128& out) {
  constexpr std::uint64_t kSignBit = std::uint64_t{1} << 63;
  if (!negative) {
    if (magnitude.high & kSignBit)
      return false;
    out = from_words(magnitude.high, magnitude.low);
    return true;
  }
  if (magnitude.high > kSignBit || (magnitude.high == kSignBit && magnitude.low != 0))
    return false;
  // Two's complement negation: ~m + 1.
  std::uint64_t low = ~magnitude.low + 1;
  std::uint64_t high = ~magnitude.high + (low == 0 ? 1u : 0u);
  out = from_words(high, low);
  return true;
}

UInt128 Int128::magnitude() const {
  if (!is_negative())
    return {m_high, m_low};
  std::uint64_t low = ~m_low + 1;
  std::uint64_t high = ~m_high + (low == 0 ? 1u : 0u);
  return {high, low};
}

} // namespace ec
