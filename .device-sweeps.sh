#!/bin/bash
# Scaling sweeps on a many-core machine, with the release binary carried over.
set -u
B=target/release/corescope
export RUST_BACKTRACE=1
{ nproc; lscpu | grep -E "Model name|Socket|Core|Thread" ; command -v python3 && python3 --version; free -g | head -2; } > $OUT/machine.txt 2>&1
cat $OUT/machine.txt
run() { name=$1; shift; echo "== $name: $*"; /usr/bin/time -f "%e s" $B sweep "$@" --export-json $OUT/$name.json > $OUT/$name.txt 2>&1; echo "rc $?"; tail -25 $OUT/$name.txt; }
run cpu16 --workload sqrt-sum --size 4M --tasks 64 --models serial,threads,gil-threads,processes,process-per-task --workers 1,2,4,8,12,16 --repeats 5 --warmup 1
run gil16 --workload sqrt-sum --size 1M --tasks 32 --models python-serial,python-threads,python-processes --workers 1,2,4,8,16 --repeats 3 --warmup 1
run ipcpipe16 --workload echo --payload 1MiB --size 0 --tasks 256 --models serial,processes,python-serial,python-processes --workers 1,2,4,8,16 --repeats 3 --transport pipe
run ipcshm16 --workload echo --payload 1MiB --size 0 --tasks 256 --models serial,processes,python-serial,python-processes --workers 1,2,4,8,16 --repeats 3 --transport shm
run mixed16 --workload mixed --size 20 --io-percent 50 --tasks 128 --models serial,threads,processes,async,async+processes --workers 1,2,4,8,16 --repeats 3
for f in cpu16 gil16 ipcshm16; do [ -s $OUT/$f.json ] && $B report $OUT/$f.json --out $OUT/report-$f --width 1600 --height 900 > /dev/null 2>&1; done
ls -R $OUT | head -50
