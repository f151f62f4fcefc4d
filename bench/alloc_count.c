/* bench/alloc_count.c - Counts every heap call of the program it is linked into.
 *
 * Linked into edgecur_alloc_count (firmware/CMakeLists.txt, EDGECUR_ALLOC_COUNT=ON) with the
 * linker's --wrap for malloc, calloc, realloc, free and the aligned allocators: every call to
 * them from any object of the static link (edgecur, libstdc++'s operator new, curl, SQLite,
 * glibc's own stdio) lands here first, is counted and goes on to glibc. At exit the counts go,
 * as one line of `name=count` pairs, to the file named by $EDGECUR_ALLOC_COUNT_FILE (nothing
 * when it is unset). Used by tests/firmware/alloc_count_test.py and bench/footprint.py to show
 * that the ingest makes no heap allocation that grows with the input. Never shipped.
 */
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

void* __real_malloc(size_t size);
void* __real_calloc(size_t count, size_t size);
void* __real_realloc(void* pointer, size_t size);
void __real_free(void* pointer);
void* __real_aligned_alloc(size_t alignment, size_t size);
int __real_posix_memalign(void** out, size_t alignment, size_t size);
void* __real_memalign(size_t alignment, size_t size);

static atomic_ulong g_malloc, g_calloc, g_realloc, g_aligned, g_free;

void* __wrap_malloc(size_t size) {
  atomic_fetch_add_explicit(&g_malloc, 1, memory_order_relaxed);
  return __real_malloc(size);
}

void* __wrap_calloc(size_t count, size_t size) {
  atomic_fetch_add_explicit(&g_calloc, 1, memory_order_relaxed);
  return __real_calloc(count, size);
}

void* __wrap_realloc(void* pointer, size_t size) {
  atomic_fetch_add_explicit(&g_realloc, 1, memory_order_relaxed);
  return __real_realloc(pointer, size);
}

void __wrap_free(void* pointer) {
  if (pointer)
    atomic_fetch_add_explicit(&g_free, 1, memory_order_relaxed);
  __real_free(pointer);
}

void* __wrap_aligned_alloc(size_t alignment, size_t size) {
  atomic_fetch_add_explicit(&g_aligned, 1, memory_order_relaxed);
  return __real_aligned_alloc(alignment, size);
}

int __wrap_posix_memalign(void** out, size_t alignment, size_t size) {
  atomic_fetch_add_explicit(&g_aligned, 1, memory_order_relaxed);
  return __real_posix_memalign(out, alignment, size);
}

void* __wrap_memalign(size_t alignment, size_t size) {
  atomic_fetch_add_explicit(&g_aligned, 1, memory_order_relaxed);
  return __real_memalign(alignment, size);
}

/* At exit, after main returned and (with glibc) after the C++ static destructors ran. */
__attribute__((destructor)) static void write_counts(void) {
  const char* path = getenv("EDGECUR_ALLOC_COUNT_FILE");
  if (!path || !*path)
    return;
  /* Snapshot first: snprintf into a stack buffer and write(2) allocate nothing themselves. */
  unsigned long mallocs = atomic_load(&g_malloc), callocs = atomic_load(&g_calloc),
                reallocs = atomic_load(&g_realloc), aligned = atomic_load(&g_aligned),
                frees = atomic_load(&g_free);
  char line[200];
  int length = snprintf(
      line, sizeof line, "allocations=%lu malloc=%lu calloc=%lu realloc=%lu aligned=%lu free=%lu\n",
      mallocs + callocs + reallocs + aligned, mallocs, callocs, reallocs, aligned, frees);
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0 || length <= 0)
    return;
  ssize_t written = write(fd, line, (size_t)length);
  (void)written;
  close(fd);
}
