// A complete, valid sample record (RECORD.md, "The exported record") built with lib/build.js
// and the simulated trustees (lib/ceremony.js): a small mock election with three contests of
// different rules, voters who cast, some who spoil first, two shards of batches, aggregates,
// every trustee's partial decryptions and the results.
import { mkdirSync, writeFileSync, createWriteStream, existsSync, readdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { once } from 'node:events';
import { toHex } from '../lib/bytes.js';
import { IDENTITY, baseMul, decodePoint, encodePoint } from '../lib/group.js';
import { builderContext, buildBallot, credentialSecret, publicCredential } from '../lib/build.js';
import { chainNext, GENESIS, KIND } from '../lib/chain.js';
import { runKeyCeremony, decryptShare } from '../lib/ceremony.js';
import { combine, DiscreteLog, verificationKey, verifyCeremony } from '../lib/trustees.js';
import { sha256 } from '../lib/hash.js';
import { ruleOf } from '../lib/manifest.js';
import { useNativeHashes } from './node_hashes.js';

export const SAMPLE_CONTESTS = [
  { jurisdiction: 'AL', candidates: ['Trump', 'Clinton', 'Johnson', 'Stein', 'McMullin'], min: 1, max: 1 },
  { jurisdiction: 'NH', candidates: ['Trump', 'Clinton', 'Johnson', 'Stein'], min: 0, max: 2 },
  { jurisdiction: 'WY', candidates: ['Trump', 'Clinton', 'Johnson'], min: 1, max: 2 },
];
export const SAMPLE_ELECTION = 'Landslide sample (JavaScript)';

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const randomBelow = (n) => crypto.getRandomValues(new Uint32Array(1))[0] % n;

// A voter id as mailed: three groups of five base58 characters ("163uc-3NQXD-Wgfgg").
export function randomVoterId() {
  const chars = Array.from({ length: 15 }, () => BASE58[randomBelow(58)]);
  return [0, 5, 10].map((i) => chars.slice(i, i + 5).join('')).join('-');
}

// Random choices keeping the rule: between min and max candidates chosen.
function randomChoices(rule) {
  const k = rule.min + randomBelow(rule.max - rule.min + 1);
  const order = Array.from({ length: rule.candidates }, (_, i) => i).sort(() => Math.random() - 0.5);
  const choices = new Array(rule.candidates).fill(0);
  for (const i of order.slice(0, k)) choices[i] = 1;
  return choices;
}

const json = (value) => `${JSON.stringify(value, null, 1)}\n`;

// Appends ballots to the shards in turn, closing a batch every `size` items.
class Chains {
  constructor(shards, size) {
    this.size = size;
    this.shards = Array.from({ length: shards }, (_, i) => ({ name: `shard-${i}`, head: GENESIS, seq: 0, open: [], done: [] }));
    this.next = 0;
  }
  add(kind, tracking) {
    const shard = this.shards[this.next];
    this.next = (this.next + 1) % this.shards.length;
    shard.open.push({ kind, tracking });
    const place = { shard: shard.name, seq: shard.seq + 1 };
    if (shard.open.length === this.size) this.close(shard);
    return place;
  }
  close(shard) {
    shard.seq++;
    shard.head = chainNext(shard.head, shard.name, shard.seq, shard.open);
    shard.done.push({
      seq: shard.seq, count: shard.open.length, head: toHex(shard.head),
      items: shard.open.map((i) => ({ kind: i.kind === KIND.cast ? 'cast' : 'spoiled', tracking: toHex(i.tracking) })),
    });
    shard.open = [];
  }
  toJson() {
    for (const s of this.shards) if (s.open.length) this.close(s);
    return Object.fromEntries(this.shards.map((s) => [s.name, s.done]));
  }
}

async function writeLine(stream, value) {
  if (!stream.write(`${JSON.stringify(value)}\n`)) await once(stream, 'drain');
}

// Writes the record into `out` (created; it must not hold a record already). Returns what
// tests need to build more ballots: the manifest's hash, the builder context, the contests,
// the voters ({ id, contest, cast }), the ceremony's shares and the expected counts.
export async function makeRecord({
  out, voters = 60, trustees = 5, threshold = 3, turnout = 0.9, spoilRate = 0.1, batchSize = 16,
  shards = 2, progress = () => {},
}) {
  useNativeHashes();
  if (existsSync(out) && readdirSync(out).length) throw new Error(`${out} is not empty`);
  mkdirSync(join(out, 'partials'), { recursive: true });
  const ceremony = runKeyCeremony(SAMPLE_ELECTION, trustees, threshold);
  const rules = SAMPLE_CONTESTS.map((c) => ruleOf(c));
  const people = Array.from({ length: voters }, (_, i) => ({ id: randomVoterId(), contest: i % rules.length }));
  const credentials = SAMPLE_CONTESTS.map(() => []);
  for (const v of people) credentials[v.contest].push(toHex(publicCredential(SAMPLE_ELECTION, v.id)));

  const c = ceremony.public;
  const manifest = {
    format: 'landslide-manifest/1',
    election: SAMPLE_ELECTION,
    opens_at: '2026-12-02T00:00:00Z',
    closes_at: '2026-12-03T00:00:00Z',
    results: 'after_close',
    live_min_ballots: 100,
    contests: SAMPLE_CONTESTS.map((contest, i) => ({
      ...contest,
      credentials: credentials[i].length,
      credentials_sha256: createHash('sha256').update(Buffer.from([...credentials[i]].sort().join(''), 'hex')).digest('hex'),
    })),
    trustees: {
      trustees: c.trustees, threshold: c.threshold, joint_key: toHex(c.jointKey),
      commitments: c.commitments.map((tc) => ({
        trustee: tc.trustee,
        coefficients: tc.coefficients.map(toHex),
        proofs: tc.proofs.map((p) => ({ r: toHex(p.r), s: toHex(p.s) })),
      })),
    },
  };
  const manifestBytes = new TextEncoder().encode(json(manifest));
  const manifestHash = sha256(manifestBytes);
  writeFileSync(join(out, 'manifest.json'), manifestBytes);
  writeFileSync(join(out, 'credentials.json'), json(Object.fromEntries(SAMPLE_CONTESTS.map((s, i) => [s.jurisdiction, credentials[i]]))));

  const ctx = builderContext(manifestHash, c.jointKey);
  const chains = new Chains(shards, batchSize);
  const castFile = createWriteStream(join(out, 'ballots.jsonl'));
  const spoiledFile = createWriteStream(join(out, 'spoiled.jsonl'));
  const sums = rules.map((r) => ({ alpha: new Array(r.candidates).fill(IDENTITY), beta: new Array(r.candidates).fill(IDENTITY) }));
  const expected = rules.map((r) => new Array(r.candidates).fill(0));
  let cast = 0, spoiled = 0;
  for (const [i, v] of people.entries()) {
    if (i % 1000 === 0) progress(`${i}/${people.length} voters`);
    if (Math.random() >= turnout) continue;
    const rule = rules[v.contest];
    const secret = credentialSecret(SAMPLE_ELECTION, v.id);
    // Spoilers are spread evenly (not drawn), so that small records always have some.
    if (Math.floor((i + 1) * spoilRate) > Math.floor(i * spoilRate)) {
      const b = buildBallot(ctx, secret, rule, randomChoices(rule));
      const place = chains.add(KIND.spoiled, b.tracking);
      await writeLine(spoiledFile, { tracking: toHex(b.tracking), ballot: toHex(b.encoding), opening: toHex(b.opening), ...place });
      spoiled++;
    }
    const choices = randomChoices(rule);
    const b = buildBallot(ctx, secret, rule, choices);
    const place = chains.add(KIND.cast, b.tracking);
    await writeLine(castFile, { tracking: toHex(b.tracking), ballot: toHex(b.encoding), ...place });
    b.ballot.selections.forEach((sel, k) => {
      sums[v.contest].alpha[k] = sums[v.contest].alpha[k].add(decodePoint(sel.alpha));
      sums[v.contest].beta[k] = sums[v.contest].beta[k].add(decodePoint(sel.beta));
      expected[v.contest][k] += choices[k];
    });
    v.cast = true;
    cast++;
  }
  castFile.end();
  spoiledFile.end();
  await Promise.all([once(castFile, 'finish'), once(spoiledFile, 'finish')]);
  writeFileSync(join(out, 'chains.json'), json(chains.toJson()));
  const aggregates = sums.map((s) => s.alpha.map((a, k) => ({ A: encodePoint(a), B: encodePoint(s.beta[k]) })));
  writeFileSync(join(out, 'aggregates.json'), json(Object.fromEntries(SAMPLE_CONTESTS.map((s, i) => [
    s.jurisdiction, aggregates[i].map(({ A, B }) => ({ alpha: toHex(A), beta: toHex(B) }))]))));

  // Every trustee decrypts; the results combine the first `threshold`.
  const decoded = verifyCeremony(SAMPLE_ELECTION, c);
  const partials = new Map();
  for (let j = 1; j <= trustees; j++) {
    if (!baseMul(ceremony.shares[j - 1]).equals(verificationKey(decoded, j))) throw new Error(`trustee ${j}'s share does not match S_j`);
    const mine = aggregates.map((list) => list.map(({ A, B }) => decryptShare(manifestHash, j, ceremony.shares[j - 1], A, B)));
    partials.set(j, mine);
    writeFileSync(join(out, 'partials', `trustee-${j}.json`), json({
      trustee: j,
      partials: Object.fromEntries(SAMPLE_CONTESTS.map((s, i) => [s.jurisdiction, mine[i].map((p) => ({
        share: toHex(p.share), proof: { a: toHex(p.proof.a), b: toHex(p.proof.b), c: toHex(p.proof.c), s: toHex(p.proof.s) },
      }))])),
    }));
  }
  const combined = Array.from({ length: threshold }, (_, i) => i + 1);
  const dlog = new DiscreteLog(Math.max(...credentials.map((l) => l.length)));
  const counts = aggregates.map((list, i) => list.map(({ B }, k) => {
    const shares = new Map(combined.map((j) => [j, decodePoint(partials.get(j)[i][k].share)]));
    return dlog.find(combine(B, shares));
  }));
  if (JSON.stringify(counts) !== JSON.stringify(expected)) throw new Error('the decrypted counts differ from the ballots cast');
  const totals = {};
  SAMPLE_CONTESTS.forEach((s, i) => s.candidates.forEach((name, k) => { totals[name] = (totals[name] ?? 0) + counts[i][k]; }));
  writeFileSync(join(out, 'results.json'), json({
    trustees: combined, counts: Object.fromEntries(SAMPLE_CONTESTS.map((s, i) => [s.jurisdiction, counts[i]])), totals,
  }));
  return { manifestHash, ctx, rules, election: SAMPLE_ELECTION, voters: people, shares: ceremony.shares, counts, cast, spoiled };
}
