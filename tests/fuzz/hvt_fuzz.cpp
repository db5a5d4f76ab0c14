// Fuzzes the .hvt reader: whole files (checked chunk framing) and, behind a mode byte, raw chunk
// payloads fed straight to the record decoder (which checksums would otherwise shield).
#include <cstring>

#include "fuzz_common.h"
#include "workload/trace/byte_input.h"
#include "workload/trace/hvt_format.h"
#include "workload/trace/hvt_reader.h"
#include "workload/trace/hvt_writer.h"

using namespace hvsim;

static std::vector<Event> seed_events(int i) {
  std::vector<Event> v;
  for (int k = 0; k < 300; ++k) {
    v.push_back(Event::access(static_cast<EventKind>(k % 3), 0x400000 + 64 * k * (i + 1),
                              static_cast<uint8_t>(1 + k % 8), k % 50 == 0 ? 3 : 0));
    if (k % 40 == 0) {
      Event e;
      e.kind = EventKind::kMmap, e.addr = 0x7f0000000000, e.arg = 8192, e.flags = 1;
      v.push_back(e);
    }
  }
  return v;
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::maybe_write_seeds(4, [](int i) {
    auto ev = seed_events(i);
    if (i % 2 == 0) {
      HvtWriter::Options o;
      o.chunk_records = 100;
      auto w = HvtWriter::to_memory({{"source", "seed"}}, o);
      w.write(ev);
      w.finish({{"duration_s", 1}});
      return std::string(1, '\0') + std::string(w.memory().begin(), w.memory().end());
    }
    std::vector<uint8_t> payload;
    hvt::encode_chunk(ev, payload);
    uint32_t n = static_cast<uint32_t>(ev.size());
    std::string s(1, '\1');
    s.append(reinterpret_cast<const char*>(&n), 4);
    return s + std::string(payload.begin(), payload.end());
  });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  if (data[0] % 2 == 0) {
    try {
      HvtReader r(ByteInput::from_memory(std::string_view(reinterpret_cast<const char*>(data + 1), size - 1),
                                         "f.hvt", false));
      fuzz::drain(r);
    } catch (const InputError&) {
    }
    return 0;
  }
  if (size < 5) return 0;
  uint32_t count;
  std::memcpy(&count, data + 1, 4);
  count = count % 4096 + 1;
  std::vector<uint8_t> payload(data + 5, data + size);
  payload.resize(payload.size() + hvt::kPadding);
  hvt::ChunkDecoder d;
  std::string err;
  if (!d.start(payload.data(), size - 5, count, err)) return 0;
  std::vector<Event> out(61);
  while (!d.done()) {
    size_t n = d.decode(out, err);
    if (n == SIZE_MAX) break;
  }
  return 0;
}
