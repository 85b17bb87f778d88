#!/bin/bash
# tests/test_output_full_disk.sh VDCSIM SOURCE_DIR: results written to a real
# full disk, a 2 MB tmpfs mounted in a scratch directory (needs the right to
# mount; skipped with exit code 77 otherwise).
#  - scenarios/host-16-guests.yaml makes a result larger than the disk;
#  - scenarios/demo.yaml on a disk filled up to 40 KiB (its result is ~100 KB);
# each must exit 1 with "No space left on device" on stderr and leave nothing
# on the disk but the filler.  The disk is always unmounted.
set -u
vdcsim=$1
src=$2
disk=$(mktemp -d /tmp/vdcsim-full-disk-XXXXXX)
err=$(mktemp /tmp/vdcsim-full-disk-err-XXXXXX)
if ! mount -t tmpfs -o size=2m tmpfs "$disk" 2>"$err"; then
  echo "SKIP: cannot mount a tmpfs here: $(cat "$err")"
  rm -f "$err"
  rmdir "$disk"
  exit 77
fi
trap 'umount "$disk"; rmdir "$disk"; rm -f "$err"' EXIT

# expect_full SCENARIO LEFT: the run fails on the full disk, leaving only LEFT
expect_full() {
  "$vdcsim" run --quiet "$src/scenarios/$1" -o "$disk/out.h5" >/dev/null 2>"$err"
  local rc=$?
  if [ $rc -ne 1 ]; then
    echo "FAIL $1: exit code $rc, expected 1"; cat "$err"; exit 1
  fi
  if ! grep -q "error: .*No space left on device" "$err"; then
    echo "FAIL $1: no message naming the cause:"; cat "$err"; exit 1
  fi
  if [ "$(ls -A "$disk")" != "$2" ]; then
    echo "FAIL $1: left on the disk:"; ls -A "$disk"; exit 1
  fi
  echo "$1: $(cat "$err")"
}

expect_full host-16-guests.yaml ""
# nearly full: all but 40 KiB taken by a filler
free_kib=$(df -k --output=avail "$disk" | tail -1)
dd if=/dev/zero of="$disk/filler" bs=1024 count=$((free_kib - 40)) status=none
expect_full demo.yaml filler
echo "full disk: both runs failed cleanly"
