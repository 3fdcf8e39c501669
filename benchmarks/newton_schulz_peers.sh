#!/usr/bin/env bash
# Newton-Schulz: ours (bench-ns) beside the PyTorch reference (newton_schulz_torch.py) on the same shapes, in one
# run: bench-ns and the torch timing alternate ROUNDS times (default 2), and per shape the medians are compared.
# Optional; not run by CI or the tests.
#
# Set-up (Debian): apt-get install -y python3-torch libopenblas0-pthread
#   Without libopenblas0-pthread, Debian's PyTorch falls back to the reference BLAS and runs about 30x slower.
#   The script uses /usr/bin/python3 (the Debian interpreter that has python3-torch), not a python3 from pyenv.
# Usage, from the repository root:  benchmarks/newton_schulz_peers.sh [ROUNDS] [REPS]
# Writes target/benchmarks/peers/round-N/newton-schulz.csv and target/benchmarks/peers/newton-schulz-torch.csv.
# Pause other work on the machine first: on a busy 2-core machine the numbers are noise.
set -euo pipefail
ROUNDS=${1:-2}
REPS=${2:-9}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT="$ROOT/target/benchmarks/peers"
PYTHON=${PYTHON:-/usr/bin/python3}
if ! "$PYTHON" -c "import torch"; then
  echo "needs python3-torch: apt-get install -y python3-torch libopenblas0-pthread" >&2
  exit 2
fi
cd "$ROOT"
mvn -B -q -o -pl examples -am -DskipTests test-compile
csvs=()
for r in $(seq "$ROUNDS"); do
  dir="$OUT/round-$r"
  mvn -B -q -o -pl examples -am test-compile exec:java -Dexec.args="bench-ns --reps $REPS --out $dir"
  csvs+=("$dir/newton-schulz.csv")
  # torch right after each bench-ns round (A B A B ...), so that drift in the machine's load hits both alike
  "$PYTHON" "$ROOT/benchmarks/newton_schulz_torch.py" --reps "$REPS" --torch-csv "$dir/torch.csv" \
      "$dir/newton-schulz.csv" > "$dir/torch.txt"
done
"$PYTHON" - "$OUT/newton-schulz-torch.csv" "${csvs[@]}" <<'PY'
import csv, statistics, sys
out, runs = sys.argv[1], sys.argv[2:]
ours, ref = {}, {}
for path in runs:
    with open(path.replace("newton-schulz.csv", "torch.csv"), newline="") as f:
        for row in csv.DictReader(f):
            ours.setdefault(row["shape"], []).append(float(row["ours_ms"]))
            ref.setdefault(row["shape"], []).append(float(row["torch_ms"]))
print(open(runs[0].replace("newton-schulz.csv", "torch.txt")).readline().strip())
print(f"\n{'shape':<12} {'ours ms':>10} {'torch ms':>10} {'ours / torch speed':>19}"
      f"   (medians over {len(runs)} rounds)")
with open(out, "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["shape", "ours_ms", "torch_ms", "speedup_vs_torch"])
    for s in ours:
        o, t = statistics.median(ours[s]), statistics.median(ref[s])
        print(f"{s:<12} {o:>10.2f} {t:>10.2f} {t / o:>19.3f}")
        w.writerow([s, f"{o:.3f}", f"{t:.3f}", f"{t / o:.4f}"])
print(f"wrote {out}")
PY
