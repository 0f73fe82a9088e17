#include "record/record_files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace landslide::record {
namespace {

namespace fs = std::filesystem;

class RecordFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("landslide-record-files-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "partials");
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
  }
  fs::path dir_;
};

const std::string kHex(64, 'a');

TEST_F(RecordFilesTest, AggregatesAreReadOnlyInTheirOneSpelling) {
  Write("aggregates.json", R"({"AL": [{"alpha": ")" + kHex + R"(", "beta": ")" + kHex + R"("}]})");
  auto ok = ReadAggregates(dir_);
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(ok->at("AL").size(), 1u);
  fs::remove(dir_ / "aggregates.json");
  const std::string upper(64, 'A');
  Write("aggregates.json", R"({"AL": [{"alpha": ")" + upper + R"(", "beta": ")" + kHex + R"("}]})");
  EXPECT_FALSE(ReadAggregates(dir_).ok());
  fs::remove(dir_ / "aggregates.json");
  Write("aggregates.json",
        R"({"AL": [{"alpha": ")" + kHex + R"(", "beta": ")" + kHex + R"(", "gamma": "x"}]})");
  EXPECT_FALSE(ReadAggregates(dir_).ok());
  fs::remove(dir_ / "aggregates.json");
  Write("aggregates.json", R"({"AL": [], "AL": []})");  // two readers could disagree
  EXPECT_FALSE(ReadAggregates(dir_).ok());
}

TEST_F(RecordFilesTest, PartialsMustBeComplete) {
  const std::string proof = R"("proof": {"a": ")" + kHex + R"(", "b": ")" + kHex + R"(", "c": ")" +
                            kHex + R"(", "s": ")" + kHex + R"("})";
  Write("partials/trustee-2.json",
        R"({"trustee": 2, "partials": {"AL": [{"share": ")" + kHex + R"(", )" + proof + "}]}}");
  auto ok = ReadAllPartials(dir_);
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(ok->at(2).at("AL").size(), 1u);
  Write("partials/trustee-3.json",
        R"({"trustee": 3, "partials": {"AL": [{"share": ")" + kHex + R"("}]}})");
  EXPECT_FALSE(ReadAllPartials(dir_).ok());
}

}  // namespace
}  // namespace landslide::record
