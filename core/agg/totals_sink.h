// core/agg/totals_sink.h - TotalsSink: where a full table spills its partial sums.
#pragma once

#include "core/agg/hour_key.h"
#include "core/base/result.h"

#include <span>

namespace ec {

/// Receives batches of partial sums; the same key may arrive in many batches. The batch is valid
/// during the call only.
class TotalsSink {
public:
  virtual Status on_batch(std::span<const KeyedTotals> batch) = 0;

protected:
  ~TotalsSink() = default;
};

} // namespace ec
