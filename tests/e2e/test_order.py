#!/usr/bin/python3
"""tests/e2e/test_order.py: results do not depend on the order of the lists.

Simultaneous events are ordered by keys derived from entity names, never from
where an entity stands in the file: permuting the `hosts`, `guests` and
`migrations` lists of a scenario, and the `host_types` and `workloads`
mappings, leaves every HDF5 dataset bit-identical, and every root attribute
too, except those that name the file or the moment (scenario_text,
scenario_path, command_line, wall_clock_*).

Each scenario below is read with yaml, written back three times into a
temporary directory that links to everything beside the original (so that
trace and workload files resolve as they do there): in the file's order, with
the lists reversed, and with the lists shuffled by a seeded generator.  Each
is run, and the permuted runs are compared with the run in the file's order.
The scenarios cover the credit scheduler with 16 guests on a host, one guest
per technique, stochastic requests, a scripted migration and dynamic
consolidation with placement at start.

usage: test_order.py VDCSIM_BINARY SOURCE_DIR
"""
import os
import random
import subprocess
import sys
import tempfile
import unittest

import h5py
import yaml

VDCSIM = None
SOURCE = None

# scenario file -> --set overrides that keep the run short (the ties stay)
SCENARIOS = {
    "host-16-guests.yaml": ["simulation.duration=4 s"],
    "compare-techniques.yaml": [],
    "web-latency.yaml": ["simulation.duration=4 s"],
    "migration-webserver.yaml": [],
    "planetlab-consolidation.yaml": [],
}
LISTS = ("hosts", "guests", "migrations")
MAPPINGS = ("host_types", "workloads")
# root attributes that name the file or the wall-clock moment of the run
PER_FILE_ATTRS = {"scenario_text", "scenario_path", "command_line", "wall_clock_start", "wall_clock_end"}


def reordered(items, how, rng):
    """items in the file's order, reversed, or shuffled (never left as they were)."""
    items = list(items)
    if how == "reversed":
        items.reverse()
    elif how == "shuffled":
        original = list(items)
        while len(items) > 1 and items == original:
            rng.shuffle(items)
    return items


def permuted(doc, how):
    """A copy of doc whose LISTS and MAPPINGS are in the file's order, reversed or shuffled."""
    out = dict(doc)
    rng = random.Random(20240612)
    for key in LISTS:
        if key in doc:
            out[key] = reordered(doc[key] or [], how, rng)
    for key in MAPPINGS:
        if isinstance(doc.get(key), dict):
            out[key] = dict(reordered(doc[key].items(), how, rng))
    return out


def contents(path):
    """Every dataset (dtype, shape, bytes, attributes) and the root attributes
    that do not name the file, of a result file."""
    found = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                attrs = {k: repr(v) for k, v in obj.attrs.items()}
                found[name] = (str(obj.dtype), obj.shape, obj[()].tobytes(), attrs)
        f.visititems(visit)
        root = {k: repr(v) for k, v in f.attrs.items() if k not in PER_FILE_ATTRS}
    return found, root


class Order(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        scen_dir = os.path.join(SOURCE, "scenarios")
        for entry in os.listdir(scen_dir):
            os.symlink(os.path.join(scen_dir, entry), os.path.join(cls.tmp.name, entry))

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def run_variant(self, scenario, how, doc):
        stem = "%s-%s" % (scenario[:-5], how)
        path = os.path.join(self.tmp.name, "order-%s.yaml" % stem)
        text = yaml.safe_dump(permuted(doc, how), sort_keys=False)
        with open(path, "w") as f:
            f.write(text)
        out = os.path.join(self.tmp.name, "order-%s.h5" % stem)
        args = [VDCSIM, "run", "--quiet", path, "-o", out]
        for s in SCENARIOS[scenario]:
            args += ["--set", s]
        r = subprocess.run(args, capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 0, "%s %s: %s" % (scenario, how, r.stderr))
        return text, contents(out)

    def check_scenario(self, scenario):
        with open(os.path.join(SOURCE, "scenarios", scenario)) as f:
            doc = yaml.safe_load(f)
        base_text, (base, base_root) = self.run_variant(scenario, "file-order", doc)
        self.assertTrue(base, "%s: the result has no datasets" % scenario)
        for how in ("reversed", "shuffled"):
            text, (got, root) = self.run_variant(scenario, how, doc)
            # the permutation must change the file, or the test proves nothing
            self.assertTrue(text != base_text, "%s %s: the lists did not move" % (scenario, how))
            self.assertEqual(sorted(got), sorted(base), "%s %s: other datasets" % (scenario, how))
            for name in sorted(base):
                self.assertTrue(got[name] == base[name], "%s %s: dataset /%s differs" % (scenario, how, name))
            self.assertEqual(root, base_root, "%s %s: root attributes differ" % (scenario, how))

    def test_host_16_guests(self):
        self.check_scenario("host-16-guests.yaml")

    def test_compare_techniques(self):
        self.check_scenario("compare-techniques.yaml")

    def test_web_latency(self):
        self.check_scenario("web-latency.yaml")

    def test_migration_webserver(self):
        self.check_scenario("migration-webserver.yaml")

    def test_planetlab_consolidation(self):
        self.check_scenario("planetlab-consolidation.yaml")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    VDCSIM, SOURCE = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    unittest.main(argv=sys.argv[:1], verbosity=2)
