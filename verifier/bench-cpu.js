#!/usr/bin/env node
// CPU time per cast ballot of the verifier's hot path, in this thread: decoding, hashing and
// challenges, then one batched multi-scalar multiplication per 256 ballots, as a worker does.
// Counting CPU time (not wall time) keeps the figure meaningful on a busy machine.
//   node bench-cpu.js DIR        (a record, e.g. from make-record.js)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FastGroup } from './lib/fast_group.js';
import { Equations } from './lib/equations.js';
import { parseManifest, ruleOf } from './lib/manifest.js';
import { electionContext } from './lib/verify_ballot.js';
import { checkBallotLine } from './record/ballot_lines.js';
import { useNativeHashes } from './record/node_hashes.js';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node bench-cpu.js DIR');
  process.exit(2);
}
useNativeHashes();
const manifest = parseManifest(new Uint8Array(readFileSync(join(dir, 'manifest.json'))));
const group = new FastGroup();
const ctx = electionContext(manifest.hash, manifest.ceremony.jointKey, group);
const contests = new Map(manifest.contests.map((c, index) => [c.jurisdiction, { index, rule: ruleOf(c) }]));
const lines = readFileSync(join(dir, 'ballots.jsonl'), 'utf8').split('\n').filter(Boolean);
const cpu = (since) => {
  const u = process.cpuUsage(since);
  return u.user + u.system;
};

function run(count) {
  let checking = 0, batch = 0, n = 0;
  for (let at = 0; at + 256 <= count; at += 256) {
    group.reset();
    let t = process.cpuUsage();
    const checked = lines.slice(at, at + 256).map((line) => checkBallotLine(ctx, contests, line, false));
    checking += cpu(t);
    t = process.cpuUsage();
    const all = new Equations();
    for (const c of checked) all.merge(c.eq);
    if (!all.holds(group, ctx.key)) throw new Error('a ballot does not verify');
    batch += cpu(t);
    n += 256;
  }
  return { n, checking: checking / n, batch: batch / n };
}

run(Math.min(lines.length, 512)); // warm up the JIT
const r = run(lines.length);
if (r.n === 0) throw new Error('fewer than 256 cast ballots');
const total = r.checking + r.batch;
console.log(`${r.n} ballots: ${total.toFixed(0)} µs of CPU per ballot (${r.checking.toFixed(0)} decoding, hashing, ` +
  `challenges; ${r.batch.toFixed(0)} batched multi-scalar multiplication): ${(1e6 / total).toFixed(0)} ballots/s per core`);
