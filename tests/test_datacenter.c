/* tests/test_datacenter.c: dynamic consolidation in a run
 * (models/engine_dc.c): scenarios of a few one- or two-core hosts with a
 * linear power model (100 W idle, 200 W busy) and guests of constant CPU
 * demand (a repeating phase at cpu_demand, fluid fidelity), on the fake
 * native technique of tests/fixtures.h.  Checked against hand-computed
 * values: the energy of a host at a known load; an overloaded host (THR)
 * loses the VM with the smallest memory (MMT) to a host that is switched on
 * for it, and the SLA metrics see the overload and the migration; lightly
 * loaded hosts are emptied onto one and switched off, which saves energy
 * against the same run with hosts kept on; the mapping over time and the
 * engine's own summary/guests agree on where each guest ended; a guest's
 * set-up costs the same however many hosts there are; a rated trace asks
 * its rate over the host's clock; a guest whose lifetime ends frees its host,
 * which is switched off, or when its migration ends if it ends during one;
 * an arriving guest is placed at its arrival, or rejected when no host has
 * room; each host's power series integrates to its energy; with `memory: placement-only` consolidation packs VMs memory would
 * keep apart. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/engine.h"
#include "models/registry.h"
#include "sim/alloc.h"
#include "sim/profile.h"
#include "sim/results.h"
#include "sim/scenario.h"
#include "tests/cunit_main.h"
#include "tests/fixtures.h"
#include "tests/test_data.h"

static const char test_profile[] =
    "profile: {name: datacenter-test, fallback: generic-x86-2020}\n"
    "quantities:\n"
    "  migration.page_size: {value: 4 KiB, source: test}\n"
    "  migration.cpu_state: {value: 16 KiB, source: test}\n"
    "  migration.resume: {value: 10 ms, source: test}\n"
    "  migration.arp: {value: 5 ms, source: test}\n";

/* %u cores; %s more host-type lines; hosts; guests; the datacenter section. */
static const char scenario_fmt[] =
    "name: datacenter\n"
    "simulation: {duration: %s}\n"
    "host_types:\n"
    "  t:\n"
    "    cores: %u\n"
    "    clock: 1 GHz\n"
    "    memory: 8 GB\n"
    "    fidelity: fluid\n"
    "    allow_overcommit: true\n"
    "    nics: [{bandwidth: 1 Gbit/s}]\n"
    "    power: {model: linear, idle: 100 W, max: 200 W}\n"
    "hosts: [{name: \"h{i}\", type: t, count: %u}]\n"
    "workloads:\n"
    "  w20: {repeat: true, phases: [{duration: 1 s, cpu_demand: 0.2, ops: {instructions: 1000, cpi: 1.0}}]}\n"
    "  w50: {repeat: true, phases: [{duration: 1 s, cpu_demand: 0.5, ops: {instructions: 1000, cpi: 1.0}}]}\n"
    "guests:\n"
    "%s"
    "datacenter: {%s}\n";

typedef fx_run run_out;

static int run_text(const char *duration, unsigned cores, unsigned hosts, const char *guests,
                    const char *datacenter, run_out *o) {
  char text[4096];
  snprintf(text, sizeof text, scenario_fmt, duration, cores, hosts, guests, datacenter);
  sim_record_config cfg = {.sample_interval_ns = 10 * SIM_S, .events = 1, .series = 0};
  return fx_run_text("test-dc", test_profile, "dc.yaml", text, &cfg, o);
}

static void run_close(run_out *o) { fx_run_close(o); }

static double col(run_out *o, const char *table, const char *column, size_t row) {
  return fx_col(o->r, table, column, row);
}

/* Row `row` of a string column, into buf ("" when absent). */
static const char *str(run_out *o, const char *table, const char *column, size_t row, char *buf, size_t len) {
  char **v = NULL;
  size_t n = 0;
  buf[0] = '\0';
  if (sim_result_column_str(o->r, table, column, &v, &n) == 0 && row < n) snprintf(buf, len, "%s", v[row]);
  sim_result_free_strings(v, n);
  return buf;
}

static size_t rows(run_out *o, const char *table) {
  size_t n = 0;
  return sim_result_table_rows(o->r, table, &n) == 0 ? n : 0;
}

/* One core at half load for 1000 s: 150 W, 0.15 MJ = 0.04167 kWh. */
static void test_energy_at_known_load(void) {
  run_out o;
  CU_ASSERT_EQUAL_FATAL(run_text("1000 s", 1, 1, "  - {name: a, technique: native, host: h0, workload: w50}\n",
                                 "interval: 300 s", &o),
                        0);
  double kwh = col(&o, "summary/datacenter", "energy_kwh", 0);
  CU_ASSERT(fabs(kwh - 150.0 * 1000 / 3.6e6) < 0.01 * kwh);
  CU_ASSERT_EQUAL(col(&o, "summary/datacenter", "migrations", 0), 0); /* nowhere to go */
  CU_ASSERT_EQUAL(col(&o, "summary/datacenter", "slatah", 0), 0);
  CU_ASSERT_EQUAL(col(&o, "datacenter/hosts", "active_s", 0), 1000);
  CU_ASSERT_EQUAL(rows(&o, "datacenter/placement"), 1);
  run_close(&o);
}

/* The same overload under maximum correlation, the one selection that reads
 * the guests' utilisation histories (kept only for it): one of the two
 * moves, after a first interval whose history it read. */
static void test_overload_under_mc(void) {
  run_out o;
  CU_ASSERT_EQUAL_FATAL(run_text("1000 s", 1, 2,
                                 "  - {name: big, technique: native, memory: 512 MB, host: h0, workload: w50}\n"
                                 "  - {name: small, technique: native, memory: 64 MB, host: h0, workload: w50}\n",
                                 "interval: 300 s, overload: {policy: thr, threshold: 0.8}, vm_selection: mc", &o),
                        0);
  CU_ASSERT_EQUAL(rows(&o, "datacenter/migrations"), 1);
  CU_ASSERT_EQUAL(col(&o, "datacenter/migrations", "start_s", 0), 300);
  run_close(&o);
}

/* Two guests at 0.5 of the one core of h0: it is overloaded (THR 0.8); MMT
 * sends the one with less memory to h1, switched on for it. */
static void test_overload_moves_smallest(void) {
  run_out o;
  char buf[SIM_STR_CELL];
  CU_ASSERT_EQUAL_FATAL(run_text("1000 s", 1, 2,
                                 "  - {name: big, technique: native, memory: 512 MB, host: h0, workload: w50}\n"
                                 "  - {name: small, technique: native, memory: 64 MB, host: h0, workload: w50}\n",
                                 "interval: 300 s, overload: {policy: thr, threshold: 0.8}, vm_selection: mmt", &o),
                        0);
  CU_ASSERT_EQUAL_FATAL(rows(&o, "datacenter/migrations"), 1);
  CU_ASSERT_STRING_EQUAL(str(&o, "datacenter/migrations", "guest", 0, buf, sizeof buf), "small");
  CU_ASSERT_STRING_EQUAL(str(&o, "datacenter/migrations", "reason", 0, buf, sizeof buf), "overload");
  CU_ASSERT_STRING_EQUAL(str(&o, "datacenter/migrations", "destination", 0, buf, sizeof buf), "h1");
  CU_ASSERT_EQUAL(col(&o, "datacenter/migrations", "start_s", 0), 300);
  /* 64 MB at the pre-copy's 100 Mbit/s first round: about 5.4 s */
  double dur = col(&o, "datacenter/migrations", "duration_s", 0);
  CU_ASSERT(dur > 5 && dur < 7);
  CU_ASSERT(col(&o, "datacenter/migrations", "bytes", 0) >= 64e6);
  CU_ASSERT_EQUAL(col(&o, "datacenter/hosts", "boots", 1), 1);
  /* after the move each host is at 0.5: no further migration (PABFD would
   * overload the other), and nothing is switched off */
  CU_ASSERT_EQUAL(col(&o, "summary/datacenter", "shutdowns", 0), 0);
  /* h0 ran full for the first interval (and until the move): SLATAH and PDM see it */
  CU_ASSERT(col(&o, "datacenter/hosts", "full_s", 0) >= 300);
  CU_ASSERT(col(&o, "summary/datacenter", "slatah", 0) > 0.1);
  CU_ASSERT(col(&o, "summary/datacenter", "pdm", 0) > 0);
  CU_ASSERT(fabs(col(&o, "summary/datacenter", "slav", 0) -
                 col(&o, "summary/datacenter", "slatah", 0) * col(&o, "summary/datacenter", "pdm", 0)) < 1e-15);
  /* the mapping and the engine's summary agree */
  CU_ASSERT_EQUAL(rows(&o, "datacenter/placement"), 3);
  CU_ASSERT_STRING_EQUAL(str(&o, "datacenter/placement", "host", 2, buf, sizeof buf), "h1");
  CU_ASSERT_STRING_EQUAL(str(&o, "summary/guests", "host", 1, buf, sizeof buf), "h1");
  run_close(&o);
}

/* Three guests at 0.2 of a core on three two-core hosts: the underload
 * detector empties hosts onto one (0.3 of its capacity), the other two are
 * switched off, and the data center draws less than with all kept on. */
static void test_underload_switches_off(void) {
  static const char guests[] = "  - {name: a, technique: native, host: h0, workload: w20}\n"
                               "  - {name: b, technique: native, host: h1, workload: w20}\n"
                               "  - {name: c, technique: native, host: h2, workload: w20}\n";
  run_out on, off;
  char buf[SIM_STR_CELL], last[SIM_STR_CELL];
  CU_ASSERT_EQUAL_FATAL(run_text("3600 s", 2, 3, guests, "switch_off: true", &off), 0);
  CU_ASSERT_EQUAL_FATAL(run_text("3600 s", 2, 3, guests, "switch_off: false", &on), 0);
  CU_ASSERT_EQUAL(col(&off, "summary/datacenter", "shutdowns", 0), 2);
  CU_ASSERT_EQUAL(col(&off, "summary/datacenter", "migrations", 0), 2);
  CU_ASSERT_STRING_EQUAL(str(&off, "datacenter/migrations", "reason", 0, buf, sizeof buf), "underload");
  /* every guest's last placement is the same host */
  size_t n = rows(&off, "datacenter/placement");
  CU_ASSERT_EQUAL_FATAL(n, 5);
  str(&off, "datacenter/placement", "host", 4, last, sizeof last);
  CU_ASSERT_STRING_EQUAL(str(&off, "datacenter/placement", "host", 3, buf, sizeof buf), last);
  for (int g = 0; g < 3; g++) CU_ASSERT_STRING_EQUAL(str(&off, "summary/guests", "host", (size_t)g, buf, sizeof buf), last);
  /* one host at 0.3 all hour (150 W... 130 W) against three at 0.1 (110 W each) */
  double e_off = col(&off, "summary/datacenter", "energy_kwh", 0), e_on = col(&on, "summary/datacenter", "energy_kwh", 0);
  CU_ASSERT(e_off < 0.5 * e_on);
  CU_ASSERT(fabs(e_on - 3 * 110.0 * 3600 / 3.6e6) < 0.02 * e_on);
  CU_ASSERT_EQUAL(col(&on, "summary/datacenter", "shutdowns", 0), 0);
  run_close(&off);
  run_close(&on);
}

/* Three guests at 0.2 of a core, of 5 GB each, on three two-core hosts of
 * 8 GB: with memory reserved no two share a host, so nothing moves; with
 * `memory: placement-only` the initial placement still keeps them apart
 * (each VM's own memory counts where it is first placed), but
 * consolidation ignores memory and empties two hosts onto the third. */
static void test_memory_placement_only(void) {
  static const char guests[] = "  - {name: a, technique: native, memory: 5 GB, host: h0, workload: w20}\n"
                               "  - {name: b, technique: native, memory: 5 GB, host: h1, workload: w20}\n"
                               "  - {name: c, technique: native, memory: 5 GB, host: h2, workload: w20}\n";
  run_out reserved, loose;
  char buf[SIM_STR_CELL];
  CU_ASSERT_EQUAL_FATAL(run_text("3600 s", 2, 3, guests, "place_at_start: true, memory: reserved", &reserved), 0);
  CU_ASSERT_EQUAL_FATAL(run_text("3600 s", 2, 3, guests, "place_at_start: true, memory: placement-only", &loose), 0);
  CU_ASSERT_EQUAL(col(&reserved, "summary/datacenter", "migrations", 0), 0);
  CU_ASSERT_EQUAL(col(&reserved, "summary/datacenter", "shutdowns", 0), 0);
  /* placed apart at the start (rows 0-2: three hosts), then gathered */
  for (size_t r = 0; r < 3; r++) {
    char want[8];
    snprintf(want, sizeof want, "h%zu", r);
    CU_ASSERT_STRING_EQUAL(str(&loose, "datacenter/placement", "host", r, buf, sizeof buf), want);
  }
  CU_ASSERT_EQUAL(col(&loose, "summary/datacenter", "migrations", 0), 2);
  CU_ASSERT_EQUAL(col(&loose, "summary/datacenter", "shutdowns", 0), 2);
  CU_ASSERT(col(&loose, "summary/datacenter", "energy_kwh", 0) < 0.6 * col(&reserved, "summary/datacenter", "energy_kwh", 0));
  run_close(&reserved);
  run_close(&loose);
}

/* series/host_power_w integrates, host by host, to the host's energy in
 * datacenter/hosts: three hosts of which two are emptied and switched off
 * (their power falls to 0) and one takes their guests, with an arrival in
 * between whose accounting splits an interval. */
static void test_power_series_integrates_to_energy(void) {
  static const char guests[] = "  - {name: a, technique: native, host: h0, workload: w20}\n"
                               "  - {name: b, technique: native, host: h1, workload: w50}\n"
                               "  - {name: c, technique: native, host: h2, workload: w20}\n"
                               "  - {name: d, technique: native, host: h2, workload: w20,\n"
                               "     arrival: {process: deterministic, rate: 1/450 s}}\n";
  char text[4096];
  snprintf(text, sizeof text, scenario_fmt, "3600 s", 2u, 3u, guests, "switch_off: true");
  sim_record_config cfg = {.sample_interval_ns = 10 * SIM_S, .events = 0, .series = 1};
  run_out o;
  CU_ASSERT_EQUAL_FATAL(fx_run_text("test-dc", test_profile, "dc.yaml", text, &cfg, &o), 0);
  int64_t interval_ns = 0;
  CU_ASSERT_EQUAL(sim_result_series_on_change(o.r, "series/host_power_w", &interval_ns), 1);
  int64_t *t = NULL, *ent = NULL;
  double *w = NULL;
  size_t n = 0, m = 0, k = 0;
  CU_ASSERT_EQUAL_FATAL(sim_result_column_i64(o.r, "series/host_power_w", "time_ns", &t, &n), 0);
  CU_ASSERT_EQUAL_FATAL(sim_result_column_i64(o.r, "series/host_power_w", "entity", &ent, &m), 0);
  CU_ASSERT_EQUAL_FATAL(sim_result_column_f64(o.r, "series/host_power_w", "value", &w, &k), 0);
  CU_ASSERT_FATAL(n == m && n == k && n > 3);
  int switched_off = 0;
  for (size_t h = 0; h < 3; h++) {
    char name[8];
    snprintf(name, sizeof name, "h%zu", h);
    int32_t id = -1;
    CU_ASSERT_FATAL(sim_result_entity(o.r, name, &id) == 0);
    /* a value holds from its row to the host's next; the last row is at the end */
    double joules = 0, last_t = -1, last_w = 0;
    for (size_t i = 0; i < n; i++) {
      if (ent[i] != id) continue;
      if (last_t >= 0) joules += last_w * ((double)t[i] * 1e-9 - last_t);
      last_t = (double)t[i] * 1e-9;
      last_w = w[i];
      switched_off += w[i] == 0;
    }
    CU_ASSERT_EQUAL(last_t, 3600);
    double kwh = col(&o, "datacenter/hosts", "energy_kwh", h);
    CU_ASSERT(kwh > 0);
    CU_ASSERT(fabs(joules / 3.6e6 - kwh) <= 1e-9 * kwh);
  }
  CU_ASSERT(switched_off > 0);
  sim_free(t);
  sim_free(ent);
  sim_free(w);
  run_close(&o);
}

/* The same three guests placed by PABFD before they start: the first goes
 * to h0 (all hosts equal and off), the others follow it (10 W more each
 * against 120 W to wake a host), so no migration and no shutdown follow:
 * one host at 0.3, 130 W, all hour. */
static void test_place_at_start(void) {
  static const char guests[] = "  - {name: a, technique: native, host: h2, workload: w20}\n"
                               "  - {name: b, technique: native, host: h1, workload: w20}\n"
                               "  - {name: c, technique: native, host: h2, workload: w20}\n";
  run_out o;
  char buf[SIM_STR_CELL];
  CU_ASSERT_EQUAL_FATAL(run_text("3600 s", 2, 3, guests, "placement: pabfd, place_at_start: true", &o), 0);
  CU_ASSERT_EQUAL_FATAL(rows(&o, "datacenter/placement"), 3);
  for (size_t g = 0; g < 3; g++) {
    CU_ASSERT_EQUAL(col(&o, "datacenter/placement", "time_s", g), 0);
    CU_ASSERT_STRING_EQUAL(str(&o, "datacenter/placement", "host", g, buf, sizeof buf), "h0");
    CU_ASSERT_STRING_EQUAL(str(&o, "summary/guests", "host", g, buf, sizeof buf), "h0");
  }
  CU_ASSERT_EQUAL(col(&o, "summary/datacenter", "migrations", 0), 0);
  CU_ASSERT_EQUAL(col(&o, "summary/datacenter", "shutdowns", 0), 0);
  CU_ASSERT_EQUAL(col(&o, "datacenter/hosts", "active_s", 1), 0);
  double kwh = col(&o, "summary/datacenter", "energy_kwh", 0);
  CU_ASSERT(fabs(kwh - 130.0 * 3600 / 3.6e6) < 0.01 * kwh);
  /* the guests did their work on h0 */
  CU_ASSERT(fabs(col(&o, "summary/hosts", "busy_s", 0) - 3 * 0.2 * 3600) < 1);
  run_close(&o);
}

/* A trace at 80 % all along on a 1 GHz and a 2 GHz host, read by a guest
 * rated 1000 MIPS at CPI 1: 800e6 instructions/s, 0.8 of a 1 GHz core and 0.4
 * of a 2 GHz one; unrated, 80 % is 0.8 of either core.  The guest starts on
 * the slow host; with `rated` it asks 1.6 of a 1 GHz core, clamped to 1. */
static double rated_busy(const char *rated, double *busy_fast) {
  char trace[] = "/tmp/vdcsim-test-dc-trace-XXXXXX";
  int fd = mkstemp(trace);
  CU_ASSERT_FATAL(fd >= 0);
  for (int i = 0; i < 10; i++) CU_ASSERT_EQUAL(write(fd, "80\n", 3), 3);
  close(fd);
  char text[2048];
  snprintf(text, sizeof text,
           "name: rated\n"
           "simulation: {duration: 1000 s}\n"
           "host_types:\n"
           "  slow: {cores: 1, clock: 1 GHz, memory: 8 GB, fidelity: fluid, nics: [{bandwidth: 1 Gbit/s}]}\n"
           "  fast: {cores: 1, clock: 2 GHz, memory: 8 GB, fidelity: fluid, nics: [{bandwidth: 1 Gbit/s}]}\n"
           "hosts: [{name: s, type: slow}, {name: f, type: fast}]\n"
           "workloads: {t: {trace: {file: %s, interval: 100 s}, phases: [{duration: 100 s, ops: {instructions: 1000, cpi: 1.0}}]}}\n"
           "guests:\n"
           "  - {name: a, technique: native, host: s, workload: t%s}\n"
           "  - {name: b, technique: native, host: f, workload: t%s}\n",
           trace, rated, rated);
  sim_record_config cfg = {.sample_interval_ns = 10 * SIM_S, .events = 0, .series = 0};
  run_out o;
  int rc = fx_run_text("test-dc", test_profile, "rated.yaml", text, &cfg, &o);
  unlink(trace);
  CU_ASSERT_EQUAL_FATAL(rc, 0);
  /* rows in name order: f, then s */
  double slow = col(&o, "summary/hosts", "busy_s", 1);
  *busy_fast = col(&o, "summary/hosts", "busy_s", 0);
  run_close(&o);
  return slow;
}

static void test_rated_speed(void) {
  double fast, slow = rated_busy("", &fast);
  CU_ASSERT(fabs(slow - 800) < 1);
  CU_ASSERT(fabs(fast - 800) < 1);
  slow = rated_busy(", rated: 1000 MIPS", &fast);
  CU_ASSERT(fabs(slow - 800) < 1);
  CU_ASSERT(fabs(fast - 400) < 1);
  slow = rated_busy(", rated: 2000 MIPS", &fast);
  CU_ASSERT(fabs(slow - 1000) < 1);
  CU_ASSERT(fabs(fast - 800) < 1);
}

/* Allocations of a 100 s run (shorter than one interval: nothing moves) of
 * `guests` guests on h0 among `hosts` hosts. */
static long allocations(unsigned hosts, unsigned guests) {
  char g[128];
  snprintf(g, sizeof g, "  - {name: \"g{i}\", count: %u, technique: native, host: h0, workload: w20}\n", guests);
  run_out o;
  sim_fault_arm(SIM_FAULT_ALLOC, 0);
  int rc = run_text("100 s", 64, hosts, g, "interval: 300 s", &o);
  long n = sim_fault_calls(SIM_FAULT_ALLOC);
  CU_ASSERT_EQUAL(rc, 0);
  if (rc == 0) run_close(&o);
  return n;
}

/* A guest gets a home (technique states, a vCPU registered with the
 * scheduler) only on hosts it is sent to: what a guest more costs does not
 * grow with the hosts (set-up once made a home on every host: 2 technique
 * states per guest per host). */
static void test_homes_on_demand(void) {
  long few_hosts = allocations(4, 20) - allocations(4, 2);
  long many_hosts = allocations(64, 20) - allocations(64, 2);
  CU_ASSERT(few_hosts > 0);
  CU_ASSERT(labs(many_hosts - few_hosts) < 18);
}

/* A guest whose lifetime (400 s) ends leaves h1 empty: the consolidation at
 * 600 s switches it off, which the same run without the lifetime never does;
 * summary/guests gives the departure and no completion. */
static void test_departure_frees_host(void) {
  static const char fmt[] = "  - {name: stay, technique: native, host: h0, workload: w20}\n"
                            "  - {name: gone, technique: native, host: h1, workload: w50%s}\n";
  static const char dc[] = "interval: 300 s, underload: none, overload: {policy: thr, threshold: 0.8}";
  char with[512], without[512];
  snprintf(with, sizeof with, fmt, ", lifetime: 400 s");
  snprintf(without, sizeof without, fmt, "");
  run_out o, kept;
  CU_ASSERT_EQUAL_FATAL(run_text("1200 s", 1, 2, with, dc, &o), 0);
  CU_ASSERT_EQUAL_FATAL(run_text("1200 s", 1, 2, without, dc, &kept), 0);
  /* rows in name order: gone, stay */
  CU_ASSERT_EQUAL(col(&o, "summary/guests", "departure_s", 0), 400);
  CU_ASSERT(isnan(col(&o, "summary/guests", "time_to_complete_s", 0)));
  CU_ASSERT(isnan(col(&o, "summary/guests", "departure_s", 1)));
  CU_ASSERT_EQUAL(col(&o, "summary/guests", "arrival_s", 0), 0);
  /* it ran half of h1's core until it left */
  CU_ASSERT(fabs(col(&o, "summary/hosts", "busy_s", 1) - 0.5 * 400) < 1);
  CU_ASSERT_EQUAL(col(&o, "summary/datacenter", "shutdowns", 0), 1);
  CU_ASSERT_EQUAL(col(&o, "datacenter/hosts", "active_s", 1), 600);
  CU_ASSERT_EQUAL(col(&kept, "summary/datacenter", "shutdowns", 0), 0);
  CU_ASSERT(col(&o, "summary/datacenter", "energy_kwh", 0) < col(&kept, "summary/datacenter", "energy_kwh", 0));
  run_close(&o);
  run_close(&kept);
}

/* Two guests of 5 GB arrive at 100 s and 200 s on 8 GB hosts, h0 holding a
 * 6 GB guest from the start: the first is placed at its arrival on h1,
 * switched on for it; for the second no host has memory left: it is
 * rejected, counted, and never runs. */
static void test_arrival_placed_or_rejected(void) {
  static const char guests[] =
      "  - {name: big, technique: native, memory: 6 GB, host: h0, workload: w20}\n"
      "  - {name: \"late{i}\", count: 2, technique: native, memory: 5 GB, host: h0, workload: w20,\n"
      "     arrival: {process: deterministic, rate: 1/100 s}}\n";
  run_out o;
  char buf[SIM_STR_CELL];
  CU_ASSERT_EQUAL_FATAL(run_text("1000 s", 1, 2, guests,
                                 "interval: 300 s, underload: none, overload: {policy: thr, threshold: 0.8}", &o),
                        0);
  CU_ASSERT_EQUAL(col(&o, "summary/datacenter", "rejected", 0), 1);
  /* rows in name order: big, late0, late1 */
  CU_ASSERT_EQUAL(col(&o, "summary/guests", "arrival_s", 1), 100);
  CU_ASSERT_EQUAL(col(&o, "summary/guests", "arrival_s", 2), 200);
  CU_ASSERT_STRING_EQUAL(str(&o, "summary/guests", "host", 1, buf, sizeof buf), "h1");
  CU_ASSERT_STRING_EQUAL(str(&o, "summary/guests", "host", 2, buf, sizeof buf), "");
  CU_ASSERT_EQUAL(col(&o, "summary/guests", "units", 2), 0);
  CU_ASSERT_EQUAL_FATAL(rows(&o, "datacenter/placement"), 2);
  CU_ASSERT_EQUAL(col(&o, "datacenter/placement", "time_s", 1), 100);
  CU_ASSERT_STRING_EQUAL(str(&o, "datacenter/placement", "guest", 1, buf, sizeof buf), "late0");
  CU_ASSERT_EQUAL(col(&o, "datacenter/hosts", "boots", 1), 1);
  CU_ASSERT_EQUAL(col(&o, "datacenter/hosts", "active_s", 1), 900);
  /* late0 ran a fifth of h1's core from its arrival */
  CU_ASSERT(fabs(col(&o, "summary/hosts", "busy_s", 1) - 0.2 * 900) < 1);
  CU_ASSERT_EQUAL(col(&o, "summary/datacenter", "migrations", 0), 0);
  run_close(&o);
}

/* The overloaded h0 of test_overload_moves_smallest sends `small` to h1 at
 * 300 s, a migration of about 5.4 s; its lifetime ends at 302 s, during the
 * migration: it departs when the migration ends, the migration completed. */
static void test_departure_waits_for_migration(void) {
  run_out o;
  CU_ASSERT_EQUAL_FATAL(run_text("1000 s", 1, 2,
                                 "  - {name: big, technique: native, memory: 512 MB, host: h0, workload: w50}\n"
                                 "  - {name: small, technique: native, memory: 64 MB, host: h0, workload: w50,\n"
                                 "     lifetime: 302 s}\n",
                                 "interval: 300 s, overload: {policy: thr, threshold: 0.8}, vm_selection: mmt, "
                                 "underload: none",
                                 &o),
                        0);
  CU_ASSERT_EQUAL_FATAL(rows(&o, "datacenter/migrations"), 1);
  CU_ASSERT_EQUAL(col(&o, "summary/datacenter", "migrations_finished", 0), 1);
  double end = col(&o, "datacenter/migrations", "start_s", 0) + col(&o, "datacenter/migrations", "duration_s", 0);
  /* rows in name order: big, small */
  CU_ASSERT(fabs(col(&o, "summary/guests", "departure_s", 1) - end) < 1e-6);
  CU_ASSERT(col(&o, "summary/guests", "departure_s", 1) > 302);
  /* h1, empty again, is switched off at the next interval (600 s) */
  CU_ASSERT_EQUAL(col(&o, "datacenter/hosts", "shutdowns", 1), 1);
  run_close(&o);
}

int register_tests(void) {
  static const test_case tests[] = {{"energy of a host at a known load", test_energy_at_known_load},
                                    {"an overloaded host loses its smallest VM", test_overload_moves_smallest},
      {"an overload under maximum correlation", test_overload_under_mc},
                                    {"underloaded hosts are emptied and switched off", test_underload_switches_off},
                                    {"placement before the guests start", test_place_at_start},
                                    {"memory counted at placement only", test_memory_placement_only},
                                    {"the power series integrates to the energy", test_power_series_integrates_to_energy},
                                    {"homes only where guests are sent", test_homes_on_demand},
                                    {"a rated trace asks its share of each host's clock", test_rated_speed},
                                    {"a departing guest frees its host", test_departure_frees_host},
                                    {"an arriving guest is placed, or rejected without room", test_arrival_placed_or_rejected},
                                    {"a departure during a migration waits for its end", test_departure_waits_for_migration},
                                    {NULL, NULL}};
  return add_suite("datacenter", tests);
}
