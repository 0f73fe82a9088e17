#include "bench/noop_server.h"

namespace landslide::bench {

namespace {

// The same fields and about the same size as a real 201, so the bytes on the wire match; the
// values are constant because computing them is not HTTP's cost.
constexpr const char* kCountedBody =
    R"({"success":true,"message":"Your ballot was counted.",)"
    R"("receipt":"00000000000000000000000000000000","region":"noop",)"
    R"("voted_at":"2016-11-08T12:00:00.000Z"})";
constexpr const char* kHealthBody = R"({"status":"ok","region":"noop","checks":{}})";
constexpr const char* kEmptyVotesBody =
    R"({"election":"noop","as_of":"2016-11-08T12:00:00.000Z","total_count":0,)"
    R"("candidates":[],"states":[]})";

http::HttpResponse JsonResponse(int status, const char* body) {
  http::HttpResponse r;
  r.status = status;
  r.body = body;
  return r;
}

}  // namespace

void NoopHandle(const http::HttpRequest& request, const http::Respond& respond) {
  if (request.method == "POST" && request.path == "/votes") {
    return respond(JsonResponse(201, kCountedBody));
  }
  if (request.method == "GET" && request.path == "/health") {
    return respond(JsonResponse(200, kHealthBody));
  }
  if (request.method == "GET" && request.path == "/votes") {
    return respond(JsonResponse(200, kEmptyVotesBody));
  }
  respond(
      http::ErrorResponse(404, "not_found", "The no-op baseline only serves /votes and /health."));
}

Result<std::unique_ptr<NoopServer>> NoopServer::Start(int threads) {
  std::unique_ptr<NoopServer> s(new NoopServer());
  s->server_ = std::make_unique<http::Server>(
      http::ServerOptions{.host = "127.0.0.1", .port = 0, .threads = threads},
      [](const http::HttpRequest& request, const http::Respond& respond) {
        NoopHandle(request, respond);
      });
  LANDSLIDE_RETURN_IF_ERROR(s->server_->Start().Context("starting the no-op server"));
  return s;
}

NoopServer::~NoopServer() {
  // The load generator has had every answer by the time the bench stops the server, so there
  // is nothing to drain.
  if (server_) server_->Stop();
}

std::string NoopServer::url() const {
  return "http://127.0.0.1:" + std::to_string(server_->port());
}

}  // namespace landslide::bench
