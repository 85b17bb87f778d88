/* tests/test_contention_paths.c: the contention mechanism's short ways
 * (models/contention.c, contention_set.c) against its long one.  A run a
 * re-check ends is dispatched again on its slot at the cost the re-check
 * found, and only while the co-runners it was found among are still the
 * running set; a run at no extra cost stays settled across a step of the
 * running set only while the step keeps its cost at 0.  A neighbour whose
 * streaming phases begin and end over and over, beside a container of
 * system calls, changes the running set at instants where the victim's run
 * is ended and dispatched again, or loses LLC.  The reference is the same
 * host with a guest of trace samples beside them: its phases change in
 * place and use nothing a model counts, so that no cost is kept and every
 * evaluation collects the whole running set.  Both runs must give the same
 * results, bit for bit: on a host of a few slots, on one of more slots
 * than a word of the slot bits holds, and beside a VM whose vCPUs change
 * phase at different instants, re-planned at each disk read they issue.
 * Units: seconds as summary/guests records them.
 * Invariants: none kept; each test runs its scenario in a scratch
 * directory and removes its trace file. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>

#include "tests/cunit_main.h"
#include "tests/fixtures.h"
#include "tests/scratch.h"

/* Streams through DRAM: two read streams and a write stream. */
#define STREAMS                                                                                   \
  "{instructions: 1, cpi: 0.25, memory: [{count: 2, working_set: 2 GiB, pattern: sequential, "   \
  "stride: 8 B, page_size: 2 MiB}, {count: 1, working_set: 1 GiB, pattern: sequential, stride: " \
  "8 B, page_size: 2 MiB, write_fraction: 1}]}"

/* A fluid host: a VM of one phase (the first %s), a container of system
 * calls, a VM of %d vCPUs streaming 100 ms in every 200 (the second %s: the
 * trace file), and (the last %s) the guest of trace samples or nothing. */
static const char paths_text[] =
    "name: paths\n"
    "simulation: {duration: 8 s, record: {series: false, events: false}}\n"
    "calibration: xeon-e5-2014\n"
    "host_types:\n"
    "  e5: {cores: 8, clock: 2.4 GHz, memory: 256 GiB, fidelity: fluid}\n"
    "hosts: [{name: b, type: e5}]\n"
    "workloads:\n"
    "  victim: {phases: [%s]}\n"
    "  calls: {repeat: true, phases: [{units: 1e9, ops: {instructions: 2000, syscalls: 20}}]}\n"
    "  noise: {repeat: true, phases: [{duration: 100 ms, ops: {instructions: 1000}}, {duration: "
    "100 ms, ops: " STREAMS "}]}\n"
    "  samples: {trace: {file: %s, interval: 50 ms}, phases: [{duration: 50 ms, ops: "
    "{instructions: 1000}}]}\n"
    "guests:\n"
    "  - {name: a-victim, technique: hvm-ept, memory: 4 GiB, host: b, workload: victim}\n"
    "  - {name: b-calls, technique: container, memory: 4 GiB, host: b, workload: calls}\n"
    "  - {name: c-noise, technique: hvm-ept, vcpus: %d, memory: 4 GiB, host: b, workload: "
    "noise}\n%s";

static const char xeon_profile[] = "profile: {name: run, fallback: xeon-e5-2014}\nquantities: {}\n";

/* The guest of trace samples (workload samples, on host b), which makes
 * every evaluation collect the whole running set: the reference. */
static const char samples_guest[] =
    "  - {name: d-samples, technique: hvm-ept, memory: 4 GiB, host: b, workload: samples}\n";

/* Writes the samples' trace, 200 samples of 50, into a scratch file whose
 * path it leaves in trace[size]: 0, or -1. */
static int samples_trace(char *trace, size_t size) {
  int fd = scratch_file(trace, size, "test-contention-paths");
  if (fd < 0) return -1;
  for (int i = 0; i < 200; i++)
    if (write(fd, "50\n", 3) != 3) break;
  close(fd);
  return 0;
}

/* Runs scenario `text` (as file `file`) and removes the trace file: the
 * time_to_complete of guest `guest` in *time; 0, or nonzero on a failure. */
static int guest_time(const char *file, const char *text, const char *trace, const char *guest,
                      double *time) {
  int rc = fx_guest_time("test_contention_paths", xeon_profile, file, text, guest, time);
  unlink(trace);
  return rc;
}

/* A victim re-reading 8 MiB at random, `units` of it: as much as its share
 * of the LLC holds while the noise does not stream. */
#define RANDOM_8M(units) \
  "{units: " units ", ops: {instructions: 10, cpi: 1, memory: [{count: 1, working_set: 8 MiB, pattern: random}]}}"

/* The time_to_complete of a victim of phase `victim_phase` in paths_text
 * beside noise of `noise_vcpus` vCPUs and, when `samples`, the guest of
 * trace samples: 0, or nonzero on a failure. */
static int run_paths(const char *victim_phase, int noise_vcpus, bool samples, double *victim) {
  char trace[256];
  if (samples_trace(trace, sizeof trace) < 0) return -1;
  char text[4096];
  snprintf(text, sizeof text, paths_text, victim_phase, trace, noise_vcpus, samples ? samples_guest : "");
  return guest_time("paths.yaml", text, trace, "a-victim", victim);
}

/* The victim's runs ended by a re-check and dispatched again on their slot
 * take the cost found only among the co-runners it was found among: it
 * takes exactly as long as when every change collects the whole running
 * set, beside one vCPU of noise or three. */
static void test_replan_takes_cost_found(void) {
  int vcpus[] = {1, 3};
  for (int k = 0; k < 2; k++) {
    double kept, whole;
    CU_ASSERT_FATAL(run_paths(RANDOM_8M("3e7"), vcpus[k], false, &kept) == 0);
    CU_ASSERT_FATAL(run_paths(RANDOM_8M("3e7"), vcpus[k], true, &whole) == 0);
    CU_ASSERT(kept > 0);
    CU_ASSERT_EQUAL(kept, whole);
    printf("\n  victim %.9g s, %.9g s collecting every slot", kept, whole);
  }
}

/* A run that costs nothing extra stays settled across a step of the
 * running set only while its cost stays 0: a victim whose working set fits
 * the LLC, beside a container that makes only system calls (nothing the
 * victim, a VM, waits for), costs 0 extra; each time the noise's vCPUs
 * begin to stream (a step taken before, from the same set) it loses LLC to
 * them and costs more, its run re-costed at once.  It takes exactly as
 * long as when every change collects the whole running set (the trace
 * samples' guest), beside one vCPU of noise or three, and longer beside
 * three. */
static void test_zero_runs_across_steps(void) {
  int vcpus[] = {1, 3};
  double by_step[2], whole[2];
  for (int k = 0; k < 2; k++) {
    CU_ASSERT_FATAL(run_paths(RANDOM_8M("2e7"), vcpus[k], false, &by_step[k]) == 0);
    CU_ASSERT_FATAL(run_paths(RANDOM_8M("2e7"), vcpus[k], true, &whole[k]) == 0);
    CU_ASSERT(by_step[k] > 0);
    CU_ASSERT_EQUAL(by_step[k], whole[k]);
    printf("\n  victim %.9g s, %.9g s collecting every slot", by_step[k], whole[k]);
  }
  CU_ASSERT(by_step[1] > by_step[0]);
}


/* A fluid host of 80 cores, more slots (a vCPU each, in the guests' order
 * by name) than one 64-bit word of slot bits holds: a VM of 70 vCPUs
 * streaming 100 ms in every 200 (the first %s: its streaming phase's ops),
 * the container of system calls, the victim (its phase the second %s, its
 * name the fourth; the third: the trace file) and (the last %s) the guest
 * of trace samples or nothing. */
static const char wide_text[] =
    "name: wide\n"
    "simulation: {duration: 8 s, record: {series: false, events: false}}\n"
    "calibration: xeon-e5-2014\n"
    "host_types:\n"
    "  e5: {cores: 80, clock: 2.4 GHz, memory: 1024 GiB, fidelity: fluid}\n"
    "hosts: [{name: b, type: e5}]\n"
    "workloads:\n"
    "  noise: {repeat: true, phases: [{duration: 100 ms, ops: {instructions: 1000}}, {duration: "
    "100 ms, ops: %s}]}\n"
    "  calls: {repeat: true, phases: [{units: 1e9, ops: {instructions: 2000, syscalls: 20}}]}\n"
    "  victim: {phases: [%s]}\n"
    "  samples: {trace: {file: %s, interval: 50 ms}, phases: [{duration: 50 ms, ops: "
    "{instructions: 1000}}]}\n"
    "guests:\n"
    "  - {name: a-noise, technique: hvm-ept, vcpus: 70, memory: 4 GiB, host: b, workload: noise}\n"
    "  - {name: b-calls, technique: container, memory: 4 GiB, host: b, workload: calls}\n"
    "  - {name: %s, technique: hvm-ept, memory: 4 GiB, host: b, workload: victim}\n%s";

/* A victim reading 1 GiB at random: past any LLC share, so that it waits
 * for DRAM behind the noise's streams (ten sockets' LLCs leave it room for
 * 8 MiB beside them). */
#define RANDOM_1G \
  "{units: 3e6, ops: {instructions: 10, cpi: 1, memory: [{count: 1, working_set: 1 GiB, pattern: random}]}}"

/* The time_to_complete of the victim named `name` in wide_text beside
 * noise streaming `noise_ops` and, when `samples`, the guest of trace
 * samples: 0, or nonzero on a failure. */
static int run_wide(const char *name, const char *noise_ops, bool samples, double *victim) {
  char trace[256];
  if (samples_trace(trace, sizeof trace) < 0) return -1;
  char text[4096];
  snprintf(text, sizeof text, wide_text, noise_ops, RANDOM_1G, trace, name, samples ? samples_guest : "");
  return guest_time("wide.yaml", text, trace, name, victim);
}

/* The slot bits past the first word count as the first word's do: the
 * victim on slot 71 ("c-victim", after the noise's 70 vCPUs and the
 * container), beside noise whose vCPUs span both words (its settled mark
 * cleared when the running set changes, its mark of an instant forgotten
 * at the next, a re-check due for it alone), takes exactly as long as when
 * every change collects the whole running set, and as on slot 0
 * ("0-victim", first by name: the models add the co-runners' traffic in
 * guest order, and these sums come out the same either way), and longer
 * than beside noise that never streams. */
static void test_slots_past_first_word(void) {
  double kept, whole, first, quiet;
  CU_ASSERT_FATAL(run_wide("c-victim", STREAMS, false, &kept) == 0);
  CU_ASSERT_FATAL(run_wide("c-victim", STREAMS, true, &whole) == 0);
  CU_ASSERT_FATAL(run_wide("0-victim", STREAMS, false, &first) == 0);
  CU_ASSERT_FATAL(run_wide("c-victim", "{instructions: 1000}", false, &quiet) == 0);
  CU_ASSERT(kept > quiet);
  CU_ASSERT_EQUAL(kept, whole);
  CU_ASSERT_EQUAL(kept, first);
  printf("\n  victim %.9g s, %.9g s collecting every slot, %.9g s on slot 0, %.9g s beside no "
         "stream",
         kept, whole, first, quiet);
}

/* A fluid host of 8 cores with a disk: a VM of 4 vCPUs whose phase of
 * random reads in 8 MiB (each vCPU's share of its units drawn apart, so
 * that its vCPUs leave it at different instants) is followed by one of
 * random reads in 1 GiB, both issuing a disk read every 100,000 units
 * without waiting for it; a VM of 2 vCPUs streaming all along; and (the
 * second %s; the first: the trace file) the guest of trace samples or
 * nothing. */
static const char multi_text[] =
    "name: multi\n"
    "simulation: {duration: 8 s, seed: 1, record: {series: false, events: false}}\n"
    "calibration: xeon-e5-2014\n"
    "host_types:\n"
    "  e5: {cores: 8, clock: 2.4 GHz, memory: 256 GiB, fidelity: fluid,\n"
    "      disks: [{name: ssd, iops: 20000, bandwidth: 200 MB/s, latency: 80 us, queue_depth: 8}]}\n"
    "hosts: [{name: b, type: e5}]\n"
    "workloads:\n"
    "  multi: {phases: [\n"
    "    {units: {dist: uniform, min: 1e7, max: 4e7}, io_window: 1000000, ops: {instructions: 10, "
    "cpi: 1, disk: {reads: 0.00001}, memory: [{count: 1, working_set: 8 MiB, pattern: random}]}},\n"
    "    {units: 2e7, io_window: 1000000, ops: {instructions: 10, cpi: 1, disk: {reads: 0.00001}, "
    "memory: [{count: 1, working_set: 1 GiB, pattern: random}]}}]}\n"
    "  noise: {repeat: true, phases: [{units: 1e12, ops: " STREAMS "}]}\n"
    "  samples: {trace: {file: %s, interval: 50 ms}, phases: [{duration: 50 ms, ops: "
    "{instructions: 1000}}]}\n"
    "guests:\n"
    "  - {name: a-multi, technique: hvm-ept, vcpus: 4, memory: 4 GiB, host: b, workload: multi}\n"
    "  - {name: b-noise, technique: hvm-ept, vcpus: 2, memory: 4 GiB, host: b, workload: noise}\n"
    "%s";

/* The time_to_complete of a-multi in multi_text, beside the guest of trace
 * samples when `samples`: 0, or nonzero on a failure. */
static int run_multi(bool samples, double *multi) {
  char trace[256];
  if (samples_trace(trace, sizeof trace) < 0) return -1;
  char text[4096];
  snprintf(text, sizeof text, multi_text, trace, samples ? samples_guest : "");
  return guest_time("multi.yaml", text, trace, "a-multi", multi);
}

/* A cost kept for a slot's re-plan holds only for the entry it was found
 * for: a vCPU of the multi-vCPU VM that is not its lowest moves on to the
 * phase of 1 GiB while the lowest is still in the phase of 8 MiB (its
 * guest's entry, and so the running set, unchanged), its slot's entry is
 * recorded again, and its run, ended at each unit that owes a disk read
 * and re-planned on its slot, costs what the new phase costs, not what a
 * re-plan kept in the phase before.  The VM takes exactly as long as when
 * every change collects the whole running set. */
static void test_kept_cost_per_entry(void) {
  double kept, whole;
  CU_ASSERT_FATAL(run_multi(false, &kept) == 0);
  CU_ASSERT_FATAL(run_multi(true, &whole) == 0);
  CU_ASSERT(kept > 0);
  CU_ASSERT_EQUAL(kept, whole);
  printf("\n  multi %.9g s, %.9g s collecting every slot", kept, whole);
}

int register_tests(void) {
  static const test_case tests[] = {
      {"a re-planned run takes the cost found among its co-runners", test_replan_takes_cost_found},
      {"runs at no extra cost stay settled across a step only at 0", test_zero_runs_across_steps},
      {"slots past the first 64 count as the first 64", test_slots_past_first_word},
      {"a kept cost holds only for the slot entry it was found for", test_kept_cost_per_entry},
      {NULL, NULL}};
  return add_suite("contention_paths", tests);
}
