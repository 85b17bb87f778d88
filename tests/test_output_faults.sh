#!/bin/bash
# tests/test_output_faults.sh VDCSIM FAULTFS SOURCE_DIR: the disk refuses a
# write of the result file.  FAULTFS (tests/faultfs) is preloaded into the real
# binary and makes the Nth write()/pwrite()/fsync() to the temporary result
# fail with ENOSPC or EIO, once (a transient error) or from then on (a disk
# that stays full).  Every such run must exit 1 (never a crash: no exit code
# >= 128), name the cause on stderr ("No space left on device",
# "Input/output error") and leave nothing in the output directory, neither
# the result nor its temporary nor its lock.
#  - scenarios/demo.yaml (rows written at the end): every N from 1 to the
#    number of calls of a clean run, for both errors and both kinds;
#  - scenarios/host-16-guests.yaml (rows flushed during the run, seconds per
#    run): N = 1, 2, 3 and values bisecting the range up to its last call.
# N one past the last call must succeed, with a complete result.
set -u
vdcsim=$1
faultfs=$2
src=$3
out=$(mktemp -d /tmp/vdcsim-output-faults-XXXXXX)
log=$(mktemp -d /tmp/vdcsim-output-faults-log-XXXXXX)
trap 'rm -rf "$out" "$log"' EXIT
runs=0

# run SCENARIO N ERRNO STICKY: the exit code; stderr in $log/err
run() {
  FAULTFS_MATCH="$out/.x.h5.tmp-" FAULTFS_NTH=$2 FAULTFS_ERRNO=$3 FAULTFS_STICKY=$4 \
    FAULTFS_COUNT_FILE="$log/count" LD_PRELOAD="$faultfs" \
    "$vdcsim" run --quiet "$src/scenarios/$1" -o "$out/x.h5" >/dev/null 2>"$log/err"
}

# attempt SCENARIO N ERRNO STICKY: the run fails cleanly
attempt() {
  run "$@"
  local rc=$? what="$1 N=$2 $3 sticky=$4"
  runs=$((runs + 1))
  local cause="No space left on device"
  [ "$3" = EIO ] && cause="Input/output error"
  if [ $rc -ne 1 ]; then
    echo "FAIL $what: exit code $rc, expected 1"; cat "$log/err"; exit 1
  fi
  if ! grep -q "error: .*$cause" "$log/err"; then
    echo "FAIL $what: no message naming the cause ($cause):"; cat "$log/err"; exit 1
  fi
  if [ "$(cut -d' ' -f2 "$log/count")" -eq 0 ]; then
    echo "FAIL $what: no fault was injected"; exit 1
  fi
  if [ -n "$(ls -A "$out")" ]; then
    echo "FAIL $what: files left behind:"; ls -A "$out"; exit 1
  fi
}

# calls SCENARIO: the counted calls of a clean run, which must succeed
calls() {
  if ! run "$1" 0 ENOSPC 0; then
    echo "FAIL $1: the run without a fault fails"; cat "$log/err"; exit 1
  fi
  rm -f "$out/x.h5"
  cut -d' ' -f1 "$log/count"
}

# beyond SCENARIO K: with N = K + 1 nothing fails and the result is complete
beyond() {
  if ! run "$1" $(($2 + 1)) ENOSPC 1; then
    echo "FAIL $1 N=$(($2 + 1)): the run fails beyond the last call"; cat "$log/err"; exit 1
  fi
  if [ "$(cut -d' ' -f2 "$log/count")" -ne 0 ] || [ "$(ls -A "$out")" != x.h5 ]; then
    echo "FAIL $1 N=$(($2 + 1)): unexpected fault or files"; ls -A "$out"; exit 1
  fi
  rm -f "$out/x.h5"
}

k=$(calls demo.yaml)
[ "$k" -gt 10 ] || { echo "FAIL demo.yaml: only $k writes counted"; exit 1; }
for err in ENOSPC EIO; do
  for sticky in 1 0; do
    for n in $(seq 1 "$k"); do attempt demo.yaml "$n" $err $sticky; done
  done
done
beyond demo.yaml "$k"
echo "demo.yaml: $k writes; $runs runs with a refused write, all clean"

demo_runs=$runs
k=$(calls host-16-guests.yaml)
ns="1 2 3"
for d in 64 16 4 2; do ns="$ns $((k / d)) $((k - k / d))"; done
ns="$ns $((k - 1)) $k"
for n in $(printf '%s\n' $ns | sort -nu); do
  attempt host-16-guests.yaml "$n" ENOSPC 1
done
attempt host-16-guests.yaml $((k / 2)) EIO 0
attempt host-16-guests.yaml "$k" EIO 0
beyond host-16-guests.yaml "$k"
echo "host-16-guests.yaml: $k writes; $((runs - demo_runs)) runs with a refused write, all clean"
echo "$runs runs with a refused write, all clean"
