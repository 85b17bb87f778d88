/* tests/test_engine_sampling.c: the engine's periodic samples of its guests
 * (models/engine_report.c eng_sample_handler), read back as the series a
 * reader sees (filled forward, sim_result_series), against the totals the
 * run's summary reports on its own.
 * Units: series values in their signals' units (cycles/s, 1), times in s.
 * Invariants: a rate series is the cumulative value's difference over the
 * sample interval, so the rates summed times the interval give the value at
 * the last sample; for a guest done by then, its total in summary/guests,
 * mechanism by mechanism.  A rate computed for the wrong mechanism, or a
 * change not written, or a guest left out of a sample, breaks the sum. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sim/alloc.h"
#include "tests/cunit_main.h"
#include "tests/fixtures.h"

/* The two hosts both scenarios run on: two cores each, over-committed,
 * one at each fidelity. */
#define TWO_HOSTS                                                                          \
  "host_types:\n"                                                                         \
  "  q: {cores: 2, clock: 2 GHz, memory: 16 GiB, scheduler: credit, allow_overcommit: true,\n" \
  "      disks: [{iops: 20000, bandwidth: 500 MB/s, latency: 100 us}]}\n"                  \
  "  f: {cores: 2, clock: 2 GHz, memory: 16 GiB, fidelity: fluid, allow_overcommit: true,\n"  \
  "      disks: [{iops: 20000, bandwidth: 500 MB/s, latency: 100 us}]}\n"                  \
  "hosts: [{name: hq, type: q}, {name: hf, type: f}]\n"

/* Guests on every technique, so that each mechanism is charged by some and
 * not by others, in unequal amounts: traps (system calls, port I/O), page
 * walks (random memory), translation (new code, bt), hypercalls and
 * hypervisor work (page-table updates, pv and shadow paging), TLB refills
 * (in-guest context switches on an untagged TLB), I/O (disk
 * reads); several vCPUs, a phase at partial demand (the vCPUs block and
 * wake), hosts over-committed (steal) in both fidelities, and guests that
 * finish at different times (settled ones leave the samples). */
static const char scenario[] =
    "name: sampling\n"
    "simulation: {seed: 3, record: {events: false, sample_interval: 50 ms}}\n"
    "calibration: pentium4-2006\n"
    TWO_HOSTS
    "workloads:\n"
    "  mixed:\n"
    "    phases:\n"
    "      - {name: memory, units: 200k, ops: {instructions: 2000, syscalls: 1,"
    " memory: [{count: 4, working_set: 1 GiB, pattern: random}]}}\n"
    "      - {name: kernel, units: 100k, cpu_demand: 0.6, ops: {instructions: 3000, port_io: 1,"
    " pte_updates: 3, new_code_bytes: 64, context_switches: 1}}\n"
    "      - {name: io, units: 20k, ops: {instructions: 5000, disk: {reads: 0.5, request_size: 4 KiB}}}\n"
    "  short:\n"
    "    phases:\n"
    "      - {name: only, units: 50k, ops: {instructions: 4000, syscalls: 2, pte_updates: 1}}\n"
    "guests:\n"
    "  - {name: qa, technique: hvm-ept, vcpus: 2, memory: 1 GiB, host: hq, workload: mixed}\n"
    "  - {name: qb, technique: pv, vcpus: 1, memory: 1 GiB, host: hq, workload: mixed}\n"
    "  - {name: qc, technique: bt, vcpus: 1, memory: 1 GiB, host: hq, workload: short}\n"
    "  - {name: fa, technique: hvm, vcpus: 3, memory: 1 GiB, host: hf, workload: mixed}\n"
    "  - {name: fb, technique: container, vcpus: 2, memory: 1 GiB, host: hf, workload: mixed}\n"
    "  - {name: fc, technique: bt, vcpus: 1, memory: 1 GiB, host: hf, workload: mixed}\n"
    "  - {name: fd, technique: pv, vcpus: 1, memory: 1 GiB, host: hf, workload: short}\n";

static const char *const guest_names[] = {"qa", "qb", "qc", "fa", "fb", "fc", "fd"};
enum { N_GUESTS = sizeof guest_names / sizeof guest_names[0] };

/* The sum of entity `id`'s series of `signal` times `dt_s`, and its number
 * of samples in *n. */
static double series_integral(fx_run *run, const char *signal, int32_t id, double dt_s, size_t *n) {
  double *t = NULL, *v = NULL, sum = 0;
  *n = 0;
  CU_ASSERT_EQUAL_FATAL(sim_result_series(run->r, signal, id, &t, &v, n), 0);
  for (size_t i = 0; i < *n; i++) sum += v[i] * dt_s;
  sim_free(t);
  sim_free(v);
  return sum;
}

/* The row of guest `name` in summary/guests. */
static size_t summary_row(fx_run *run, const char *name) {
  char **names = NULL;
  size_t n = 0, row = 0;
  CU_ASSERT_EQUAL_FATAL(sim_result_column_str(run->r, "summary/guests", "name", &names, &n), 0);
  while (row < n && strcmp(names[row], name)) row++;
  sim_result_free_strings(names, n);
  CU_ASSERT_FATAL(row < n);
  return row;
}

/* Every guest's cycle rates, mechanism by mechanism, sum to its cycles of
 * that mechanism; its steal rates to its steal; its last progress is 1; and
 * every guest has a row at the first sample (its series start there). */
static void test_rates_sum_to_the_totals(void) {
  sim_record_config cfg = {50 * SIM_MS, 0, 1, NULL, 0, 0};
  fx_run run;
  CU_ASSERT_EQUAL_FATAL(fx_run_scenario("sampling", "sampling", scenario, &cfg, NULL, &run), 0);
  const double dt_s = 0.05;
  size_t charged[MECH_COUNT] = {0}, n_first = 0;
  for (size_t k = 0; k < N_GUESTS; k++) {
    size_t gi = summary_row(&run, guest_names[k]);
    int32_t id;
    CU_ASSERT_EQUAL_FATAL(sim_result_entity(run.r, guest_names[k], &id), 0);
    CU_ASSERT(fx_col(run.r, "summary/guests", "time_to_complete_s", gi) > 0); /* done: totals final */
    size_t n_samples = 0;
    for (int m = 0; m < MECH_COUNT; m++) {
      char signal[64], column[64];
      snprintf(signal, sizeof signal, "cycles_%s", mechanism_names[m]);
      snprintf(column, sizeof column, "cycles_%s", mechanism_names[m]);
      double total = fx_col(run.r, "summary/guests", column, gi);
      size_t n = 0;
      double sum = series_integral(&run, signal, id, dt_s, &n);
      CU_ASSERT_DOUBLE_EQUAL(sum, total, 1e-9 * total + 1e-6);
      if (fabs(sum - total) > 1e-9 * total + 1e-6)
        fprintf(stderr, "%s %s: rates sum to %.17g, total %.17g\n", guest_names[k], signal, sum, total);
      charged[m] += total > 0;
      if (m == 0) n_samples = n;
      CU_ASSERT_EQUAL(n, n_samples); /* every signal of the guest from the same first sample */
    }
    size_t n = 0;
    double steal = series_integral(&run, "steal", id, dt_s, &n);
    double steal_s = fx_col(run.r, "summary/guests", "steal_s", gi);
    CU_ASSERT_DOUBLE_EQUAL(steal, steal_s, 1e-9 * steal_s + 1e-12);
    double *t = NULL, *v = NULL;
    CU_ASSERT_EQUAL_FATAL(sim_result_series(run.r, "progress", id, &t, &v, &n), 0);
    CU_ASSERT(n > 2);
    if (n > 0) {
      CU_ASSERT_EQUAL(v[n - 1], 1.0);
      n_first += fabs(t[0] - dt_s) < 1e-12; /* a row at the first sample, one interval in */
    }
    sim_free(t);
    sim_free(v);
  }
  CU_ASSERT_EQUAL(n_first, N_GUESTS);
  /* the scenario charges every mechanism, and each to some guests only */
  for (int m = 0; m < MECH_COUNT; m++) {
    CU_ASSERT(charged[m] > 0);
    if (!charged[m]) fprintf(stderr, "no guest charges %s\n", mechanism_names[m]);
  }
  /* over-committed hosts: some guest waited */
  double steal_all = 0;
  for (size_t gi = 0; gi < N_GUESTS; gi++) steal_all += fx_col(run.r, "summary/guests", "steal_s", gi);
  CU_ASSERT(steal_all > 0);
  fx_run_close(&run);
}

/* Every kept series is written on change: in the rows of /series/<signal>,
 * no entity's value repeats the bits of its previous row, for the cycle
 * rates (compared two mechanisms at once), cpu_share, steal, vcpu_steal and
 * progress alike.  A change test that always reports a change writes
 * repeats (the same series read filled forward, which the sums above do not
 * see); one that misses a change breaks those sums. */
static void test_rows_written_only_on_change(void) {
  sim_record_config cfg = {50 * SIM_MS, 0, 1, NULL, 0, 0};
  fx_run run;
  CU_ASSERT_EQUAL_FATAL(fx_run_scenario("sampling", "sampling", scenario, &cfg, NULL, &run), 0);
  char signals[MECH_COUNT + 4][64] = {"series/progress", "series/cpu_share", "series/steal",
                                      "series/vcpu_steal"};
  for (int m = 0; m < MECH_COUNT; m++)
    snprintf(signals[4 + m], sizeof signals[4 + m], "series/cycles_%s", mechanism_names[m]);
  size_t checked_rows = 0;
  for (size_t k = 0; k < sizeof signals / sizeof signals[0]; k++) {
    int64_t *entity = NULL;
    double *value = NULL;
    size_t n = 0, n_values = 0;
    CU_ASSERT_EQUAL_FATAL(sim_result_column_i64(run.r, signals[k], "entity", &entity, &n), 0);
    CU_ASSERT_EQUAL_FATAL(sim_result_column_f64(run.r, signals[k], "value", &value, &n_values), 0);
    CU_ASSERT_EQUAL_FATAL(n, n_values);
    size_t repeats = 0;
    for (size_t i = 0; i < n; i++) /* an entity's previous row, searched backwards */
      for (size_t j = i; j-- > 0;)
        if (entity[j] == entity[i]) {
          repeats += !memcmp(&value[j], &value[i], sizeof value[i]);
          break;
        }
    CU_ASSERT_EQUAL(repeats, 0);
    if (repeats) fprintf(stderr, "%s: %zu rows repeat their entity's previous value\n", signals[k], repeats);
    CU_ASSERT(n > N_GUESTS);
    checked_rows += n;
    sim_free(entity);
    sim_free(value);
  }
  CU_ASSERT(checked_rows > 0);
  fx_run_close(&run);
}

/* A run keeping some of the signals writes each of them row for row as a
 * run keeping all does: the samples that keep every signal and those that
 * keep a few are computed apart (engine_report.c sample_chain), and each
 * subset leaves out other work (the cumulative values, the cycle rates). */
static void test_a_subset_of_signals_writes_the_same_rows(void) {
  static const char *const subsets[][3] = {{"progress", "cycles_trap", "vcpu_steal"},
                                            {"cpu_share", "steal", "cycles_pagewalk"},
                                            {"progress", "progress", "progress"},
                                            {"vcpu_steal", "vcpu_steal", "vcpu_steal"}};
  sim_record_config all = {50 * SIM_MS, 0, 1, NULL, 0, 0};
  fx_run full;
  CU_ASSERT_EQUAL_FATAL(fx_run_scenario("sampling-all", "sampling", scenario, &all, NULL, &full), 0);
  for (size_t k = 0; k < sizeof subsets / sizeof subsets[0]; k++) {
    sim_record_config cfg = {50 * SIM_MS, 0, 1, subsets[k], 3, 0};
    fx_run part;
    CU_ASSERT_EQUAL_FATAL(fx_run_scenario("sampling-part", "sampling", scenario, &cfg, NULL, &part), 0);
    for (size_t i = 0; i < 3; i++) {
      char path[64];
      snprintf(path, sizeof path, "series/%s", subsets[k][i]);
      double *v_full = NULL, *v_part = NULL;
      int64_t *e_full = NULL, *e_part = NULL;
      size_t n_full = 0, n_part = 0, n;
      CU_ASSERT_EQUAL_FATAL(sim_result_column_f64(full.r, path, "value", &v_full, &n_full), 0);
      CU_ASSERT_EQUAL_FATAL(sim_result_column_f64(part.r, path, "value", &v_part, &n_part), 0);
      CU_ASSERT_EQUAL_FATAL(sim_result_column_i64(full.r, path, "entity", &e_full, &n), 0);
      CU_ASSERT_EQUAL_FATAL(sim_result_column_i64(part.r, path, "entity", &e_part, &n), 0);
      CU_ASSERT(n_full > N_GUESTS);
      CU_ASSERT_EQUAL(n_part, n_full);
      size_t differ = 0;
      for (size_t r = 0; r < n_part && r < n_full; r++)
        differ += e_part[r] != e_full[r] || memcmp(&v_part[r], &v_full[r], sizeof v_part[r]);
      CU_ASSERT_EQUAL(differ, 0);
      if (differ || n_part != n_full)
        fprintf(stderr, "%s: %zu of %zu rows differ from the run keeping every signal (%zu rows)\n", path,
                differ, n_part, n_full);
      sim_free(v_full);
      sim_free(v_part);
      sim_free(e_full);
      sim_free(e_part);
    }
    CU_ASSERT_EQUAL(sim_result_has(part.r, k == 0 ? "series/steal" : "series/cycles_trap"), 0);
    fx_run_close(&part);
  }
  fx_run_close(&full);
}

/* One phase of work whose operations cost the same at each unit: a
 * mechanism charged only per unit has cycles a fixed multiple of the units
 * done, those of runs in progress included (a run's cycles and units are
 * counted pro rata alike), so each interval's cycles of it are its total
 * times the interval's progress.  Hypervisor work is charged per world
 * switch as well (not per unit); binary translation and containers vary
 * their cost per unit (code translated once, TLB refills): the guests on
 * hvm-ept, hvm and pv are checked, on both fidelities. */
static const char proportional[] =
    "name: proportional\n"
    "simulation: {seed: 5, record: {events: false, sample_interval: 20 ms}}\n"
    "calibration: pentium4-2006\n"
    TWO_HOSTS
    "workloads:\n"
    "  steady:\n"
    "    phases:\n"
    "      - {name: only, units: 100k, ops: {instructions: 3000, syscalls: 1, port_io: 1,"
    " pte_updates: 2, new_code_bytes: 32, context_switches: 1,"
    " disk: {reads: 0.2, request_size: 4 KiB}}}\n"
    "guests:\n"
    "  - {name: qa, technique: hvm-ept, vcpus: 2, memory: 1 GiB, host: hq, workload: steady}\n"
    "  - {name: qb, technique: pv, vcpus: 1, memory: 1 GiB, host: hq, workload: steady}\n"
    "  - {name: qc, technique: bt, vcpus: 1, memory: 1 GiB, host: hq, workload: steady}\n"
    "  - {name: fa, technique: hvm, vcpus: 3, memory: 1 GiB, host: hf, workload: steady}\n"
    "  - {name: fb, technique: container, vcpus: 2, memory: 1 GiB, host: hf, workload: steady}\n"
    "  - {name: fc, technique: bt, vcpus: 1, memory: 1 GiB, host: hf, workload: steady}\n"
    "  - {name: fd, technique: pv, vcpus: 1, memory: 1 GiB, host: hf, workload: steady}\n";

static const char *const steady_guests[] = {"qa", "qb", "fa", "fd"};
enum { N_STEADY = sizeof steady_guests / sizeof steady_guests[0] };

static void test_rates_follow_progress(void) {
  sim_record_config cfg = {20 * SIM_MS, 0, 1, NULL, 0, 0};
  fx_run run;
  CU_ASSERT_EQUAL_FATAL(fx_run_scenario("sampling", "proportional", proportional, &cfg, NULL, &run), 0);
  const double dt_s = 0.02;
  size_t checked = 0;
  for (size_t k = 0; k < N_STEADY; k++) {
    size_t gi = summary_row(&run, steady_guests[k]);
    int32_t id;
    CU_ASSERT_EQUAL_FATAL(sim_result_entity(run.r, steady_guests[k], &id), 0);
    double *tp = NULL, *p = NULL;
    size_t np = 0;
    CU_ASSERT_EQUAL_FATAL(sim_result_series(run.r, "progress", id, &tp, &p, &np), 0);
    CU_ASSERT(np > 5);
    for (int m = 0; m < MECH_COUNT; m++) {
      if (m == MECH_HYPERVISOR) continue;
      char signal[64];
      snprintf(signal, sizeof signal, "cycles_%s", mechanism_names[m]);
      double total = fx_col(run.r, "summary/guests", signal, gi);
      double *t = NULL, *v = NULL, worst = 0;
      size_t n = 0;
      CU_ASSERT_EQUAL_FATAL(sim_result_series(run.r, signal, id, &t, &v, &n), 0);
      CU_ASSERT_EQUAL(n, np);
      for (size_t i = 0; i < n && i < np; i++) {
        double dp = p[i] - (i ? p[i - 1] : 0);
        double dev = fabs(v[i] * dt_s - total * dp);
        if (dev > worst) worst = dev;
      }
      CU_ASSERT(worst <= 1e-9 * total);
      if (worst > 1e-9 * total)
        fprintf(stderr, "%s %s: an interval's cycles off by %.3g of the total\n", steady_guests[k], signal,
                worst / total);
      checked += total > 0;
      sim_free(t);
      sim_free(v);
    }
    sim_free(tp);
    sim_free(p);
  }
  CU_ASSERT(checked >= 4 * 3); /* guest, trap and io cycles of each, hypercalls of pv */
  fx_run_close(&run);
}

int register_tests(void) {
  static const test_case tests[] = {
      {"rates sum to the totals", test_rates_sum_to_the_totals},
      {"rates follow progress", test_rates_follow_progress},
      {"rows written only on change", test_rows_written_only_on_change},
      {"a subset of signals writes the same rows", test_a_subset_of_signals_writes_the_same_rows},
      {NULL, NULL}};
  return add_suite("engine_sampling", tests);
}
