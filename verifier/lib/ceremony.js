// The trustees' side, simulated (for make-record and tests; RECORD.md, "Trustees"): a key
// ceremony that shares the election secret t-of-n (one polynomial per trustee, Feldman
// commitments with proofs of knowledge) and partial decryptions with Chaum-Pedersen proofs.
import { add, baseMul, encodePoint, encodeScalar, mul, mulSecret, randomScalar, decodePoint } from './group.js';
import { coefficientChallenge, partialChallenge } from './trustees.js';

// Returns { public: { trustees, threshold, jointKey, commitments }, shares: [s_1..s_n] }.
export function runKeyCeremony(election, trustees, threshold) {
  if (!(threshold >= 1 && threshold <= trustees && trustees <= 255)) {
    throw new Error('need 1 <= threshold <= trustees <= 255');
  }
  const shares = new Array(trustees).fill(0n);
  const commitments = [];
  let joint = null;
  for (let i = 1; i <= trustees; i++) {
    const poly = Array.from({ length: threshold }, () => randomScalar());
    const coefficients = [], proofs = [];
    poly.forEach((a, l) => {
      const C = encodePoint(baseMul(a));
      const k = randomScalar();
      const R = encodePoint(baseMul(k));
      const e = coefficientChallenge(election, i, l, C, R);
      coefficients.push(C);
      proofs.push({ r: R, s: encodeScalar(add(k, mul(e, a))) });
    });
    joint = joint ? joint.add(baseMul(poly[0])) : baseMul(poly[0]);
    for (let j = 1; j <= trustees; j++) {
      // Horner: f_i(j) = a_0 + j·(a_1 + j·(a_2 + …))
      let value = 0n;
      for (let l = threshold - 1; l >= 0; l--) value = add(mul(value, BigInt(j)), poly[l]);
      shares[j - 1] = add(shares[j - 1], value);
    }
    commitments.push({ trustee: i, coefficients, proofs });
  }
  return { public: { trustees, threshold, jointKey: encodePoint(joint), commitments }, shares };
}

// Trustee j's partial decryption of the aggregate (A, B) (bytes) with its share s_j:
// D = s_j·A and the proof (a, b, c, s) that log_G S_j = log_A D.
export function decryptShare(M, j, share, A, B) {
  const Apt = decodePoint(A, 'the aggregate\'s alpha');
  const D = encodePoint(mulSecret(Apt, share));
  const w = randomScalar();
  const a = encodePoint(baseMul(w)), b = encodePoint(mulSecret(Apt, w));
  const c = partialChallenge(M, j, A, B, encodePoint(baseMul(share)), D, a, b);
  return { share: D, proof: { a, b, c: encodeScalar(c), s: encodeScalar(add(w, mul(c, share))) } };
}
