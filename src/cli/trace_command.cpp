#include "cli/trace_command.h"

#include <fmt/core.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <memory>
#include <vector>

#include "common/error.h"
#include "common/units.h"
#include "workload/trace/hvt_format.h"
#include "workload/trace/hvt_reader.h"
#include "workload/trace/hvt_writer.h"
#include "workload/trace/open_trace.h"
#include "workload/trace/recorder.h"
#include "workload/trace/trace_stats.h"

namespace hvsim {
namespace {

std::string thousands(uint64_t v) {
  const std::string d = std::to_string(v);
  std::string s;
  for (size_t i = 0; i < d.size(); ++i) {
    if (i > 0 && (d.size() - i) % 3 == 0) s.push_back(',');
    s.push_back(d[i]);
  }
  return s;
}

struct ConvertArgs {
  std::string in, out, from;
  uint32_t chunk = 64 * 1024;
  int level = 3;
};

void run_convert(const ConvertArgs& a) {
  // Options first: nothing is read or created before they pass.
  if (a.level < HvtWriter::kMinLevel || a.level > HvtWriter::kMaxLevel)
    throw InputError(fmt::format("--level: {} is out of range; expected a zstd level from {} to {}", a.level,
                                 HvtWriter::kMinLevel, HvtWriter::kMaxLevel));
  if (a.chunk == 0 || a.chunk > hvt::kMaxChunkRecords)
    throw InputError(
        fmt::format("--chunk-records: {} is out of range; expected 1 to {}", a.chunk, hvt::kMaxChunkRecords));
  const auto t0 = std::chrono::steady_clock::now();
  std::string fmt_name;
  auto src = open_trace(a.in, a.from, &fmt_name);
  HvtWriter::Options o;
  o.chunk_records = a.chunk;
  o.zstd_level = a.level;
  nlohmann::json meta = {{"source", fmt_name},
                         {"command", "hvsim trace convert " + a.in + " " + a.out},
                         {"input", a.in},
                         {"created", utc_now_iso8601()},
                         {"hvsim_version", HVSIM_VERSION}};
  // Recorded traces keep their recording metadata.
  if (auto* h = dynamic_cast<HvtReader*>(src.get())) {
    for (auto& [k, v] : h->metadata().items())
      if (k != "created") meta[k] = v;
    meta["converted"] = utc_now_iso8601();
  }
  HvtWriter w(a.out, meta, o);
  std::vector<Event> buf(64 * 1024);
  while (size_t n = src->next_batch(buf)) w.write(std::span<const Event>(buf.data(), n));
  nlohmann::json trailer = nlohmann::json::object();
  if (auto* h = dynamic_cast<HvtReader*>(src.get())) trailer = h->trailer();
  w.finish(trailer);
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  fmt::print("{}: {} records from {} ({}) in {:.2f} s, {} ({:.2f} bytes/record)\n", a.out,
             thousands(w.records()), a.in, fmt_name, s, format_size(w.bytes()),
             w.records() ? double(w.bytes()) / w.records() : 0.0);
}

struct InfoArgs {
  std::string file, format;
  bool json = false;
};

void run_info(const InfoArgs& a) {
  std::string fmt_name;
  auto src = open_trace(a.file, a.format, &fmt_name);
  const auto t0 = std::chrono::steady_clock::now();
  TraceStats st;
  st.add_all(*src);
  double read_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::error_code ec;
  uint64_t file_bytes =
      std::filesystem::is_regular_file(a.file, ec) ? std::filesystem::file_size(a.file, ec) : 0;
  nlohmann::json j = st.to_json();
  j["file"] = a.file;
  j["format"] = fmt_name;
  j["file_bytes"] = file_bytes;
  j["read_seconds"] = read_s;
  if (auto* h = dynamic_cast<HvtReader*>(src.get())) {
    j["metadata"] = h->metadata();
    j["trailer"] = h->trailer();
    j["chunks"] = h->chunks();
    if (h->trailer().contains("duration_s")) j["duration_s"] = h->trailer()["duration_s"];
  }
  if (a.json) {
    fmt::print("{}\n", j.dump(2));
    return;
  }
  auto row = [](const char* k, const std::string& v) { fmt::print("{:<16}{}\n", k, v); };
  row("file", fmt::format("{} ({}, {})", a.file, fmt_name, format_size(file_bytes)));
  if (j.contains("metadata")) {
    for (const char* k : {"source", "command", "created"})
      if (j["metadata"].contains(k) && j["metadata"][k].is_string())
        row(k, j["metadata"][k].get<std::string>());
  }
  row("records", thousands(st.records()));
  row("accesses", fmt::format("{}  (load {} · store {} · ifetch {})", thousands(st.accesses()),
                              thousands(st.count(EventKind::kLoad)), thousands(st.count(EventKind::kStore)),
                              thousands(st.count(EventKind::kIFetch))));
  std::string os;
  for (auto& [k, v] : j["by_kind"].items())
    if (k != "load" && k != "store" && k != "ifetch")
      os += (os.empty() ? "" : " · ") + k + " " + thousands(v.get<uint64_t>());
  row("os events", thousands(st.os_events()) + (os.empty() ? "" : "  (" + os + ")"));
  row("processes", std::to_string(st.processes()));
  row("footprint", format_size(st.footprint_bytes()) + " (distinct 4 KiB pages touched)");
  row("unique pages", fmt::format("4 KiB: {} · 2 MiB: {} · 1 GiB: {}", thousands(st.unique_4k()),
                                  thousands(st.unique_2m()), thousands(st.unique_1g())));
  if (st.accesses()) row("address range", fmt::format("{:#x} – {:#x}", st.min_addr(), st.max_addr()));
  if (j.contains("duration_s"))
    row("duration", fmt::format("{:.2f} s (recording)", j["duration_s"].get<double>()));
  else
    row("duration", "not recorded in this format");
  if (file_bytes && st.records())
    row("bytes/record", fmt::format("{:.3f}", double(file_bytes) / st.records()));
  row("read time",
      fmt::format("{:.2f} s ({:.1f} M records/s)", read_s, read_s > 0 ? st.records() / read_s / 1e6 : 0));
}

}  // namespace

void register_trace_command(CLI::App& app) {
  auto* trace =
      app.add_subcommand("trace", "Record a real program, convert other trace formats, inspect a trace");
  trace->require_subcommand(1);
  const std::string formats = "Formats:\n" + trace_formats_help();

  auto rec = std::make_shared<RecordOptions>();
  auto* r = trace->add_subcommand("record",
                                  "Run CMD under valgrind's lackey tool and write its memory accesses and "
                                  "address-space system calls to an .hvt trace");
  r->add_option("--out,-o", rec->out, "output trace (default: <program>.hvt)");
  r->add_flag("!--no-ifetch", rec->ifetch, "drop instruction fetches");
  r->add_option("--valgrind", rec->valgrind, "valgrind executable")->capture_default_str();
  r->add_option("command", rec->argv, "program and arguments, after --")->required();
  r->callback([rec] {
    RecordOptions o = *rec;
    if (o.out.empty()) o.out = std::filesystem::path(o.argv.front()).filename().string() + ".hvt";
    o.progress = true;
    RecordResult res = record_trace(o);
    // The program's own status is reported, not returned: this command succeeded once the
    // trace is written, and its exit status keeps meaning what it means for every command.
    fmt::print(
        "{}: {} records ({}) from {:.2f} s of '{}' ({}, {} process{}); lackey text {} → {:.2f} "
        "bytes/record\n",
        o.out, thousands(res.records), format_size(res.out_bytes), res.seconds, o.argv.front(),
        describe_exit(res), res.processes, res.processes == 1 ? "" : "es", format_size(res.lackey_bytes),
        res.records ? double(res.out_bytes) / res.records : 0.0);
  });

  auto conv = std::make_shared<ConvertArgs>();
  auto* c = trace->add_subcommand("convert", "Convert a trace of any supported format to .hvt");
  c->footer(formats);
  c->add_option("input", conv->in, "input trace")->required();
  c->add_option("output", conv->out, "output .hvt")->required();
  c->add_option("--from", conv->from, "input format (default: detect)")
      ->check(CLI::IsMember(trace_format_names()));
  c->add_option("--chunk-records", conv->chunk, "records per chunk")->capture_default_str();
  c->add_option("--level", conv->level, "zstd level, 1 (fastest) to 22 (smallest)")->capture_default_str();
  c->callback([conv] { run_convert(*conv); });

  auto info = std::make_shared<InfoArgs>();
  auto* i = trace->add_subcommand("info",
                                  "Records, accesses by kind, footprint, unique pages, OS events of a trace");
  i->footer(formats);
  i->add_option("file", info->file, "trace file")->required();
  i->add_option("--format", info->format, "format (default: detect)")
      ->check(CLI::IsMember(trace_format_names()));
  i->add_flag("--json", info->json, "print JSON");
  i->callback([info] { run_info(*info); });
}

}  // namespace hvsim
