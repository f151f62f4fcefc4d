// core/base/fixed_heap.cpp - FixedHeap: first fit, boundary tags, coalescing on free.
//
// The buffer is a row of blocks that covers it exactly. Each block starts with its header: the
// size of the block before it (0 for the first) and its own size with bit 0 set while it is in use.
// Sizes are multiples of kAlign, headers included, so payloads stay aligned. A free block keeps the
// free list's two links in its payload; no two free blocks are ever next to each other.
#include "core/base/fixed_heap.h"

#include "core/base/error.h"

#include <cstring>

namespace ec {

namespace {

constexpr std::size_t kAlign = kFixedHeapAlignment;
constexpr std::size_t kUsedBit = 1;

constexpr std::size_t round_up(std::size_t bytes) {
  return (bytes + (kAlign - 1)) & ~(kAlign - 1);
}

} // namespace

struct FixedHeap::Block {
  std::size_t prev_bytes; // size of the block before this one; 0 for the first
  std::size_t tag;        // size of this block, | kUsedBit while handed out

  [[nodiscard]] std::size_t bytes() const { return tag & ~kUsedBit; }
  [[nodiscard]] bool used() const { return (tag & kUsedBit) != 0; }
  void set(std::size_t bytes, bool in_use) { tag = bytes | (in_use ? kUsedBit : 0); }
  std::uint8_t* address() { return reinterpret_cast<std::uint8_t*>(this); }
  std::uint8_t* payload();
  Block*& next_free();
  Block*& prev_free();
};

namespace {
constexpr std::size_t kHeader = round_up(2 * sizeof(std::size_t));
// A free block must hold its header and two links.
constexpr std::size_t kMinBlock = round_up(kHeader + 2 * sizeof(void*));
static_assert((kAlign & (kAlign - 1)) == 0 && kAlign >= 2, "alignment is a power of two");

// The block that holds `size` payload bytes (size <= capacity, so no overflow).
constexpr std::size_t block_bytes_for(std::size_t size) {
  std::size_t bytes = round_up(size + kHeader);
  return bytes < kMinBlock ? kMinBlock : bytes;
}
} // namespace

std::uint8_t* FixedHeap::Block::payload() {
  return address() + kHeader;
}

FixedHeap::Block*& FixedHeap::Block::next_free() {
  return reinterpret_cast<Block**>(payload())[0];
}

FixedHeap::Block*& FixedHeap::Block::prev_free() {
  return reinterpret_cast<Block**>(payload())[1];
}

FixedHeap::FixedHeap(MutableBytes storage) {
  std::uintptr_t start = reinterpret_cast<std::uintptr_t>(storage.data());
  std::uintptr_t aligned = (start + (kAlign - 1)) & ~static_cast<std::uintptr_t>(kAlign - 1);
  std::size_t skipped = static_cast<std::size_t>(aligned - start);
  if (skipped >= storage.size() || storage.size() - skipped < kMinBlock)
    return; // too small to hold one block: every request fails
  std::size_t capacity = (storage.size() - skipped) & ~(kAlign - 1);
  m_begin = storage.data() + skipped;
  m_end = m_begin + capacity;
  Block* whole = reinterpret_cast<Block*>(m_begin);
  whole->prev_bytes = 0;
  whole->set(capacity, false);
  push_free(whole);
}

FixedHeap::Block* FixedHeap::next_of(Block* block) const {
  std::uint8_t* next = block->address() + block->bytes();
  return next == m_end ? nullptr : reinterpret_cast<Block*>(next);
}

void FixedHeap::push_free(Block* block) {
  block->next_free() = m_free;
  block->prev_free() = nullptr;
  if (m_free)
    m_free->prev_free() = block;
  m_free = block;
}

void FixedHeap::unlink(Block* block) {
  Block* next = block->next_free();
  Block* prev = block->prev_free();
  if (next)
    next->prev_free() = prev;
  if (prev)
    prev->next_free() = next;
  else
    m_free = next;
}

FixedHeap::Block* FixedHeap::first_fit(std::size_t block_bytes) {
  for (Block* block = m_free; block; block = block->next_free())
    if (block->bytes() >= block_bytes)
      return block;
  return nullptr;
}

// Cuts `block` (in use, or free and off the list) down to `block_bytes` when the rest can stand as
// a block of its own; the rest joins a free block after it and goes on the free list.
void FixedHeap::split(Block* block, std::size_t block_bytes) {
  std::size_t rest_bytes = block->bytes() - block_bytes;
  if (rest_bytes < kMinBlock)
    return;
  bool in_use = block->used();
  block->set(block_bytes, in_use);
  Block* rest = reinterpret_cast<Block*>(block->address() + block_bytes);
  rest->prev_bytes = block_bytes;
  rest->set(rest_bytes, false);
  Block* after = next_of(rest);
  if (after && !after->used()) {
    unlink(after);
    rest->set(rest_bytes + after->bytes(), false);
    after = next_of(rest);
  }
  if (after)
    after->prev_bytes = rest->bytes();
  push_free(rest);
}

FixedHeap::Block* FixedHeap::block_of(const void* payload) const {
  EC_CHECK(owns(payload));
  const std::uint8_t* address = static_cast<const std::uint8_t*>(payload) - kHeader;
  EC_CHECK(static_cast<std::size_t>(address - m_begin) % kAlign == 0);
  Block* block = reinterpret_cast<Block*>(const_cast<std::uint8_t*>(address));
  EC_CHECK(block->used()); // freed twice, or never handed out
  return block;
}

bool FixedHeap::owns(const void* block) const {
  const std::uint8_t* address = static_cast<const std::uint8_t*>(block);
  return m_begin && address >= m_begin + kHeader && address < m_end;
}

std::size_t FixedHeap::usable_size(const void* block) const {
  return block_of(block)->bytes() - kHeader;
}

void* FixedHeap::take(std::size_t size) {
  if (size == 0)
    size = 1;
  std::size_t block_bytes = size <= capacity() ? block_bytes_for(size) : 0;
  Block* block = block_bytes != 0 ? first_fit(block_bytes) : nullptr;
  if (!block)
    return refuse(size);
  unlink(block);
  block->set(block->bytes(), true);
  split(block, block_bytes);
  m_used += block->bytes();
  if (m_used > m_high_water)
    m_high_water = m_used;
  ++m_live;
  ++m_allocations;
  return block->payload();
}

void* FixedHeap::refuse(std::size_t size) {
  ++m_failures;
  if (size > m_largest_failure)
    m_largest_failure = size;
  return nullptr;
}

void* FixedHeap::allocate(std::size_t size) {
  return take(size);
}

void* FixedHeap::allocate_zeroed(std::size_t count, std::size_t size) {
  if (size != 0 && count > SIZE_MAX / size)
    return refuse(SIZE_MAX);
  void* block = take(count * size);
  if (block)
    std::memset(block, 0, count * size);
  return block;
}

void FixedHeap::release(void* payload) {
  if (!payload)
    return;
  Block* block = block_of(payload);
  m_used -= block->bytes();
  --m_live;
  block->set(block->bytes(), false);
  Block* after = next_of(block);
  if (after && !after->used()) {
    unlink(after);
    block->set(block->bytes() + after->bytes(), false);
  }
  if (block->prev_bytes != 0) {
    Block* before = reinterpret_cast<Block*>(block->address() - block->prev_bytes);
    if (!before->used()) {
      unlink(before);
      before->set(before->bytes() + block->bytes(), false);
      block = before;
    }
  }
  if (Block* following = next_of(block))
    following->prev_bytes = block->bytes();
  push_free(block);
}

void* FixedHeap::reallocate(void* payload, std::size_t size) {
  if (!payload)
    return take(size);
  Block* block = block_of(payload);
  if (size == 0)
    size = 1;
  if (size > capacity())
    return refuse(size);
  std::size_t block_bytes = block_bytes_for(size);
  std::size_t had = block->bytes();
  if (block_bytes > had) {
    // In place, when the free block after it makes up the difference.
    Block* after = next_of(block);
    if (!after || after->used() || had + after->bytes() < block_bytes) {
      void* moved = take(size);
      if (!moved)
        return nullptr;
      std::memcpy(moved, payload, had - kHeader);
      release(payload);
      return moved;
    }
    unlink(after);
    block->set(had + after->bytes(), true);
    if (Block* following = next_of(block))
      following->prev_bytes = block->bytes();
  }
  split(block, block_bytes);
  m_used = m_used - had + block->bytes();
  if (m_used > m_high_water)
    m_high_water = m_used;
  ++m_allocations;
  return payload;
}

bool FixedHeap::consistent() const {
  std::size_t used = 0;
  std::size_t live = 0;
  std::size_t free_blocks = 0;
  std::size_t prev_bytes = 0;
  bool prev_free = false;
  for (std::uint8_t* at = m_begin; at && at < m_end;) {
    Block* block = reinterpret_cast<Block*>(at);
    std::size_t bytes = block->bytes();
    if (bytes < kMinBlock || bytes % kAlign != 0 || bytes > static_cast<std::size_t>(m_end - at))
      return false;
    if (block->prev_bytes != prev_bytes)
      return false;
    if (!block->used() && prev_free)
      return false; // two free blocks side by side: a missed coalesce
    if (block->used()) {
      used += bytes;
      ++live;
    } else {
      ++free_blocks;
    }
    prev_free = !block->used();
    prev_bytes = bytes;
    at += bytes;
  }
  std::size_t listed = 0;
  for (Block* block = m_free; block; block = block->next_free()) {
    if (block->used() || ++listed > free_blocks)
      return false;
    if (block->next_free() && block->next_free()->prev_free() != block)
      return false;
  }
  return listed == free_blocks && used == m_used && live == m_live;
}

} // namespace ec
