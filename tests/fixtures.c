/* tests/fixtures.c: the shared test fixtures (tests/fixtures.h). */
#include "tests/fixtures.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/engine.h"
#include "sim/alloc.h"
#include "tests/cunit_main.h"
#include "tests/scratch.h"
#include "tests/test_data.h"

/* ---- calibration profiles ---- */

void fx_costs_init(fx_costs *c) {
  static const struct {
    const char *key;
    double value;
  } made_up[] = {
      {"cpu.clock", 1e9},
      /* native */
      {"syscall.native", 200}, {"page_fault.native", 1000}, {"fork.native", 50000},
      {"fork.per_resident_page", 10}, {"fork.context_switches", 2},
      {"context_switch.native", 3000}, {"rdtsc.native", 30}, {"cli.native", 60},
      {"cr8.native", 140}, {"port_io.native", 3000}, {"callret.native", 11},
      {"exception.native", 900}, {"pte_write.native", 1}, {"timer.hz", 0}, {"tlb.tagged", 0},
      /* MMU: ns are cycles at 1 GHz; 4 bytes a cycle is 32 Gbit/s */
      {"tlb.entries.4k", 64}, {"tlb.entries.2m", 32}, {"tlb.walk.levels", 4},
      {"tlb.pte_bytes", 8}, {"pwc.entries", 24}, {"pwc.hit", 2}, {"pwc.nested", 1},
      {"ntlb.entries", 16}, {"ntlb.hit", 2}, {"mem.cache.l1", 32768}, {"mem.latency.l1", 4},
      {"mem.cache.l2", 1 << 20}, {"mem.latency.l2", 14}, {"mem.cache.llc", 0},
      {"mem.latency.llc", 0}, {"mem.latency.dram", 200}, {"mem.line", 64},
      {"mem.bandwidth", 32e9},
      /* container */
      {"container.namespace_create", 1000}, {"container.cgroup_enter", 500},
      /* binary translation */
      {"bt.translate_per_instr", 2300}, {"bt.bytes_per_instr", 4}, {"bt.tc_bytes", 1 << 20},
      {"bt.callout", 1254}, {"bt.tc_emulate.rdtsc", 216}, {"bt.tc_emulate.cli", 7},
      {"bt.tc_emulate.cr8", 35}, {"bt.tc_emulate.in", 214}, {"bt.trap_emulate", 2030},
      {"bt.adapt_threshold", 5}, {"bt.syscall_extra", 2000}, {"bt.callret", 51},
      {"bt.page_fault", 3927}, {"bt.exception", 3223}, {"bt.pte_write", 391},
      {"bt.shadow_fill", 2834}, {"bt.cr3_switch", 1300}, {"shadow.tlb_miss_extra", 7},
      /* paravirtualization */
      {"pv.hypercall", 700}, {"pv.pte_batch_size", 32}, {"pv.pte_validate", 150},
      {"pv.syscall_extra", 3}, {"pv.page_fault_extra", 800}, {"pv.cr3_switch", 900},
      {"pv.sensitive_op", 9},
      /* hardware assistance */
      {"hvm.exit.roundtrip", 2409}, {"hvm.exit.user", 15826}, {"hvm.exit.page_fault", 7740},
      {"hvm.exit.pte_write", 10323}, {"hvm.exit.cr3", 2100}, {"hvm.exit.cr8", 1100},
      {"hvm.exit.rdtsc", 450}, {"hvm.exit.interrupt", 1900}, {"hvm.interrupt_exits", 2},
      {"hvm.tpr_shadow", 1}, {"hvm.rdtsc_exiting", 0}, {"hvm.exception_extra", 125},
      {"hvm.untuned.cpu_efficiency", 1},
      /* guest operations and the hosted option (models/guest_ops.h): a type I
       * hypervisor, shadow tables cached */
      {"process_switch.native", 2900}, {"exec.native", 310000}, {"exec.pages", 97},
      {"signal.native", 1700}, {"mmap.native", 5300}, {"mmap.pages", 13},
      {"invlpg.native", 170}, {"protection_fault.native", 1300},
      {"fs_metadata.native", 1900}, {"shadow.rebuild_fraction", 0},
      {"hvm.exit.invlpg", 1800}, {"hypervisor.hosted", 0},
      {"hypervisor.world_switch", 7100},
  };
  memset(c, 0, sizeof *c);
  for (size_t i = 0; i < sizeof made_up / sizeof made_up[0]; i++)
    fx_cost_set(c, made_up[i].key, made_up[i].value);
}

static size_t find_key(const fx_costs *c, const char *key) {
  for (size_t i = 0; i < c->n; i++)
    if (!strcmp(c->q[i].key, key)) return i;
  return c->n;
}

double fx_cost(const fx_costs *c, const char *key) {
  size_t i = find_key(c, key);
  CU_ASSERT_FATAL(i < c->n);
  return c->q[i].value;
}

void fx_cost_set(fx_costs *c, const char *key, double value) {
  size_t i = find_key(c, key);
  if (i == c->n) {
    CU_ASSERT_FATAL(c->n < FX_MAX_QUANTITIES);
    c->q[c->n++].key = key;
  }
  c->q[i].value = value;
}

void fx_cost_remove(fx_costs *c, const char *key) {
  size_t i = find_key(c, key);
  if (i == c->n) return;
  c->q[i] = c->q[--c->n];
}

void fx_scratch_dir(char *buf, size_t size, const char *tag) {
  CU_ASSERT_FATAL(scratch_make(buf, size, tag) == 0);
}

sim_profile *fx_profile_text(const char *yaml) {
  const char *tmp = getenv("TMPDIR");
  char path[512];
  snprintf(path, sizeof path, "%s/vdcsim-fixture-XXXXXX", tmp && *tmp ? tmp : "/tmp");
  int fd = mkstemp(path);
  CU_ASSERT_FATAL(fd >= 0);
  FILE *f = fdopen(fd, "w");
  CU_ASSERT_FATAL(f != NULL);
  fputs(yaml, f);
  fclose(f);
  sim_profile *p = NULL;
  sim_diag d;
  sim_diag_init(&d);
  int rc = sim_profile_load(test_data_path(), path, &p, &d);
  remove(path);
  if (rc < 0) sim_diag_print(&d, stderr);
  sim_diag_clear(&d);
  CU_ASSERT_FATAL(rc == 0);
  return p;
}

sim_profile *fx_costs_profile(const fx_costs *c, const char *name) {
  size_t cap = 256 + c->n * 96, len = 0;
  char *yaml = sim_malloc(cap);
  CU_ASSERT_FATAL(yaml != NULL);
  len += (size_t)snprintf(yaml + len, cap - len, "profile: {name: %s}\nquantities:\n", name);
  for (size_t i = 0; i < c->n; i++)
    len += (size_t)snprintf(yaml + len, cap - len, "  %s: {value: %.17g, source: test}\n",
                            c->q[i].key, c->q[i].value);
  CU_ASSERT_FATAL(len < cap);
  sim_profile *p = fx_profile_text(yaml);
  sim_free(yaml);
  return p;
}

sim_profile *fx_fake_profile(void) {
  /* the scheduler quantities of generic-x86-2020 */
  return fx_profile_text("profile: {name: fake}\nquantities:\n"
                         "  sched.timeslice: {value: 30 ms, source: \"[XEN] credit.c\"}\n"
                         "  sched.tick: {value: 10 ms, source: \"[XEN] credit.c\"}\n"
                         "  sched.ratelimit: {value: 1 ms, source: \"[XEN]\"}\n"
                         "  sched.credit.boost: {value: 1, source: \"[XEN] credit.c\"}\n"
                         "  sched.credit2.max_runtime: {value: 10 ms, source: \"[XEN] credit2.c\"}\n"
                         "  sched.credit2.min_timer: {value: 500 us, source: \"[XEN] credit2.c\"}\n"
                         "  sched.credit2.credit_init: {value: 10 ms, source: \"[XEN] credit2.c\"}\n"
                         "  sched.cfs.latency: {value: 6 ms, source: \"Linux fair.c\"}\n"
                         "  sched.cfs.min_granularity: {value: 0.75 ms, source: \"Linux fair.c\"}\n"
                         "  sched.cfs.wakeup_granularity: {value: 1 ms, source: \"Linux fair.c\"}\n"
                         "  sched.cfs.period: {value: 100 ms, source: \"Linux sched-bwc.rst\"}\n");
}

sim_profile *fx_shipped_profile(const char *name) {
  const char *src = getenv("VDCSIM_SOURCE_DIR");
  char path[4096];
  snprintf(path, sizeof path, "%s/models/profiles/%s.yaml", src ? src : ".", name);
  sim_profile *p = NULL;
  sim_diag d;
  sim_diag_init(&d);
  int rc = sim_profile_load(test_data_path(), path, &p, &d);
  if (rc < 0) sim_diag_print(&d, stderr);
  sim_diag_clear(&d);
  CU_ASSERT_FATAL(rc == 0);
  return p;
}

/* ---- a technique on a profile ---- */

void fx_tech_open(fx_tech *t, const technique_ops *ops, const sim_profile *p, const sim_guest *g) {
  sim_diag d;
  sim_diag_init(&d);
  t->ops = ops;
  t->params = NULL;
  t->state = NULL;
  int rc = ops->load(p, NULL, &t->params, &d);
  if (rc == 0) rc = ops->create(t->params, g, &t->state, &d);
  if (rc < 0) sim_diag_print(&d, stderr);
  sim_diag_clear(&d);
  CU_ASSERT_FATAL(rc == 0);
}

void fx_tech_close(fx_tech *t) {
  t->ops->destroy(t->state);
  t->ops->free_params(t->params);
  t->state = t->params = NULL;
}

cycles_by_mech fx_charge(const technique_ops *ops, const sim_profile *p, const sim_phase *ph,
                         double units) {
  cycles_by_mech out;
  memset(&out, 0, sizeof out);
  fx_tech t;
  fx_tech_open(&t, ops, p, NULL);
  ops->charge(t.state, ph, units, &out);
  fx_tech_close(&t);
  return out;
}

/* ---- fake techniques ---- */

/* Its table: whether it is the native reference (no overheads). */
typedef struct fake_params {
  int native;
} fake_params;

static int fake_load_common(int native, void **params, sim_diag *diag) {
  fake_params *p = sim_malloc(sizeof *p);
  if (!p) return -1;
  p->native = native;
  sim_diag_add(diag, SIM_DIAG_NOTE, NULL, 0, 0, FX_FAKE_LOADED);
  *params = p;
  return 0;
}
static int fake_load(const sim_profile *profile, const sim_host_type *host_type, void **params,
                     sim_diag *diag) {
  (void)profile;
  (void)host_type;
  return fake_load_common(0, params, diag);
}
static int fake_native_load(const sim_profile *profile, const sim_host_type *host_type,
                            void **params, sim_diag *diag) {
  (void)profile;
  (void)host_type;
  return fake_load_common(1, params, diag);
}
/* The state: the table it was created over. */
static int fake_create(const void *params, const sim_guest *g, void **state, sim_diag *diag) {
  (void)g;
  (void)diag;
  const fake_params **s = sim_malloc(sizeof *s);
  if (!s) return -1;
  *s = params;
  *state = s;
  return 0;
}
static void fake_charge(void *state, const sim_phase *ph, double units, cycles_by_mech *out) {
  const fake_params *p = *(const fake_params **)state;
  out->cycles[MECH_GUEST] += ph->instructions * ph->cycles_per_instruction * units;
  if (!p->native) out->cycles[MECH_TRAP] += ph->syscalls * FX_SYSCALL_EXTRA * units;
}
static void fake_switch_in(void *state, cycles_by_mech *out) {
  const fake_params *p = *(const fake_params **)state;
  if (!p->native) out->cycles[MECH_HYPERVISOR] += FX_SWITCH_CYCLES;
}

const technique_ops fx_fake_ops = {
    .name = "fake",
    .summary = "test technique",
    .load = fake_load,
    .free_params = sim_free,
    .create = fake_create,
    .destroy = sim_free,
    .charge = fake_charge,
    .switch_in = fake_switch_in,
};
const technique_ops fx_fake_native_ops = {
    .name = "native",
    .summary = "test native",
    .load = fake_native_load,
    .free_params = sim_free,
    .create = fake_create,
    .destroy = sim_free,
    .charge = fake_charge,
    .switch_in = fake_switch_in,
};

const model_entry *fx_find_model(model_kind kind, const char *name) {
  static const model_entry fakes[] = {
      {.kind = MODEL_TECHNIQUE, .ops = &fx_fake_ops},
      {.kind = MODEL_TECHNIQUE, .ops = &fx_fake_native_ops},
  };
  if (kind != MODEL_TECHNIQUE) return model_find(kind, name);
  for (size_t i = 0; i < sizeof fakes / sizeof fakes[0]; i++)
    if (!strcmp(model_entry_name(&fakes[i]), name)) return &fakes[i];
  return NULL;
}

/* ---- workloads ---- */

sim_access_spec fx_stream(sim_access_pattern pattern, uint64_t ws, uint64_t stride,
                          uint64_t page) {
  sim_access_spec a;
  memset(&a, 0, sizeof a);
  a.count = 1;
  a.working_set_bytes = ws;
  a.pattern = pattern;
  a.stride_bytes = stride;
  a.page_bytes = page;
  return a;
}

sim_phase fx_op_phase(void) {
  sim_phase ph;
  memset(&ph, 0, sizeof ph);
  ph.name = "op";
  ph.cycles_per_instruction = 1;
  return ph;
}

/* ---- results ---- */

double fx_col(sim_result *r, const char *table, const char *column, size_t row) {
  double *v = NULL;
  size_t n = 0;
  double x = NAN;
  if (sim_result_column_f64(r, table, column, &v, &n) == 0 && row < n) x = v[row];
  sim_free(v);
  return x;
}

double fx_cell(sim_result *r, const char *table, const char *row, const char *column) {
  char **names = NULL;
  size_t nn = 0, n = 0;
  double *v = NULL, x = NAN;
  if (sim_result_column_str(r, table, "name", &names, &nn) == 0 &&
      sim_result_column_f64(r, table, column, &v, &n) == 0 && n == nn)
    for (size_t i = 0; i < n; i++)
      if (!strcmp(names[i], row)) x = v[i];
  if (names) sim_result_free_strings(names, nn);
  sim_free(v);
  return x;
}

/* ---- whole runs through the engine ---- */

/* Runs `text` recording as `cfg` says, into o->h5 in a new scratch directory
 * o->dir, on the calibration profile `profile_yaml` (written beside it) or,
 * when that is NULL, on the one the scenario names, from the data path; the
 * run's statistics in *st when st is not NULL. */
static int run_text_with(const char *tag, const char *profile_yaml, const char *name, const char *text,
                         const sim_record_config *cfg, const engine_options *opt, engine_stats *st,
                         fx_run *o) {
  o->r = NULL;
  fx_scratch_dir(o->dir, sizeof o->dir, tag);
  char prof_path[sizeof o->dir + 16];
  snprintf(prof_path, sizeof prof_path, "%s/profile.yaml", o->dir);
  snprintf(o->h5, sizeof o->h5, "%s/run.h5", o->dir);
  if (profile_yaml) {
    FILE *f = fopen(prof_path, "w");
    if (!f) return -1;
    fputs(profile_yaml, f);
    fclose(f);
  }
  sim_diag d;
  sim_diag_init(&d);
  sim_profile *prof = NULL;
  sim_scenario *sc = NULL;
  sim_recorder *rec = NULL;
  int rc = sim_scenario_load_text(name, text, strlen(text), test_vocabulary(), NULL, 0, &sc, &d);
  if (rc == 0)
    rc = sim_profile_load(test_data_path(), profile_yaml ? prof_path : sc->calibration, &prof, &d);
  if (rc == 0) {
    rec = sim_recorder_new(cfg);
    engine_stats own;
    rc = rec ? engine_run(sc, prof, rec, opt, st ? st : &own, &d) : -1;
  }
  if (rc == 0) rc = sim_recorder_write(rec, o->h5, &d);
  if (rc == 0) rc = sim_result_open(o->h5, &o->r, &d);
  if (rc != 0) sim_diag_print(&d, stderr);
  sim_diag_clear(&d);
  sim_recorder_free(rec);
  sim_scenario_free(sc);
  sim_profile_free(prof);
  if (profile_yaml) unlink(prof_path);
  return rc;
}

int fx_run_text(const char *tag, const char *profile_yaml, const char *name, const char *text,
                const sim_record_config *cfg, fx_run *o) {
  engine_options opt = {.find_model = fx_find_model};
  return run_text_with(tag, profile_yaml, name, text, cfg, &opt, NULL, o);
}

int fx_run_text_shipped(const char *tag, const char *profile_yaml, const char *name, const char *text,
                        const sim_record_config *cfg, fx_run *o) {
  engine_options opt = {.data_path = test_data_path()};
  return run_text_with(tag, profile_yaml, name, text, cfg, &opt, NULL, o);
}

int fx_guest_time(const char *tag, const char *profile_yaml, const char *name, const char *text,
                  const char *guest, double *time) {
  sim_record_config cfg = {0};
  fx_run o;
  int rc = fx_run_text_shipped(tag, profile_yaml, name, text, &cfg, &o);
  *time = rc == 0 ? fx_cell(o.r, "summary/guests", guest, "time_to_complete_s") : NAN;
  fx_run_close(&o);
  return rc;
}

int fx_run_scenario(const char *tag, const char *name, const char *text, const sim_record_config *cfg,
                    engine_stats *st, fx_run *o) {
  engine_options opt = {.data_path = test_data_path()};
  return run_text_with(tag, NULL, name, text, cfg, &opt, st, o);
}

sim_scenario *fx_load_text(const char *name, const char *text, char *msg, size_t len, int *line, int *col) {
  sim_diag d;
  sim_diag_init(&d);
  sim_scenario *s = NULL;
  sim_scenario_load_text(name, text, strlen(text), test_vocabulary(), NULL, 0, &s, &d);
  msg[0] = '\0';
  if (d.count > 0) {
    snprintf(msg, len, "%s", d.entries[0].message);
    *line = d.entries[0].line;
    *col = d.entries[0].col;
  }
  sim_diag_clear(&d);
  return s;
}

void fx_run_close(fx_run *o) {
  if (o->r) sim_result_close(o->r);
  o->r = NULL;
  unlink(o->h5);
  rmdir(o->dir);
}
