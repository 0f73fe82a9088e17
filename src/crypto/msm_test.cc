#include "crypto/msm.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <vector>

namespace landslide::group {
namespace {

Point Naive(const std::vector<Point>& points, const std::vector<Scalar>& scalars) {
  Point sum;
  for (size_t i = 0; i < points.size(); ++i) sum += points[i] * scalars[i];
  return sum;
}

Scalar Short() {
  Bytes32 b{};
  randombytes_buf(b.data(), 16);
  return *Scalar::Decode(b);
}

TEST(MultiScalarMulTest, MatchesOneByOneForEverySizeAndScalarKind) {
  for (size_t n : {0, 1, 2, 3, 7, 8, 9, 33, 64, 300, 1100}) {
    std::vector<Point> points;
    std::vector<Scalar> scalars;
    for (size_t i = 0; i < n; ++i) {
      points.push_back(BaseMul(Scalar::Random()));
      // Full-size, 128-bit, zero, one and the largest scalar (-1), all mixed in one sum.
      switch (i % 5) {
        case 0:
          scalars.push_back(Scalar::Random());
          break;
        case 1:
          scalars.push_back(Short());
          break;
        case 2:
          scalars.push_back(Scalar());
          break;
        case 3:
          scalars.push_back(Scalar::FromU64(1));
          break;
        default:
          scalars.push_back(-Scalar::FromU64(1));
          break;
      }
    }
    EXPECT_EQ(MultiScalarMulPublic(points, scalars), Naive(points, scalars)) << n << " points";
  }
}

TEST(MultiScalarMulTest, RepeatedPointsAndTheIdentity) {
  const Point p = BaseMul(Scalar::Random());
  std::vector<Point> points{p, p, Point(), p.Double(), -p};
  std::vector<Scalar> scalars{Scalar::FromU64(3), Scalar::FromU64(4), Scalar::Random(),
                              Scalar::FromU64(5), Scalar::FromU64(17)};
  // 3p + 4p + 10p - 17p = 0
  EXPECT_TRUE(MultiScalarMulPublic(points, scalars).IsIdentity());
}

}  // namespace
}  // namespace landslide::group
