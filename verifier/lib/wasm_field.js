// Fast arithmetic for batch verification: GF(2^255−19) and twisted Edwards points in a small
// WebAssembly module generated here (no toolchain, no binary blob: the bytecode is emitted by
// the code below). Field elements are 10 signed 64-bit limbs in radix 2^25.5 (26, 25, 26, …
// bits, as in ref10), products in 64-bit integers: roughly ten times faster than BigInt
// arithmetic, which is what makes verifying a national record take minutes, not hours.
// Memory layout: a field element is 80 bytes (10 × i64), a point 320 bytes (X, Y, Z, T).
// Correctness is cross-checked against @noble/curves in test/fast_group_test.js.

export const FE = 80;
export const PT = 4 * FE;
export const LIMB_BITS = [26, 25, 26, 25, 26, 25, 26, 25, 26, 25];
export const LIMB_POS = [0, 26, 51, 77, 102, 128, 153, 179, 204, 230];
export const P = 2n ** 255n - 19n;

// --- a minimal WebAssembly binary writer ---

const I32 = 0x7f, I64 = 0x7e;
const uleb = (n) => {
  const out = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
};
const sleb = (v) => {
  let n = BigInt(v);
  const out = [];
  for (;;) {
    const b = Number(n & 0x7fn);
    n >>= 7n;
    if ((n === 0n && !(b & 0x40)) || (n === -1n && b & 0x40)) return [...out, b];
    out.push(b | 0x80);
  }
};
const vec = (items) => [...uleb(items.length), ...items.flat()];
const section = (id, bytes) => [id, ...uleb(bytes.length), ...bytes];

// A function body under construction: named i64 locals on demand, opcodes as methods.
class Body {
  constructor(params) {
    this.params = params; // names of the i32 parameters
    this.locals = new Map();
    this.code = [];
  }
  idx(name) {
    const p = this.params.indexOf(name);
    if (p >= 0) return p;
    if (!this.locals.has(name)) this.locals.set(name, this.params.length + this.locals.size);
    return this.locals.get(name);
  }
  get(name) { this.code.push(0x20, ...uleb(this.idx(name))); return this; }
  set(name) { this.code.push(0x21, ...uleb(this.idx(name))); return this; }
  i32(v) { this.code.push(0x41, ...sleb(v)); return this; }
  i64(v) { this.code.push(0x42, ...sleb(v)); return this; }
  load(offset) { this.code.push(0x29, 3, ...uleb(offset)); return this; } // i64.load
  store(offset) { this.code.push(0x37, 3, ...uleb(offset)); return this; } // i64.store
  op(...bytes) { this.code.push(...bytes); return this; }
  add() { return this.op(0x7c); }
  sub() { return this.op(0x7d); }
  mul() { return this.op(0x7e); }
  and() { return this.op(0x83); }
  shr() { return this.op(0x87); } // signed
  call(f) { return this.op(0x10, ...uleb(f)); }
  encode() {
    // Parameters are i32 addresses; the counter of fe_sqn is the last i32 local.
    const locals = [...this.locals.keys()];
    const groups = locals.map((name) => [1, name.startsWith('n') ? I32 : I64]);
    const body = [...vec(groups), ...this.code, 0x0b];
    return [...uleb(body.length), ...body];
  }
}

// h0..h9 (locals) carried so that each limb fits its width, then stored at `out`.
function carryAndStore(b, out) {
  const step = (i) => {
    const bits = LIMB_BITS[i];
    b.get(`h${i}`).i64(bits).shr().set('c');
    b.get(`h${i}`).i64((1 << bits) - 1).and().set(`h${i}`);
    if (i < 9) b.get(`h${i + 1}`).get('c').add().set(`h${i + 1}`);
    else b.get('h0').get('c').i64(19).mul().add().set('h0');
  };
  for (let i = 0; i < 10; i++) step(i);
  step(0);
  for (let i = 0; i < 10; i++) b.get(out).get(`h${i}`).store(8 * i);
}

function feMul() {
  const b = new Body(['o', 'a', 'b']);
  for (let i = 0; i < 10; i++) {
    b.get('a').load(8 * i).set(`f${i}`);
    b.get('b').load(8 * i).set(`g${i}`);
  }
  for (let i = 1; i < 10; i++) b.get(`g${i}`).i64(19).mul().set(`G${i}`);
  for (let i = 1; i < 10; i += 2) b.get(`f${i}`).get(`f${i}`).add().set(`F${i}`);
  for (let k = 0; k < 10; k++) {
    let first = true;
    for (let i = 0; i < 10; i++) {
      const j = (k - i + 10) % 10;
      // Both limbs odd: their weights add up to one bit more than the product's limb.
      const f = i % 2 === 1 && j % 2 === 1 ? `F${i}` : `f${i}`;
      const g = i + j >= 10 ? `G${j}` : `g${j}`;
      b.get(f).get(g).mul();
      if (!first) b.add();
      first = false;
    }
    b.set(`h${k}`);
  }
  carryAndStore(b, 'o');
  return b;
}

// o = a + b, or a + 2p − b (limbs stay non-negative), carried.
const TWO_P = LIMB_BITS.map((bits, i) => 2 * ((1 << bits) - (i === 0 ? 19 : 1)));
function feAddSub(subtract) {
  const b = new Body(['o', 'a', 'b']);
  for (let i = 0; i < 10; i++) {
    b.get('a').load(8 * i);
    if (subtract) b.i64(TWO_P[i]).add().get('b').load(8 * i).sub();
    else b.get('b').load(8 * i).add();
    b.set(`h${i}`);
  }
  carryAndStore(b, 'o');
  return b;
}

// o = a^(2^n) by n squarings (n ≥ 1); calls fe_mul (function 0).
function feSqn() {
  const b = new Body(['o', 'a', 'n']);
  b.get('o').get('a').get('a').call(0);
  b.op(0x02, 0x40); // block
  b.op(0x03, 0x40); // loop
  b.get('n').i32(1).op(0x6b).set('n'); // n -= 1 (i32)
  b.get('n').op(0x45).op(0x0d, 1); // if n == 0: break out of the block
  b.get('o').get('o').get('o').call(0);
  b.op(0x0c, 0); // continue the loop
  b.op(0x0b, 0x0b); // end loop, end block
  return b;
}

// Point addition and doubling on −x² + y² = 1 + d·x²·y², extended coordinates (Hisil et al.
// 2008, "add-2008-hwcd-3" and "dbl-2008-hwcd"), complete on this curve. Scratch field elements
// live at the fixed address `scratch`; constants 2d and zero at `consts`.
function pointOps(scratch, consts) {
  const [MUL, ADD, SUB] = [0, 1, 2];
  const t = (k) => scratch + k * FE;
  const D2 = consts, ZERO = consts + FE;
  const X = 0, Y = FE, Z = 2 * FE, T = 3 * FE;
  // Emits o = f(a, b) for addresses given as [local, offset] or absolute numbers.
  const emit = (b, fn, o, a, c) => {
    for (const x of [o, a, c]) {
      if (typeof x === 'number') b.i32(x);
      else b.get(x[0]).i32(x[1]).op(0x6a);
    }
    b.call(fn);
  };
  const add = new Body(['o', 'p', 'q']);
  emit(add, SUB, t(0), ['p', Y], ['p', X]); // Y1 − X1
  emit(add, SUB, t(1), ['q', Y], ['q', X]); // Y2 − X2
  emit(add, MUL, t(0), t(0), t(1)); // A
  emit(add, ADD, t(1), ['p', Y], ['p', X]);
  emit(add, ADD, t(2), ['q', Y], ['q', X]);
  emit(add, MUL, t(1), t(1), t(2)); // B
  emit(add, MUL, t(2), ['p', T], ['q', T]);
  emit(add, MUL, t(2), t(2), D2); // C = 2d·T1·T2
  emit(add, MUL, t(3), ['p', Z], ['q', Z]);
  emit(add, ADD, t(3), t(3), t(3)); // D = 2·Z1·Z2
  emit(add, SUB, t(4), t(1), t(0)); // E = B − A
  emit(add, SUB, t(5), t(3), t(2)); // F = D − C
  emit(add, ADD, t(6), t(3), t(2)); // G = D + C
  emit(add, ADD, t(7), t(1), t(0)); // H = B + A
  emit(add, MUL, ['o', X], t(4), t(5));
  emit(add, MUL, ['o', Y], t(6), t(7));
  emit(add, MUL, ['o', T], t(4), t(7));
  emit(add, MUL, ['o', Z], t(5), t(6));

  const dbl = new Body(['o', 'p']);
  emit(dbl, MUL, t(0), ['p', X], ['p', X]); // A = X²
  emit(dbl, MUL, t(1), ['p', Y], ['p', Y]); // B = Y²
  emit(dbl, MUL, t(2), ['p', Z], ['p', Z]);
  emit(dbl, ADD, t(2), t(2), t(2)); // C = 2·Z²
  emit(dbl, ADD, t(3), ['p', X], ['p', Y]);
  emit(dbl, MUL, t(3), t(3), t(3));
  emit(dbl, SUB, t(3), t(3), t(0));
  emit(dbl, SUB, t(3), t(3), t(1)); // E = (X + Y)² − A − B
  emit(dbl, SUB, t(4), t(1), t(0)); // G = B − A   (D = −A)
  emit(dbl, SUB, t(5), t(4), t(2)); // F = G − C
  emit(dbl, ADD, t(6), t(0), t(1));
  emit(dbl, SUB, t(6), ZERO, t(6)); // H = −A − B
  emit(dbl, MUL, ['o', X], t(3), t(5));
  emit(dbl, MUL, ['o', Y], t(4), t(6));
  emit(dbl, MUL, ['o', T], t(3), t(6));
  emit(dbl, MUL, ['o', Z], t(5), t(4));
  return [add, dbl];
}

// Memory: [0, 1 KiB) scratch, then constants; callers allocate from HEAP on.
const SCRATCH = 0;
const CONSTS = 8 * FE;
export const HEAP = 1024;

function moduleBytes() {
  const [ptAdd, ptDbl] = pointOps(SCRATCH, CONSTS);
  const funcs = [
    ['fe_mul', feMul(), 0], ['fe_add', feAddSub(false), 0], ['fe_sub', feAddSub(true), 0],
    ['fe_sqn', feSqn(), 0], ['pt_add', ptAdd, 0], ['pt_dbl', ptDbl, 1],
  ];
  const types = [[0x60, ...vec([[I32], [I32], [I32]]), 0], [0x60, ...vec([[I32], [I32]]), 0]];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(3, vec(funcs.map(([, , type]) => uleb(type)))),
    ...section(5, vec([[0x00, ...uleb(64)]])), // 64 pages = 4 MiB, grown on demand
    ...section(7, vec([
      ...funcs.map(([name], i) => [...vec([...new TextEncoder().encode(name)].map((x) => [x])), 0x00, ...uleb(i)]),
      [...vec([...new TextEncoder().encode('memory')].map((x) => [x])), 0x02, 0x00],
    ])),
    ...section(10, vec(funcs.map(([, body]) => body.encode()))),
  ]);
}

// The instantiated module and helpers to move field elements in and out of its memory.
export class FieldMachine {
  constructor() {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes()), {});
    Object.assign(this, instance.exports);
    this.refresh();
    this.canon = new Int32Array(10);
    this.constants = new Map();
    this.D2 = CONSTS;
    this.ZERO = CONSTS + FE;
    this.setBig(this.D2, (2n * D) % P);
    this.setBig(this.ZERO, 0n);
  }

  // The typed views must be remade after the memory grows. Carried limbs are small and
  // non-negative, so their low 32-bit words (`words`, little-endian) are their values: the
  // hot paths read and write those as Numbers, never BigInts.
  refresh() {
    this.limbs = new BigInt64Array(this.memory.buffer);
    this.words = new Int32Array(this.memory.buffer);
  }

  ensure(bytes) {
    const have = this.memory.buffer.byteLength;
    if (bytes > have) {
      this.memory.grow(Math.ceil((bytes - have) / 65536));
      this.refresh();
    }
  }

  setBig(addr, x) {
    x = ((x % P) + P) % P;
    const at = addr / 8;
    for (let i = 0; i < 10; i++) {
      this.limbs[at + i] = BigInt.asIntN(64, (x >> BigInt(LIMB_POS[i])) & ((1n << BigInt(LIMB_BITS[i])) - 1n));
    }
  }

  // The canonical value in [0, p).
  getBig(addr) {
    const at = addr / 8;
    let x = 0n;
    for (let i = 9; i >= 0; i--) x += this.limbs[at + i] << BigInt(LIMB_POS[i]);
    return ((x % P) + P) % P;
  }

  // Limbs from 32 little-endian bytes whose value is below 2^255 (checked by the caller).
  setBytes(addr, bytes) {
    const at = addr / 4;
    for (let i = 0; i < 10; i++) {
      const pos = LIMB_POS[i], byte = pos >> 3, shift = pos & 7;
      let v = 0;
      for (let k = 4; k >= 0; k--) v = v * 256 + (bytes[byte + k] ?? 0);
      this.words[at + 2 * i] = Math.floor(v / 2 ** shift) % 2 ** LIMB_BITS[i];
      this.words[at + 2 * i + 1] = 0;
    }
  }

  // The limbs of the canonical value (in [0, p)) of a carried element, in `out`. Carried limbs
  // are below 2^27, so 32-bit integer operations suffice.
  canonical(addr, out = this.canon) {
    const words = this.words, at = addr >> 2;
    for (let i = 0; i < 10; i++) out[i] = words[at + 2 * i];
    for (let pass = 0; pass < 2; pass++) { // then every limb fits its width: value < 2^255
      for (let i = 0; i < 10; i++) {
        const bits = 26 - (i & 1), c = out[i] >> bits;
        out[i] &= (1 << bits) - 1;
        if (i < 9) out[i + 1] += c;
        else out[0] += 19 * c;
      }
    }
    // value ≥ p iff value + 19 ≥ 2^255; then subtract p (add 19, drop bit 255).
    let q = (out[0] + 19) >> 26;
    for (let i = 1; i < 10; i++) q = (out[i] + q) >> (26 - (i & 1));
    out[0] += 19 * q;
    for (let i = 0; i < 9; i++) {
      const bits = 26 - (i & 1);
      out[i + 1] += out[i] >> bits;
      out[i] &= (1 << bits) - 1;
    }
    out[9] &= (1 << 25) - 1;
    return out;
  }

  isOdd(addr) {
    return (this.canonical(addr)[0] & 1) === 1;
  }

  isZero(addr) {
    return this.canonical(addr).every((v) => v === 0);
  }

  // Whether the element at addr is `x` (a BigInt in [0, p)); x's limbs are cached.
  equals(addr, x) {
    let limbs = this.constants.get(x);
    if (!limbs) {
      limbs = LIMB_POS.map((pos, i) => Number((x >> BigInt(pos)) & ((1n << BigInt(LIMB_BITS[i])) - 1n)));
      this.constants.set(x, limbs);
    }
    const c = this.canonical(addr);
    for (let i = 0; i < 10; i++) if (c[i] !== limbs[i]) return false;
    return true;
  }

  copy(dst, src, size) {
    new Uint8Array(this.memory.buffer).copyWithin(dst, src, src + size);
  }
}

export const D = 37095705934669439343138083508754565189542113879843219016388785533085940283555n;
