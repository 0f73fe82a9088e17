#include "bench/system_probe.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

namespace landslide::bench {
namespace {

TEST(SystemProbeTest, CpuModelIsTheFirstModelNameLine) {
  const char* cpuinfo =
      "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel\t\t: 1\n"
      "model name\t: AMD EPYC 7B13\nflags\t\t: fpu\n\nprocessor\t: 1\n"
      "model name\t: AMD EPYC 7B13\n";
  EXPECT_EQ(ParseCpuModel(cpuinfo), "AMD EPYC 7B13");
  EXPECT_EQ(ParseCpuModel("processor : 0\n"), "");
}

TEST(SystemProbeTest, KbFieldsAreReadInBytes) {
  const char* meminfo = "MemTotal:       24634188 kB\nMemFree:        17000000 kB\n";
  EXPECT_EQ(ParseKbField(meminfo, "MemTotal"), int64_t{24634188} * 1024);
  EXPECT_EQ(ParseKbField(meminfo, "MemAvailable"), -1);
  const char* status = "Name:\tlandslide\nVmHWM:\t  120000 kB\nVmRSS:\t   98765 kB\n";
  EXPECT_EQ(ParseKbField(status, "VmRSS"), int64_t{98765} * 1024);
  EXPECT_EQ(ParseKbField(status, "VmHWM"), int64_t{120000} * 1024);
  // A field whose name is a prefix of another's is not confused with it.
  EXPECT_EQ(ParseKbField("VmRSSx:\t1 kB\n", "VmRSS"), -1);
}

TEST(SystemProbeTest, LoadAverage) {
  auto l = ParseLoadAverage("3.06 4.18 5.14 2/345 6789\n");
  ASSERT_TRUE(l);
  EXPECT_DOUBLE_EQ((*l)[0], 3.06);
  EXPECT_DOUBLE_EQ((*l)[2], 5.14);
  EXPECT_FALSE(ParseLoadAverage("garbage"));
}

TEST(SystemProbeTest, CpuSecondsFromProcStat) {
  // pid (comm with ") " inside) state ppid pgrp session tty tpgid flags minflt cminflt majflt
  // cmajflt utime stime cutime cstime ...
  const char* stat = "42 (a) b) S 1 42 42 0 -1 4194560 100 0 0 0 250 50 1000 100 20 0 1 0";
  EXPECT_DOUBLE_EQ(ParseCpuSeconds(stat, 100, false), 3.0);
  EXPECT_DOUBLE_EQ(ParseCpuSeconds(stat, 100, true), 14.0);
  EXPECT_EQ(ParseCpuSeconds("42 (a) S 1 2", 100, false), -1);
  EXPECT_EQ(ParseCpuSeconds("no parenthesis", 100, false), -1);
}

TEST(SystemProbeTest, ThisMachineAndThisProcessCanBeRead) {
  MachineInfo m = CollectMachineInfo();
  EXPECT_GE(m.nproc, 1);
  EXPECT_GT(m.memory_bytes, 0);
  ProcessUsage self = ReadProcessUsage(getpid(), false);
  EXPECT_GT(self.rss_bytes, 0);
  EXPECT_GE(self.hwm_bytes, self.rss_bytes);
  EXPECT_GE(self.cpu_seconds, 0);
  EXPECT_EQ(ReadProcessUsage(-5, false).rss_bytes, -1);
}

TEST(SystemProbeTest, DirectoryBytesCountsFiles) {
  char tmpl[] = "/tmp/landslide-probe-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::filesystem::path dir = tmpl;
  std::filesystem::create_directories(dir / "a" / "b");
  std::ofstream(dir / "a" / "b" / "f") << std::string(100000, 'x');
  EXPECT_GE(DirectoryBytes(dir), 100000);
  EXPECT_EQ(DirectoryBytes(dir / "missing"), -1);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace landslide::bench
