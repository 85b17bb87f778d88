/* tests/test_dvfs.c: DVFS (models/dvfs.h, the governors models/dvfs_*.c,
 * their event in a run models/engine_dvfs.c, the `dvfs` key of host types
 * sim/scenario_hosts.c).  The governors' choices at hand-computed loads
 * (ondemand's jumps, conservative's steps); in runs on the fake native
 * technique of tests/fixtures.h (instructions x CPI cycles, nothing else) on
 * a one-core host of P-states 500 MHz / 0.8 V, 1 GHz / 0.9 V and
 * 2 GHz / 1.2 V: a CPU-bound guest takes f_max / f_min as
 * long under powersave as under performance, in both fidelities, and as long
 * under performance as without DVFS; ondemand settles a guest of known work
 * rate on the P-state its rule gives; the energy a lightly loaded host saves
 * under ondemand is what the f V^2 law gives; the loader's values and
 * refusals. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "models/dvfs.h"
#include "models/registry.h"
#include "sim/scenario.h"
#include "tests/cunit_main.h"
#include "tests/fixtures.h"
#include "tests/test_data.h"

/* ---- the governors ---- */

static const double ghz5[] = {1e9, 1.5e9, 2e9, 2.5e9, 3e9};
/* cpufreq's defaults: 80 %, 10 points; 20 %, steps of 5 % of the top */
static const dvfs_policy five = {5, ghz5, 0.8, 0.1, 0.2, 0.05};

static void test_performance_powersave(void) {
  dvfs_memory mem = {0};
  CU_ASSERT_EQUAL(dvfs_performance_ops.start(&five, &mem), 4);
  CU_ASSERT_EQUAL(dvfs_powersave_ops.start(&five, &mem), 0);
  for (size_t cur = 0; cur < 5; cur++) {
    CU_ASSERT_EQUAL(dvfs_performance_ops.next(&five, cur, 0.0, &mem), 4);
    CU_ASSERT_EQUAL(dvfs_powersave_ops.next(&five, cur, 1.0, &mem), 0);
  }
  CU_ASSERT_PTR_EQUAL(model_ops(MODEL_GOVERNOR, "performance"), &dvfs_performance_ops);
  CU_ASSERT_PTR_EQUAL(model_ops(MODEL_GOVERNOR, "powersave"), &dvfs_powersave_ops);
  CU_ASSERT_PTR_EQUAL(model_ops(MODEL_GOVERNOR, "ondemand"), &dvfs_ondemand_ops);
}

/* Up above 80 %; under 70 % down to the lowest P-state at or above
 * load x f_cur / 0.7; between the two it stays. */
static void test_ondemand(void) {
  const dvfs_governor_ops *od = &dvfs_ondemand_ops;
  dvfs_memory mem = {0};
  CU_ASSERT_EQUAL(od->start(&five, &mem), 4);
  CU_ASSERT_EQUAL(od->next(&five, 0, 0.9, &mem), 4);  /* above the threshold: straight to the top */
  CU_ASSERT_EQUAL(od->next(&five, 2, 0.81, &mem), 4);
  CU_ASSERT_EQUAL(od->next(&five, 4, 0.8, &mem), 4);  /* at it: not above, not under 70 %: stays */
  CU_ASSERT_EQUAL(od->next(&five, 2, 0.75, &mem), 2); /* between 70 and 80 %: stays */
  CU_ASSERT_EQUAL(od->next(&five, 4, 0.3, &mem), 1);  /* 0.3 x 3 GHz / 0.7 = 1.29 GHz -> 1.5 GHz (60 % there) */
  CU_ASSERT_EQUAL(od->next(&five, 4, 0.5, &mem), 3);  /* 2.14 GHz -> 2.5 GHz (60 %) */
  CU_ASSERT_EQUAL(od->next(&five, 4, 0.6, &mem), 4);  /* 2.57 GHz -> 3 GHz: stays */
  CU_ASSERT_EQUAL(od->next(&five, 3, 0.2, &mem), 0);  /* 0.71 GHz -> the lowest, 1 GHz */
  CU_ASSERT_EQUAL(od->next(&five, 2, 0.0, &mem), 0);  /* idle */
  CU_ASSERT_EQUAL(od->next(&five, 0, 0.6, &mem), 0);  /* already the lowest */
  CU_ASSERT_EQUAL(od->next(&five, 2, 0.6, &mem), 2);  /* 1.71 GHz -> 2 GHz: stays */
  /* another threshold: 50 % and no differential */
  dvfs_policy p = five;
  p.up_threshold = 0.5;
  p.down_differential = 0;
  CU_ASSERT_EQUAL(od->next(&p, 4, 0.55, &mem), 4);
  CU_ASSERT_EQUAL(od->next(&p, 4, 0.4, &mem), 3); /* 0.4 x 3 / 0.5 = 2.4 GHz -> 2.5 GHz */
  CU_ASSERT_EQUAL(od->next(&p, 1, 0.6, &mem), 4);
}

/* Steps of 5 % of 3 GHz, 150 MHz: the request climbs and falls by them,
 * the P-state follows when the request passes one. */
static void test_conservative(void) {
  const dvfs_governor_ops *cs = &dvfs_conservative_ops;
  dvfs_memory mem = {0};
  CU_ASSERT_EQUAL(cs->start(&five, &mem), 4);
  CU_ASSERT_EQUAL(mem.requested_hz, 3e9);
  CU_ASSERT_EQUAL(cs->next(&five, 4, 0.9, &mem), 4); /* already at the top */
  CU_ASSERT_EQUAL(cs->next(&five, 4, 0.5, &mem), 4); /* between the thresholds */
  CU_ASSERT_EQUAL(mem.requested_hz, 3e9);
  /* under 20 %: 2.85, 2.7, 2.55 GHz -> the lowest at or above: 3, 3, 3 GHz; 2.4 -> 2.5 GHz */
  size_t k = 4;
  for (int i = 0; i < 3; i++) CU_ASSERT_EQUAL(k = cs->next(&five, k, 0.1, &mem), 4);
  CU_ASSERT_EQUAL(k = cs->next(&five, k, 0.1, &mem), 3);
  CU_ASSERT(fabs(mem.requested_hz - 2.4e9) < 1);
  /* above 80 %: 2.55 GHz -> the highest at or below: 2.5 GHz; 2.7 -> 2.5; ... 3 GHz after 4 steps */
  CU_ASSERT_EQUAL(k = cs->next(&five, k, 0.9, &mem), 3);
  CU_ASSERT_EQUAL(k = cs->next(&five, k, 0.9, &mem), 3);
  CU_ASSERT_EQUAL(k = cs->next(&five, k, 0.9, &mem), 3);
  CU_ASSERT_EQUAL(k = cs->next(&five, k, 0.9, &mem), 4);
  CU_ASSERT_EQUAL(mem.requested_hz, 3e9); /* capped */
  /* idle for long: down to 1 GHz and no further */
  for (int i = 0; i < 40; i++) k = cs->next(&five, k, 0.0, &mem);
  CU_ASSERT_EQUAL(k, 0);
  CU_ASSERT_EQUAL(mem.requested_hz, 1e9);
  CU_ASSERT_PTR_EQUAL(model_ops(MODEL_GOVERNOR, "conservative"), &dvfs_conservative_ops);
}

/* ---- runs ---- */

static const char profile[] =
    "profile: {name: dvfs-test, fallback: generic-x86-2020}\n"
    "quantities:\n"
    "  migration.page_size: {value: 4 KiB, source: test}\n"
    "  migration.cpu_state: {value: 16 KiB, source: test}\n"
    "  migration.resume: {value: 10 ms, source: test}\n"
    "  migration.arp: {value: 5 ms, source: test}\n";

#define PSTATES "[{frequency: 500 MHz, voltage: 0.8 V}, {frequency: 1 GHz, voltage: 0.9 V}, " \
                "{frequency: 2 GHz, voltage: 1.2 V}]"

/* duration; fidelity; the dvfs line ("" for none); the guest's workload and
 * start; the datacenter line ("" for none). */
static const char scenario_fmt[] =
    "name: dvfs\n"
    "simulation: {duration: %s}\n"
    "host_types:\n"
    "  t:\n"
    "    cores: 1\n"
    "    clock: 2 GHz\n"
    "    memory: 8 GB\n"
    "    fidelity: %s\n"
    "    nics: [{bandwidth: 1 Gbit/s}]\n"
    "    power: {model: linear, idle: 100 W, max: 200 W}\n"
    "%s"
    "hosts: [{name: h0, type: t}]\n"
    "workloads:\n"
    "  cpu: {phases: [{units: 1000, ops: {instructions: 1000000, cpi: 1.0}}]}\n"
    "  web: {requests: {ops: {instructions: 6000000, cpi: 1.0}, arrivals: {process: deterministic, rate: 100/s}}}\n"
    "guests:\n"
    "  - {name: g, technique: native, host: h0, workload: %s, start: %s}\n"
    "%s";

static int run(const char *duration, const char *fidelity, const char *governor, const char *workload,
               const char *start, const char *datacenter, fx_run *o) {
  char dvfs[512] = "", text[4096];
  if (governor)
    snprintf(dvfs, sizeof dvfs, "    dvfs: {governor: %s, sampling_period: 100 ms, pstates: " PSTATES "}\n",
             governor);
  snprintf(text, sizeof text, scenario_fmt, duration, fidelity, dvfs, workload, start, datacenter);
  sim_record_config cfg = {.sample_interval_ns = 0, .events = 1, .series = 0};
  return fx_run_text("test-dvfs", profile, "dvfs.yaml", text, &cfg, o);
}

/* The CPU-bound guest's time to complete under `governor` (NULL: no DVFS). */
static double cpu_bound_s(const char *fidelity, const char *governor) {
  fx_run o;
  if (run("10 s", fidelity, governor, "cpu", "0 s", "", &o) != 0) return NAN;
  double t = fx_col(o.r, "summary/guests", "time_to_complete_s", 0);
  fx_run_close(&o);
  return t;
}

/* 10^9 cycles: 0.5 s at 2 GHz, 2 s at 500 MHz. */
static void test_clock_slows_guests(void) {
  static const char *const fidelities[] = {"quantum", "fluid"};
  for (size_t i = 0; i < 2; i++) {
    double none = cpu_bound_s(fidelities[i], NULL);
    double perf = cpu_bound_s(fidelities[i], "performance");
    double save = cpu_bound_s(fidelities[i], "powersave");
    CU_ASSERT(fabs(perf - 0.5) < 1e-6);
    CU_ASSERT_EQUAL(perf, none); /* at the top P-state the governor changes nothing */
    /* f_max / f_min = 4, up to the whole ns each run is rounded up to */
    CU_ASSERT(fabs(save / perf - 4.0) < 1e-6);
  }
}

/* The CPU-bound guest starts at 1 s on a host ondemand has lowered to
 * 500 MHz while idle; an uncontended vCPU's run is unbounded, so without
 * re-planning it would run its whole phase at 500 MHz (2 s).  At the sample
 * of 1.1 s (load 1) the host jumps to 2 GHz and the run is re-planned:
 * 5 x 10^7 cycles done at 500 MHz in 0.1 s, the other 9.5 x 10^8 at 2 GHz
 * in 0.475 s. */
static void test_ondemand_speeds_up_a_run(void) {
  static const char *const fidelities[] = {"quantum", "fluid"};
  for (size_t i = 0; i < 2; i++) {
    fx_run o;
    CU_ASSERT_EQUAL_FATAL(run("10 s", fidelities[i], "ondemand", "cpu", "1 s", "", &o), 0);
    double t = fx_col(o.r, "summary/guests", "time_to_complete_s", 0);
    CU_ASSERT(fabs(t - 0.575) < 1e-6);
    fx_run_close(&o);
  }
}

/* 100 requests/s of 6 x 10^6 cycles: 30 % of 2 GHz.  Ondemand goes to the
 * lowest P-state at or above 0.3 x 2 GHz / 0.7 = 857 MHz, 1 GHz, where the
 * load is 60 %: under 70 %, but 0.6 x 1 GHz / 0.7 = 857 MHz again, so it
 * stays there. */
static void test_ondemand_settles(void) {
  static const char *const fidelities[] = {"quantum", "fluid"};
  for (size_t i = 0; i < 2; i++) {
    fx_run o;
    CU_ASSERT_EQUAL_FATAL(run("10 s", fidelities[i], "ondemand", "web", "0 s", "", &o), 0);
    CU_ASSERT_EQUAL(fx_col(o.r, "summary/hosts", "clock_hz", 0), 1e9);
    /* 0.1 s at 30 %, 9.9 s at 60 %: 0.597, give or take the last request */
    double u = fx_col(o.r, "summary/hosts", "utilisation", 0);
    CU_ASSERT(fabs(u - (0.1 * 0.3 + 9.9 * 0.6) / 10) < 0.002);
    fx_run_close(&o);
  }
}

/* The same guest for 100 s under a datacenter section.  Performance: every
 * request's 3 ms at 2 GHz draws 100 W above idle, 0.3 J.  Ondemand: the
 * requests after the first sample (at 0.1 s; those arriving at 0.11 s ...
 * 99.99 s, 9989) take 6 ms at 1 GHz with the dynamic part scaled by
 * (1 GHz x 0.81 V^2) / (2 GHz x 1.44 V^2) = 0.28125: 0.16875 J each.  Idle
 * power is the same in both. */
static void test_ondemand_saves_energy(void) {
  fx_run perf, od;
  CU_ASSERT_EQUAL_FATAL(run("100 s", "quantum", "performance", "web", "0 s", "datacenter: {interval: 50 s}\n", &perf), 0);
  CU_ASSERT_EQUAL_FATAL(run("100 s", "quantum", "ondemand", "web", "0 s", "datacenter: {interval: 50 s}\n", &od), 0);
  double e_perf = fx_col(perf.r, "summary/datacenter", "energy_kwh", 0) * 3.6e6;
  double e_od = fx_col(od.r, "summary/datacenter", "energy_kwh", 0) * 3.6e6;
  double scale = (1e9 * 0.9 * 0.9) / (2e9 * 1.2 * 1.2);
  double saved_per_request = 100.0 * (0.003 - 0.006 * scale);
  double want = 9989 * saved_per_request;
  CU_ASSERT(fabs((e_perf - e_od) - want) < 0.001 * want); /* 1.3 J: one request's share */
  /* and performance draws what the plain power model gives: 100 s idle and
   * 10^4 requests, give or take the one the run's end cuts */
  CU_ASSERT(fabs(e_perf - (100.0 * 100 + 10000 * 0.3)) < 0.5);
  fx_run_close(&perf);
  fx_run_close(&od);
}

/* The same 30 % guest on h0, an ondemand host, beside h1 of the same clock
 * without DVFS, under a THR-0.5 consolidation every 10 s, underload off.
 * Ondemand settles h0 at 1 GHz, where its core is 60 % busy; measured at
 * its clock of the moment it would look overloaded (0.6 > 0.5) and its guest
 * would go to h1 (0.3 there), but at its top P-state it asks 0.3 of its
 * capacity: no migration. */
static void test_consolidation_sees_the_top_pstate(void) {
  static const char text[] =
      "name: dvfs-dc\n"
      "simulation: {duration: 100 s}\n"
      "host_types:\n"
      "  t:\n"
      "    cores: 1\n"
      "    clock: 2 GHz\n"
      "    memory: 8 GB\n"
      "    nics: [{bandwidth: 1 Gbit/s}]\n"
      "    power: {model: linear, idle: 100 W, max: 200 W}\n"
      "    dvfs: {governor: ondemand, sampling_period: 100 ms, pstates: " PSTATES "}\n"
      "  u: {cores: 1, clock: 2 GHz, memory: 8 GB, nics: [{bandwidth: 1 Gbit/s}],\n"
      "      power: {model: linear, idle: 100 W, max: 200 W}}\n"
      "hosts: [{name: h0, type: t}, {name: h1, type: u}]\n"
      "workloads:\n"
      "  web: {requests: {ops: {instructions: 6000000, cpi: 1.0}, arrivals: {process: deterministic, rate: 100/s}}}\n"
      "guests:\n"
      "  - {name: g, technique: native, host: h0, memory: 1 GiB, workload: web}\n"
      "datacenter: {interval: 10 s, overload: {policy: thr, threshold: 0.5}, underload: none}\n";
  sim_record_config cfg = {.sample_interval_ns = 0, .events = 1, .series = 0};
  fx_run o;
  CU_ASSERT_EQUAL_FATAL(fx_run_text("test-dvfs", profile, "dvfs-dc.yaml", text, &cfg, &o), 0);
  CU_ASSERT_EQUAL(fx_col(o.r, "summary/hosts", "clock_hz", 0), 1e9); /* it did slow down */
  CU_ASSERT_EQUAL(fx_col(o.r, "summary/datacenter", "migrations", 0), 0);
  fx_run_close(&o);
}

/* ---- the loader ---- */

static const char load_fmt[] =
    "simulation: {duration: 1 s}\n"
    "host_types: {std: {cores: 2, clock: 2 GHz, memory: 4 GiB, dvfs: %s}}\n"
    "hosts: [{name: h, type: std}]\n"
    "workloads: {w: {phases: [{units: 1, ops: {instructions: 1}}]}}\n"
    "guests: [{name: g, technique: hvm, host: h, workload: w}]\n";

static sim_scenario *load_dvfs(const char *dvfs, char *msg, size_t len, int *line, int *col) {
  char text[2048];
  snprintf(text, sizeof text, load_fmt, dvfs);
  return fx_load_text("d.yaml", text, msg, len, line, col);
}

static void test_loader(void) {
  char msg[512];
  int line = 0, col = 0;
  sim_scenario *s = load_dvfs("{governor: ondemand, pstates: " PSTATES "}", msg, sizeof msg, &line, &col);
  CU_ASSERT_PTR_NOT_NULL_FATAL(s);
  const sim_host_type *t = &s->host_types[0];
  CU_ASSERT_STRING_EQUAL(t->dvfs_governor, "ondemand");
  CU_ASSERT_EQUAL(t->n_pstates, 3);
  CU_ASSERT_EQUAL(t->pstate_hz[0], 500e6);
  CU_ASSERT_EQUAL(t->pstate_hz[2], 2e9);
  CU_ASSERT_EQUAL(t->pstate_volts[1], 0.9);
  CU_ASSERT_EQUAL(t->dvfs_period_ns, 10 * SIM_MS); /* cpufreq's defaults */
  CU_ASSERT_EQUAL(t->dvfs_up_threshold, 0.8);
  CU_ASSERT_EQUAL(t->dvfs_down_differential, 0.1);
  CU_ASSERT_EQUAL(t->dvfs_down_threshold, 0.2);
  CU_ASSERT_EQUAL(t->dvfs_freq_step, 0.05);
  /* 1 GHz x 0.81 over 2 GHz x 1.44 */
  CU_ASSERT(fabs(dvfs_dynamic_scale(t, 1) - 0.28125) < 1e-12);
  CU_ASSERT_EQUAL(dvfs_dynamic_scale(t, 2), 1.0);
  sim_scenario_free(s);
  s = load_dvfs("{governor: ondemand, sampling_period: 50 ms, up_threshold: 95 %, down_differential: 0.03, "
                "pstates: [{frequency: 2 GHz, voltage: 1.2}]}",
                msg, sizeof msg, &line, &col);
  CU_ASSERT_PTR_NOT_NULL_FATAL(s);
  t = &s->host_types[0];
  CU_ASSERT_EQUAL(t->dvfs_period_ns, 50 * SIM_MS);
  CU_ASSERT(fabs(t->dvfs_up_threshold - 0.95) < 1e-12);
  CU_ASSERT(fabs(t->dvfs_down_differential - 0.03) < 1e-12);
  CU_ASSERT_EQUAL(t->n_pstates, 1);
  sim_scenario_free(s);
  /* without the key: no governor */
  s = load_dvfs("null", msg, sizeof msg, &line, &col);
  CU_ASSERT_PTR_NOT_NULL_FATAL(s);
  CU_ASSERT_PTR_NULL(s->host_types[0].dvfs_governor);
  sim_scenario_free(s);

  static const struct {
    const char *dvfs, *message;
    const char *at; /* where the offending node starts in `dvfs` */
  } bad[] = {
      {"{governor: turbo, pstates: [{frequency: 1 GHz, voltage: 1}]}", "unknown DVFS governor 'turbo'", "turbo"},
      {"{pstates: [{frequency: 1 GHz, voltage: 1}]}", "missing key 'governor'", "{"},
      {"{governor: ondemand}", "missing key 'pstates'", "{"},
      {"{governor: ondemand, pstates: []}", "must list 1 to 16 P-states, found 0", "[]"},
      {"{governor: ondemand, pstates: [{frequency: 1 GHz, voltage: 1}, {frequency: 1 GHz, voltage: 1.1}]}",
       "(1 GHz) is not above the one before (1 GHz)", "1 GHz, voltage: 1.1"},
      {"{governor: ondemand, pstates: [{frequency: 3 GHz, voltage: 1}]}", "is above the host type's clock (2 GHz)",
       "3 GHz"},
      {"{governor: ondemand, pstates: [{frequency: 1 GHz, voltage: 1 mV}]}", "must be a voltage", "1 mV"},
      {"{governor: ondemand, pstates: [{frequency: 1 GHz, voltage: 120}]}", "at most 10 V", "120"},
      {"{governor: ondemand, pstates: [{frequency: 1 GHz}]}", "missing key 'voltage'", "{frequency"},
      {"{governor: ondemand, up_threshold: 0, pstates: [{frequency: 1 GHz, voltage: 1}]}",
       "'up_threshold' in dvfs of host type 'std' must be greater than 0 and at most 1", "0,"},
      {"{governor: ondemand, up_threshold: 101 %, pstates: [{frequency: 1 GHz, voltage: 1}]}",
       "must be greater than 0 and at most 1", "101"},
      {"{governor: ondemand, up_threshold: 0.5, down_differential: 0.5, pstates: [{frequency: 1 GHz, voltage: 1}]}",
       "'down_differential' in dvfs of host type 'std' (0.5) must be below 'up_threshold' (0.5)", "0.5, pstates"},
      {"{governor: conservative, up_threshold: 0.3, down_threshold: 0.3, pstates: [{frequency: 1 GHz, voltage: 1}]}",
       "'down_threshold' in dvfs of host type 'std' (0.3) must be below 'up_threshold' (0.3)", "0.3, pstates"},
      {"{governor: conservative, freq_step: 0, pstates: [{frequency: 1 GHz, voltage: 1}]}",
       "'freq_step' in dvfs of host type 'std' must be greater than 0", "0,"},
      {"{governor: ondemand, sampling_period: 0 s, pstates: [{frequency: 1 GHz, voltage: 1}]}", "sampling_period",
       "0 s"},
      {"{governor: ondemand, treshold: 1, pstates: [{frequency: 1 GHz, voltage: 1}]}", "treshold", "treshold"},
  };
  const size_t prefix = strlen("host_types: {std: {cores: 2, clock: 2 GHz, memory: 4 GiB, dvfs: ");
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    s = load_dvfs(bad[i].dvfs, msg, sizeof msg, &line, &col);
    CU_ASSERT_PTR_NULL(s);
    if (!strstr(msg, bad[i].message)) fprintf(stderr, "\n    %s: got '%s'\n", bad[i].dvfs, msg);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, bad[i].message));
    CU_ASSERT_EQUAL(line, 2);
    int want = (int)(prefix + (size_t)(strstr(bad[i].dvfs, bad[i].at) - bad[i].dvfs) + 1);
    if (col != want) fprintf(stderr, "\n    %s: column %d, expected %d\n", bad[i].dvfs, col, want);
    CU_ASSERT_EQUAL(col, want);
    sim_scenario_free(s);
  }
}

int register_tests(void) {
  static const test_case tests[] = {{"performance and powersave", test_performance_powersave},
                                    {"ondemand's choice at known loads", test_ondemand},
                                    {"conservative's steps", test_conservative},
                                    {"the clock slows guests", test_clock_slows_guests},
                                    {"ondemand settles at the expected P-state", test_ondemand_settles},
                                    {"a run is re-planned at a new P-state", test_ondemand_speeds_up_a_run},
                                    {"ondemand saves what f V^2 gives", test_ondemand_saves_energy},
                                    {"consolidation sees the top P-state", test_consolidation_sees_the_top_pstate},
                                    {"the dvfs key of host types", test_loader},
                                    {NULL, NULL}};
  return add_suite("dvfs", tests);
}
