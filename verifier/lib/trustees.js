// The trustees' public record, checked (RECORD.md, "Trustees"): the key ceremony's proofs and
// joint key, verification keys S_j, partial decryptions and their combination into counts.
import {
  G, IDENTITY, baseMulPublic, decodePoint, decodeScalar, encodePoint, inv, mul, mulPublic, neg, sub,
} from './group.js';
import { Equations, nobleBackend, weight } from './equations.js';
import { equal, toHex, u32 } from './bytes.js';
import { hs, TAGS } from './hash.js';

// e = Hs("landslide/v1/trustee-coefficient"; election, u32(i), u32(l), C_{i,l}, R)
export const coefficientChallenge = (election, i, l, C, R) =>
  hs(TAGS.coefficient, [election, u32(i), u32(l), C, R]);

// c = Hs("landslide/v1/partial-decryption"; M, u32(j), A, B, S_j, D, a, b)
export const partialChallenge = (M, j, A, B, Sj, D, a, b) =>
  hs(TAGS.partial, [M, u32(j), A, B, Sj, D, a, b]);

// `ceremony`: { trustees, threshold, jointKey (bytes), commitments: [{ trustee,
// coefficients: [bytes], proofs: [{ r, s }] }] }, from the manifest. Checks every proof of
// knowledge and that K = Σ_i C_{i,0}; returns the decoded commitments (C[i-1][l]).
export function verifyCeremony(election, ceremony) {
  const { trustees, threshold, commitments } = ceremony;
  if (!(threshold >= 1 && threshold <= trustees && trustees <= 255)) {
    throw new Error(`the trustees' sizes (${threshold} of ${trustees}) are impossible`);
  }
  if (commitments.length !== trustees) {
    throw new Error(`${commitments.length} commitments for ${trustees} trustees`);
  }
  const decoded = [];
  let joint = IDENTITY;
  commitments.forEach((tc, index) => {
    const i = index + 1, who = `trustee ${i}`;
    if (tc.trustee !== i) throw new Error(`commitment ${i} is trustee ${tc.trustee}'s, in the wrong place`);
    if (tc.coefficients.length !== threshold || tc.proofs.length !== threshold) {
      throw new Error(`${who}: ${threshold} coefficients and proofs expected`);
    }
    const points = tc.coefficients.map((Cbytes, l) => {
      const C = decodePoint(Cbytes, `${who}: coefficient ${l}`, false);
      const R = decodePoint(tc.proofs[l].r, `${who}: proof ${l}: r`);
      const s = decodeScalar(tc.proofs[l].s, `${who}: proof ${l}: s`);
      const e = coefficientChallenge(election, i, l, Cbytes, tc.proofs[l].r);
      // s·G = R + e·C
      if (!baseMulPublic(s).equals(R.add(mulPublic(C, e)))) {
        throw new Error(`${who}: the proof of coefficient ${l} fails`);
      }
      return C;
    });
    joint = joint.add(points[0]);
    decoded.push(points);
  });
  if (!equal(encodePoint(joint), ceremony.jointKey)) {
    throw new Error('the joint key is not the sum of the trustees\' first coefficients');
  }
  decodePoint(ceremony.jointKey, 'the joint key', false);
  return decoded;
}

// S_j = Σ_i Σ_l j^l·C_{i,l}, from the decoded commitments.
export function verificationKey(commitments, j) {
  let S = IDENTITY;
  for (const coefficients of commitments) {
    let power = 1n;
    for (const C of coefficients) {
      S = S.add(mulPublic(C, power));
      power = mul(power, BigInt(j));
    }
  }
  return S;
}

// The equations of trustee j's partial decryption D of the aggregate (A, B) (bytes), after
// checking its challenge: z·(s·G − a − c·S_j) + z'·(s·A − b − c·D) = 0. `Sj` is S_j decoded by
// `backend`, `SjBytes` its encoding. Throws naming what is wrong.
export function partialEquations(M, j, Sj, SjBytes, A, B, partial, what, backend = nobleBackend) {
  const Apt = backend.decode(A, `${what}: the aggregate's alpha`);
  const D = backend.decode(partial.share, `${what}: the share`);
  const a = backend.decode(partial.proof.a, `${what}: proof a`);
  const b = backend.decode(partial.proof.b, `${what}: proof b`);
  const c = decodeScalar(partial.proof.c, `${what}: proof c`);
  const s = decodeScalar(partial.proof.s, `${what}: proof s`);
  if (c !== partialChallenge(M, j, A, B, SjBytes, partial.share, partial.proof.a, partial.proof.b)) {
    throw new Error(`${what}: the proof's challenge is wrong`);
  }
  const eq = new Equations(), z = weight(), z2 = weight();
  eq.g = mul(z, s);
  eq.addPoint(a, neg(z));
  eq.addPoint(Sj, neg(mul(z, c)));
  eq.addPoint(Apt, mul(z2, s));
  eq.addPoint(b, neg(z2));
  eq.addPoint(D, neg(mul(z2, c)));
  return eq;
}

// Checks one partial decryption with noble's points (S_j a noble point). Returns D decoded.
export function verifyPartial(M, j, Sj, A, B, partial, what) {
  if (!partialEquations(M, j, Sj, encodePoint(Sj), A, B, partial, what).holds(nobleBackend)) {
    throw new Error(`${what}: the proof does not verify`);
  }
  return decodePoint(partial.share, `${what}: the share`);
}

// λ_j = Π_{m∈T, m≠j} m / (m − j) mod ℓ, for interpolation at 0 over the trustee set T.
export function lagrange(j, set) {
  let num = 1n, den = 1n;
  for (const m of set) {
    if (m === j) continue;
    num = mul(num, BigInt(m));
    den = mul(den, sub(BigInt(m), BigInt(j)));
  }
  return mul(num, inv(den));
}

// count·G = B − Σ_{j∈T} λ_j·D_j. `shares`: Map j → D_j (points) over exactly the set T.
export function combine(B, shares) {
  const set = [...shares.keys()];
  if (new Set(set).size !== set.length) throw new Error('the trustees combined are not distinct');
  let M = decodePoint(B, 'the aggregate\'s beta');
  for (const [j, D] of shares) M = M.subtract(mulPublic(D, lagrange(j, set)));
  return M;
}

// Solves t·G = P for t in [0, max] by baby-step giant-step: a table of j·G (by encoding) for
// j < step, then giant steps of −step·G. The table is built once and reused for every count.
export class DiscreteLog {
  constructor(max) {
    this.max = max;
    this.step = Math.min(Math.max(1, Math.ceil(Math.sqrt(max + 1))), max + 1);
    this.table = new Map();
    let p = IDENTITY;
    for (let j = 0; j < this.step; j++) {
      this.table.set(toHex(encodePoint(p)), j);
      p = p.add(G);
    }
    this.giant = p.negate();
  }

  // t with t·G = point and 0 ≤ t ≤ max, or null.
  find(point) {
    let cur = point;
    for (let base = 0; base <= this.max; base += this.step) {
      const j = this.table.get(toHex(encodePoint(cur)));
      if (j !== undefined) return base + j <= this.max ? base + j : null;
      cur = cur.add(this.giant);
    }
    return null;
  }
}
