#include "crypto/trustee_files.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/hex.h"

namespace landslide::verifiable {
namespace {

namespace fs = std::filesystem;

class TrusteeFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("landslide-shares-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    share_.election = "Test 2026";
    share_.trustee = 2;
    share_.trustees = 3;
    share_.threshold = 2;
    share_.share = group::Scalar::Random();
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Read(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  fs::path dir_;
  TrusteeShare share_;
};

TEST_F(TrusteeFilesTest, RoundTripsOnlyWithThePassphrase) {
  const fs::path path = dir_ / "t2.share";
  ASSERT_TRUE(WriteShareFile(path, share_, "correct horse battery", KdfCost::kInteractive).ok());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto back = ReadShareFile(path, "correct horse battery");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->share, share_.share);
  EXPECT_EQ(back->trustee, 2u);
  EXPECT_EQ(back->election, "Test 2026");
  EXPECT_FALSE(ReadShareFile(path, "wrong horse battery").ok());
  // The secret is not in the file in any readable form.
  EXPECT_EQ(Read(path).find(ToHex(share_.share.Encode())), std::string::npos);
}

TEST_F(TrusteeFilesTest, RelabellingTheHeaderBreaksTheFile) {
  const fs::path path = dir_ / "t2.share";
  ASSERT_TRUE(WriteShareFile(path, share_, "correct horse battery", KdfCost::kInteractive).ok());
  std::string text = Read(path);
  const size_t at = text.find("\"trustee\": 2");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 12, "\"trustee\": 3");
  const fs::path relabelled = dir_ / "t3.share";
  ASSERT_TRUE(WriteNewFile(relabelled, text, 0600).ok());
  EXPECT_FALSE(ReadShareFile(relabelled, "correct horse battery").ok());
}

TEST_F(TrusteeFilesTest, NeverOverwritesOrFollowsASymlink) {
  const fs::path path = dir_ / "t2.share";
  ASSERT_TRUE(WriteNewFile(path, "x", 0600).ok());
  EXPECT_FALSE(WriteShareFile(path, share_, "correct horse battery", KdfCost::kInteractive).ok());
  fs::create_symlink(dir_ / "elsewhere", dir_ / "link.share");
  EXPECT_FALSE(WriteNewFile(dir_ / "link.share", "x", 0600).ok());
  EXPECT_FALSE(fs::exists(dir_ / "elsewhere"));
  EXPECT_FALSE(WriteShareFile(dir_ / "short.share", share_, "short", KdfCost::kInteractive).ok());
}

TEST(PassphraseTest, GeneratedOnesDiffer) {
  const std::string a = GeneratePassphrase(), b = GeneratePassphrase();
  EXPECT_EQ(a.size(), 22u);
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace landslide::verifiable
