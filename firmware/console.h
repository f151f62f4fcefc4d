// firmware/console.h - Printing for the commands: messages, errors and number formatting.
#pragma once

#include "core/base/error.h"
#include "core/cur/cur_mapper.h"
#include "core/store/store.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace ec::firmware {

/// "edgecur: <context>: <formatted error>" on stderr.
void print_error(const std::string& context, const Error& error);
/// A line on stderr, prefixed "edgecur: ".
void print_message(const std::string& text);
/// 1234567 -> "1,234,567".
std::string group_digits(std::uint64_t value);
/// Bytes as "12.3 MiB".
std::string human_bytes(std::uint64_t bytes);
/// A billing period YYYYMM as "YYYY-MM".
std::string period_text(std::int32_t yyyymm);
/// The error as text (format_error into a string).
std::string error_text(const Error& error);

/// After a file was rejected for its malformed rows ([ingest] max_malformed): its first ones, as
/// "  <file>:<line>: <reason>" lines on stderr (nothing when it had none).
void print_malformed_locations(const CurMapper& mapper, std::string_view file);

/// After a delivery failed because of one key (Overflow, or a row outside the manifest's billing
/// period): that key, as one line on stderr (nothing when the store names none).
void print_failed_key(const Store& store, ErrorCode error_code);
/// After a delivery was refused because another scope holds it (Store::duplicate()): which scope
/// and period, and the `edgecur forget` that removes that copy if it is the wrong one.
void print_duplicate(const Store& store);

} // namespace ec::firmware
