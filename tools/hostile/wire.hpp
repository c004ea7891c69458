// SPDX-License-Identifier: GPL-2.0
// The module's wire format (net/rdma_sock/rsk_wire.h), read as it is: the
// kernel header with the few kernel types it uses defined for userspace,
// so that the hostile peer and the module can never disagree on a layout.
#pragma once

#include <cstdint>
#include <linux/types.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;
#define __packed __attribute__((packed))
// Its size checks become static_asserts (include/linux/build_bug.h here).

#include "../../net/rdma_sock/rsk_wire.h"

#undef __packed
