// Checking one ballot (RECORD.md, "Ballot", "Acceptance rules"): its shape against the
// contest, every selection proof, the sum proof and the credential's signature; and the
// opening of a spoiled ballot. No I/O: the caller brings the election context.
import { decodeScalar, add, mul, neg } from './group.js';
import { u32, utf8Text } from './bytes.js';
import { hs, TAGS } from './hash.js';
import { signedPart } from './ballot.js';
import { Equations, nobleBackend, weight } from './equations.js';

// What every ballot is bound to: the manifest's hash M and the election key K (never the
// identity), decoded by the backend that checks the proofs (equations.js).
export function electionContext(manifestHash, keyBytes, backend = nobleBackend) {
  const key = backend.keepCopy(backend.decode(keyBytes, 'the election key', false));
  return { manifestHash, backend, key };
}

// A contest as the ballot rules need it: { jurisdiction, candidates, min, max }.
export function checkShape(ballot, rule) {
  const code = utf8Text(ballot.jurisdiction);
  if (code !== rule.jurisdiction) {
    throw new Error(`the ballot is for ${JSON.stringify(code)}, not ${rule.jurisdiction}`);
  }
  const n = ballot.selections.length;
  if (n !== rule.candidates) {
    throw new Error(`the ballot has ${n} selections; ${rule.jurisdiction} has ${rule.candidates} candidates`);
  }
  ballot.selections.forEach((sel, i) => {
    if (sel.proof.length !== 2) throw new Error(`selection ${i}: its proof must have 2 branches`);
  });
  const branches = rule.max - rule.min + 1;
  if (ballot.sumProof.length !== branches) {
    throw new Error(`the sum proof has ${ballot.sumProof.length} branches, not ${branches}`);
  }
}

// Checks a disjunctive Chaum-Pedersen proof's challenges against the statement `fields`
// (everything hashed before the branch count) and adds its equations to `eq`: for branch k,
// standing for v = first + k,
//   z·(s·G − a − c·α) + z'·(s·K − b − c·(β − v·G)) = 0.
// Returns the coefficients it puts on α and β, which the caller applies to the ciphertexts.
function addDisjunctive(decode, tag, fields, proof, first, eq, what) {
  const hashed = [...fields, u32(proof.length)];
  let sum = 0n, alphaCoeff = 0n, betaCoeff = 0n;
  proof.forEach((br, k) => {
    hashed.push(br.a, br.b);
    const a = decode(br.a, `${what}, branch ${k}: a`);
    const b = decode(br.b, `${what}, branch ${k}: b`);
    const c = decodeScalar(br.c, `${what}, branch ${k}: c`);
    const s = decodeScalar(br.s, `${what}, branch ${k}: s`);
    sum = add(sum, c);
    const z = weight(), z2 = weight();
    eq.g = add(eq.g, add(mul(z, s), mul(mul(z2, c), BigInt(first + k))));
    eq.k = add(eq.k, mul(z2, s));
    eq.addPoint(a, neg(z));
    eq.addPoint(b, neg(z2));
    alphaCoeff = add(alphaCoeff, neg(mul(z, c)));
    betaCoeff = add(betaCoeff, neg(mul(z2, c)));
  });
  if (sum !== hs(tag, hashed)) throw new Error(`${what}: the challenges do not add up`);
  return { alphaCoeff, betaCoeff };
}

// Checks everything about `ballot` (decoded) that needs no group arithmetic beyond decoding,
// and returns its equations (they hold iff every proof and the signature verify) and the
// ciphertexts, decoded by the context's backend.
export function ballotEquations(ctx, ballot, rule) {
  checkShape(ballot, rule);
  const eq = new Equations();
  const decode = (bytes, what, allowIdentity) => ctx.backend.decode(bytes, what, allowIdentity);
  const X = decode(ballot.credential, 'the credential', false);
  const M = ctx.manifestHash, J = ballot.jurisdiction;
  const n = ballot.selections.length;
  const alphas = [], betas = [], alphaCoeffs = [], betaCoeffs = [];
  const sumFields = [M, ballot.credential, J, u32(n)];
  ballot.selections.forEach((sel, i) => {
    alphas.push(decode(sel.alpha, `selection ${i}: alpha`));
    betas.push(decode(sel.beta, `selection ${i}: beta`));
    const fields = [M, ballot.credential, J, u32(i), sel.alpha, sel.beta];
    const { alphaCoeff, betaCoeff } = addDisjunctive(
      decode, TAGS.selection, fields, sel.proof, 0, eq, `selection ${i}'s proof`);
    alphaCoeffs.push(alphaCoeff);
    betaCoeffs.push(betaCoeff);
    sumFields.push(sel.alpha, sel.beta);
  });
  sumFields.push(u32(rule.min));
  // The sum proof is about (Σα, Σβ): its coefficients go on every ciphertext.
  const sum = addDisjunctive(decode, TAGS.sum, sumFields, ballot.sumProof, rule.min, eq, 'the sum proof');
  for (let i = 0; i < n; i++) {
    eq.addPoint(alphas[i], add(alphaCoeffs[i], sum.alphaCoeff));
    eq.addPoint(betas[i], add(betaCoeffs[i], sum.betaCoeff));
  }
  // z·(s·G − R − e·X) = 0
  const R = decode(ballot.signature.r, 'the signature: R');
  const s = decodeScalar(ballot.signature.s, 'the signature: s');
  const e = signatureChallenge(M, ballot.credential, ballot.signature.r, signedPart(ballot));
  const z = weight();
  eq.g = add(eq.g, mul(z, s));
  eq.addPoint(R, neg(z));
  eq.addPoint(X, neg(mul(z, e)));
  return { eq, alphas, betas };
}

export function signatureChallenge(manifestHash, credential, R, unsignedEncoding) {
  return hs(TAGS.signature, [manifestHash, credential, R, unsignedEncoding]);
}

// One ballot, alone. Throws naming what is wrong.
export function verifyBallot(ctx, ballot, rule) {
  const { eq } = ballotEquations(ctx, ballot, rule);
  if (!eq.holds(ctx.backend, ctx.key)) throw new Error('a proof or the signature does not verify');
}

// The opening's equations, one set per selection i revealing (m, r):
//   z·(r·G − α_i) + z'·(m·G + r·K − β_i) = 0,
// which hold iff α_i = r·G and β_i = m·G + r·K (α_i, β_i decoded by the context's backend).
// Checks the opening's form first; throws naming what is wrong.
export function openingEquations(ballot, opening, alphas, betas) {
  const n = ballot.selections.length;
  if (opening.choices.length !== n) {
    throw new Error(`the opening has ${opening.choices.length} selections, the ballot ${n}`);
  }
  return opening.choices.map((m, i) => {
    if (m !== 0 && m !== 1) throw new Error(`opening ${i}: the choice is ${m}, not 0 or 1`);
    const r = decodeScalar(opening.randomness[i], `opening ${i}: r`);
    const eq = new Equations(), z = weight(), z2 = weight();
    eq.g = add(mul(z, r), mul(z2, BigInt(m)));
    eq.k = mul(z2, r);
    eq.addPoint(alphas[i], neg(z));
    eq.addPoint(betas[i], neg(z2));
    return eq;
  });
}

// The revealed choices must keep the contest's range.
export function checkRevealedRange(opening, rule) {
  const chosen = opening.choices.reduce((a, m) => a + m, 0);
  if (chosen < rule.min || chosen > rule.max) {
    throw new Error(`the revealed choices select ${chosen}, outside [${rule.min}, ${rule.max}]`);
  }
}

// Whether `opening` opens `ballot` (a spoiled ballot): every ciphertext encrypts the revealed
// choice with the revealed randomness, and the choices keep the contest's rule. Throws naming
// what is wrong.
export function checkOpening(ctx, ballot, opening, rule) {
  checkShape(ballot, rule);
  const decode = (bytes, what) => ctx.backend.decode(bytes, what);
  const alphas = ballot.selections.map((sel, i) => decode(sel.alpha, `selection ${i}: alpha`));
  const betas = ballot.selections.map((sel, i) => decode(sel.beta, `selection ${i}: beta`));
  openingEquations(ballot, opening, alphas, betas).forEach((eq, i) => {
    if (!eq.holds(ctx.backend, ctx.key)) throw new Error(`selection ${i} does not encrypt the revealed choice`);
  });
  checkRevealedRange(opening, rule);
}
