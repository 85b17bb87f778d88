#!/usr/bin/python3
"""tests/e2e/test_plot_kinds.py: the plot kinds latency, heatmap, energy and
timeline, and the cdf's pooling of replications, on shipped scenarios with
the real binary.

Runs scenarios/planetlab-consolidation.yaml with its series kept (and at
two thresholds, so that policies differ), scenarios/google-day.yaml (its
hosts' power series, for the power heatmap), and a short sweep of
scenarios/web-latency.yaml (its own arrival-rate axis and replications, each
run cut to 1 s); draws every new kind to PNG, SVG and PDF, checks each file's
format and that a result lacking what a kind reads is refused with exit
status 2, a message naming it, and no output.

usage: test_plot_kinds.py VDCSIM_BINARY SOURCE_DIR
"""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

VDCSIM = None
SOURCE = None
MAGIC = {"png": b"\x89PNG", "svg": b"<?xml", "pdf": b"%PDF"}


def vdcsim(*args, timeout=600):
    return subprocess.run([VDCSIM, *args], capture_output=True, text=True, timeout=timeout)


class PlotKinds(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="vdcsim-plot-kinds-")
        scenario = os.path.join(SOURCE, "scenarios", "planetlab-consolidation.yaml")
        cls.runs = []
        for threshold in ("0.5", "0.8"):
            out = os.path.join(cls.dir, "pl-%s.h5" % threshold)
            r = vdcsim("run", scenario, "--set", "simulation.record.series=true",
                       "--set", "datacenter.overload.threshold=" + threshold, "-o", out)
            assert r.returncode == 0, r.stderr
            cls.runs.append(out)
        cls.google = os.path.join(cls.dir, "google-day.h5")
        r = vdcsim("run", os.path.join(SOURCE, "scenarios", "google-day.yaml"), "-o", cls.google)
        assert r.returncode == 0, r.stderr
        cls.sweep = os.path.join(cls.dir, "web")
        r = vdcsim("sweep", os.path.join(SOURCE, "scenarios", "web-latency.yaml"), "-o",
                   cls.sweep + "/", "-j", "2", "--quiet", "--set", "simulation.duration=1 s")
        assert r.returncode == 0, r.stderr

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir)

    def plot(self, kind, inputs, stem, *options):
        for ext in ("png", "svg", "pdf"):
            out = os.path.join(self.dir, "%s.%s" % (stem, ext))
            r = vdcsim("plot", kind, *inputs, "-o", out, *options)
            self.assertEqual(r.returncode, 0, r.stderr)
            with open(out, "rb") as f:
                self.assertTrue(f.read(8).startswith(MAGIC[ext]), out)

    def refused(self, kind, inputs, words, *options):
        out = os.path.join(self.dir, "refused.png")
        r = vdcsim("plot", kind, *inputs, "-o", out, *options)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn(words, r.stderr)
        self.assertFalse(os.path.exists(out))

    def test_latency(self):
        self.plot("latency", [os.path.join(self.sweep, "summary.h5")], "latency")
        self.refused("latency", self.runs[:1], "not a sweep summary")

    def test_heatmap(self):
        self.plot("heatmap", self.runs[:1], "heatmap")
        self.refused("heatmap", [os.path.join(self.sweep, "p000000-r0000.h5")], "cpu_share")

    def test_heatmap_host_power(self):
        self.plot("heatmap", [self.google], "heatmap-power", "--signal", "host_power_w")
        # planetlab-consolidation.yaml keeps no power series
        self.refused("heatmap", self.runs[:1], "series/host_power_w", "--signal", "host_power_w")
        help_text = vdcsim("plot", "--help").stdout
        self.assertIn("host_power_w", help_text)

    def test_energy(self):
        self.plot("energy", self.runs, "energy")
        self.refused("energy", [os.path.join(self.sweep, "p000000-r0000.h5")],
                     "summary/datacenter")

    def test_timeline(self):
        self.plot("timeline", self.runs[:1], "timeline")
        self.plot("timeline", self.runs[:1], "timeline-route", "--by", "route")
        self.refused("timeline", [os.path.join(self.sweep, "p000000-r0000.h5")],
                     "made no migration")

    def test_cdf_replications(self):
        point0 = sorted(os.path.join(self.sweep, f) for f in os.listdir(self.sweep)
                        if f.startswith("p000000-"))
        self.assertGreaterEqual(len(point0), 2)
        self.plot("cdf", point0, "cdf-pooled", "--by", "technique")
        # another point of the sweep is another scenario: refused, as compare does
        self.refused("cdf", [point0[0], os.path.join(self.sweep, "p000001-r0000.h5")],
                     "not a replication")


if __name__ == "__main__":
    VDCSIM, SOURCE = sys.argv[1], sys.argv[2]
    unittest.main(argv=[sys.argv[0]] + sys.argv[3:])
