#!/usr/bin/python3
"""tests/e2e_compare_techniques.py: the flagship scenario end to end.

Runs `vdcsim run scenarios/compare-techniques.yaml` (four [LECT] loops under
six techniques) and reads the HDF5 result with h5py, as a user would: one
summary row per loop and technique, cycles by mechanism adding up to the
total, the orderings [LECT] reports, the per-guest series recorded, and a second
run recording the same rows.
Usage: e2e_compare_techniques.py VDCSIM SOURCE_DIR
"""
import math
import os
import subprocess
import sys
import tempfile

import h5py

LOOPS = ["compute", "getppid", "fork", "tlb"]
TECHS = ["native", "container", "bt", "pv", "hvm", "hvm-ept"]
MECHS = ["guest", "trap", "translate", "pagewalk", "hypercall", "hypervisor", "io"]


def main():
    vdcsim, src = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "compare.h5")
        subprocess.run([vdcsim, "run", "-q", os.path.join(src, "scenarios/compare-techniques.yaml"),
                        "-o", out], check=True, stdout=subprocess.DEVNULL)
        with h5py.File(out, "r") as f:
            rows = f["summary/guests"][:]
            names = [r.decode() for r in rows["name"]]
            assert sorted(names) == sorted(f"{l}-{t}" for l in LOOPS for t in TECHS), names
            rel = {}
            for r in rows:
                name = r["name"].decode()
                total = sum(r["cycles_" + m] for m in MECHS)
                assert math.isclose(total, r["cycles_total"], rel_tol=1e-9), name
                assert r["time_to_complete_s"] > 0, name
                assert 0 < r["relative_to_native"] <= 1.05, (name, r["relative_to_native"])
                rel[name] = r["relative_to_native"]
            for l in LOOPS:
                # the native guest is its own reference, but for its one switch onto a CPU
                assert math.isclose(rel[f"{l}-native"], 1.0, rel_tol=1e-3), (l, rel[f"{l}-native"])
            # [LECT]: BT pays for system calls, 1st-generation HW for page-table
            # creation, 2nd-generation HW for TLB misses
            assert rel["getppid-bt"] < rel["getppid-hvm"]
            assert rel["fork-hvm"] < rel["fork-bt"] < rel["fork-pv"]
            assert rel["tlb-hvm-ept"] < rel["tlb-bt"]
            unit = f["summary/guests"].attrs["unit_time_to_complete_s"]
            assert (unit.decode() if isinstance(unit, bytes) else unit) == "s", unit
            assert "summary/hosts" in f and "summary/mmu" in f
            for signal in ["progress", "cpu_share", "steal"] + ["cycles_" + m for m in MECHS]:
                assert "series/" + signal in f, signal
            progress = f["series/progress"][:]
            assert len(progress) > 0 and progress["value"].max() <= 1.0 + 1e-9
            first = {k: f[k][:] for k in ["summary/guests", "summary/mmu", "series/progress", "events"]}
        # determinism: a second run records the same rows, bit for bit
        out2 = os.path.join(tmp, "again.h5")
        subprocess.run([vdcsim, "run", "-q", os.path.join(src, "scenarios/compare-techniques.yaml"),
                        "-o", out2], check=True, stdout=subprocess.DEVNULL)
        with h5py.File(out2, "r") as f:
            for k, v in first.items():
                assert f[k][:].tobytes() == v.tobytes(), k
    print("compare-techniques: ok")


if __name__ == "__main__":
    main()
