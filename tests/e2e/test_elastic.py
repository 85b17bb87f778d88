#!/usr/bin/python3
"""tests/e2e/test_elastic.py: elastic services end to end.

Runs the real binary on scenarios/elastic-web.yaml, shortened to the start of
its load spike (--set simulation.duration=240 s), and reads the HDF5 results
with h5py (Debian's python3-h5py: run with /usr/bin/python3): the VM and the
container service see the same arrivals (common random numbers); a VM
scale-out waits for its 900 MB image where a container's pulls one small
layer, so the containers violate the objective less; each timeline sums to
its summary; a service's cost is its members' rows of summary/billing; a bad
policy given by --set is refused, naming the override, with exit 2 and no
file (tests/bad/elastic-*.yaml check FILE:LINE:COL).

usage: test_elastic.py VDCSIM_BINARY SOURCE_DIR
"""
import os
import subprocess
import sys
import tempfile
import unittest

import h5py
import numpy as np

VDCSIM = None
SOURCE = None


def text(x):
    return x.decode() if isinstance(x, bytes) else x


class Elastic(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.out = os.path.join(cls.tmp.name, "elastic.h5")
        p = subprocess.run([VDCSIM, "run", "--quiet", os.path.join(SOURCE, "scenarios", "elastic-web.yaml"),
                            "-o", cls.out, "--set", "simulation.duration=240 s"],
                           capture_output=True, text=True, timeout=600)
        if p.returncode != 0:
            raise RuntimeError(p.stderr)
        with h5py.File(cls.out, "r") as f:
            cls.summary = {text(r["service"]): r for r in f["summary/services"][:]}
            cls.timeline = f["services/timeline"][:]
            cls.scaling = f["services/scaling"][:]
            cls.billing = f["summary/billing"][:]

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_same_arrivals(self):
        vm, ct = self.summary["web-vm"], self.summary["web-ct"]
        self.assertGreater(vm["arrivals"], 100000)
        self.assertEqual(vm["arrivals"], ct["arrivals"])

    def test_containers_scale_out_faster_and_violate_less(self):
        vm, ct = self.summary["web-vm"], self.summary["web-ct"]
        self.assertGreater(vm["scale_outs"], 0)
        self.assertGreater(ct["scale_outs"], 0)
        # 900 MB at 1 Gbit/s and a 500 MB/s copy: 9 s before the boot; a 5 MB layer: under 0.1 s
        self.assertGreater(vm["mean_scale_out_s"], 9.0)
        self.assertLess(ct["mean_scale_out_s"], 0.1)
        self.assertLess(ct["slo_violations"], vm["slo_violations"])
        self.assertLess(ct["mean_response_s"], vm["mean_response_s"])

    def test_timeline_sums_to_summary(self):
        for name, s in self.summary.items():
            rows = self.timeline[[text(x) == name for x in self.timeline["service"]]]
            self.assertEqual(len(rows), 24)  # every 10 s to 240 s
            self.assertEqual(rows["arrivals"].sum(), s["arrivals"])
            self.assertEqual(rows["completed"].sum(), s["completed"])
            self.assertEqual(rows["slo_violations"].sum(), s["slo_violations"])
            self.assertAlmostEqual(rows["cost_usd"][-1], s["cost_usd"], places=12)
            self.assertTrue(np.all(rows["ready"] + rows["provisioning"] <= 8))
            self.assertTrue(np.all(rows["ready"] >= 1))

    def test_scaling_actions(self):
        for r in self.scaling:
            if text(r["action"]) == "scale-out":
                self.assertGreater(r["to"], r["from"])
            else:
                self.assertEqual(text(r["action"]), "scale-in")
                self.assertLess(r["to"], r["from"])
            self.assertTrue(1 <= r["to"] <= 8)

    def test_cost_is_members_billing(self):
        for name, s in self.summary.items():
            rows = self.billing[[text(x).startswith(name + "-") for x in self.billing["name"]]]
            self.assertEqual(len(rows), 12)
            self.assertAlmostEqual(rows["cost_usd"].sum(), s["cost_usd"], places=12)
            self.assertAlmostEqual(rows["running_s"].sum() / 3600, s["instance_hours"], places=12)
            self.assertTrue(np.any(rows["running_s"] == 0))  # members never started cost nothing

    def test_bad_policy_refused(self):
        out = os.path.join(self.tmp.name, "bad.h5")
        p = subprocess.run([VDCSIM, "run", "--quiet", os.path.join(SOURCE, "scenarios", "elastic-web.yaml"),
                            "-o", out, "--set", "services.web-ct.autoscaling.policy=target-trackin"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 2)
        self.assertTrue(p.stderr.startswith("--set services.web-ct.autoscaling.policy=target-trackin: error:"))
        self.assertIn("did you mean 'target-tracking'?", p.stderr)
        self.assertFalse(os.path.exists(out))


if __name__ == "__main__":
    VDCSIM, SOURCE = sys.argv[1], sys.argv[2]
    del sys.argv[1:3]
    unittest.main(verbosity=2)
