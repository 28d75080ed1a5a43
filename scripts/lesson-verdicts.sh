#!/bin/sh
# Checks that every lesson's verdict is right or withheld, never wrong.
#
# Runs each lesson RUNS times in a row (`corescope sweep --preset NAME`)
# from a fresh data folder, first on the machine as it is, then with one
# other CPU-bound program running beside it (killed after), reads the
# `verdict.outcome` of each run's JSON export and prints a table
# (lesson x run -> outcome). Every lesson's claim is true, so any
# `does-not-hold` is a wrong verdict: the script then exits 1.
#
# usage: scripts/lesson-verdicts.sh [-b CORESCOPE] [-n RUNS] [-m MODES] [-o DIR] [LESSON...]
#   -b  the corescope binary (default: $CARGO_TARGET_DIR/debug/corescope,
#       else target/debug/corescope)
#   -n  runs per lesson and mode (default 5)
#   -m  which modes, in order (default "quiet busy")
#   -o  where the JSON files go (default: a new temporary folder)
#   LESSON...  the lessons to run (default: all ten)
set -u

bin="${CARGO_TARGET_DIR:-target}/debug/corescope"
runs=5
modes="quiet busy"
out=""
while getopts b:n:m:o: opt; do
    case "$opt" in
        b) bin="$OPTARG" ;;
        n) runs="$OPTARG" ;;
        m) modes="$OPTARG" ;;
        o) out="$OPTARG" ;;
        *) sed -n '11,18p' "$0" >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
if [ ! -x "$bin" ]; then
    echo "no corescope at $bin (cargo build, or give -b PATH)" >&2
    exit 2
fi
[ -n "$out" ] || out=$(mktemp -d "${TMPDIR:-/tmp}/lesson-verdicts.XXXXXX")
mkdir -p "$out"
if [ $# -gt 0 ]; then
    lessons="$*"
else
    lessons=$("$bin" presets | awk '/^[a-z]/ && NF > 1 && $1 != "run" { print $1 }')
fi

# A fresh data folder: no stored results, no settings.
data="$out/data"
rm -rf "$data"
mkdir -p "$data/home"

hog=""
stop_hog() {
    if [ -n "$hog" ]; then
        kill "$hog" 2>/dev/null
        wait "$hog" 2>/dev/null
        hog=""
    fi
}
trap 'stop_hog' EXIT
trap 'exit 130' INT TERM

outcome_of() {
    if [ -f "$1" ]; then
        o=$(grep -o '"outcome": *"[a-z-]*"' "$1" | head -n 1 | sed 's/.*"\([a-z-]*\)"$/\1/')
        echo "${o:-none}"
    else
        echo "error"
    fi
}

wrong=0
table="$out/table.txt"
: >"$table"
for mode in $modes; do
    if [ "$mode" = busy ]; then
        sh -c 'while :; do :; done' &
        hog=$!
    fi
    for lesson in $lessons; do
        line=$(printf '%-20s %-6s' "$lesson" "$mode")
        i=1
        while [ "$i" -le "$runs" ]; do
            json="$out/$mode-$lesson-$i.json"
            rm -f "$json"
            started=$(date +%s)
            HOME="$data/home" XDG_DATA_HOME="$data" XDG_CONFIG_HOME="$data" \
                "$bin" sweep --preset "$lesson" --export-json "$json" \
                >"$out/$mode-$lesson-$i.log" 2>&1
            took=$(($(date +%s) - started))
            o=$(outcome_of "$json")
            [ "$o" = does-not-hold ] && wrong=$((wrong + 1))
            line="$line $(printf '%-14s' "$o(${took}s)")"
            i=$((i + 1))
        done
        echo "$line" | tee -a "$table"
    done
    stop_hog
done

echo
echo "lesson x run -> outcome (seconds); JSON and logs in $out"
for o in holds does-not-hold withheld error none; do
    printf '%-14s %s\n' "$o" "$(grep -o "$o(" "$table" | wc -l)"
done
if [ "$wrong" -gt 0 ]; then
    echo "WRONG: $wrong verdict(s) said the claim does not hold" >&2
    exit 1
fi
