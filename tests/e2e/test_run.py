#!/usr/bin/python3
"""tests/e2e/test_run.py: end-to-end tests of `vdcsim run` and its HDF5 results.

Runs the real binary on the scenarios beside this file, then reads what it
wrote with h5dump (hdf5-tools) and with h5py and pandas (Debian's
python3-h5py, python3-pandas: run with /usr/bin/python3), and checks values
in it.  Also checks the robustness promises of DATASETS.md: a bad scenario
exits 2 and writes nothing; a batch reports a failed scenario and runs the
others; --resume skips complete results; making the Nth HDF5 call or the
Nth allocation fail gives an error and no file, for N = 1, 2, ...; a killed
run leaves no file under the final name.

usage: test_run.py VDCSIM_BINARY [unittest arguments, e.g. Run Batch Faults Kill]
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import h5py
import numpy as np
import pandas as pd

VDCSIM = None
HERE = os.path.dirname(os.path.abspath(__file__))
SMALL = os.path.join(HERE, "small.yaml")
LONG = os.path.join(HERE, "long.yaml")
BAD = os.path.join(HERE, "bad.yaml")


def run(*args, env=None, timeout=120):
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run([VDCSIM, "run", *args], capture_output=True, text=True,
                          env=full_env, timeout=timeout)


def table(f, path):
    """A compound dataset as a DataFrame, text columns decoded (as DATASETS.md shows)."""
    df = pd.DataFrame(f[path][()])
    for col in df.columns:
        if df[col].dtype == object:
            df[col] = df[col].str.decode("utf-8")
    return df


def leftovers(directory):
    """Files a run may have left: its temporary .NAME.tmp-PID and lock .NAME.lock."""
    return [n for n in os.listdir(directory) if ".tmp-" in n or n.endswith(".lock")]


def datasets(f):
    names = []
    f.visititems(lambda name, obj: names.append(name) if isinstance(obj, h5py.Dataset) else None)
    return sorted(names)


class Case(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="vdcsim-e2e-")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.dir, name)


class Run(Case):
    def test_result_read_by_h5py_pandas_and_h5dump(self):
        out = self.path("small.h5")
        p = run("--quiet", "-o", out, SMALL)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("complete", p.stdout)
        self.assertIn(out, p.stdout)
        self.assertEqual(leftovers(self.dir), [])

        dump = subprocess.run(["h5dump", "-H", out], capture_output=True, text=True)
        self.assertEqual(dump.returncode, 0, dump.stderr)
        for name in ('DATASET "entities"', 'DATASET "events"', 'GROUP "series"',
                     'DATASET "progress"', 'DATASET "guests"', 'ATTRIBUTE "scenario_text"',
                     'ATTRIBUTE "unit_time_ns"'):
            self.assertIn(name, dump.stdout)
        dump = subprocess.run(["h5dump", "-a", "/status", out], capture_output=True, text=True)
        self.assertIn('"complete"', dump.stdout)

        with open(SMALL) as src:
            scenario_text = src.read()
        with h5py.File(out, "r") as f:
            a = f.attrs
            self.assertEqual(a["status"], "complete")
            self.assertEqual(a["scenario_name"], "small")
            self.assertEqual(a["scenario_text"], scenario_text)
            self.assertIn("vm1", a["scenario_resolved"])
            self.assertEqual(int(a["seed"]), 1)
            self.assertEqual(int(a["sample_interval_ns"]), 1_000_000)
            self.assertTrue(a["calibration_text"])
            self.assertTrue(a["vdcsim_version"])
            self.assertLessEqual(a["wall_clock_start"], a["wall_clock_end"])
            self.assertGreater(int(a["simulated_ns"]), 0)

            # every dataset: chunked, compressed, a unit per column
            for name in datasets(f):
                d = f[name]
                self.assertIsNotNone(d.chunks, name)
                self.assertEqual(d.compression, "gzip", name)
                for col in d.dtype.names:
                    self.assertIn("unit_" + col, d.attrs, f"{name}.{col}")

            entities = table(f, "entities")
            self.assertEqual(list(entities["id"]), list(range(len(entities))))
            guests_e = entities[entities.kind == "guest"].set_index("name")
            self.assertEqual(sorted(guests_e.index), ["vm0", "vm1"])
            host_id = int(entities[entities.kind == "host"]["id"].iloc[0])
            self.assertTrue((guests_e["parent"] == host_id).all())

            guests = table(f, "summary/guests").set_index("name")
            self.assertEqual(sorted(guests.index), ["vm0", "vm1"])
            self.assertEqual(guests.loc["vm0", "technique"], "hvm-ept")
            self.assertEqual(guests.loc["vm1", "technique"], "pv")
            for g in ("vm0", "vm1"):
                rel = guests.loc[g, "relative_to_native"]
                self.assertTrue(0 < rel <= 1.0 + 1e-9, f"{g}: relative_to_native {rel}")
                self.assertAlmostEqual(guests.loc[g, "units"], 2e4, delta=1e-6 * 2e4)
                t = guests.loc[g, "time_to_complete_s"]
                self.assertTrue(0 < t <= a["simulated_ns"] * 1e-9 + 1e-9)
            self.assertEqual(f["summary/guests"].attrs["unit_time_to_complete_s"], "s")

            # the progress series: written on change at the sampling
            # interval (a value holds until the guest's next row, the last
            # until the series' end, the last sample), rising to 1
            progress = table(f, "series/progress")
            self.assertEqual(f["series/progress"].attrs["unit"], "1")
            dt = int(f["series/progress"].attrs["on_change_interval_ns"])
            self.assertEqual(dt, a["sample_interval_ns"])
            vm0 = progress[progress.entity == guests_e.loc["vm0", "id"]]
            self.assertGreater(len(vm0), 2)
            steps = np.diff(vm0["time_ns"].to_numpy())
            self.assertTrue((steps > 0).all())
            self.assertTrue((steps % dt == 0).all())
            self.assertEqual(vm0["time_ns"].iloc[0], dt)  # the first sample
            end = int(f["series/progress"].attrs["on_change_end_ns"])  # the last sample
            self.assertGreaterEqual(end, progress["time_ns"].max())
            self.assertLessEqual(vm0["time_ns"].iloc[-1], end)
            self.assertEqual((end - vm0["time_ns"].iloc[-1]) % dt, 0)
            self.assertTrue((np.diff(vm0["value"].to_numpy()) >= -1e-12).all())
            self.assertAlmostEqual(vm0["value"].iloc[-1], 1.0, places=6)

            events = table(f, "events")
            names = list(f["events"].attrs["type_names"])
            self.assertEqual(events["type"].max() < len(names), True)
            starts = events[events.type == names.index("guest_start")]
            self.assertEqual(sorted(starts.entity), sorted(guests_e["id"]))
            self.assertTrue((np.diff(events["time_ns"].to_numpy()) >= 0).all())

    def test_same_seed_same_datasets(self):
        a, b = self.path("a.h5"), self.path("b.h5")
        for out in (a, b):
            p = run("--quiet", "-o", out, SMALL)
            self.assertEqual(p.returncode, 0, p.stderr)
        with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb:
            names = datasets(fa)
            self.assertEqual(names, datasets(fb))
            for name in names:
                self.assertEqual(fa[name][()].tobytes(), fb[name][()].tobytes(), name)
                diff = subprocess.run(["h5diff", a, b, "/" + name, "/" + name],
                                      capture_output=True, text=True)
                self.assertEqual(diff.returncode, 0, f"{name}: {diff.stdout}")
            # only the wall-clock attributes differ
            differing = {k for k in fa.attrs if k not in fb.attrs or
                         str(fa.attrs[k]) != str(fb.attrs[k])}
            self.assertTrue(differing <= {"wall_clock_start", "wall_clock_end", "command_line"},
                            differing)

    def test_set_and_print_resolved(self):
        p = run("--print-resolved", "--set", "simulation.seed=7",
                "--set", "guests.vm1.technique=bt", SMALL)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout, r"technique:\s*bt\b")
        self.assertRegex(p.stdout, r"seed:\s*7\b")
        self.assertEqual(os.listdir(self.dir), [])  # printing runs nothing
        # the printed text loads back and runs
        resolved = self.path("resolved.yaml")
        with open(resolved, "w") as f:
            f.write(p.stdout)
        out = self.path("r.h5")
        p = run("--quiet", "--seed", "9", "-o", out, resolved)
        self.assertEqual(p.returncode, 0, p.stderr)
        with h5py.File(out, "r") as f:
            self.assertEqual(int(f.attrs["seed"]), 9)
            guests = table(f, "summary/guests").set_index("name")
            self.assertEqual(guests.loc["vm1", "technique"], "bt")

    def test_resolved_text_keeps_every_section(self):
        """The resolved text of shipped scenarios that use DVFS, instance
        types and burstable credits runs to the same results as the file:
        a key the writer dropped would change them (or the run key)."""
        root = os.path.dirname(os.path.dirname(HERE))
        for name in ("dvfs-governors", "burstable-credits"):
            src = os.path.join(root, "scenarios", name + ".yaml")
            p = run("--print-resolved", src)
            self.assertEqual(p.returncode, 0, p.stderr)
            resolved = self.path(name + "-resolved.yaml")
            with open(resolved, "w") as f:
                f.write(p.stdout)
            outs = [self.path(name + "-a.h5"), self.path(name + "-b.h5")]
            for scenario, out in zip((src, resolved), outs):
                p = run("--quiet", "-o", out, scenario)
                self.assertEqual(p.returncode, 0, p.stderr)
            with h5py.File(outs[0], "r") as fa, h5py.File(outs[1], "r") as fb:
                self.assertEqual(fa.attrs["run_key"], fb.attrs["run_key"], name)
                for t in fa["summary"]:
                    self.assertEqual(fa["summary/" + t][()].tobytes(),
                                     fb["summary/" + t][()].tobytes(), f"{name}: summary/{t}")

    def test_output_directory_is_made_on_demand(self):
        out = self.path("new/sub/small.h5")
        p = run("--quiet", "-o", out, SMALL)
        self.assertEqual(p.returncode, 0, p.stderr)
        with h5py.File(out, "r") as f:
            self.assertEqual(f.attrs["status"], "complete")
        # a bad scenario makes no directory at all
        p = run("-o", self.path("other/bad.h5"), BAD)
        self.assertEqual(p.returncode, 2)
        self.assertFalse(os.path.exists(self.path("other")))

    def test_profile_fallback_is_reported(self):
        # A profile that lacks quantities falls back to its named default, and
        # the run says so: on stderr and in the result.
        profile = self.path("partial.yaml")
        with open(profile, "w") as f:
            f.write("profile: {name: partial, description: only a clock, "
                    "fallback: pentium4-2006}\n"
                    "quantities:\n"
                    "  cpu.clock: {value: 3.8 GHz, source: test}\n")
        out = self.path("partial.h5")
        p = run("--quiet", "--calibration", profile, "-o", out, SMALL)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stderr, r"warning: calibration profile 'partial' lacks \d+ "
                         r"quantities, taken from its fallback: .*syscall\.native")
        with h5py.File(out, "r") as f:
            keys = f.attrs["calibration_fallback_keys"]
            keys = keys.decode() if isinstance(keys, bytes) else str(keys)
            self.assertIn("syscall.native", keys.split(", "))
            self.assertNotIn("cpu.clock", keys.split(", "))
        # a shipped profile documents its fallback: listed in the result only
        full = self.path("full.h5")
        p = run("--quiet", "-o", full, SMALL)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotIn("taken from its fallback", p.stderr)
        with h5py.File(full, "r") as f:
            self.assertIn("calibration_fallback_keys", f.attrs)

    def test_bad_scenario_exits_2_and_writes_nothing(self):
        out = self.path("bad.h5")
        p = run("-o", out, BAD)
        self.assertEqual(p.returncode, 2)
        self.assertRegex(p.stderr, r"bad\.yaml:\d+:\d+: error: ")
        self.assertEqual(os.listdir(self.dir), [])
        p = run("--set", "no_such_key.x=1", "-o", out, SMALL)
        self.assertEqual(p.returncode, 2)
        self.assertIn("error", p.stderr)
        self.assertEqual(os.listdir(self.dir), [])

    def test_guards_end_a_run_with_exit_1_and_nothing_written(self):
        out = self.path("guarded.h5")
        p = run("--quiet", "--max-events", "10", "-o", out, SMALL)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertRegex(p.stderr, r"small\.yaml: error: the run needs more than 10 events "
                         r"\(--max-events\), at simulated time \d+ ns; no result written")
        p = run("--quiet", "--max-wall", "1e-9", "--set", "simulation.duration=1000 s", "-o", out,
                SMALL)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("(--max-wall)", p.stderr)
        self.assertEqual(os.listdir(self.dir), [])
        # bad values are usage errors; limits not reached change nothing
        self.assertEqual(run("--max-events", "0", "-o", out, SMALL).returncode, 2)
        self.assertEqual(run("--max-wall", "-1", "-o", out, SMALL).returncode, 2)
        p = run("--quiet", "--max-events", "1000000", "--max-wall", "600", "-o", out, SMALL)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(os.path.exists(out))

    def test_plots_refuse_an_incomplete_result(self):
        """A result whose status is not 'complete' (a run that did not
        finish) is refused by the plots: exit 2, a message, no image."""
        out = self.path("r.h5")
        self.assertEqual(run("--quiet", "-o", out, SMALL).returncode, 0)
        png = self.path("c.png")
        ok = subprocess.run([VDCSIM, "plot", "compare", out, "-o", png], capture_output=True, text=True)
        self.assertEqual(ok.returncode, 0, ok.stderr)
        os.remove(png)
        with h5py.File(out, "r+") as f:
            f.attrs["status"] = "running"
        bad = subprocess.run([VDCSIM, "plot", "compare", out, "-o", png], capture_output=True, text=True)
        self.assertEqual(bad.returncode, 2)
        self.assertIn("not a complete result (status 'running')", bad.stderr)
        self.assertFalse(os.path.exists(png))

    def test_calibration_path_is_relative_to_the_current_directory(self):
        with open(self.path("mine.yaml"), "w") as f:
            f.write("profile: {name: mine, fallback: pentium4-2006}\n"
                    "quantities:\n  cpu.clock: 3.8 GHz\n")
        out = self.path("mine.h5")
        p = subprocess.run([VDCSIM, "run", "--quiet", "--calibration", "mine.yaml", "-o", out,
                            SMALL], capture_output=True, text=True, cwd=self.dir)
        self.assertEqual(p.returncode, 0, p.stderr)
        with h5py.File(out, "r") as f:
            name = f.attrs["calibration_name"]
            self.assertEqual(name.decode() if isinstance(name, bytes) else str(name), "mine")

    def test_usage_errors(self):
        self.assertEqual(run().returncode, 2)
        self.assertEqual(run("--no-such-option", SMALL).returncode, 2)
        self.assertEqual(run("--set", "novalue", "-o", self.path("x.h5"), SMALL).returncode, 2)
        # several scenarios need a directory
        self.assertEqual(run("-o", self.path("x.h5"), SMALL, SMALL).returncode, 2)
        self.assertEqual(os.listdir(self.dir), [])
        p = subprocess.run([VDCSIM, "run", "--help"], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0)
        self.assertIn("--resume", p.stdout)


class Batch(Case):
    def test_failed_scenario_reported_others_run_then_resume(self):
        scen = self.path("in")
        os.mkdir(scen)
        for name, src in (("a", SMALL), ("b", BAD), ("c", SMALL)):
            shutil.copy(src, os.path.join(scen, name + ".yaml"))
        files = [os.path.join(scen, n + ".yaml") for n in ("a", "b", "c")]
        out = self.path("out") + "/"
        p = run("--quiet", "-o", out, *files)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertEqual(sorted(os.listdir(out)), ["a.h5", "c.h5"])
        lines = [l for l in p.stdout.splitlines() if l.startswith(scen)]
        self.assertEqual(len(lines), 3, p.stdout)
        self.assertIn("complete", lines[0])
        self.assertIn("invalid", lines[1])
        self.assertIn("complete", lines[2])
        self.assertRegex(p.stderr, r"b\.yaml:\d+:\d+: error: ")

        # resume: complete results are skipped, the missing one is retried
        mtimes = {n: os.stat(out + n).st_mtime_ns for n in ("a.h5", "c.h5")}
        os.remove(out + "c.h5")
        shutil.copy(SMALL, files[1])  # b is fixed
        p = run("--quiet", "--resume", "-o", out, *files)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual(sorted(os.listdir(out)), ["a.h5", "b.h5", "c.h5"])
        self.assertEqual(os.stat(out + "a.h5").st_mtime_ns, mtimes["a.h5"])
        self.assertIn("skipped", p.stdout)
        with h5py.File(out + "b.h5", "r") as f:
            self.assertEqual(f.attrs["status"], "complete")

        # a file that is not a complete result is not skipped
        with open(out + "a.h5", "w") as f:
            f.write("partial")
        p = run("--quiet", "--resume", "-o", out, files[0])
        self.assertEqual(p.returncode, 0, p.stderr)
        with h5py.File(out + "a.h5", "r") as f:
            self.assertEqual(f.attrs["status"], "complete")


class Faults(Case):
    """VDCSIM_FAULT_HDF5=N / VDCSIM_FAULT_ALLOC=N: every failing run exits
    non-zero with a message and leaves no file, neither the result nor a
    temporary.  A run makes hundreds (HDF5) to thousands (allocations) of
    calls and each process takes a fraction of a second here, so N takes
    every value up to 10 and then 20 values spread evenly up to the last
    failing call (found by bisection: runs with N beyond the program's last
    call succeed).  The unit tests of the recorder take every N in-process."""

    def attempt(self, var, n):
        out = self.path("f.h5")
        # leaks on out-of-memory paths are the unit tests' business
        p = run("--quiet", "-o", out, SMALL, env={var: str(n), "ASAN_OPTIONS": "detect_leaks=0"})
        if p.returncode == 0:
            with h5py.File(out, "r") as f:
                self.assertEqual(f.attrs["status"], "complete")
            os.remove(out)
            return True
        self.assertIn(p.returncode, (1, 2), f"{var}={n}: {p.stderr}")
        self.assertIn("error", p.stderr, f"{var}={n}")
        self.assertFalse(os.path.exists(out), f"{var}={n}: result left behind")
        self.assertEqual(leftovers(self.dir), [], f"{var}={n}")
        return False

    def loop(self, var, limit):
        tried = {}

        def fails(n):
            if n not in tried:
                tried[n] = not self.attempt(var, n)
            return tried[n]

        # exponential search, then bisection to within 5 %, for the last call
        lo, hi = 0, 64
        while fails(hi):
            lo, hi = hi, hi * 2
            self.assertLessEqual(hi, limit, f"{var}: runs still fail at N={lo}")
        while hi - lo > max(1, lo // 20):
            mid = (lo + hi) // 2
            if fails(mid):
                lo = mid
            else:
                hi = mid
        self.assertGreater(lo, 10)
        for n in list(range(1, 11)) + [10 + (lo - 10) * k // 20 for k in range(1, 21)]:
            self.assertTrue(fails(n), f"{var}={n} <= {lo} did not fail")

    def test_hdf5_faults(self):
        self.loop("VDCSIM_FAULT_HDF5", 100000)

    def test_alloc_faults(self):
        self.loop("VDCSIM_FAULT_ALLOC", 10000000)


class Kill(Case):
    def interrupt(self, sig):
        out = self.path("long.h5")
        proc = subprocess.Popen([VDCSIM, "run", "--quiet", "-o", out, LONG],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        # wait until the run writes its temporary file
        deadline = time.monotonic() + 20
        while not leftovers(self.dir) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        self.assertIsNone(proc.poll(), "the long run ended before it could be interrupted")
        time.sleep(0.3)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=30)
        self.assertNotEqual(proc.returncode, 0)
        self.assertFalse(os.path.exists(out))
        if sig != signal.SIGKILL:
            self.assertIn("interrupted", err)
        return leftovers(self.dir)

    def test_sigkill_leaves_no_final_file(self):
        self.interrupt(signal.SIGKILL)  # the temporary may stay: SIGKILL cannot be caught

    def test_sigterm_leaves_nothing(self):
        self.assertEqual(self.interrupt(signal.SIGTERM), [])


if __name__ == "__main__":
    VDCSIM = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
