// tests/base/fixed_heap_test.cpp - FixedHeap against a model: contents kept, no overlap, every
// block aligned, the tags consistent after each step, and the whole buffer back after freeing all.
#include "core/base/fixed_heap.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "tests/emulator.h"

namespace ec {
namespace {

struct Live {
  std::uint8_t* data;
  std::size_t size;
  std::uint8_t fill;
};

bool aligned(const void* block) {
  return reinterpret_cast<std::uintptr_t>(block) % kFixedHeapAlignment == 0;
}

bool intact(const Live& live) {
  for (std::size_t i = 0; i < live.size; ++i)
    if (live.data[i] != static_cast<std::uint8_t>(live.fill + i))
      return false;
  return true;
}

void fill(Live& live) {
  for (std::size_t i = 0; i < live.size; ++i)
    live.data[i] = static_cast<std::uint8_t>(live.fill + i);
}

TEST(FixedHeap, AllocatesAlignedBlocksAndFailsWhenFull) {
  alignas(std::max_align_t) static std::uint8_t storage[4096];
  FixedHeap heap(MutableBytes(storage, sizeof storage));
  EXPECT_EQ(heap.capacity(), sizeof storage);
  void* a = heap.allocate(1);
  void* b = heap.allocate(100);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_TRUE(aligned(a) && aligned(b));
  EXPECT_GE(heap.usable_size(b), 100u);
  EXPECT_EQ(heap.live_blocks(), 2u);
  EXPECT_EQ(heap.allocate(4096), nullptr); // the headers take room too
  EXPECT_EQ(heap.failure_count(), 1u);
  EXPECT_EQ(heap.largest_failed_request(), 4096u);
  EXPECT_EQ(heap.allocate(SIZE_MAX), nullptr);
  EXPECT_EQ(heap.allocate_zeroed(SIZE_MAX / 2, 4), nullptr); // the product overflows
  EXPECT_EQ(heap.failure_count(), 3u);
  heap.release(a);
  heap.release(b);
  heap.release(nullptr);
  EXPECT_EQ(heap.used(), 0u);
  EXPECT_TRUE(heap.consistent());
  // Everything coalesced back into one block: the largest request that fits succeeds again.
  void* whole = heap.allocate(heap.capacity() - 2 * sizeof(std::size_t) - kFixedHeapAlignment);
  EXPECT_NE(whole, nullptr);
  EXPECT_TRUE(heap.consistent());
}

TEST(FixedHeap, ATooSmallOrUnalignedBufferIsUsableOrEmpty) {
  alignas(std::max_align_t) static std::uint8_t storage[256];
  FixedHeap tiny(MutableBytes(storage, 8));
  EXPECT_EQ(tiny.capacity(), 0u);
  EXPECT_EQ(tiny.allocate(1), nullptr);
  EXPECT_TRUE(tiny.consistent());
  FixedHeap skewed(MutableBytes(storage + 3, 200));
  void* block = skewed.allocate(50);
  ASSERT_NE(block, nullptr);
  EXPECT_TRUE(aligned(block));
  EXPECT_LE(skewed.capacity(), 197u);
  EXPECT_TRUE(skewed.consistent());
  FixedHeap none;
  EXPECT_EQ(none.allocate(1), nullptr);
  EXPECT_FALSE(none.owns(block));
}

TEST(FixedHeap, CallocZeroesAndReallocKeepsTheBytes) {
  alignas(std::max_align_t) static std::uint8_t storage[8192];
  std::memset(storage, 0xAB, sizeof storage);
  FixedHeap heap(MutableBytes(storage, sizeof storage));
  auto* zeroed = static_cast<std::uint8_t*>(heap.allocate_zeroed(10, 30));
  ASSERT_NE(zeroed, nullptr);
  EXPECT_TRUE(std::all_of(zeroed, zeroed + 300, [](std::uint8_t b) { return b == 0; }));

  auto* grown = static_cast<char*>(heap.reallocate(nullptr, 10)); // realloc(NULL) allocates
  ASSERT_NE(grown, nullptr);
  std::memcpy(grown, "0123456789", 10);
  // Grows in place while the block after it is free...
  char* same = static_cast<char*>(heap.reallocate(grown, 1000));
  EXPECT_EQ(same, grown);
  EXPECT_EQ(std::memcmp(same, "0123456789", 10), 0);
  // ...moves when it is not, and a failed one leaves the block as it was.
  void* blocker = heap.allocate(16);
  ASSERT_NE(blocker, nullptr);
  char* moved = static_cast<char*>(heap.reallocate(same, 3000));
  ASSERT_NE(moved, nullptr);
  EXPECT_NE(moved, same);
  EXPECT_EQ(std::memcmp(moved, "0123456789", 10), 0);
  EXPECT_EQ(heap.reallocate(moved, 1 << 20), nullptr);
  EXPECT_EQ(std::memcmp(moved, "0123456789", 10), 0);
  // Shrinking gives the tail back.
  std::size_t before = heap.used();
  EXPECT_EQ(heap.reallocate(moved, 20), moved);
  EXPECT_LT(heap.used(), before);
  EXPECT_TRUE(heap.consistent());
  heap.release(moved);
  heap.release(blocker);
  heap.release(zeroed);
  EXPECT_EQ(heap.used(), 0u);
  EXPECT_EQ(heap.live_blocks(), 0u);
  EXPECT_TRUE(heap.consistent());
}

// 200,000 random steps of malloc, calloc, realloc and free of 1 B to 8 KiB in 256 KiB, checked
// after each against the model: what each live block holds, and the heap's own tags.
TEST(FixedHeap, RandomStepsAgreeWithTheModel) {
  static std::uint8_t storage[256 * 1024];
  FixedHeap heap(MutableBytes(storage, sizeof storage));
  std::mt19937 random(20261207);
  std::vector<Live> live;
  std::size_t refused = 0;
  for (int step = 0; step < 200000; ++step) {
    unsigned choice = random() % 10;
    std::size_t size = random() % 4 == 0 ? 1 + random() % 8192 : 1 + random() % 256;
    if (choice < 5 || live.empty()) {
      bool zeroed = choice == 0;
      auto* data =
          static_cast<std::uint8_t*>(zeroed ? heap.allocate_zeroed(size, 1) : heap.allocate(size));
      if (!data) {
        ++refused;
        continue;
      }
      ASSERT_TRUE(aligned(data));
      if (zeroed) {
        ASSERT_TRUE(std::all_of(data, data + size, [](std::uint8_t b) { return b == 0; }));
      }
      Live block{data, size, static_cast<std::uint8_t>(random())};
      fill(block);
      live.push_back(block);
    } else if (choice < 8) {
      std::size_t pick = random() % live.size();
      ASSERT_TRUE(intact(live[pick])) << "step " << step;
      heap.release(live[pick].data);
      live[pick] = live.back();
      live.pop_back();
    } else {
      Live& block = live[random() % live.size()];
      auto* data = static_cast<std::uint8_t*>(heap.reallocate(block.data, size));
      if (!data) {
        ++refused;
        ASSERT_TRUE(intact(block));
        continue;
      }
      ASSERT_TRUE(aligned(data));
      block.data = data;
      block.size = std::min(block.size, size);
      ASSERT_TRUE(intact(block)) << "step " << step;
      block.size = size;
      fill(block);
    }
    if (step % 97 == 0) {
      ASSERT_TRUE(heap.consistent()) << "step " << step;
      for (const Live& block : live)
        ASSERT_TRUE(intact(block)) << "step " << step;
    }
  }
  EXPECT_GT(refused, 0u) << "the heap never filled: the test does not reach exhaustion";
  EXPECT_LE(heap.high_water(), heap.capacity());
  for (const Live& block : live) {
    ASSERT_TRUE(intact(block));
    heap.release(block.data);
  }
  EXPECT_EQ(heap.used(), 0u);
  EXPECT_TRUE(heap.consistent());
  EXPECT_NE(heap.allocate(200 * 1024), nullptr) << "freed blocks did not coalesce";
}

TEST(FixedHeapDeathTest, AForeignOrDoubleFreeAborts) {
  EC_SKIP_DEATH_TEST_UNDER_EMULATOR();
  alignas(std::max_align_t) static std::uint8_t storage[1024];
  FixedHeap heap(MutableBytes(storage, sizeof storage));
  void* block = heap.allocate(10);
  heap.release(block);
  EXPECT_DEATH(heap.release(block), "internal check failed at .*fixed_heap.cpp.*used\\(\\)");
  int elsewhere = 0;
  EXPECT_DEATH(heap.release(&elsewhere), "internal check failed at .*fixed_heap.cpp.*owns");
}

} // namespace
} // namespace ec
