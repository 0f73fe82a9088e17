// Test helpers: copies of a sample record to tamper with, and running verify.js on them.
import { cpSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromHex32, toHex } from '../lib/bytes.js';
import { chainNext, GENESIS, KIND } from '../lib/chain.js';

const VERIFY = fileURLToPath(new URL('../verify.js', import.meta.url));

export const tempDir = (name) => mkdtempSync(join(tmpdir(), `landslide-verifier-${name}-`));
export const removeDir = (dir) => rmSync(dir, { recursive: true, force: true });

export function copyRecord(src) {
  const dir = tempDir('copy');
  cpSync(src, dir, { recursive: true });
  return dir;
}

export const readJson = (dir, name) => JSON.parse(readFileSync(join(dir, name), 'utf8'));
export const writeJson = (dir, name, value) => writeFileSync(join(dir, name), `${JSON.stringify(value, null, 1)}\n`);

export const readJsonl = (dir, name) =>
  readFileSync(join(dir, name), 'utf8').split('\n').filter((l) => l).map((l) => JSON.parse(l));
export const writeJsonl = (dir, name, rows) =>
  writeFileSync(join(dir, name), rows.map((r) => `${JSON.stringify(r)}\n`).join(''));

// Recomputes every chain head of chains.json, as a dishonest board could after editing items.
export function rechain(dir) {
  const chains = readJson(dir, 'chains.json');
  for (const [shard, batches] of Object.entries(chains)) {
    let head = GENESIS;
    for (const b of batches) {
      b.count = b.items.length;
      head = chainNext(head, shard, b.seq, b.items.map((i) => ({ kind: KIND[i.kind], tracking: fromHex32(i.tracking) })));
      b.head = toHex(head);
    }
  }
  writeJson(dir, 'chains.json', chains);
}

// Runs verify.js on `dir`: { status, stdout, stderr }.
export function runVerify(dir, args = ['--quiet', '--workers', '1']) {
  const r = spawnSync(process.execPath, [VERIFY, ...args, dir].filter((a) => a !== null), { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
