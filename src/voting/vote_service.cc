#include "voting/vote_service.h"

#include "crypto/group.h"
#include "crypto/verifiable_ballot.h"

namespace landslide {

namespace {

CastResult ResultOf(VoteOutcome::Kind kind) {
  switch (kind) {
    case VoteOutcome::Kind::kCounted:
      return CastResult::kCounted;
    case VoteOutcome::Kind::kAlreadyVoted:
      return CastResult::kAlreadyVoted;
    case VoteOutcome::Kind::kUnavailable:
      return CastResult::kUnavailable;
    case VoteOutcome::Kind::kOutcomeUnknown:
      return CastResult::kOutcomeUnknown;
    case VoteOutcome::Kind::kRejected:
      return CastResult::kRejected;
    case VoteOutcome::Kind::kAlreadyOnBoard:
      return CastResult::kAlreadyOnBoard;
    case VoteOutcome::Kind::kClosed:
      return CastResult::kClosed;
  }
  return CastResult::kUnavailable;
}

CastReply Reply(CastResult result, std::string message = {}) {
  CastReply r;
  r.result = result;
  r.outcome.message = std::move(message);
  return r;
}

}  // namespace

VoteService::VoteService(const Election& election, const RegistryHolder& registry,
                         IntakeQueue& intake, const VoterHasher& hasher,
                         std::chrono::milliseconds deadline)
    : election_(election),
      registry_(registry),
      intake_(intake),
      hasher_(hasher),
      deadline_(deadline) {}

VoterHash VoteService::VoterKey(std::string_view voter_id) const {
  if (!election_.verifiable()) return hasher_.Hash(voter_id);
  return CredentialKey(verifiable::PublicCredential(election_.name(), voter_id));
}

void VoteService::Cast(std::string_view voter_id, std::string_view candidate,
                       std::optional<std::string> idempotency_key, const CastCallback& done) {
  if (!election_.IsOpen(Now()) || registry_.closed()) return done(Reply(CastResult::kClosed));
  auto registry = registry_.Get();
  if (!registry) return done(Reply(CastResult::kRegistryNotLoaded));
  VoterHash voter = VoterKey(voter_id);
  auto jurisdiction = registry->Find(voter);
  if (!jurisdiction) return done(Reply(CastResult::kUnknownVoter));
  auto c = election_.FindCandidate(candidate);
  if (!c || !election_.OnBallot(*jurisdiction, *c)) return done(Reply(CastResult::kNotOnBallot));
  if (election_.verifiable()) {
    return CastVerifiable(voter_id, *jurisdiction, *c, std::move(idempotency_key), done);
  }
  VoteTicket ticket;
  ticket.voter = voter;
  ticket.jurisdiction = *jurisdiction;
  ticket.candidate = *c;
  ticket.idempotency_key = std::move(idempotency_key);
  Enqueue(ticket, done);
}

void VoteService::CastVerifiable(std::string_view voter_id, JurisdictionIndex jurisdiction,
                                 CandidateIndex candidate,
                                 std::optional<std::string> idempotency_key,
                                 const CastCallback& done) {
  auto election = registry_.verifiable();
  if (!election) return done(Reply(CastResult::kRegistryNotLoaded));
  const Jurisdiction& j = election_.jurisdictions()[jurisdiction];
  std::vector<uint8_t> choices(j.ballot.size(), 0);
  for (size_t k = 0; k < j.ballot.size(); ++k) choices[k] = j.ballot[k] == candidate ? 1 : 0;
  const group::Scalar secret = verifiable::CredentialSecret(election_.name(), voter_id);
  // With an Idempotency-Key the ballot is derived from the voter's secret, the key and the
  // choice, so a retry builds the same ballot (same tracking code) and gets its 201 again; the
  // choice is in the seed so that no two different ballots ever share their randomness.
  std::optional<Bytes32> seed;
  if (idempotency_key) {
    const Bytes32 x = secret.Encode();
    const std::string_view key = *idempotency_key;
    const std::span<const uint8_t> fields[] = {
        x, std::span(reinterpret_cast<const uint8_t*>(key.data()), key.size()),
        std::span(choices.data(), choices.size())};
    seed = group::Hash256("landslide/v1/server-built-ballot", fields);
  }
  auto built = verifiable::BuildBallot(election->context(), secret, election->rule(jurisdiction),
                                       choices, seed ? &*seed : nullptr);
  if (!built.ok()) return done(Reply(CastResult::kNotOnBallot, built.status().message()));
  auto submission = std::make_shared<BallotSubmission>();
  submission->kind = BallotKind::kCast;
  submission->election = election;
  submission->jurisdiction = jurisdiction;
  submission->body = EncodeBallot(built->ballot);
  submission->tracking = built->tracking;
  submission->ballot = std::move(built->ballot);
  VoteTicket ticket;
  ticket.voter = CredentialKey(submission->ballot.credential);
  ticket.jurisdiction = jurisdiction;
  ticket.idempotency_key = std::move(idempotency_key);
  ticket.ballot = std::move(submission);
  Enqueue(ticket, done);
}

void VoteService::Submit(std::span<const uint8_t> body, BallotKind kind,
                         std::span<const uint8_t> opening, const CastCallback& done) {
  if (!election_.verifiable()) return done(Reply(CastResult::kNotVerifiable));
  if (!election_.IsOpen(Now()) || registry_.closed()) return done(Reply(CastResult::kClosed));
  auto registry = registry_.Get();
  auto election = registry_.verifiable();
  if (!registry || !election) return done(Reply(CastResult::kRegistryNotLoaded));
  auto ballot = DecodeBallot(body);
  if (!ballot.ok()) return done(Reply(CastResult::kMalformedBallot, ballot.status().message()));
  const VoterHash voter = CredentialKey(ballot->credential);
  auto jurisdiction = registry->Find(voter);
  if (!jurisdiction) return done(Reply(CastResult::kUnknownVoter));
  const std::string& code = election_.jurisdictions()[*jurisdiction].code;
  if (ballot->jurisdiction != code) {
    return done(Reply(CastResult::kRejected, "this credential votes in " + code +
                                                 ", and the ballot is for " +
                                                 ballot->jurisdiction.substr(0, 32)));
  }
  auto submission = std::make_shared<BallotSubmission>();
  submission->kind = kind;
  submission->election = election;
  submission->jurisdiction = *jurisdiction;
  submission->body.assign(body.begin(), body.end());
  submission->tracking = verifiable::Track(*ballot);
  submission->ballot = std::move(*ballot);
  if (kind == BallotKind::kSpoiled) {
    auto opened = DecodeOpening(opening);
    if (!opened.ok()) {
      return done(Reply(CastResult::kMalformedBallot, opened.status().message()));
    }
    Status s = verifiable::CheckOpening(election->context(), submission->ballot, *opened,
                                        election->rule(*jurisdiction));
    if (!s.ok()) return done(Reply(CastResult::kRejected, s.message()));
    submission->opening.assign(opening.begin(), opening.end());
  }
  VoteTicket ticket;
  ticket.voter = voter;
  ticket.jurisdiction = *jurisdiction;
  ticket.ballot = std::move(submission);
  Enqueue(ticket, done);
}

void VoteService::Enqueue(VoteTicket& ticket, const CastCallback& done) {
  ticket.deadline = std::chrono::steady_clock::now() + deadline_;
  ticket.done = [done](const VoteOutcome& o) {
    CastReply r;
    r.outcome = o;
    r.result = ResultOf(o.kind);
    done(r);
  };
  if (!intake_.Submit(ticket)) done(Reply(CastResult::kQueueFull));
}

Result<BallotView> VoteService::Ballot(std::string_view voter_id, VoterHash* hash_out) const {
  auto registry = registry_.Get();
  if (!registry) return Status::Unavailable("the voter registry is not loaded yet");
  VoterHash voter = VoterKey(voter_id);
  if (hash_out) *hash_out = voter;
  auto j = registry->Find(voter);
  if (!j) return Status::NotFound("this voter id is not in the registry");
  BallotView view;
  const Jurisdiction& jur = election_.jurisdictions()[*j];
  view.jurisdiction = jur.code;
  for (CandidateIndex c : jur.ballot) view.candidates.push_back(election_.candidates()[c]);
  return view;
}

}  // namespace landslide
