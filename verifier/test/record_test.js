// A record made by make-record verifies; each kind of tampering makes verify.js exit 1 with
// a line naming it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeRecord, randomVoterId } from '../record/make.js';
import { buildBallot, credentialSecret } from '../lib/build.js';
import { decodeOpening, encodeOpening } from '../lib/ballot.js';
import { fromHex, fromHex32, toHex } from '../lib/bytes.js';
import { G, baseMul, decodePoint, encodePoint, randomScalar } from '../lib/group.js';
import { sha256 } from '../lib/hash.js';
import {
  copyRecord, readJson, readJsonl, rechain, removeDir, runVerify, tempDir, writeJson, writeJsonl,
} from '../testkit/records.js';

let sample, base, dir;
const copies = [];

before(async () => {
  base = tempDir('sample');
  dir = join(base, 'record');
  sample = await makeRecord({ out: dir, voters: 18, spoilRate: 0.3, turnout: 1, batchSize: 4 });
});
after(() => [base, ...copies].forEach(removeDir));

// Copies the sample, lets `edit` change it, runs the verifier and checks it fails with a line
// matching `expected`.
function tampered(edit, expected) {
  const copy = copyRecord(dir);
  copies.push(copy);
  edit(copy);
  const r = runVerify(copy);
  assert.equal(r.status, 1, `verify.js should fail:\n${r.stdout}${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1, r.stdout);
  assert.match(lines[0], /^FAIL /);
  assert.match(lines[0], expected);
}

// Appends a freshly built cast ballot to ballots.jsonl and to the last batch of shard-0,
// with the chain recomputed so that only the ballot itself is wrong.
function addCast(copy, secret, contest) {
  const rule = sample.rules[contest];
  const b = buildBallot(sample.ctx, secret, rule, [1, ...new Array(rule.candidates - 1).fill(0)]);
  const chains = readJson(copy, 'chains.json');
  const last = chains['shard-0'].at(-1);
  last.items.push({ kind: 'cast', tracking: toHex(b.tracking) });
  writeJson(copy, 'chains.json', chains);
  rechain(copy);
  const rows = readJsonl(copy, 'ballots.jsonl');
  rows.push({ tracking: toHex(b.tracking), ballot: toHex(b.encoding), shard: 'shard-0', seq: last.seq });
  writeJsonl(copy, 'ballots.jsonl', rows);
}

function editLine(copy, name, index, edit) {
  const rows = readJsonl(copy, name);
  edit(rows[index], rows);
  writeJsonl(copy, name, rows);
}

describe('a sample record', () => {
  test('verifies', () => {
    const r = runVerify(dir, ['--workers', '2']);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^OK: /);
    assert.match(r.stdout, new RegExp(`cast ballots: ${sample.cast} `));
    assert.match(r.stdout, /totals: Trump \d+, Clinton \d+/);
    assert.ok(sample.spoiled > 0);
  });

  test('verifies before close, saying what was not checked', () => {
    const copy = copyRecord(dir);
    copies.push(copy);
    rmSync(join(copy, 'results.json'));
    let r = runVerify(copy);
    assert.equal(r.status, 0, r.stdout);
    assert.match(r.stdout, /not checked: published results/);
    assert.match(r.stdout, new RegExp(`AL: Trump ${sample.counts[0][0]},`));
    rmSync(join(copy, 'partials'), { recursive: true });
    rmSync(join(copy, 'spoiled.jsonl'));
    const chains = readJson(copy, 'chains.json');
    for (const batches of Object.values(chains)) for (const b of batches) b.items = b.items.filter((i) => i.kind === 'cast');
    writeJson(copy, 'chains.json', chains);
    rechain(copy);
    r = runVerify(copy);
    assert.equal(r.status, 0, r.stdout);
    assert.match(r.stdout, /not checked: spoiled ballots/);
    assert.match(r.stdout, /not checked: partial decryptions/);
  });

  test('usage errors exit 2', () => {
    assert.equal(runVerify(join(dir, 'nowhere')).status, 2);
    assert.equal(runVerify(dir, ['--workers', 'x']).status, 2);
  });
});

describe('tampering is caught', { concurrency: 2 }, () => {
  test('an altered ballot byte', () => tampered((copy) => editLine(copy, 'ballots.jsonl', 2, (row) => {
    const bytes = fromHex(row.ballot);
    bytes[200] ^= 4;
    row.ballot = toHex(bytes);
  }), /ballots\.jsonl line 3 \(tracking [0-9a-f]{64}\): the tracking code is not SHA-256 of the ballot/));

  test('an altered ballot byte, with its tracking code and the chains redone', () => tampered((copy) => {
    let old, now;
    editLine(copy, 'ballots.jsonl', 2, (row) => {
      const bytes = fromHex(row.ballot);
      bytes[bytes.length - 10] ^= 4; // inside the signature's s
      old = row.tracking;
      row.ballot = toHex(bytes);
      row.tracking = now = toHex(sha256(bytes));
    });
    writeFileSync(join(copy, 'chains.json'), readFileSync(join(copy, 'chains.json'), 'utf8').replace(old, now));
    rechain(copy);
  }, /ballots\.jsonl line 3 .*(does not verify|not a canonical scalar)/));

  test('an added ballot by a credential not in the list', () => tampered((copy) => {
    addCast(copy, credentialSecret(sample.election, randomVoterId()), 0);
  }, /ballots\.jsonl line \d+ .*its credential [0-9a-f]{64} is not among the credentials/));

  test('a second ballot by a credential that already voted', () => tampered((copy) => {
    const voter = sample.voters.find((v) => v.cast);
    addCast(copy, credentialSecret(sample.election, voter.id), voter.contest);
  }, /ballots\.jsonl line \d+ .*its credential already cast a ballot \(ballots\.jsonl line \d+\)/));

  test('a ballot dropped from ballots.jsonl but still in the chains', () => tampered((copy) => {
    editLine(copy, 'ballots.jsonl', 4, (row, rows) => rows.splice(4, 1));
  }, /chains\.json shard shard-\d batch \d+: ballot [0-9a-f]{64} is not in ballots\.jsonl/));

  test('a ballot dropped from ballots.jsonl and from its batch', () => tampered((copy) => {
    let gone;
    editLine(copy, 'ballots.jsonl', 4, (row, rows) => { gone = rows.splice(4, 1)[0].tracking; });
    const chains = readJson(copy, 'chains.json');
    for (const batches of Object.values(chains)) for (const b of batches) b.items = b.items.filter((i) => i.tracking !== gone);
    writeJson(copy, 'chains.json', chains);
  }, /chains\.json shard shard-\d batch \d+: (count is \d+ but it has|the head does not match)/));

  test('a ballot dropped from both, with the chains redone', () => tampered((copy) => {
    let gone;
    editLine(copy, 'ballots.jsonl', 4, (row, rows) => { gone = rows.splice(4, 1)[0].tracking; });
    const chains = readJson(copy, 'chains.json');
    for (const batches of Object.values(chains)) for (const b of batches) b.items = b.items.filter((i) => i.tracking !== gone);
    writeJson(copy, 'chains.json', chains);
    rechain(copy);
  }, /aggregates\.json [A-Z]{2}: candidate \d .*the aggregate is not the sum of the cast ballots/));

  test('a reordered batch', () => tampered((copy) => {
    const chains = readJson(copy, 'chains.json');
    const items = chains['shard-1'][1].items;
    [items[0], items[1]] = [items[1], items[0]];
    writeJson(copy, 'chains.json', chains);
  }, /chains\.json shard shard-1 batch 2: the head does not match/));

  test('an altered chain head', () => tampered((copy) => {
    const chains = readJson(copy, 'chains.json');
    const head = chains['shard-0'][2].head;
    chains['shard-0'][2].head = (head[0] === '0' ? '1' : '0') + head.slice(1);
    writeJson(copy, 'chains.json', chains);
  }, /chains\.json shard shard-0 batch 3: the head does not match/));

  test('a spoiled ballot whose opening lies', () => tampered((copy) => {
    // The liar swaps two different choices, so that the revealed ones still keep the range.
    const rows = readJsonl(copy, 'spoiled.jsonl');
    const row = rows.find((r) => new Set(decodeOpening(fromHex(r.opening)).choices).size === 2);
    const opening = decodeOpening(fromHex(row.opening));
    const other = opening.choices.findIndex((m) => m !== opening.choices[0]);
    [opening.choices[0], opening.choices[other]] = [opening.choices[other], opening.choices[0]];
    row.opening = toHex(encodeOpening(opening));
    writeJsonl(copy, 'spoiled.jsonl', rows);
  }, /spoiled\.jsonl line \d+ \(tracking [0-9a-f]{64}\): selection \d+ does not encrypt the revealed choice/));

  test('a spoiled ballot moved into ballots.jsonl', () => tampered((copy) => {
    const spoiled = readJsonl(copy, 'spoiled.jsonl');
    const [moved] = spoiled.splice(0, 1);
    delete moved.opening;
    writeJsonl(copy, 'spoiled.jsonl', spoiled);
    writeJsonl(copy, 'ballots.jsonl', [moved, ...readJsonl(copy, 'ballots.jsonl')]);
  }, /ballots\.jsonl line 1 .*chains\.json has this ballot as spoiled/));

  test('an altered aggregate', () => tampered((copy) => {
    const agg = readJson(copy, 'aggregates.json');
    agg.NH[2].alpha = toHex(encodePoint(decodePoint(fromHex32(agg.NH[2].alpha)).add(G)));
    writeJson(copy, 'aggregates.json', agg);
  }, /aggregates\.json NH: candidate 2 \(Johnson\): the aggregate is not the sum of the cast ballots/));

  test('a forged partial decryption', () => tampered((copy) => {
    const p = readJson(copy, 'partials/trustee-2.json');
    p.partials.WY[1].share = toHex(encodePoint(baseMul(randomScalar())));
    writeJson(copy, 'partials/trustee-2.json', p);
  }, /partials\/trustee-2\.json WY: candidate 1 \(Clinton\): the proof's challenge is wrong/));

  test('an altered result count', () => tampered((copy) => {
    const r = readJson(copy, 'results.json');
    r.counts.AL[1] += 1;
    r.totals.Clinton += 1;
    writeJson(copy, 'results.json', r);
  }, /results\.json counts\.AL: Clinton: \d+ is not what the partial decryptions give/));

  test('an altered manifest byte', () => tampered((copy) => {
    const path = join(copy, 'manifest.json');
    writeFileSync(path, readFileSync(path, 'utf8').replace('2026-12-02T00', '2026-12-01T00'));
  }, /ballots\.jsonl line 1 .*the challenges do not add up/));

  test('a trustee commitment replaced', () => tampered((copy) => {
    const path = join(copy, 'manifest.json');
    const m = JSON.parse(readFileSync(path, 'utf8'));
    m.trustees.commitments[3].coefficients[2] = toHex(encodePoint(baseMul(randomScalar())));
    writeFileSync(path, `${JSON.stringify(m, null, 1)}\n`);
  }, /manifest\.json: trustee 4: the proof of coefficient 2 fails/));

  test('a credential list changed', () => tampered((copy) => {
    const c = readJson(copy, 'credentials.json');
    c.WY[0] = toHex(encodePoint(baseMul(randomScalar())));
    writeJson(copy, 'credentials.json', c);
  }, /credentials\.json WY: the list does not hash to the manifest's credentials_sha256/));

  test("a credential that is not a point, with the list's hash in the manifest redone", () => tampered((copy) => {
    const c = readJson(copy, 'credentials.json');
    c.NH[1] = '00'.repeat(32);
    writeJson(copy, 'credentials.json', c);
    const path = join(copy, 'manifest.json');
    const m = JSON.parse(readFileSync(path, 'utf8'));
    m.contests[1].credentials_sha256 = toHex(sha256(fromHex([...c.NH].sort().join(''))));
    writeFileSync(path, `${JSON.stringify(m, null, 1)}\n`);
  }, /credentials\.json NH: credential 1: the credential is the identity/));

  test('a duplicate key', () => tampered((copy) => {
    const path = join(copy, 'results.json');
    writeFileSync(path, readFileSync(path, 'utf8').replace('"trustees": [', '"trustees": [1,2,3], "trustees": ['));
  }, /results\.json: the file: the key "trustees" appears twice/));
});
