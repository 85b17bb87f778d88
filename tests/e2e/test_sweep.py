#!/usr/bin/python3
"""tests/e2e/test_sweep.py VDCSIM GROUP: `vdcsim sweep` and `vdcsim collect`
end to end on scenarios/sweep-migration.yaml (made short with --set).
GROUP Identical: -j 1, -j 2 and --shard K/3 + collect give byte-identical summaries.
GROUP Mpi: mpirun -np 3 --mpi gives the same summary (skipped, exit 77,
without mpirun or without MPI support).
GROUP Resume: a sweep killed with SIGKILL and run again gives the summary of
an uninterrupted sweep; a rerun skips every run.
GROUP Tables: summary/requests and summary/datacenter rows reach the runs table.
GROUP Bad: bad sweep input is a usage error (exit 2) that writes nothing.
GROUP Slurm: the Slurm array on a running cluster (skipped, exit 77, without)."""
import os, re, shutil, signal, subprocess, sys, tempfile, time, unittest

VDCSIM = os.path.abspath(sys.argv[1])
SRC = os.environ["VDCSIM_SOURCE_DIR"]
SCEN = os.path.join(SRC, "scenarios", "sweep-migration.yaml")
SHORT = ["--quiet"]


def sweep(out, *args, check=True):
    p = subprocess.run([VDCSIM, "sweep", SCEN, "-o", out + "/", *SHORT, *args],
                       capture_output=True, text=True)
    if check and p.returncode != 0:
        raise AssertionError(p.stdout + p.stderr)
    return p


def read(path):
    with open(path, "rb") as f:
        return f.read()


class Identical(unittest.TestCase):
    def test_executors_give_the_same_summary(self):
        with tempfile.TemporaryDirectory() as t:
            sweep(t + "/j1", "-j", "1")
            sweep(t + "/j2", "-j", "2")
            ref = read(t + "/j1/summary.h5")
            self.assertEqual(ref, read(t + "/j2/summary.h5"))
            self.assertEqual(read(t + "/j1/summary.csv"), read(t + "/j2/summary.csv"))
            # shards by hand, then collect
            for k in range(3):
                sweep(t + "/sh", "--shard", "%d/3" % k)
            c = subprocess.run([VDCSIM, "collect", t + "/sh/", "-o", t + "/sh.h5"], capture_output=True, text=True)
            self.assertEqual(c.returncode, 0, c.stderr)
            self.assertEqual(ref, read(t + "/sh.h5"))

    def test_summary_has_parameters_in_si_and_cis(self):
        import h5py
        with tempfile.TemporaryDirectory() as t:
            sweep(t + "/s", "-j", "2")
            with h5py.File(t + "/s/summary.h5") as f:
                runs, pts = f["runs"], f["points"]
                self.assertEqual(len(runs), 27)
                self.assertEqual(len(pts), 9)
                bw = runs["host_types.node.nics.eth0.bandwidth"]
                self.assertEqual(sorted(set(bw)), [5e8, 1e9, 1e10])
                unit = runs.attrs["unit_host_types.node.nics.eth0.bandwidth"]
                self.assertEqual(unit.decode() if isinstance(unit, bytes) else unit, "bit/s")
                self.assertTrue((pts["replications"] == 3).all())
                ci = pts["units_ci95"]
                self.assertTrue(((ci >= 0) | (ci != ci)).all())
            for metric in ("migration_downtime_s", "migration_total_time_s", "relative_to_native"):
                png = t + "/%s.png" % metric
                p = subprocess.run([VDCSIM, "plot", "sweep", t + "/s/summary.h5", "-o", png, "--metric", metric,
                                    "--by", "workloads.writer.phases.write.dirty.0.rate"], capture_output=True, text=True)
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertGreater(os.path.getsize(png), 1000)
            with h5py.File(t + "/s/summary.h5") as f:
                ci = f["points"]["units_ci95"]
                self.assertTrue(((ci >= 0) | (ci != ci)).all())
                self.assertTrue((ci == ci).any())


class Tables(unittest.TestCase):
    def test_requests_and_datacenter_summaries_are_collected(self):
        """A request-driven guest's summary/requests row and a run's
        summary/datacenter row reach the collected runs table unchanged."""
        import h5py
        cases = [("web-latency.yaml", "summary/requests", "requests_", "name"),
                 ("planetlab-consolidation.yaml", "summary/datacenter", "datacenter_", None)]
        for scen, table, prefix, key in cases:
            compared = 0
            with tempfile.TemporaryDirectory() as t:
                f = os.path.join(t, "s.yaml")
                with open(f, "w") as out:
                    out.write("base: %s\nreplications: 2\n" % os.path.join(SRC, "scenarios", scen))
                p = subprocess.run([VDCSIM, "sweep", f, "-o", t + "/o/", "--quiet", "--set",
                                    "simulation.duration=2 s"], capture_output=True, text=True)
                self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
                runs = h5py.File(t + "/o/summary.h5")["runs"][()]
                for rep in (0, 1):
                    res = h5py.File(t + "/o/p000000-r%04d.h5" % rep)[table][()]
                    rows = runs[runs["replication"] == rep]
                    for name in res.dtype.names:
                        if name == key or res.dtype[name].kind not in "fi":
                            continue
                        for r in res:
                            mine = rows[rows["guest"] == r[key]] if key else rows
                            self.assertTrue(len(mine) >= 1)
                            got = mine[prefix + name]
                            want = float(r[name])
                            self.assertTrue(all((g == want) or (g != g and want != want) for g in got),
                                            (scen, name, got, want))
                            compared += 1
            self.assertGreater(compared, 10, scen)


class Mpi(unittest.TestCase):
    def test_mpirun_3_ranks(self):
        if not shutil.which("mpirun"):
            raise unittest.SkipTest("mpirun not installed")
        probe = subprocess.run([VDCSIM, "sweep", SCEN, "-o", "/nonexistent/", "--mpi", "--list"],
                               capture_output=True, text=True)
        if "not built with MPI" in probe.stderr:
            raise unittest.SkipTest("vdcsim built without MPI")
        with tempfile.TemporaryDirectory() as t:
            sweep(t + "/j1", "-j", "1")
            ref = read(t + "/j1/summary.h5")
            p = subprocess.run(["mpirun", "-np", "3", "--allow-run-as-root", "--oversubscribe",
                                VDCSIM, "sweep", SCEN, "-o", t + "/mpi/", "--mpi", *SHORT],
                               capture_output=True, text=True, timeout=600)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
            self.assertEqual(ref, read(t + "/mpi/summary.h5"))
            self.assertEqual(read(t + "/j1/summary.csv"), read(t + "/mpi/summary.csv"))

class Resume(unittest.TestCase):
    def test_kill_and_resume(self):
        with tempfile.TemporaryDirectory() as t:
            sweep(t + "/ref", "-j", "2")
            p = subprocess.Popen([VDCSIM, "sweep", SCEN, "-o", t + "/k/", "-j", "1", *SHORT],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
            deadline = time.time() + 60
            while time.time() < deadline and len([n for n in os.listdir(t + "/k") if n.endswith(".h5")] if os.path.isdir(t + "/k") else []) < 5:
                time.sleep(0.02)
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            self.assertFalse(os.path.exists(t + "/k/summary.h5"))
            r = sweep(t + "/k", "-j", "2")
            self.assertIn("current (skipped)", r.stdout)
            self.assertEqual(read(t + "/ref/summary.h5"), read(t + "/k/summary.h5"))
            again = sweep(t + "/k", "-j", "2")
            self.assertIn("0 ran, 27 current", again.stdout)
            # other overrides: another run key, so every run runs again
            other = sweep(t + "/k", "-j", "2", "--set", "guests.vm.memory=256 MB")
            self.assertIn("27 ran", other.stdout)


    def test_more_replications_reuse_the_results(self):
        with tempfile.TemporaryDirectory() as t:
            f = os.path.join(t, "s.yaml")
            for reps, expect in ((1, "9 ran, 0 current"), (2, "9 ran, 9 current")):
                with open(f, "w") as w:
                    w.write("base: %s\nreplications: %d\naxes:\n"
                            "  - {path: guests.vm.memory, values: [256 MB, 512 MB, 768 MB]}\n"
                            "  - {path: migrations.move.max_rate, from: 500 Mbit/s, to: 2 Gbit/s, steps: 3}\n"
                            % (SCEN, reps))
                p = subprocess.run([VDCSIM, "sweep", f, "-o", t + "/o/", "--quiet"], capture_output=True, text=True)
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertIn(expect, p.stdout)
            lst = subprocess.run([VDCSIM, "sweep", f, "--list"], capture_output=True, text=True).stdout
            self.assertIn("9 points x 2 replications = 18 runs", lst)
            self.assertIn("     4  guests.vm.memory=512 MB  migrations.move.max_rate=1250 Mbit/s", lst)

    def test_run_resume_compares_the_key(self):
        small = os.path.join(SRC, "tests", "e2e", "small.yaml")
        with tempfile.TemporaryDirectory() as t:
            out = t + "/o.h5"
            run = lambda *a: subprocess.run([VDCSIM, "run", small, "-o", out, "--quiet", "--resume", *a],
                                            capture_output=True, text=True)
            self.assertNotIn("skipped", run().stdout)
            self.assertIn("skipped", run().stdout)
            # a result made with other overrides is stale: it runs again
            self.assertNotIn("skipped", run("--set", "guests.vm0.vcpus=2").stdout)
            self.assertIn("skipped", run("--set", "guests.vm0.vcpus=2").stdout)

    def test_run_replications(self):
        import pandas as pd
        small = os.path.join(SRC, "tests", "e2e", "small.yaml")
        with tempfile.TemporaryDirectory() as t:
            p = subprocess.run([VDCSIM, "run", small, "-o", t + "/r.h5", "--replications", "3", "--quiet"],
                               capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(sorted(os.listdir(t + "/r")), ["p000000-r0000.h5", "p000000-r0001.h5",
                             "p000000-r0002.h5", "summary.csv", "summary.h5"])
            d = pd.read_csv(t + "/r/summary.csv")
            self.assertEqual(sorted(set(d["replication"])), [0, 1, 2])
            self.assertEqual(list(d["guest"][:2]), ["vm0", "vm1"])
            # simulation.replications does the same as --replications, byte for byte
            p = subprocess.run([VDCSIM, "run", small, "-o", t + "/s.h5", "--quiet",
                                "--set", "simulation.replications=3"], capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(sorted(os.listdir(t + "/s")), sorted(os.listdir(t + "/r")))
            self.assertEqual(read(t + "/r/summary.csv"), read(t + "/s/summary.csv"))
            # in a batch it is refused, not ignored
            for name in ("a.yaml", "b.yaml"):
                shutil.copy(small, os.path.join(t, name))
            p = subprocess.run([VDCSIM, "run", t + "/a.yaml", t + "/b.yaml", "-o", t + "/b/", "--quiet",
                                "--set", "simulation.replications=2"], capture_output=True, text=True)
            self.assertNotEqual(p.returncode, 0)  # a batch's failures exit 1
            self.assertIn("runs alone", p.stderr)
            self.assertFalse(os.listdir(t + "/b"))
            # a sweep file's base may not have its own replications
            f = os.path.join(t, "sw.yaml")
            with open(f, "w") as w:
                w.write("base: %s\naxes:\n  - {path: guests.vm0.vcpus, values: [1, 2]}\n" % small)
            p = subprocess.run([VDCSIM, "sweep", f, "-o", t + "/sw/", "--quiet",
                                "--set", "simulation.replications=2"], capture_output=True, text=True)
            self.assertEqual(p.returncode, 2)
            self.assertIn("give the replications in the sweep file", p.stderr)


class Bad(unittest.TestCase):
    def test_a_failed_run_is_reported_and_the_others_run(self):
        with tempfile.TemporaryDirectory() as t:
            os.makedirs(t + "/f/p000001-r0000.h5")  # no result can be written there
            p = sweep(t + "/f", "-j", "2", check=False)
            self.assertEqual(p.returncode, 1)
            self.assertIn("run 3 (point 1, replication 0): failed", p.stderr)
            self.assertIn("26 ran", p.stdout)
            self.assertFalse(os.path.exists(t + "/f/summary.h5"))

    def test_bad_shard_and_mpi(self):
        with tempfile.TemporaryDirectory() as t:
            for args in (["--shard", "3/2"], ["--shard", "x"], ["-j", "0"]):
                p = sweep(t + "/o", *args, check=False)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertFalse(os.path.exists(t + "/o"))

    def test_bad_sweep_file(self):
        with tempfile.TemporaryDirectory() as t:
            f = os.path.join(t, "s.yaml")
            with open(f, "w") as w:
                w.write("base: %s\naxes:\n  - {path: guests.vm.vcpus, values: [1, 0]}\n" % SCEN)
            p = subprocess.run([VDCSIM, "sweep", f, "-o", t + "/o/"], capture_output=True, text=True)
            self.assertEqual(p.returncode, 2)
            self.assertIn(f + ":3:", p.stderr)
            self.assertFalse(os.path.exists(t + "/o"))

    def test_run_of_a_sweep_file(self):
        # `check` accepts a sweep file; `run` names it as one, at its `base`
        with tempfile.TemporaryDirectory() as t:
            f = os.path.join(t, "s.yaml")
            with open(f, "w") as w:
                w.write("axes:\n  - {path: guests.vm.vcpus, values: [1, 2]}\nbase: %s\n" % SCEN)
            p = subprocess.run([VDCSIM, "run", f, "-o", t + "/o.h5"], capture_output=True, text=True)
            self.assertEqual(p.returncode, 2)
            self.assertIn(f + ":3:7: error: a sweep file", p.stderr)
            self.assertIn("vdcsim sweep", p.stderr)
            self.assertFalse(os.path.exists(t + "/o.h5"))


class Slurm(unittest.TestCase):
    def test_array(self):
        if subprocess.run(["sinfo"], capture_output=True).returncode != 0:
            raise unittest.SkipTest("no Slurm cluster answers")
        with tempfile.TemporaryDirectory(dir="/var/tmp") as t:
            sweep(t + "/ref", "-j", "2")
            p = sweep(t + "/sl", "--slurm", "--array-size", "4")
            m = re.search(r"submitted array job (\d+) and collect job (\d+)", p.stdout)
            self.assertIsNotNone(m, p.stdout)
            with open(t + "/sl/sweep.sbatch") as f:
                script = f.read()
            self.assertIn("#SBATCH --array=0-3", script)
            self.assertIn('--shard "$SLURM_ARRAY_TASK_ID/4"', script)
            # wait for both jobs to leave the queue (bounded)
            deadline = time.time() + 600
            while time.time() < deadline:
                q = subprocess.run(["squeue", "-h", "-j", "%s,%s" % m.groups()], capture_output=True, text=True)
                if q.returncode == 0 and not q.stdout.strip():
                    break
                time.sleep(1)
            self.assertTrue(os.path.exists(t + "/sl/summary.h5"), os.listdir(t + "/sl"))
            self.assertEqual(read(t + "/ref/summary.h5"), read(t + "/sl/summary.h5"))
            self.assertEqual(read(t + "/ref/summary.csv"), read(t + "/sl/summary.csv"))


if __name__ == "__main__":
    group = sys.argv[2]
    suite = unittest.TestLoader().loadTestsFromTestCase(globals()[group])
    res = unittest.TextTestRunner(verbosity=2).run(suite)
    if res.skipped and res.wasSuccessful() and not res.testsRun - len(res.skipped):
        sys.exit(77)
    sys.exit(0 if res.wasSuccessful() else 1)
