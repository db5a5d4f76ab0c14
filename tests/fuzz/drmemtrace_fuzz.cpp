// Fuzzes the drmemtrace reader. Inputs are the entry stream of one chunk member; the target
// wraps them in a zip (stored, so mutations reach the records), and also tries the raw bytes
// as an archive so that libzip's parsing of hostile archives is exercised through our reader.
#include <zip.h>

#include <cstring>

#include "fuzz_common.h"
#include "workload/trace/drmemtrace_reader.h"

using namespace hvsim;

static std::string make_zip(const std::string& member) {
  zip_error_t err;
  zip_error_init(&err);
  zip_source_t* out = zip_source_buffer_create(nullptr, 0, 0, &err);
  zip_source_keep(out);
  zip_t* z = zip_open_from_source(out, ZIP_TRUNCATE, &err);
  zip_source_t* s = zip_source_buffer(z, member.data(), member.size(), 0);
  zip_int64_t idx = zip_file_add(z, "chunk.0000", s, 0);
  zip_set_file_compression(z, static_cast<zip_uint64_t>(idx), ZIP_CM_STORE, 0);
  zip_close(z);
  std::string bytes;
  if (zip_source_open(out) == 0) {
    char buf[4096];
    zip_int64_t n;
    while ((n = zip_source_read(out, buf, sizeof buf)) > 0) bytes.append(buf, static_cast<size_t>(n));
    zip_source_close(out);
  }
  zip_source_free(out);
  zip_error_fini(&err);
  return bytes;
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::maybe_write_seeds(1, [](int) {
    struct E {
      uint16_t t, s;
      uint64_t a;
    };
    const E es[] = {{25, 0, 5},        {22, 4, 77},       {24, 4, 76},    {28, 12, 5},
                    {10, 3, 0x402680}, {0, 8, 0x7f00},    {1, 4, 0x7f08}, {17, 2, 0x0502},
                    {48, 6, 0x404a78}, {3, 64, 0x601000}, {26, 0, 0}};
    std::string s;
    for (auto& e : es) {
      char r[12];
      std::memcpy(r, &e.t, 2);
      std::memcpy(r + 2, &e.s, 2);
      std::memcpy(r + 4, &e.a, 8);
      s.append(r, 12);
    }
    return s;
  });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string raw(reinterpret_cast<const char*>(data), size);
  for (int mode = 0; mode < 2; ++mode) {
    try {
      auto r = DrmemtraceReader::from_memory(mode == 0 ? make_zip(raw) : raw, "f.zip");
      fuzz::drain(*r);
    } catch (const InputError&) {
    }
  }
  return 0;
}
