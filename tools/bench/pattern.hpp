// SPDX-License-Identifier: GPL-2.0
/*
 * What a stream carries: every 8-byte-aligned offset o of the stream holds
 * the little-endian word(o), a function of o and of a seed the client picks
 * per connection, so any byte can be checked wherever reads split the
 * stream.  Verify::Stamp writes and checks only the word at every 4 KiB
 * boundary (lost, repeated, reordered or misdirected data, at the cost of
 * nothing); Verify::Full every word (any changed byte, at the cost of one
 * pass over the data on each side).
 */
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace rsk_bench {

enum class Verify : uint8_t { None = 0, Stamp = 1, Full = 2 };

const char *verify_name(Verify v);

class Pattern {
public:
	static constexpr uint64_t kStampInterval = 4096;

	Pattern(uint64_t seed, Verify verify) : seed_(seed), verify_(verify) {}

	uint64_t word(uint64_t o) const { return seed_ ^ ((o >> 3) * 0x9e3779b97f4a7c15ULL); }
	uint8_t byte(uint64_t o) const { return static_cast<uint8_t>(word(o) >> (8 * (o & 7))); }

	/* Writes what check() reads into buf, stream bytes [off, off + len). */
	void fill(uint8_t *buf, size_t len, uint64_t off) const;

	/* Every word, whatever the verify mode. */
	void fill_all(uint8_t *buf, size_t len, uint64_t off) const;

	/* The stream offset of the first wrong byte, if any. */
	std::optional<uint64_t> check(const uint8_t *buf, size_t len, uint64_t off) const;

private:
	std::optional<uint64_t> check_bytes(const uint8_t *buf, uint64_t lo, uint64_t hi,
					    uint64_t off) const;

	uint64_t seed_;
	Verify verify_;
};

/* Server debug aid (--corrupt-every N): flips the byte at every stream offset k*N, k >= 1. */
class Corrupter {
public:
	explicit Corrupter(uint64_t every) : every_(every) {}

	void apply(uint8_t *buf, size_t len, uint64_t off) const
	{
		if (!every_)
			return;
		uint64_t x = std::max(every_, (off + every_ - 1) / every_ * every_);
		for (; x < off + len; x += every_)
			buf[x - off] ^= 0xff;
	}

private:
	uint64_t every_;
};

} /* namespace rsk_bench */
