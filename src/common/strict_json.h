// JSON parsing that refuses what nlohmann would silently accept: a duplicate key (nlohmann keeps
// the last one, so two readers of the same bytes could disagree on what they say).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/status.h"

namespace landslide {

// `what` names the document in errors: "the election file is not valid JSON".
Result<nlohmann::json> ParseStrictJson(std::string_view text, const std::string& what);

}  // namespace landslide
