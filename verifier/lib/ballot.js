// The ballot and opening encodings (RECORD.md, "Ballot encoding", "Opening"). Decoding keeps
// every 32-byte field as a view of the input; checking that they are points and scalars is the
// verifier's job, so that each failure can be named there.

export const BALLOT_VERSION = 1;
export const OPENING_VERSION = 1;
export const MAX_CANDIDATES = 64;
export const MAX_JURISDICTION_LENGTH = 32;
const SIGNATURE_LENGTH = 64;

// Reads fixed-size fields off the front of `bytes`; reading past the end throws.
class Reader {
  constructor(bytes, what) {
    this.bytes = bytes;
    this.what = what;
    this.pos = 0;
  }
  take(n) {
    if (this.pos + n > this.bytes.length) throw new Error(`${this.what} is truncated`);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  byte() {
    return this.take(1)[0];
  }
  branches(what) {
    const n = this.byte();
    if (n === 0 || n > MAX_CANDIDATES + 1) throw new Error(`${what} has ${n} branches`);
    const out = [];
    for (let k = 0; k < n; k++) {
      out.push({ a: this.take(32), b: this.take(32), c: this.take(32), s: this.take(32) });
    }
    return out;
  }
}

// { credential, jurisdiction (bytes), selections: [{alpha, beta, proof: [{a,b,c,s}]}],
//   sumProof: [{a,b,c,s}], signature: {r, s}, bytes, signedLength }
export function decodeBallot(bytes) {
  const in_ = new Reader(bytes, 'the ballot');
  if (bytes.length === 0) throw new Error('the ballot is empty');
  const version = in_.byte();
  if (version !== BALLOT_VERSION) throw new Error(`the ballot has an unknown version ${version}`);
  const credential = in_.take(32);
  const jlen = in_.byte();
  if (jlen === 0 || jlen > MAX_JURISDICTION_LENGTH) {
    throw new Error(`the ballot's jurisdiction code has length ${jlen}`);
  }
  const jurisdiction = in_.take(jlen);
  const n = in_.byte();
  if (n === 0 || n > MAX_CANDIDATES) throw new Error(`the ballot has ${n} selections`);
  const selections = [];
  for (let i = 0; i < n; i++) {
    const alpha = in_.take(32), beta = in_.take(32);
    selections.push({ alpha, beta, proof: in_.branches(`selection ${i}'s proof`) });
  }
  const sumProof = in_.branches('the sum proof');
  const signedLength = in_.pos;
  const signature = { r: in_.take(32), s: in_.take(32) };
  if (in_.pos !== bytes.length) throw new Error('the ballot has trailing bytes');
  return { credential, jurisdiction, selections, sumProof, signature, bytes, signedLength };
}

function branchesLength(branches) {
  return 1 + branches.length * 128;
}

function putBranches(out, at, branches) {
  out[at++] = branches.length;
  for (const br of branches) {
    for (const f of [br.a, br.b, br.c, br.s]) {
      out.set(f, at);
      at += 32;
    }
  }
  return at;
}

// The encoding of a ballot built from its fields; `withSignature` false gives what the
// signature signs.
export function encodeBallot(ballot, withSignature = true) {
  const { credential, jurisdiction, selections, sumProof } = ballot;
  if (jurisdiction.length === 0 || jurisdiction.length > MAX_JURISDICTION_LENGTH) {
    throw new Error('bad jurisdiction code length');
  }
  if (selections.length === 0 || selections.length > MAX_CANDIDATES) {
    throw new Error('bad number of selections');
  }
  let n = 1 + 32 + 1 + jurisdiction.length + 1 + branchesLength(sumProof);
  for (const sel of selections) n += 64 + branchesLength(sel.proof);
  if (withSignature) n += SIGNATURE_LENGTH;
  const out = new Uint8Array(n);
  let at = 0;
  out[at++] = BALLOT_VERSION;
  out.set(credential, at);
  at += 32;
  out[at++] = jurisdiction.length;
  out.set(jurisdiction, at);
  at += jurisdiction.length;
  out[at++] = selections.length;
  for (const sel of selections) {
    out.set(sel.alpha, at);
    out.set(sel.beta, at + 32);
    at = putBranches(out, at + 64, sel.proof);
  }
  at = putBranches(out, at, sumProof);
  if (withSignature) {
    out.set(ballot.signature.r, at);
    out.set(ballot.signature.s, at + 32);
  }
  return out;
}

// The part of a decoded ballot's encoding that its signature signs.
export const signedPart = (decoded) => decoded.bytes.subarray(0, decoded.signedLength);

// { choices: [0|1...], randomness: [32 bytes...] } (choices are checked by checkOpening).
export function decodeOpening(bytes) {
  const in_ = new Reader(bytes, 'the opening');
  if (bytes.length === 0) throw new Error('the opening is empty');
  const version = in_.byte();
  if (version !== OPENING_VERSION) throw new Error(`the opening has an unknown version ${version}`);
  const n = in_.byte();
  if (n === 0 || n > MAX_CANDIDATES) throw new Error(`the opening has ${n} selections`);
  const choices = [], randomness = [];
  for (let i = 0; i < n; i++) {
    choices.push(in_.byte());
    randomness.push(in_.take(32));
  }
  if (in_.pos !== bytes.length) throw new Error('the opening has trailing bytes');
  return { choices, randomness };
}

export function encodeOpening({ choices, randomness }) {
  const out = new Uint8Array(2 + 33 * choices.length);
  out[0] = OPENING_VERSION;
  out[1] = choices.length;
  for (let i = 0; i < choices.length; i++) {
    out[2 + 33 * i] = choices[i];
    out.set(randomness[i], 3 + 33 * i);
  }
  return out;
}
