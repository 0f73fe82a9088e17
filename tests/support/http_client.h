// HTTP for the tests: the product's own client (os/http_client.h) under the names the tests use,
// and request bodies as the API expects them.
//
//   HttpClient c("127.0.0.1", port);
//   Response r = c.Post("/votes", VoteBody(id, "Hillary Clinton"),
//                       {{"Idempotency-Key", "0123456789abcdef"}});
//   EXPECT_EQ(r.status, 201) << r.Describe();
#pragma once

#include <string>
#include <string_view>

#include "os/http_client.h"

namespace landslide::testing {

using Headers = os::Headers;
using Response = os::HttpResponse;
using os::HttpClient;

// Request bodies as the API expects them (properly escaped JSON).
std::string VoteBody(std::string_view id, std::string_view candidate);
std::string BallotBody(std::string_view id);

}  // namespace landslide::testing
