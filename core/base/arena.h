// core/base/arena.h - Arena: bump allocation from a caller-owned buffer that never grows.
#pragma once

#include "core/base/bytes.h"
#include "core/base/result.h"

#include <cstddef>
#include <cstdint>
#include <new>
#include <type_traits>
#include <utility>

namespace ec {

/// Bump allocator over a fixed buffer (LLVM BumpPtrAllocator shape, SQLite mem5 discipline).
/// It never calls malloc and never runs destructors, so only trivially destructible objects go in.
/// Exhaustion returns nullptr (or OutOfMemory through try_*); memory is released in bulk with
/// reset() or rewind(mark). high_water() records the most ever in use, so budgets can be measured.
class Arena {
public:
  /// `storage` must outlive the arena and everything allocated from it. Under ASan the part not
  /// handed out is poisoned (LLVM's BumpPtrAllocator does the same): a view read after rewind()
  /// or reset() is reported as use-after-poison.
  explicit Arena(MutableBytes storage);
  /// Under ASan, gives the storage back unpoisoned (a stack buffer must be, before it is reused).
  ~Arena();
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  /// `size` bytes aligned to `alignment` (a power of two), or nullptr when it does not fit or an
  /// injected fault fires. Zero-sized requests return a valid, unique-enough pointer.
  [[nodiscard]] void* allocate(std::size_t size, std::size_t alignment = alignof(std::max_align_t));

  /// An array of `count` value-initialised T, or nullptr.
  template <typename T> [[nodiscard]] T* allocate_array(std::size_t count) {
    static_assert(std::is_trivially_destructible_v<T>, "arena objects are never destroyed");
    if (count > SIZE_MAX / sizeof(T))
      return nullptr;
    void* memory = allocate(sizeof(T) * count, alignof(T));
    if (!memory)
      return nullptr;
    T* items = static_cast<T*>(memory);
    for (std::size_t i = 0; i < count; ++i)
      new (&items[i]) T();
    return items;
  }

  /// Constructs one T, or nullptr.
  template <typename T, typename... Args> [[nodiscard]] T* make(Args&&... args) {
    static_assert(std::is_trivially_destructible_v<T>, "arena objects are never destroyed");
    void* memory = allocate(sizeof(T), alignof(T));
    return memory ? new (memory) T(std::forward<Args>(args)...) : nullptr;
  }

  /// As allocate_array, but an OutOfMemory error naming `what` (a string literal) on exhaustion.
  template <typename T> Result<T*> try_allocate_array(std::size_t count, const char* what) {
    T* items = allocate_array<T>(count);
    if (!items)
      return make_error(ErrorCode::OutOfMemory, "arena: out of memory").with_detail(what);
    return items;
  }

  struct Mark {
    std::size_t offset;
  };
  [[nodiscard]] Mark mark() const { return {m_used}; }
  /// Frees everything allocated after `mark`.
  void rewind(Mark mark);
  /// Frees everything allocated after `mark` but `size` bytes copied from `data` (which must lie
  /// in what is freed, e.g. gathered there last), moved down to `mark` and returned: compaction
  /// that never reads freed memory.
  [[nodiscard]] void* keep_only(Mark mark, const void* data, std::size_t size);
  void reset() { rewind(Mark{0}); }
  /// reset(), after overwriting every byte ever handed out (secure_wipe): for an arena that held
  /// secrets, whose freed bytes must not linger.
  void reset_wiping();

  [[nodiscard]] std::size_t used() const { return m_used; }
  [[nodiscard]] std::size_t capacity() const { return m_capacity; }
  [[nodiscard]] std::size_t remaining() const { return m_capacity - m_used; }
  [[nodiscard]] std::size_t high_water() const { return m_high_water; }
  [[nodiscard]] std::size_t allocation_count() const { return m_allocations; }

  /// Fault injection for tests: the allocation after `successes` more successful ones fails, and
  /// every one after it too (SQLite's persistent malloc fault). A negative value disables it.
  void fail_after(long successes) { m_fail_countdown = successes; }

private:
  std::uint8_t* m_base;
  std::size_t m_capacity;
  std::size_t m_used = 0;
  std::size_t m_high_water = 0;
  std::size_t m_allocations = 0;
  long m_fail_countdown = -1;
};

/// An Arena together with its own inline storage of N bytes (for members and statics).
template <std::size_t N> class InlineArena : public Arena {
public:
  InlineArena() : Arena(MutableBytes(m_storage, N)) {}

private:
  alignas(std::max_align_t) std::uint8_t m_storage[N];
};

} // namespace ec
