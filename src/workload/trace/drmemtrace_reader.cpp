#include "workload/trace/drmemtrace_reader.h"

#include <zip.h>

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "common/error.h"
#include "common/printable.h"

namespace hvsim {
namespace {

constexpr size_t kEntry = 12;
constexpr uint64_t kMaxVersion = 6;

// trace_type_t values used here.
enum : uint16_t {
  kRead = 0,
  kWrite = 1,
  kPrefetchFirst = 2,
  kPrefetchLast = 9,
  kInstr = 10,
  kInstrReturn = 16,
  kInstrBundle = 17,
  kFlushFirst = 18,
  kFlushLast = 21,
  kThread = 22,
  kThreadExit = 23,
  kPid = 24,
  kHeader = 25,
  kFooter = 26,
  kHardwarePrefetch = 27,
  kMarker = 28,
  kInstrNoFetch = 29,
  kInstrMaybeFetch = 30,
  kInstrSysenter = 31,
  kPrefetch2First = 32,
  kPrefetch2Last = 46,
  kEncoding = 47,
  kTakenJump = 48,
  kUntakenJump = 49,
};

}  // namespace

std::unique_ptr<DrmemtraceReader> DrmemtraceReader::open(const std::string& path) {
  std::unique_ptr<DrmemtraceReader> r(new DrmemtraceReader());
  r->path_ = path;
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    for (auto& de : std::filesystem::directory_iterator(path, ec))
      if (de.path().extension() == ".zip") r->archives_.push_back(de.path().string());
    std::sort(r->archives_.begin(), r->archives_.end());
    if (r->archives_.empty()) throw InputError(path + ": no drmemtrace .zip archives in this directory");
  } else {
    r->archives_.push_back(path);
  }
  r->buf_.resize(kEntry * 4096);
  r->open_archive(0);
  return r;
}

std::unique_ptr<DrmemtraceReader> DrmemtraceReader::from_memory(std::string data, std::string name) {
  std::unique_ptr<DrmemtraceReader> r(new DrmemtraceReader());
  r->path_ = name;
  r->archives_.push_back(std::move(name));
  r->memory_ = std::move(data);
  r->in_memory_ = true;
  r->buf_.resize(kEntry * 4096);
  r->open_archive(0);
  return r;
}

DrmemtraceReader::~DrmemtraceReader() {
  if (file_) zip_fclose(file_);
  if (zip_) zip_discard(zip_);
}

void DrmemtraceReader::bad(uint64_t off, const std::string& what) {
  std::string where = archives_[archive_];
  if (member_ > 0 && member_ <= members_.size())
    where += "[" + printable(members_[member_ - 1].first, 200) + "]";
  throw FileFormatError(where, off, what);
}

void DrmemtraceReader::open_archive(size_t index) {
  if (file_) zip_fclose(file_), file_ = nullptr;
  if (zip_) zip_discard(zip_), zip_ = nullptr;
  archive_ = index;
  const std::string& name = archives_[index];
  zip_error_t err;
  zip_error_init(&err);
  if (in_memory_) {
    zip_source_t* src = zip_source_buffer_create(memory_.data(), memory_.size(), 0, &err);
    if (src) {
      zip_ = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &err);
      if (!zip_) zip_source_free(src);
    }
  } else {
    int code = 0;
    zip_ = zip_open(name.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code);
    if (!zip_) zip_error_init_with_code(&err, code);
  }
  if (!zip_) {
    std::string msg = zip_error_strerror(&err);
    zip_error_fini(&err);
    throw FileFormatError(name, 0, "not a readable drmemtrace zip archive (" + msg + ")");
  }
  zip_error_fini(&err);
  members_.clear();
  zip_int64_t n = zip_get_num_entries(zip_, 0);
  for (zip_int64_t i = 0; i < n; ++i) {
    const char* nm = zip_get_name(zip_, static_cast<zip_uint64_t>(i), 0);
    if (nm && nm[0] && nm[std::strlen(nm) - 1] != '/') members_.emplace_back(nm, static_cast<uint64_t>(i));
  }
  std::sort(members_.begin(), members_.end());
  if (members_.empty()) throw FileFormatError(name, 0, "drmemtrace archive has no chunk members");
  member_ = 0;
  saw_header_ = false;
  ended_ = false;
}

bool DrmemtraceReader::open_next_member() {
  if (file_) zip_fclose(file_), file_ = nullptr;
  while (member_ == members_.size() || ended_) {
    if (!saw_header_) bad(0, "no trace header record in the archive (expected type 25 with the version)");
    if (archive_ + 1 == archives_.size()) return false;
    open_archive(archive_ + 1);
  }
  file_ = zip_fopen_index(zip_, members_[member_].second, 0);
  ++member_;
  if (!file_) bad(0, std::string("cannot open member: ") + zip_strerror(zip_));
  member_off_ = 0;
  buf_pos_ = buf_len_ = 0;
  return true;
}

void DrmemtraceReader::decode(const uint8_t* rec) {
  uint16_t type, size;
  uint64_t addr;
  std::memcpy(&type, rec, 2);
  std::memcpy(&size, rec + 2, 2);
  std::memcpy(&addr, rec + 4, 8);
  const uint64_t off = member_off_;
  if (!saw_header_ && type != kHeader) bad(off, "expected the trace header record (type 25) first");
  auto ifetch = [&](uint64_t pc, uint32_t len) {
    pending_[npending_++] =
        Event::access(EventKind::kIFetch, pc, static_cast<uint8_t>(std::min(len, 255u)), pid_);
    last_pc_ = pc;
    last_len_ = len;
  };
  auto data = [&](EventKind k) {
    pending_[npending_++] = Event::access(k, addr, static_cast<uint8_t>(std::min<uint16_t>(size, 255)), pid_);
  };
  switch (type) {
    case kRead:
      data(EventKind::kLoad);
      return;
    case kWrite:
      data(EventKind::kStore);
      return;
    case kHeader:
      if (addr == 0 || addr > kMaxVersion)
        bad(off, "unsupported drmemtrace version " + std::to_string(addr) + " (expected 1.." +
                     std::to_string(kMaxVersion) + ")");
      saw_header_ = true;
      return;
    case kPid: {
      auto [it, _] = pids_.try_emplace(addr, static_cast<uint32_t>(pids_.size()));
      pid_ = it->second;
      return;
    }
    case kInstrBundle: {
      if (size > 8) bad(off, "instruction bundle of " + std::to_string(size) + " (at most 8)");
      uint64_t pc = last_pc_ + last_len_;
      for (unsigned i = 0; i < size; ++i) {
        ifetch(pc, rec[4 + i]);
        pc += rec[4 + i];
      }
      return;
    }
    case kFooter:
      ended_ = true;
      return;
    case kThread:
    case kThreadExit:
    case kMarker:
    case kHardwarePrefetch:
    case kEncoding:
    case kInstrNoFetch:
      return;
    default:
      break;
  }
  if ((type >= kInstr && type <= kInstrReturn) || type == kInstrMaybeFetch || type == kInstrSysenter ||
      type == kTakenJump || type == kUntakenJump) {
    ifetch(addr, size);
  } else if ((type >= kPrefetchFirst && type <= kPrefetchLast) ||
             (type >= kPrefetch2First && type <= kPrefetch2Last)) {
    data(EventKind::kLoad);  // a software prefetch still translates its address
  } else if (type >= kFlushFirst && type <= kFlushLast) {
    return;
  } else {
    bad(off, "unknown trace entry type " + std::to_string(type));
  }
}

size_t DrmemtraceReader::next_batch(std::span<Event> out) {
  size_t n = 0;
  for (;;) {
    while (ppos_ < npending_ && n < out.size()) out[n++] = pending_[ppos_++];
    if (n == out.size()) return n;
    npending_ = ppos_ = 0;
    if (buf_pos_ == buf_len_) {
      if (!file_ && !open_next_member()) return n;
      buf_pos_ = buf_len_ = 0;
      while (buf_len_ < buf_.size()) {
        zip_int64_t got = zip_fread(file_, buf_.data() + buf_len_, buf_.size() - buf_len_);
        if (got < 0) bad(member_off_, std::string("corrupt archive member: ") + zip_file_strerror(file_));
        if (got == 0) break;
        buf_len_ += static_cast<size_t>(got);
      }
      if (buf_len_ % kEntry)
        bad(member_off_ + buf_len_ - buf_len_ % kEntry, "truncated trace entry (entries are 12 bytes)");
      if (buf_len_ == 0) {
        zip_fclose(file_);
        file_ = nullptr;
        continue;
      }
    }
    decode(buf_.data() + buf_pos_);
    buf_pos_ += kEntry;
    member_off_ += kEntry;
  }
}

}  // namespace hvsim
