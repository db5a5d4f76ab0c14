#include "report/vega_assets.h"

// The files are ~800 KB together: .incbin copies them into the object as they are, which the
// assembler does at once, where a string literal of that size takes the compiler many seconds.
// CMakeLists.txt defines the paths (from node_modules, installed by `make deps`) and makes this
// file depend on them.
#if !defined(HVSIM_VEGA_JS) || !defined(HVSIM_VEGA_LITE_JS) || !defined(HVSIM_VEGA_EMBED_JS)
#error "HVSIM_VEGA_JS, HVSIM_VEGA_LITE_JS and HVSIM_VEGA_EMBED_JS must name the plotting libraries"
#endif

#define HVSIM_EMBED(sym, path)                                                                               \
  ".section .rodata\n.balign 16\n.global " sym "\n" sym ":\n.incbin \"" path "\"\n.global " sym "_end\n" sym \
  "_end:\n.previous\n"

asm(HVSIM_EMBED("hvsim_vega_js", HVSIM_VEGA_JS) HVSIM_EMBED("hvsim_vega_lite_js", HVSIM_VEGA_LITE_JS)
        HVSIM_EMBED("hvsim_vega_embed_js", HVSIM_VEGA_EMBED_JS));

extern "C" const char hvsim_vega_js[], hvsim_vega_js_end[];
extern "C" const char hvsim_vega_lite_js[], hvsim_vega_lite_js_end[];
extern "C" const char hvsim_vega_embed_js[], hvsim_vega_embed_js_end[];

namespace hvsim {

const VegaAssets& vega_assets() {
  static const VegaAssets assets{
      {hvsim_vega_js, static_cast<size_t>(hvsim_vega_js_end - hvsim_vega_js)},
      {hvsim_vega_lite_js, static_cast<size_t>(hvsim_vega_lite_js_end - hvsim_vega_lite_js)},
      {hvsim_vega_embed_js, static_cast<size_t>(hvsim_vega_embed_js_end - hvsim_vega_embed_js)},
      HVSIM_VEGA_VERSIONS};
  return assets;
}

}  // namespace hvsim
