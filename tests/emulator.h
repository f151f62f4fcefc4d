// tests/emulator.h - What a test cannot do when its binary runs under qemu-user (cross builds).
#pragma once

#include <gtest/gtest.h>

/// A death test re-executes its binary (gtest's threadsafe style, the only one that does not hang
/// under qemu-user), and the host cannot execute a foreign binary without binfmt_misc: the child
/// never runs, and an EXPECT_DEATH would pass without testing anything. Such a test skips there,
/// saying so; the x86_64 firmware preset runs it natively. tests/CMakeLists.txt defines
/// EC_UNDER_EMULATOR where the tests run through CMAKE_CROSSCOMPILING_EMULATOR.
#if defined(EC_UNDER_EMULATOR)
#define EC_SKIP_DEATH_TEST_UNDER_EMULATOR()                                                        \
  GTEST_SKIP() << "a death test cannot re-execute this binary under qemu-user"
#else
#define EC_SKIP_DEATH_TEST_UNDER_EMULATOR() static_cast<void>(0)
#endif
