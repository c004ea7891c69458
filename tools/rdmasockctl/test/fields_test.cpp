// SPDX-License-Identifier: GPL-2.0
/*
 * The tables of fields (fields.hpp): values and what they become, JSON,
 * tables and sentences made from a table, and the objects' own tables
 * (format.cpp) well formed.
 */
#include <cstdint>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

#include <gtest/gtest.h>

#include "fields.hpp"
#include "format.hpp"

namespace {

using rsk::json;
using rsk::Value;

/* A flag or a string by mistake, where a number was meant: refused. */
static_assert(!std::is_constructible_v<Value, int>);
static_assert(!std::is_constructible_v<Value, int64_t>);
static_assert(!std::is_constructible_v<Value, double>);
static_assert(std::is_constructible_v<Value, uint8_t>);
static_assert(std::is_constructible_v<Value, std::optional<uint32_t>>);

TEST(Value, JsonAndText)
{
	EXPECT_EQ(json(nullptr), Value().to_json());
	EXPECT_EQ("-", Value().text());
	EXPECT_EQ(json(true), Value(true).to_json());
	EXPECT_EQ("false", Value(false).text());
	EXPECT_EQ("7", Value(uint8_t(7)).text());
	EXPECT_EQ(json(7), Value(uint8_t(7)).to_json());
	EXPECT_EQ("65535", Value(uint16_t(65535)).text());
	uint64_t max = std::numeric_limits<uint64_t>::max();
	EXPECT_EQ("18446744073709551615", Value(max).text());
	EXPECT_EQ("18446744073709551615", Value(max).to_json().dump());
	EXPECT_EQ("x y", Value("x y").text());
	EXPECT_EQ(R"("x \"y\"")", Value(std::string("x \"y\"")).to_json().dump());
	EXPECT_EQ("", Value("").text());	/* empty text is text, not nothing */
	EXPECT_EQ(json(""), Value("").to_json());
	EXPECT_EQ("-", Value(std::optional<uint32_t>()).text());
	EXPECT_EQ(json(nullptr), Value(std::optional<uint32_t>()).to_json());
	EXPECT_EQ("0", Value(std::optional<uint32_t>(0)).text());
	json j = {{"addr", "10.0.0.1"}, {"port", 1}};
	EXPECT_EQ(j, Value(j).to_json());
	EXPECT_EQ(R"({"addr":"10.0.0.1","port":1})", Value(j).text());
}

/* A made-up object, with a field of each sort. */
struct Thing {
	std::string name;
	uint32_t count = 0;
	bool broken = false;
	std::optional<uint32_t> extra;
};

const rsk::Fields<Thing> thing_fields = {
	{"name", "Name", [](const Thing &t) -> Value { return t.name; }},
	{nullptr, "Shout", [](const Thing &t) -> Value { return t.name + "!"; }},
	{"count", nullptr, [](const Thing &t) -> Value { return t.count; }},
	{"broken", "State", [](const Thing &t) -> Value { return t.broken; },
	 [](const Thing &t) -> std::string { return t.broken ? "broken" : "fine"; }},
	{.key = "extra", .header = "Extra", .get = [](const Thing &t) -> Value { return t.extra; },
	 .details = true},
};

} /* namespace */

template <> const rsk::Fields<Thing> &rsk::fields_of<Thing>() { return thing_fields; }

namespace {

std::vector<Thing> things()
{
	return {{"a", 1, false, 5}, {"longer", 22, true, std::nullopt}};
}

TEST(Fields, Json)
{
	EXPECT_EQ(R"({"name":"a","count":1,"broken":false,"extra":5})",
		  rsk::to_json(things()[0]).dump());
	EXPECT_EQ(R"([{"name":"a","count":1,"broken":false,"extra":5},)"
		  R"({"name":"longer","count":22,"broken":true,"extra":null}])",
		  rsk::to_json(things()).dump());
	EXPECT_EQ("[]", rsk::to_json(std::vector<Thing>{}).dump());
}

TEST(Fields, Table)
{
	EXPECT_EQ("Name    Shout    State\n"
		  "a       a!       fine\n"
		  "longer  longer!  broken\n",
		  rsk::to_table(things()));
	EXPECT_EQ("Name    Shout    State   Extra\n"
		  "a       a!       fine    5\n"
		  "longer  longer!  broken  -\n",
		  rsk::to_table(things(), true));
	EXPECT_EQ("Name  Shout  State\n", rsk::to_table(std::vector<Thing>{}));
}

TEST(Fields, Sentence)
{
	Thing t = things()[1];
	/* A field by its key: a column's text, or the value's if it has none. */
	EXPECT_EQ("longer: 22, broken, -\n", rsk::to_text(t, "{name}: {count}, {broken}, {extra}\n"));
	EXPECT_EQ("no field at all", rsk::to_text(t, "no field at all"));
	EXPECT_EQ("", rsk::to_text(t, ""));
	EXPECT_EQ("22}", rsk::to_text(t, "{count}}"));
	EXPECT_THROW(rsk::to_text(t, "{nope}"), std::logic_error);
	EXPECT_THROW(rsk::to_text(t, "{Shout}"), std::logic_error);	/* a header, not a key */
	EXPECT_THROW(rsk::to_text(t, "{name"), std::logic_error);
}

/* An object's table: each field in JSON or a column or both, no key or
 * header twice, a text accessor or details on a column only, and every
 * accessor fine on an object with nothing in it. */
template <class T>
void well_formed(const char *what)
{
	SCOPED_TRACE(what);
	std::set<std::string> keys, headers;
	T empty{};

	for (const rsk::Field<T> &f : rsk::fields_of<T>()) {
		EXPECT_TRUE(f.key || f.header);
		if (f.key) {
			EXPECT_TRUE(keys.insert(f.key).second) << f.key;
		}
		if (f.header) {
			EXPECT_TRUE(headers.insert(f.header).second) << f.header;
		}
		if (!f.header) {
			EXPECT_EQ(nullptr, f.text) << f.key;
			EXPECT_FALSE(f.details) << f.key;
		}
		ASSERT_NE(nullptr, f.get);
		f.get(empty).to_json().dump();
		f.cell(empty);
	}
}

TEST(Fields, ObjectsWellFormed)
{
	well_formed<rsk::Status>("status");
	well_formed<rsk::Device>("device");
	well_formed<rsk::Link>("link");
	well_formed<rsk::Socket>("socket");
	well_formed<rsk::Stat>("counter");
	well_formed<rsk::Policy>("rule");
}

/* The sentences the commands print name fields that exist. */
TEST(Fields, Sentences)
{
	EXPECT_NO_THROW(rsk::to_text(rsk::Status{}, rsk::status_text));
	EXPECT_EQ("rule 0\n", rsk::to_text(rsk::Policy{}, "rule {id}\n"));
}

/* The JSON keys each object has, as rdmasockctl(8) and scripts know them. */
template <class T>
std::vector<std::string> keys()
{
	std::vector<std::string> v;
	json j = rsk::to_json(T{});
	for (const auto &[k, _] : j.items())
		v.push_back(k);
	return v;
}

TEST(Fields, JsonKeys)
{
	using K = std::vector<std::string>;
	EXPECT_EQ((K{"version", "family", "protocol_version", "protocol_min_version", "devices",
		     "links", "sockets"}), keys<rsk::Status>());
	EXPECT_EQ((K{"name", "index", "ports", "srq_depth", "srq_posted", "refs", "dying", "rnr"}),
		  keys<rsk::Device>());
	EXPECT_EQ((K{"id", "dir", "state", "local", "peer", "dev", "qpn", "peer_qpn", "channels",
		     "max_msg", "tx_bytes", "tx_msgs", "rx_bytes", "rx_msgs", "errors", "error"}),
		  keys<rsk::Link>());
	EXPECT_EQ((K{"type", "state", "local", "peer", "recv_q", "send_q", "link", "chan",
		     "peer_chan", "snd_wnd", "rcv_wnd", "uid", "inode", "id"}),
		  keys<rsk::Socket>());
	EXPECT_EQ((K{"value", "total"}), keys<rsk::Stat>());
	EXPECT_EQ((K{"id", "prio", "action", "type", "family", "dst", "prefix", "dport_min",
		     "dport_max", "program"}),
		  keys<rsk::Policy>());
}

} /* namespace */
