#pragma once
// Record texts composed from others, for our own pending writes: a patch laid over
// a record, an id set on a new one. Inputs must be valid JSON object texts.
#include <string>
#include <string_view>
#include "ssot/value.h"

namespace ssot {

// `base` with each member of `patch` replacing the one of the same key (in place),
// or appended after the others when base lacks it.
std::string merge_object(std::string_view base, std::string_view patch);
// `record` with its "id" member set to `id` (replaced, or put first).
std::string with_id(std::string_view record, const RecordId& id);

}  // namespace ssot
