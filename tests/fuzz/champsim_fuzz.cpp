#include <cstring>

#include "fuzz_common.h"
#include "workload/trace/byte_input.h"
#include "workload/trace/champsim_reader.h"

using namespace hvsim;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::maybe_write_seeds(2, [](int i) {
    size_t rs = i == 0 ? 64 : 96;
    std::string s(1, static_cast<char>(i));
    for (uint64_t k = 0; k < 4; ++k) {
      std::string r(rs, '\0');
      uint64_t ip = 0x400000 + 4 * k, a = 0x600000 + 8 * k;
      std::memcpy(r.data(), &ip, 8);
      r[8] = static_cast<char>(k % 2);
      std::memcpy(r.data() + (rs == 64 ? 32 : 56), &a, 8);
      s += r;
    }
    return s;
  });
  return 0;
}

// The first byte picks the variant; the rest is the (possibly compressed) trace.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  auto v = data[0] % 2 ? ChampSimReader::Variant::kCloudSuite : ChampSimReader::Variant::kStandard;
  try {
    ChampSimReader r(ByteInput::from_memory(
                         std::string_view(reinterpret_cast<const char*>(data + 1), size - 1), "f.champsim"),
                     v);
    fuzz::drain(r);
  } catch (const InputError&) {
  }
  return 0;
}
