#include "http/server.h"

#include <spdlog/spdlog.h>

#include <thread>
#include <vector>

#include "common/beast.h"
#include "http/request_parsing.h"

namespace landslide::http {

namespace {

// Each connection runs on its own strand (two I/O threads, and answers posted from writer
// threads). The stream is typed with the concrete strand rather than beast::tcp_stream's
// type-erased any_io_executor: a strand does not fit any_io_executor's small buffer, so every
// executor copy Beast makes inside an operation (about 19 a vote) was a heap allocation.
using Strand = asio::strand<asio::io_context::executor_type>;
using Stream = beast::basic_stream<tcp, Strand>;
using Socket = tcp::socket::rebind_executor<Strand>::other;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Socket socket, const Handler& handler, int idle_timeout_s)
      : stream_(std::move(socket)), handler_(handler), idle_timeout_s_(idle_timeout_s) {
    beast::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) client_ = ep.address().to_string();
  }

  void Start() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->Read(); });
  }

 private:
  void Read() {
    parser_.emplace();
    parser_->header_limit(8 * 1024);
    // The header first, under the larger limit (the parser checks Content-Length against it
    // as it reads the header): the limit depends on the path (a verifiable ballot is tens of
    // KiB, everything else fits in 1 KiB).
    parser_->body_limit(kMaxVerifiableBodyBytes);
    stream_.expires_after(std::chrono::seconds(idle_timeout_s_));
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnRead(ec);
    std::string_view target(parser_->get().target().data(), parser_->get().target().size());
    if (target.rfind("/ballots", 0) != 0) {
      const auto length = parser_->content_length();
      if (length && *length > kMaxBody) return OnRead(bhttp::error::body_limit);
      parser_->body_limit(kMaxBody);  // a chunked body is checked as it arrives
    }
    if (parser_->is_done()) return OnRead(ec);
    bhttp::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
        ec == beast::error::timeout || ec == asio::error::connection_reset) {
      return Close();
    }
    HttpRequest req;
    if (ec == bhttp::error::body_limit) {
      // Answer 413 from the header alone, then close: the rest of the body is never read.
      req.body_too_large = true;
      keep_alive_ = false;
    } else if (ec) {
      HttpResponse r = ErrorResponse(400, "bad_request", "The request is not valid HTTP/1.1.");
      keep_alive_ = false;
      return Write(std::move(r));
    } else {
      keep_alive_ = parser_->get().keep_alive();
    }
    auto& msg = parser_->get();
    req.method = std::string(msg.method_string());
    std::string_view target(msg.target().data(), msg.target().size());
    const size_t question = target.find('?');
    req.path = std::string(target.substr(0, question));
    if (question != std::string_view::npos) req.query = std::string(target.substr(question + 1));
    req.content_type = std::string(msg[bhttp::field::content_type]);
    if (auto it = msg.find("Idempotency-Key"); it != msg.end()) {
      req.idempotency_key = std::string(it->value());
    }
    if (auto it = msg.find(bhttp::field::origin); it != msg.end()) {
      req.origin = std::string(it->value());
    }
    head_ = msg.method() == bhttp::verb::head;
    if (!req.body_too_large) req.body = std::move(msg.body());
    req.client = client_;
    stream_.expires_never();
    auto self = shared_from_this();
    handler_(std::move(req), [self](HttpResponse r) {
      asio::post(self->stream_.get_executor(),
                 [self, r = std::move(r)]() mutable { self->Write(std::move(r)); });
    });
  }

  void Write(HttpResponse r) {
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>();
    res->version(11);
    res->result(static_cast<unsigned>(r.status));
    res->set(bhttp::field::server, "landslide");
    if (!r.content_type.empty()) res->set(bhttp::field::content_type, r.content_type);
    for (auto& [k, v] : r.headers) res->insert(k, v);
    res->keep_alive(keep_alive_);
    if (head_) {
      res->content_length(r.body.size());
    } else {
      res->body() = std::move(r.body);
      res->prepare_payload();
    }
    stream_.expires_after(std::chrono::seconds(idle_timeout_s_));
    bhttp::async_write(stream_, *res,
                       [self = shared_from_this(), res](beast::error_code ec, size_t) {
                         if (ec || !self->keep_alive_) return self->Close();
                         self->Read();
                       });
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  static constexpr size_t kMaxBody = 1024;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  const Handler& handler_;  // owned by the Server, which outlives its sessions' I/O
  const int idle_timeout_s_;
  std::string client_;
  bool keep_alive_ = true;
  bool head_ = false;
};

}  // namespace

struct Server::Impl {
  Impl(ServerOptions o, Handler h) : options(std::move(o)), handler(std::move(h)), acceptor(ioc) {}

  void Accept() {
    acceptor.async_accept(asio::make_strand(ioc), [this](beast::error_code ec, Socket s) {
      if (ec) {
        if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
        spdlog::warn("event=accept_failed error=\"{}\"", ec.message());
      } else {
        s.set_option(tcp::no_delay(true), ec);
        std::make_shared<Session>(std::move(s), handler, options.idle_timeout_s)->Start();
      }
      Accept();
    });
  }

  ServerOptions options;
  Handler handler;
  asio::io_context ioc;
  tcp::acceptor acceptor;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::vector<std::thread> threads;
};

Server::Server(ServerOptions options, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

Server::~Server() { Stop(); }

Status Server::Start() {
  beast::error_code ec;
  auto address = asio::ip::make_address(impl_->options.host, ec);
  if (ec) return Status::InvalidArgument("bad listen address " + impl_->options.host);
  tcp::endpoint ep(address, impl_->options.port);
  impl_->acceptor.open(ep.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(ep, ec);
  if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::Unavailable("cannot listen on " + impl_->options.host + ":" +
                               std::to_string(impl_->options.port) + ": " + ec.message());
  }
  impl_->work.emplace(impl_->ioc.get_executor());
  impl_->Accept();
  for (int i = 0; i < std::max(1, impl_->options.threads); ++i) {
    impl_->threads.emplace_back([this] {
      // Handlers never throw by design; if one did, log it and keep serving.
      while (true) {
        try {
          impl_->ioc.run();
          return;
        } catch (const std::exception& e) {
          spdlog::error("event=handler_exception error=\"{}\"", e.what());
        }
      }
    });
  }
  return Status::Ok();
}

uint16_t Server::port() const {
  beast::error_code ec;
  auto ep = impl_->acceptor.local_endpoint(ec);
  return ec ? 0 : ep.port();
}

void Server::StopAccepting() {
  asio::post(impl_->ioc, [this] {
    beast::error_code ec;
    impl_->acceptor.close(ec);
  });
}

void Server::Stop() {
  if (impl_->threads.empty()) return;
  impl_->work.reset();
  impl_->ioc.stop();
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
}

}  // namespace landslide::http
