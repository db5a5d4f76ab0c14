// Every figure a report gives for a scheme, declared once with its name, unit and meaning. The
// table, JSON and CSV writers walk this list, `hvsim reprice` reads results back through it, and
// docs/output.md is checked against it.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "report/scheme_metrics.h"

namespace hvsim {

// A metric's value: a count, a real number, or none (a baseline missing from the run).
struct MetricValue {
  enum class Kind : uint8_t { kCount, kReal, kNone };
  Kind kind = Kind::kNone;
  uint64_t count = 0;
  double real = 0;

  static MetricValue of(uint64_t v) { return {Kind::kCount, v, 0}; }
  static MetricValue of(double v) { return {Kind::kReal, 0, v}; }
  static MetricValue of(const std::optional<double>& v) { return v ? of(*v) : MetricValue{}; }
};

// How the human table shows a metric.
enum class TableFormat : uint8_t { kSi, kFixed2, kPercent, kSignedPercent, kTimes };

struct SchemeMetricDef {
  std::string_view name;  // JSON key and CSV column
  std::string_view unit;
  std::string_view doc;
  MetricValue (*value)(const SchemeMetrics&);
  // A counter the simulation keeps (read back from JSON by `reprice`); null for figures derived
  // or priced from others.
  uint64_t SchemeStats::*counter = nullptr;
  int table_column = 0;  // position in the human table (1 = first after the scheme), 0 = absent
  std::string_view table_head = {};
  TableFormat table_format = TableFormat::kSi;
};

// The scalar per-scheme metrics, in CSV column order.
std::span<const SchemeMetricDef> scheme_metric_defs();

// Per-scheme figures that have a structure of their own (by exit reason, by operation, the
// scheme's own figures, the counts behind the priced cycles).
struct StructuredMetricDef {
  std::string_view name;
  std::string_view unit;
  std::string_view doc;
};
std::span<const StructuredMetricDef> structured_metric_defs();

}  // namespace hvsim
