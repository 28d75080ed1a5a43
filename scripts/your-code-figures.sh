#!/bin/sh
# Measures what threads and processes buy two of the examples on this
# machine: hashlib.sha256 (releases the GIL) beside a pure-Python loop
# (holds it), with 95 % intervals.
#
# For each function, one `corescope sweep --code` of python-serial,
# python-threads and python-processes at 1 and 2 workers (interleaved
# repetitions), its JSON export kept. From each export: threads ×2 over
# threads ×1 (the ratio of the two runs' median walls, its interval
# bootstrapped from their repetitions as corescope bootstraps a speedup's),
# and threads ×2 and processes ×2 over python-serial (the speedups and
# intervals corescope wrote), then the set's recommendation and its flags.
# Run it on a quiet machine: corescope flags figures taken beside other
# programs, and a flagged figure is no measurement.
#
# usage: scripts/your-code-figures.sh [-b CORESCOPE] [-n REPEATS] [-t TASKS] [-o DIR]
#   -b  the corescope binary (default: $CARGO_TARGET_DIR/debug/corescope,
#       else target/debug/corescope)
#   -n  repetitions of each run (default 10)
#   -t  tasks per repetition (default 16)
#   -o  where the JSON files go (default: a new temporary folder)
set -u

bin="${CARGO_TARGET_DIR:-target}/debug/corescope"
repeats=10
tasks=16
out=""
while getopts b:n:t:o: opt; do
    case "$opt" in
        b) bin="$OPTARG" ;;
        n) repeats="$OPTARG" ;;
        t) tasks="$OPTARG" ;;
        o) out="$OPTARG" ;;
        *) sed -n '16,21p' "$0" >&2; exit 2 ;;
    esac
done
if [ ! -x "$bin" ]; then
    echo "no corescope at $bin (cargo build, or give -b PATH)" >&2
    exit 2
fi
[ -n "$out" ] || out=$(mktemp -d "${TMPDIR:-/tmp}/your-code-figures.XXXXXX")
mkdir -p "$out"
examples=$(cd "$(dirname "$0")/../examples" && pwd)

for code in hashing.py:digest pure_python.py:work; do
    name=${code%%.py:*}
    echo "measuring $code ($repeats repetitions of $tasks tasks)..." >&2
    if ! "$bin" sweep --code "$examples/$code" \
        --models python-serial,python-threads,python-processes \
        --workers 1,2 --tasks "$tasks" --repeats "$repeats" --warmup 1 \
        --export-json "$out/$name.json" >"$out/$name.txt" 2>"$out/$name.err"; then
        echo "corescope failed on $code:" >&2
        cat "$out/$name.err" >&2
        exit 1
    fi
done

python3 - "$out" <<'EOF'
import json, os, random, sys

out = sys.argv[1]
RESAMPLES = 10_000

def median(xs):
    s = sorted(xs)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2

def ratio_interval(top, bottom):
    """95 % percentile bootstrap of median(top) / median(bottom)."""
    if len(top) < 2 or len(bottom) < 2:
        return None
    rng = random.Random(0)
    ratios = sorted(
        median(rng.choices(top, k=len(top))) / median(rng.choices(bottom, k=len(bottom)))
        for _ in range(RESAMPLES)
    )
    return ratios[int(0.025 * RESAMPLES)], ratios[int(0.975 * RESAMPLES) - 1]

def said(value, interval):
    if value is None:
        return "—"
    if not interval:
        return "%.2f×" % value
    return "%.2f× (%.2f–%.2f)" % (value, interval[0], interval[1])

rows = []
for name in ("hashing", "pure_python"):
    with open(os.path.join(out, name + ".json")) as f:
        s = json.load(f)
    runs = {(r["model"], r["workers"]): r for r in s["runs"]}
    walls = lambda r: [x["wall_seconds"] for x in r["repetitions"]]
    t1, t2 = runs.get(("python-threads", 1)), runs.get(("python-threads", 2))
    over_one = None
    if t1 and t2:
        value = median(walls(t1)) / median(walls(t2))
        over_one = (value, ratio_interval(walls(t1), walls(t2)))
    def speedup(key):
        r = runs.get(key)
        if not r or r.get("speedup") is None:
            return "—"
        ci = r.get("speedup_ci")
        return said(r["speedup"], ci and (ci["low"], ci["high"]))
    flagged = sum(1 for r in s["runs"] if r.get("warnings"))
    rows.append((
        name,
        said(*over_one) if over_one else "—",
        speedup(("python-threads", 2)),
        speedup(("python-processes", 2)),
        "%d of %d" % (flagged, len(s["runs"])),
        (s.get("recommendation") or {}).get("sentence", "—"),
    ))

cores = s["machine"]["logical_cores"]
print("%s, %d logical cores; 95 %% intervals" % (s["machine"]["cpu_model"], cores))
print()
print("| example | threads ×2 over ×1 | threads ×2 over serial | processes ×2 over serial | flagged runs |")
print("|---|---|---|---|---|")
for row in rows:
    print("| %s | %s | %s | %s | %s |" % row[:5])
print()
for row in rows:
    print("%s: %s" % (row[0], row[5]))
print()
print("JSON and tables: %s" % out)
EOF
