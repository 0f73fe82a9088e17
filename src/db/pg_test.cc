#include "db/pg.h"

#include <gtest/gtest.h>

namespace landslide::db {
namespace {

TEST(WithConnParam, AddsAKeyOnlyWhenTheConninfoLacksIt) {
  EXPECT_EQ(WithConnParam("host=a port=1", "tcp_user_timeout", "5000"),
            "host=a port=1 tcp_user_timeout=5000");
  EXPECT_EQ(WithConnParam("host=a keepalives_idle=9", "keepalives_idle", "2"),
            "host=a keepalives_idle=9");
  EXPECT_EQ(WithConnParam("", "connect_timeout", "2"), "connect_timeout=2");
  EXPECT_EQ(WithConnParam("postgresql://h/db", "connect_timeout", "2"),
            "postgresql://h/db?connect_timeout=2");
  EXPECT_EQ(WithConnParam("postgresql://h/db?sslmode=disable", "connect_timeout", "2"),
            "postgresql://h/db?sslmode=disable&connect_timeout=2");
}

TEST(ArrayParams, AnEmptyByteStringIsAQuotedEmptyElement) {
  // PostgreSQL refuses "{ab,}"; a batch of cast ballots (no openings) sends such an array.
  const std::vector<uint8_t> ab{0xab};
  EXPECT_EQ(HexArrayParam({ab, {}}), "{ab,\"\"}");
  EXPECT_EQ(HexArrayParam({{}, {}}), "{\"\",\"\"}");
  EXPECT_EQ(HexArrayParam({}), "{}");
}

}  // namespace
}  // namespace landslide::db
