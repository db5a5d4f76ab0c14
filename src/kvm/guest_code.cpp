#include "kvm/guest_code.h"

#include <initializer_list>

#include "kvm/kvm_vm.h"

namespace hvsim {
namespace {

// push_back, not insert: g++ 12 warns falsely (-Warray-bounds) on inserting initializer lists.
void emit(std::vector<uint8_t>& c, std::initializer_list<uint8_t> bytes) {
  for (uint8_t b : bytes) c.push_back(b);
}
void imm16(std::vector<uint8_t>& c, uint16_t v) {
  c.push_back(static_cast<uint8_t>(v));
  c.push_back(static_cast<uint8_t>(v >> 8));
}
// out KvmVm::kDonePort, al; hlt
void finish(std::vector<uint8_t>& c) { emit(c, {0xE6, static_cast<uint8_t>(KvmVm::kDonePort), 0xF4}); }
// mov cx, n
void count(std::vector<uint8_t>& c, uint16_t n) {
  c.push_back(0xB9);
  imm16(c, n);
}

}  // namespace

std::vector<uint8_t> guest_empty_loop(uint16_t n) {
  std::vector<uint8_t> c;
  count(c, n);
  emit(c, {0xE2, 0xFE});  // l: loop l
  finish(c);
  return c;
}

std::vector<uint8_t> guest_port_writes(uint16_t port, uint16_t n) {
  std::vector<uint8_t> c;
  count(c, n);
  emit(c, {0xBA});  // mov dx, port
  imm16(c, port);
  emit(c, {0xEE, 0xE2, 0xFD});  // l: out dx, al; loop l
  finish(c);
  return c;
}

std::vector<uint8_t> guest_mmio_writes(uint16_t n) {
  std::vector<uint8_t> c;
  count(c, n);
  emit(c, {0x26, 0xA2, 0x00, 0x00, 0xE2, 0xFA});  // l: mov es:[0], al; loop l
  finish(c);
  return c;
}

std::vector<uint8_t> guest_ring(uint16_t n, bool kick, uint16_t kick_port) {
  std::vector<uint8_t> c;
  emit(c, {0x31, 0xDB});  // xor bx, bx
  const size_t top = c.size();
  emit(c, {0x43, 0x89, 0x1E});  // l: inc bx; mov [request], bx
  imm16(c, kRequestAddr);
  if (kick) emit(c, {0xE6, static_cast<uint8_t>(kick_port)});  // out port, al
  const size_t wait = c.size();
  emit(c, {0x39, 0x1E});  // w: cmp [response], bx
  imm16(c, kResponseAddr);
  emit(c, {0x75, static_cast<uint8_t>(wait - (c.size() + 2))});  // jne w
  emit(c, {0x81, 0xFB});                                         // cmp bx, n
  imm16(c, n);
  emit(c, {0x75, static_cast<uint8_t>(top - (c.size() + 2))});  // jne l
  finish(c);
  return c;
}

}  // namespace hvsim
