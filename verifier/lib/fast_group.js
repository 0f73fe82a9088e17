// The verifier's fast group backend: ristretto255 decoding (RFC 9496 §4.3.1) and
// multi-scalar multiplication (Pippenger's bucket method) over wasm_field.js. Points are
// addresses in the module's memory, allocated from an arena that `reset` empties (a chunk of
// ballots at a time); `keep` allocates from a permanent region below it.
import { ristretto255 } from '@noble/curves/ed25519.js';
import { FieldMachine, FE, PT, HEAP, P, D } from './wasm_field.js';
import { bytesToNumberLE } from './bytes.js';

const SQRT_M1 = 19681161376707505956807079304988542015446066515923890162744021073123829784752n;
const DECODE_TEMPS = 18; // 12 for decode, 3 for invSqrt, 3 for pow22523

const inv = (x) => {
  let r = 1n, b = x % P, e = P - 2n;
  for (; e > 0n; e >>= 1n, b = (b * b) % P) if (e & 1n) r = (r * b) % P;
  return r;
};

export class FastGroup {
  // `slots`: how many points `keep` may hand out beyond the constants.
  constructor(slots = 16) {
    const m = (this.m = new FieldMachine());
    this.keptEnd = HEAP;
    this.permanentEnd = HEAP + (DECODE_TEMPS + 3 + slots) * PT;
    m.ensure(this.permanentEnd);
    this.tmp = Array.from({ length: DECODE_TEMPS }, () => this.keep());
    this.ONE = this.keep();
    m.setBig(this.ONE, 1n);
    this.IDENTITY = this.keep();
    this.setIdentity(this.IDENTITY);
    this.reset();
    this.G = this.keepCopy(this.decode(ristretto255.Point.BASE.toBytes()));
  }

  // A permanent point slot.
  keep() {
    if (this.keptEnd + PT > this.permanentEnd) throw new Error('out of permanent point slots');
    const at = this.keptEnd;
    this.keptEnd += PT;
    return at;
  }

  // Frees every point allocated by `alloc` since the last reset.
  reset() {
    this.next = this.permanentEnd;
  }

  alloc(count = 1) {
    const at = this.next;
    this.next += count * PT;
    this.m.ensure(this.next);
    return at;
  }

  // A permanent copy of p.
  keepCopy(p) {
    const at = this.keep();
    this.m.copy(at, p, PT);
    return at;
  }

  setIdentity(p) {
    const m = this.m;
    m.setBig(p, 0n);
    m.setBig(p + FE, 1n);
    m.setBig(p + 2 * FE, 1n);
    m.setBig(p + 3 * FE, 0n);
  }

  toNoble(p) {
    const m = this.m;
    const zi = inv(m.getBig(p + 2 * FE));
    return ristretto255.Point.fromAffine({ x: (m.getBig(p) * zi) % P, y: (m.getBig(p + FE) * zi) % P });
  }

  // Decodes 32 bytes into a new point slot, or throws naming `what` (RFC 9496 §4.3.1).
  decode(bytes, what = 'point', allowIdentity = true) {
    if (bytes.length !== 32) throw new Error(`${what} is not 32 bytes`);
    let zero = true;
    for (let i = 0; i < 32; i++) if (bytes[i] !== 0) zero = false;
    if (zero) {
      if (!allowIdentity) throw new Error(`${what} is the identity`);
      const p = this.alloc();
      this.setIdentity(p);
      return p;
    }
    const bad = () => new Error(`${what} is not a canonical ristretto255 encoding`);
    // s must be a canonical field element (below p) and non-negative (even).
    if (bytes[31] & 0x80 || bytes[0] & 1 || bytesToNumberLE(bytes) >= P) throw bad();
    const m = this.m, [s, ss, u1, u2, u2sq, v, t0, r, chk, x, y, t] = this.tmp;
    m.setBytes(s, bytes);
    m.fe_mul(ss, s, s);
    m.fe_sub(u1, this.ONE, ss); // u1 = 1 − s²
    m.fe_add(u2, this.ONE, ss); // u2 = 1 + s²
    m.fe_mul(u2sq, u2, u2);
    m.fe_mul(v, u1, u1);
    m.setBig(t0, D);
    m.fe_mul(v, v, t0);
    m.fe_sub(v, m.ZERO, v);
    m.fe_sub(v, v, u2sq); // v = −d·u1² − u2²
    m.fe_mul(t0, v, u2sq);
    const { wasSquare, root } = this.invSqrt(t0, r, chk);
    // den_x = I·u2, den_y = I·den_x·v, x = |2·s·den_x|, y = u1·den_y, t = x·y
    m.fe_mul(x, root, u2); // den_x
    m.fe_mul(y, root, x);
    m.fe_mul(y, y, v); // den_y
    m.fe_mul(x, x, s);
    m.fe_add(x, x, x);
    if (m.isOdd(x)) m.fe_sub(x, m.ZERO, x);
    m.fe_mul(y, u1, y);
    m.fe_mul(t, x, y);
    if (!wasSquare || m.isOdd(t) || m.isZero(y)) throw bad();
    const p = this.alloc();
    m.copy(p, x, FE);
    m.copy(p + FE, y, FE);
    m.setBig(p + 2 * FE, 1n);
    m.copy(p + 3 * FE, t, FE);
    return p;
  }

  // SQRT_RATIO_M1(1, w) of RFC 9496 §4.2, into `r`; `chk` is scratch.
  invSqrt(w, r, chk) {
    const m = this.m, [a, b, c] = this.tmp.slice(12, 15);
    m.fe_mul(a, w, w);
    m.fe_mul(a, a, w); // w³
    m.fe_mul(b, a, a);
    m.fe_mul(b, b, w); // w⁷
    this.pow22523(c, b); // (w⁷)^((p−5)/8)
    m.fe_mul(r, a, c); // r = w³·(w⁷)^((p−5)/8)
    m.fe_mul(chk, r, r);
    m.fe_mul(chk, chk, w); // check = w·r²
    const correct = m.equals(chk, 1n), flipped = m.equals(chk, P - 1n);
    const flippedI = !correct && !flipped && m.equals(chk, P - SQRT_M1);
    if (flipped || flippedI) {
      m.setBig(chk, SQRT_M1);
      m.fe_mul(r, r, chk);
    }
    if (m.isOdd(r)) m.fe_sub(r, m.ZERO, r);
    return { wasSquare: correct || flipped, root: r };
  }

  // o = z^(2^252 − 3), the usual addition chain.
  pow22523(o, z) {
    const m = this.m, [t0, t1, t2] = this.tmp.slice(15, 18);
    m.fe_mul(t0, z, z); // z²
    m.fe_sqn(t1, t0, 2); // z⁸
    m.fe_mul(t1, z, t1); // z⁹
    m.fe_mul(t0, t0, t1); // z¹¹
    m.fe_mul(t0, t0, t0); // z²²
    m.fe_mul(t0, t1, t0); // z^(2^5 − 1)
    m.fe_sqn(t1, t0, 5);
    m.fe_mul(t0, t1, t0); // 2^10 − 1
    m.fe_sqn(t1, t0, 10);
    m.fe_mul(t1, t1, t0); // 2^20 − 1
    m.fe_sqn(t2, t1, 20);
    m.fe_mul(t1, t2, t1); // 2^40 − 1
    m.fe_sqn(t1, t1, 10);
    m.fe_mul(t0, t1, t0); // 2^50 − 1
    m.fe_sqn(t1, t0, 50);
    m.fe_mul(t1, t1, t0); // 2^100 − 1
    m.fe_sqn(t2, t1, 100);
    m.fe_mul(t1, t2, t1); // 2^200 − 1
    m.fe_sqn(t1, t1, 50);
    m.fe_mul(t0, t1, t0); // 2^250 − 1
    m.fe_sqn(t0, t0, 2);
    m.fe_mul(o, t0, z); // 2^252 − 3
  }

  add(o, p, q) {
    this.m.pt_add(o, p, q);
    return o;
  }

  // Whether p is the identity of ristretto255: X = 0 or Y = 0 (the 4-torsion coset of 0).
  isIdentity(p) {
    return this.m.isZero(p) || this.m.isZero(p + FE);
  }

  // Whether Σ scalars[i]·points[i] is the identity. Scalars are BigInts in [0, 2^253).
  msmIsIdentity(points, scalars) {
    const n = points.length;
    const c = n < 32 ? 3 : Math.min(12, Math.max(4, Math.floor(Math.log2(n)) - 2));
    const windows = Math.ceil(256 / c); // hex digits give up to 256 bits
    // Digits of every scalar, window by window (little-endian bytes, then c bits at a time).
    // Digits of every scalar, window by window, read off its hex form (BigInt arithmetic per
    // window would cost more than the additions it feeds).
    const digits = new Uint16Array(n * windows);
    let maxBits = 0;
    for (let i = 0; i < n; i++) {
      const hex = scalars[i].toString(16);
      maxBits = Math.max(maxBits, hex.length * 4);
      for (let w = 0; w < windows; w++) {
        const lo = w * c, hi = lo + c; // bits [lo, hi)
        const first = hex.length - Math.ceil(hi / 4), last = hex.length - Math.floor(lo / 4);
        if (last <= 0) break;
        const chunk = parseInt(hex.slice(Math.max(0, first), last), 16);
        digits[i * windows + w] = Math.floor(chunk / 2 ** (lo % 4)) % (1 << c);
      }
    }
    const used = Math.min(windows, Math.ceil(maxBits / c));
    const buckets = this.alloc(1 << c), full = new Uint8Array(1 << c);
    const acc = this.alloc(), sum = this.alloc(), win = this.alloc();
    this.setIdentity(acc);
    const m = this.m;
    for (let w = used - 1; w >= 0; w--) {
      for (let d = 0; d < c; d++) m.pt_dbl(acc, acc);
      full.fill(0);
      for (let i = 0; i < n; i++) {
        const d = digits[i * windows + w];
        if (d === 0) continue;
        const bucket = buckets + d * PT;
        if (full[d]) m.pt_add(bucket, bucket, points[i]);
        else {
          m.copy(bucket, points[i], PT);
          full[d] = 1;
        }
      }
      // Σ d·bucket_d as running sums from the top bucket down.
      this.setIdentity(sum);
      this.setIdentity(win);
      for (let d = (1 << c) - 1; d > 0; d--) {
        if (full[d]) m.pt_add(sum, sum, buckets + d * PT);
        m.pt_add(win, win, sum);
      }
      m.pt_add(acc, acc, win);
    }
    return this.isIdentity(acc);
  }
}
