/* tests/test_catalog.c: the model catalog (models/registry.c) and the
 * vocabulary it gives the scenario loader: every model of every kind can be
 * named in a scenario, a name outside the catalog is refused with a
 * suggestion and the catalog's names, and every technique's default I/O path
 * is a catalog I/O path that the loader gives its guests. */
#include <stdio.h>
#include <string.h>

#include "models/datacenter.h"
#include "models/io.h"
#include "models/registry.h"
#include "sim/scenario.h"
#include "tests/cunit_main.h"
#include "tests/test_data.h"

/* A scenario with one model of each kind named by the %s: scheduler, power
 * model (with the keys it takes), DVFS governor, technique, I/O path line ("" for the
 * default), migration strategy, placement, overload detector, underload
 * detector and VM selection. */
static const char scenario_fmt[] =
    "simulation: {duration: 1 s}\n"
    "host_types:\n"
    "  std: {cores: 8, clock: 2 GHz, memory: 32 GiB, scheduler: %s, power: %s,\n"
    "        dvfs: {governor: %s, pstates: [{frequency: 1 GHz, voltage: 0.9 V}, {frequency: 2 GHz, voltage: 1.1 V}]}}\n"
    "hosts: [{name: \"h{i}\", type: std, count: 2}]\n"
    "workloads:\n"
    "  w: {phases: [{units: 100, ops: {instructions: 1000}}]}\n"
    "guests:\n"
    "  - {name: g, technique: %s, %s host: h0, workload: w}\n"
    "migrations:\n"
    "  - {at: 0.5 s, guest: g, to: h1, strategy: %s}\n"
    "datacenter: {placement: %s, overload: %s, underload: %s, vm_selection: %s}\n";

typedef struct choice {
  const char *scheduler, *power, *technique, *io_path, *strategy;
  const char *placement, *overload, *underload, *vm_selection;
  const char *governor;
} choice;

/* power: {model: NAME, ...} with the keys the model takes. */
static void power_yaml(const char *name, char *buf, size_t len) {
  const dc_power_ops *ops = model_ops(MODEL_POWER, name);
  if (ops && ops->form == DC_POWER_IDLE_MAX)
    snprintf(buf, len, "{model: %s, idle: 90 W, max: 150 W}", name);
  else if (ops && ops->form == DC_POWER_TABLE)
    snprintf(buf, len, "{model: %s, table: [90 W, 95 W, 100 W, 105 W, 110 W, 115 W, 120 W, 125 W, "
             "130 W, 140 W, 150 W]}", name);
  else
    snprintf(buf, len, "{model: %s}", name);
}

static int load(const choice *c, sim_scenario **s, sim_diag *d) {
  char io[80] = "", power[200];
  if (c->io_path) snprintf(io, sizeof io, "io_path: %s,", c->io_path);
  power_yaml(c->power, power, sizeof power);
  char text[2048];
  snprintf(text, sizeof text, scenario_fmt, c->scheduler, power, c->governor, c->technique, io, c->strategy,
           c->placement, c->overload, c->underload, c->vm_selection);
  sim_diag_init(d);
  *s = NULL;
  return sim_scenario_load_text("catalog.yaml", text, strlen(text), test_vocabulary(), NULL, 0, s, d);
}

static const choice defaults = {"credit", "linear", "hvm", NULL, "precopy",
                                "pabfd", "thr", "least-utilized", "mmt", "ondemand"};

/* The choice with the model of `kind` replaced by `name`. */
static choice with(model_kind kind, const char *name) {
  choice c = defaults;
  switch (kind) {
    case MODEL_TECHNIQUE: c.technique = name; break;
    case MODEL_SCHEDULER: c.scheduler = name; break;
    case MODEL_IO_PATH: c.io_path = name; break;
    case MODEL_MIGRATION: c.strategy = name; break;
    case MODEL_PLACEMENT: c.placement = name; break;
    case MODEL_OVERLOAD: c.overload = name; break;
    case MODEL_UNDERLOAD: c.underload = name; break;
    case MODEL_VM_SELECTION: c.vm_selection = name; break;
    case MODEL_POWER: c.power = name; break;
    case MODEL_GOVERNOR: c.governor = name; break;
  }
  return c;
}

/* What the loaded scenario holds for the model of `kind`. */
static const char *chosen(const sim_scenario *s, model_kind kind) {
  switch (kind) {
    case MODEL_TECHNIQUE: return s->guests[0].technique;
    case MODEL_SCHEDULER: return s->host_types[0].scheduler;
    case MODEL_IO_PATH: return s->guests[0].io_path;
    case MODEL_MIGRATION: return s->migrations[0].strategy;
    case MODEL_PLACEMENT: return s->datacenter.placement;
    case MODEL_OVERLOAD: return s->datacenter.overload;
    case MODEL_UNDERLOAD: return s->datacenter.underload;
    case MODEL_VM_SELECTION: return s->datacenter.vm_selection;
    case MODEL_POWER: return s->host_types[0].power.model;
    case MODEL_GOVERNOR: return s->host_types[0].dvfs_governor;
  }
  return NULL;
}

static const model_kind kinds[] = {MODEL_TECHNIQUE, MODEL_SCHEDULER,   MODEL_IO_PATH,
                                   MODEL_MIGRATION, MODEL_PLACEMENT,   MODEL_OVERLOAD,
                                   MODEL_UNDERLOAD, MODEL_VM_SELECTION, MODEL_POWER,
                                   MODEL_GOVERNOR};

static void test_every_entry_loads(void) {
  size_t n;
  const model_entry *cat = model_catalog(&n);
  CU_ASSERT(n >= 4);
  for (size_t i = 0; i < n; i++) {
    const char *name = model_entry_name(&cat[i]);
    CU_ASSERT_PTR_NOT_NULL_FATAL(name);
    CU_ASSERT_PTR_EQUAL(model_find(cat[i].kind, name), &cat[i]); /* unique per kind */
    choice c = with(cat[i].kind, name);
    sim_scenario *s;
    sim_diag d;
    int rc = load(&c, &s, &d);
    if (rc != 0) {
      fprintf(stderr, "\n    catalog model '%s' is refused by the loader:\n", name);
      sim_diag_print(&d, stderr);
    }
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_STRING_EQUAL(chosen(s, cat[i].kind), name);
    sim_scenario_free(s);
    sim_diag_clear(&d);
  }
}

/* "a, b, c": the catalog's names of a kind, as messages list them. */
static void known_list(model_kind kind, char *buf, size_t len) {
  const char *names[64];
  size_t n = model_names(kind, names, 64);
  buf[0] = '\0';
  for (size_t i = 0; i < n && i < 64; i++) {
    strncat(buf, i ? ", " : "", len - strlen(buf) - 1);
    strncat(buf, names[i], len - strlen(buf) - 1);
  }
}

static void test_unknown_name_refused(void) {
  for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
    const char *names[64];
    size_t n = model_names(kinds[k], names, 64);
    CU_ASSERT_FATAL(n > 0);
    for (size_t i = 0; i < n && i < 64; i++) {
      char typo[80], mean[120], known[400], listed[420];
      snprintf(typo, sizeof typo, "%sx", names[i]); /* one edit away */
      CU_ASSERT_PTR_NULL(model_find(kinds[k], typo));
      choice c = with(kinds[k], typo);
      sim_scenario *s;
      sim_diag d;
      CU_ASSERT(load(&c, &s, &d) < 0);
      CU_ASSERT_PTR_NULL(s);
      CU_ASSERT(d.errors >= 1); /* a guest refused is also missing for its migration */
      snprintf(mean, sizeof mean, "'%s' in ", typo);
      known_list(kinds[k], known, sizeof known);
      snprintf(listed, sizeof listed, "(known: %s)", known);
      char want[140];
      snprintf(want, sizeof want, "did you mean '%s'?", names[i]);
      bool found = false;
      for (size_t e = 0; e < d.count; e++)
        found |= strstr(d.entries[e].message, mean) && strstr(d.entries[e].message, want) &&
                 strstr(d.entries[e].message, listed);
      if (!found) sim_diag_print(&d, stderr);
      CU_ASSERT(found);
      sim_diag_clear(&d);
    }
  }
}

static void test_default_io_paths(void) {
  size_t n, techniques = 0;
  const model_entry *cat = model_catalog(&n);
  for (size_t i = 0; i < n; i++) {
    if (cat[i].kind != MODEL_TECHNIQUE) {
      CU_ASSERT_PTR_NULL(cat[i].default_io_path);
      continue;
    }
    techniques++;
    const iopath_ops *io = cat[i].default_io_path;
    CU_ASSERT_PTR_NOT_NULL_FATAL(io);
    const model_entry *path = model_find(MODEL_IO_PATH, io->name);
    CU_ASSERT_PTR_NOT_NULL_FATAL(path);
    CU_ASSERT_PTR_EQUAL(path->ops, io);
    /* a guest of the technique without io_path gets it, and its kind */
    choice c = with(MODEL_TECHNIQUE, model_entry_name(&cat[i]));
    sim_scenario *s;
    sim_diag d;
    CU_ASSERT_EQUAL_FATAL(load(&c, &s, &d), 0);
    CU_ASSERT_STRING_EQUAL(s->guests[0].io_path, io->name);
    CU_ASSERT_EQUAL(s->guests[0].kind, cat[i].guest_kind);
    sim_scenario_free(s);
    sim_diag_clear(&d);
  }
  CU_ASSERT(techniques >= 1);
}

/* The vocabulary lists each kind's names in catalog order, as model_names does. */
static void test_vocabulary_matches_catalog(void) {
  const sim_vocabulary *v = test_vocabulary();
  static const struct {
    sim_vocab_kind vocab;
    model_kind model;
  } pairs[] = {{SIM_VOCAB_TECHNIQUE, MODEL_TECHNIQUE},
               {SIM_VOCAB_IO_PATH, MODEL_IO_PATH},
               {SIM_VOCAB_SCHEDULER, MODEL_SCHEDULER},
               {SIM_VOCAB_MIGRATION, MODEL_MIGRATION}};
  for (size_t k = 0; k < sizeof pairs / sizeof pairs[0]; k++) {
    const char *names[64];
    size_t n = model_names(pairs[k].model, names, 64);
    sim_vocab_word w;
    size_t i = 0;
    for (; v->word(pairs[k].vocab, i, &w); i++) {
      CU_ASSERT_FATAL(i < n);
      CU_ASSERT_STRING_EQUAL(w.name, names[i]);
      CU_ASSERT_EQUAL(w.default_io_path != NULL, pairs[k].vocab == SIM_VOCAB_TECHNIQUE);
    }
    CU_ASSERT_EQUAL(i, n);
  }
}

int register_tests(void) {
  static const test_case tests[] = {
      {"every catalog entry loads", test_every_entry_loads},
      {"unknown names refused with a suggestion", test_unknown_name_refused},
      {"default I/O paths are catalog I/O paths", test_default_io_paths},
      {"vocabulary matches the catalog", test_vocabulary_matches_catalog},
      {NULL, NULL}};
  return add_suite("catalog", tests);
}
