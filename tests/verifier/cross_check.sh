#!/usr/bin/env bash
# Two implementations meet: a record made by the C++ side (a key ceremony with `trustees init`,
# ballots from `record sample`, three trustees' `trustee decrypt`, `results publish`) must pass
# the independent JavaScript verifier, and the same record with one ballot byte changed must
# fail it, naming the ballot.
# Usage: cross_check.sh LANDSLIDE_BINARY SOURCE_DIR
set -euo pipefail
landslide=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$landslide" trustees init --trustees 5 --threshold 3 --kdf interactive --out "$work/trustees" >/dev/null
"$landslide" record sample --voters 300 --ceremony "$work/trustees/trustees.json" --out "$work/record" \
  >/dev/null 2>&1
for j in 1 3 5; do
  sed -n "${j}p" "$work/trustees/passphrases.txt" >"$work/pass$j"
  "$landslide" trustee decrypt --record "$work/record" --share "$work/trustees/trustee-$j.share" \
    --passphrase-file "$work/pass$j" >/dev/null
done
"$landslide" results publish --record "$work/record" >/dev/null

node "$src/verifier/verify.js" "$work/record" >"$work/ok.txt" 2>&1 || {
  echo "cross_check: the verifier refused a record the C++ side made:" >&2
  cat "$work/ok.txt" >&2
  exit 1
}

# Change one hex digit inside the first ballot's encoding (past the version byte).
cp -r "$work/record" "$work/tampered"
python3 - "$work/tampered/ballots.jsonl" <<'PY'
import json, sys
path = sys.argv[1]
lines = open(path).read().splitlines()
first = json.loads(lines[0])
b = first["ballot"]
i = 200
first["ballot"] = b[:i] + ("0" if b[i] != "0" else "1") + b[i + 1:]
lines[0] = json.dumps(first, separators=(",", ":"))
open(path, "w").write("\n".join(lines) + "\n")
PY
if node "$src/verifier/verify.js" "$work/tampered" >"$work/bad.txt" 2>&1; then
  echo "cross_check: the verifier accepted a record with an altered ballot" >&2
  exit 1
fi
echo "cross_check: C++ record verified; altered copy refused: $(tail -1 "$work/bad.txt")"
