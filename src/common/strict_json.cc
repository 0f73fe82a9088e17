#include "common/strict_json.h"

#include <set>
#include <vector>

namespace landslide {

using nlohmann::json;

Result<json> ParseStrictJson(std::string_view text, const std::string& what) {
  std::vector<std::set<std::string>> keys;
  std::string duplicate;
  json::parser_callback_t cb = [&](int, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
        keys.emplace_back();
        break;
      case json::parse_event_t::object_end:
        if (!keys.empty()) keys.pop_back();
        break;
      case json::parse_event_t::key:
        if (!keys.empty() && !keys.back().insert(parsed.get<std::string>()).second &&
            duplicate.empty()) {
          duplicate = parsed.get<std::string>();
        }
        break;
      default:
        break;
    }
    return true;
  };
  json j = json::parse(text.begin(), text.end(), cb, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::InvalidArgument(what + " is not valid JSON");
  if (!duplicate.empty()) {
    return Status::InvalidArgument("key \"" + duplicate + "\" appears twice in " + what);
  }
  return j;
}

Status CheckJsonKeys(const json& obj, const std::set<std::string>& allowed,
                     const std::string& where, const std::set<std::string>& optional) {
  if (!obj.is_object()) return Status::InvalidArgument(where + " must be an object");
  for (const auto& [k, v] : obj.items()) {
    if (!allowed.count(k)) {
      std::string message = "unknown key \"" + k;
      message += "\" in " + where;
      return Status::InvalidArgument(message);
    }
  }
  for (const auto& k : allowed) {
    if (!obj.contains(k) && !optional.count(k)) {
      std::string message = where + " is missing \"";
      message += k + "\"";
      return Status::InvalidArgument(message);
    }
  }
  return Status::Ok();
}

}  // namespace landslide
