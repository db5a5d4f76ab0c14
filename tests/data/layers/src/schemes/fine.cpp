// Allowed: a scheme may use the machine and everything below it.
#include "machine/machine.h"
#include "paging/walker.h"
#include "schemes/scheme.h"
