#!/bin/sh
# tests/test_plots_scenarios.sh: end-to-end: the shipped scenarios run and
# every plot kind renders from them in every format (the flagship's compare
# and breakdown, migration timelines, series in panels, latency cdfs), and
# the plot verb's exit codes hold for the real binary: results that are no
# replications of one scenario are refused.
# usage: test_plots_scenarios.sh VDCSIM SOURCE_DIR WORK_DIR
set -u
vdcsim=$1
src=$2
work=$3
rm -rf "$work" && mkdir -p "$work" || exit 1
cd "$src" || exit 1  # the compare plot finds validation/cases from here
fail=0
check() { # check EXPECTED_EXIT DESCRIPTION COMMAND...
  want=$1; what=$2; shift 2
  "$@" >"$work/out.txt" 2>&1
  got=$?
  if [ "$got" -ne "$want" ]; then
    echo "FAIL: $what: exit $got, expected $want"; cat "$work/out.txt"; fail=1
  fi
}
is_png() { # is_png FILE
  if [ "$(head -c 4 "$1" 2>/dev/null | od -An -c | tr -d ' ')" != '211PNG' ]; then
    echo "FAIL: $1 is not a PNG"; fail=1
  fi
}
check 0 "run flagship" "$vdcsim" run scenarios/compare-techniques.yaml -o "$work/flagship.h5"
check 0 "run migration" "$vdcsim" run scenarios/migration-webserver.yaml -o "$work/mig.h5"
check 0 "run replication" "$vdcsim" run scenarios/compare-techniques.yaml --run-index 1 \
  -o "$work/flagship-1.h5"
check 0 "run other testbed" "$vdcsim" run scenarios/compare-techniques.yaml \
  --calibration pentium4-2006 -o "$work/flagship-p4.h5"
check 0 "run 16 guests" "$vdcsim" run scenarios/host-16-guests.yaml -o "$work/host16.h5"
check 0 "run write-heavy" "$vdcsim" run scenarios/migration-write-heavy.yaml -o "$work/heavy.h5"
for ext in png svg pdf; do
  check 0 "compare $ext" "$vdcsim" plot compare "$work/flagship.h5" "$work/flagship-1.h5" \
    -o "$work/all-compare.$ext"
  check 0 "breakdown $ext" "$vdcsim" plot breakdown "$work/flagship.h5" --log \
    -o "$work/all-breakdown.$ext"
  check 0 "migration $ext" "$vdcsim" plot migration "$work/heavy.h5" -o "$work/all-migration.$ext"
  check 0 "series $ext" "$vdcsim" plot series "$work/host16.h5" --signal cpu_share \
    -o "$work/all-series.$ext"
  check 0 "cdf $ext" "$vdcsim" plot cdf "$work/host16.h5" --log -o "$work/all-cdf.$ext"
done
for kind in compare breakdown migration series cdf; do
  is_png "$work/all-$kind.png"
  grep -q "<svg" "$work/all-$kind.svg" || { echo "FAIL: all-$kind.svg"; fail=1; }
  [ "$(head -c 5 "$work/all-$kind.pdf")" = "%PDF-" ] || { echo "FAIL: all-$kind.pdf"; fail=1; }
  # fonts embedded in the PDF (cairo subsets them), none left to the viewer
  grep -aq "FontFile" "$work/all-$kind.pdf" || { echo "FAIL: all-$kind.pdf has no embedded font"; fail=1; }
done
check 0 "series by workload" "$vdcsim" plot series "$work/host16.h5" --signal steal \
  --group workload -o "$work/series-workload.png"
check 2 "series group" "$vdcsim" plot series "$work/host16.h5" --signal steal \
  --group colour -o "$work/none.png"
# another calibration is no replication: refused, naming the difference
check 2 "not replications" "$vdcsim" plot compare "$work/flagship.h5" "$work/flagship-p4.h5" \
  -o "$work/none.png"
grep -q "calibration_name" "$work/out.txt" || { echo "FAIL: message names the calibration"; fail=1; }
check 0 "compare plot" "$vdcsim" plot compare "$work/flagship.h5" -o "$work/compare.png"
is_png "$work/compare.png"
check 0 "breakdown plot" "$vdcsim" plot breakdown "$work/flagship.h5" -o "$work/breakdown.pdf"
[ "$(head -c 5 "$work/breakdown.pdf")" = "%PDF-" ] || { echo "FAIL: breakdown.pdf"; fail=1; }
check 0 "migration plot" "$vdcsim" plot migration "$work/mig.h5" -o "$work/migration.png"
is_png "$work/migration.png"
check 0 "series plot" "$vdcsim" plot series "$work/flagship.h5" --signal cpu_share \
  -o "$work/series.svg"
grep -q "<svg" "$work/series.svg" || { echo "FAIL: series.svg"; fail=1; }
# errors: a dataset the run did not write, an unknown format, a missing file
check 2 "missing dataset" "$vdcsim" plot migration "$work/flagship.h5" -o "$work/none.png"
grep -q "migration/summary" "$work/out.txt" || { echo "FAIL: message names the dataset"; fail=1; }
check 2 "unknown format" "$vdcsim" plot compare "$work/flagship.h5" -o "$work/none.jpg"
check 2 "missing file" "$vdcsim" plot compare "$work/absent.h5" -o "$work/none.png"
[ ! -e "$work/none.png" ] && [ ! -e "$work/none.jpg" ] || { echo "FAIL: output left"; fail=1; }
exit $fail
