/* tests/test_engine.c: the execution engine and the rr scheduler.
 * Scenarios are built in memory and run on the fake technique of
 * tests/fixtures.h, whose costs are known (cycles per instruction, per
 * system call, per world switch), at a 1 GHz clock so that one cycle is one
 * nanosecond: every expected time below follows from those costs by hand.
 * Results are read back from the HDF5 file the recorder writes, as
 * validation reads them. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/engine.h"
#include "models/scheduler.h"
#include "sim/alloc.h"
#include "sim/results.h"
#include "tests/cunit_main.h"
#include "tests/fixtures.h"

/* ---- scenarios in memory ---- */

#define MAX_GUESTS 4

typedef struct test_world {
  sim_scenario sc;
  sim_host_type type;
  sim_host host;
  sim_workload wl;
  sim_phase phase;
  sim_guest guests[MAX_GUESTS];
  int32_t pins[MAX_GUESTS][2];
  char names[MAX_GUESTS][24]; /* "g" + a size_t in decimal */
} test_world;

/* A host of `cores` cores at 1 GHz, `n` guests of one vCPU each running
 * `units` units of 1000 instructions (CPI 1) and 2 system calls. */
static void world_init(test_world *w, uint32_t cores, size_t n, double units) {
  memset(w, 0, sizeof *w);
  w->type = (sim_host_type){.name = "t", .cores = cores, .clock_hz = 1e9, .scheduler = "rr",
                            .allow_overcommit = true};
  w->host = (sim_host){.name = "h0", .type = 0};
  w->phase = (sim_phase){.name = "main", .units = units, .instructions = 1000,
                         .cycles_per_instruction = 1.0, .syscalls = 2, .cpu_demand = 1.0};
  w->wl = (sim_workload){.name = "loop", .n_phases = 1, .phases = &w->phase};
  for (size_t i = 0; i < n; i++) {
    snprintf(w->names[i], sizeof w->names[i], "g%zu", i);
    w->guests[i] = (sim_guest){.name = w->names[i], .kind = SIM_GUEST_VM, .technique = "fake",
                               .host = 0, .vcpus = 1, .weight = 256, .workload = 0};
  }
  w->sc = (sim_scenario){.path = "test.yaml", .name = "test", .n_host_types = 1,
                         .host_types = &w->type, .n_hosts = 1, .hosts = &w->host,
                         .n_workloads = 1, .workloads = &w->wl, .n_guests = n,
                         .guests = w->guests};
}

/* Cycles (= ns at 1 GHz) of one unit under the fake technique. */
static double unit_cycles(const test_world *w) {
  return w->phase.instructions * w->phase.cycles_per_instruction +
         w->phase.syscalls * FX_SYSCALL_EXTRA;
}

typedef struct run_out {
  char path[256];
  sim_result *r;
  engine_stats st;
} run_out;

static int run_world(test_world *w, run_out *o, int series) {
  sim_record_config cfg = {10 * SIM_MS, series, series, NULL, 0, 0};
  sim_recorder *rec = sim_recorder_new(&cfg);
  CU_ASSERT_PTR_NOT_NULL_FATAL(rec);
  sim_diag d;
  sim_diag_init(&d);
  engine_options opt = {.find_model = fx_find_model};
  sim_profile *prof = fx_fake_profile();
  int rc = engine_run(&w->sc, prof, rec, &opt, &o->st, &d);
  sim_profile_free(prof);
  if (rc == 0) {
    const char *tmp = getenv("TMPDIR");
    snprintf(o->path, sizeof o->path, "%s/test_engine_%ld.h5", tmp && *tmp ? tmp : "/tmp",
             (long)getpid());
    rc = sim_recorder_write(rec, o->path, &d);
  }
  if (rc == 0) rc = sim_result_open(o->path, &o->r, &d);
  if (rc != 0) sim_diag_print(&d, stderr);
  sim_diag_clear(&d);
  sim_recorder_free(rec);
  return rc;
}

static void run_close(run_out *o) {
  sim_result_close(o->r);
  o->r = NULL;
  remove(o->path);
}

static double col(run_out *o, const char *table, const char *column, size_t row) {
  return fx_col(o->r, table, column, row);
}

/* ---- tests ---- */

/* One guest alone: time = one world switch + units x unit cost, exactly. */
static void test_exact_timing(void) {
  test_world w;
  world_init(&w, 1, 1, 1e6);
  run_out o;
  CU_ASSERT_EQUAL_FATAL(run_world(&w, &o, 0), 0);
  double expect_ns = FX_SWITCH_CYCLES + 1e6 * unit_cycles(&w);
  CU_ASSERT_DOUBLE_EQUAL(col(&o, "summary/guests", "time_to_complete_s", 0), expect_ns * 1e-9,
                         1e-9);
  CU_ASSERT_DOUBLE_EQUAL(col(&o, "summary/guests", "cycles_guest", 0), 1e6 * 1000, 1e-3);
  CU_ASSERT_DOUBLE_EQUAL(col(&o, "summary/guests", "cycles_trap", 0), 1e6 * 2 * FX_SYSCALL_EXTRA,
                         1e-3);
  CU_ASSERT_DOUBLE_EQUAL(col(&o, "summary/guests", "cycles_hypervisor", 0), FX_SWITCH_CYCLES, 1e-9);
  CU_ASSERT_DOUBLE_EQUAL(col(&o, "summary/guests", "cycles_total", 0), expect_ns, 1e-3);
  CU_ASSERT_DOUBLE_EQUAL(col(&o, "summary/guests", "units", 0), 1e6, 1e-6);
  /* native: 1000 cycles a unit, no switch */
  CU_ASSERT_DOUBLE_EQUAL(col(&o, "summary/guests", "relative_to_native", 0), 1e9 / expect_ns, 1e-9);
  CU_ASSERT_DOUBLE_EQUAL(col(&o, "summary/guests", "steal_s", 0), 0, 1e-12);
  CU_ASSERT_DOUBLE_EQUAL(col(&o, "summary/hosts", "busy_s", 0), expect_ns * 1e-9, 1e-9);
  CU_ASSERT_DOUBLE_EQUAL(col(&o, "summary/hosts", "utilisation", 0), 1.0, 1e-9);
  /* uncontended: the phase runs in one step, so few events */
  CU_ASSERT(o.st.events < 10);
  const char *unit = sim_result_column_unit(o.r, "summary/guests", "time_to_complete_s");
  CU_ASSERT(unit && !strcmp(unit, "s"));
  run_close(&o);
}

/* Times are whole ns, rounded up (engine.c cycles_to_ns): at 3 GHz a run
 * of c cycles lasts ceil(c / 3) ns, its switch and its work apiece; one
 * unit of work, in a probe and the rest in one run. */
static void test_run_times_round_up_to_the_ns(void) {
  test_world w;
  world_init(&w, 1, 1, 1);
  w.type.clock_hz = 3e9;
  w.phase.syscalls = 1; /* 1100 cycles a unit */
  run_out o;
  CU_ASSERT_EQUAL_FATAL(run_world(&w, &o, 0), 0);
  double work = unit_cycles(&w), expect_ns = ceil(FX_SWITCH_CYCLES / 3.0) + ceil(work / 3.0);
  CU_ASSERT(expect_ns > (FX_SWITCH_CYCLES + work) / 3.0 + 0.1); /* both rounded up */
  CU_ASSERT_DOUBLE_EQUAL(col(&o, "summary/guests", "time_to_complete_s", 0), expect_ns * 1e-9,
                         1e-13);
  run_close(&o);
}

/* Two guests on one core: they alternate by 30 ms slices; each switch costs
 * FX_SWITCH_CYCLES, and the time a guest waits is its steal. */
static void test_overcommit_steal_and_switches(void) {
  test_world w;
  world_init(&w, 1, 2, 1e5); /* 0.12 s of work each: several slices */
  run_out o;
  CU_ASSERT_EQUAL_FATAL(run_world(&w, &o, 0), 0);
  double work_ns = 1e5 * unit_cycles(&w);
  double sw0 = col(&o, "summary/guests", "switches", 0);
  double sw1 = col(&o, "summary/guests", "switches", 1);
  CU_ASSERT(sw0 >= 3 && sw1 >= 3); /* 120 ms in 30 ms slices, alternating */
  CU_ASSERT(fabs(sw0 - sw1) <= 1);
  double busy = col(&o, "summary/hosts", "busy_s", 0);
  CU_ASSERT_DOUBLE_EQUAL(busy, (2 * work_ns + (sw0 + sw1) * FX_SWITCH_CYCLES) * 1e-9, 1e-8);
  for (size_t g = 0; g < 2; g++) {
    double ttc = col(&o, "summary/guests", "time_to_complete_s", g);
    double sw = g ? sw1 : sw0;
    double steal = col(&o, "summary/guests", "steal_s", g);
    CU_ASSERT(steal > 0);
    /* a guest's time is its own running time plus its waiting */
    CU_ASSERT_DOUBLE_EQUAL(ttc, (work_ns + sw * FX_SWITCH_CYCLES) * 1e-9 + steal, 1e-8);
    CU_ASSERT_DOUBLE_EQUAL(col(&o, "summary/guests", "cycles_hypervisor", g), sw * FX_SWITCH_CYCLES,
                           1e-6);
  }
  /* the core never idles: the last guest ends when all the work is done */
  double last = fmax(col(&o, "summary/guests", "time_to_complete_s", 0),
                     col(&o, "summary/guests", "time_to_complete_s", 1));
  CU_ASSERT_DOUBLE_EQUAL(last, busy, 1e-8);
  run_close(&o);
}

/* Pinning: two guests pinned to core 1 of 2 share it; unpinned, each gets
 * its own core and never waits. */
static void test_pinning_respected(void) {
  test_world w;
  world_init(&w, 2, 2, 1e5);
  run_out o;
  CU_ASSERT_EQUAL_FATAL(run_world(&w, &o, 0), 0);
  double work_ns = 1e5 * unit_cycles(&w);
  for (size_t g = 0; g < 2; g++) {
    CU_ASSERT_DOUBLE_EQUAL(col(&o, "summary/guests", "steal_s", g), 0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(col(&o, "summary/guests", "time_to_complete_s", g),
                           (work_ns + FX_SWITCH_CYCLES) * 1e-9, 1e-9);
  }
  run_close(&o);
  for (size_t g = 0; g < 2; g++) {
    w.pins[g][0] = 1;
    w.guests[g].pinning = w.pins[g];
  }
  CU_ASSERT_EQUAL_FATAL(run_world(&w, &o, 1), 0);
  for (size_t g = 0; g < 2; g++) CU_ASSERT(col(&o, "summary/guests", "steal_s", g) > 0.05);
  double last = fmax(col(&o, "summary/guests", "time_to_complete_s", 0),
                     col(&o, "summary/guests", "time_to_complete_s", 1));
  CU_ASSERT(last > 2 * work_ns * 1e-9);
  /* every context switch happened on core 1 */
  double *pcpu = NULL, *type = NULL;
  size_t n = 0, nt = 0;
  CU_ASSERT_EQUAL(sim_result_column_f64(o.r, "events", "value0", &pcpu, &n), 0);
  CU_ASSERT_EQUAL(sim_result_column_f64(o.r, "events", "type", &type, &nt), 0);
  CU_ASSERT_EQUAL(n, nt);
  /* context_switch is the engine's fourth event type (id 3), value0 its pCPU */
  size_t switches = 0;
  for (size_t i = 0; i < n && n == nt; i++)
    if (type[i] == 3) {
      switches++;
      CU_ASSERT_EQUAL(pcpu[i], 1.0);
    }
  double sw = col(&o, "summary/guests", "switches", 0) + col(&o, "summary/guests", "switches", 1);
  CU_ASSERT(sw >= 4);
  CU_ASSERT_EQUAL((double)switches, sw);
  sim_free(pcpu);
  sim_free(type);
  run_close(&o);
}

/* Two runs of the same scenario record identical rows. */
static void test_determinism(void) {
  test_world w;
  world_init(&w, 1, 3, 3e4);
  w.guests[2].start_ns = 7 * SIM_MS;
  static const char *cols[] = {"time_to_complete_s", "units",   "steal_s",     "switches",
                               "cycles_total",       "cycles_guest", "relative_to_native"};
  double first[3][7];
  for (int run = 0; run < 2; run++) {
    run_out o;
    CU_ASSERT_EQUAL_FATAL(run_world(&w, &o, 1), 0);
    for (size_t g = 0; g < 3; g++)
      for (size_t c = 0; c < 7; c++) {
        double v = col(&o, "summary/guests", cols[c], g);
        if (run == 0) first[g][c] = v;
        else CU_ASSERT_EQUAL(memcmp(&v, &first[g][c], sizeof v), 0);
      }
    run_close(&o);
  }
  /* the late guest waited for the two others, so it has steal */
  CU_ASSERT(first[2][2] > 0);
}

/* A time limit stops the run: unfinished guests report NaN completion and
 * the work done so far, and progress is sampled up to the end. */
static void test_duration_limit_and_series(void) {
  test_world w;
  world_init(&w, 1, 1, 1e6); /* 1.2 s of work */
  w.sc.duration_ns = 500 * SIM_MS;
  run_out o;
  CU_ASSERT_EQUAL_FATAL(run_world(&w, &o, 1), 0);
  CU_ASSERT(isnan(col(&o, "summary/guests", "time_to_complete_s", 0)));
  double units = col(&o, "summary/guests", "units", 0);
  double expect = (500e6 - FX_SWITCH_CYCLES) / unit_cycles(&w);
  CU_ASSERT_DOUBLE_EQUAL(units, expect, 1.0);
  int32_t id;
  CU_ASSERT_EQUAL_FATAL(sim_result_entity(o.r, "g0", &id), 0);
  double *t = NULL, *v = NULL;
  size_t n = 0;
  CU_ASSERT_EQUAL_FATAL(sim_result_series(o.r, "progress", id, &t, &v, &n), 0);
  CU_ASSERT_EQUAL(n, 50); /* every 10 ms up to 500 ms */
  if (n == 50) {
    CU_ASSERT_DOUBLE_EQUAL(v[n - 1], units / 1e6, 1e-3);
    for (size_t i = 1; i < n; i++) CU_ASSERT(v[i] > v[i - 1]);
  }
  sim_free(t);
  sim_free(v);
  CU_ASSERT_EQUAL_FATAL(sim_result_series(o.r, "cpu_share", id, &t, &v, &n), 0);
  for (size_t i = 0; i < n; i++) CU_ASSERT_DOUBLE_EQUAL(v[i], 1.0, 1e-3);
  sim_free(t);
  sim_free(v);
  run_close(&o);
}

/* A phase given by duration at half CPU demand: the vCPU alternates bursts
 * and sleeps, so it uses half a CPU until the phase's end. */
static void test_partial_demand(void) {
  test_world w;
  world_init(&w, 1, 1, 0);
  w.phase.duration_ns = 100 * SIM_MS;
  w.phase.cpu_demand = 0.5;
  run_out o;
  CU_ASSERT_EQUAL_FATAL(run_world(&w, &o, 1), 0);
  double ttc = col(&o, "summary/guests", "time_to_complete_s", 0);
  CU_ASSERT(ttc >= 0.1 && ttc < 0.11);
  double busy = col(&o, "summary/hosts", "busy_s", 0);
  CU_ASSERT_DOUBLE_EQUAL(busy, 0.05, 0.006);
  /* the native reference idles the same share: relative = 1 / overheads */
  double rel = col(&o, "summary/guests", "relative_to_native", 0);
  CU_ASSERT(rel > 0.7 && rel < 1.0);
  int32_t id;
  double *t = NULL, *v = NULL;
  size_t n = 0;
  CU_ASSERT_EQUAL_FATAL(sim_result_entity(o.r, "g0", &id), 0);
  CU_ASSERT_EQUAL_FATAL(sim_result_series(o.r, "cpu_share", id, &t, &v, &n), 0);
  CU_ASSERT(n >= 9);
  for (size_t i = 0; i + 1 < n && i < 9; i++) CU_ASSERT_DOUBLE_EQUAL(v[i], 0.5, 0.06);
  sim_free(t);
  sim_free(v);
  run_close(&o);
}

/* Every allocation the engine makes may fail: the run then reports an
 * error and frees what it took (checked by the sanitizers), never crashes. */
static void test_allocation_failures(void) {
  test_world w;
  world_init(&w, 1, 2, 1e4);
  int succeeded = 0;
  sim_profile *prof = fx_fake_profile();
  for (long nth = 1; nth < 400 && !succeeded; nth++) {
    sim_record_config cfg = {10 * SIM_MS, 1, 1, NULL, 0, 0};
    sim_recorder *rec = sim_recorder_new(&cfg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rec);
    sim_diag d;
    sim_diag_init(&d);
    engine_options opt = {.find_model = fx_find_model};
    sim_fault_arm(SIM_FAULT_ALLOC, nth);
    int rc = engine_run(&w.sc, prof, rec, &opt, NULL, &d);
    bool hit = sim_fault_calls(SIM_FAULT_ALLOC) >= nth;
    sim_fault_arm(SIM_FAULT_ALLOC, 0);
    if (!hit) {
      CU_ASSERT_EQUAL(rc, 0);
      succeeded = 1;
    } else if (rc != 0) {
      CU_ASSERT(d.errors >= 1 || d.oom);
    }
    sim_diag_clear(&d);
    sim_recorder_free(rec);
  }
  CU_ASSERT(succeeded);
  sim_profile_free(prof);
}

/* An unknown technique is a diagnostic, not a crash. */
static void test_unknown_technique(void) {
  test_world w;
  world_init(&w, 1, 1, 10);
  w.guests[0].technique = "nosuch";
  sim_record_config cfg = {10 * SIM_MS, 0, 0, NULL, 0, 0};
  sim_recorder *rec = sim_recorder_new(&cfg);
  sim_diag d;
  sim_diag_init(&d);
  engine_options opt = {.find_model = fx_find_model};
  sim_profile *prof = fx_fake_profile();
  CU_ASSERT(engine_run(&w.sc, prof, rec, &opt, NULL, &d) < 0);
  sim_profile_free(prof);
  CU_ASSERT(d.errors >= 1);
  CU_ASSERT(d.count && strstr(d.entries[0].message, "nosuch") != NULL);
  sim_diag_clear(&d);
  sim_recorder_free(rec);
}

/* The burst period of a partial demand is the profile's sched.tick: a
 * profile without it fails the run with an error naming it. */
static void test_demand_period_required(void) {
  test_world w;
  world_init(&w, 1, 1, 10);
  sim_record_config cfg = {10 * SIM_MS, 0, 0, NULL, 0, 0};
  sim_recorder *rec = sim_recorder_new(&cfg);
  CU_ASSERT_PTR_NOT_NULL_FATAL(rec);
  sim_diag d;
  sim_diag_init(&d);
  engine_options opt = {.find_model = fx_find_model};
  sim_profile *prof = fx_profile_text("profile: {name: tickless}\nquantities:\n"
                                      "  cpu.clock: {value: 1 GHz, source: test}\n"
                                      "  sched.timeslice: {value: 30 ms, source: test}\n");
  CU_ASSERT(engine_run(&w.sc, prof, rec, &opt, NULL, &d) < 0);
  CU_ASSERT(d.count >= 1 && strstr(d.entries[0].message, "'sched.tick'") &&
            !strcmp(d.entries[0].file, "tickless"));
  sim_profile_free(prof);
  sim_diag_clear(&d);
  sim_recorder_free(rec);
}

/* Cost tables loaded by a run of w: each load of a fake notes itself. */
static size_t tables_loaded(test_world *w) {
  sim_record_config cfg = {10 * SIM_MS, 0, 0, NULL, 0, 0};
  sim_recorder *rec = sim_recorder_new(&cfg);
  CU_ASSERT_PTR_NOT_NULL_FATAL(rec);
  sim_diag d;
  sim_diag_init(&d);
  engine_options opt = {.find_model = fx_find_model};
  sim_profile *prof = fx_fake_profile();
  CU_ASSERT_EQUAL(engine_run(&w->sc, prof, rec, &opt, NULL, &d), 0);
  sim_profile_free(prof);
  size_t n = 0;
  for (size_t i = 0; i < d.count; i++)
    n += d.entries[i].level == SIM_DIAG_NOTE && !strcmp(d.entries[i].message, FX_FAKE_LOADED);
  sim_diag_clear(&d);
  sim_recorder_free(rec);
  return n;
}

/* A technique's costs are loaded once per host type, whatever the number of
 * its guests there: the guests' technique and the native reference, once
 * each. */
static void test_costs_loaded_once_per_host_type(void) {
  test_world w;
  world_init(&w, 2, MAX_GUESTS, 10);
  CU_ASSERT_EQUAL(tables_loaded(&w), 2);
  /* half the guests on a host of a second type: twice as many */
  sim_host_type types[2] = {w.type, w.type};
  types[1].name = "t2";
  sim_host hosts[2] = {w.host, {.name = "h1", .type = 1}};
  w.sc.host_types = types;
  w.sc.n_host_types = 2;
  w.sc.hosts = hosts;
  w.sc.n_hosts = 2;
  for (size_t g = MAX_GUESTS / 2; g < MAX_GUESTS; g++) w.guests[g].host = 1;
  CU_ASSERT_EQUAL(tables_loaded(&w), 4);
  /* a second host of the first type adds none */
  types[1] = types[0];
  hosts[1].type = 0;
  w.sc.n_host_types = 1;
  CU_ASSERT_EQUAL(tables_loaded(&w), 2);
}

/* rr by itself: pinned vCPUs only run where pinned; a lone vCPU gets an
 * unbounded slice; a second one makes slices finite. */
static void test_rr_scheduler(void) {
  sim_host_type ht = {.name = "t", .cores = 2};
  sim_profile *prof = fx_fake_profile();
  CU_ASSERT_PTR_NOT_NULL_FATAL(prof);
  sched_env env = {&ht, prof, 2};
  void *s;
  sim_diag d = {0};
  CU_ASSERT_EQUAL_FATAL(sched_rr_ops.create(&env, &s, &d), 0);
  sim_profile_free(prof); /* the scheduler keeps its parameters, not the profile */
  sched_vcpu_info pinned = {0, 1, 256, 0}, free_ = {1, -1, 256, 0};
  CU_ASSERT_EQUAL(sched_rr_ops.add_vcpu(s, &pinned), 0);
  CU_ASSERT_EQUAL(sched_rr_ops.add_vcpu(s, &free_), 0);
  CU_ASSERT_EQUAL(sched_rr_ops.add_vcpu(s, &pinned), 0);
  sched_kick k = sched_rr_ops.wake(s, 0, 0);
  CU_ASSERT_EQUAL(k.pcpu, 1);
  sched_pick p = sched_rr_ops.pick_next(s, 0, 0);
  CU_ASSERT_EQUAL(p.vcpu, -1); /* vCPU 0 may not run on pCPU 0 */
  p = sched_rr_ops.pick_next(s, 1, 0);
  CU_ASSERT_EQUAL(p.vcpu, 0);
  CU_ASSERT_EQUAL(p.slice_ns, SIM_TIME_MAX);
  /* vCPU 2 (also pinned to 1) wakes: pCPU 1 is cut one slice after its start */
  k = sched_rr_ops.wake(s, 2, 5 * SIM_MS);
  CU_ASSERT_EQUAL(k.pcpu, 1);
  CU_ASSERT_EQUAL(k.at, 30 * SIM_MS);
  /* vCPU 1 (unpinned) wakes: pCPU 0 is idle */
  k = sched_rr_ops.wake(s, 1, 6 * SIM_MS);
  CU_ASSERT_EQUAL(k.pcpu, 0);
  CU_ASSERT_EQUAL(sched_rr_ops.pick_next(s, 0, 6 * SIM_MS).vcpu, 1);
  sched_rr_ops.account(s, 0, 1, 30 * SIM_MS, true, 30 * SIM_MS);
  p = sched_rr_ops.pick_next(s, 1, 30 * SIM_MS);
  CU_ASSERT_EQUAL(p.vcpu, 2);
  CU_ASSERT_EQUAL(p.slice_ns, 30 * SIM_MS); /* vCPU 0 waits for pCPU 1 */
  sched_rr_ops.destroy(s);
}

/* Two vCPUs waking together on two idle pCPUs each get an unbounded slice:
 * the one still queued at the first pick has a pCPU of its own coming. */
static void test_rr_simultaneous_wakes(void) {
  sim_host_type ht = {.name = "t", .cores = 2};
  sim_profile *prof = fx_fake_profile();
  CU_ASSERT_PTR_NOT_NULL_FATAL(prof);
  sched_env env = {&ht, prof, 2};
  void *s;
  sim_diag d = {0};
  CU_ASSERT_EQUAL_FATAL(sched_rr_ops.create(&env, &s, &d), 0);
  sim_profile_free(prof); /* the scheduler keeps its parameters, not the profile */
  sched_vcpu_info any = {0, -1, 256, 0};
  CU_ASSERT_EQUAL(sched_rr_ops.add_vcpu(s, &any), 0);
  CU_ASSERT_EQUAL(sched_rr_ops.add_vcpu(s, &any), 0);
  CU_ASSERT_EQUAL(sched_rr_ops.wake(s, 0, 0).pcpu, 0);
  CU_ASSERT_EQUAL(sched_rr_ops.wake(s, 1, 0).pcpu, 1);
  sched_pick a = sched_rr_ops.pick_next(s, 0, 0), b = sched_rr_ops.pick_next(s, 1, 0);
  CU_ASSERT_EQUAL(a.vcpu, 0);
  CU_ASSERT_EQUAL(b.vcpu, 1);
  CU_ASSERT_EQUAL(a.slice_ns, SIM_TIME_MAX);
  CU_ASSERT_EQUAL(b.slice_ns, SIM_TIME_MAX);
  sched_rr_ops.destroy(s);
}

/* Fluid fidelity: a guest arriving half-way through another's run on one
 * core halves its rate from then on, so the running guest's run is re-planned
 * at the arrival: with W ns of work each (switch included), the first ends
 * at 1.5 W, having waited 0.5 W for the CPU, and the second, sharing for W
 * and then alone, also takes 1.5 W from its arrival.  On two cores the
 * arrival changes no rate: nothing is re-planned, both take W. */
static void test_fluid_replans_only_when_rates_change(void) {
  for (uint32_t cores = 1; cores <= 2; cores++) {
    test_world w;
    world_init(&w, cores, 2, 1e6);
    w.type.fidelity = "fluid";
    double work_ns = FX_SWITCH_CYCLES + 1e6 * unit_cycles(&w);
    w.guests[1].start_ns = (sim_time)(work_ns / 2);
    run_out o;
    CU_ASSERT_EQUAL_FATAL(run_world(&w, &o, 0), 0);
    double expect_s = (cores == 1 ? 1.5 : 1.0) * work_ns * 1e-9;
    CU_ASSERT_DOUBLE_EQUAL(col(&o, "summary/guests", "time_to_complete_s", 0), expect_s, 1e-6);
    CU_ASSERT_DOUBLE_EQUAL(col(&o, "summary/guests", "time_to_complete_s", 1), expect_s, 1e-6);
    double steal_s = cores == 1 ? 0.5 * work_ns * 1e-9 : 0;
    CU_ASSERT_DOUBLE_EQUAL(col(&o, "summary/guests", "steal_s", 0), steal_s, 1e-6);
    CU_ASSERT_DOUBLE_EQUAL(col(&o, "summary/guests", "steal_s", 1), steal_s, 1e-6);
    /* per guest: its start, its dispatch and its run's end; on one core
     * also its run's end re-planned when the other arrives (the first guest,
     * slowed) or completes (the second, sped up) */
    CU_ASSERT_EQUAL(o.st.events, cores == 1 ? 8u : 6u);
    run_close(&o);
  }
}

/* Three guests of W ns of work each (switch included) arrive on one fluid
 * core at 0, W/3 and 2W/3: each arrival and each completion re-plans the
 * runs going on, which start again on their own slots at the new rate
 * without a switch.  Processor sharing by hand: the first completes at
 * 13W/6, the second at 17W/6 and the third at 3W, so they take 13W/6,
 * 15W/6 and 14W/6 from their arrivals. */
static void test_fluid_replanned_runs_go_on(void) {
  test_world w;
  world_init(&w, 1, 3, 1e6);
  w.type.fidelity = "fluid";
  double work_ns = FX_SWITCH_CYCLES + 1e6 * unit_cycles(&w);
  w.guests[1].start_ns = (sim_time)(work_ns / 3);
  w.guests[2].start_ns = (sim_time)(2 * work_ns / 3);
  run_out o;
  CU_ASSERT_EQUAL_FATAL(run_world(&w, &o, 0), 0);
  const double sixths[3] = {13, 15, 14};
  for (size_t i = 0; i < 3; i++)
    CU_ASSERT_DOUBLE_EQUAL(col(&o, "summary/guests", "time_to_complete_s", i),
                           sixths[i] / 6 * work_ns * 1e-9, 1e-6);
  CU_ASSERT_EQUAL(col(&o, "summary/guests", "switches", 0), 1);
  run_close(&o);
}

/* A guest of three vCPUs beside a guest of one, both hvm-ept, on a host of
 * four cores (`fidelity`), through a phase of memory accesses and one of
 * port I/O, each pinned as `pin_three` and `pin_one` say (NULL: not
 * pinned): the first guest's time per unit of work against its native twin
 * must be the second's, to a percent, and lie between 0.3 and 0.6. */
static void three_vcpus_run_as_one(const char *name, const char *fidelity, const char *pin_three,
                                   const char *pin_one) {
  char text[2048], three_pin[64] = "", one_pin[64] = "";
  if (pin_three) snprintf(three_pin, sizeof three_pin, ", pinning: %s", pin_three);
  if (pin_one) snprintf(one_pin, sizeof one_pin, ", pinning: %s", pin_one);
  int n = snprintf(text, sizeof text,
                   "name: %s\n"
                   "simulation: {seed: 1, record: {events: false, series: false}}\n"
                   "calibration: generic-x86-2020\n"
                   "host_types:\n"
                   "  h: {cores: 4, clock: 2 GHz, memory: 8 GiB, fidelity: %s}\n"
                   "hosts: [{name: h0, type: h}]\n"
                   "workloads:\n"
                   "  two:\n"
                   "    phases:\n"
                   "      - {name: memory, units: 3M, ops: {instructions: 200,"
                   " memory: [{count: 20, working_set: 1 GiB, pattern: random}]}}\n"
                   "      - {name: compute, units: 3M, ops: {instructions: 3000, port_io: 1}}\n"
                   "guests:\n"
                   "  - {name: three, technique: hvm-ept, vcpus: 3, memory: 1 GiB, host: h0,"
                   " workload: two%s}\n"
                   "  - {name: one, technique: hvm-ept, vcpus: 1, memory: 1 GiB, host: h0,"
                   " workload: two%s}\n",
                   name, fidelity, three_pin, one_pin);
  CU_ASSERT_FATAL(n > 0 && (size_t)n < sizeof text);
  sim_record_config cfg = {100 * SIM_MS, 0, 0, NULL, 0, 0};
  fx_run run;
  CU_ASSERT_EQUAL_FATAL(fx_run_scenario(name, name, text, &cfg, NULL, &run), 0);
  double a = fx_col(run.r, "summary/guests", "relative_to_native", 0);
  double b = fx_col(run.r, "summary/guests", "relative_to_native", 1);
  CU_ASSERT(a > 0.3 && a < 0.6);
  CU_ASSERT_DOUBLE_EQUAL(a, b, a * 1e-2);
  fx_run_close(&run);
}

/* The vCPUs of a guest enter each phase one after another, and each takes
 * the phase's prepared units of a vCPU that prepared them (engine.c
 * prepared_sibling): a guest of three vCPUs (hvm-ept, whose charge and its
 * native reference's are split, models/technique_unit.h) on cores to spare,
 * through a phase of memory accesses (next to native) and one of port I/O
 * (exits: less than half as fast as native), has the time per unit of work
 * against its native twin of a guest of one vCPU, whose units are its own,
 * to a percent (its three vCPUs' switches and TLB refills apart); a
 * vCPU given the other phase's units would be charged that phase's costs
 * (0.9995 instead of 0.45). */
static void test_vcpus_share_their_phases_prepared_units(void) {
  three_vcpus_run_as_one("siblings", "fluid", NULL, NULL);
}

/* The vCPU that last took a phase's units may be the last to finish it: a
 * vCPU entering the next phase before it must not take them (engine.c
 * prepared_sibling asks that one only).  The guest of three vCPUs pinned so
 * that its first, alone on its core, finishes each phase well before the
 * two sharing another: its time per unit of work against the native twin
 * is the one-vCPU guest's, to a percent, through both phases; a vCPU given
 * the memory phase's units in the port I/O phase would run that phase near
 * native speed. */
static void test_vcpus_take_only_their_phases_units(void) {
  three_vcpus_run_as_one("holder", "quantum", "[1, 0, 0]", "[2]");
}

/* Each vCPU's entity is named "<guest>/vcpu<i>" (engine_setup.c, the
 * guest's prefix written once, each number after it): a guest of eleven
 * vCPUs names its tenth "/vcpu10" after "/vcpu9", and the next guest's
 * first vCPU carries its own guest's name, not the one before it. */
static void test_vcpu_entity_names(void) {
  const char *text =
      "name: names\n"
      "simulation: {seed: 1, record: {events: false, series: false}}\n"
      "calibration: generic-x86-2020\n"
      "host_types:\n"
      "  h: {cores: 16, clock: 2 GHz, memory: 64 GiB, fidelity: fluid}\n"
      "hosts: [{name: h0, type: h}]\n"
      "workloads:\n"
      "  w: {phases: [{name: p, units: 1M, ops: {instructions: 100}}]}\n"
      "guests:\n"
      "  - {name: big, technique: hvm-ept, vcpus: 11, memory: 1 GiB, host: h0, workload: w}\n"
      "  - {name: small-one, technique: hvm-ept, vcpus: 2, memory: 1 GiB, host: h0, workload: w}\n";
  sim_record_config cfg = {100 * SIM_MS, 0, 0, NULL, 0, 0};
  fx_run run;
  CU_ASSERT_EQUAL_FATAL(fx_run_scenario("names", "names", text, &cfg, NULL, &run), 0);
  char **kinds = NULL, **names = NULL;
  size_t n_kinds = 0, n = 0;
  CU_ASSERT_EQUAL_FATAL(sim_result_column_str(run.r, "entities", "kind", &kinds, &n_kinds), 0);
  CU_ASSERT_EQUAL_FATAL(sim_result_column_str(run.r, "entities", "name", &names, &n), 0);
  CU_ASSERT_EQUAL_FATAL(n, n_kinds);
  const char *want[] = {"big/vcpu0", "big/vcpu1", "big/vcpu2", "big/vcpu3", "big/vcpu4",
                        "big/vcpu5", "big/vcpu6", "big/vcpu7", "big/vcpu8", "big/vcpu9",
                        "big/vcpu10", "small-one/vcpu0", "small-one/vcpu1"};
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    if (strcmp(kinds[i], "vcpu") != 0) continue;
    CU_ASSERT_FATAL(k < sizeof want / sizeof *want);
    CU_ASSERT_STRING_EQUAL(names[i], want[k]);
    k++;
  }
  CU_ASSERT_EQUAL(k, sizeof want / sizeof *want);
  sim_result_free_strings(kinds, n_kinds);
  sim_result_free_strings(names, n);
  fx_run_close(&run);
}

/* Each guest runs under its own technique, whatever the guest set up before
 * it ran under (engine_setup.c takes the last guest's rows when the name is
 * the same): between two guests under hvm-ept, a native guest runs a port
 * I/O phase as its native twin does, they less than half as fast. */
static void test_guests_take_their_own_technique(void) {
  const char *text =
      "name: techniques\n"
      "simulation: {seed: 1, record: {events: false, series: false}}\n"
      "calibration: generic-x86-2020\n"
      "host_types:\n"
      "  h: {cores: 4, clock: 2 GHz, memory: 8 GiB, fidelity: fluid}\n"
      "hosts: [{name: h0, type: h}]\n"
      "workloads:\n"
      "  w: {phases: [{name: io, units: 1M, ops: {instructions: 3000, port_io: 1}}]}\n"
      "guests:\n"
      "  - {name: a, technique: hvm-ept, vcpus: 1, memory: 1 GiB, host: h0, workload: w}\n"
      "  - {name: b, technique: native, vcpus: 1, memory: 1 GiB, host: h0, workload: w}\n"
      "  - {name: c, technique: hvm-ept, vcpus: 1, memory: 1 GiB, host: h0, workload: w}\n";
  sim_record_config cfg = {100 * SIM_MS, 0, 0, NULL, 0, 0};
  fx_run run;
  CU_ASSERT_EQUAL_FATAL(fx_run_scenario("techniques", "techniques", text, &cfg, NULL, &run), 0);
  double a = fx_col(run.r, "summary/guests", "relative_to_native", 0);
  double b = fx_col(run.r, "summary/guests", "relative_to_native", 1);
  double c = fx_col(run.r, "summary/guests", "relative_to_native", 2);
  CU_ASSERT(a > 0.2 && a < 0.6);
  CU_ASSERT_DOUBLE_EQUAL(b, 1.0, 1e-3);
  CU_ASSERT_DOUBLE_EQUAL(c, a, a * 1e-3);
  fx_run_close(&run);
}

int register_tests(void) {
  static const test_case tests[] = {
      {"exact timing from cycles and clock", test_exact_timing},
      {"run times round up to the ns", test_run_times_round_up_to_the_ns},
      {"over-commit: switches and steal", test_overcommit_steal_and_switches},
      {"pinning respected", test_pinning_respected},
      {"determinism", test_determinism},
      {"duration limit and series", test_duration_limit_and_series},
      {"unknown technique", test_unknown_technique},
      {"partial CPU demand", test_partial_demand},
      {"costs loaded once per host type", test_costs_loaded_once_per_host_type},
      {"demand period required", test_demand_period_required},
      {"allocation failures", test_allocation_failures},
      {"rr scheduler protocol", test_rr_scheduler},
      {"rr simultaneous wakes", test_rr_simultaneous_wakes},
      {"fluid re-plans only when rates change", test_fluid_replans_only_when_rates_change},
      {"fluid re-planned runs go on", test_fluid_replanned_runs_go_on},
      {"vCPUs share their phase's prepared units", test_vcpus_share_their_phases_prepared_units},
      {"vCPUs take only their phase's units", test_vcpus_take_only_their_phases_units},
      {"vCPU entity names", test_vcpu_entity_names},
      {"guests take their own technique", test_guests_take_their_own_technique},
      {NULL, NULL}};
  return add_suite("engine", tests);
}
