#!/usr/bin/env node
// Writes testdata/js-ballots.jsonl: 20 ballots built by lib/build.js over varied contests, each
// with its opening, its voter's election and id, so that the C++ side can verify ballots built
// in JavaScript (and check the credential derivation). One JSON object a line:
//   {"manifest_hash", "election_key", "contest": {"jurisdiction", "candidates", "min", "max"},
//    "ballot", "tracking", "opening", "election", "voter_id"}
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { toHex } from './lib/bytes.js';
import { baseMul, encodePoint, randomScalar } from './lib/group.js';
import { sha256 } from './lib/hash.js';
import { builderContext, buildBallot, credentialSecret } from './lib/build.js';
import { randomVoterId } from './record/make.js';

const ELECTION = 'Landslide vectors (JavaScript)';
const CONTESTS = [
  { jurisdiction: 'AL', candidates: 5, min: 1, max: 1 },
  { jurisdiction: 'NH', candidates: 4, min: 0, max: 2 },
  { jurisdiction: 'WY', candidates: 3, min: 1, max: 2 },
  { jurisdiction: 'DC', candidates: 1, min: 0, max: 1 },
  { jurisdiction: 'Île-de-France', candidates: 6, min: 2, max: 4 },
];
// Choices per vector, four for each contest: the edges of the range and between.
const CHOICES = [
  [1, 0, 0, 0, 0], [0, 0, 0, 0, 1], [0, 1, 0, 0, 0], [0, 0, 1, 0, 0],
  [0, 0, 0, 0], [1, 1, 0, 0], [0, 0, 0, 1], [0, 1, 0, 1],
  [1, 0, 0], [1, 1, 0], [0, 0, 1], [0, 1, 1],
  [0], [1], [0], [1],
  [1, 1, 0, 0, 0, 0], [1, 1, 1, 1, 0, 0], [0, 1, 0, 1, 1, 0], [0, 0, 0, 0, 1, 1],
];

const manifestHash = sha256(new TextEncoder().encode(ELECTION));
const key = encodePoint(baseMul(randomScalar()));
const ctx = builderContext(manifestHash, key);
const lines = CHOICES.map((choices, i) => {
  const contest = CONTESTS[Math.floor(i / 4)];
  const voterId = randomVoterId();
  const b = buildBallot(ctx, credentialSecret(ELECTION, voterId), contest, choices);
  return JSON.stringify({
    manifest_hash: toHex(manifestHash), election_key: toHex(key), contest,
    ballot: toHex(b.encoding), tracking: toHex(b.tracking), opening: toHex(b.opening),
    election: ELECTION, voter_id: voterId,
  });
});
const out = fileURLToPath(new URL('./testdata/js-ballots.jsonl', import.meta.url));
mkdirSync(new URL('./testdata/', import.meta.url), { recursive: true });
writeFileSync(out, lines.map((l) => `${l}\n`).join(''));
console.log(`wrote ${lines.length} ballots to ${out}`);
