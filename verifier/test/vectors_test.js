// Ballot vectors shared with the C++ side: testdata/js-ballots.jsonl (built by make-vectors.js),
// which the C++ unit test src/crypto/js_ballots_test.cc also verifies. Each ballot must verify,
// match its tracking code, open with its opening, and carry the credential derived from its
// election and voter id. (C++-built records are checked by tests/verifier/cross_check.sh.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { equal, fromHex, fromHex32, toHex } from '../lib/bytes.js';
import { sha256 } from '../lib/hash.js';
import { decodeBallot, decodeOpening } from '../lib/ballot.js';
import { checkOpening, electionContext, verifyBallot } from '../lib/verify_ballot.js';
import { publicCredential } from '../lib/build.js';

function checkVectors(name) {
  const path = fileURLToPath(new URL(`../testdata/${name}`, import.meta.url));
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.trim());
  assert.ok(lines.length > 0, `${name} is empty`);
  lines.forEach((line, i) => {
    const v = JSON.parse(line);
    const where = `${name} line ${i + 1}`;
    const ctx = electionContext(fromHex32(v.manifest_hash), fromHex32(v.election_key));
    // "candidates" is the number of candidates; a list of names is read as its length.
    const candidates = Array.isArray(v.contest.candidates) ? v.contest.candidates.length : v.contest.candidates;
    const rule = { jurisdiction: v.contest.jurisdiction, candidates, min: v.contest.min, max: v.contest.max };
    const bytes = fromHex(v.ballot);
    assert.equal(toHex(sha256(bytes)), v.tracking, `${where}: tracking code`);
    const ballot = decodeBallot(bytes);
    verifyBallot(ctx, ballot, rule);
    assert.ok(equal(ballot.credential, publicCredential(v.election, v.voter_id)), `${where}: credential`);
    if (v.opening !== null && v.opening !== undefined) checkOpening(ctx, ballot, decodeOpening(fromHex(v.opening)), rule);
  });
  return lines.length;
}

test('ballots built by make-vectors.js verify', () => {
  assert.equal(checkVectors('js-ballots.jsonl'), 20);
});
