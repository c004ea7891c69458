/* SPDX-License-Identifier: GPL-2.0 */
/* The kernel's BUILD_BUG_ON() for rsk_wire.h read in userspace (wire.hpp). */
#pragma once
#define BUILD_BUG_ON(cond) static_assert(!(cond))
