// core/base/int128.h - Portable 128-bit integers for exact money sums, also on 32-bit ARM.
#pragma once

#include <compare>
#include <cstdint>

// GCC has __int128 only on 64-bit targets; armhf gets the portable limb code. Tests build both.
#if defined(__SIZEOF_INT128__) && !defined(EC_FORCE_PORTABLE_INT128)
#define EC_HAVE_NATIVE_INT128 1
#else
#define EC_HAVE_NATIVE_INT128 0
#endif

namespace ec {

/// Unsigned 128-bit value as two 64-bit words. Used for magnitudes while parsing and formatting.
struct UInt128 {
  std::uint64_t high = 0;
  std::uint64_t low = 0;

  friend constexpr bool operator==(UInt128, UInt128) = default;
  friend constexpr std::strong_ordering operator<=>(UInt128 a, UInt128 b) {
    if (a.high != b.high)
      return a.high <=> b.high;
    return a.low <=> b.low;
  }
};

/// value *= factor; false (value unspecified) when the product needs more than 128 bits.
[[nodiscard]] bool mul_checked(UInt128& value, std::uint64_t factor);
/// value += addend; false on carry out of bit 127.
[[nodiscard]] bool add_checked(UInt128& value, std::uint64_t addend);
/// value /= divisor (non-zero); returns the remainder.
std::uint64_t divmod(UInt128& value, std::uint64_t divisor);

namespace portable {
// The limb implementations, always compiled so tests can compare them with the native ones.
[[nodiscard]] bool mul_checked(UInt128& value, std::uint64_t factor);
std::uint64_t divmod(UInt128& value, std::uint64_t divisor);
} // namespace portable

/// Signed two's-complement 128-bit integer: the accumulator of Decimal. Addition detects overflow.
class Int128 {
public:
  constexpr Int128() = default;
  constexpr explicit Int128(std::int64_t value)
      : m_high(value < 0 ? ~std::uint64_t{0} : 0), m_low(static_cast<std::uint64_t>(value)) {}
  static constexpr Int128 from_words(std::uint64_t high, std::uint64_t low) {
    Int128 result;
    result.m_high = high;
    result.m_low = low;
    return result;
  }
  /// `magnitude` negated when `negative`; false when it does not fit (above 2^127 - 1, or 2^127
  /// for a negative value).
  [[nodiscard]] static bool from_magnitude(UInt128 magnitude, bool negative, Int128& out);

  [[nodiscard]] constexpr std::uint64_t high_word() const { return m_high; }
  [[nodiscard]] constexpr std::uint64_t low_word() const { return m_low; }
  [[nodiscard]] constexpr bool is_negative() const { return (m_high >> 63) != 0; }
  [[nodiscard]] constexpr bool is_zero() const { return m_high == 0 && m_low == 0; }
  /// |value| (2^127 for the minimum, which is representable as unsigned).
  [[nodiscard]] UInt128 magnitude() const;

  /// *this += other; on overflow returns false and leaves *this unchanged.
  [[nodiscard]] bool add_checked(Int128 other) {
    std::uint64_t low = m_low + other.m_low;
    std::uint64_t high = m_high + other.m_high + (low < m_low ? 1u : 0u);
    // Overflow: both operands have the same sign and the result's sign differs.
    if (((~(m_high ^ other.m_high)) & (m_high ^ high)) >> 63)
      return false;
    m_low = low;
    m_high = high;
    return true;
  }
  /// *this -= other; false on overflow, *this unchanged.
  [[nodiscard]] bool subtract_checked(Int128 other) {
    std::uint64_t low = m_low - other.m_low;
    std::uint64_t high = m_high - other.m_high - (m_low < other.m_low ? 1u : 0u);
    if (((m_high ^ other.m_high) & (m_high ^ high)) >> 63)
      return false;
    m_low = low;
    m_high = high;
    return true;
  }

  friend constexpr bool operator==(Int128, Int128) = default;
  friend constexpr std::strong_ordering operator<=>(Int128 a, Int128 b) {
    if (a.m_high != b.m_high)
      return static_cast<std::int64_t>(a.m_high) <=> static_cast<std::int64_t>(b.m_high);
    return a.m_low <=> b.m_low;
  }

private:
  std::uint64_t m_high = 0;
  std::uint64_t m_low = 0;
};

} // namespace ec
