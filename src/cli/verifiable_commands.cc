// The verifiable scheme's offline commands: the trustees' key ceremony, a trustee's partial
// decryption, publishing the results, and a sample record for the verifier.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "cli/options.h"
#include "config/election_file.h"
#include "crypto/keys.h"
#include "crypto/trustee_files.h"
#include "crypto/trustees.h"
#include "db/pg.h"
#include "db/record_export.h"
#include "domain/election.h"
#include "os/files.h"
#include "record/manifest.h"
#include "record/record_files.h"
#include "record/results.h"
#include "sim/sample_record.h"

namespace landslide::cli {

namespace {

namespace fs = std::filesystem;

struct TrusteesInitArgs {
  uint32_t trustees = 5;
  uint32_t threshold = 3;
  std::string out, election_file, passphrases_file, kdf = "moderate";
};

Result<std::vector<std::string>> ReadLines(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("cannot read " + path.string());
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

int TrusteesInit(const TrusteesInitArgs& a) {
  if (Status st = InitCrypto(); !st.ok()) return Fail(1, st.message());
  std::string election_name = Election::Default2016().name();
  if (!a.election_file.empty()) {
    auto e = LoadElectionFile(a.election_file);
    if (!e.ok()) return Fail(2, e.status().message());
    election_name = e->name();
  }
  std::vector<std::string> passphrases;
  const bool generated = a.passphrases_file.empty();
  if (generated) {
    for (uint32_t i = 0; i < a.trustees; ++i)
      passphrases.push_back(verifiable::GeneratePassphrase());
  } else {
    auto lines = ReadLines(a.passphrases_file);
    if (!lines.ok()) return Fail(2, lines.status().message());
    if (lines->size() != a.trustees) {
      return Fail(2, a.passphrases_file + " must hold one passphrase per trustee (" +
                         std::to_string(a.trustees) + " lines)");
    }
    passphrases = std::move(*lines);
  }
  auto ceremony = verifiable::RunKeyCeremony(election_name, a.trustees, a.threshold);
  if (!ceremony.ok()) return Fail(2, ceremony.status().message());
  std::error_code ec;
  fs::create_directories(a.out, ec);
  if (ec) return Fail(1, "cannot create " + a.out + ": " + ec.message());
  const auto cost =
      a.kdf == "interactive" ? verifiable::KdfCost::kInteractive : verifiable::KdfCost::kModerate;
  const fs::path dir(a.out);
  if (Status st = verifiable::WriteNewFile(dir / "trustees.json",
                                           record::CeremonyToJson(ceremony->published), 0644);
      !st.ok()) {
    return Fail(1, st.message());
  }
  for (uint32_t j = 1; j <= a.trustees; ++j) {
    verifiable::TrusteeShare share;
    share.election = election_name;
    share.trustee = j;
    share.trustees = a.trustees;
    share.threshold = a.threshold;
    share.share = ceremony->shares[j - 1];
    const fs::path path = dir / ("trustee-" + std::to_string(j) + ".share");
    if (Status st = verifiable::WriteShareFile(path, share, passphrases[j - 1], cost); !st.ok()) {
      return Fail(1, st.message());
    }
    std::fprintf(stderr, "trustees: share %u of %u sealed in %s\n", j, a.trustees, path.c_str());
  }
  if (generated) {
    std::string text;
    for (const auto& p : passphrases) text += p + "\n";
    if (Status st = verifiable::WriteNewFile(dir / "passphrases.txt", text, 0600); !st.ok()) {
      return Fail(1, st.message());
    }
  }
  std::printf("key ceremony for \"%s\": %u trustees, any %u decrypt\n", election_name.c_str(),
              a.trustees, a.threshold);
  std::printf("joint election key and commitments: %s\n", (dir / "trustees.json").c_str());
  if (generated) {
    std::printf(
        "passphrases were generated into %s: hand each trustee its share file and line, then "
        "delete that file\n",
        (dir / "passphrases.txt").c_str());
  }
  return 0;
}

struct DecryptArgs {
  std::string record, share, passphrase_file;
};

Result<std::string> Passphrase(const std::string& file) {
  if (!file.empty()) {
    auto lines = ReadLines(file);
    if (!lines.ok()) return lines.status();
    if (lines->size() != 1) return Status::InvalidArgument(file + " must hold one line");
    return (*lines)[0];
  }
  if (const char* env = std::getenv("LANDSLIDE_TRUSTEE_PASSPHRASE")) return std::string(env);
  std::fprintf(stderr, "passphrase: ");
  std::string line;
  if (!std::getline(std::cin, line)) return Status::InvalidArgument("no passphrase given");
  return line;
}

Result<std::pair<std::string, record::Manifest>> LoadManifest(const fs::path& dir) {
  auto bytes = record::ReadManifestBytes(dir);
  if (!bytes.ok()) return bytes.status();
  auto manifest = record::ParseManifest(*bytes);
  if (!manifest.ok()) return manifest.status();
  return std::make_pair(std::move(*bytes), std::move(*manifest));
}

int TrusteeDecrypt(const DecryptArgs& a) {
  if (Status st = InitCrypto(); !st.ok()) return Fail(1, st.message());
  auto loaded = LoadManifest(a.record);
  if (!loaded.ok()) return Fail(1, loaded.status().message());
  const auto& [bytes, manifest] = *loaded;
  auto passphrase = Passphrase(a.passphrase_file);
  if (!passphrase.ok()) return Fail(2, passphrase.status().message());
  auto share = verifiable::ReadShareFile(a.share, *passphrase);
  if (!share.ok()) return Fail(1, share.status().message());
  auto aggregates = record::ReadAggregates(a.record);
  if (!aggregates.ok()) return Fail(1, aggregates.status().message());
  auto partials =
      record::DecryptAggregates(manifest, record::ManifestHash(bytes), *share, *aggregates);
  if (!partials.ok()) return Fail(1, partials.status().message());
  if (Status st = record::WritePartials(a.record, share->trustee, *partials); !st.ok()) {
    return Fail(1, st.message());
  }
  std::printf("trustee %u: partial decryptions of %zu contests written to %s/partials/\n",
              share->trustee, partials->size(), a.record.c_str());
  return 0;
}

int ResultsPublish(const std::string& dir) {
  if (Status st = InitCrypto(); !st.ok()) return Fail(1, st.message());
  auto loaded = LoadManifest(dir);
  if (!loaded.ok()) return Fail(1, loaded.status().message());
  const auto& [bytes, manifest] = *loaded;
  auto aggregates = record::ReadAggregates(dir);
  if (!aggregates.ok()) return Fail(1, aggregates.status().message());
  auto partials = record::ReadAllPartials(dir);
  if (!partials.ok()) return Fail(1, partials.status().message());
  auto results =
      record::CombineResults(manifest, record::ManifestHash(bytes), *aggregates, *partials);
  if (!results.ok()) return Fail(1, results.status().message());
  // A dishonest trustee's partials do not stop the count, but they leave the record's
  // partials/ (the verifier checks every file there) for partials/refused/, as evidence.
  for (uint32_t t : results->refused) {
    const std::string name = "trustee-" + std::to_string(t) + ".json";
    std::error_code ec;
    fs::create_directories(fs::path(dir) / "partials" / "refused", ec);
    fs::rename(fs::path(dir) / "partials" / name, fs::path(dir) / "partials" / "refused" / name,
               ec);
    std::fprintf(stderr,
                 "landslide: trustee %u's partial decryptions fail their proofs; moved to "
                 "partials/refused/%s\n",
                 t, name.c_str());
    if (ec) return Fail(1, "cannot move " + name + ": " + ec.message());
  }
  if (Status st = record::WriteResults(dir, *results); !st.ok()) return Fail(1, st.message());
  std::printf("results of \"%s\" (trustees", manifest.election.c_str());
  for (uint32_t t : results->trustees) std::printf(" %u", t);
  std::printf("):\n");
  for (const auto& [name, n] : results->totals) {
    std::printf("  %-20s %12llu\n", name.c_str(), static_cast<unsigned long long>(n));
  }
  return 0;
}

struct ExportArgs {
  std::string db, election_file, out;
};

int RecordExport(const ExportArgs& a) {
  if (Status st = InitCrypto(); !st.ok()) return Fail(1, st.message());
  auto election = LoadElectionOrDefault(a.election_file);
  if (!election.ok()) return Fail(1, election.status().message());
  if (!election->verifiable()) {
    return Fail(2, "the election's ballots are sealed; only a verifiable election has a record");
  }
  auto conn = db::PgConnection::Connect(a.db, std::chrono::seconds(10));
  if (!conn.ok()) return Fail(1, conn.status().message());
  const auto started = std::chrono::steady_clock::now();
  auto summary = db::ExportRecord(**conn, *election, a.out, [](uint64_t done) {
    std::fprintf(stderr, "\rrecord export: %llu ballots", static_cast<unsigned long long>(done));
  });
  std::fprintf(stderr, "\n");
  if (!summary.ok()) return Fail(1, summary.status().message());
  std::printf(
      "record of \"%s\" in %s: %llu credentials, %llu cast, %llu spoiled, %llu batches; "
      "%.1f s\nnext: each trustee runs `landslide trustee decrypt --record %s --share FILE`\n",
      election->name().c_str(), a.out.c_str(),
      static_cast<unsigned long long>(summary->credentials),
      static_cast<unsigned long long>(summary->cast),
      static_cast<unsigned long long>(summary->spoiled),
      static_cast<unsigned long long>(summary->batches), SecondsSince(started), a.out.c_str());
  return 0;
}

}  // namespace

void AddVerifiableCommands(CLI::App& app, CommandContext& ctx) {
  auto* trustees = app.add_subcommand("trustees", "The trustees of a verifiable election");
  trustees->require_subcommand(1);
  auto init_args = std::make_shared<TrusteesInitArgs>();
  auto* init = trustees->add_subcommand(
      "init", "Key ceremony: share the election secret among N trustees, any K of whom decrypt");
  init->add_option("--trustees", init_args->trustees, "Number of trustees (N)")
      ->capture_default_str()
      ->check(CLI::Range(1, 255));
  init->add_option("--threshold", init_args->threshold, "Trustees needed to decrypt (K)")
      ->capture_default_str()
      ->check(CLI::Range(1, 255));
  init->add_option("--out", init_args->out, "Directory for trustees.json and the share files")
      ->required();
  init->add_option("--election", init_args->election_file,
                   "Election definition file (default: the 2016 mock election)");
  init->add_option("--passphrases", init_args->passphrases_file,
                   "File with one passphrase per trustee (default: generate them into "
                   "DIR/passphrases.txt)");
  init->add_option("--kdf", init_args->kdf, "Argon2id cost protecting the shares")
      ->capture_default_str()
      ->check(CLI::IsMember({"moderate", "interactive"}));
  init->callback([&ctx, init_args] {
    if (init_args->threshold > init_args->trustees) {
      ctx.exit_code = Fail(2, "--threshold cannot exceed --trustees");
      return;
    }
    ctx.exit_code = TrusteesInit(*init_args);
  });

  auto* trustee = app.add_subcommand("trustee", "One trustee's part after the election closes");
  trustee->require_subcommand(1);
  auto dec_args = std::make_shared<DecryptArgs>();
  auto* decrypt = trustee->add_subcommand(
      "decrypt",
      "Partially decrypt the record's aggregates with this trustee's share, with proofs");
  decrypt->add_option("--record", dec_args->record, "Exported election record directory")
      ->required();
  decrypt->add_option("--share", dec_args->share, "This trustee's share file")->required();
  decrypt->add_option("--passphrase-file", dec_args->passphrase_file,
                      "File holding the passphrase (else $LANDSLIDE_TRUSTEE_PASSPHRASE, else "
                      "asked on stdin)");
  decrypt->callback([&ctx, dec_args] { ctx.exit_code = TrusteeDecrypt(*dec_args); });

  auto* results = app.add_subcommand("results", "Verifiable election results");
  results->require_subcommand(1);
  auto dir = std::make_shared<std::string>();
  auto* publish = results->add_subcommand(
      "publish", "Verify the trustees' partial decryptions and combine K of them into results");
  publish->add_option("--record", *dir, "Exported election record directory")->required();
  publish->callback([&ctx, dir] { ctx.exit_code = ResultsPublish(*dir); });

  auto* rec = app.add_subcommand("record", "The verifiable election record");
  rec->require_subcommand(1);
  auto export_args = std::make_shared<ExportArgs>();
  auto* exp = rec->add_subcommand(
      "export", "Write the closed election's record (docs/RECORD.md) for trustees and verifiers");
  exp->add_option("--db", export_args->db, "libpq conninfo (the primary or any standby)")
      ->required();
  exp->add_option("--election", export_args->election_file,
                  "Election definition file (default: the 2016 mock election)");
  exp->add_option("--out", export_args->out, "Directory to create")->required();
  exp->callback([&ctx, export_args] { ctx.exit_code = RecordExport(*export_args); });
  auto sample_dir = std::make_shared<std::string>();
  auto sample = std::make_shared<sim::SampleRecordOptions>();
  auto* s = rec->add_subcommand(
      "sample", "Write a complete mock election record (no cluster) for the verifier");
  s->add_option("--out", *sample_dir, "Directory to create")->required();
  s->add_option("--voters", sample->voters, "Registered mock voters")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000000));
  s->add_option("--trustees", sample->trustees, "Trustees")
      ->capture_default_str()
      ->check(CLI::Range(1, 255));
  s->add_option("--threshold", sample->threshold, "Trustees needed")
      ->capture_default_str()
      ->check(CLI::Range(1, 255));
  s->add_option("--seed", sample->seed, "Seed of the mock voters and their choices")
      ->capture_default_str();
  auto ceremony_file = std::make_shared<std::string>();
  s->add_option("--ceremony", *ceremony_file,
                "trustees.json of a key ceremony held with `trustees init`: the record stops at "
                "the aggregates, for the trustees to decrypt");
  s->callback([&ctx, sample_dir, sample, ceremony_file] {
    if (sample->threshold > sample->trustees) {
      ctx.exit_code = Fail(2, "--threshold cannot exceed --trustees");
      return;
    }
    if (Status st = InitCrypto(); !st.ok()) {
      ctx.exit_code = Fail(1, st.message());
      return;
    }
    if (!ceremony_file->empty()) {
      auto text = os::ReadWholeFile(*ceremony_file);
      auto parsed = text.ok() ? record::ParseCeremony(*text, Election::Default2016().name())
                              : Result<verifiable::PublicCeremony>(text.status());
      if (!parsed.ok()) {
        ctx.exit_code = Fail(2, parsed.status().message());
        return;
      }
      sample->ceremony = std::move(*parsed);
    }
    sample->progress = [](uint64_t done, uint64_t total) {
      std::fprintf(stderr, "\rrecord sample: %llu/%llu voters",
                   static_cast<unsigned long long>(done), static_cast<unsigned long long>(total));
      if (done == total) std::fprintf(stderr, "\n");
    };
    auto summary = sim::WriteSampleRecord(*sample_dir, *sample);
    if (!summary.ok()) {
      ctx.exit_code = Fail(1, summary.status().message());
      return;
    }
    std::printf("sample record in %s: %llu cast, %llu spoiled, %llu batches\n", sample_dir->c_str(),
                static_cast<unsigned long long>(summary->cast),
                static_cast<unsigned long long>(summary->spoiled),
                static_cast<unsigned long long>(summary->batches));
  });
}

}  // namespace landslide::cli
