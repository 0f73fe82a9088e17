#include "voting/vote_service.h"

namespace landslide {

VoteService::VoteService(const Election& election, const RegistryHolder& registry,
                         IntakeQueue& intake, const VoterHasher& hasher,
                         std::chrono::milliseconds deadline)
    : election_(election),
      registry_(registry),
      intake_(intake),
      hasher_(hasher),
      deadline_(deadline) {}

void VoteService::Cast(std::string_view voter_id, std::string_view candidate,
                       std::optional<std::string> idempotency_key, const CastCallback& done) {
  CastReply reply;
  if (!election_.IsOpen(Now())) {
    reply.result = CastResult::kClosed;
    done(reply);
    return;
  }
  auto registry = registry_.Get();
  if (!registry) {
    reply.result = CastResult::kRegistryNotLoaded;
    done(reply);
    return;
  }
  VoterHash voter = hasher_.Hash(voter_id);
  auto jurisdiction = registry->Find(voter);
  if (!jurisdiction) {
    reply.result = CastResult::kUnknownVoter;
    done(reply);
    return;
  }
  auto c = election_.FindCandidate(candidate);
  if (!c || !election_.OnBallot(*jurisdiction, *c)) {
    reply.result = CastResult::kNotOnBallot;
    done(reply);
    return;
  }
  VoteTicket ticket;
  ticket.voter = voter;
  ticket.jurisdiction = *jurisdiction;
  ticket.candidate = *c;
  ticket.idempotency_key = std::move(idempotency_key);
  ticket.deadline = std::chrono::steady_clock::now() + deadline_;
  ticket.done = [done](const VoteOutcome& o) {
    CastReply r;
    r.outcome = o;
    switch (o.kind) {
      case VoteOutcome::Kind::kCounted:
        r.result = CastResult::kCounted;
        break;
      case VoteOutcome::Kind::kAlreadyVoted:
        r.result = CastResult::kAlreadyVoted;
        break;
      case VoteOutcome::Kind::kUnavailable:
        r.result = CastResult::kUnavailable;
        break;
      case VoteOutcome::Kind::kOutcomeUnknown:
        r.result = CastResult::kOutcomeUnknown;
        break;
    }
    done(r);
  };
  if (!intake_.Submit(ticket)) {
    reply.result = CastResult::kQueueFull;
    done(reply);
  }
}

Result<BallotView> VoteService::Ballot(std::string_view voter_id, VoterHash* hash_out) const {
  auto registry = registry_.Get();
  if (!registry) return Status::Unavailable("the voter registry is not loaded yet");
  VoterHash voter = hasher_.Hash(voter_id);
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
