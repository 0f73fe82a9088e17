#include "os/process.h"

#include <gtest/gtest.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace landslide::os {
namespace {

using std::chrono::milliseconds;
namespace fs = std::filesystem;

class ProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/landslide-process-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string Read(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  // Polls until `p` has a full line, for output written by a child that keeps running.
  std::string WaitForLine(const fs::path& p) {
    for (int i = 0; i < 500; ++i) {
      std::string s = Read(p);
      if (s.find('\n') != std::string::npos) return s;
      std::this_thread::sleep_for(milliseconds(10));
    }
    return "";
  }
  static bool Alive(pid_t pid) { return !IsGone(pid); }

  fs::path dir_;
};

ProcessOptions Sh(const std::string& script) {
  ProcessOptions o;
  o.argv = {"sh", "-c", script};
  return o;
}

TEST_F(ProcessTest, ReportsExitCodes) {
  auto ok = Process::Spawn(Sh("exit 0"));
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  auto st = ok->Wait(milliseconds(5000));
  ASSERT_TRUE(st.ok()) << st.status().message();
  EXPECT_TRUE(st->success());
  EXPECT_EQ(st->ToString(), "exited with code 0");

  auto three = Process::Spawn(Sh("exit 3"));
  ASSERT_TRUE(three.ok());
  st = three->Wait(milliseconds(5000));
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->code, 3);
  EXPECT_FALSE(three->Running());
  ASSERT_TRUE(three->exit_status().has_value());
}

TEST_F(ProcessTest, MissingProgramIsAnError) {
  ProcessOptions o;
  o.argv = {"landslide-no-such-program"};
  auto p = Process::Spawn(o);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), Code::kNotFound);
  o.argv = {"/nonexistent/bin/thing"};
  EXPECT_FALSE(Process::Spawn(o).ok());
}

TEST_F(ProcessTest, ExecFailureInChildIsReported) {
  ProcessOptions o = Sh("exit 0");
  o.cwd = dir_ / "missing";
  auto p = Process::Spawn(o);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("chdir"), std::string::npos) << p.status().message();
}

TEST_F(ProcessTest, RedirectsOutputSetsEnvAndWorkingDirectory) {
  ProcessOptions o = Sh("echo out; echo err >&2; echo \"$LANDSLIDE_TEST_VAR\"; pwd");
  o.env = {{"LANDSLIDE_TEST_VAR", "hello"}};
  o.cwd = dir_;
  o.log_file = dir_ / "out.log";
  auto p = Process::Spawn(o);
  ASSERT_TRUE(p.ok()) << p.status().message();
  ASSERT_TRUE(p->Wait(milliseconds(5000)).ok());
  EXPECT_EQ(Read(o.log_file), "out\nerr\nhello\n" + dir_.string() + "\n");
  // Appends, so a restarted server keeps its earlier log.
  auto again = Process::Spawn(o);
  ASSERT_TRUE(again.ok());
  ASSERT_TRUE(again->Wait(milliseconds(5000)).ok());
  EXPECT_EQ(Read(o.log_file).substr(0, 4), "out\n");
  EXPECT_GT(Read(o.log_file).size(), 20u);
}

TEST_F(ProcessTest, WaitTimesOutAndTerminateStops) {
  ProcessOptions o;
  o.argv = {"sleep", "30"};
  auto p = Process::Spawn(o);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->Running());
  auto st = p->Wait(milliseconds(50));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.status().code(), Code::kUnavailable);
  ExitStatus e = p->Terminate(milliseconds(5000));
  EXPECT_EQ(e.signal, SIGTERM);
  EXPECT_EQ(e.ToString(), "killed by signal 15 (SIGTERM)");
  EXPECT_TRUE(p->Signal(SIGTERM).ok());  // reaped: not signalled again, not an error
}

TEST_F(ProcessTest, DestructorKillsEvenWhenSigtermIsIgnored) {
  pid_t pid;
  auto start = std::chrono::steady_clock::now();
  {
    ProcessOptions o = Sh("trap '' TERM; echo ready; while :; do sleep 1; done");
    o.stop_grace = milliseconds(200);
    o.log_file = dir_ / "trap.log";
    auto p = Process::Spawn(o);
    ASSERT_TRUE(p.ok());
    pid = p->pid();
    ASSERT_EQ(WaitForLine(o.log_file), "ready\n");
  }
  EXPECT_FALSE(Alive(pid));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST_F(ProcessTest, SignalGroupReachesGrandchildren) {
  ProcessOptions o = Sh("sleep 30 & echo $!; wait");
  o.log_file = dir_ / "pid.log";
  auto p = Process::Spawn(o);
  ASSERT_TRUE(p.ok());
  std::string line = WaitForLine(o.log_file);
  ASSERT_FALSE(line.empty());
  pid_t grandchild = std::atoi(line.c_str());
  ASSERT_GT(grandchild, 0);
  EXPECT_TRUE(Alive(grandchild));
  EXPECT_EQ(ChildrenOf(p->pid()), std::vector<pid_t>{grandchild});
  ASSERT_TRUE(p->SignalGroup(SIGKILL).ok());
  auto st = p->Wait(milliseconds(5000));
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->signal, SIGKILL);
  // The grandchild was re-parented (to init or a subreaper); give the signal a moment.
  for (int i = 0; i < 200 && Alive(grandchild); ++i) std::this_thread::sleep_for(milliseconds(10));
  EXPECT_FALSE(Alive(grandchild));
}

TEST_F(ProcessTest, ChildDoesNotInheritBlockedSignals) {
  sigset_t term, old;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  ASSERT_EQ(pthread_sigmask(SIG_BLOCK, &term, &old), 0);
  ProcessOptions o;
  o.argv = {"sleep", "30"};
  auto p = Process::Spawn(o);
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  ASSERT_TRUE(p.ok());
  ASSERT_TRUE(p->Signal(SIGTERM).ok());
  auto st = p->Wait(milliseconds(5000));
  ASSERT_TRUE(st.ok()) << "the child kept SIGTERM blocked";
  EXPECT_EQ(st->signal, SIGTERM);
}

TEST_F(ProcessTest, MovedFromProcessOwnsNothing) {
  ProcessOptions o;
  o.argv = {"sleep", "30"};
  auto p = Process::Spawn(o);
  ASSERT_TRUE(p.ok());
  pid_t pid = p->pid();
  Process moved = std::move(p.value());
  EXPECT_EQ(moved.pid(), pid);
  EXPECT_EQ(p->pid(), -1);  // NOLINT(bugprone-use-after-move): that is the point
  EXPECT_TRUE(moved.Running());
  moved.Terminate(milliseconds(5000));
  EXPECT_FALSE(Alive(pid));
}

TEST_F(ProcessTest, RunsAsAnotherUserWhenRoot) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  auto ids = LookUpUser("postgres");
  if (!ids.ok()) GTEST_SKIP() << "no postgres user";
  chmod(dir_.c_str(), 0755);
  ProcessOptions o = Sh("id -u; id -g; echo $USER");
  o.user = "postgres";
  o.log_file = dir_ / "id.log";
  auto p = Process::Spawn(o);
  ASSERT_TRUE(p.ok()) << p.status().message();
  ASSERT_TRUE(p->Wait(milliseconds(5000)).ok());
  EXPECT_EQ(Read(o.log_file),
            std::to_string(ids->uid) + "\n" + std::to_string(ids->gid) + "\npostgres\n");
  struct stat st {};
  ASSERT_EQ(stat(o.log_file.c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, ids->uid);
  EXPECT_FALSE(LookUpUser("landslide-no-such-user").ok());
}

TEST_F(ProcessTest, JoinsANetworkNamespaceBeforeDroppingPrivileges) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root (CAP_SYS_ADMIN)";
  auto ids = LookUpUser("postgres");
  if (!ids.ok()) GTEST_SKIP() << "no postgres user";
  // A process holding a fresh network namespace; the child joins it through /proc.
  ProcessOptions holder_options;
  holder_options.argv = {"unshare", "--net", "sleep", "30"};
  auto holder = Process::Spawn(holder_options);
  if (!holder.ok()) GTEST_SKIP() << holder.status().message();
  const fs::path ns = "/proc/" + std::to_string(holder->pid()) + "/ns/net";
  std::error_code ec;
  fs::path want;
  for (int i = 0; i < 200 && (want.empty() || want == fs::read_symlink("/proc/self/ns/net")); ++i) {
    want = fs::read_symlink(ns, ec);  // "net:[inode]" once unshare has run
    std::this_thread::sleep_for(milliseconds(10));
  }
  ASSERT_NE(want, fs::read_symlink("/proc/self/ns/net"));
  chmod(dir_.c_str(), 0755);
  ProcessOptions o = Sh("readlink /proc/self/ns/net; id -u");
  o.user = "postgres";
  o.netns = ns;
  o.log_file = dir_ / "ns.log";
  auto p = Process::Spawn(o);
  ASSERT_TRUE(p.ok()) << p.status().message();
  ASSERT_TRUE(p->Wait(milliseconds(5000)).ok());
  EXPECT_EQ(Read(o.log_file), want.string() + "\n" + std::to_string(ids->uid) + "\n");

  o.netns = dir_ / "no-such-namespace";
  auto missing = Process::Spawn(o);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("network namespace"), std::string::npos)
      << missing.status().message();
}

TEST_F(ProcessTest, TailOfFileKeepsWholeLastLines) {
  {
    std::ofstream out(dir_ / "t.log");
    for (int i = 0; i < 100; ++i) out << "line " << i << "\n";
  }
  std::string tail = TailOfFile(dir_ / "t.log", 20);
  EXPECT_EQ(tail, "line 98\nline 99");
  EXPECT_EQ(TailOfFile(dir_ / "missing.log"), "");
}

}  // namespace
}  // namespace landslide::os
