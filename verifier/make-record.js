#!/usr/bin/env node
// Writes a complete, valid sample record for the verifier:
//   node make-record.js --out DIR --voters N [--trustees 5 --threshold 3] [--spoil-rate 0.1]
//                       [--batch-size 16]
import { makeRecord } from './record/make.js';

const USAGE = 'usage: node make-record.js --out DIR --voters N [--trustees 5] [--threshold 3] [--spoil-rate 0.1] [--batch-size 16]';
const NUMBERS = { '--voters': 'voters', '--trustees': 'trustees', '--threshold': 'threshold', '--spoil-rate': 'spoilRate', '--batch-size': 'batchSize' };

function parseArgs(argv) {
  const opts = { progress: (msg) => console.error(msg) };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--out') opts.out = value;
    else if (flag in NUMBERS) {
      const n = Number(value);
      if (!Number.isFinite(n) || n < 0) throw new Error(`${flag} needs a number`);
      opts[NUMBERS[flag]] = n;
    } else throw new Error(`unknown option ${flag}`);
  }
  if (!opts.out || !opts.voters) throw new Error('--out and --voters are required');
  return opts;
}

let opts;
try {
  opts = parseArgs(process.argv.slice(2));
} catch (e) {
  console.error(`${e.message}\n${USAGE}`);
  process.exit(2);
}
const started = Date.now();
const r = await makeRecord(opts);
console.log(`wrote ${opts.out}: ${opts.voters} voters, ${r.cast} cast, ${r.spoiled} spoiled ballots in ${((Date.now() - started) / 1000).toFixed(1)} s`);
