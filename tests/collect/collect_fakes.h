// tests/collect/collect_fakes.h - FakeHost: core's Host port over the scripted transport of the
// discovery tests, a real directory store, files and environment variables from maps.
#pragma once

#include "core/base/host.h"
#include "platform/dir_object_store.h"

#include <cstring>
#include <map>
#include <string>

#include "../source/discovery_fakes.h"

namespace ec::fakes {

class FakeHost final : public Host {
public:
  Clock& clock() override { return still_clock; }
  Log& log() override { return recorded; }
  RandomSource& random() override { return seeded; }
  Result<HttpTransport*> open_http(const HttpSettings& settings) override {
    (void)settings;
    ++http_opened;
    return static_cast<HttpTransport*>(&transport);
  }
  Result<ObjectStore*> open_directory(std::string_view root, MutableBytes buffer) override {
    EC_TRY(directory.init(root, buffer));
    return static_cast<ObjectStore*>(&directory);
  }
  Result<HostFile> read_file(std::string_view path, std::size_t max_bytes, Arena& arena) override {
    auto found = files.find(std::string(path));
    if (found == files.end())
      return make_error(ErrorCode::NotFound, "file: does not exist");
    if (found->second.size() > max_bytes)
      return make_error(ErrorCode::LimitExceeded, "file: larger than the limit");
    EC_TRY_ASSIGN(char* text, arena.try_allocate_array<char>(found->second.size() + 1, "file"));
    std::memcpy(text, found->second.data(), found->second.size());
    last_file_text = text;
    last_file_size = found->second.size();
    HostFile file;
    file.text = std::string_view(text, found->second.size());
    file.others_can_read = others_can_read;
    return file;
  }
  void release() override { ++released; }
  std::string_view environment(const char* name) override {
    auto found = variables.find(name);
    return found == variables.end() ? std::string_view() : std::string_view(found->second);
  }

  FakeTransport transport;
  StillClock still_clock;
  RecordingLog recorded;
  SplitMix64 seeded{7};
  platform::DirObjectStore directory;
  std::map<std::string, std::string> files;
  std::map<std::string, std::string> variables;
  bool others_can_read = false;
  const char* last_file_text = nullptr; ///< where read_file put the last file, to check the wipe
  std::size_t last_file_size = 0;
  int http_opened = 0;
  int released = 0;
};

} // namespace ec::fakes
