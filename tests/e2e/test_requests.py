#!/usr/bin/python3
"""tests/e2e/test_requests.py: request-driven workloads end to end.

Runs the real binary on scenarios/web-latency.yaml (shortened with --set) and
reads the HDF5 results with h5py (Debian's python3-h5py: run with
/usr/bin/python3): the same seed reproduces the request tables byte for byte,
another seed changes them; the summary agrees with the per-request rows
(count, mean, exact nearest-rank percentiles, Little's law); guests that
share their random streams (`streams`) serve the same requests, so each
technique's response times are at or above native's, where guests with streams
of their own draw other requests; a bad distribution or an empty `streams` is
refused at FILE:LINE:COL with exit 2 and no file.

usage: test_requests.py VDCSIM_BINARY SOURCE_DIR
"""
import math
import os
import subprocess
import sys
import tempfile
import unittest

import h5py
import numpy as np

VDCSIM = None
SOURCE = None


def run(out, *sets):
    args = [VDCSIM, "run", "--quiet", os.path.join(SOURCE, "scenarios", "web-latency.yaml"), "-o", out,
            "--set", "simulation.duration=2 s"]
    for s in sets:
        args += ["--set", s]
    return subprocess.run(args, capture_output=True, text=True, timeout=300)


def tables(path):
    with h5py.File(path, "r") as f:
        return f["requests/latency"][:], f["summary/requests"][:]


class Requests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.paths = {}
        for name, seed in (("a", 1), ("b", 1), ("c", 2)):
            p = os.path.join(cls.tmp.name, name + ".h5")
            r = run(p, "simulation.seed=%d" % seed)
            assert r.returncode == 0, r.stderr
            cls.paths[name] = p

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_same_seed_same_bytes(self):
        la, sa = tables(self.paths["a"])
        lb, sb = tables(self.paths["b"])
        self.assertGreater(len(la), 1000)
        self.assertEqual(la.tobytes(), lb.tobytes())
        self.assertEqual(sa.tobytes(), sb.tobytes())

    def test_other_seed_other_requests(self):
        la, sa = tables(self.paths["a"])
        lc, sc = tables(self.paths["c"])
        self.assertNotEqual(la.tobytes(), lc.tobytes())
        self.assertFalse(np.array_equal(sa["p99_s"], sc["p99_s"]))

    def test_summary_matches_rows(self):
        rows, summ = tables(self.paths["a"])
        for s in summ:
            mine = rows[rows["guest"] == s["name"]]
            self.assertEqual(len(mine), s["completed"])
            resp = np.sort(mine["response_ns"].astype(float))
            self.assertTrue(np.all(mine["response_ns"] == mine["completion_ns"] - mine["arrival_ns"]))
            self.assertTrue(np.all(mine["start_ns"] >= mine["arrival_ns"]))
            self.assertAlmostEqual(s["mean_response_s"], resp.mean() * 1e-9, delta=1e-12)
            for col, p in (("p50_s", 0.5), ("p90_s", 0.9), ("p99_s", 0.99), ("p999_s", 0.999)):
                k = max(1, math.ceil(p * len(resp) - 1e-9)) - 1
                self.assertEqual(s[col], resp[k] * 1e-9)
            self.assertLessEqual(s["p50_s"], s["p99_s"])
            self.assertLess(s["p50_s"], s["p99_s"])  # drawn demand: a spread
            # requests in flight at the end count in L only
            self.assertLess(abs(s["little_error"]), 0.01)
            self.assertEqual(s["loop"], b"open")

    def test_common_streams_isolate_the_technique(self):
        rows, summ = tables(self.paths["a"])
        by = {s["name"].decode(): s for s in summ}
        self.assertEqual(sorted(by), ["web-container", "web-hvm-ept", "web-native", "web-pv"])
        def arrivals(g):  # request number -> its arrival, for the requests g completed
            mine = rows[rows["guest"] == g.encode()]
            return dict(zip(mine["request"].tolist(), mine["arrival_ns"].tolist()))
        native = arrivals("web-native")
        for g in by:  # one stream set: the same requests at the same instants
            theirs = arrivals(g)
            common = set(theirs) & set(native)
            self.assertGreater(len(common), 0.99 * len(native), g)
            self.assertTrue(all(theirs[k] == native[k] for k in common), g)
        for g in ("web-container", "web-hvm-ept", "web-pv"):
            for col in ("mean_response_s", "p50_s", "p90_s", "p99_s", "mean_service_s"):
                self.assertGreater(by[g][col], by["web-native"][col], f"{g} {col}")
        # streams of their own: other draws, so no such comparison holds by construction
        own = os.path.join(self.tmp.name, "own.yaml")
        with open(os.path.join(SOURCE, "scenarios", "web-latency.yaml")) as f:
            text = f.read().replace(", streams: web}", "}")
        with open(own, "w") as f:
            f.write(text)
        out = os.path.join(self.tmp.name, "own.h5")
        r = subprocess.run([VDCSIM, "run", "--quiet", own, "-o", out, "--set", "simulation.duration=2 s"],
                           capture_output=True, text=True, timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr)
        rows, _ = tables(out)
        a = np.sort(rows[rows["guest"] == b"web-native"]["arrival_ns"])
        b = np.sort(rows[rows["guest"] == b"web-container"]["arrival_ns"])
        self.assertNotEqual(a[:100].tobytes(), b[:100].tobytes())

    def test_empty_streams_refused(self):
        bad = os.path.join(self.tmp.name, "bad-streams.yaml")
        with open(os.path.join(SOURCE, "scenarios", "web-latency.yaml")) as f:
            text = f.read().replace("host: h-ct, workload: web, streams: web}", "host: h-ct, workload: web, streams: \"\"}")
        with open(bad, "w") as f:
            f.write(text)
        out = os.path.join(self.tmp.name, "bad-streams.h5")
        r = subprocess.run([VDCSIM, "run", bad, "-o", out], capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertRegex(r.stderr, r"bad-streams\.yaml:\d+:\d+: error: guest 'web-container': 'streams' must not be empty")
        self.assertFalse(os.path.exists(out))

    def test_bad_distribution_refused(self):
        bad = os.path.join(self.tmp.name, "bad.yaml")
        with open(os.path.join(SOURCE, "scenarios", "web-latency.yaml")) as f:
            text = f.read().replace("{dist: lognormal, mean: 600k, sd: 450k}", "{dist: gamma, shape: 0, mean: 600k}")
        with open(bad, "w") as f:
            f.write(text)
        out = os.path.join(self.tmp.name, "bad.h5")
        r = subprocess.run([VDCSIM, "run", bad, "-o", out], capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 2)
        self.assertRegex(r.stderr, r"bad\.yaml:\d+:\d+: error: 'shape' in the gamma distribution of 'instructions'")
        self.assertFalse(os.path.exists(out))


if __name__ == "__main__":
    VDCSIM, SOURCE = sys.argv[1], sys.argv[2]
    unittest.main(argv=sys.argv[:1] + sys.argv[3:])
