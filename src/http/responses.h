// The answers the API's handlers share (internal to http/): error bodies, 503 with Retry-After,
// and the one mapping of a cast's outcome to a status code and body, for POST /votes and
// POST /ballots alike.
#pragma once

#include <string>
#include <string_view>

#include "common/time.h"
#include "http/api.h"
#include "voting/vote_service.h"

namespace landslide::http {

HttpResponse Unavailable(std::string_view message, int retry_after_s = 1);
HttpResponse Json(int status, std::string body);
// 409 already_voted, with when the counted ballot was cast.
HttpResponse AlreadyVoted(TimePoint voted_at);
// "application/json" with optional parameters; case-insensitive type.
bool IsJsonContentType(std::string_view content_type);

// What a cast (or a spoiled verifiable ballot) is answered with. `region` is this region's.
HttpResponse CastResponse(const CastReply& reply, std::string_view region, bool spoiled = false);

}  // namespace landslide::http
