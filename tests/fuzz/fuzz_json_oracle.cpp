// Target 5: the JSON scanner (ssot/json.h) against nlohmann/json, its differential
// oracle (tests/native/json_oracle.h, shared with the native test). For any bytes:
//  - valid(), Json::parse, skip_value, parse_number, parse_string, walk_members,
//    scan_records, find_members and the frame decoder's object walk accept exactly what the oracle
//    accepts (nlohmann, after the deliberate differences documented in ssot/json.h:
//    lone surrogate escapes, numbers past the double range, depth, BOM and NUL);
//  - a prefix that skip_value or parse_string takes is one the oracle takes;
//  - on an accepted text, every value agrees: kinds, numbers bit for bit, decoded
//    strings, members in order with duplicates, which duplicate get() and find_members
//    return (nlohmann's own DOM says which one wins), every slice the walks hand out
//    (recursively; scan_records' member of each element is find_members'), and dump()
//    read back by the oracle.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "../native/json_oracle.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);  // no copy: ASan sees overreads
  std::string diff = json_oracle::check(text);
  FUZZ_CHECK_MSG(diff.empty(), diff);
  // The input as a string value: append_string writes valid JSON for any bytes.
  diff = json_oracle::check_append_string(text);
  FUZZ_CHECK_MSG(diff.empty(), diff);
  // Again with every key "a" or "b": duplicate keys (and which one wins) everywhere.
  std::string folded = json_oracle::fold_keys(text);
  if (folded != text) {
    diff = json_oracle::check(folded);
    FUZZ_CHECK_MSG(diff.empty(), "(keys folded) " + diff);
  }
  return 0;
}
