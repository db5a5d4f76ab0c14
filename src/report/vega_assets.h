// The plotting libraries (Vega, Vega-Lite, vega-embed, pinned in package.json) compiled into the
// program, so `hvsim report` writes pages that open offline and needs no network itself.
#pragma once
#include <string_view>

namespace hvsim {

struct VegaAssets {
  std::string_view vega, vega_lite, vega_embed;  // minified JavaScript
  std::string_view versions;                     // "vega 5.30.0, vega-lite 5.21.0, vega-embed 6.26.0"
};

const VegaAssets& vega_assets();

}  // namespace hvsim
