#pragma once
// A list query {where, orderBy, skip, take} (the seeds' QueryParams) evaluated
// against raw record JSON. Only top-level fields are read, each in one pass.
//  - where: {field: value} is equality; {field: {op: value}} with eq ne gt gte lt
//    lte in contains. Comparisons across kinds are false; a missing field is null.
//    contains: substring for strings, element equality for arrays.
//  - orderBy: {field: 'asc'|'desc', ...} or [{field: dir}, ...]; ties are broken by
//    id ascending; without orderBy the order is id ascending (as the server's).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include "ssot/value.h"

namespace ssot {

enum class Op { Eq, Ne, Gt, Gte, Lt, Lte, In, Contains };

struct Predicate {
  size_t field = 0;          // index into Query::fields
  Op op = Op::Eq;
  Value value;
  std::vector<Value> set;    // for `in`
};

struct SortKey {
  size_t field = 0;
  bool desc = false;
};

// The values of a record's fields that a query reads, in Query::fields order.
using FieldValues = std::vector<Value>;

class Query {
 public:
  // Parses the params object ({} or empty text = everything). Errors name the culprit.
  static std::optional<Query> parse(std::string_view params_json, std::string& error);

  bool has_where() const { return !where_.empty(); }
  bool has_order() const { return !order_.empty(); }
  bool first_desc() const { return order_.front().desc; }  // has_order() first
  int64_t skip() const { return skip_; }
  std::optional<int64_t> take() const { return take_; }
  bool paged() const { return skip_ > 0 || take_.has_value(); }

  // Reads the needed fields of a record; false when it is not a JSON object. With
  // `members`, from them: the caller vouches that they are the members of this text
  // (a copy of the text they were read from), which is then not walked again.
  bool extract(std::string_view record, FieldValues& out, const json::MemberList* members = nullptr) const;
  bool matches(const FieldValues& values) const;
  // The sort key: the orderBy fields only (ids break ties separately).
  FieldValues sort_key(FieldValues&& values) const;
  int compare_keys(const FieldValues& a, std::string_view id_a, const FieldValues& b, std::string_view id_b) const;
  // The orderBy part of compare_keys alone (0 when the keys tie).
  int compare_sort_values(const FieldValues& a, const FieldValues& b) const;

  // `?where=..&orderBy=..&skip=..&take=..` as the seeds' buildQueryString, or "".
  std::string query_string() const;
  const std::string& canonical() const { return canonical_; }  // normalized params JSON

 private:
  size_t field_index(const std::string& name);
  bool parse_order(const Json& order_by, std::string& error);
  bool parse_condition(const std::string& field, const Json& condition, std::string& error);
  bool parse_page(const Json& params, std::string& error);
  std::vector<std::string> fields_;
  std::vector<Predicate> where_;
  std::vector<SortKey> order_;
  int64_t skip_ = 0;
  std::optional<int64_t> take_;
  std::string where_json_, order_json_, canonical_;
};

// Percent-encodes a URL query component (as encodeURIComponent).
void append_uri_component(std::string& out, std::string_view s);

}  // namespace ssot
