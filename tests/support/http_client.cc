#include "support/http_client.h"

#include <nlohmann/json.hpp>

namespace landslide::testing {

std::string VoteBody(std::string_view id, std::string_view candidate) {
  return nlohmann::json{{"id", id}, {"candidate", candidate}}.dump();
}

std::string BallotBody(std::string_view id) { return nlohmann::json{{"id", id}}.dump(); }

}  // namespace landslide::testing
