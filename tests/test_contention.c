/* tests/test_contention.c: the contention models (models/contention*.c).
 * Each model on views built by hand from the [FE14] testbed's profile (LLC
 * shares, DRAM wait, kernel lock wait and who is exempt from it), the
 * queue formula, and whole runs: a random-access VM beside DRAM-streaming
 * VMs slows down, a container beside a fork-heavy container slows down far
 * more than the same pair as VMs, a guest beside neighbours that use nothing
 * shared runs bit for bit as alone, a profile whose quantities switch
 * the models off gives the alone times back, a change of co-runners
 * re-costs a run exactly when it changes what the models read, and a
 * change of one slot or a re-plan on its slot gives what collecting every
 * slot again gives.
 * Units: bytes, cycles, seconds. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "models/contention.h"
#include "sim/alloc.h"
#include "tests/cunit_main.h"
#include "tests/fixtures.h"
#include "tests/scratch.h"
#include "tests/test_data.h"

/* ---- views by hand ---- */

/* The [FE14] testbed's costs, and an 8-core host type (one socket). */
typedef struct world {
  sim_profile *profile;
  native_costs costs;
  sim_host_type type;
} world;

static void world_open(world *w) {
  memset(w, 0, sizeof *w);
  w->profile = fx_shipped_profile("xeon-e5-2014");
  w->type.cores = 8;
  w->type.tlb_tagged = -1;
  sim_diag d;
  sim_diag_init(&d);
  CU_ASSERT_FATAL(native_costs_load(w->profile, NULL, &w->costs, &d) == 0);
  sim_diag_clear(&d);
}

static void world_close(world *w) { sim_profile_free(w->profile); }

/* A phase of `instructions` at CPI 1 and the given streams. */
static sim_phase phase_with(double instructions, sim_access_spec *access, size_t n) {
  sim_phase ph = fx_op_phase();
  ph.instructions = instructions;
  ph.access = access;
  ph.n_access = n;
  return ph;
}

static contention_guest guest_of(const world *w, uint32_t index, bool vm, const sim_phase *ph) {
  contention_guest g = {0};
  g.guest = index;
  g.own_kernel = vm;
  g.phase = ph;
  g.cpus = 1;
  contention_phase_alone(&w->costs, ph, &g);
  g.llc_bytes = w->costs.mmu.cache_bytes[MMU_CACHE_LEVELS - 1];
  return g;
}

static void *load_model(const contention_ops *ops, const world *w) {
  void *params = NULL;
  sim_diag d;
  sim_diag_init(&d);
  CU_ASSERT_FATAL(ops->load(w->profile, &w->type, &params, &d) == 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(params);
  sim_diag_clear(&d);
  return params;
}

/* Shares the view's resources with every model and applies them to `self`. */
static void run_models(void *const params[3], contention_view *v, size_t self) {
  const contention_ops *ops[] = {&contention_llc_ops, &contention_dram_ops, &contention_kernel_ops};
  for (size_t m = 0; m < 3; m++) ops[m]->share(params[m], v);
  v->self = self;
  v->mem = v->costs->mmu;
  v->kernel_wait_cycles = 0;
  for (size_t m = 0; m < 3; m++) ops[m]->apply(params[m], v);
}

static sim_access_spec random_8m(void) {
  return fx_stream(SIM_ACCESS_RANDOM, 8 * MiB, 0, 4096);
}

static sim_access_spec streaming(void) {
  sim_access_spec a = fx_stream(SIM_ACCESS_SEQUENTIAL, 2 * GiB, 8, 2 * MiB);
  a.count = 3;
  return a;
}

/* The LLC is shared by insertion rate, within each guest's bound; a guest
 * that is the only one with LLC traffic keeps what it has alone. */
static void test_llc_shares(void) {
  world w;
  world_open(&w);
  void *params[3] = {load_model(&contention_llc_ops, &w), load_model(&contention_dram_ops, &w),
                     load_model(&contention_kernel_ops, &w)};
  double llc = w.costs.mmu.cache_bytes[MMU_CACHE_LEVELS - 1];
  CU_ASSERT_DOUBLE_EQUAL(llc, 20.0 * MiB, 1);
  sim_access_spec r = random_8m(), s[6];
  sim_phase victim = phase_with(10, &r, 1), quiet = phase_with(1000, NULL, 0), stream[6];
  contention_guest g[7];
  g[0] = guest_of(&w, 0, true, &victim);
  g[1] = guest_of(&w, 1, true, &quiet);
  contention_view v = {&w.costs, w.costs.clock_hz, g, 2, 0, w.costs.mmu, 0};
  run_models(params, &v, 0);
  CU_ASSERT_DOUBLE_EQUAL(g[0].llc_bytes, 8.0 * MiB, 1e-6); /* its footprint: all it can use */
  CU_ASSERT_EQUAL(g[1].llc_bytes, 0);
  CU_ASSERT_EQUAL(memcmp(&v.mem, &w.costs.mmu, sizeof v.mem), 0); /* as alone */
  for (int i = 0; i < 6; i++) {
    s[i] = streaming();
    stream[i] = phase_with(1, &s[i], 1);
    g[1 + i] = guest_of(&w, 1 + (uint32_t)i, true, &stream[i]);
  }
  v.n = 7;
  run_models(params, &v, 0);
  double sum = 0;
  for (int i = 0; i < 7; i++) sum += g[i].llc_bytes;
  CU_ASSERT(sum <= llc * (1 + 1e-12));
  CU_ASSERT(g[0].llc_bytes < 8.0 * MiB);
  /* unbounded guests hold shares in proportion to their insertion rates */
  CU_ASSERT_DOUBLE_EQUAL(g[0].llc_bytes / g[1].llc_bytes, g[0].llc_rate / g[1].llc_rate, 1e-9);
  CU_ASSERT_DOUBLE_EQUAL(v.mem.cache_bytes[MMU_CACHE_LEVELS - 1], g[0].llc_bytes, 1e-6);
  /* its random accesses now miss into DRAM */
  CU_ASSERT(mmu_data_cycles(&v.mem, &r) > 1.5 * mmu_data_cycles(&w.costs.mmu, &r));
  for (int m = 0; m < 3; m++) sim_free(params[m]);
  world_close(&w);
}

/* DRAM: the others' traffic lengthens a DRAM access, more with more of it,
 * by a finite amount at saturation; a guest's own traffic alone does not. */
static void test_dram_wait(void) {
  world w;
  world_open(&w);
  void *params[3] = {load_model(&contention_llc_ops, &w), load_model(&contention_dram_ops, &w),
                     load_model(&contention_kernel_ops, &w)};
  sim_access_spec r = fx_stream(SIM_ACCESS_RANDOM, 4 * GiB, 0, 4096), s[16];
  sim_phase victim = phase_with(10, &r, 1), stream[16];
  contention_guest g[17];
  g[0] = guest_of(&w, 0, true, &victim);
  double prev = w.costs.mmu.dram_cycles;
  double waits[17] = {0};
  for (int i = 0; i < 16; i++) {
    s[i] = streaming();
    stream[i] = phase_with(1, &s[i], 1);
    g[1 + i] = guest_of(&w, 1 + (uint32_t)i, true, &stream[i]);
    contention_view v = {&w.costs, w.costs.clock_hz, g, (size_t)i + 2, 0, w.costs.mmu, 0};
    run_models(params, &v, 0);
    CU_ASSERT(v.mem.dram_cycles > prev); /* grows with every streamer */
    CU_ASSERT(isfinite(v.mem.dram_cycles));
    prev = v.mem.dram_cycles;
    waits[i + 1] = v.mem.dram_cycles - w.costs.mmu.dram_cycles;
  }
  /* sixteen streamers of 3.8 GB/s saturate one socket's 51.2 GB/s: the
   * wait is held at the capped load, the bandwidth shared */
  CU_ASSERT(waits[16] <= 9.5 * 64.0 * 4 / (51.2e9 / 8) * w.costs.clock_hz * (1 + 1e-9) + 1e-9);
  contention_view v = {&w.costs, w.costs.clock_hz, g, 17, 1, w.costs.mmu, 0};
  run_models(params, &v, 1);
  CU_ASSERT(v.mem.bandwidth_bytes_per_cycle < w.costs.mmu.bandwidth_bytes_per_cycle);
  /* the only guest with DRAM traffic sees the profile's memory */
  sim_phase quiet = phase_with(1000, NULL, 0);
  contention_guest pair[2] = {guest_of(&w, 0, true, &victim), guest_of(&w, 1, false, &quiet)};
  contention_view alone = {&w.costs, w.costs.clock_hz, pair, 2, 0, w.costs.mmu, 0};
  run_models(params, &alone, 0);
  CU_ASSERT_EQUAL(alone.mem.dram_cycles, w.costs.mmu.dram_cycles);
  CU_ASSERT_EQUAL(alone.mem.bandwidth_bytes_per_cycle, w.costs.mmu.bandwidth_bytes_per_cycle);
  for (int m = 0; m < 3; m++) sim_free(params[m]);
  world_close(&w);
}

/* The kernel: a container waits for the locks other containers and native
 * processes hold; a VM never does; nor does a container beside VMs only. */
static void test_kernel_wait(void) {
  world w;
  world_open(&w);
  void *params[3] = {load_model(&contention_llc_ops, &w), load_model(&contention_dram_ops, &w),
                     load_model(&contention_kernel_ops, &w)};
  sim_phase sys = fx_op_phase(), forks = fx_op_phase();
  sys.instructions = 500;
  sys.syscalls = 1;
  forks.instructions = 2000;
  forks.syscalls = 20;
  forks.process_creations = 1;
  contention_guest g[2] = {guest_of(&w, 0, false, &sys), guest_of(&w, 1, false, &forks)};
  g[1].cpus = 4;
  contention_view v = {&w.costs, w.costs.clock_hz, g, 2, 0, w.costs.mmu, 0};
  run_models(params, &v, 0);
  double container = v.kernel_wait_cycles;
  CU_ASSERT(container > 0);
  /* the M/G/1 wait of the neighbour's holds (generic-x86-2020's 5 ns, 2 us) */
  double per_s = w.costs.clock_hz * 4 / g[1].unit_cycles;
  double load = per_s * (20 * 5e-9 + 2e-6), sq = per_s * (20 * 5e-9 * 5e-9 + 2e-6 * 2e-6);
  CU_ASSERT_DOUBLE_EQUAL(container, sq / (2 * (1 - load)) * w.costs.clock_hz, container * 1e-9);
  g[0].own_kernel = true; /* the victim a VM */
  run_models(params, &v, 0);
  CU_ASSERT_EQUAL(v.kernel_wait_cycles, 0);
  g[0].own_kernel = false; /* the neighbour a VM */
  g[1].own_kernel = true;
  run_models(params, &v, 0);
  CU_ASSERT_EQUAL(v.kernel_wait_cycles, 0);
  /* its own holds are not its wait */
  g[1].own_kernel = false;
  run_models(params, &v, 1);
  double forker = v.kernel_wait_cycles;
  CU_ASSERT(forker > 0 && forker < container);
  for (int m = 0; m < 3; m++) sim_free(params[m]);
  world_close(&w);
}

/* Pollaczek-Khinchine, and the load cap. */
static void test_queue_wait(void) {
  CU_ASSERT_DOUBLE_EQUAL(contention_queue_wait(0.5, 0.5 * 4.0), 2.0, 1e-12); /* M/D/1: rho S/(2(1-rho)) */
  CU_ASSERT_DOUBLE_EQUAL(contention_queue_wait(0, 0), 0, 0);
  CU_ASSERT_EQUAL(contention_queue_wait(3.0, 1.0), contention_queue_wait(CONTENTION_MAX_LOAD, 1.0));
  CU_ASSERT(isfinite(contention_queue_wait(1.0, 1.0)));
  CU_ASSERT_EQUAL(contention_domains(16, 8), 2);
  CU_ASSERT_EQUAL(contention_domains(4, 8), 1);
  CU_ASSERT_EQUAL(contention_domains(8, 0), 1);
}

/* A profile without the quantities leaves every model off, without an error. */
static void test_quantities(void) {
  world w;
  world_open(&w);
  sim_profile *none = fx_profile_text("profile: {name: bare}\nquantities:\n"
                                      "  cpu.clock: {value: 1 GHz}\n");
  const contention_ops *ops[] = {&contention_llc_ops, &contention_dram_ops, &contention_kernel_ops};
  sim_diag d;
  sim_diag_init(&d);
  for (int m = 0; m < 3; m++) {
    void *params = (void *)1;
    CU_ASSERT_EQUAL(ops[m]->load(none, &w.type, &params, &d), 0);
    CU_ASSERT_PTR_NULL(params);
  }
  CU_ASSERT_EQUAL(d.errors, 0);
  sim_diag_clear(&d);
  sim_profile_free(none);
  world_close(&w);
}

/* ---- whole runs ---- */

/* The opening of the scenarios here: `duration` (a string literal)
 * unrecorded on the [FE14] testbed, its host types next. */
#define ON_FE14_FOR(duration)                                                    \
  "simulation: {duration: " duration ", record: {series: false, events: false}}\n" \
  "calibration: xeon-e5-2014\n"                                                  \
  "host_types:\n"

static const char noisy_text[] =
    "name: noisy\n"
    ON_FE14_FOR("8 s")
    "  e5: {cores: 8, clock: 2.4 GHz, memory: 256 GiB, scheduler: credit, fidelity: %s}\n"
    "hosts: [{name: a, type: e5}, {name: b, type: e5}]\n"
    "workloads:\n"
    "  victim: {phases: [{units: %s, ops: {instructions: %s, cpi: 1, syscalls: %s%s}}]}\n"
    "  noise: {repeat: true, phases: [{units: 1e9, ops: {%s}}]}\n"
    "  quiet: {repeat: true, phases: [{units: 1e9, ops: {instructions: 1000}}]}\n"
    "guests:\n"
    "  - {name: alone, technique: %s, memory: 4 GiB, host: a, workload: victim}\n"
    "  - {name: victim, technique: %s, memory: 4 GiB, host: b, workload: victim}\n"
    "  - {name: noise, technique: %s, vcpus: %d, memory: 4 GiB, host: b, workload: %s}\n";

static const char xeon_profile[] = "profile: {name: run, fallback: xeon-e5-2014}\nquantities: {}\n";
/* the same testbed with no shared resource described: every model off */
static const char off_profile[] =
    "profile: {name: off, fallback: xeon-e5-2014}\nquantities:\n"
    "  mem.socket.cores: {value: 0}\n  kernel.lock.syscall: {value: 0 ns}\n"
    "  kernel.lock.fork: {value: 0 ns}\n";

static const char memory_victim[] = ", memory: [{count: 1, working_set: 8 MiB, pattern: random}]";
static const char memory_noise[] =
    "instructions: 1, cpi: 0.25, memory: [{count: 2, working_set: 2 GiB, pattern: sequential, "
    "stride: 8 B, page_size: 2 MiB}, {count: 1, working_set: 1 GiB, pattern: sequential, "
    "stride: 8 B, page_size: 2 MiB, write_fraction: 1}]";
static const char fork_noise[] = "instructions: 2000, syscalls: 20, process_creations: 1";

/* Runs noisy_text and gives the time_to_complete of guests `alone` and
 * `victim`: 0, or nonzero on a failed run. */
static int run_pair(const char *profile, const char *fidelity, const char *units,
                    const char *instructions, const char *syscalls, const char *victim_memory,
                    const char *noise_ops, const char *technique, int noise_vcpus,
                    const char *noise_workload, double *alone, double *victim) {
  char text[4096];
  snprintf(text, sizeof text, noisy_text, fidelity, units, instructions, syscalls, victim_memory,
           noise_ops, technique, technique, technique, noise_vcpus, noise_workload);
  sim_record_config cfg = {0};
  fx_run o;
  int rc = fx_run_text_shipped("test_contention", profile, "noisy.yaml", text, &cfg, &o);
  char **names = NULL;
  double *t = NULL;
  size_t n = 0, nt = 0;
  if (rc == 0) rc = sim_result_column_str(o.r, "summary/guests", "name", &names, &n);
  if (rc == 0) rc = sim_result_column_f64(o.r, "summary/guests", "time_to_complete_s", &t, &nt);
  *alone = *victim = NAN;
  for (size_t i = 0; rc == 0 && i < n && i < nt; i++) {
    if (!strcmp(names[i], "alone")) *alone = t[i];
    if (!strcmp(names[i], "victim")) *victim = t[i];
  }
  if (names) sim_result_free_strings(names, n);
  sim_free(t);
  fx_run_close(&o);
  return rc;
}

/* The case: a VM re-reading 8 MiB at random beside six VMs
 * streaming through DRAM takes measurably longer than alone, at both
 * fidelities, and exactly as long when the profile describes no shared
 * resource or the neighbours use none. */
static void test_memory_interference(void) {
  const char *fidelities[] = {"quantum", "fluid"};
  double first_noisy = 0;
  for (int f = 0; f < 2; f++) {
    double alone, victim;
    CU_ASSERT_FATAL(run_pair(xeon_profile, fidelities[f], "5e7", "10", "0", memory_victim,
                             memory_noise, "hvm-ept", 6, "noise", &alone, &victim) == 0);
    CU_ASSERT(alone > 0);
    CU_ASSERT(victim > 1.5 * alone);
    if (f == 0) first_noisy = victim;
    else CU_ASSERT_DOUBLE_EQUAL(victim, first_noisy, first_noisy * 0.01);
  }
  double alone, victim;
  CU_ASSERT_FATAL(run_pair(off_profile, "quantum", "5e7", "10", "0", memory_victim, memory_noise,
                           "hvm-ept", 6, "noise", &alone, &victim) == 0);
  CU_ASSERT_EQUAL(victim, alone);
  CU_ASSERT_FATAL(run_pair(xeon_profile, "quantum", "5e7", "10", "0", memory_victim, memory_noise,
                           "hvm-ept", 6, "quiet", &alone, &victim) == 0);
  CU_ASSERT_EQUAL(victim, alone);
}

/* The lecture's isolation: a container beside a fork- and system-call-heavy
 * container slows down; the same pair as VMs, each with its own kernel,
 * far less (here not at all: they share nothing else). */
static void test_kernel_isolation(void) {
  double c_alone, c_noisy, v_alone, v_noisy;
  CU_ASSERT_FATAL(run_pair(xeon_profile, "quantum", "5e6", "500", "1", "", fork_noise, "container", 4,
                           "noise", &c_alone, &c_noisy) == 0);
  CU_ASSERT_FATAL(run_pair(xeon_profile, "quantum", "5e6", "500", "1", "", fork_noise, "hvm-ept", 4,
                           "noise", &v_alone, &v_noisy) == 0);
  double container = c_noisy / c_alone - 1, vm = v_noisy / v_alone - 1;
  CU_ASSERT(container > 0.2);
  CU_ASSERT(vm < container / 10);
  CU_ASSERT(vm >= 0);
  CU_ASSERT_FATAL(run_pair(off_profile, "quantum", "5e6", "500", "1", "", fork_noise, "container", 4,
                           "noise", &c_alone, &c_noisy) == 0);
  CU_ASSERT_EQUAL(c_noisy, c_alone);
}

/* ---- changes of co-runners ---- */

static const char changes_text[] =
    "name: changes\n"
    ON_FE14_FOR("8 s")
    "  e5: {cores: 8, clock: 2.4 GHz, memory: 256 GiB, scheduler: credit, fidelity: %s}\n"
    "hosts: [{name: b, type: e5}]\n"
    "workloads:\n"
    "  victim: {phases: [{units: 5e7, ops: {instructions: 10, cpi: 1, memory: [{count: 1, "
    "working_set: 8 MiB, pattern: random}]}}]}\n"
    "  noise: {repeat: true, phases: [%s]}\n"
    "guests:\n"
    "  - {name: victim, technique: hvm-ept, memory: 4 GiB, host: b, workload: victim}\n"
    "  - {name: noise, technique: hvm-ept, vcpus: 3, memory: 4 GiB, host: b, workload: noise}\n";

/* Phases of the neighbour: its DRAM streams, the same streams in a phase of
 * their own, other streams, nothing shared. */
#define STREAMS                                                                                   \
  "{instructions: 1, cpi: 0.25, memory: [{count: 2, working_set: 2 GiB, pattern: sequential, "   \
  "stride: 8 B, page_size: 2 MiB}, {count: 1, working_set: 1 GiB, pattern: sequential, stride: " \
  "8 B, page_size: 2 MiB, write_fraction: 1}]}"
#define OTHER_STREAMS                                                                             \
  "{instructions: 1, cpi: 0.25, memory: [{count: 1, working_set: 1 GiB, pattern: sequential, "   \
  "stride: 8 B, page_size: 2 MiB}]}"

/* The victim's time_to_complete in scenario `text` (messages name it
 * `name`) on the Xeon profile: 0, or nonzero on a failed run. */
static int run_victim(const char *name, const char *text, double *victim) {
  return fx_guest_time("test_contention", xeon_profile, name, text, "victim", victim);
}

/* The victim's time_to_complete beside a 3-vCPU neighbour whose phases
 * are `phases` (at `fidelity`): 0, or nonzero on a failed run. */
static int run_beside(const char *fidelity, const char *phases, double *victim) {
  char text[4096];
  snprintf(text, sizeof text, changes_text, fidelity, phases);
  return run_victim("changes.yaml", text, victim);
}

/* The re-costing after a change of co-runners skips what the models do
 * not read, and only that: a neighbour that enters a new phase with the
 * same content (its vCPUs dispatched again, the host's co-runners changed
 * as far as the engine can tell) leaves the victim bit for bit as a
 * neighbour that stays in one phase; one whose new phase streams otherwise,
 * or uses nothing shared, changes the victim's time (the victim's run is
 * re-costed).  At both fidelities, the neighbour's phases ending while the
 * victim runs. */
static void test_corunner_changes(void) {
  const char *fidelities[] = {"quantum", "fluid"};
  for (int f = 0; f < 2; f++) {
    double single, same, other, quiet;
    CU_ASSERT_FATAL(run_beside(fidelities[f], "{units: 6e8, ops: " STREAMS "}", &single) == 0);
    CU_ASSERT_FATAL(run_beside(fidelities[f], "{units: 3e8, ops: " STREAMS "}, {units: 3e8, ops: " STREAMS "}",
                               &same) == 0);
    CU_ASSERT_FATAL(run_beside(fidelities[f],
                               "{units: 3e8, ops: " STREAMS "}, {units: 3e8, ops: " OTHER_STREAMS "}",
                               &other) == 0);
    CU_ASSERT_FATAL(run_beside(fidelities[f],
                               "{units: 3e8, ops: " STREAMS "}, {units: 3e8, ops: {instructions: 1000}}",
                               &quiet) == 0);
    CU_ASSERT(single > 0);
    CU_ASSERT_EQUAL(same, single);
    CU_ASSERT(other != same);
    CU_ASSERT(quiet < same);
    CU_ASSERT(quiet != other);
  }
}

static const char late_text[] =
    "name: late\n"
    ON_FE14_FOR("8 s")
    "  e5: {cores: 8, clock: 2.4 GHz, memory: 256 GiB, fidelity: fluid}\n"
    "hosts: [{name: b, type: e5}]\n"
    "workloads:\n"
    "  victim: {phases: [%s{units: 5e7, ops: {instructions: 10, cpi: 1, memory: [{count: 1, "
    "working_set: 8 MiB, pattern: random}]}}]}\n"
    "  noise: {repeat: true, phases: [%s]}\n"
    "guests:\n"
    "  - {name: victim, technique: hvm-ept, memory: 4 GiB, host: b, workload: victim}\n"
    "  - {name: noise, technique: hvm-ept, vcpus: 3, memory: 4 GiB, host: b, workload: noise}\n";

#define QUIET "{units: 1e9, ops: {instructions: 1000}}"
#define QUIET_FIRST "{duration: %s, ops: {instructions: 1000}}, "

/* The victim's time_to_complete at fluid fidelity, its random-access phase
 * after a quiet one of `victim_quiet` (NULL: none), beside a neighbour of
 * phases `noise`: 0, or nonzero on a failed run. */
static int run_late(const char *victim_quiet, const char *noise, double *victim) {
  char first[128] = "", text[4096];
  if (victim_quiet) snprintf(first, sizeof first, QUIET_FIRST, victim_quiet);
  snprintf(text, sizeof text, late_text, first, noise);
  return run_victim("late.yaml", text, victim);
}

/* A dispatch re-checks the other runs only when a re-check could find one
 * to look at (contention_unit_cycles), and never looks at a run in a phase
 * that uses nothing counted: a neighbour that begins to stream at 1 s, its
 * own run's end and dispatch the only event of its instant, re-costs the
 * victim's run begun before (fluid: no slice would end it), also when the
 * victim's slot held a quiet run before.  The victim then takes longer than
 * beside a neighbour quiet throughout, and less than beside one that
 * streams from the start. */
static void test_late_change_recosts(void) {
  const char *late = "{duration: 1 s, ops: {instructions: 1000}}, {units: 1e9, ops: " STREAMS "}";
  const char *firsts[] = {NULL, "0.5 s"};
  for (int k = 0; k < 2; k++) {
    double quiet, streams, late_s;
    CU_ASSERT_FATAL(run_late(firsts[k], QUIET, &quiet) == 0);
    CU_ASSERT_FATAL(run_late(firsts[k], "{units: 1e9, ops: " STREAMS "}", &streams) == 0);
    CU_ASSERT_FATAL(run_late(firsts[k], late, &late_s) == 0);
    CU_ASSERT(quiet > 1.0);
    CU_ASSERT(late_s > quiet);
    CU_ASSERT(late_s < streams);
  }
}

/* A re-check costs a run in its own current phase, also when the phase
 * before it on its slot contended too: a victim whose random-access phase
 * follows half a second of streaming beyond the LLC finishes, beside a
 * neighbour that begins to stream at 1 s, exactly when one whose phase
 * follows half a second of quiet work does (the neighbour is quiet until
 * 1 s, so the first half second costs nothing extra in either). */
static void test_recheck_current_phase(void) {
  const char *late = "{duration: 1 s, ops: {instructions: 1000}}, {units: 1e9, ops: " STREAMS "}";
  const char *streaming_first =
      "{duration: 0.5 s, ops: {instructions: 10, cpi: 1, memory: [{count: 1, working_set: 512 MiB, "
      "pattern: random}]}}, ";
  char text[4096];
  double after_quiet, after_streaming;
  CU_ASSERT_FATAL(run_late("0.5 s", late, &after_quiet) == 0);
  snprintf(text, sizeof text, late_text, streaming_first, late);
  CU_ASSERT_FATAL(run_victim("late.yaml", text, &after_streaming) == 0);
  CU_ASSERT(after_quiet > 1.0);
  CU_ASSERT_EQUAL(after_streaming, after_quiet);
}

static const char quiets_text[] =
    "name: quiets\n"
    ON_FE14_FOR("8 s")
    "  e5: {cores: 8, clock: 2.4 GHz, memory: 256 GiB, fidelity: fluid}\n"
    "hosts: [{name: b, type: e5}]\n"
    "workloads:\n"
    "  victim: {phases: [{units: 5e7, ops: {instructions: 10, cpi: 1, memory: [{count: 1, "
    "working_set: 8 MiB, pattern: random}]}}]}\n"
    "  noise: {phases: [{duration: %s, ops: " STREAMS "}, {units: 1e9, ops: {instructions: "
    "1000}}]}\n"
    "  quiet: {phases: [{units: 1e9, ops: {instructions: 1000}}]}\n"
    "guests:\n"
    "  - {name: victim, technique: hvm-ept, memory: 4 GiB, host: b, workload: victim}\n"
    "  - {name: noise, technique: hvm-ept, vcpus: 3, memory: 4 GiB, host: b, workload: noise%s}\n"
    "  - {name: quiet, technique: hvm-ept, vcpus: 2, memory: 4 GiB, host: b, workload: quiet}\n";

/* A run that uses nothing counted joins the running set without a change
 * of co-runners, unless its slot held one that did: a neighbour that
 * streams for a second, then goes on in a quiet phase on the same slots,
 * leaves the victim exactly as one that departs in the middle of its two
 * seconds of streams, at 1 s (beside a second neighbour, quiet
 * throughout). */
static void test_quiet_after_streams(void) {
  char text[4096];
  double goes_quiet, departs;
  snprintf(text, sizeof text, quiets_text, "1 s", "");
  CU_ASSERT_FATAL(run_victim("quiets.yaml", text, &goes_quiet) == 0);
  snprintf(text, sizeof text, quiets_text, "2 s", ", lifetime: 1 s");
  CU_ASSERT_FATAL(run_victim("quiets.yaml", text, &departs) == 0);
  CU_ASSERT(departs > 1.0);
  CU_ASSERT_EQUAL(goes_quiet, departs);
}

/* ---- two changes of co-runners at one instant ---- */

static const char instant_text[] =
    "name: one-instant\n"
    ON_FE14_FOR("8 s")
    "  e5: {cores: 8, clock: 2.4 GHz, memory: 256 GiB, fidelity: %s}\n"
    "hosts: [{name: b, type: e5}]\n"
    "workloads:\n"
    "  victim: {phases: [{units: 1e8, ops: {instructions: 10, cpi: 1, memory: [{count: 1, "
    "working_set: 8 MiB, pattern: random}]}}]}\n"
    "  kernel: {phases: [{duration: 1 s, ops: {instructions: 0}}, {duration: 10 s, ops: %s}]}\n"
    "  noise: {repeat: true, phases: [{units: 1e9, ops: " STREAMS "}]}\n"
    "guests:\n"
    "  - {name: victim, technique: hvm-ept, memory: 4 GiB, host: b, workload: victim}\n"
    "  - {name: kernel, technique: container, memory: 4 GiB, host: b, workload: kernel}\n"
    "  - {name: noise, technique: hvm-ept, vcpus: 3, memory: 4 GiB, host: b, workload: noise, "
    "lifetime: %s}\n";

/* A re-check skips, for the rest of an instant, the runs that began then
 * or that it ended then, and only those: at 1 s a container enters a phase
 * of system calls (its own run's end: a new co-runner, which costs the VM
 * victim nothing, so its run goes on at its cost), then, still at 1 s, the
 * streaming neighbour departs (a departure comes after the runs' ends of
 * its instant).  The victim's run is re-costed at the departure, as when
 * the container's phase uses nothing shared, bit for bit, and ends sooner
 * than beside a neighbour that stays (its run, begun at 0, is looked at
 * again at a later instant). */
static void test_one_instant(void) {
  const char *fidelities[] = {"quantum", "fluid"};
  const char *syscalls = "{instructions: 2000, syscalls: 20, process_creations: 1}";
  for (int f = 0; f < 2; f++) {
    char text[4096];
    double joins, quiet, stays;
    snprintf(text, sizeof text, instant_text, fidelities[f], syscalls, "1 s");
    CU_ASSERT_FATAL(run_victim("one-instant.yaml", text, &joins) == 0);
    snprintf(text, sizeof text, instant_text, fidelities[f], "{instructions: 2000}", "1 s");
    CU_ASSERT_FATAL(run_victim("one-instant.yaml", text, &quiet) == 0);
    snprintf(text, sizeof text, instant_text, fidelities[f], syscalls, "1 h");
    CU_ASSERT_FATAL(run_victim("one-instant.yaml", text, &stays) == 0);
    CU_ASSERT(joins > 1.0);
    CU_ASSERT_EQUAL(joins, quiet);
    CU_ASSERT(joins < stays);
    printf("\n  %s: victim %.6g s, beside a neighbour that stays %.6g s", fidelities[f], joins,
           stays);
  }
}

/* ---- a co-runner's own phase changes ---- */

static const char own_phases_text[] =
    "name: own-phases\n"
    ON_FE14_FOR("20 s")
    "  e5: {cores: 8, clock: 2.4 GHz, memory: 256 GiB, scheduler: credit, fidelity: %s}\n"
    "hosts: [{name: b, type: e5}]\n"
    "workloads:\n"
    "  victim: {phases: [%s]}\n"
    "  noise: {repeat: true, phases: [{units: 1e9, ops: " STREAMS "}]}\n"
    "guests:\n"
    "  - {name: victim, technique: hvm-ept, memory: 4 GiB, host: b, workload: victim}\n"
    "  - {name: noise, technique: hvm-ept, vcpus: 3, memory: 4 GiB, host: b, workload: noise}\n";

/* The victim's phases: random accesses within the LLC, and far beyond it
 * (alone, a unit of the second costs several times one of the first). */
#define IN_LLC "{units: 2e7, ops: {instructions: 10, cpi: 1, memory: [{count: 1, working_set: 8 MiB, pattern: random}]}}"
#define BEYOND_LLC                                                                                \
  "{units: 1e7, ops: {instructions: 10, cpi: 1, memory: [{count: 1, working_set: 512 MiB, "      \
  "pattern: random}]}}"

/* The victim's time_to_complete with phases `phases` beside a steady
 * streaming neighbour: 0, or nonzero on a failed run. */
static int run_own_phases(const char *fidelity, const char *phases, double *victim) {
  char text[4096];
  snprintf(text, sizeof text, own_phases_text, fidelity, phases);
  return run_victim("own-phases.yaml", text, victim);
}

/* What a co-runner's phase costs alone is its current phase's: a guest that
 * moves from a phase within the LLC to one far beyond it, beside a steady
 * neighbour, takes as long as the two phases run apart (each re-costed
 * from its own streams' costs alone, not those of the phase before), and
 * the second phase is slowed down by the neighbour as it is alone. */
static void test_own_phase_alone_costs(void) {
  const char *fidelities[] = {"quantum", "fluid"};
  for (int f = 0; f < 2; f++) {
    double first, second, both;
    CU_ASSERT_FATAL(run_own_phases(fidelities[f], IN_LLC, &first) == 0);
    CU_ASSERT_FATAL(run_own_phases(fidelities[f], BEYOND_LLC, &second) == 0);
    CU_ASSERT_FATAL(run_own_phases(fidelities[f], IN_LLC ", " BEYOND_LLC, &both) == 0);
    CU_ASSERT(first > 0 && second > 0);
    CU_ASSERT_DOUBLE_EQUAL(both, first + second, 0.002 * (first + second));
    printf("\n  %s: within the LLC %.4g s, beyond it %.4g s, one after the other %.4g s", fidelities[f],
           first, second, both);
  }
  /* the cycles alone a co-runner keeps are its phase's streams' own */
  world w;
  world_open(&w);
  sim_access_spec a[2] = {random_8m(), streaming()};
  sim_phase ph = phase_with(10, a, 2);
  contention_guest g = guest_of(&w, 0, true, &ph);
  CU_ASSERT_EQUAL(g.unit_cycles, contention_alone_cycles(&w.costs, &ph));
  for (size_t i = 0; i < 2; i++)
    CU_ASSERT_EQUAL(g.alone_access_cycles[i], mmu_data_cycles(&w.costs.mmu, &a[i]));
  double in_llc = g.alone_access_cycles[0];
  a[0].working_set_bytes = 512 * MiB; /* the phase's content changes in place */
  contention_phase_alone(&w.costs, &ph, &g);
  CU_ASSERT_EQUAL(g.alone_access_cycles[0], mmu_data_cycles(&w.costs.mmu, &a[0]));
  CU_ASSERT(g.alone_access_cycles[0] > 2 * in_llc);
  CU_ASSERT_EQUAL(g.unit_cycles, contention_alone_cycles(&w.costs, &ph));
  world_close(&w);
}

/* ---- running sets shared by hosts ---- */

static const char hosts_text[] =
    "name: shared-sets\n"
    ON_FE14_FOR("8 s")
    "  e5: {cores: 8, clock: 2.4 GHz, memory: 256 GiB, scheduler: credit, fidelity: %s}\n"
    "hosts: [{name: a, type: e5}, {name: b, type: e5}, {name: c, type: e5}]\n"
    "workloads:\n"
    "  victim: {phases: [{units: 2e7, ops: {instructions: 500, cpi: 1, syscalls: 1, memory: [{count: "
    "1, working_set: 8 MiB, pattern: random}]}}]}\n"
    "  noise: {repeat: true, phases: [{units: 1e9, ops: {instructions: 2000, syscalls: 20, "
    "process_creations: 1, cpi: 0.25, memory: [{count: 2, working_set: 2 GiB, pattern: sequential, "
    "stride: 8 B, page_size: 2 MiB}]}}]}\n"
    "guests:\n%s";

/* Each host's pair: a container victim beside a neighbour of its own kind
 * and vCPUs, in the same phases on every host. */
static const char *const host_pairs[] = {
    "  - {name: victim-a, technique: container, memory: 4 GiB, host: a, workload: victim}\n"
    "  - {name: noise-a, technique: container, vcpus: 3, memory: 4 GiB, host: a, workload: noise}\n",
    "  - {name: victim-b, technique: container, memory: 4 GiB, host: b, workload: victim}\n"
    "  - {name: noise-b, technique: container, vcpus: 1, memory: 4 GiB, host: b, workload: noise}\n",
    "  - {name: victim-c, technique: container, memory: 4 GiB, host: c, workload: victim}\n"
    "  - {name: noise-c, technique: hvm-ept, vcpus: 3, memory: 4 GiB, host: c, workload: noise}\n"};

/* Runs hosts_text at `fidelity` with `guests`; the time_to_complete of
 * victims a, b, c (NaN: not in the run): 0, or nonzero on a failed run. */
static int run_hosts(const char *fidelity, const char *guests, double victims[3]) {
  char text[4096];
  snprintf(text, sizeof text, hosts_text, fidelity, guests);
  sim_record_config cfg = {0};
  fx_run o;
  int rc = fx_run_text_shipped("test_contention", xeon_profile, "shared-sets.yaml", text, &cfg, &o);
  const char *names[] = {"victim-a", "victim-b", "victim-c"};
  for (int i = 0; i < 3; i++)
    victims[i] = rc == 0 && strstr(guests, names[i]) ? fx_cell(o.r, "summary/guests", names[i],
                                                               "time_to_complete_s")
                                                     : NAN;
  fx_run_close(&o);
  return rc;
}

/* Hosts of one type evaluate a running set once for all of them: a host
 * whose co-runners differ from another's only in their CPUs (b: one vCPU
 * of the neighbour's three) or in whether they run their own kernel (c: the
 * neighbour a VM) gets what it gets on its own, bit for bit, whichever
 * host evaluated first. */
static void test_shared_sets(void) {
  const char *fidelities[] = {"quantum", "fluid"};
  for (int f = 0; f < 2; f++) {
    double apart[3], together[3], v[3];
    for (int i = 0; i < 3; i++) {
      CU_ASSERT_FATAL(run_hosts(fidelities[f], host_pairs[i], v) == 0);
      apart[i] = v[i];
    }
    char guests[2048];
    snprintf(guests, sizeof guests, "%s%s%s", host_pairs[0], host_pairs[1], host_pairs[2]);
    CU_ASSERT_FATAL(run_hosts(fidelities[f], guests, together) == 0);
    for (int i = 0; i < 3; i++) {
      CU_ASSERT(apart[i] > 0);
      CU_ASSERT_EQUAL(together[i], apart[i]);
    }
    /* the three sets differ in what the models make of them */
    CU_ASSERT(apart[1] < apart[0]);
    CU_ASSERT(apart[2] < apart[0]);
  }
}

static const char phases_text[] =
    "name: shared-phases\n"
    ON_FE14_FOR("20 s")
    "  e5: {cores: 8, clock: 2.4 GHz, memory: 256 GiB, scheduler: credit, fidelity: %s}\n"
    "hosts: [{name: a, type: e5}, {name: b, type: e5}]\n"
    "workloads:\n"
    "  in-llc: {phases: [" IN_LLC "]}\n"
    "  beyond-llc: {phases: [" BEYOND_LLC "]}\n"
    "  noise: {repeat: true, phases: [{units: 1e9, ops: " STREAMS "}]}\n"
    "  other-noise: {repeat: true, phases: [{units: 1e9, ops: " OTHER_STREAMS "}]}\n"
    "guests:\n%s";

/* Host a's pair: a victim within the LLC beside a streaming neighbour;
 * host b's: a victim far beyond it beside a neighbour of other streams. */
static const char *const phase_pairs[] = {
    "  - {name: victim-a, technique: hvm-ept, memory: 4 GiB, host: a, workload: in-llc}\n"
    "  - {name: noise-a, technique: hvm-ept, vcpus: 3, memory: 4 GiB, host: a, workload: noise}\n",
    "  - {name: victim-b, technique: hvm-ept, memory: 4 GiB, host: b, workload: beyond-llc}\n"
    "  - {name: noise-b, technique: hvm-ept, vcpus: 3, memory: 4 GiB, host: b, workload: "
    "other-noise}\n"};

/* Runs `text` (a format of one fidelity and the guests) at `fidelity`
 * with `guests`, as file `file`; the time_to_complete of victims a and b
 * (NaN: not in the run): 0, or nonzero on a failed run. */
static int run_victim_hosts(const char *text_fmt, const char *file, const char *fidelity,
                            const char *guests, double victims[2]) {
  char text[4096];
  snprintf(text, sizeof text, text_fmt, fidelity, guests);
  sim_record_config cfg = {0};
  fx_run o;
  int rc = fx_run_text_shipped("test_contention", xeon_profile, file, text, &cfg, &o);
  const char *names[] = {"victim-a", "victim-b"};
  for (int i = 0; i < 2; i++)
    victims[i] = rc == 0 && strstr(guests, names[i]) ? fx_cell(o.r, "summary/guests", names[i],
                                                               "time_to_complete_s")
                                                     : NAN;
  fx_run_close(&o);
  return rc;
}

/* Hosts a and b (their guests in host_guests[0] and [1]) in one run give
 * each victim, bit for bit, the time it takes with its host alone, at both
 * fidelities; with `apart_differ`, the two victims' times alone differ. */
static void check_together_as_apart(const char *text_fmt, const char *file,
                                    const char *const host_guests[2], bool apart_differ) {
  const char *fidelities[] = {"quantum", "fluid"};
  for (int f = 0; f < 2; f++) {
    double apart[2], together[2], v[2];
    for (int i = 0; i < 2; i++) {
      CU_ASSERT_FATAL(run_victim_hosts(text_fmt, file, fidelities[f], host_guests[i], v) == 0);
      apart[i] = v[i];
    }
    char guests[2048];
    snprintf(guests, sizeof guests, "%s%s", host_guests[0], host_guests[1]);
    CU_ASSERT_FATAL(run_victim_hosts(text_fmt, file, fidelities[f], guests, together) == 0);
    for (int i = 0; i < 2; i++) {
      CU_ASSERT(apart[i] > 0);
      CU_ASSERT_EQUAL(together[i], apart[i]);
    }
    if (apart_differ) CU_ASSERT(apart[1] != apart[0]);
  }
}

/* Hosts of one type compute what a phase costs alone once for all of
 * them: each host's co-runners get their own phases' costs alone, so a
 * victim within the LLC on one host and one beyond it on another, each
 * beside a neighbour of its own, take in one run what each takes alone on
 * its host, bit for bit, whichever host met which phase first. */
static void test_shared_phases_alone(void) {
  /* the phases cost differently alone */
  check_together_as_apart(phases_text, "shared-phases.yaml", phase_pairs, true);
}

static const char steps_text[] =
    "name: shared-steps\n"
    ON_FE14_FOR("20 s")
    "  e5: {cores: 8, clock: 2.4 GHz, memory: 256 GiB, scheduler: credit, fidelity: %s}\n"
    "hosts: [{name: a, type: e5}, {name: b, type: e5}]\n"
    "workloads:\n"
    "  victim: {phases: [" IN_LLC "]}\n"
    "  middle: {repeat: true, phases: [{units: 1e9, ops: " OTHER_STREAMS "}]}\n"
    "  noise: {repeat: true, phases: [{units: 1e9, ops: " STREAMS "}]}\n"
    "  wide-noise: {repeat: true, phases: [{units: 1e9, ops: {instructions: 1, cpi: 0.25, memory: "
    "[{count: 3, working_set: 4 GiB, pattern: sequential, stride: 8 B, page_size: 2 MiB}]}}]}\n"
    "guests:\n%s";

/* Each host's trio: a victim, a middle neighbour alike on both hosts, and
 * a last neighbour (last in guest order, by name) whose streams differ
 * from one host to the other. */
static const char *const step_trios[] = {
    "  - {name: z-noise-a, technique: hvm-ept, memory: 4 GiB, host: a, workload: noise}\n"
    "  - {name: victim-a, technique: hvm-ept, memory: 4 GiB, host: a, workload: victim}\n"
    "  - {name: middle-a, technique: hvm-ept, memory: 4 GiB, host: a, workload: middle}\n",
    "  - {name: z-noise-b, technique: hvm-ept, memory: 4 GiB, host: b, workload: wide-noise}\n"
    "  - {name: victim-b, technique: hvm-ept, memory: 4 GiB, host: b, workload: victim}\n"
    "  - {name: middle-b, technique: hvm-ept, memory: 4 GiB, host: b, workload: middle}\n"};

/* A host whose running set changes in one co-runner goes where another
 * host went from the same set only when the co-runner changed alike: two
 * hosts that share the set of a victim and a middle neighbour, then each
 * add a last neighbour of other streams, keep their own victims' times,
 * bit for bit, in one run as apart. */
static void test_shared_steps(void) {
  check_together_as_apart(steps_text, "shared-steps.yaml", step_trios, false);
}

/* ---- a neighbour's vCPUs leave one at a time ---- */

static const char leaves_text[] =
    "name: leaves\n"
    ON_FE14_FOR("8 s")
    "  e5: {cores: %d, clock: 2.4 GHz, memory: 256 GiB, fidelity: fluid, allow_overcommit: true}\n"
    "hosts: [{name: b, type: e5}]\n"
    "workloads:\n"
    "  victim: {phases: [{units: 5e7, ops: {instructions: 10, cpi: 1, memory: [{count: 1, "
    "working_set: 8 MiB, pattern: random}]}}]}\n"
    "  noise: {phases: [{units: 2e8, ops: " STREAMS "}]}\n"
    "  other: {phases: [{duration: 10 ms, ops: {instructions: 1000}}, {units: 1e9, ops: "
    OTHER_STREAMS "}]}\n"
    "  samples: {trace: {file: %s, interval: 50 ms}, phases: [{duration: 50 ms, ops: "
    "{instructions: 1000}}]}\n"
    "  alike: {repeat: true, phases: [{duration: 50 ms, cpu_demand: 0.6, ops: {instructions: "
    "1000}}, {duration: 50 ms, cpu_demand: 0.3, ops: {instructions: 1000}}]}\n"
    "guests:\n"
    "  - {name: a-victim, technique: hvm-ept, memory: 4 GiB, host: b, workload: victim}\n"
    "  - {name: b-noise, technique: hvm-ept, vcpus: 3, memory: 4 GiB, host: b, workload: noise}\n"
    "  - {name: c-other, technique: hvm-ept, memory: 4 GiB, host: b, workload: other}\n%s";

/* Writes a trace of 200 samples, lines of three bytes `even` and `odd` in
 * turn, to a new scratch file, its path in `path` (size bytes). */
static void write_trace(char *path, size_t size, const char *even, const char *odd) {
  int fd = scratch_file(path, size, "test-contention");
  CU_ASSERT_FATAL(fd >= 0);
  for (int i = 0; i < 200; i++) CU_ASSERT_EQUAL(write(fd, i % 2 ? odd : even, 3), 3);
  close(fd);
}

/* Runs `text` (file `name`) on the Xeon profile, the victim's time to
 * complete in *victim, and removes `trace`: 0, or nonzero on a failure. */
static int victim_time(const char *name, const char *text, const char *trace, double *victim) {
  int rc = fx_guest_time("test_contention", xeon_profile, name, text, "a-victim", victim);
  unlink(trace);
  return rc;
}

/* The victim's time_to_complete beside leaves_text's neighbours on `cores`
 * cores and a guest running `filler` (NULL: none; trace samples at 60 and
 * 30 % in turn, phases that change in place, or phases alike): 0, or nonzero on failure. */
static int run_leaves(int cores, const char *filler, double *victim) {
  char trace[256];
  write_trace(trace, sizeof trace, "60\n", "30\n");
  char last[256] = "", text[4096];
  if (filler)
    snprintf(last, sizeof last,
             "  - {name: d-filler, technique: hvm-ept, memory: 4 GiB, host: b, workload: %s}\n",
             filler);
  snprintf(text, sizeof text, leaves_text, cores, trace, last);
  return victim_time("leaves.yaml", text, trace, victim);
}

/* A change of one slot finds the guests of its run before and after in
 * the running set from where the run left or joined it, every other entry
 * kept: a neighbour whose three vCPUs finish their phase one at a time,
 * beside a second neighbour later in the running set, slows the victim
 * down exactly as when every change collects the whole running set again
 * (a guest that runs trace samples, whose phases change in place and use
 * nothing the models count, makes every evaluation collect it all). */
static void test_vcpus_leave_one_at_a_time(void) {
  double by_slot, whole;
  CU_ASSERT_FATAL(run_leaves(8, NULL, &by_slot) == 0);
  CU_ASSERT_FATAL(run_leaves(8, "samples", &whole) == 0);
  CU_ASSERT(by_slot > 1.0);
  CU_ASSERT_EQUAL(by_slot, whole);
  printf("\n  victim %.9g s, %.9g s collecting every slot", by_slot, whole);
}

/* A run re-planned on its slot in the phase it ran is costed from the
 * running set known only when its rate is the one known holds: on a host
 * of three cores for six vCPUs, each neighbour's vCPU that finishes raises
 * the others' rates, and the victim takes exactly as long as when every
 * change collects the whole running set (the last guest runs trace
 * samples), the last guest then running alike phases of its own. */
static void test_replans_at_new_rates(void) {
  double by_slot, whole, alone;
  CU_ASSERT_FATAL(run_leaves(3, "alike", &by_slot) == 0);
  CU_ASSERT_FATAL(run_leaves(3, "samples", &whole) == 0);
  CU_ASSERT_FATAL(run_leaves(8, "alike", &alone) == 0);
  CU_ASSERT(by_slot > alone); /* the victim shares its core */
  CU_ASSERT_EQUAL(by_slot, whole);
  printf("\n  victim %.9g s, %.9g s collecting every slot, %.9g s on its own core", by_slot, whole,
         alone);
}

int register_tests(void) {
  static const test_case tests[] = {
      {"LLC shared by insertion rate within bounds", test_llc_shares},
      {"DRAM wait grows with the others' traffic, capped", test_dram_wait},
      {"kernel locks: containers wait, VMs do not", test_kernel_wait},
      {"queue wait and domains", test_queue_wait},
      {"profile quantities switch the models", test_quantities},
      {"random 8 MiB VM beside six streaming VMs", test_memory_interference},
      {"container vs VM beside a fork-heavy neighbour", test_kernel_isolation},
      {"co-runner changes: unread ones skipped, read ones re-cost", test_corunner_changes},
      {"a co-runner's change at a later instant re-costs", test_late_change_recosts},
      {"a re-check costs a run in its current phase", test_recheck_current_phase},
      {"a quiet run after a streaming one on its slot", test_quiet_after_streams},
      {"two co-runner changes at one instant", test_one_instant},
      {"a co-runner's costs alone follow its own phase", test_own_phase_alone_costs},
      {"hosts share running sets only when equal", test_shared_sets},
      {"hosts share each phase's costs alone", test_shared_phases_alone},
      {"hosts share a set's steps only when alike", test_shared_steps},
      {"a neighbour's vCPUs leave one at a time", test_vcpus_leave_one_at_a_time},
      {"re-plans at new rates on an overcommitted host", test_replans_at_new_rates},
      {NULL, NULL}};
  return add_suite("contention", tests);
}
