// The group: ristretto255 (RFC 9496) through @noble/curves. Points are noble points; scalars
// are BigInts in [0, ℓ). Every decoder here is strict: a point must be the canonical encoding
// of a group element and a scalar must be below ℓ, else it throws naming `what`.
import { ristretto255 } from '@noble/curves/ed25519.js';
import { bytesToNumberLE, numberToBytesLE } from './bytes.js';

export const Point = ristretto255.Point;
export const G = Point.BASE;
export const IDENTITY = Point.ZERO;
// ℓ = 2^252 + 27742317777372353535851937790883648493
export const ORDER = Point.Fn.ORDER;

export function isZeroBytes(bytes) {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}

// The identity's only canonical encoding is 32 zero bytes; `allowIdentity` false refuses it
// (credentials, the election key and trustee coefficients, RECORD.md "Group").
export function decodePoint(bytes, what = 'point', allowIdentity = true) {
  if (bytes.length !== 32) throw new Error(`${what} is not 32 bytes`);
  if (!allowIdentity && isZeroBytes(bytes)) throw new Error(`${what} is the identity`);
  try {
    return Point.fromBytes(bytes);
  } catch {
    throw new Error(`${what} is not a canonical ristretto255 encoding`);
  }
}

export const encodePoint = (p) => p.toBytes();

export function decodeScalar(bytes, what = 'scalar') {
  if (bytes.length !== 32) throw new Error(`${what} is not 32 bytes`);
  const x = bytesToNumberLE(bytes);
  if (x >= ORDER) throw new Error(`${what} is not a canonical scalar (not below the group order)`);
  return x;
}

export const encodeScalar = (x) => numberToBytesLE(mod(x), 32);

export function mod(x) {
  const r = x % ORDER;
  return r < 0n ? r + ORDER : r;
}

export const add = (a, b) => mod(a + b);
export const sub = (a, b) => mod(a - b);
export const mul = (a, b) => mod(a * b);
export const neg = (a) => mod(-a);

// a^(ℓ-2) = a^-1 (ℓ is prime); zero has no inverse.
export function inv(a) {
  a = mod(a);
  if (a === 0n) throw new Error('zero has no inverse');
  let result = 1n, base = a, e = ORDER - 2n;
  while (e > 0n) {
    if (e & 1n) result = (result * base) % ORDER;
    base = (base * base) % ORDER;
    e >>= 1n;
  }
  return result;
}

// A uniform scalar: 64 random bytes reduced mod ℓ (the bias is below 2^-250).
export function randomScalar() {
  return mod(bytesToNumberLE(crypto.getRandomValues(new Uint8Array(64))));
}

// k·G and k·P. The secret forms are constant time, for the builder and the trustees; the
// public forms (variable time, faster) are for values anyone may know.
export const baseMul = (k) => (k === 0n ? IDENTITY : G.multiply(k));
export const mulSecret = (p, k) => (k === 0n ? IDENTITY : p.multiply(k));
export const baseMulPublic = (k) => G.multiplyUnsafe(k);
export const mulPublic = (p, k) => p.multiplyUnsafe(k);
