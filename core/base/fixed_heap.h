// core/base/fixed_heap.h - FixedHeap: malloc, free and realloc over one caller-owned buffer.
#pragma once

#include "core/base/bytes.h"

#include <cstddef>
#include <cstdint>

namespace ec {

/// A general-purpose heap in a fixed buffer, for libraries that need free() and realloc() (curl,
/// mbedTLS) where an Arena cannot serve. First fit over one free list, boundary tags, immediate
/// coalescing (K&R's allocator with Knuth's tags). It never calls malloc: exhaustion returns
/// nullptr and is counted, so the caller can say which setting to raise. Not thread-safe: a caller
/// shared between threads locks around it (platform/network_memory.h).
///
/// Every block is aligned to kFixedHeapAlignment. Freeing a pointer the heap did not hand out, or
/// freeing one twice, is a bug and aborts (EC_CHECK): a corrupted heap must not go on.
class FixedHeap {
public:
  FixedHeap() = default;
  /// `storage` must outlive the heap; the unaligned head and tail of it are left unused.
  explicit FixedHeap(MutableBytes storage);
  FixedHeap(const FixedHeap&) = delete;
  FixedHeap& operator=(const FixedHeap&) = delete;

  /// `size` bytes (0 counts as 1), or nullptr when no free block is large enough.
  [[nodiscard]] void* allocate(std::size_t size);
  /// `count` * `size` zeroed bytes, or nullptr (also when the product overflows).
  [[nodiscard]] void* allocate_zeroed(std::size_t count, std::size_t size);
  /// C's realloc: grows in place when the next block is free, else moves; nullptr leaves `block`
  /// as it was. A null `block` allocates.
  [[nodiscard]] void* reallocate(void* block, std::size_t size);
  /// C's free; nullptr is ignored.
  void release(void* block);

  /// Whether `block` lies in this heap's buffer.
  [[nodiscard]] bool owns(const void* block) const;
  /// The bytes a block handed out can hold (at least what was asked).
  [[nodiscard]] std::size_t usable_size(const void* block) const;

  [[nodiscard]] std::size_t capacity() const { return static_cast<std::size_t>(m_end - m_begin); }
  /// Bytes in blocks handed out, their headers included.
  [[nodiscard]] std::size_t used() const { return m_used; }
  [[nodiscard]] std::size_t high_water() const { return m_high_water; }
  [[nodiscard]] std::size_t live_blocks() const { return m_live; }
  [[nodiscard]] std::uint64_t allocation_count() const { return m_allocations; }
  /// Requests refused for want of a large enough free block.
  [[nodiscard]] std::uint64_t failure_count() const { return m_failures; }
  /// The largest request that refused (0 if none): what a message can quote.
  [[nodiscard]] std::size_t largest_failed_request() const { return m_largest_failure; }

  /// Walks every block and checks the tags and the free list against each other (tests).
  [[nodiscard]] bool consistent() const;

private:
  struct Block;
  Block* first_fit(std::size_t block_bytes);
  void unlink(Block* block);
  void push_free(Block* block);
  void split(Block* block, std::size_t block_bytes);
  Block* next_of(Block* block) const;
  Block* block_of(const void* payload) const;
  void* take(std::size_t size);
  void* refuse(std::size_t size); // counts a request that found no block; nullptr

  std::uint8_t* m_begin = nullptr;
  std::uint8_t* m_end = nullptr;
  Block* m_free = nullptr; // doubly linked through the payload of free blocks
  std::size_t m_used = 0;
  std::size_t m_high_water = 0;
  std::size_t m_live = 0;
  std::uint64_t m_allocations = 0;
  std::uint64_t m_failures = 0;
  std::size_t m_largest_failure = 0;
};

inline constexpr std::size_t kFixedHeapAlignment = alignof(std::max_align_t);

} // namespace ec
