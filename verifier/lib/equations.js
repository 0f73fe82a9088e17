// Batch verification. Every verification equation of a proof is a sum Σ k_i·P_i that must be
// the identity; multiplying each by a random 128-bit weight and adding them all gives one
// multi-scalar multiplication that is the identity iff (up to 2^-128) every equation holds.
// The coefficients of G and K are gathered apart since nearly every equation has them.
//
// A backend decodes points and runs the multi-scalar multiplication: `nobleBackend` here
// (portable, for single ballots), or fast_group.js's FastGroup (the verifier's workers).
import { pippenger } from '@noble/curves/abstract/curve.js';
import { bytesToNumberLE } from './bytes.js';
import { G, Point, add, decodePoint } from './group.js';

export const nobleBackend = {
  G,
  decode: decodePoint,
  keepCopy: (p) => p, // noble's points are values
  msmIsIdentity: (points, scalars) => pippenger(Point, points, scalars).is0(),
};

// 128-bit weights, drawn from a pooled buffer (one getRandomValues call per 256 weights).
const pool = new Uint8Array(4096);
let poolAt = pool.length;
export function weight() {
  if (poolAt === pool.length) {
    crypto.getRandomValues(pool);
    poolAt = 0;
  }
  poolAt += 16;
  return bytesToNumberLE(pool.subarray(poolAt - 16, poolAt));
}

export class Equations {
  constructor() {
    this.points = [];
    this.scalars = [];
    this.g = 0n; // coefficient of G
    this.k = 0n; // coefficient of the election key K
  }

  addPoint(point, scalar) {
    this.points.push(point);
    this.scalars.push(scalar);
  }

  merge(other) {
    for (let i = 0; i < other.points.length; i++) this.addPoint(other.points[i], other.scalars[i]);
    this.g = add(this.g, other.g);
    this.k = add(this.k, other.k);
  }

  get empty() {
    return this.points.length === 0 && this.g === 0n && this.k === 0n;
  }

  // Whether Σ scalars·points + g·G + k·key is the identity; `key` decoded by `backend` (none
  // if the equations do not involve it).
  holds(backend, key = undefined) {
    const points = [...this.points, backend.G], scalars = [...this.scalars, this.g];
    if (key !== undefined) {
      points.push(key);
      scalars.push(this.k);
    } else if (this.k !== 0n) {
      throw new Error('the equations need the election key');
    }
    return backend.msmIsIdentity(points, scalars);
  }
}
