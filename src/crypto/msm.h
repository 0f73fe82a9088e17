// Multi-scalar multiplication: Σ k_i·P_i for many points at once, the core of batch
// verification. Written by hand because neither libdecaf nor libsodium offers one (libdecaf
// stops at two points); the algorithm is Pippenger's bucket method with signed digits.
// Variable time: for public values only (verification), never for secret scalars.
#pragma once

#include <span>

#include "crypto/group.h"

namespace landslide::group {

// Σ scalars[i]·points[i]; the spans must have the same length. Scalars whose upper bits are zero
// (128-bit batch weights) cost proportionally less: zero digits are skipped.
Point MultiScalarMulPublic(std::span<const Point> points, std::span<const Scalar> scalars);

}  // namespace landslide::group
