// bench/inflate_floor.cpp - inflate_floor: the speed floor of ingest, plain zlib over a .gz file.
//
// inflate_floor [--runs N] FILE
//
// Reads FILE with read(2) in 64 KiB pieces and inflates it (gzip, every member, also a zlib or
// raw-less stream zlib can detect) into a 64 KiB output buffer that is thrown away. No CSV, no
// parsing: no ingest of the same file can be faster than this on the same machine. Prints one
// line per run and a summary with the best (lowest) time of N runs (default 1): the page cache is
// warm after the first run, so best-of-N measures decompression, not the disk.
#include <zlib.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <string_view>
#include <unistd.h>

namespace {

constexpr std::size_t kBufferBytes = 64 * 1024;

struct RunResult {
  bool ok = false;
  std::uint64_t bytes_in = 0;
  std::uint64_t bytes_out = 0;
  int members = 0;
  double seconds = 0;
};

RunResult inflate_file(const char* path) {
  RunResult result;
  static unsigned char input[kBufferBytes];
  static unsigned char output[kBufferBytes];
  auto started = std::chrono::steady_clock::now();
  int fd = open(path, O_RDONLY);
  if (fd < 0) {
    std::fprintf(stderr, "inflate_floor: cannot open %s\n", path);
    return result;
  }
  z_stream stream;
  std::memset(&stream, 0, sizeof stream);
  if (inflateInit2(&stream, 15 + 32) != Z_OK) { // gzip or zlib header, detected
    close(fd);
    return result;
  }
  bool in_member = true;
  bool failed = false;
  for (;;) {
    ssize_t got = read(fd, input, sizeof input);
    if (got < 0) {
      failed = true;
      break;
    }
    if (got == 0)
      break;
    result.bytes_in += static_cast<std::uint64_t>(got);
    stream.next_in = input;
    stream.avail_in = static_cast<uInt>(got);
    while (stream.avail_in > 0) {
      if (!in_member) { // the next gzip member starts here
        inflateReset(&stream);
        in_member = true;
      }
      stream.next_out = output;
      stream.avail_out = sizeof output;
      int status = inflate(&stream, Z_NO_FLUSH);
      result.bytes_out += sizeof output - stream.avail_out;
      if (status == Z_STREAM_END) {
        ++result.members;
        in_member = false;
      } else if (status != Z_OK && status != Z_BUF_ERROR) {
        std::fprintf(stderr, "inflate_floor: %s: inflate error %d (%s)\n", path, status,
                     stream.msg ? stream.msg : "");
        failed = true;
        break;
      }
    }
    if (failed)
      break;
  }
  // Drain what is left in the window for the last member.
  while (!failed && in_member) {
    stream.next_out = output;
    stream.avail_out = sizeof output;
    int status = inflate(&stream, Z_NO_FLUSH);
    result.bytes_out += sizeof output - stream.avail_out;
    if (status == Z_STREAM_END) {
      ++result.members;
      in_member = false;
    } else if (stream.avail_out == sizeof output) {
      std::fprintf(stderr, "inflate_floor: %s: truncated gzip stream\n", path);
      failed = true;
    }
  }
  inflateEnd(&stream);
  close(fd);
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  result.ok = !failed;
  return result;
}

} // namespace

int main(int argc, char** argv) {
  int runs = 1;
  const char* path = nullptr;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--runs" && i + 1 < argc) {
      runs = std::atoi(argv[++i]);
    } else if (!arg.empty() && arg[0] != '-' && path == nullptr) {
      path = argv[i];
    } else {
      path = nullptr;
      break;
    }
  }
  if (path == nullptr || runs < 1) {
    std::fprintf(stderr, "usage: inflate_floor [--runs N] FILE.gz\n");
    return 2;
  }
  RunResult best;
  for (int run = 1; run <= runs; ++run) {
    RunResult result = inflate_file(path);
    if (!result.ok)
      return 1;
    std::printf("run %d: %.3f s\n", run, result.seconds);
    if (run == 1 || result.seconds < best.seconds)
      best = result;
  }
  std::printf("bytes_in=%llu bytes_out=%llu members=%d seconds=%.6f runs=%d mb_per_s_out=%.1f\n",
              static_cast<unsigned long long>(best.bytes_in),
              static_cast<unsigned long long>(best.bytes_out), best.members, best.seconds, runs,
              best.seconds > 0 ? static_cast<double>(best.bytes_out) / best.seconds / 1e6 : 0.0);
  return 0;
}
