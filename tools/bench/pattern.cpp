// SPDX-License-Identifier: GPL-2.0
#include "pattern.hpp"

#include <endian.h>

#include <cstring>

namespace rsk_bench {

namespace {

/* fn(lo, hi) on the part of each stamp within [off, off + len), until it returns a value. */
template <class Fn>
std::optional<uint64_t> for_each_stamp(uint64_t off, size_t len, Fn fn)
{
	uint64_t end = off + len;
	uint64_t s = off / Pattern::kStampInterval * Pattern::kStampInterval;

	if (s + 8 <= off)
		s += Pattern::kStampInterval;
	for (; s < end; s += Pattern::kStampInterval)
		if (auto r = fn(std::max(s, off), std::min(s + 8, end)))
			return r;
	return std::nullopt;
}

} /* namespace */

const char *verify_name(Verify v)
{
	switch (v) {
	case Verify::None:
		return "none";
	case Verify::Stamp:
		return "stamp";
	case Verify::Full:
		return "full";
	}
	return "?";
}

void Pattern::fill(uint8_t *buf, size_t len, uint64_t off) const
{
	if (verify_ == Verify::Full)
		fill_all(buf, len, off);
	else if (verify_ == Verify::Stamp)
		for_each_stamp(off, len, [&](uint64_t lo, uint64_t hi) {
			for (uint64_t x = lo; x < hi; x++)
				buf[x - off] = byte(x);
			return std::optional<uint64_t>();
		});
}

void Pattern::fill_all(uint8_t *buf, size_t len, uint64_t off) const
{
	uint64_t o = off, end = off + len;

	for (; o < end && (o & 7); o++)
		buf[o - off] = byte(o);
	for (; o + 8 <= end; o += 8) {
		uint64_t w = htole64(word(o));
		memcpy(buf + (o - off), &w, 8);
	}
	for (; o < end; o++)
		buf[o - off] = byte(o);
}

std::optional<uint64_t> Pattern::check(const uint8_t *buf, size_t len, uint64_t off) const
{
	if (verify_ == Verify::Stamp)
		return for_each_stamp(off, len, [&](uint64_t lo, uint64_t hi) {
			return check_bytes(buf, lo, hi, off);
		});
	if (verify_ != Verify::Full)
		return std::nullopt;

	uint64_t o = off, end = off + len;
	uint64_t head = std::min<uint64_t>(end, (o + 7) & ~uint64_t(7));
	if (auto bad = check_bytes(buf, o, head, off))
		return bad;
	for (o = head; o + 8 <= end; o += 8) {
		uint64_t v;
		memcpy(&v, buf + (o - off), 8);
		if (uint64_t diff = le64toh(v) ^ word(o))
			return o + __builtin_ctzll(diff) / 8;
	}
	return check_bytes(buf, o, end, off);
}

std::optional<uint64_t> Pattern::check_bytes(const uint8_t *buf, uint64_t lo, uint64_t hi,
					     uint64_t off) const
{
	for (uint64_t x = lo; x < hi; x++)
		if (buf[x - off] != byte(x))
			return x;
	return std::nullopt;
}

} /* namespace rsk_bench */
