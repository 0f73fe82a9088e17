// The voter's side (RECORD.md, "Voter credential", "Ballot", "Opening"): deriving the
// credential from the mailed voter id, encrypting choices, proving them, signing, the tracking
// code and the opening a spoiled ballot reveals. Runs in browsers (Web Workers) as in Node:
// randomness comes from crypto.getRandomValues, hashing from noble.
import {
  G, add, baseMul, decodePoint, encodePoint, encodeScalar, mul, mulSecret, randomScalar, sub,
} from './group.js';
import { u32, utf8 } from './bytes.js';
import { hs, sha256, TAGS } from './hash.js';
import { encodeBallot, encodeOpening } from './ballot.js';
import { signatureChallenge } from './verify_ballot.js';

// x = Hs("landslide/v1/credential"; election, voter_id)
export const credentialSecret = (election, voterId) => hs(TAGS.credential, [election, voterId]);

// X = x·G, the public credential, as its 32-byte encoding.
export const publicCredential = (election, voterId) =>
  encodePoint(baseMul(credentialSecret(election, voterId)));

// What a ballot is built against: the manifest's hash and the election key (encoded), with a
// precomputed table for the key since every ballot multiplies it many times.
export function builderContext(manifestHash, keyBytes) {
  const key = decodePoint(keyBytes, 'the election key', false);
  key.precompute(8, false);
  return { manifestHash, keyBytes, key };
}

// A disjunctive Chaum-Pedersen proof that (α, β) = (r·G, m·G + r·K) with m among
// first, first+1, ..., first+branches−1; `fields` is the statement hashed before the branch
// count. The real branch is m's; the others are simulated: pick c, s and set
// a = s·G − c·α = u·G, b = s·K − c·(β − v·G) = u·K − c·(m − v)·G with u = s − c·r.
function proveDisjunctive(ctx, tag, fields, r, m, first, branches) {
  const real = m - first;
  const c = new Array(branches), s = new Array(branches), proof = [];
  const hashed = [...fields, u32(branches)];
  const w = randomScalar();
  for (let k = 0; k < branches; k++) {
    let a, b;
    if (k === real) {
      a = baseMul(w);
      b = mulSecret(ctx.key, w);
    } else {
      c[k] = randomScalar();
      s[k] = randomScalar();
      const u = sub(s[k], mul(c[k], r));
      a = baseMul(u);
      b = mulSecret(ctx.key, u).subtract(baseMul(mul(c[k], sub(BigInt(m), BigInt(first + k)))));
    }
    proof.push({ a: encodePoint(a), b: encodePoint(b) });
    hashed.push(proof[k].a, proof[k].b);
  }
  let rest = hs(tag, hashed);
  for (let k = 0; k < branches; k++) if (k !== real) rest = sub(rest, c[k]);
  c[real] = rest;
  s[real] = add(w, mul(rest, r));
  proof.forEach((br, k) => {
    br.c = encodeScalar(c[k]);
    br.s = encodeScalar(s[k]);
  });
  return proof;
}

// Encrypts `choices` (one 0/1 per candidate of `rule`) for the voter whose credential secret
// is `secret`. Returns { ballot (fields), encoding, tracking, opening (encoded), choices }.
export function buildBallot(ctx, secret, rule, choices) {
  if (choices.length !== rule.candidates) throw new Error('one choice per candidate expected');
  let chosen = 0;
  for (const m of choices) {
    if (m !== 0 && m !== 1) throw new Error('a choice is 0 or 1');
    chosen += m;
  }
  if (chosen < rule.min || chosen > rule.max) {
    throw new Error(`choose between ${rule.min} and ${rule.max} candidates`);
  }
  const credential = encodePoint(baseMul(secret));
  const J = utf8(rule.jurisdiction);
  const M = ctx.manifestHash;
  const r = choices.map(() => randomScalar());
  const selections = choices.map((m, i) => {
    const rK = mulSecret(ctx.key, r[i]);
    return { alpha: encodePoint(baseMul(r[i])), beta: encodePoint(m ? rK.add(G) : rK) };
  });
  const sumFields = [M, credential, J, u32(choices.length)];
  selections.forEach((sel, i) => {
    const fields = [M, credential, J, u32(i), sel.alpha, sel.beta];
    sel.proof = proveDisjunctive(ctx, TAGS.selection, fields, r[i], choices[i], 0, 2);
    sumFields.push(sel.alpha, sel.beta);
  });
  sumFields.push(u32(rule.min));
  const rSum = r.reduce(add, 0n);
  const sumProof = proveDisjunctive(ctx, TAGS.sum, sumFields, rSum, chosen, rule.min,
    rule.max - rule.min + 1);
  const ballot = { credential, jurisdiction: J, selections, sumProof };
  ballot.signature = sign(ctx, secret, ballot);
  const encoding = encodeBallot(ballot);
  const opening = encodeOpening({ choices, randomness: r.map(encodeScalar) });
  return { ballot, encoding, tracking: sha256(encoding), opening, choices: [...choices] };
}

// Schnorr signature by the credential over the unsigned encoding: R = k·G, s = k + e·x.
function sign(ctx, secret, ballot) {
  const k = randomScalar();
  const R = encodePoint(baseMul(k));
  const e = signatureChallenge(ctx.manifestHash, ballot.credential, R, encodeBallot(ballot, false));
  return { r: R, s: encodeScalar(add(k, mul(e, secret))) };
}
