// Zipf-distributed ranks in [1, n] by rejection-inversion (Hörmann and Derflinger, 1996): O(1)
// setup and sampling, so it works for billions of items, unlike tabulating the zeta sum.
#pragma once
#include <cmath>
#include <cstdint>

#include "common/random.h"

namespace hvsim {

class ZipfSampler {
 public:
  ZipfSampler(uint64_t n, double exponent) : n_(static_cast<double>(n)), s_(exponent) {
    h_x1_ = hint(1.5) - 1.0;
    h_n_ = hint(n_ + 0.5);
    shortcut_ = 2.0 - hint_inverse(hint(2.5) - h(2.0));
  }

  uint64_t sample(Rng& rng) const {
    for (;;) {
      double u = h_n_ + rng.unit() * (h_x1_ - h_n_);
      double x = hint_inverse(u);
      double k = std::floor(x + 0.5);
      if (k < 1) k = 1;
      if (k > n_) k = n_;
      if (k - x <= shortcut_ || u >= hint(k + 0.5) - h(k)) return static_cast<uint64_t>(k);
    }
  }

 private:
  double h(double x) const { return std::exp(-s_ * std::log(x)); }
  // Antiderivative of h, written with expm1/log1p so exponents near 1 stay accurate.
  double hint(double x) const {
    double t = (1.0 - s_) * std::log(x);
    return std::abs(t) > 1e-8 ? std::expm1(t) / (1.0 - s_) : std::log(x);
  }
  double hint_inverse(double y) const {
    double t = y * (1.0 - s_);
    if (t < -1.0) t = -1.0;
    return std::abs(t) > 1e-8 ? std::exp(std::log1p(t) / (1.0 - s_)) : std::exp(y);
  }

  double n_, s_, h_x1_, h_n_, shortcut_;
};

}  // namespace hvsim
