// SPDX-License-Identifier: MIT
/* The interpreter's unit tests (test/unit/vm/test_interp.c) run as native
 * code: same programs, same expected results, codes and instructions. */
#include "jittest.h"

#include "../vm/test_interp.c"
