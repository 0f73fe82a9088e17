// A verification worker: checks chunks of ballot lines (ballot_lines.js), verifies each
// chunk's proofs and signatures with one batched multi-scalar multiplication (and ballot by
// ballot only if that fails, to name the first bad one), adds up the cast ballots'
// ciphertexts for the aggregates, and decodes public credentials.
import { parentPort, workerData } from 'node:worker_threads';
import { fromHex32, toHex } from '../lib/bytes.js';
import { encodePoint } from '../lib/group.js';
import { Equations } from '../lib/equations.js';
import { FastGroup } from '../lib/fast_group.js';
import { checkOpening, electionContext } from '../lib/verify_ballot.js';
import { checkBallotLine } from './ballot_lines.js';
import { useNativeHashes } from './node_hashes.js';

useNativeHashes();
const { rules } = workerData;
const group = new FastGroup(1 + 2 * rules.reduce((n, r) => n + r.candidates, 0));
const ctx = electionContext(fromHex32(workerData.manifestHash), fromHex32(workerData.key), group);
const contests = new Map(rules.map((rule, index) => [rule.jurisdiction, { index, rule }]));
// Per contest, per candidate: Σα and Σβ of the cast ballots this worker checked (kept slots).
const newSum = () => group.keepCopy(group.IDENTITY);
const sums = rules.map((r) => ({
  alpha: Array.from({ length: r.candidates }, newSum), beta: Array.from({ length: r.candidates }, newSum),
}));

// What fails in a ballot whose equations do not hold: its opening if it has one that does not
// open it, else its proofs or signature.
function whyFails(c) {
  if (c.opening) {
    try {
      checkOpening(ctx, c.ballot, c.opening, c.rule);
    } catch (e) {
      return e.message;
    }
  }
  return 'a proof or the signature does not verify';
}

function checkChunk({ id, spoiled, lines }) {
  group.reset();
  const checked = [];
  let failure = null;
  for (let i = 0; i < lines.length && !failure; i++) {
    try {
      checked.push(checkBallotLine(ctx, contests, lines[i], spoiled));
    } catch (e) {
      failure = { index: i, message: e.message };
    }
  }
  const all = new Equations();
  for (const c of checked) all.merge(c.eq);
  if (!all.empty && !all.holds(group, ctx.key)) {
    const bad = checked.findIndex((c) => !c.eq.holds(group, ctx.key));
    // Only a bug could make the sum fail while every ballot holds alone (or 2^-128 bad luck).
    if (bad < 0) throw new Error('the batch check and the single checks disagree');
    failure = { index: bad, message: whyFails(checked[bad]) };
    checked.length = bad;
  }
  if (!spoiled && !failure) {
    for (const c of checked) {
      const s = sums[c.contest];
      for (let k = 0; k < c.alphas.length; k++) {
        group.add(s.alpha[k], s.alpha[k], c.alphas[k]);
        group.add(s.beta[k], s.beta[k], c.betas[k]);
      }
    }
  }
  const items = checked.map((c) => [c.tracking, c.credential, c.contest, c.shard, c.seq]);
  return { id, items, failure };
}

// Decodes public credentials (hex): each must be a canonical point, not the identity.
function checkCredentials({ id, credentials }) {
  group.reset();
  for (let i = 0; i < credentials.length; i++) {
    try {
      group.decode(fromHex32(credentials[i]), 'the credential', false);
    } catch (e) {
      return { id, failure: { index: i, message: e.message } };
    }
  }
  return { id, failure: null };
}

parentPort.on('message', (msg) => {
  if (msg.credentials) {
    parentPort.postMessage(checkCredentials(msg));
  } else if (msg.finish) {
    const hex = (points) => points.map((p) => toHex(encodePoint(group.toNoble(p))));
    parentPort.postMessage({ id: msg.id, sums: sums.map((s) => ({ alpha: hex(s.alpha), beta: hex(s.beta) })) });
  } else {
    parentPort.postMessage(checkChunk(msg));
  }
});
