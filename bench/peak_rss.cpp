// bench/peak_rss.cpp - Runs a command and writes its own peak RSS (KiB) to a file.
//
// Why not wait4() from the Python driver: Linux keeps ru_maxrss across exec, so a child forked
// from a 100 MB Python process reports Python's size, not the program's. This launcher is small
// (its pre-exec image is far below edgecur's), so the child's ru_maxrss is the program's own.
// usage: peak_rss OUT_FILE COMMAND [ARGS...]; exits with the command's status.
#include <cstdio>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: peak_rss OUT_FILE COMMAND [ARGS...]\n");
    return 2;
  }
  pid_t child = vfork();
  if (child < 0)
    return 2;
  if (child == 0) {
    execvp(argv[2], argv + 2);
    _exit(127);
  }
  int status = 0;
  rusage usage{};
  if (wait4(child, &status, 0, &usage) != child)
    return 2;
  if (std::FILE* out = std::fopen(argv[1], "w")) {
    std::fprintf(out, "%ld\n", usage.ru_maxrss);
    std::fclose(out);
  }
  if (WIFEXITED(status))
    return WEXITSTATUS(status);
  return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}
