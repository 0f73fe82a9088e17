#!/usr/bin/env node
// The independent verifier: node verify.js [--workers N] [--quiet] DIR
// Exit 0: the record in DIR checks (a summary is printed); 1: it does not (one line names the
// first failure); 2: usage error.
import { availableParallelism } from 'node:os';
import { existsSync, statSync } from 'node:fs';
import { RecordError, verifyRecord } from './record/check.js';

const USAGE = 'usage: node verify.js [--workers N] [--quiet] DIR';

function parseArgs(argv) {
  const opts = { workers: availableParallelism(), quiet: false, dir: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--workers') {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 1 || n > 256) throw new Error('--workers needs a whole number from 1 to 256');
      opts.workers = n;
    } else if (a === '--quiet') {
      opts.quiet = true;
    } else if (a.startsWith('-')) {
      throw new Error(`unknown option ${a}`);
    } else if (opts.dir === null) {
      opts.dir = a;
    } else {
      throw new Error('one record directory only');
    }
  }
  if (opts.dir === null) throw new Error('no record directory given');
  if (!existsSync(opts.dir) || !statSync(opts.dir).isDirectory()) throw new Error(`${opts.dir} is not a directory`);
  return opts;
}

function printSummary(dir, s) {
  const lines = [
    `OK: the record in ${dir} verifies`,
    `  election: ${s.election} (manifest sha256 ${s.manifestHash})`,
    `  trustees: ${s.ceremony.threshold} of ${s.ceremony.trustees}; commitments and joint key verified`,
    `  credentials: ${s.credentials} in ${s.contests.length} jurisdictions, matching the manifest's hashes`,
    `  cast ballots: ${s.cast} (${s.contests.map((c, i) => `${c.jurisdiction} ${s.castPerContest[i]}`).join(', ')})`,
    `  spoiled ballots: ${s.spoiled}, every opening checked`,
    `  chains: ${s.batches} batches in ${s.shards} shards, heads recomputed, every ballot in exactly one batch`,
    '  aggregates: recomputed from the cast ballots',
    `  partial decryptions: trustees ${s.partials.join(', ') || 'none'}, every proof verified`,
  ];
  if (s.results) {
    lines.push(`  results (${s.results.published ? 'results.json, ' : ''}combined from trustees ${s.results.trustees.join(', ')}):`);
    s.contests.forEach((c, i) => {
      lines.push(`    ${c.jurisdiction}: ${c.candidates.map((name, k) => `${name} ${s.results.counts[i][k]}`).join(', ')}`);
    });
    lines.push(`  totals: ${[...s.results.totals].map(([name, n]) => `${name} ${n}`).join(', ')}`);
  }
  for (const what of s.notChecked) lines.push(`  not checked: ${what}`);
  const ballots = s.cast + s.spoiled;
  const rate = s.ballotSeconds > 0 ? ` (${(ballots / s.ballotSeconds).toFixed(0)} ballots/s)` : '';
  lines.push(`  time: ${s.seconds.toFixed(1)} s with ${s.workers} worker${s.workers === 1 ? '' : 's'}${rate}`);
  console.log(lines.join('\n'));
}

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`${e.message}\n${USAGE}`);
    return 2;
  }
  const progress = opts.quiet ? () => {} : (msg) => console.error(msg);
  try {
    printSummary(opts.dir, await verifyRecord(opts.dir, { workers: opts.workers, progress }));
    return 0;
  } catch (e) {
    // Anything else (an unreadable file, a bug) fails too: a record is never passed unchecked.
    console.log(e instanceof RecordError ? `FAIL ${e.message}` : `FAIL the verifier stopped: ${e.stack}`);
    return 1;
  }
}

process.exitCode = await main();
