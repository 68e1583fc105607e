#pragma once
// Record versions (PROTOCOL ext): which of two copies of a record is newer. A
// version is read from one field of the record (the model's `versionField`,
// default `version`): a number, or an ISO-8601 date-time string, compared as a
// point in time. Both become one double: numbers as they are (exact to 2^53),
// times as milliseconds since 1970 UTC (exact to well under a microsecond).
#include <optional>
#include <string_view>

namespace ssot {

namespace json {
struct MemberList;
}

using Version = double;

// A raw JSON value as a version; nullopt for any other kind or an unreadable time.
std::optional<Version> parse_version(std::string_view raw);
// "2026-12-04", "2026-12-04T14:19:17", with ".123456" and "Z" / "+01:00" / "-0530";
// no zone counts as UTC. Milliseconds since 1970-01-01T00:00:00Z.
std::optional<Version> parse_iso8601(std::string_view text);
// The version of a record's JSON text, read from `field`; from `members` when they
// describe that text (json::MemberList), without walking it again.
std::optional<Version> record_version(std::string_view record_json, std::string_view field,
                                      const json::MemberList* members = nullptr);

}  // namespace ssot
