// tests/csv/csv_harness.h - Every chunking and kernel a CsvReader test runs its input through.
#pragma once

#include "core/csv/csv_reader.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "tests/csv/csv_reference.h"

namespace ec::csv_test {

/// Every chunking and kernel under test, each with its own name for failure messages.
inline std::vector<std::pair<std::string, RunOptions>> all_splits(const RunOptions& base,
                                                                  int random_seeds = 5) {
  std::vector<std::pair<std::string, RunOptions>> runs;
  for (CsvKernel kernel : kernels_under_test()) {
    std::string name = csv_kernel_name(kernel);
    RunOptions options = base;
    options.kernel = kernel;
    options.split = Split::Whole;
    runs.emplace_back(name + " whole", options);
    options.split = Split::OneByte;
    runs.emplace_back(name + " 1-byte", options);
    for (int seed = 1; seed <= random_seeds; ++seed) {
      options.split = Split::Random;
      options.seed = static_cast<std::uint32_t>(seed);
      runs.emplace_back(name + " random seed " + std::to_string(seed), options);
      options.split = Split::Lent;
      runs.emplace_back(name + " lent seed " + std::to_string(seed), options);
    }
  }
  return runs;
}

} // namespace ec::csv_test
