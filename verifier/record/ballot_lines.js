// One line of ballots.jsonl or spoiled.jsonl, checked on its own (RECORD.md, "The exported
// record", "Acceptance rules"): its fields, the ballot's decoding, tracking code, contest and
// shape, the form of a spoiled ballot's opening, and the equations of its proofs, signature
// and opening, left for a batch check. What needs the whole record (credentials, chains, one ballot per
// credential) is the caller's.
import { equal, fromHex, fromHex32, toHex, utf8Text } from '../lib/bytes.js';
import { decodeBallot, decodeOpening } from '../lib/ballot.js';
import { sha256 } from '../lib/hash.js';
import { expectCount, expectKeys, expectString, parseStrict } from '../lib/json.js';
import { ballotEquations, checkRevealedRange, openingEquations } from '../lib/verify_ballot.js';

const CAST_KEYS = ['tracking', 'ballot', 'shard', 'seq'];
const SPOILED_KEYS = ['tracking', 'ballot', 'opening', 'shard', 'seq'];

// `contests`: Map jurisdiction → { index, rule }. Returns { tracking, credential (hex),
// contest (index), shard, seq, eq (with the opening's equations for a spoiled ballot), alphas,
// betas, ballot, opening, rule }; throws naming what is wrong.
export function checkBallotLine(ctx, contests, text, spoiled) {
  const j = parseStrict(text, 'the line');
  expectKeys(j, spoiled ? SPOILED_KEYS : CAST_KEYS, 'the line');
  const tracking = fromHex32(j.tracking, 'tracking');
  const bytes = fromHex(j.ballot, 'ballot');
  const shard = expectString(j.shard, 'shard');
  const seq = expectCount(j.seq, 'seq');
  if (!equal(sha256(bytes), tracking)) throw new Error('the tracking code is not SHA-256 of the ballot');
  const ballot = decodeBallot(bytes);
  const code = utf8Text(ballot.jurisdiction);
  const contest = code === null ? undefined : contests.get(code);
  if (!contest) throw new Error(`the ballot's jurisdiction ${JSON.stringify(code)} is not in the manifest`);
  const { eq, alphas, betas } = ballotEquations(ctx, ballot, contest.rule);
  let opening = null;
  if (spoiled) {
    opening = decodeOpening(fromHex(j.opening, 'opening'));
    for (const e of openingEquations(ballot, opening, alphas, betas)) eq.merge(e);
    checkRevealedRange(opening, contest.rule);
  }
  return {
    tracking: j.tracking, credential: toHex(ballot.credential), contest: contest.index, shard, seq,
    eq, alphas, betas, ballot, opening, rule: contest.rule,
  };
}
