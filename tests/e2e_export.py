#!/usr/bin/python3
"""tests/e2e_export.py: end-to-end: `vdcsim export` round-trips results.

Runs shipped scenarios, exports them with `vdcsim export --csv`, reads the
CSV files with pandas and the HDF5 files with h5py, and checks that every
table of every result is exported with the same rows and values (reals bit
for bit), entity ids as names, event types as names, the run's parameters in
every row and a unit in every column name that has one (a series written
on change exported filled forward, compared with the HDF5 filled forward by
the pandas recipe of DATASETS.md); and that bad input exits 2 leaving
nothing.
usage: e2e_export.py VDCSIM SOURCE_DIR WORK_DIR
"""
import math
import os
import shutil
import subprocess
import sys

import h5py
import numpy as np
import pandas as pd

vdcsim, src, work = sys.argv[1:4]
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
failures = []


def filled(data, dt, end):
    """A series written on change (attribute on_change_interval_ns = dt) as
    one row per entity per sample, to the series' end (attribute
    on_change_end_ns, when it has one): DATASETS.md's pandas recipe."""
    df = pd.DataFrame(data)
    wide = df.pivot(index="time_ns", columns="entity", values="value")
    last = max(wide.index.max(), end if end is not None else wide.index.max())
    wide = wide.reindex(range(wide.index.min(), last + dt, dt)).ffill()
    wide = wide[pd.unique(df["entity"])]  # entities in the order they were sampled
    long = wide.stack().rename("value").reset_index()
    out = np.empty(len(long), dtype=data.dtype)
    for member in data.dtype.names:
        out[member] = long[member].to_numpy()
    return out


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def run(*args, want=0):
    p = subprocess.run([vdcsim, *args], cwd=src, capture_output=True, text=True)
    if p.returncode != want:
        fail(f"{' '.join(args)}: exit {p.returncode}, expected {want}\n{p.stderr}")
    return p


# unit -> spellings a column name may carry it by (the first is appended)
UNIT_TOKENS = {"s": ["s"], "ns": ["ns"], "Hz": ["hz"], "bit/s": ["bps", "bits_per_s"],
               "bytes": ["bytes"], "cycles": ["cycles"], "1/s": ["per_s"],
               "cycles/s": ["cycles_per_s"]}


def carries(name, unit):
    if unit in ("", "1", "type-dependent"):
        return True
    toks = UNIT_TOKENS.get(unit, [])
    return any(name == t or name.endswith("_" + t) or name.startswith(t + "_") for t in toks)


def text(v):
    return v.decode("utf-8") if isinstance(v, bytes) else str(v)


results = []
for name in ("compare-techniques", "migration-webserver", "demo"):
    out = os.path.join(work, name + ".h5")
    run("run", f"scenarios/{name}.yaml", "-o", out)
    results.append(out)
# a replication: two runs of one scenario in one export
rep = os.path.join(work, "demo-1.h5")
run("run", "scenarios/demo.yaml", "--set", "simulation.run_index=1", "-o", rep)
results.append(rep)

csv = os.path.join(work, "csv")
run("export", *results, "--csv", csv)

seen_files = set()
for path in results:
    f = h5py.File(path, "r")
    ent = f["entities"][()]
    names = {int(r["id"]): text(r["name"]) for r in ent}
    kinds = {int(r["id"]): text(r["kind"]) for r in ent}
    tables = []
    f.visititems(lambda n, o: tables.append(n) if isinstance(o, h5py.Dataset) else None)
    for table in tables:
        ds = f[table]
        fname = table.replace("/", "_") + ".csv"
        seen_files.add(fname)
        fpath = os.path.join(csv, fname)
        if not os.path.exists(fpath):
            fail(f"{table} of {path}: no {fname}")
            continue
        df = pd.read_csv(fpath, keep_default_na=False, na_values=["NaN"], float_precision="round_trip")
        df = df[df["result_file"] == path]
        data = ds[()]
        if "on_change_interval_ns" in ds.attrs:
            end = int(ds.attrs["on_change_end_ns"]) if "on_change_end_ns" in ds.attrs else None
            data = filled(data, int(ds.attrs["on_change_interval_ns"]), end)
        if len(df) != len(data):
            fail(f"{fname}: {len(df)} rows of {path}, the HDF5 has {len(data)}")
            continue
        # the run's parameters
        for col, attr in (("scenario_name", "scenario_name"), ("calibration_name", "calibration_name"),
                          ("seed", "seed"), ("run_index", "run_index")):
            want = f.attrs[attr]
            got = set(df[col].astype(str))
            if got != {str(want)}:
                fail(f"{fname}: {col} is {got}, the result's {attr} is {want}")
        for member in ds.dtype.names:
            unit = text(ds.attrs.get("unit_" + member, ""))
            entity = ds.dtype[member].kind == "i" and (
                member == "entity" or (table == "entities" and member == "parent"))
            exported = [c for c in df.columns if c == member or c.startswith(member + "_")]
            exported = [c for c in exported if c not in ("entity_kind",) or member == "entity_kind"]
            if not exported:
                fail(f"{fname}: no column for {member}")
                continue
            col = exported[0] if member in exported else exported[0]
            if not carries(col, unit):
                fail(f"{fname}: column {col} does not say its unit {unit}")
            got = df[col].tolist()
            want = data[member]
            if entity:
                want_names = [names.get(int(i), "") for i in want]
                if [text(g) if g != "" else "" for g in got] != want_names:
                    fail(f"{fname}: {col} is not the entity names")
                if table != "entities":
                    if df["entity_kind"].tolist() != [kinds[int(i)] for i in want]:
                        fail(f"{fname}: entity_kind is not the entities' kinds")
            elif table == "events" and member == "type":
                tn = [text(t) for t in ds.attrs["type_names"]]
                if got != [tn[int(i)] for i in want]:
                    fail(f"{fname}: type is not the type names")
            elif ds.dtype[member].kind == "S":
                if [str(g) for g in got] != [text(w) for w in want]:
                    fail(f"{fname}: text column {col} differs")
            elif ds.dtype[member].kind == "i":
                if [int(g) for g in got] != [int(w) for w in want]:
                    fail(f"{fname}: integer column {col} differs")
            else:
                g = np.asarray(got, dtype=float)
                w = np.asarray(want, dtype=float)
                same = (g == w) | (np.isnan(g) & np.isnan(w))
                if not same.all():
                    i = int(np.argmin(same))
                    fail(f"{fname}: {col} row {i}: {g[i]!r} != {w[i]!r}")
on_disk = set(os.listdir(csv))
if on_disk != seen_files:
    fail(f"files {sorted(on_disk ^ seen_files)} are not one per table")

# bad input: exit 2, nothing written
bad = os.path.join(work, "bad")
run("export", results[0], os.path.join(work, "absent.h5"), "--csv", bad, want=2)
not_h5 = os.path.join(work, "not.h5")
with open(not_h5, "w") as t:
    t.write("not hdf5\n")
run("export", not_h5, "--csv", bad, want=2)
if os.path.exists(bad):
    fail("a failed export left its directory")
run("export", results[0], want=2)
run("export", "--csv", bad, want=2)
run("export", "--help")
sys.exit(1 if failures else 0)
