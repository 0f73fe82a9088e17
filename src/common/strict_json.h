// JSON parsing that refuses what nlohmann would silently accept: a duplicate key (nlohmann keeps
// the last one, so two readers of the same bytes could disagree on what they say).
#pragma once

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>

#include "common/status.h"

namespace landslide {

// `what` names the document in errors: "the election file is not valid JSON".
Result<nlohmann::json> ParseStrictJson(std::string_view text, const std::string& what);

// `obj` must be an object whose keys are all in `allowed`, and have every key of `allowed` but
// those in `optional`; errors name `where` ("the election", "contests[3]").
Status CheckJsonKeys(const nlohmann::json& obj, const std::set<std::string>& allowed,
                     const std::string& where, const std::set<std::string>& optional = {});

}  // namespace landslide
