// The verifier's fast backend (wasm_field.js, fast_group.js) against @noble/curves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pippenger } from '@noble/curves/abstract/curve.js';
import { FieldMachine, HEAP, FE, P } from '../lib/wasm_field.js';
import { FastGroup } from '../lib/fast_group.js';
import { Point, baseMul, randomScalar, ORDER } from '../lib/group.js';
import { bytesToNumberLE, fromHex32, toHex } from '../lib/bytes.js';
import { builderContext, buildBallot, credentialSecret } from '../lib/build.js';
import { decodeBallot } from '../lib/ballot.js';
import { electionContext, verifyBallot } from '../lib/verify_ballot.js';

const randomField = () => bytesToNumberLE(crypto.getRandomValues(new Uint8Array(40))) % P;

test('field arithmetic matches BigInt arithmetic', () => {
  const m = new FieldMachine();
  const [a, b, o] = [HEAP, HEAP + FE, HEAP + 2 * FE];
  const edges = [0n, 1n, 2n, P - 1n, P - 2n, 2n ** 255n - 20n, 2n ** 26n - 1n, 2n ** 128n];
  for (let i = 0; i < 500; i++) {
    const x = i < edges.length ? edges[i] : randomField();
    const y = i < edges.length ? edges[(i + 3) % edges.length] : randomField();
    m.setBig(a, x);
    m.setBig(b, y);
    m.fe_mul(o, a, b);
    assert.equal(m.getBig(o), (x * y) % P);
    m.fe_add(o, a, b);
    assert.equal(m.getBig(o), (x + y) % P);
    m.fe_sub(o, a, b);
    assert.equal(m.getBig(o), (((x - y) % P) + P) % P);
    m.fe_sqn(o, a, 3);
    assert.equal(m.getBig(o), (x ** 8n) % P);
    // Outputs fed back in stay within the limb bounds.
    m.fe_sub(o, m.ZERO, o);
    m.fe_mul(o, o, o);
    assert.equal(m.getBig(o), (x ** 16n) % P);
  }
});

test('decoding agrees with noble on valid and invalid encodings', () => {
  const g = new FastGroup();
  let valid = 0;
  for (let i = 0; i < 600; i++) {
    const bytes = i % 3 === 0 ? baseMul(randomScalar()).toBytes() : crypto.getRandomValues(new Uint8Array(32));
    if (i % 3 === 1) {
      bytes[31] &= 0x7f;
      bytes[0] &= 0xfe;
    }
    let expected = null;
    try {
      expected = Point.fromBytes(bytes);
    } catch {
      expected = null;
    }
    g.reset();
    if (expected) {
      valid++;
      assert.ok(g.toNoble(g.decode(bytes)).equals(expected), toHex(bytes));
    } else {
      assert.throws(() => g.decode(bytes), /not a canonical/, toHex(bytes));
    }
  }
  assert.ok(valid > 200);
  assert.ok(g.isIdentity(g.decode(new Uint8Array(32))));
  assert.throws(() => g.decode(new Uint8Array(32), 'X', false), /X is the identity/);
  assert.throws(() => g.decode(fromHex32('edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f')), /canonical/);
});

test('multi-scalar multiplication agrees with noble', () => {
  const g = new FastGroup();
  const points = Array.from({ length: 40 }, () => baseMul(randomScalar()));
  for (const n of [1, 3, 17, 64, 700]) {
    g.reset();
    const ps = [], ss = [], fs = [];
    for (let i = 0; i < n; i++) {
      ps.push(points[i % 40]);
      ss.push(i % 3 ? randomScalar() >> 125n : i % 5 ? randomScalar() : ORDER - 1n);
      fs.push(g.decode(ps[i].toBytes()));
    }
    const sum = pippenger(Point, ps, ss);
    assert.equal(g.msmIsIdentity(fs, ss), sum.is0());
    assert.ok(g.msmIsIdentity([...fs, g.decode(sum.negate().toBytes())], [...ss, 1n]), `n = ${n}`);
    assert.ok(!g.msmIsIdentity([...fs, g.decode(sum.toBytes())], [...ss, 1n]), `n = ${n}`);
  }
});

test('ballots verify with the fast backend as with noble', () => {
  const M = new Uint8Array(32).fill(3), keyBytes = baseMul(randomScalar()).toBytes();
  const g = new FastGroup();
  const fast = electionContext(M, keyBytes, g);
  const slow = electionContext(M, keyBytes);
  const rule = { jurisdiction: 'NH', candidates: 4, min: 0, max: 2 };
  const b = buildBallot(builderContext(M, keyBytes), credentialSecret('E', 'v'), rule, [0, 1, 1, 0]);
  g.reset();
  verifyBallot(fast, decodeBallot(b.encoding), rule);
  verifyBallot(slow, decodeBallot(b.encoding), rule);
  const bad = b.encoding.slice();
  bad[bad.length - 1] ^= 1; // the signature's s, still canonical
  assert.throws(() => verifyBallot(fast, decodeBallot(bad), rule), /does not verify/);
  assert.throws(() => verifyBallot(slow, decodeBallot(bad), rule), /does not verify/);
});
