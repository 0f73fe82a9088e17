// The manifest (RECORD.md, "Manifest"), read as strictly as the C++ side reads it: exact keys,
// types, lowercase hex, consistent contests. Its hash M is SHA-256 of its exact bytes.
import { fromHex32 } from './bytes.js';
import { sha256 } from './hash.js';
import { expectArray, expectCount, expectKeys, expectString, parseStrict } from './json.js';
import { MAX_CANDIDATES, MAX_JURISDICTION_LENGTH } from './ballot.js';

export const MANIFEST_FORMAT = 'landslide-manifest/1';

// `bytes`: the file's bytes. Returns { hash, election, opensAt, closesAt, results,
// liveMinBallots, contests: [{ jurisdiction, candidates, min, max, credentials,
// credentialsSha256 }], ceremony: { trustees, threshold, jointKey, commitments } } with every
// hex value as bytes. The ceremony's proofs are not checked here (trustees.js does).
export function parseManifest(bytes) {
  const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  const j = parseStrict(text, 'the manifest');
  expectKeys(j, ['format', 'election', 'opens_at', 'closes_at', 'results', 'live_min_ballots',
    'contests', 'trustees'], 'the manifest');
  if (j.format !== MANIFEST_FORMAT) throw new Error(`the manifest's format is not ${MANIFEST_FORMAT}`);
  if (j.results !== 'live' && j.results !== 'after_close') {
    throw new Error('the manifest\'s "results" must be "live" or "after_close"');
  }
  const seen = new Set();
  const contests = expectArray(j.contests, 'contests').map((c, index) => {
    const where = `contests[${index}]`;
    expectKeys(c, ['jurisdiction', 'candidates', 'min', 'max', 'credentials', 'credentials_sha256'], where);
    const code = expectString(c.jurisdiction, `${where}.jurisdiction`);
    const candidates = expectArray(c.candidates, `${where}.candidates`);
    candidates.forEach((name, i) => expectString(name, `${where}.candidates[${i}]`));
    const min = expectCount(c.min, `${where}.min`), max = expectCount(c.max, `${where}.max`);
    const codeLength = new TextEncoder().encode(code).length;
    if (codeLength === 0 || codeLength > MAX_JURISDICTION_LENGTH || seen.has(code) ||
        candidates.length === 0 || candidates.length > MAX_CANDIDATES || min > max ||
        max > candidates.length) {
      throw new Error(`${where} (${code}) is inconsistent`);
    }
    seen.add(code);
    return {
      jurisdiction: code, candidates, min, max,
      credentials: expectCount(c.credentials, `${where}.credentials`),
      credentialsSha256: fromHex32(c.credentials_sha256, `${where}.credentials_sha256`),
    };
  });
  return {
    hash: sha256(bytes),
    election: expectString(j.election, 'election'),
    opensAt: expectString(j.opens_at, 'opens_at'),
    closesAt: expectString(j.closes_at, 'closes_at'),
    results: j.results,
    liveMinBallots: expectCount(j.live_min_ballots, 'live_min_ballots', 0xffffffff),
    contests,
    ceremony: parseCeremony(j.trustees),
  };
}

function parseCeremony(t) {
  expectKeys(t, ['trustees', 'threshold', 'joint_key', 'commitments'], 'trustees');
  return {
    trustees: expectCount(t.trustees, 'trustees.trustees', 255),
    threshold: expectCount(t.threshold, 'trustees.threshold', 255),
    jointKey: fromHex32(t.joint_key, 'trustees.joint_key'),
    commitments: expectArray(t.commitments, 'trustees.commitments').map((tc, index) => {
      const where = `trustees.commitments[${index}]`;
      expectKeys(tc, ['trustee', 'coefficients', 'proofs'], where);
      return {
        trustee: expectCount(tc.trustee, `${where}.trustee`, 255),
        coefficients: expectArray(tc.coefficients, `${where}.coefficients`)
          .map((c, l) => fromHex32(c, `${where}.coefficients[${l}]`)),
        proofs: expectArray(tc.proofs, `${where}.proofs`).map((p, l) => {
          expectKeys(p, ['r', 's'], `${where}.proofs[${l}]`);
          return { r: fromHex32(p.r, `${where}.proofs[${l}].r`), s: fromHex32(p.s, `${where}.proofs[${l}].s`) };
        }),
      };
    }),
  };
}

// A contest as the ballot rules need it.
export const ruleOf = (c) => ({ jurisdiction: c.jurisdiction, candidates: c.candidates.length, min: c.min, max: c.max });
