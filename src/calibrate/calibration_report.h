// A calibration for people (a table of what was measured, with its spread and method, and the
// curves on request) and for scripts (JSON, every point of every curve).
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "calibrate/calibration.h"

namespace hvsim {

// The table of fitted values, then the KVM rows and notes.
std::string render_calibration(const Calibration& c);
// The curves: footprint against ns and cycles per load, every chase.
std::string render_curves(const Calibration& c);
// Everything measured and fitted.
nlohmann::json calibration_json(const Calibration& c);

}  // namespace hvsim
