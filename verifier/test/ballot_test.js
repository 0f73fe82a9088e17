import { test } from 'node:test';
import assert from 'node:assert/strict';
import { baseMul, encodePoint, randomScalar } from '../lib/group.js';
import { builderContext, buildBallot, credentialSecret, publicCredential } from '../lib/build.js';
import { decodeBallot, decodeOpening, encodeBallot, encodeOpening } from '../lib/ballot.js';
import { electionContext, verifyBallot, checkOpening } from '../lib/verify_ballot.js';
import { sha256 } from '../lib/hash.js';
import { equal } from '../lib/bytes.js';

const M = sha256(new TextEncoder().encode('a manifest'));
const KEY = encodePoint(baseMul(randomScalar()));
const bctx = builderContext(M, KEY), vctx = electionContext(M, KEY);
const secret = credentialSecret('Test election', '163uc-3NQXD-Wgfgg');
const RULES = [
  [{ jurisdiction: 'AL', candidates: 5, min: 1, max: 1 }, [0, 0, 1, 0, 0]],
  [{ jurisdiction: 'NH', candidates: 4, min: 0, max: 2 }, [0, 0, 0, 0]],
  [{ jurisdiction: 'NH', candidates: 4, min: 0, max: 2 }, [1, 0, 0, 1]],
  [{ jurisdiction: 'Île', candidates: 1, min: 0, max: 1 }, [1]],
  [{ jurisdiction: 'WY', candidates: 3, min: 3, max: 3 }, [1, 1, 1]],
];

test('built ballots verify, encode canonically and open', () => {
  for (const [rule, choices] of RULES) {
    const b = buildBallot(bctx, secret, rule, choices);
    const d = decodeBallot(b.encoding);
    assert.ok(equal(encodeBallot(d), b.encoding));
    assert.ok(equal(d.credential, publicCredential('Test election', '163uc-3NQXD-Wgfgg')));
    assert.ok(equal(b.tracking, sha256(b.encoding)));
    verifyBallot(vctx, d, rule);
    const opening = decodeOpening(b.opening);
    assert.deepEqual(opening.choices, choices);
    assert.ok(equal(encodeOpening(opening), b.opening));
    checkOpening(vctx, d, opening, rule);
  }
});

test('choices outside the rule are refused by the builder', () => {
  const rule = RULES[1][0];
  assert.throws(() => buildBallot(bctx, secret, rule, [1, 1, 1, 0]), /between 0 and 2/);
  assert.throws(() => buildBallot(bctx, secret, rule, [2, 0, 0, 0]), /0 or 1/);
  assert.throws(() => buildBallot(bctx, secret, rule, [1, 0]), /one choice per candidate/);
});

test('every altered byte of a ballot is refused', () => {
  const [rule, choices] = RULES[2];
  const b = buildBallot(bctx, secret, rule, choices);
  // Every position of a small ballot, flipped one bit: it must fail to decode or to verify.
  for (let i = 0; i < b.encoding.length; i += 7) {
    const bad = b.encoding.slice();
    bad[i] ^= 1 << (i % 8);
    assert.throws(() => verifyBallot(vctx, decodeBallot(bad), rule), undefined, `byte ${i}`);
  }
});

test('a ballot checked against another contest or key is refused', () => {
  const [rule, choices] = RULES[0];
  const d = decodeBallot(buildBallot(bctx, secret, rule, choices).encoding);
  assert.throws(() => verifyBallot(vctx, d, { ...rule, jurisdiction: 'AK' }), /not AK/);
  assert.throws(() => verifyBallot(vctx, d, { ...rule, candidates: 4 }), /5 selections; AL has 4/);
  assert.throws(() => verifyBallot(vctx, d, { ...rule, max: 2 }), /sum proof has 1 branches, not 2/);
  const other = electionContext(M, encodePoint(baseMul(randomScalar())));
  assert.throws(() => verifyBallot(other, d, rule), /does not verify|do not add up/);
  const otherM = electionContext(sha256(new Uint8Array([1])), KEY);
  assert.throws(() => verifyBallot(otherM, d, rule), /challenges do not add up/);
});

test('decoding refuses bad versions, lengths and trailing bytes', () => {
  const [rule, choices] = RULES[3];
  const enc = buildBallot(bctx, secret, rule, choices).encoding;
  assert.throws(() => decodeBallot(new Uint8Array(0)), /empty/);
  assert.throws(() => decodeBallot(Uint8Array.of(2, ...enc.subarray(1))), /unknown version 2/);
  assert.throws(() => decodeBallot(Uint8Array.of(...enc, 0)), /trailing bytes/);
  assert.throws(() => decodeBallot(enc.subarray(0, enc.length - 1)), /truncated/);
  const noCode = enc.slice();
  noCode[33] = 0;
  assert.throws(() => decodeBallot(noCode), /length 0/);
  const long = enc.slice();
  long[33] = 33;
  assert.throws(() => decodeBallot(long), /length 33/);
  const jl = enc[33], at = 34 + jl;
  const none = enc.slice();
  none[at] = 0;
  assert.throws(() => decodeBallot(none), /0 selections/);
  const branches = enc.slice();
  branches[at + 1 + 64] = 0;
  assert.throws(() => decodeBallot(branches), /0 branches/);
});

test('an opening that lies is refused', () => {
  const [rule, choices] = RULES[2];
  const b = buildBallot(bctx, secret, rule, choices);
  const d = decodeBallot(b.encoding);
  const opening = decodeOpening(b.opening);
  const flipped = { ...opening, choices: opening.choices.map((m, i) => (i === 1 ? 1 - m : m)) };
  assert.throws(() => checkOpening(vctx, d, flipped, rule), /selection 1 does not encrypt the revealed choice/);
  const two = { ...opening, choices: opening.choices.map((m, i) => (i === 0 ? 2 : m)) };
  assert.throws(() => checkOpening(vctx, d, two, rule), /not 0 or 1/);
  assert.throws(() => decodeOpening(Uint8Array.of(...b.opening, 1)), /trailing/);
  assert.throws(() => decodeOpening(Uint8Array.of(2, ...b.opening.subarray(1))), /unknown version/);
  const unopened = buildBallot(bctx, secret, rule, choices);
  assert.throws(() => checkOpening(vctx, decodeBallot(unopened.encoding), opening, rule), /does not encrypt/);
});
