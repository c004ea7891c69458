// SPDX-License-Identifier: GPL-2.0
/*
 * Each kind of object the tool shows is described once, by a table of
 * fields (format.cpp), and that table makes both its JSON and its text.
 * A field has its JSON key, its column's header in the text table, and
 * one accessor that gives its value: a number, text, or nothing.
 *
 * A field without a header has no column (a link's max_msg is JSON's
 * only); one without a key is not in JSON (a rule's match, in words, is
 * the table's only).  A column that shows the value otherwise than as its
 * text (a removal flag as "removing", an errno's name after a state) says
 * how, with its own text accessor.  An object shown as a sentence rather
 * than a table row (status) is text with {key} where a field goes.
 */
#pragma once

#include <concepts>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace rsk {

using json = nlohmann::ordered_json;

/*
 * A field's value: nothing (JSON null, "-" in a table), a flag, a number,
 * text, or JSON of its own (an address, a map of counters).  Numbers are
 * unsigned: a signed or floating one does not convert (it would become a
 * flag), it must say what it is.
 */
class Value {
public:
	Value() = default;
	Value(std::nullptr_t) {}
	Value(bool b) : v_(b) {}
	template <std::unsigned_integral N>
	Value(N n) : v_(static_cast<uint64_t>(n)) {}
	template <std::signed_integral N>
	Value(N n) = delete;
	template <std::floating_point F>
	Value(F f) = delete;
	Value(std::string s) : v_(std::move(s)) {}
	Value(const char *s) : v_(std::string(s)) {}
	Value(json j) : v_(std::move(j)) {}
	template <class N>
	Value(const std::optional<N> &o)
	{
		if (o)
			*this = Value(*o);
	}

	json to_json() const
	{
		return std::visit([](const auto &x) { return json(x); }, v_);
	}

	std::string text() const
	{
		struct {
			std::string operator()(std::nullptr_t) const { return "-"; }
			std::string operator()(bool b) const { return b ? "true" : "false"; }
			std::string operator()(uint64_t n) const { return std::to_string(n); }
			std::string operator()(const std::string &s) const { return s; }
			std::string operator()(const json &j) const { return j.dump(); }
		} text;
		return std::visit(text, v_);
	}

private:
	std::variant<std::nullptr_t, bool, uint64_t, std::string, json> v_;
};

template <class T>
struct Field {
	const char *key;		/* in JSON; nullptr: the table's only */
	const char *header;		/* of its column; nullptr: JSON's only */
	Value (*get)(const T &);
	/* The column's text, when it is not get()'s value as text. */
	std::string (*text)(const T &) = nullptr;
	bool details = false;		/* a column of the long table only (sock -e) */

	std::string cell(const T &o) const { return text ? text(o) : get(o).text(); }
};

template <class T>
using Fields = std::vector<Field<T>>;

/* The fields of each kind of object; format.cpp defines them. */
template <class T>
const Fields<T> &fields_of();

/* Rows of cells, the first the header: left-aligned columns. */
std::string table(const std::vector<std::vector<std::string>> &rows);

/* The object as JSON: its fields that have a key, in the table's order. */
template <class T>
json to_json(const T &o)
{
	json j = json::object();

	for (const Field<T> &f : fields_of<T>())
		if (f.key)
			j[f.key] = f.get(o).to_json();
	return j;
}

/* A list of them: an array. */
template <class T>
json to_json(const std::vector<T> &v)
{
	json a = json::array();

	for (const T &o : v)
		a.push_back(to_json(o));
	return a;
}

/* A list of them as a table: the fields that have a header, a row each;
 * @details: with the long table's columns too. */
template <class T>
std::string to_table(const std::vector<T> &v, bool details = false)
{
	std::vector<std::vector<std::string>> rows(1);

	for (const Field<T> &f : fields_of<T>())
		if (f.header && (details || !f.details))
			rows[0].push_back(f.header);
	for (const T &o : v) {
		std::vector<std::string> &r = rows.emplace_back();
		for (const Field<T> &f : fields_of<T>())
			if (f.header && (details || !f.details))
				r.push_back(f.cell(o));
	}
	return table(rows);
}

/* @text with each {key} replaced by that field's text: an object as a
 * sentence.  An unknown key is a bug: std::logic_error. */
template <class T>
std::string to_text(const T &o, std::string_view text)
{
	std::string out;

	for (size_t i = 0; i < text.size();) {
		size_t open = text.find('{', i);
		if (open == std::string_view::npos) {
			out += text.substr(i);
			break;
		}
		size_t close = text.find('}', open);
		if (close == std::string_view::npos)
			throw std::logic_error("unclosed { in \"" + std::string(text) + "\"");
		std::string_view key = text.substr(open + 1, close - open - 1);
		const Field<T> *field = nullptr;
		for (const Field<T> &f : fields_of<T>())
			if (f.key && key == f.key)
				field = &f;
		if (!field)
			throw std::logic_error("no field \"" + std::string(key) + "\"");
		out += text.substr(i, open - i);
		out += field->cell(o);
		i = close + 1;
	}
	return out;
}

} /* namespace rsk */
