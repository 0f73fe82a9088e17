// RunSimulation against fake regions served in-process: a shared "database" of who voted for
// whom, with faults injected (503s, answers lost after the vote was recorded, a miscounting
// region, a dead region) to check retries, idempotency keys, failover and verification without
// PostgreSQL.
#include "sim/load_generator.h"

#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "common/beast.h"
#include "domain/results_2016.h"
#include "sim/voter_generator.h"

namespace landslide::sim {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

// What the regions share: the pollbook and the tallies.
struct FakeDatabase {
  std::mutex mu;
  std::map<std::string, std::string> state_of;                    // voter -> state; read-only
  std::map<std::string, std::string> voted;                       // guarded by mu
  std::map<std::string, std::string> key_of_voter;                // guarded by mu
  std::map<std::string, std::map<std::string, int64_t>> tallies;  // guarded by mu
  int64_t total = 0;                                              // guarded by mu
  int64_t posts = 0;                                              // guarded by mu
  std::set<std::string> keys_seen;                                // guarded by mu
};

struct Faults {
  int unavailable_every = 0;  // every n-th POST answers 503 and records nothing
  int drop_every = 0;         // every n-th POST is recorded, then the connection is cut
  int64_t miscount = 0;       // GET /votes shows this many extra Trump votes in CA
};

class FakeRegion {
 public:
  FakeRegion(FakeDatabase& db, Faults faults) : db_(db), faults_(faults), acceptor_(ioc_) {
    tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
    acceptor_.open(ep.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(ep);
    acceptor_.listen();
    Accept();
    thread_ = std::thread([this] { ioc_.run(); });
  }
  ~FakeRegion() {
    ioc_.stop();
    thread_.join();
  }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port());
  }

 private:
  struct Conn {
    explicit Conn(tcp::socket s) : socket(std::move(s)) {}
    tcp::socket socket;
    beast::flat_buffer buffer;
    bhttp::request<bhttp::string_body> req;
    bhttp::response<bhttp::string_body> res;
  };

  void Accept() {
    acceptor_.async_accept([this](beast::error_code ec, tcp::socket s) {
      if (ec) return;
      Read(std::make_shared<Conn>(std::move(s)));
      Accept();
    });
  }

  void Read(const std::shared_ptr<Conn>& c) {
    c->req = {};
    bhttp::async_read(c->socket, c->buffer, c->req, [this, c](beast::error_code ec, size_t) {
      if (ec) return;
      bool drop = false;
      c->res = Handle(c->req, &drop);
      if (drop) {
        beast::error_code ignored;
        c->socket.close(ignored);
        return;
      }
      c->res.keep_alive(c->req.keep_alive());
      c->res.prepare_payload();
      bhttp::async_write(c->socket, c->res, [this, c](beast::error_code ec, size_t) {
        if (!ec && c->res.keep_alive()) Read(c);
      });
    });
  }

  static bhttp::response<bhttp::string_body> Answer(int status, std::string body) {
    bhttp::response<bhttp::string_body> r{static_cast<bhttp::status>(status), 11};
    r.set(bhttp::field::content_type, "application/json");
    r.body() = std::move(body);
    return r;
  }

  bhttp::response<bhttp::string_body> Handle(const bhttp::request<bhttp::string_body>& req,
                                             bool* drop) {
    const std::string target(req.target());
    if (req.method() == bhttp::verb::get && target == "/health") return Answer(200, "{}");
    std::lock_guard lock(db_.mu);
    if (req.method() == bhttp::verb::get && target == "/votes") {
      nlohmann::json states = nlohmann::json::array();
      for (const auto& [state, row] : db_.tallies) {
        nlohmann::json results = nlohmann::json::array();
        for (const auto& [cand, n] : row) {
          const int64_t extra = state == "CA" && cand == "Donald Trump" ? faults_.miscount : 0;
          results.push_back({{"candidate", cand}, {"count", n + extra}});
        }
        states.push_back({{"state", state}, {"results", results}});
      }
      return Answer(
          200,
          nlohmann::json{{"total_count", db_.total + faults_.miscount}, {"states", states}}.dump());
    }
    if (req.method() != bhttp::verb::post || target != "/votes") return Answer(404, "{}");
    ++db_.posts;
    if (faults_.unavailable_every > 0 && db_.posts % faults_.unavailable_every == 0) {
      auto r = Answer(503, R"({"success":false,"error":"unavailable"})");
      r.set(bhttp::field::retry_after, "0");
      return r;
    }
    const auto body = nlohmann::json::parse(req.body(), nullptr, false);
    const std::string id = body.value("id", "");
    const std::string candidate = body.value("candidate", "");
    const std::string key(req["Idempotency-Key"]);
    db_.keys_seen.insert(key);
    auto state = db_.state_of.find(id);
    if (state == db_.state_of.end()) return Answer(404, R"({"error":"unknown_voter"})");
    if (auto v = db_.voted.find(id); v != db_.voted.end()) {
      if (!key.empty() && db_.key_of_voter[id] == key) return Answer(201, R"({"success":true})");
      return Answer(409, R"({"error":"already_voted"})");
    }
    db_.voted[id] = candidate;
    db_.key_of_voter[id] = key;
    ++db_.tallies[state->second][candidate];
    ++db_.total;
    *drop = faults_.drop_every > 0 && db_.posts % faults_.drop_every == 0;
    return Answer(201, R"({"success":true})");
  }

  FakeDatabase& db_;
  const Faults faults_;
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  std::thread thread_;
};

class LoadGeneratorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto csv = GenerateVotersToString({.count = 3000, .seed = 12});
    ASSERT_TRUE(csv.ok());
    auto plan = ParseVotePlan(*csv, {.seed = 5});
    ASSERT_TRUE(plan.ok());
    plan_ = std::make_unique<VotePlan>(std::move(*plan));
    for (size_t i = 0; i < plan_->size(); ++i) {
      db_.state_of[std::string(plan_->id(i))] = Results2016()[plan_->state(i)].code;
    }
    options_.concurrency = 32;
    options_.settle_timeout = std::chrono::milliseconds(3000);
    options_.baseline_wait = std::chrono::milliseconds(500);
  }

  std::unique_ptr<VotePlan> plan_;
  FakeDatabase db_;
  SimulationOptions options_;
};

TEST_F(LoadGeneratorTest, CountsEveryVoteOnceAndVerifies) {
  FakeRegion east(db_, {}), west(db_, {});
  options_.targets = {east.url(), west.url()};
  auto report = RunSimulation(options_, *plan_, nullptr);
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_TRUE(report->ok()) << (report->problems.empty() ? "" : report->problems.front());
  EXPECT_EQ(report->counted, 3000);
  EXPECT_EQ(report->sent, 3000);
  EXPECT_EQ(report->by_status.at(201), 3000);
  EXPECT_EQ(db_.total, 3000);
  EXPECT_EQ(db_.keys_seen.size(), 3000u);  // one fresh key per vote
  EXPECT_EQ(report->vote_latency.count(), 3000);
  // Both regions took votes, and both were verified.
  ASSERT_EQ(report->per_target.size(), 2u);
  EXPECT_GT(report->per_target[0].counted, 0);
  EXPECT_GT(report->per_target[1].counted, 0);
  ASSERT_EQ(report->verification.size(), 2u);
  EXPECT_TRUE(report->verification[0].ok && report->verification[1].ok);
  // What we were told was counted is what the database holds.
  for (size_t i = 0; i < plan_->size(); ++i) {
    ASSERT_EQ(db_.voted[std::string(plan_->id(i))], kCandidates2016[plan_->candidate(i)]);
  }
}

TEST_F(LoadGeneratorTest, RetriesReuseTheKeySoLostAnswersAreNotCountedTwice) {
  // Every 7th POST is refused (503), every 11th is recorded but its answer is lost.
  FakeRegion east(db_, {.unavailable_every = 7, .drop_every = 11});
  FakeRegion west(db_, {.unavailable_every = 13});
  options_.targets = {east.url(), west.url()};
  auto report = RunSimulation(options_, *plan_, nullptr);
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_TRUE(report->ok()) << (report->problems.empty() ? "" : report->problems.front());
  EXPECT_EQ(report->counted, 3000);
  EXPECT_EQ(report->failed, 0);
  EXPECT_EQ(report->already_voted + report->already_voted_on_retry, 0);
  EXPECT_GT(report->retries, 100);
  EXPECT_EQ(report->sent, report->counted + report->retries);  // every re-send is a retry
  EXPECT_GT(report->by_status.at(503), 0);
  EXPECT_EQ(db_.total, 3000);  // the lost answers' retries were replays, not new ballots
  EXPECT_EQ(db_.keys_seen.size(), 3000u);
}

TEST_F(LoadGeneratorTest, AMiscountingRegionFailsVerification) {
  FakeRegion good(db_, {});
  FakeRegion bad(db_, {.miscount = 1});
  options_.targets = {good.url(), bad.url()};
  auto report = RunSimulation(options_, *plan_, nullptr);
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_FALSE(report->ok());
  ASSERT_EQ(report->verification.size(), 2u);
  EXPECT_TRUE(report->verification[0].ok);
  EXPECT_FALSE(report->verification[1].ok);
  ASSERT_FALSE(report->verification[1].mismatches.empty());
  EXPECT_NE(report->problems.front().find(bad.url()), std::string::npos);
}

TEST_F(LoadGeneratorTest, ADeadRegionIsAvoided) {
  FakeRegion east(db_, {});
  // Nothing listens on port 1.
  options_.targets = {"http://127.0.0.1:1", east.url()};
  options_.skip_unreachable = true;
  auto report = RunSimulation(options_, *plan_, nullptr);
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_TRUE(report->ok()) << (report->problems.empty() ? "" : report->problems.front());
  EXPECT_EQ(report->counted, 3000);
  EXPECT_EQ(report->per_target[0].requests, 0);
  EXPECT_TRUE(report->verification[0].skipped);

  options_.skip_unreachable = false;  // then the dead region cannot be verified: refuse to run
  auto refused = RunSimulation(options_, *plan_, nullptr);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Code::kUnavailable);
}

TEST_F(LoadGeneratorTest, NoHealthyRegionIsAnError) {
  options_.targets = {"http://127.0.0.1:1"};
  auto report = RunSimulation(options_, *plan_, nullptr);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), Code::kUnavailable);
  options_.targets = {"ftp://x"};
  EXPECT_EQ(RunSimulation(options_, *plan_, nullptr).status().code(), Code::kInvalidArgument);
}

TEST_F(LoadGeneratorTest, OpenLoopKeepsTheRate) {
  FakeRegion east(db_, {});
  options_.targets = {east.url()};
  options_.rate = 4000;  // 3000 votes: about 0.75 s
  auto report = RunSimulation(options_, *plan_, nullptr);
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_TRUE(report->ok());
  EXPECT_EQ(report->counted, 3000);
  // The schedule is a floor: 3000 votes due at 4000/s cannot all be sent sooner than 0.75 s.
  // (No upper bound: how fast a loaded machine keeps up is for benchmarks, not tests.)
  EXPECT_GE(report->duration_s, 0.70);
}

TEST_F(LoadGeneratorTest, SeveralThreadsShareThePlan) {
  FakeRegion east(db_, {});
  options_.targets = {east.url()};
  options_.threads = 3;
  options_.concurrency = 10;
  auto report = RunSimulation(options_, *plan_, nullptr);
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_TRUE(report->ok());
  EXPECT_EQ(report->counted, 3000);
  EXPECT_EQ(report->threads, 3);
  EXPECT_EQ(db_.total, 3000);
}

TEST_F(LoadGeneratorTest, AlreadyVotedVotersAreReported) {
  FakeRegion east(db_, {});
  options_.targets = {east.url()};
  db_.voted[std::string(plan_->id(0))] = "Jill Stein";  // voted before this run
  db_.key_of_voter[std::string(plan_->id(0))] = "someone-else's-key";
  auto report = RunSimulation(options_, *plan_, nullptr);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->already_voted, 1);
  EXPECT_EQ(report->counted, 2999);
  EXPECT_FALSE(report->ok());  // a 409 fails the run...
  options_.allow_already_voted = true;
  db_.voted.clear();
  db_.key_of_voter.clear();
  db_.tallies.clear();
  db_.total = 0;
  db_.voted[std::string(plan_->id(0))] = "Jill Stein";
  auto allowed = RunSimulation(options_, *plan_, nullptr);
  ASSERT_TRUE(allowed.ok());
  EXPECT_TRUE(allowed->ok());  // ...unless allowed
}

TEST_F(LoadGeneratorTest, ReportRendersAsJson) {
  FakeRegion east(db_, {});
  options_.targets = {east.url()};
  auto report = RunSimulation(options_, *plan_, nullptr);
  ASSERT_TRUE(report.ok());
  const auto j = nlohmann::json::parse(RenderReportJson(*report));
  for (const char* field :
       {"sent", "counted", "by_status", "retries", "failed", "votes_per_s", "latency", "per_target",
        "seed", "concurrency", "rate", "started_at", "duration_s", "verification"}) {
    EXPECT_TRUE(j.contains(field)) << field;
  }
  for (const char* q : {"p50", "p90", "p99", "p999", "max"}) {
    EXPECT_TRUE(j["latency"].contains(q)) << q;
  }
  EXPECT_EQ(j["counted"], 3000);
  EXPECT_EQ(j["seed"], 5);
  EXPECT_EQ(j["by_status"]["201"], 3000);
  EXPECT_TRUE(j["ok"].get<bool>());
  EXPECT_NE(RenderReportTable(*report).find("Result: OK"), std::string::npos);
}

}  // namespace
}  // namespace landslide::sim
