#pragma once
// A scalar read out of a record for queries and sorting, and record ids.
#include <string>
#include <string_view>
#include "ssot/json.h"

namespace ssot {

// Objects and arrays are kept as their raw text (compared as text).
struct Value {
  JsonKind kind = JsonKind::Null;
  bool boolean = false;
  double number = 0;
  std::string text;  // decoded string, or raw text of an array/object

  static Value from_raw(std::string_view raw);  // raw must be a valid JSON value; empty = null
  static Value of_number(double n);
  static Value of_string(std::string s);
  bool missing = false;  // the field was absent (sorts like null)
};

// Total order across kinds: null < bool < number < string < array/object.
int compare(const Value& a, const Value& b);
bool equal(const Value& a, const Value& b);

// Record ids. On the seeds' wire `1` and `"1"` name the same record (routes put
// the URL's string id in `deleted` broadcasts while records carry numbers), so an
// id is kept as its canonical text: integers as decimal digits, strings as their
// content. Numeric ids (canonical integer text) order numerically, before string ids.
using RecordId = std::string;
// Canonical id from a raw JSON value (number or string); false for any other kind
// and for empty strings, non-integral or non-finite numbers.
bool canonical_id(std::string_view raw, RecordId& out);
// The canonical id of a record (an object text with an "id" member); false without one.
bool record_id(std::string_view record_json, RecordId& out);
bool is_numeric_id(std::string_view id);
int compare_ids(std::string_view a, std::string_view b);
// The id as a JSON value: digits stay a number, anything else becomes a string.
void append_id_json(std::string& out, std::string_view id);

}  // namespace ssot
