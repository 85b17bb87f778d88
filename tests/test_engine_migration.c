/* tests/test_engine_migration.c: what a live migration does to a guest the
 * engine runs (models/engine_migration.c, models/migration.h).
 * Scenarios are YAML text run on two hosts of one 1 GHz core with the fake
 * native technique of tests/fixtures.h, of known cost (one cycle an
 * instruction, no switch cost), so a unit of 1000 instructions takes exactly
 * 1 us and a guest's time without migration is known by hand.  Checked: a pre-copy migration delays
 * the guest's completion by its downtime and moves it (its later CPU time is
 * charged at the destination, which summary/guests reports), on both the
 * quantum and the fluid fidelity; auto-converge lowers its progress rate
 * while it throttles; post-copy slows it during the degradation tail; the
 * guest's network demand comes from its phase's net operations; a guest
 * paused while queued behind another on a shared core (rr, credit, credit2,
 * CFS, fluid) leaves its scheduler cleanly and its rival speeds up. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/engine.h"
#include "models/registry.h"
#include "models/scheduler.h"
#include "sim/alloc.h"
#include "sim/profile.h"
#include "sim/results.h"
#include "sim/scenario.h"
#include "tests/cunit_main.h"
#include "tests/fixtures.h"
#include "tests/test_data.h"

static const char test_profile[] =
    "profile: {name: engine-migration-test, fallback: generic-x86-2020}\n"
    "quantities:\n"
    "  migration.page_size: {value: 4 KiB, source: test}\n"
    "  migration.cpu_state: {value: 16 KiB, source: test}\n"
    "  migration.resume: {value: 10 ms, source: test}\n"
    "  migration.arp: {value: 5 ms, source: test}\n"
    "  migration.fault: {value: 20 us, source: test}\n";

/* 10 s of work (1e7 units of 1 us) on `src`, migrated to `dst` at 2 s unless
 * `migration` is empty.  %s: the host type's scheduler and fidelity lines,
 * the phase's net operations, its dirty groups, more guests and the
 * migrations. */
static const char scenario_fmt[] =
    "name: engine-migration\n"
    "simulation:\n"
    "  duration: 60 s\n"
    "  record: {sample_interval: 100 ms}\n"
    "host_types:\n"
    "  t:\n"
    "    cores: 1\n"
    "    clock: 1 GHz\n"
    "    memory: 8 GB\n"
    "%s"
    "    nics: [{name: eth0, bandwidth: 1 Gbit/s, latency: 50 us}]\n"
    "hosts:\n"
    "  - {name: src, type: t}\n"
    "  - {name: dst, type: t}\n"
    "workloads:\n"
    "  w:\n"
    "    phases:\n"
    "      - name: main\n"
    "        units: 10000000\n"
    "        ops: {instructions: 1000, cpi: 1.0%s}\n"
    "        dirty: [%s]\n"
    "guests:\n"
    "  - {name: vm, technique: native, vcpus: 1, memory: 64 MB, host: src, workload: w}\n"
    "%s";

/* Result rows are in name order: hosts dst, src; guests rival, vm. */
enum { DST_ROW = 0, SRC_ROW = 1, RIVAL_ROW = 0, VM_ROW = 1 };

#define WORK_S 10.0 /* 1e7 units x 1000 cycles at 1 GHz */
#define AT_S 2.0    /* the migrations' start */

typedef fx_run run_out;

static int run_text(const char *host_type, const char *dirty, unsigned tx_bytes,
                    const char *migration, run_out *o) {
  char text[4096], net[96] = "";
  if (tx_bytes) snprintf(net, sizeof net, ", net: {messages: 1, tx: %u B, rx: 0 B}", tx_bytes);
  snprintf(text, sizeof text, scenario_fmt, host_type, net, dirty, migration);
  sim_record_config cfg = {.sample_interval_ns = 100 * SIM_MS, .events = 1, .series = 1};
  return fx_run_text("test-engmig", test_profile, "engine-migration.yaml", text, &cfg, o);
}

static void run_close(run_out *o) { fx_run_close(o); }

static double col(run_out *o, const char *table, const char *column, size_t row) {
  return fx_col(o->r, table, column, row);
}

static bool str_is(run_out *o, const char *table, const char *column, size_t row,
                   const char *want) {
  char **v = NULL;
  size_t n = 0;
  bool ok =
      sim_result_column_str(o->r, table, column, &v, &n) == 0 && row < n && !strcmp(v[row], want);
  sim_result_free_strings(v, n);
  return ok;
}

/* Whether entity `child`'s parent in /entities is entity `parent` (by name). */
static bool parent_is(run_out *o, const char *child, const char *parent) {
  int32_t c = -1, p = -1;
  double *ids = NULL, *parents = NULL;
  size_t n = 0, m = 0;
  bool ok = false;
  if (sim_result_entity(o->r, child, &c) == 0 && sim_result_entity(o->r, parent, &p) == 0 &&
      sim_result_column_f64(o->r, "entities", "id", &ids, &n) == 0 &&
      sim_result_column_f64(o->r, "entities", "parent", &parents, &m) == 0 && n == m)
    for (size_t i = 0; i < n; i++)
      if (ids[i] == c) ok = parents[i] == p;
  sim_free(ids);
  sim_free(parents);
  return ok;
}

/* Slope of the guest's progress signal (fraction a second) over the sample
 * interval ending at each sample in [t0, t1]: the lowest, or the mean when
 * `mean`. */
static double progress_slope(run_out *o, double t0, double t1, bool mean) {
  int32_t ent;
  double *t = NULL, *v = NULL;
  size_t n = 0;
  double out = NAN, sum = 0;
  size_t k = 0;
  if (sim_result_entity(o->r, "vm", &ent) == 0 &&
      sim_result_series(o->r, "progress", ent, &t, &v, &n) == 0) {
    for (size_t i = 1; i < n; i++) {
      if (t[i - 1] < t0 || t[i] > t1) continue;
      double s = (v[i] - v[i - 1]) / (t[i] - t[i - 1]);
      sum += s;
      k++;
      if (!mean && !(out <= s)) out = s;
    }
  }
  if (mean) out = k ? sum / (double)k : NAN;
  sim_free(t);
  sim_free(v);
  return out;
}

static const char quantum[] = "    scheduler: rr\n";
static const char fluid[] = "    scheduler: rr\n    fidelity: fluid\n";
static const char calm[] = "{pages: 2000, rate: 1 Hz}";
static const char hot[] = "{pages: 12000, rate: 20 Hz}";

/* The guest's time without a migration: exactly its work (no switch cost). */
static void test_baseline_exact(void) {
  run_out o;
  CU_ASSERT_EQUAL_FATAL(run_text(quantum, calm, 0, "", &o), 0);
  CU_ASSERT_DOUBLE_EQUAL(col(&o, "summary/guests", "time_to_complete_s", 0), WORK_S, 1e-6);
  CU_ASSERT(str_is(&o, "summary/guests", "host", 0, "src"));
  CU_ASSERT(parent_is(&o, "vm", "src"));
  run_close(&o);
}

/* Pre-copy: the guest stops for the downtime and no longer, finishes that
 * much later, on the destination, where its CPU time after the switch-over
 * is charged. */
static void check_precopy_moves(const char *fid) {
  run_out o;
  CU_ASSERT_EQUAL_FATAL(
      run_text(fid, calm, 0,
               "migrations:\n  - {name: mig, at: 2 s, guest: vm, to: dst, strategy: precopy,"
               " min_rate: 100 Mbit/s, max_rate: 500 Mbit/s}\n",
               &o),
      0);
  double down = col(&o, "migration/summary", "downtime_s", 0);
  double total = col(&o, "migration/summary", "total_time_s", 0);
  double ttc = col(&o, "summary/guests", "time_to_complete_s", 0);
  CU_ASSERT(down > 0.015); /* at least resume + ARP */
  CU_ASSERT(total > 1 && AT_S + total < WORK_S);
  CU_ASSERT_DOUBLE_EQUAL(ttc - WORK_S, down, 1e-4);
  CU_ASSERT(str_is(&o, "summary/guests", "host", 0, "dst"));
  /* /entities names the host it ended on, as summary/guests does */
  CU_ASSERT(parent_is(&o, "vm", "dst"));
  CU_ASSERT_FALSE(parent_is(&o, "vm", "src"));
  double busy_src = col(&o, "summary/hosts", "busy_s", SRC_ROW);
  double busy_dst = col(&o, "summary/hosts", "busy_s", DST_ROW);
  /* the work is split at the switch-over: before it at the source (less the
   * downtime the guest stood still), after it at the destination */
  double stop = AT_S + total - down; /* the guest stopped here */
  CU_ASSERT_DOUBLE_EQUAL(busy_src, stop, 1e-3);
  CU_ASSERT_DOUBLE_EQUAL(busy_dst, WORK_S - stop, 1e-3);
  CU_ASSERT_DOUBLE_EQUAL(busy_src + busy_dst, WORK_S, 1e-4);
  /* the downtime shows in the progress series as a dip of the interval
   * holding it, to below (1 - downtime / interval) of the steady slope */
  double before = progress_slope(&o, 0.5, AT_S, true);
  CU_ASSERT_DOUBLE_EQUAL(before, 1 / WORK_S, 1e-3);
  double dip = progress_slope(&o, AT_S, AT_S + total + 0.2, false);
  CU_ASSERT(dip < before * (1 - 0.9 * down / 0.1));
  run_close(&o);
}

/* A migration still running when the run ends keeps its summary row
 * (status unfinished) beside the rounds it completed.  (One that would
 * begin at or after the end is refused by the loader.) */
static void test_unfinished_recorded(void) {
  run_out o;
  CU_ASSERT_EQUAL_FATAL(
      run_text(quantum, calm, 0,
               "migrations:\n  - {name: slow, at: 2 s, guest: vm, to: dst, strategy: precopy,"
               " min_rate: 8 Mbit/s, max_rate: 8 Mbit/s}\n",
               &o),
      0);
  size_t rows = 0;
  CU_ASSERT_EQUAL(sim_result_table_rows(o.r, "migration/summary", &rows), 0);
  CU_ASSERT_EQUAL_FATAL(rows, 1);
  CU_ASSERT(str_is(&o, "migration/summary", "migration", 0, "slow"));
  CU_ASSERT(str_is(&o, "migration/summary", "status", 0, "unfinished"));
  CU_ASSERT(isnan(col(&o, "migration/summary", "total_time_s", 0)));
  /* at most 64 MiB at 8 Mbit/s, less what round 0 skipped: it ended before
   * the run's 60 s; round 1 did not */
  CU_ASSERT_EQUAL(col(&o, "migration/summary", "rounds", 0), 1);
  double first = col(&o, "migration/summary", "first_round_s", 0);
  CU_ASSERT(first > 45 && first < 58);
  CU_ASSERT_EQUAL(sim_result_table_rows(o.r, "migration/rounds", &rows), 0);
  CU_ASSERT_EQUAL(rows, 1);
  /* the guest never left its host */
  CU_ASSERT(str_is(&o, "summary/guests", "host", 0, "src"));
  run_close(&o);
}

static void test_precopy_moves_quantum(void) { check_precopy_moves(quantum); }
static void test_precopy_moves_fluid(void) { check_precopy_moves(fluid); }

/* Auto-converge: a guest dirtying faster than the stream sends is
 * throttled; while throttled it progresses more slowly, so it finishes
 * later than by its downtime alone. */
static void test_auto_converge_throttles(void) {
  run_out o;
  CU_ASSERT_EQUAL_FATAL(
      run_text(quantum, hot, 0,
               "migrations:\n  - {name: mig, at: 2 s, guest: vm, to: dst, strategy: precopy,"
               " min_rate: 100 Mbit/s, max_rate: 500 Mbit/s, max_downtime: 300 ms,"
               " auto_converge: true}\n",
               &o),
      0);
  double down = col(&o, "migration/summary", "downtime_s", 0);
  double total = col(&o, "migration/summary", "total_time_s", 0);
  double ttc = col(&o, "summary/guests", "time_to_complete_s", 0);
  double min_service = col(&o, "migration/summary", "min_service", 0);
  CU_ASSERT(min_service < 0.8); /* throttled from 20%, and stopped for the downtime */
  CU_ASSERT(ttc - WORK_S > down + 0.05);
  double before = progress_slope(&o, 0.5, AT_S, true);
  double during = progress_slope(&o, AT_S, AT_S + total - down, false);
  CU_ASSERT(during < 0.85 * before);
  CU_ASSERT(during > 0);
  /* after the migration the throttle is lifted: full speed again */
  double after = progress_slope(&o, AT_S + total + 0.2, AT_S + total + 1.2, true);
  CU_ASSERT_DOUBLE_EQUAL(after, before, 1e-3);
  CU_ASSERT(str_is(&o, "summary/guests", "host", 0, "dst"));
  run_close(&o);
}

/* Post-copy: milliseconds of downtime, then a tail during which remote
 * faults slow the guest (it runs at the destination already). */
static void test_postcopy_tail_slows(void) {
  run_out o;
  CU_ASSERT_EQUAL_FATAL(
      run_text(quantum, hot, 0,
               "migrations:\n  - {name: mig, at: 2 s, guest: vm, to: dst, strategy: postcopy,"
               " min_rate: 100 Mbit/s, max_rate: 500 Mbit/s}\n",
               &o),
      0);
  double down = col(&o, "migration/summary", "downtime_s", 0);
  double total = col(&o, "migration/summary", "total_time_s", 0);
  double ttc = col(&o, "summary/guests", "time_to_complete_s", 0);
  CU_ASSERT(down < 0.1);
  CU_ASSERT(total > 0.5);
  CU_ASSERT(col(&o, "migration/summary", "min_service", 0) < 1);
  CU_ASSERT(ttc - WORK_S > down + 1e-3);
  double before = progress_slope(&o, 0.5, AT_S, true);
  double tail = progress_slope(&o, AT_S + 0.2, AT_S + total, true);
  CU_ASSERT(tail < 0.99 * before);
  CU_ASSERT(tail > 0);
  CU_ASSERT(str_is(&o, "summary/guests", "host", 0, "dst"));
  CU_ASSERT(col(&o, "summary/hosts", "busy_s", DST_ROW) > WORK_S - AT_S - total);
  run_close(&o);
}

/* The guest's network demand is its own: its unimpeded units per second
 * (measured without a migration; the I/O path's CPU cost per message counts)
 * times 25 B x 8 a unit, far under its fair share of the NIC beside the 500
 * Mbit/s stream, so it keeps all of it; without the engine's word it would
 * be taken to want the whole NIC and get about half of it. */
static void test_net_demand_from_phase(void) {
  run_out o;
  CU_ASSERT_EQUAL_FATAL(run_text(quantum, calm, 25, "", &o), 0);
  double units_per_s = col(&o, "summary/guests", "throughput_units_per_s", 0);
  run_close(&o);
  double demand = units_per_s * 25 * 8;
  CU_ASSERT(demand > 1e6 && demand < 250e6);
  CU_ASSERT_EQUAL_FATAL(
      run_text(quantum, calm, 25,
               "migrations:\n  - {name: mig, at: 2 s, guest: vm, to: dst, strategy: precopy,"
               " min_rate: 100 Mbit/s, max_rate: 500 Mbit/s}\n",
               &o),
      0);
  double bps = col(&o, "migration/summary", "guest_throughput_bps", 0);
  CU_ASSERT(fabs(bps - demand) / demand < 0.01);
  CU_ASSERT(col(&o, "migration/summary", "min_service", 0) == 0); /* the downtime */
  run_close(&o);
}

/* Two guests share the source's one core under each scheduler: when `vm`
 * is paused its vCPU is often queued, and the scheduler's entry must be
 * dropped, not run; once `vm` has moved, `rival` has the core to itself and
 * finishes sooner than when they share it all along, while `vm` finishes on
 * the destination.  Both hosts' busy time adds up to the work done. */
static void check_contended_move(const char *sched) {
  char type[96];
  snprintf(type, sizeof type, "    scheduler: %s\n    allow_overcommit: true\n", sched);
  const char *rival =
      "  - {name: rival, technique: native, vcpus: 1, memory: 64 MB, host: src, workload: w}\n";
  char with_mig[512];
  snprintf(with_mig, sizeof with_mig,
           "%smigrations:\n  - {name: mig, at: 2 s, guest: vm, to: dst, strategy: precopy,"
           " min_rate: 100 Mbit/s, max_rate: 500 Mbit/s}\n",
           rival);
  run_out o;
  CU_ASSERT_EQUAL_FATAL(run_text(type, calm, 0, rival, &o), 0);
  double shared_rival = col(&o, "summary/guests", "time_to_complete_s", RIVAL_ROW);
  CU_ASSERT(shared_rival > 1.9 * WORK_S); /* two guests, one core */
  run_close(&o);
  CU_ASSERT_EQUAL_FATAL(run_text(type, calm, 0, with_mig, &o), 0);
  double total = col(&o, "migration/summary", "total_time_s", 0);
  double down = col(&o, "migration/summary", "downtime_s", 0);
  double vm = col(&o, "summary/guests", "time_to_complete_s", VM_ROW);
  double rv = col(&o, "summary/guests", "time_to_complete_s", RIVAL_ROW);
  CU_ASSERT(str_is(&o, "summary/guests", "host", VM_ROW, "dst"));
  CU_ASSERT(str_is(&o, "summary/guests", "host", RIVAL_ROW, "src"));
  CU_ASSERT(rv < shared_rival - 1);
  /* vm had about half the core until it stopped, then a core of its own */
  double stop = AT_S + total - down;
  CU_ASSERT(vm > WORK_S + 0.5 * stop - 1 && vm < WORK_S + 0.5 * stop + 1);
  double busy = col(&o, "summary/hosts", "busy_s", 0) + col(&o, "summary/hosts", "busy_s", 1);
  double units = col(&o, "summary/guests", "units", 0) + col(&o, "summary/guests", "units", 1);
  CU_ASSERT_DOUBLE_EQUAL(units, 2e7, 1);
  CU_ASSERT(busy >= 2 * WORK_S - 1e-6 && busy < 2 * WORK_S * 1.01); /* work + switches */
  run_close(&o);
}

static void test_contended_move_rr(void) { check_contended_move("rr"); }
static void test_contended_move_credit(void) { check_contended_move("credit"); }
static void test_contended_move_credit2(void) { check_contended_move("credit2"); }
static void test_contended_move_cfs(void) { check_contended_move("cfs"); }
static void test_contended_move_fluid(void) { check_contended_move("credit\n    fidelity: fluid"); }

int register_tests(void) {
  static const test_case tests[] = {
      {"baseline: exact time without migration", test_baseline_exact},
      {"migration unfinished at the run's end: recorded", test_unfinished_recorded},
      {"migration pre-copy: delayed by the downtime, moved (quantum)", test_precopy_moves_quantum},
      {"migration pre-copy: delayed by the downtime, moved (fluid)", test_precopy_moves_fluid},
      {"migration auto-converge: slower while throttled", test_auto_converge_throttles},
      {"migration post-copy: slower during the tail", test_postcopy_tail_slows},
      {"migration: the guest's network demand from its phase", test_net_demand_from_phase},
      {"migration from a shared core: rr", test_contended_move_rr},
      {"migration from a shared core: credit", test_contended_move_credit},
      {"migration from a shared core: credit2", test_contended_move_credit2},
      {"migration from a shared core: cfs", test_contended_move_cfs},
      {"migration from a shared core: fluid", test_contended_move_fluid},
      {NULL, NULL}};
  return add_suite("engine_migration", tests);
}
