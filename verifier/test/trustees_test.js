import { test } from 'node:test';
import assert from 'node:assert/strict';
import { G, IDENTITY, baseMul, encodePoint, mul, randomScalar } from '../lib/group.js';
import { decryptShare, runKeyCeremony } from '../lib/ceremony.js';
import { combine, DiscreteLog, lagrange, verificationKey, verifyCeremony, verifyPartial } from '../lib/trustees.js';
import { sha256 } from '../lib/hash.js';

const ELECTION = 'Trustee test';
const M = sha256(new Uint8Array([9]));

test('a ceremony verifies and any threshold of trustees decrypts a count', () => {
  const { public: pub, shares } = runKeyCeremony(ELECTION, 4, 3);
  const commitments = verifyCeremony(ELECTION, pub);
  const K = commitments.map((c) => c[0]).reduce((a, b) => a.add(b), IDENTITY);
  assert.ok(encodePoint(K).every((v, i) => v === pub.jointKey[i]));
  // An aggregate encrypting 42.
  const r = randomScalar();
  const A = encodePoint(baseMul(r)), B = encodePoint(baseMul(42n).add(K.multiply(r)));
  const D = new Map();
  for (let j = 1; j <= 4; j++) {
    const Sj = verificationKey(commitments, j);
    assert.ok(baseMul(shares[j - 1]).equals(Sj));
    const p = decryptShare(M, j, shares[j - 1], A, B);
    D.set(j, verifyPartial(M, j, Sj, A, B, p, `trustee ${j}`));
    const forged = { ...p, share: encodePoint(D.get(j).add(G)) };
    assert.throws(() => verifyPartial(M, j, Sj, A, B, forged, 'forged'), /forged: the proof's challenge is wrong/);
  }
  const dlog = new DiscreteLog(100);
  for (const set of [[1, 2, 3], [2, 3, 4], [4, 1, 3]]) {
    const M42 = combine(B, new Map(set.map((j) => [j, D.get(j)])));
    assert.equal(dlog.find(M42), 42);
  }
  // Two trustees are not enough.
  assert.notEqual(dlog.find(combine(B, new Map([[1, D.get(1)], [2, D.get(2)]]))), 42);
});

test('a replaced commitment or a wrong joint key is refused', () => {
  const { public: pub } = runKeyCeremony(ELECTION, 3, 2);
  const replaced = structuredClone(pub);
  replaced.commitments[1].coefficients[1] = encodePoint(baseMul(randomScalar()));
  assert.throws(() => verifyCeremony(ELECTION, replaced), /trustee 2: the proof of coefficient 1 fails/);
  assert.throws(() => verifyCeremony('Another election', pub), /trustee 1: the proof of coefficient 0 fails/);
  const key = structuredClone(pub);
  key.jointKey = encodePoint(baseMul(randomScalar()));
  assert.throws(() => verifyCeremony(ELECTION, key), /joint key/);
  const identity = structuredClone(pub);
  identity.commitments[0].coefficients[0] = new Uint8Array(32);
  assert.throws(() => verifyCeremony(ELECTION, identity), /coefficient 0 is the identity/);
});

test('Lagrange coefficients interpolate at zero', () => {
  // f(z) = 5 + 3z + 2z^2: f(1)=10, f(2)=19, f(4)=49.
  const set = [1, 2, 4], f = { 1: 10n, 2: 19n, 4: 49n };
  const at0 = set.reduce((acc, j) => (acc + mul(lagrange(j, set), f[j])), 0n);
  assert.equal(at0 % (2n ** 252n + 27742317777372353535851937790883648493n), 5n);
});

test('discrete logs are found up to the bound and not beyond', () => {
  const dlog = new DiscreteLog(1000);
  for (const t of [0, 1, 31, 32, 33, 999, 1000]) assert.equal(dlog.find(baseMul(BigInt(t))), t);
  assert.equal(dlog.find(baseMul(1001n)), null);
  assert.equal(dlog.find(baseMul(123456n)), null);
});
