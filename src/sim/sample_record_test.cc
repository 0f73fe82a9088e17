#include "sim/sample_record.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "record/manifest.h"
#include "record/record_files.h"
#include "record/results.h"

namespace landslide::sim {
namespace {

namespace fs = std::filesystem;

size_t Lines(const fs::path& p) {
  std::ifstream in(p);
  size_t n = 0;
  for (std::string line; std::getline(in, line);) ++n;
  return n;
}

// The whole offline pipeline in C++: ballots, chains, aggregates, partial decryptions and the
// combination, which WriteSampleRecord checks against the choices it made.
TEST(SampleRecordTest, WritesACompleteRecordWhoseResultsMatchTheBallots) {
  const fs::path dir =
      fs::temp_directory_path() / ("landslide-sample-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  SampleRecordOptions options;
  options.voters = 120;
  options.spoil_rate = 0.1;
  auto summary = WriteSampleRecord(dir, options);
  ASSERT_TRUE(summary.ok()) << summary.status().message();
  EXPECT_GT(summary->cast, 80u);
  EXPECT_GT(summary->spoiled, 0u);
  EXPECT_EQ(Lines(dir / "ballots.jsonl"), summary->cast);
  EXPECT_EQ(Lines(dir / "spoiled.jsonl"), summary->spoiled);
  for (const char* f : {"manifest.json", "credentials.json", "chains.json", "aggregates.json",
                        "results.json", "partials/trustee-1.json", "partials/trustee-4.json"}) {
    EXPECT_TRUE(fs::exists(dir / f)) << f;
  }
  // Publishing again from the files gives the same totals; with a trustee's partials altered,
  // that trustee is refused and the remaining ones still suffice (3 of 4).
  auto bytes = record::ReadManifestBytes(dir);
  ASSERT_TRUE(bytes.ok());
  auto manifest = record::ParseManifest(*bytes);
  ASSERT_TRUE(manifest.ok()) << manifest.status().message();
  auto aggregates = record::ReadAggregates(dir);
  auto partials = record::ReadAllPartials(dir);
  ASSERT_TRUE(aggregates.ok() && partials.ok());
  const Bytes32 hash = record::ManifestHash(*bytes);
  auto results = record::CombineResults(*manifest, hash, *aggregates, *partials);
  ASSERT_TRUE(results.ok()) << results.status().message();
  uint64_t total = 0;
  for (const auto& [name, n] : results->totals) total += n;
  EXPECT_EQ(total, summary->cast);
  (*partials)[1]["CA"][0].share = (*partials)[2]["CA"][0].share;
  auto without_one = record::CombineResults(*manifest, hash, *aggregates, *partials);
  ASSERT_TRUE(without_one.ok()) << without_one.status().message();
  EXPECT_EQ(without_one->trustees, (std::vector<uint32_t>{2, 3, 4}));
  EXPECT_EQ(without_one->refused, (std::vector<uint32_t>{1}));
  EXPECT_EQ(without_one->counts, results->counts);
  (*partials)[2]["CA"][0].share = (*partials)[3]["CA"][0].share;
  EXPECT_FALSE(record::CombineResults(*manifest, hash, *aggregates, *partials).ok());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace landslide::sim
