/* tests/test_guest_memory.c: what a guest costs in memory (the engine, with
 * the scenario and recorder state it brings), on a small trace-driven day
 * with consolidation shaped as tests/bench/datacenter's planetlab-10k: hosts
 * of two cores, five guests per host, one vCPU each, rated, each reading a
 * PlanetLab-like trace (288 samples of 5 min) shared by four guests,
 * placed by PABFD at the start and consolidated every 300 s.  The same day
 * is run at two sizes; the heap in use half-way through the day (at the
 * engine's first progress call past it: every guest placed and running,
 * the results of the run's end not yet made) grows with the guests added,
 * and that growth per guest, less the trace samples the added guests read
 * (8 bytes each), stays under GUEST_BYTES_MAX.  Rows waiting in the
 * recorder's buffers are not counted: a run begins its output before it
 * starts (models/run.c) and writes them a chunk at a time, so they take at
 * most a chunk a dataset whatever the number of guests, while this test's
 * recorder, which has no file, holds every row.  Sizes double, so arrays
 * grown by doubling are as full at both.  Deterministic: heap bytes
 * allocated (mallinfo2), not resident memory, at a point that depends on
 * the events dispatched alone (a progress call every 1,024); nothing is
 * timed.
 * Units: bytes. */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/engine.h"
#include "sim/alloc.h"
#include "sim/profile.h"
#include "sim/recorder.h"
#include "sim/scenario.h"
#include "tests/cunit_main.h"
#include "tests/fixtures.h"
#include "tests/test_data.h"

/* bytes of heap per guest beyond its trace samples: under 2 KiB, the
 * memory a guest may cost in a data-center day.  1,497 when this bound was
 * set; counting the rows waiting in the recorder, as this test did before,
 * 2,158 (2,270 before a rated trace's share of a core was worked out per
 * sample instead of held per speed and host type, a guest's home arrays
 * were found from one pointer, and a consolidation's candidates and moves
 * grew to what one consolidation holds instead of one per guest; 2,631
 * before the hosts' scheduler arrays grew to exactly what they hold, a
 * technique state held its memory-stream memo only once it charged
 * streams, the vCPU and guest records lost their padding and a guest's
 * consolidation state its history pointer; 3,809 before a played trace's
 * phase was composed in its mix, the steal and cycle series' state was
 * kept apart, and a placed guest stopped holding the technique states of
 * the host it left; 2,935 before a guest's technique and I/O path were the
 * vocabulary's words, a trace file's workload shared its template's
 * phases, the loader's arrays lost their spare room and the fluid
 * scheduler's and hosts' vCPU arrays grew to what they hold). */
#define GUEST_BYTES_MAX 2048
#define GUESTS_PER_HOST 5
#define GUESTS_PER_FILE 4
#define SAMPLES 288

static const char scenario_fmt[] =
    "name: guest-memory\n"
    "simulation: {duration: 2 h, seed: 1}\n"
    "host_types:\n"
    "  g4: {cores: 2, clock: 1860 MHz, memory: 4 GiB, fidelity: fluid, allow_overcommit: true,\n"
    "       nics: [{bandwidth: 1 Gbit/s}], power: {model: hp-ml110-g4}}\n"
    "hosts: [{name: \"h{i:05}\", type: g4, count: %u}]\n"
    "datacenter: {interval: 300 s, placement: pabfd, overload: {policy: thr, threshold: 0.8},\n"
    "             underload: least-utilized, vm_selection: mmt, strategy: precopy, switch_off: true,\n"
    "             place_at_start: true}\n"
    "workloads:\n"
    "  loop: {phases: [{name: loop, duration: 5 min, ops: {instructions: 1000, cpi: 1.0}}]}\n"
    "guests:\n"
    "  - {name: \"vm{i:05}\", count: %u, technique: hvm-ept, vcpus: 1, memory: 870 MiB, rated: 1000 MIPS,\n"
    "     host: \"h{i%%%u:05}\", workload: loop,\n"
    "     trace: {dir: \"%s\", glob: \"*\", index: \"{i%%%u}\", interval: 5 min}}\n";

typedef struct held {
  size_t bytes;             /* heap allocated at the first progress call half-way, less
                             * the recorder's row buffers then; 0 before */
  const sim_recorder *rec;  /* the run's recorder */
} held;

/* bytes allocated: from the heap, and mapped apart (large blocks) */
static size_t heap_in_use(void) {
  struct mallinfo2 m = mallinfo2();
  return m.uordblks + m.hblkhd;
}

static void note_held(void *ctx, sim_time now, sim_time end) {
  held *p = ctx;
  if (!p->bytes && now >= end / 2) p->bytes = heap_in_use() - sim_recorder_buffered_bytes(p->rec);
}

/* n_files trace files in dir, file k's samples a deterministic walk in
 * [0, 100] %. */
static void write_traces(const char *dir, unsigned n_files) {
  for (unsigned k = 0; k < n_files; k++) {
    char path[600];
    snprintf(path, sizeof path, "%s/t%05u", dir, k);
    FILE *f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    for (unsigned s = 0; s < SAMPLES; s++) fprintf(f, "%u\n", (k * 37 + s * 11) % 101);
    fclose(f);
  }
}

static void remove_traces(const char *dir, unsigned n_files) {
  for (unsigned k = 0; k < n_files; k++) {
    char path[600];
    snprintf(path, sizeof path, "%s/t%05u", dir, k);
    unlink(path);
  }
  rmdir(dir);
}

/* The heap the day of n_hosts hosts holds half-way, above what was in use
 * before its scenario was loaded. */
static size_t day_bytes(unsigned n_hosts) {
  unsigned n_guests = n_hosts * GUESTS_PER_HOST, n_files = n_guests / GUESTS_PER_FILE;
  char dir[512];
  fx_scratch_dir(dir, sizeof dir, "test-guest-memory");
  write_traces(dir, n_files);
  size_t len = sizeof scenario_fmt + sizeof dir + 64;
  char *text = malloc(len);
  CU_ASSERT_PTR_NOT_NULL_FATAL(text);
  snprintf(text, len, scenario_fmt, n_hosts, n_guests, n_hosts, dir, n_files);
  sim_profile *prof = fx_shipped_profile("xeon-e5-2014");
  sim_diag d;
  sim_diag_init(&d);
  size_t before = heap_in_use();
  held p = {0};
  sim_scenario *sc = NULL;
  int rc = sim_scenario_load_text("guest-memory.yaml", text, strlen(text), test_vocabulary(), NULL, 0, &sc, &d);
  sim_record_config cfg = {.sample_interval_ns = 300 * SIM_S, .events = 0, .series = 0};
  sim_recorder *rec = rc == 0 ? sim_recorder_new(&cfg) : NULL;
  p.rec = rec;
  engine_options opt = {.data_path = test_data_path(), .progress = note_held, .progress_ctx = &p};
  if (rec) rc = engine_run(sc, prof, rec, &opt, NULL, &d);
  if (rc != 0) sim_diag_print(&d, stderr);
  CU_ASSERT_EQUAL(rc, 0);
  CU_ASSERT(p.bytes > before);
  sim_recorder_free(rec);
  sim_scenario_free(sc);
  sim_diag_clear(&d);
  sim_profile_free(prof);
  free(text);
  remove_traces(dir, n_files);
  return p.bytes - before;
}

static void test_bytes_per_guest(void) {
  if (heap_in_use() == 0) { /* an allocator without arena statistics (a memory checker's) */
    printf("\n  heap statistics unavailable: not measured\n");
    return;
  }
  unsigned h1 = 128, h2 = 256;
  size_t b1 = day_bytes(h1), b2 = day_bytes(h2);
  double guests = (double)(h2 - h1) * GUESTS_PER_HOST;
  double trace = (double)(h2 - h1) * GUESTS_PER_HOST / GUESTS_PER_FILE * SAMPLES * sizeof(double);
  double per_guest = ((double)b2 - (double)b1 - trace) / guests;
  printf("\n  heap per added guest beyond its trace: %.0f bytes (%zu at %u hosts, %zu at %u)\n",
         per_guest, b1, h1, b2, h2);
  CU_ASSERT(per_guest > 0);
  CU_ASSERT(per_guest < GUEST_BYTES_MAX);
}

int register_tests(void) {
  static const test_case tests[] = {{"a guest costs under 2 KiB beyond its trace", test_bytes_per_guest},
                                    {NULL, NULL}};
  return add_suite("guest_memory", tests);
}
