#include "bench/crypto_bench.h"

#include <sodium.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "bench/system_probe.h"
#include "crypto/ballot_crypto.h"
#include "crypto/group.h"
#include "crypto/msm.h"
#include "crypto/verifiable_ballot.h"

namespace landslide::bench {

namespace {

using nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

// Runs `op` (which does `per_call` units of work) until `seconds` have passed; µs per unit.
template <typename Op>
double MicrosPerUnit(double seconds, int per_call, Op&& op) {
  op();  // warm-up
  int64_t calls = 0;
  const auto start = Clock::now();
  const auto until = start + std::chrono::duration<double>(seconds);
  Clock::time_point now;
  do {
    op();
    ++calls;
    now = Clock::now();
  } while (now < until);
  return std::chrono::duration<double, std::micro>(now - start).count() /
         static_cast<double>(calls * per_call);
}

struct Fixture {
  verifiable::ElectionContext context{Bytes32{1, 2, 3}, group::BaseMul(group::Scalar::Random())};
  verifiable::ContestRule rule;
  group::Scalar secret = verifiable::CredentialSecret("bench", "163uc-3NQXD-Wgfgg");
  std::vector<VerifiableBallot> ballots;

  explicit Fixture(int candidates, size_t count) {
    rule = {"AL", static_cast<uint32_t>(candidates), 1, 1};
    for (size_t i = 0; i < count; ++i) {
      std::vector<uint8_t> choices(rule.candidates, 0);
      choices[i % rule.candidates] = 1;
      ballots.push_back(verifiable::BuildBallot(context, secret, rule, choices)->ballot);
    }
  }
  std::vector<Status> Verify(size_t first, size_t n) const {
    std::vector<const VerifiableBallot*> b;
    std::vector<const verifiable::ContestRule*> r;
    for (size_t i = 0; i < n; ++i) {
      b.push_back(&ballots[(first + i) % ballots.size()]);
      r.push_back(&rule);
    }
    return verifiable::VerifyBallots(context, b, r);
  }
};

ordered_json GroupFigures(double s, const std::function<void(const std::string&)>& say) {
  ordered_json j;
  const group::Scalar k = group::Scalar::Random();
  const group::Point p = group::BaseMul(group::Scalar::Random());
  const Bytes32 enc = p.Encode();
  const group::FixedBase table(p);
  group::Point acc = p;
  j["decaf_decode_us"] = MicrosPerUnit(s, 1, [&] { (void)group::Point::Decode(enc); });
  j["decaf_encode_us"] = MicrosPerUnit(s, 1, [&] { (void)acc.Encode(); });
  j["decaf_add_us"] = MicrosPerUnit(s, 100, [&] {
    for (int i = 0; i < 100; ++i) acc += p;
  });
  j["decaf_scalarmul_us"] = MicrosPerUnit(s, 1, [&] { acc = p * k; });
  j["decaf_base_mul_us"] = MicrosPerUnit(s, 1, [&] { acc = group::BaseMul(k); });
  j["decaf_fixed_base_mul_us"] = MicrosPerUnit(s, 1, [&] { acc = table.Mul(k); });
  say("group operations (libdecaf) measured");
  uint8_t a[32], b[32], out[32], sk[32];
  std::copy(enc.begin(), enc.end(), a);
  crypto_core_ristretto255_random(b);
  const Bytes32 ks = k.Encode();
  std::copy(ks.begin(), ks.end(), sk);
  j["sodium_add_us"] = MicrosPerUnit(s, 1, [&] { crypto_core_ristretto255_add(out, a, b); });
  // The results are counted, not ignored (GCC's warn_unused_result does not yield to a cast);
  // a failure would only mean an identity point, never seen with random inputs.
  int failures = 0;
  j["sodium_scalarmul_us"] =
      MicrosPerUnit(s, 1, [&] { failures += crypto_scalarmult_ristretto255(out, sk, a) != 0; });
  j["sodium_base_mul_us"] =
      MicrosPerUnit(s, 1, [&] { failures += crypto_scalarmult_ristretto255_base(out, sk) != 0; });
  j["sodium_scalarmul_failures"] = failures;
  j["sodium_over_decaf_add"] = j["sodium_add_us"].get<double>() / j["decaf_add_us"].get<double>();
  say("group operations (libsodium) measured");
  std::vector<group::Point> points;
  std::vector<group::Scalar> scalars;
  for (int i = 0; i < 1024; ++i) {
    points.push_back(group::BaseMul(group::Scalar::Random()));
    scalars.push_back(group::Scalar::Random());
  }
  j["msm_1024_us_per_point"] =
      MicrosPerUnit(s, 1024, [&] { acc = group::MultiScalarMulPublic(points, scalars); });
  j["msm_speedup_over_one_by_one"] =
      j["decaf_scalarmul_us"].get<double>() / j["msm_1024_us_per_point"].get<double>();
  say("multi-scalar multiplication measured");
  return j;
}

}  // namespace

Result<std::string> RunCryptoBench(const CryptoBenchOptions& o) {
  if (o.candidates < 1 || o.candidates > 64) {
    return Status::InvalidArgument("candidates must be between 1 and 64");
  }
  auto say = [&](const std::string& line) {
    if (o.progress) o.progress(line);
  };
  const double s = o.seconds_per_item;
  ordered_json report;
  report["benchmark"] = "crypto";
  const MachineInfo m = CollectMachineInfo();
  report["machine"] = {{"nproc", m.nproc},
                       {"cpu_model", m.cpu_model},
                       {"memory_bytes", m.memory_bytes},
                       {"kernel", m.kernel},
                       {"load_average_1m_at_start", LoadAverage()[0]}};
  report["candidates"] = o.candidates;
  report["group"] = GroupFigures(s, say);

  Fixture f(o.candidates, 1024);
  ordered_json ballot;
  ballot["bytes"] = EncodeBallot(f.ballots[0]).size();
  std::vector<uint8_t> choices(f.rule.candidates, 0);
  choices[0] = 1;
  ballot["build_us"] = MicrosPerUnit(
      s, 1, [&] { (void)verifiable::BuildBallot(f.context, f.secret, f.rule, choices); });
  say("ballot building measured");
  size_t next = 0;
  ballot["verify_one_us"] = MicrosPerUnit(s, 1, [&] {
    (void)verifiable::VerifyBallot(f.context, f.ballots[next++ % f.ballots.size()], f.rule);
  });
  ordered_json batches = ordered_json::array();
  for (size_t n : {16, 64, 256, 1024}) {
    const double us = MicrosPerUnit(s, static_cast<int>(n), [&] { (void)f.Verify(next += n, n); });
    batches.push_back({{"batch", n}, {"us_per_ballot", us}});
    say("batch verification of " + std::to_string(n) + " measured");
  }
  ballot["verify_batch"] = batches;
  ballot["batch_1024_speedup_over_one"] =
      ballot["verify_one_us"].get<double>() / batches.back()["us_per_ballot"].get<double>();
  // Both cores (or all): each thread verifies its own batches of 256, as intake writers would.
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  std::atomic<int64_t> verified{0};
  const auto start = Clock::now();
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      size_t first = size_t{t} * 256;
      while (Clock::now() - start < std::chrono::duration<double>(2 * s)) {
        (void)f.Verify(first, 256);
        first += 256;
        verified += 256;
      }
    });
  }
  for (auto& th : pool) th.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  ballot["verify_ballots_per_s_all_cores"] = static_cast<double>(verified) / elapsed;
  ballot["threads"] = threads;
  report["ballot"] = ballot;

  // The sealed scheme's per-ballot work at intake, for the ratio the docs quote.
  PublicKey pk{};
  std::array<uint8_t, 32> sk{};
  crypto_box_keypair(pk.data(), sk.data());
  const BatchSealer sealer(pk);
  const double seal = MicrosPerUnit(s, 1, [&] { (void)sealer.Seal("Hillary Clinton"); });
  report["sealed"] = {{"seal_us", seal},
                      {"verifiable_verify_batch_over_sealed_seal",
                       batches.back()["us_per_ballot"].get<double>() / seal}};
  report["load_average_1m_at_end"] = LoadAverage()[0];
  return report.dump(2) + "\n";
}

}  // namespace landslide::bench
