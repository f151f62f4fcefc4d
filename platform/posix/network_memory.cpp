// platform/posix/network_memory.cpp - The network's FixedHeap, its lock and the mbedTLS hook.
#include "platform/network_memory.h"

#include "core/base/error.h"
#include "core/base/fixed_heap.h"
#include "platform/posix/network_heap.h"

#include <mbedtls/platform.h>

#include <cstring>
#include <new>
#include <pthread.h>

namespace ec::platform {

namespace {

FixedHeap g_heap;
bool g_installed = false;
// libcurl's threaded resolver allocates its answer on its own thread.
pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;

class Locked {
public:
  Locked() { pthread_mutex_lock(&g_lock); }
  ~Locked() { pthread_mutex_unlock(&g_lock); }
  Locked(const Locked&) = delete;
  Locked& operator=(const Locked&) = delete;
};

#if defined(MBEDTLS_PLATFORM_MEMORY)
constexpr bool kCoversTls = true;
void* tls_calloc(std::size_t count, std::size_t size) {
  return network_heap::allocate_zeroed(count, size);
}
void tls_free(void* block) {
  network_heap::release(block);
}
#else
constexpr bool kCoversTls = false;
#endif

} // namespace

namespace network_heap {

void install(MutableBytes block) {
  Locked locked;
  EC_CHECK(!g_installed); // the hooks hand out pointers into it for the rest of the process
  new (&g_heap) FixedHeap(block);
  g_installed = true;
#if defined(MBEDTLS_PLATFORM_MEMORY)
  EC_CHECK(mbedtls_platform_set_calloc_free(&tls_calloc, &tls_free) == 0);
#endif
}

bool installed() {
  Locked locked;
  return g_installed;
}

void* allocate(std::size_t size) {
  Locked locked;
  return g_heap.allocate(size);
}

void release(void* block) {
  Locked locked;
  g_heap.release(block);
}

void* reallocate(void* block, std::size_t size) {
  Locked locked;
  return g_heap.reallocate(block, size);
}

char* duplicate(const char* text) {
  std::size_t bytes = std::strlen(text) + 1;
  char* copy = static_cast<char*>(allocate(bytes));
  if (copy)
    std::memcpy(copy, text, bytes);
  return copy;
}

void* allocate_zeroed(std::size_t count, std::size_t size) {
  Locked locked;
  return g_heap.allocate_zeroed(count, size);
}

} // namespace network_heap

NetworkMemoryUse network_memory_use() {
  Locked locked;
  NetworkMemoryUse use;
  if (!g_installed)
    return use;
  use.capacity = g_heap.capacity();
  use.used = g_heap.used();
  use.peak = g_heap.high_water();
  use.allocations = g_heap.allocation_count();
  use.failures = g_heap.failure_count();
  use.largest_failed_request = g_heap.largest_failed_request();
  use.covers_tls = kCoversTls;
  return use;
}

} // namespace ec::platform
