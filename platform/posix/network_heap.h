// platform/posix/network_heap.h - The hooks http_client.cpp gives curl_global_init_mem (and
// mbedTLS): one FixedHeap behind a mutex, for curl's resolver thread.
#pragma once

#include "core/base/bytes.h"

#include <cstddef>

namespace ec::platform::network_heap {

/// Makes `block` the heap for every hook below and, where mbedTLS is built with
/// MBEDTLS_PLATFORM_MEMORY, for mbedTLS. Once per process, before curl_global_init_mem.
void install(MutableBytes block);
[[nodiscard]] bool installed();

void* allocate(std::size_t size);
void release(void* block);
void* reallocate(void* block, std::size_t size);
char* duplicate(const char* text);
void* allocate_zeroed(std::size_t count, std::size_t size);

} // namespace ec::platform::network_heap
