#include "kvm/guest_code.h"

#include <initializer_list>

namespace hvsim {
namespace {

// push_back, not insert: g++ 12 warns falsely (-Warray-bounds) on inserting initializer lists.
void emit(std::vector<uint8_t>& c, std::initializer_list<uint8_t> bytes) {
  for (uint8_t b : bytes) c.push_back(b);
}
void imm(std::vector<uint8_t>& c, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) c.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
bool wide(GuestMode m) { return m == GuestMode::kLong64User; }
// out kDonePort, al; then hlt (real mode) or jmp $ (CPL3 may not halt).
void finish(std::vector<uint8_t>& c, GuestMode m) {
  emit(c, {0xE6, static_cast<uint8_t>(KvmVm::kDonePort)});
  if (wide(m))
    emit(c, {0xEB, 0xFE});
  else
    emit(c, {0xF4});
}
// mov cx, n / mov ecx, n
void count(std::vector<uint8_t>& c, uint16_t n, GuestMode m) {
  c.push_back(0xB9);
  imm(c, n, wide(m) ? 4 : 2);
}
// A memory operand [addr] with register field `reg`: modrm 00 reg 110 + disp16, or modrm
// 00 reg 100 + SIB 0x25 + disp32 (absolute) in 64-bit mode.
void mem_operand(std::vector<uint8_t>& c, uint8_t reg, uint16_t addr, GuestMode m) {
  if (wide(m)) {
    emit(c, {static_cast<uint8_t>(reg << 3 | 4), 0x25});
    imm(c, addr, 4);
  } else {
    c.push_back(static_cast<uint8_t>(reg << 3 | 6));
    imm(c, addr, 2);
  }
}
void jne_back(std::vector<uint8_t>& c, size_t target) {
  emit(c, {0x75, static_cast<uint8_t>(target - (c.size() + 2))});
}

}  // namespace

std::vector<uint8_t> guest_empty_loop(uint16_t n, GuestMode m) {
  std::vector<uint8_t> c;
  count(c, n, m);
  emit(c, {0xE2, 0xFE});  // l: loop l
  finish(c, m);
  return c;
}

std::vector<uint8_t> guest_port_writes(uint16_t port, uint16_t n, GuestMode m) {
  std::vector<uint8_t> c;
  count(c, n, m);
  c.push_back(0xBA);  // mov dx / edx, port
  imm(c, port, wide(m) ? 4 : 2);
  emit(c, {0xEE, 0xE2, 0xFD});  // l: out dx, al; loop l
  finish(c, m);
  return c;
}

std::vector<uint8_t> guest_mmio_writes(uint16_t n, GuestMode m) {
  std::vector<uint8_t> c;
  count(c, n, m);
  if (wide(m)) {
    emit(c, {0xA2});  // l: mov [moffs64 kMmioBase], al; loop l
    imm(c, KvmVm::kMmioBase, 8);
    emit(c, {0xE2, 0xF5});
  } else {
    emit(c, {0x26, 0xA2, 0x00, 0x00, 0xE2, 0xFA});  // l: mov es:[0], al; loop l
  }
  finish(c, m);
  return c;
}

std::vector<uint8_t> guest_cpuid_exits(uint16_t n, GuestMode m) {
  std::vector<uint8_t> c;
  const bool real = !wide(m);  // 32-bit operands in real mode take the 0x66 prefix
  if (real) c.push_back(0x66);
  c.push_back(0xBF);  // mov edi, n
  imm(c, n, 4);
  const size_t top = c.size();
  if (real) c.push_back(0x66);
  emit(c, {0x31, 0xC0, 0x0F, 0xA2});  // l: xor eax, eax; cpuid
  if (real) c.push_back(0x66);
  emit(c, {0xFF, 0xCF});  // dec edi
  jne_back(c, top);       // jnz l
  finish(c, m);
  return c;
}

std::vector<uint8_t> guest_ring(uint16_t n, bool kick, GuestMode m) {
  std::vector<uint8_t> c;
  emit(c, {0x31, 0xDB});  // xor bx, bx
  const size_t top = c.size();
  if (wide(m))
    emit(c, {0xFF, 0xC3});  // l: inc ebx (0x43 is a REX prefix in 64-bit mode)
  else
    emit(c, {0x43});  // l: inc bx
  c.push_back(0x89);  // mov [request], bx
  mem_operand(c, 3, kRequestAddr, m);
  if (kick) emit(c, {0xE6, static_cast<uint8_t>(kEventPort)});  // out port, al
  const size_t wait = c.size();
  c.push_back(0x39);  // w: cmp [response], bx
  mem_operand(c, 3, kResponseAddr, m);
  jne_back(c, wait);
  emit(c, {0x81, 0xFB});  // cmp bx, n
  imm(c, n, wide(m) ? 4 : 2);
  jne_back(c, top);
  finish(c, m);
  return c;
}

}  // namespace hvsim
