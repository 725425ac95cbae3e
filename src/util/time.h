/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdint.h>

/* The bound of every internal wait unless [runtime] timeout says otherwise. */
#define UR_DEFAULT_TIMEOUT_SEC 30
#define UR_DEFAULT_TIMEOUT_USEC (UR_DEFAULT_TIMEOUT_SEC * UINT64_C(1000000))
