// Verifies a whole exported record directory (RECORD.md, "The exported record"), step by step
// in the order the record depends on itself: manifest and trustees, credentials, chains, cast
// and spoiled ballots (in worker threads), aggregates, partial decryptions, results. The first
// failure is thrown as a RecordError naming the file and place.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { fromHex32, toHex } from '../lib/bytes.js';
import { IDENTITY, baseMulPublic, decodePoint, encodePoint, mul, neg, sub } from '../lib/group.js';
import { Equations, weight } from '../lib/equations.js';
import { FastGroup } from '../lib/fast_group.js';
import { expectArray, expectCount, expectKeys, expectString, isObject, parseStrict } from '../lib/json.js';
import { parseManifest, ruleOf } from '../lib/manifest.js';
import { chainNext, GENESIS, KIND } from '../lib/chain.js';
import {
  combine, DiscreteLog, lagrange, partialEquations, verificationKey, verifyCeremony, verifyPartial,
} from '../lib/trustees.js';
import { readLines } from './lines.js';
import { WorkerPool } from './pool.js';
import { useNativeHashes } from './node_hashes.js';

export class RecordError extends Error {
  constructor(where, message) {
    super(`${where}: ${message}`);
    this.where = where;
  }
}

const CHUNK = 256; // ballot lines per worker message: enough for the batch check to pay off
const PROGRESS_EVERY = 10000;
const CREDENTIAL_CHUNK = 8192;

// Runs `fn`, turning any error into a RecordError at `where`.
function at(where, fn) {
  try {
    return fn();
  } catch (e) {
    if (e instanceof RecordError) throw e;
    throw new RecordError(where, e.message);
  }
}

function readJson(dir, name) {
  const path = join(dir, name);
  if (!existsSync(path)) throw new RecordError(name, 'the file is missing');
  return at(name, () => parseStrict(readFileSync(path, 'utf8'), 'the file'));
}

// The manifest and the trustees' ceremony. Returns what the rest of the checks need.
function checkManifest(dir) {
  const path = join(dir, 'manifest.json');
  if (!existsSync(path)) throw new RecordError('manifest.json', 'the file is missing');
  return at('manifest.json', () => {
    const manifest = parseManifest(new Uint8Array(readFileSync(path)));
    return { manifest, commitments: verifyCeremony(manifest.election, manifest.ceremony) };
  });
}

// `obj`'s keys must be exactly the manifest's jurisdictions.
function expectJurisdictions(obj, manifest, what) {
  if (!isObject(obj)) throw new Error(`${what} must be an object`);
  for (const code of Object.keys(obj)) {
    if (!manifest.contests.some((c) => c.jurisdiction === code)) throw new Error(`${what} has ${code}, not in the manifest`);
  }
  for (const c of manifest.contests) if (!(c.jurisdiction in obj)) throw new Error(`${what} lacks ${c.jurisdiction}`);
}

// credentials.json against the manifest's counts and hashes; every credential decoded (in the
// workers). Returns Map credential hex → contest index (each is listed once in the record).
async function checkCredentials(dir, manifest, pool) {
  const j = readJson(dir, 'credentials.json');
  const owner = new Map();
  at('credentials.json', () => expectJurisdictions(j, manifest, 'the file'));
  manifest.contests.forEach((c, index) => at(`credentials.json ${c.jurisdiction}`, () => {
    const list = expectArray(j[c.jurisdiction], 'the list');
    if (list.length !== c.credentials) {
      throw new Error(`${list.length} credentials; the manifest says ${c.credentials}`);
    }
    list.forEach((hex, i) => {
      fromHex32(hex, `credential ${i}`);
      if (owner.has(hex)) throw new Error(`credential ${hex} is listed twice`);
      owner.set(hex, index);
    });
    // SHA-256 of the credentials sorted in ascending byte order (= lowercase hex order).
    const sha = createHash('sha256');
    for (const hex of [...list].sort()) sha.update(Buffer.from(hex, 'hex'));
    if (!sha.digest().equals(Buffer.from(c.credentialsSha256))) {
      throw new Error('the list does not hash to the manifest\'s credentials_sha256');
    }
  }));
  for (const c of manifest.contests) {
    const list = j[c.jurisdiction];
    const chunks = [];
    for (let at = 0; at < list.length; at += CREDENTIAL_CHUNK) {
      chunks.push(pool.checkCredentials(list.slice(at, at + CREDENTIAL_CHUNK)).then(({ failure }) => {
        if (failure) throw new RecordError(`credentials.json ${c.jurisdiction}`, `credential ${at + failure.index}: ${failure.message}`);
      }));
    }
    await Promise.all(chunks);
  }
  return owner;
}

// chains.json: every shard's batches in order, seq from 1, heads recomputed. Returns the
// batches ([{ shard, seq }]) and Map tracking hex → batch index · 4 + (2 if spoiled); bit 0
// is set later when the ballot is found.
function checkChains(dir) {
  const j = readJson(dir, 'chains.json');
  at('chains.json', () => { if (!isObject(j)) throw new Error('the file must be an object'); });
  const batches = [], items = new Map();
  for (const [shard, list] of Object.entries(j)) {
    let head = GENESIS;
    at(`chains.json shard ${shard}`, () => expectArray(list, 'the shard'));
    list.forEach((batch, index) => at(`chains.json shard ${shard} batch ${index + 1}`, () => {
      expectKeys(batch, ['seq', 'count', 'head', 'items'], 'the batch');
      if (batch.seq !== index + 1) throw new Error(`its seq is ${batch.seq}, not ${index + 1}`);
      const its = expectArray(batch.items, 'items');
      if (batch.count !== its.length) throw new Error(`count is ${batch.count} but it has ${its.length} items`);
      const hashed = its.map((item, k) => {
        expectKeys(item, ['kind', 'tracking'], `item ${k}`);
        if (item.kind !== 'cast' && item.kind !== 'spoiled') throw new Error(`item ${k} has kind ${JSON.stringify(item.kind)}`);
        const tracking = fromHex32(item.tracking, `item ${k}'s tracking`);
        if (items.has(item.tracking)) throw new Error(`ballot ${item.tracking} is in the chains twice`);
        items.set(item.tracking, batches.length * 4 + (item.kind === 'spoiled' ? 2 : 0));
        return { kind: KIND[item.kind], tracking };
      });
      head = chainNext(head, shard, batch.seq, hashed);
      if (toHex(head) !== expectString(batch.head, 'head')) throw new Error('the head does not match its items and the previous head');
      batches.push({ shard, seq: batch.seq });
    }));
  }
  return { batches, items };
}

const trackingOf = (line) => /"tracking"\s*:\s*"([0-9a-f]{64})"/.exec(line)?.[1];

// Streams one ballot file through the workers; `onItem(item, line, where)` does the checks
// that need the whole record. Returns the number of ballots.
async function checkBallotFile(dir, name, spoiled, pool, onItem, progress) {
  const pending = [];
  let chunk = [], firstLine = 1, done = 0;
  const started = Date.now();
  const settle = async () => {
    const { lines, first, result } = pending.shift();
    const { items, failure } = await result;
    items.forEach((item, i) => onItem(item, first + i, `${name} line ${first + i} (tracking ${item[0]})`));
    if (failure) {
      const line = lines[failure.index], tracking = trackingOf(line);
      throw new RecordError(`${name} line ${first + failure.index}${tracking ? ` (tracking ${tracking})` : ''}`, failure.message);
    }
    const before = done;
    done += lines.length;
    if (Math.floor(done / PROGRESS_EVERY) > Math.floor(before / PROGRESS_EVERY)) {
      const rate = done / ((Date.now() - started) / 1000);
      progress(`${name}: ${done} ballots checked (${rate.toFixed(0)}/s)`);
    }
  };
  const dispatch = () => {
    pending.push({ lines: chunk, first: firstLine, result: pool.check(chunk, spoiled) });
    firstLine += chunk.length;
    chunk = [];
  };
  for await (const line of readLines(join(dir, name))) {
    chunk.push(line);
    if (chunk.length === CHUNK) {
      dispatch();
      while (pending.length >= 2 * pool.size) await settle();
    }
  }
  if (chunk.length) dispatch();
  while (pending.length) await settle();
  return done;
}

// The worker's sums, added up and compared with aggregates.json. Returns the aggregates
// (bytes) per contest.
function checkAggregates(dir, manifest, sums) {
  const j = readJson(dir, 'aggregates.json');
  at('aggregates.json', () => expectJurisdictions(j, manifest, 'the file'));
  return manifest.contests.map((c, index) => at(`aggregates.json ${c.jurisdiction}`, () => {
    const list = expectArray(j[c.jurisdiction], 'the list');
    if (list.length !== c.candidates.length) throw new Error(`${list.length} ciphertexts for ${c.candidates.length} candidates`);
    return list.map((ct, k) => {
      expectKeys(ct, ['alpha', 'beta'], `candidate ${k}`);
      const A = fromHex32(ct.alpha, `candidate ${k}'s alpha`), B = fromHex32(ct.beta, `candidate ${k}'s beta`);
      let alpha = IDENTITY, beta = IDENTITY;
      for (const s of sums) {
        alpha = alpha.add(decodePoint(fromHex32(s[index].alpha[k])));
        beta = beta.add(decodePoint(fromHex32(s[index].beta[k])));
      }
      if (toHex(encodePoint(alpha)) !== ct.alpha || toHex(encodePoint(beta)) !== ct.beta) {
        throw new Error(`candidate ${k} (${c.candidates[k]}): the aggregate is not the sum of the cast ballots`);
      }
      return { A, B };
    });
  }));
}

// Every partials/trustee-<j>.json, each proof verified: all of a trustee's proofs in one
// batched check on the fast backend, then one by one (noble) only if it fails, to name the bad
// one. Returns Map j → per contest, per candidate, D (bytes).
function checkPartials(dir, manifest, commitments, aggregates, group) {
  const folder = join(dir, 'partials');
  const out = new Map();
  if (!existsSync(folder)) return out;
  const names = readdirSync(folder).filter((n) => /^trustee-\d+\.json$/.test(n));
  names.sort((a, b) => parseInt(a.slice(8), 10) - parseInt(b.slice(8), 10));
  for (const name of names) {
    const file = `partials/${name}`;
    const j = readJson(dir, file);
    const trustee = parseInt(name.slice(8), 10);
    at(file, () => {
      expectKeys(j, ['trustee', 'partials'], 'the file');
      if (j.trustee !== trustee) throw new Error(`it says trustee ${j.trustee}`);
      if (trustee < 1 || trustee > manifest.ceremony.trustees) throw new Error(`there is no trustee ${trustee}`);
      expectJurisdictions(j.partials, manifest, 'partials');
    });
    const Sj = verificationKey(commitments, trustee), SjBytes = encodePoint(Sj);
    group.reset();
    const SjFast = group.decode(SjBytes);
    const all = new Equations(), checks = [];
    out.set(trustee, manifest.contests.map((c, index) => at(`${file} ${c.jurisdiction}`, () => {
      const list = expectArray(j.partials[c.jurisdiction], 'the list');
      if (list.length !== c.candidates.length) throw new Error(`${list.length} partial decryptions for ${c.candidates.length} candidates`);
      return list.map((p, k) => {
        const what = `candidate ${k} (${c.candidates[k]})`;
        expectKeys(p, ['share', 'proof'], what);
        expectKeys(p.proof, ['a', 'b', 'c', 's'], `${what}: proof`);
        const partial = {
          share: fromHex32(p.share, `${what}: share`),
          proof: Object.fromEntries(['a', 'b', 'c', 's'].map((f) => [f, fromHex32(p.proof[f], `${what}: proof ${f}`)])),
        };
        const { A, B } = aggregates[index][k];
        all.merge(partialEquations(manifest.hash, trustee, SjFast, SjBytes, A, B, partial, what, group));
        checks.push([`${file} ${c.jurisdiction}`, () => verifyPartial(manifest.hash, trustee, Sj, A, B, partial, what)]);
        return partial.share;
      });
    })));
    if (!all.holds(group)) {
      for (const [where, check] of checks) at(where, check);
      throw new RecordError(file, 'the batched check of the proofs fails while each holds');
    }
  }
  return out;
}

// The counts per contest from the partials of `trustees`: checked against `claimed` if given
// (B − Σ λ_j·D_j = n·G for every count, batched on the fast backend), else found by search.
function countsFrom(manifest, aggregates, partials, trustees, claimed, group) {
  const lambdas = new Map(trustees.map((t) => [t, lagrange(t, trustees)]));
  const decrypt = (index, k) => combine(aggregates[index][k].B,
    new Map(trustees.map((t) => [t, decodePoint(partials.get(t)[index][k])])));
  if (claimed) {
    group.reset();
    const all = new Equations();
    manifest.contests.forEach((c, index) => aggregates[index].forEach(({ B }, k) => {
      const z = weight();
      all.addPoint(group.decode(B), z);
      for (const t of trustees) all.addPoint(group.decode(partials.get(t)[index][k]), neg(mul(z, lambdas.get(t))));
      all.g = sub(all.g, mul(z, BigInt(claimed[index][k])));
    }));
    const holds = all.holds(group);
    manifest.contests.forEach((c, index) => at(`results.json counts.${c.jurisdiction}`, () => claimed[index].forEach((n, k) => {
      if (n > c.credentials) throw new Error(`${c.candidates[k]}: ${n} is more than the jurisdiction's ${c.credentials} voters`);
      if (!holds && !baseMulPublic(BigInt(n)).equals(decrypt(index, k))) {
        throw new Error(`${c.candidates[k]}: ${n} is not what the partial decryptions give`);
      }
    })));
    if (!holds) throw new RecordError('results.json', 'the batched check of the counts fails while each holds');
    return claimed;
  }
  const dlog = new DiscreteLog(Math.max(0, ...manifest.contests.map((c) => c.credentials)));
  return manifest.contests.map((c, index) => at(`partials: ${c.jurisdiction}`, () => aggregates[index].map((_, k) => {
    const n = dlog.find(decrypt(index, k));
    if (n === null || n > c.credentials) throw new Error(`${c.candidates[k]}: the count is out of range`);
    return n;
  })));
}

function totalsOf(manifest, counts) {
  const totals = new Map();
  manifest.contests.forEach((c, index) => c.candidates.forEach((name, k) => {
    totals.set(name, (totals.get(name) ?? 0) + counts[index][k]);
  }));
  return totals;
}

// results.json: the trustees combined, the counts and the totals.
function checkResults(dir, manifest, aggregates, partials, group) {
  const j = readJson(dir, 'results.json');
  const { threshold } = manifest.ceremony;
  const claimed = at('results.json', () => {
    expectKeys(j, ['trustees', 'counts', 'totals'], 'the file');
    const trustees = expectArray(j.trustees, 'trustees');
    if (trustees.length !== threshold || new Set(trustees).size !== threshold) {
      throw new Error(`trustees must list ${threshold} distinct trustees`);
    }
    for (const t of trustees) if (!partials.has(t)) throw new Error(`trustee ${t} has no partial decryptions`);
    expectJurisdictions(j.counts, manifest, 'counts');
    return manifest.contests.map((c) => {
      const list = expectArray(j.counts[c.jurisdiction], `counts.${c.jurisdiction}`);
      if (list.length !== c.candidates.length) throw new Error(`counts.${c.jurisdiction} must have ${c.candidates.length} counts`);
      return list.map((n, k) => expectCount(n, `counts.${c.jurisdiction}[${k}]`));
    });
  });
  const counts = countsFrom(manifest, aggregates, partials, j.trustees, claimed, group);
  const totals = totalsOf(manifest, counts);
  at('results.json totals', () => {
    if (!isObject(j.totals)) throw new Error('totals must be an object');
    const names = Object.keys(j.totals);
    if (names.length !== totals.size || names.some((n) => !totals.has(n))) throw new Error('the candidates are not the manifest\'s');
    for (const [name, n] of totals) if (j.totals[name] !== n) throw new Error(`${name} has ${j.totals[name]}, the counts add up to ${n}`);
  });
  return { trustees: j.trustees, counts, totals };
}

// Verifies the record in `dir`. Returns a summary; throws RecordError at the first failure.
export async function verifyRecord(dir, { workers = 2, progress = () => {} } = {}) {
  useNativeHashes();
  const started = Date.now();
  const { manifest, commitments } = checkManifest(dir);
  progress(`manifest: ${manifest.contests.length} contests, trustees ${manifest.ceremony.threshold} of ${manifest.ceremony.trustees}: ceremony verified`);
  const rules = manifest.contests.map(ruleOf);
  const pool = new WorkerPool(workers, { manifestHash: toHex(manifest.hash), key: toHex(manifest.ceremony.jointKey), rules });
  try {
    return await checkWithPool(dir, manifest, commitments, pool, progress, started);
  } finally {
    await pool.close();
  }
}

async function checkWithPool(dir, manifest, commitments, pool, progress, started) {
  const notChecked = [];
  const owner = await checkCredentials(dir, manifest, pool);
  progress(`credentials: ${owner.size} decoded, matching their hashes`);
  const { batches, items } = checkChains(dir);
  progress(`chains: ${batches.length} batches, ${items.size} ballots, heads recomputed`);
  if (!existsSync(join(dir, 'ballots.jsonl'))) throw new RecordError('ballots.jsonl', 'the file is missing');

  const cast = manifest.contests.map(() => 0);
  const voted = new Map(); // credential hex → the line of its cast ballot
  const onItem = (spoiled) => ([tracking, credential, contest, shard, seq], line, where) => {
    const fail = (message) => { throw new RecordError(where, message); };
    const entry = items.get(tracking);
    if (entry === undefined) fail('the ballot is in no batch of chains.json');
    if (entry & 1) fail('the ballot appears twice in the record');
    if (((entry & 2) !== 0) !== spoiled) fail(`chains.json has this ballot as ${spoiled ? 'cast' : 'spoiled'}`);
    const batch = batches[entry >> 2];
    if (batch.shard !== shard || batch.seq !== seq) fail(`chains.json has it in shard ${batch.shard} batch ${batch.seq}, not shard ${shard} batch ${seq}`);
    items.set(tracking, entry | 1);
    const own = owner.get(credential);
    const code = manifest.contests[contest].jurisdiction;
    if (own === undefined) fail(`its credential ${credential} is not among the credentials`);
    if (own !== contest) fail(`its credential is ${manifest.contests[own].jurisdiction}'s, not ${code}'s`);
    if (!spoiled) {
      if (voted.has(credential)) fail(`its credential already cast a ballot (ballots.jsonl line ${voted.get(credential)})`);
      voted.set(credential, line);
      cast[contest]++;
    }
  };

  const t0 = Date.now();
  const castCount = await checkBallotFile(dir, 'ballots.jsonl', false, pool, onItem(false), progress);
  let spoiledCount = 0;
  if (existsSync(join(dir, 'spoiled.jsonl'))) {
    spoiledCount = await checkBallotFile(dir, 'spoiled.jsonl', true, pool, onItem(true), progress);
  } else {
    notChecked.push('spoiled ballots (no spoiled.jsonl)');
  }
  const ballotSeconds = (Date.now() - t0) / 1000;
  const sums = (await pool.finish()).map((m) => m.sums);
  for (const [tracking, entry] of items) {
    if (!(entry & 1)) {
      const b = batches[entry >> 2];
      const file = entry & 2 ? 'spoiled.jsonl' : 'ballots.jsonl';
      throw new RecordError(`chains.json shard ${b.shard} batch ${b.seq}`, `ballot ${tracking} is not in ${file}`);
    }
  }
  progress(`ballots: ${castCount} cast, ${spoiledCount} spoiled, all verified`);

  const aggregates = checkAggregates(dir, manifest, sums);
  const group = new FastGroup();
  const partials = checkPartials(dir, manifest, commitments, aggregates, group);
  if (partials.size === 0) notChecked.push('partial decryptions (no partials/trustee-<j>.json)');
  let results = null;
  if (existsSync(join(dir, 'results.json'))) {
    results = { ...checkResults(dir, manifest, aggregates, partials, group), published: true };
  } else if (partials.size >= manifest.ceremony.threshold) {
    notChecked.push('published results (no results.json; the counts below are decrypted here)');
    const trustees = [...partials.keys()].slice(0, manifest.ceremony.threshold);
    const counts = countsFrom(manifest, aggregates, partials, trustees, null, group);
    results = { trustees, counts, totals: totalsOf(manifest, counts), published: false };
  } else {
    notChecked.push('results (no results.json, too few partial decryptions to decrypt)');
  }
  return {
    election: manifest.election, manifestHash: toHex(manifest.hash), ceremony: manifest.ceremony,
    contests: manifest.contests, credentials: owner.size, cast: castCount, castPerContest: cast,
    spoiled: spoiledCount, batches: batches.length, shards: new Set(batches.map((b) => b.shard)).size,
    partials: [...partials.keys()], results, notChecked, workers: pool.size,
    ballotSeconds, seconds: (Date.now() - started) / 1000,
  };
}
