// core/collect/source_registry.h - SourceType and the registry of connection types: the one list
// a new type is added to (source_registry.cpp), beside its own folder.
#pragma once

#include "core/base/arena.h"
#include "core/base/host.h"
#include "core/base/result.h"
#include "core/collect/source.h"
#include "core/config/config.h"

#include <cstddef>
#include <new>
#include <span>
#include <type_traits>
#include <utility>

namespace ec {

/// How a connection type is made, and what it costs.
struct SourceType {
  ConnectionType type;
  /// Arena bytes the source takes for one pass: the object itself and all that open() and
  /// locate() take.
  std::size_t arena_bytes;
  /// Makes the source in `arena`; the SourceHandle it goes into destroys it.
  Result<Source*> (*make)(const ConnectionConfig& config, Host& host, Arena& arena);
};

/// The registered type of `type`; nullptr for one without a source (a bug: EC_CHECK'd by callers).
const SourceType* source_type(ConnectionType type);

/// Arena bytes of `T` made by make_in_arena.
template <typename T> constexpr std::size_t arena_bytes_of() {
  return sizeof(T) + alignof(T) - 1;
}

/// Constructs a T in `arena` (OutOfMemory when it does not fit). Arenas never run destructors:
/// the SourceHandle does.
template <typename T, typename... Args>
Result<Source*> make_in_arena(Arena& arena, Args&&... args) {
  void* memory = arena.allocate(sizeof(T), alignof(T));
  if (!memory)
    return make_error(ErrorCode::OutOfMemory, "arena: out of memory").with_detail("source");
  return static_cast<Source*>(new (memory) T(std::forward<Args>(args)...));
}

/// Owns a Source made in an arena: destroys it (wiping its credentials) when it goes.
class SourceHandle {
public:
  SourceHandle() = default;
  explicit SourceHandle(Source* source) : m_source(source) {}
  ~SourceHandle() { reset(); }
  SourceHandle(const SourceHandle&) = delete;
  SourceHandle& operator=(const SourceHandle&) = delete;
  void reset(Source* source = nullptr) {
    if (m_source)
      m_source->~Source();
    m_source = source;
  }
  [[nodiscard]] Source* get() const { return m_source; }
  Source* operator->() const { return m_source; }
  Source& operator*() const { return *m_source; }

private:
  Source* m_source = nullptr;
};

/// The largest arena_bytes of the types `connections` use (one connection at a time).
std::size_t max_source_arena_bytes(std::span<const ConnectionConfig> connections);

/// Makes the source of `config`'s type in `arena`.
Result<Source*> make_source(const ConnectionConfig& config, Host& host, Arena& arena);

} // namespace ec
