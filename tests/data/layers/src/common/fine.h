// Allowed: the floor includes only itself.
#pragma once
#include "common/page_size.h"
