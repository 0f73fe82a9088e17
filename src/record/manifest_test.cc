#include "record/manifest.h"

#include <gtest/gtest.h>

namespace landslide::record {
namespace {

Manifest Sample() {
  auto ceremony = verifiable::RunKeyCeremony(Election::Default2016().name(), 3, 2);
  EXPECT_TRUE(ceremony.ok());
  Manifest m = ManifestFor(Election::Default2016(), ceremony->published, ResultsMode::kLive, 50);
  std::vector<Bytes32> creds = {verifiable::PublicCredential(m.election, "163uc-3NQXD-Wgfgg")};
  m.contests[0].credentials = 1;
  m.contests[0].credentials_sha256 = CredentialsHash(creds);
  return m;
}

TEST(ManifestTest, RoundTripsByteForByte) {
  const Manifest m = Sample();
  const std::string bytes = ManifestToJson(m);
  auto parsed = ParseManifest(bytes);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(ManifestToJson(*parsed), bytes);
  EXPECT_EQ(parsed->contests.size(), 51u);
  EXPECT_EQ(parsed->results, ResultsMode::kLive);
  EXPECT_EQ(parsed->live_min_ballots, 50u);
  ASSERT_NE(parsed->FindContest("AL"), nullptr);
  EXPECT_EQ(parsed->Rule(*parsed->FindContest("AL")).candidates, 5u);
  EXPECT_EQ(ManifestHash(bytes), ManifestHash(ManifestToJson(*parsed)));
}

TEST(ManifestTest, RefusesWhatTwoReadersCouldReadDifferently) {
  const std::string bytes = ManifestToJson(Sample());
  auto edit = [&](const std::string& from, const std::string& to) {
    std::string s = bytes;
    const size_t at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    s.replace(at, from.size(), to);
    return ParseManifest(s);
  };
  // A duplicate key, an unknown key, upper-case hex, a bad range, a forged joint key.
  EXPECT_FALSE(edit("\"results\"", "\"results\": \"live\",\n \"results\"").ok());
  EXPECT_FALSE(edit("\"results\"", "\"extra\": 1,\n \"results\"").ok());
  EXPECT_FALSE(edit("\"min\": 1", "\"min\": 2").ok());
  EXPECT_FALSE(edit("\"max\": 1", "\"max\": 9").ok());
  EXPECT_FALSE(edit("\"format\": \"landslide-manifest/1\"", "\"format\": \"x\"").ok());
  const size_t at = bytes.find("\"joint_key\": \"") + 14;
  std::string upper = bytes;
  upper[at] =
      static_cast<char>(std::toupper(upper[at]) == upper[at] ? 'A' : std::toupper(upper[at]));
  EXPECT_FALSE(ParseManifest(upper).ok());
  std::string forged = bytes;
  forged[at] = forged[at] == '0' ? '1' : '0';
  EXPECT_FALSE(ParseManifest(forged).ok());
}

TEST(ManifestTest, CredentialsHashIgnoresOrder) {
  std::vector<Bytes32> a = {Bytes32{1}, Bytes32{3}, Bytes32{2}};
  std::vector<Bytes32> b = {Bytes32{3}, Bytes32{2}, Bytes32{1}};
  EXPECT_EQ(CredentialsHash(a), CredentialsHash(b));
  std::vector<Bytes32> c = {Bytes32{3}, Bytes32{2}};
  EXPECT_NE(CredentialsHash(a), CredentialsHash(c));
}

TEST(ManifestTest, CeremonyFileIsBoundToItsElection) {
  const Manifest m = Sample();
  const std::string text = CeremonyToJson(m.trustees);
  EXPECT_TRUE(ParseCeremony(text, m.election).ok());
  EXPECT_FALSE(ParseCeremony(text, "Another election").ok());
}

}  // namespace
}  // namespace landslide::record
