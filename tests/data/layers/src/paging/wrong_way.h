// A deliberately wrong-way include, for the layer check's own test.
#pragma once
#include <cstdint>

#include "common/page_size.h"
#include "schemes/scheme.h"
