#!/usr/bin/env bash
# A reproducible batch of hostile tries against a built corescope binary:
# workers of every process model this machine can run killed, terminated
# and stopped mid-run; corescope itself SIGKILLed mid-run, then /tmp,
# /dev/shm and the process table searched for what it left; endless tasks
# stopped by a time limit and by Ctrl-C; hostile saved-set files; export
# targets that are devices, FIFOs, folders or planted links; bad flags.
# Each try counts as held or broke, per promise; a summary ends the output.
#
#   scripts/hostile-run.sh [path/to/corescope]    (default: target/debug)
#
# Runs in about 3-5 minutes. Every process it starts carries a mark in its
# environment, so what a run leaves is found however it was started.
set -u

BIN=${1:-${CARGO_TARGET_DIR:-target}/debug/corescope}
BIN=$(readlink -f "$BIN")
[ -x "$BIN" ] || { echo "no corescope binary at $BIN" >&2; exit 2; }
WORK=$(mktemp -d /tmp/hostile-run.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
declare -A HELD BROKE
ORDER=()
N=0

# record PROMISE OK DETAIL
record() {
    local promise=$1 ok=$2 detail=$3
    [[ -v HELD[$promise] ]] || { HELD[$promise]=0; BROKE[$promise]=0; ORDER+=("$promise"); }
    if [ "$ok" = 1 ]; then
        HELD[$promise]=$((HELD[$promise] + 1))
    else
        BROKE[$promise]=$((BROKE[$promise] + 1))
        echo "BROKE [$promise] $detail"
    fi
}

# The pids whose environment holds MARK.
marked() {
    grep -lsa "CORESCOPE_TEST_MARK=$1" /proc/[0-9]*/environ 2>/dev/null |
        cut -d/ -f3 | grep -vx "$$" || true
}

# Every descendant of PID.
descendants() {
    local kids
    kids=$(pgrep -P "$1" 2>/dev/null) || return 0
    for k in $kids; do echo "$k"; descendants "$k"; done
}

# A worker of run PID under MODEL: a descendant without children of its own
# (a pool worker, a task's process, a rank), not multiprocessing's resource
# tracker; for a CPython model an interpreter (a launcher such as pyenv's
# shim runs short-lived helpers first).
a_worker() {
    local p
    for p in $(descendants "$1"); do
        [ -z "$(pgrep -P "$p")" ] || continue
        tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline" | grep -q resource_tracker && continue
        case "$2" in
        python-*) readlink "/proc/$p/exe" 2>/dev/null | grep -q python || continue ;;
        esac
        echo "$p"; return 0
    done
    return 1
}

# start MARK ARGS...: corescope in the background with its own TMPDIR.
start() {
    local mark=$1; shift
    mkdir -p "$WORK/$mark"
    CORESCOPE_TEST_MARK=$mark TMPDIR=$WORK/$mark "$BIN" "$@" \
        >"$WORK/$mark.out" 2>"$WORK/$mark.err" </dev/null &
    PID=$!
}

# finish LIMIT_S: waits for $PID; sets RC (124: still running, killed) and
# TOOK (seconds).
finish() {
    local limit=$1 began=$SECONDS
    while kill -0 "$PID" 2>/dev/null && [ $((SECONDS - began)) -lt "$limit" ]; do sleep 0.1; done
    if kill -0 "$PID" 2>/dev/null; then
        kill -KILL "$PID" 2>/dev/null
        wait "$PID" 2>/dev/null
        RC=124
    else
        # Quiet: bash would report a killed job on its own.
        wait "$PID" 2>/dev/null; RC=$?
    fi
    TOOK=$((SECONDS - began))
}

# left MARK PID: what run PID left: marked processes, files in its TMPDIR,
# names of its pid in /dev/shm and /tmp. Empty when nothing.
left() {
    local mark=$1 pid=$2 i
    for i in $(seq 50); do
        [ -z "$(marked "$mark")" ] && break
        sleep 0.2
    done
    local procs files shm tmp
    procs=$(marked "$mark" | tr '\n' ' ')
    files=$(ls -A "$WORK/$mark" 2>/dev/null | tr '\n' ' ')
    shm=$(ls -A /dev/shm 2>/dev/null | grep -- "-$pid-" | tr '\n' ' ')
    tmp=$(ls -A /tmp 2>/dev/null | grep -- "corescope-tmp-$pid-" | tr '\n' ' ')
    for pid in $(marked "$mark"); do kill -KILL "$pid" 2>/dev/null; done
    echo "${procs:+processes: $procs}${files:+files: $files}${shm:+/dev/shm: $shm}${tmp:+/tmp: $tmp}"
}

PY_MPI=python3
# The flags a model needs besides the run's own.
model_args() {
    [ "$1" = python-mpi ] && echo "--python $PY_MPI"
    return 0
}
SLOW=(--workload sleep --size 500 --tasks 600 --workers 2 --repeats 1 --warmup 0)
MODELS=(processes process-per-task async+processes)
if python3 -c 'import sys' 2>/dev/null; then
    MODELS+=(python-processes python-queue python-executor python-asyncio+processes)
    # mpi4py may live only in the system's interpreter.
    for py in python3 /usr/bin/python3; do
        if command -v mpirun >/dev/null && "$py" -c 'import mpi4py' 2>/dev/null; then
            MODELS+=(python-mpi); PY_MPI=$(command -v "$py"); break
        fi
    done
fi
if command -v mpirun >/dev/null && "$BIN" run --model mpi --tasks 1 --size 1 --repeats 1 \
    --warmup 0 >/dev/null 2>&1; then
    MODELS+=(mpi)
fi
echo "corescope: $BIN"
echo "process models tried: ${MODELS[*]}"

# 1. A worker killed, terminated or stopped mid-run: a named error, exit 1,
#    within a few seconds (the time limit for SIGSTOP), nothing left. Each
#    worker sits in a two-minute task, so only the signal ends the run soon;
#    a KILL or TERM that ends it by the time limit is a hang.
LONG=(--workload sleep --size 120000 --tasks 4 --workers 2 --repeats 1 --warmup 0)
for model in "${MODELS[@]}"; do
    for sig in KILL TERM STOP; do
        N=$((N + 1)); mark="hostile-$$-$N"
        limit=30s; [ "$sig" = STOP ] && limit=8s
        # shellcheck disable=SC2046
        start "$mark" run --model "$model" "${LONG[@]}" --time-limit "$limit" $(model_args "$model")
        w=""
        for _ in $(seq 300); do
            if w=$(a_worker "$PID" "$model") && [ "$(descendants "$PID" | wc -l)" -ge 2 ]; then
                sleep 0.5
                kill -0 "$w" 2>/dev/null && break
            fi
            w=""; sleep 0.1
        done
        if [ -z "$w" ]; then
            finish 1
            record "worker $sig" 0 "$model: no worker seen"
            left "$mark" "$PID" >/dev/null
            continue
        fi
        kill "-$sig" "$w" 2>/dev/null
        finish 40
        rest=$(left "$mark" "$PID")
        ok=1
        [ "$RC" = 1 ] || ok=0
        [ -z "$rest" ] || ok=0
        grep -q panicked "$WORK/$mark.err" && ok=0
        [ "$sig" != STOP ] && grep -q "timed out" "$WORK/$mark.err" && ok=0
        record "worker $sig" "$ok" "$model: exit $RC after ${TOOK}s; $rest $(tail -c 300 "$WORK/$mark.err")"
    done
done

# 2. corescope itself SIGKILLed mid-run: no worker, harness script,
#    segment or temporary file left (without waiting for a next run); an
#    MPI job's segments have no names left by then.
for model in "${MODELS[@]}" serial threads async; do
    N=$((N + 1)); mark="hostile-$$-$N"
    # shellcheck disable=SC2046
    start "$mark" run --model "$model" "${SLOW[@]}" $(model_args "$model")
    for _ in $(seq 100); do
        [ "$(descendants "$PID" | wc -l)" -ge 1 ] && break
        sleep 0.1
    done
    sleep 1.5
    case "$model" in
    mpi | python-mpi)
        # Once the ranks have mapped their segments, the names go (within
        # 30 s of the start: the ranks say ready, corescope unlinks).
        mapped="" named=""
        for _ in $(seq 300); do
            mapped=$(for p in $(descendants "$PID"); do
                grep -s vader_segment "/proc/$p/maps"; done | head -1)
            named=$(ls -A /dev/shm 2>/dev/null | grep -- "-$PID-mpi-" | tr '\n' ' ')
            [ -n "$mapped" ] && [ -z "$named" ] && break
            sleep 0.1
        done
        record "MPI segments unlinked while running" \
            "$([ -n "$mapped" ] && [ -z "$named" ] && echo 1 || echo 0)" \
            "$model: /dev/shm holds ${named:-nothing}, ${mapped:+segments mapped}"
        ;;
    esac
    kill -KILL "$PID"
    finish 10
    rest=$(left "$mark" "$PID")
    record "corescope SIGKILL leaves nothing" "$([ -z "$rest" ] && echo 1 || echo 0)" "$model: $rest"
done

# 3. Endless tasks: --time-limit 1s and Ctrl-C end the run within seconds
#    whatever the model (an hour of sleep, or the longest computation).
for model in serial threads gil-threads async async+processes processes; do
    for workload in sleep sqrt-sum; do
        size=3600000; [ "$workload" = sqrt-sum ] && size=4000000000
        workers=2; [ "$model" = serial ] && workers=1
        args=(run --model "$model" --workload "$workload" --size "$size" --tasks 2
            --workers "$workers" --repeats 1 --warmup 0)
        N=$((N + 1)); mark="hostile-$$-$N"
        start "$mark" "${args[@]}" --time-limit 1s
        finish 30
        rest=$(left "$mark" "$PID")
        ok=$([ "$RC" = 1 ] && [ "$TOOK" -le 8 ] && [ -z "$rest" ] && echo 1 || echo 0)
        record "time limit" "$ok" "$model $workload: exit $RC after ${TOOK}s $rest"
        N=$((N + 1)); mark="hostile-$$-$N"
        start "$mark" "${args[@]}"
        sleep 1
        kill -INT "$PID"
        finish 30
        rest=$(left "$mark" "$PID")
        ok=$([ "$RC" = 130 ] && [ "$TOOK" -le 5 ] && [ -z "$rest" ] && echo 1 || echo 0)
        record "Ctrl-C" "$ok" "$model $workload: exit $RC after ${TOOK}s $rest"
    done
done

# 4. Hostile saved-set files: each refused with exit 2, quickly, no panic.
H=$WORK/files
mkdir -p "$H"
ln -s /dev/zero "$H/zero.json"
mkfifo "$H/fifo.json"
: >"$H/empty.json"
printf '\x00\xff\xfe garbage' >"$H/garbage.json"
printf '{"runs": [' >"$H/truncated.json"
python3 -c 'print("[" * 100000 + "]" * 100000)' >"$H/deep.json" 2>/dev/null ||
    printf '[[[[[[[[[[' >"$H/deep.json"
head -c 300000000 /dev/zero >"$H/zeros.json"
mkdir -p "$H/folder.json"
"$BIN" run --model threads --workers 2 --tasks 2 --size 1000 --repeats 1 --warmup 0 \
    --export-json "$H/good.json" >/dev/null 2>&1
if [ -f "$H/good.json" ]; then
    sed 's/"workers": *2/"workers": 4000000000/' "$H/good.json" >"$H/workers.json"
    sed 's/"in_flight": *[0-9]*/"in_flight": 0/' "$H/good.json" >"$H/in-flight.json"
    sed 's/"repeats": *[0-9]*/"repeats": -1/' "$H/good.json" >"$H/repeats.json"
fi
for file in "$H"/*.json; do
    [ "$(basename "$file")" = good.json ] && continue
    for command in report rerun; do
        out=$WORK/report-out
        rm -rf "$out"
        args=(report --out "$out" "$file")
        [ "$command" = rerun ] && args=(rerun "$file" --time-limit 5s)
        began=$SECONDS
        timeout 30 "$BIN" "${args[@]}" >"$WORK/file.out" 2>"$WORK/file.err" </dev/null
        rc=$?
        took=$((SECONDS - began))
        ok=$([ "$rc" = 2 ] && [ "$took" -le 10 ] && ! grep -q panicked "$WORK/file.err" && echo 1 || echo 0)
        record "hostile saved set refused" "$ok" "$command $(basename "$file"): exit $rc after ${took}s $(head -c 200 "$WORK/file.err")"
    done
done

# 5. Export targets that must never be written through: refused with exit
#    2 before the run, the target untouched.
E=$WORK/exports
mkdir -p "$E/shared" "$E/dir" "$E/real"
chmod 1777 "$E/shared"
mkfifo "$E/fifo"
echo secret >"$E/real/secret"
chmod 600 "$E/real/secret"
ln -s "$E/real/secret" "$E/shared/planted.json"
planted=0
if [ "$(id -u)" = 0 ] && chown -h 65534:65534 "$E/shared/planted.json" 2>/dev/null; then
    planted=1
fi
for target in /dev/null "$E/fifo" "$E/dir" "$E/dir/new/" "$E/missing/x.json" \
    "$E/shared/planted.json"; do
    [ "$target" = "$E/shared/planted.json" ] && [ "$planted" = 0 ] && continue
    timeout 30 "$BIN" run --model threads --workers 2 --tasks 2 --size 1000 --repeats 1 \
        --warmup 0 --export-json "$target" >/dev/null 2>"$WORK/export.err" </dev/null
    rc=$?
    ok=$([ "$rc" = 2 ] && echo 1 || echo 0)
    [ "$(cat "$E/real/secret")" = secret ] || ok=0
    [ -c /dev/null ] || ok=0
    [ -p "$E/fifo" ] || ok=0
    record "export target refused" "$ok" "$target: exit $rc $(head -c 200 "$WORK/export.err")"
done
# Two formats into one file, and a report folder with a link inside.
timeout 30 "$BIN" run --model threads --workers 2 --tasks 2 --size 1000 --repeats 1 --warmup 0 \
    --export-json "$E/one" --export-csv "$E/one" >/dev/null 2>&1
rc=$?
record "export target refused" "$([ "$rc" = 2 ] && echo 1 || echo 0)" "json and csv into one file: exit $rc"
if [ -f "$H/good.json" ]; then
    mkdir -p "$E/report"
    ln -s "$E/real/secret" "$E/report/report.md"
    timeout 60 "$BIN" report --out "$E/report" "$H/good.json" >/dev/null 2>&1
    ok=$([ "$(cat "$E/real/secret")" = secret ] && echo 1 || echo 0)
    record "export target refused" "$ok" "report.md link inside --out was written through"
fi

# 6. Bad flags: refused with exit 2.
for bad in "--workers 0" "--workers 99999999" "--size -1" "--time-limit soon" \
    "--tasks 0" "--repeats 100000000" "--no-such-flag" "--model nope" \
    "--payload 1TiB --workload echo" "--runtime-threads 3000 --model async"; do
    # shellcheck disable=SC2086
    timeout 30 "$BIN" run --model threads --repeats 1 --warmup 0 $bad >/dev/null 2>&1 </dev/null
    rc=$?
    record "bad flag refused" "$([ "$rc" = 2 ] && echo 1 || echo 0)" "run $bad: exit $rc"
done

echo
echo "hostile run $(date -u '+%Y-%m-%d %H:%M UTC') on $(uname -srm), $(nproc) cores, as $(id -un)"
printf '%-36s %6s %6s\n' promise held broke
total_held=0; total_broke=0
for promise in "${ORDER[@]}"; do
    printf '%-36s %6d %6d\n' "$promise" "${HELD[$promise]}" "${BROKE[$promise]}"
    total_held=$((total_held + HELD[$promise])); total_broke=$((total_broke + BROKE[$promise]))
done
printf '%-36s %6d %6d\n' total "$total_held" "$total_broke"
[ "$total_broke" = 0 ]
