/* tests/test_trace.c: CPU-utilisation traces (DATASETS.md "Utilisation
 * traces"): the reader (sim/trace.c) and the loader that calls it, then
 * trace-driven workloads in the engine (models/engine.c), and what a trace
 * costs in memory per sample.  Traces are written to temporary files and run
 * on a fake technique at 1 GHz (one cycle per nanosecond) whose cost per unit
 * is known, so the CPU share of each interval follows from the trace's
 * samples. */
#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "models/engine.h"
#include "models/registry.h"
#include "models/vcost.h"
#include "sim/alloc.h"
#include "sim/results.h"
#include "sim/trace.h"
#include "tests/cunit_main.h"
#include "tests/fixtures.h"
#include "tests/test_data.h"

/* ---- the reader ---- */

/* Parses text; on success checks the samples against want (n). */
static void check_parse(const char *text, const double *want, size_t n) {
  sim_diag d;
  sim_diag_init(&d);
  double *v = NULL;
  size_t got = 0;
  int rc = sim_trace_parse("t.txt", "w", text, strlen(text), &v, &got, &d);
  if (rc != 0) sim_diag_print(&d, stderr);
  CU_ASSERT_EQUAL_FATAL(rc, 0);
  CU_ASSERT_EQUAL_FATAL(got, n);
  for (size_t i = 0; i < n; i++) CU_ASSERT_DOUBLE_EQUAL(v[i], want[i], 1e-12);
  sim_free(v);
  sim_diag_clear(&d);
}

static void test_parse_formats(void) {
  static const double planetlab[] = {12, 0, 100, 7.5};
  check_parse("12\n0\n100\n7.5\n", planetlab, 4);
  check_parse("12\n0\n100\n7.5", planetlab, 4); /* no final newline */
  static const double google[] = {250, 25, 0, 75};
  check_parse("250 12.5\n25\t103.2\n\n  \n0,0\r\n75.0 1\n", google, 4);
}

/* Parses text that must fail, with one error at line:col naming the file. */
static void check_parse_error(const char *text, size_t len, int line, int col, const char *part) {
  sim_diag d;
  sim_diag_init(&d);
  double *v = NULL;
  size_t n = 0;
  CU_ASSERT_EQUAL(sim_trace_parse("t.txt", "w", text, len, &v, &n, &d), -1);
  CU_ASSERT_PTR_NULL(v);
  CU_ASSERT_EQUAL(n, 0);
  CU_ASSERT_EQUAL_FATAL(d.count, 1);
  CU_ASSERT_STRING_EQUAL(d.entries[0].file, "t.txt");
  CU_ASSERT_EQUAL(d.entries[0].line, line);
  CU_ASSERT_EQUAL(d.entries[0].col, col);
  CU_ASSERT_PTR_NOT_NULL(strstr(d.entries[0].message, part));
  sim_diag_clear(&d);
}

static void test_parse_errors(void) {
  static const char *malformed = "malformed trace sample: expected CPU % (a number >= 0)";
  check_parse_error("10\n20\nabc\n30\n", 13, 3, 1, malformed);
  check_parse_error("10\n  -5\n", 8, 2, 3, malformed);
  check_parse_error("10 20 30\n", 9, 1, 7, malformed);
  check_parse_error("10 x\n", 5, 1, 4, malformed);
  check_parse_error("inf\n", 4, 1, 1, malformed);
  check_parse_error("1\n2\0003\n", 6, 2, 2, malformed); /* a NUL byte */
  check_parse_error("", 0, 0, 0, "trace of workload 'w' has no samples");
  check_parse_error("\n \n\t\n", 5, 0, 0, "trace of workload 'w' has no samples");
  char longline[SIM_TRACE_MAX_LINE + 3];
  memset(longline, ' ', sizeof longline);
  longline[0] = '5';
  longline[sizeof longline - 1] = '\n';
  check_parse_error(longline, sizeof longline, 1, SIM_TRACE_MAX_LINE + 1, "line too long");
  longline[SIM_TRACE_MAX_LINE] = '\n'; /* the longest line accepted */
  static const double five[] = {5};
  sim_diag d;
  sim_diag_init(&d);
  double *v = NULL;
  size_t n = 0;
  CU_ASSERT_EQUAL(sim_trace_parse("t.txt", "w", longline, SIM_TRACE_MAX_LINE + 1, &v, &n, &d), 0);
  CU_ASSERT(n == 1 && v && v[0] == five[0]);
  sim_free(v);
  sim_diag_clear(&d);
}

/* A path under TMPDIR for this process. */
static void temp_path(char *buf, size_t len, const char *what) {
  const char *tmp = getenv("TMPDIR");
  snprintf(buf, len, "%s/test_trace_%s_%ld", tmp && *tmp ? tmp : "/tmp", what, (long)getpid());
}

/* Reading `path` fails with one error naming it. */
static void check_read_refused(const char *path, const char *part) {
  sim_diag d;
  sim_diag_init(&d);
  double *v = NULL;
  size_t n = 0;
  CU_ASSERT_EQUAL(sim_trace_read(path, "w", &v, &n, &d), -1);
  CU_ASSERT_PTR_NULL(v);
  CU_ASSERT_EQUAL_FATAL(d.count, 1);
  CU_ASSERT_STRING_EQUAL(d.entries[0].file, path);
  CU_ASSERT_PTR_NOT_NULL(strstr(d.entries[0].message, part));
  sim_diag_clear(&d);
}

/* A FIFO without a writer or an endless device must not block the reader. */
static void test_read_regular_files_only(void) {
  char fifo[256];
  temp_path(fifo, sizeof fifo, "fifo");
  remove(fifo);
  CU_ASSERT_EQUAL_FATAL(mkfifo(fifo, 0600), 0);
  check_read_refused(fifo, "not a regular file");
  remove(fifo);
  check_read_refused("/dev/zero", "not a regular file");
  check_read_refused(fifo, "cannot read trace of workload 'w'"); /* gone */
  char file[256];
  temp_path(file, sizeof file, "file");
  FILE *f = fopen(file, "w");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  fputs("30\n60 1\n", f);
  fclose(f);
  sim_diag d;
  sim_diag_init(&d);
  double *v = NULL;
  size_t n = 0;
  CU_ASSERT_EQUAL(sim_trace_read(file, "w", &v, &n, &d), 0);
  CU_ASSERT(n == 2 && v && v[0] == 30 && v[1] == 60);
  sim_free(v);
  sim_diag_clear(&d);
  remove(file);
}

/* ---- the loader reads the trace of a workload ---- */

static const char trace_scenario[] =
    "simulation: {duration: 10 s}\n"
    "host_types: {std: {cores: 1, clock: 1 GHz, memory: 4 GiB}}\n"
    "hosts: [{name: h0, type: std}]\n"
    "workloads: {tr: {trace: {file: %s, interval: 1 s}}}\n"
    "guests: [{name: g0, technique: hvm, host: h0, workload: tr}]\n";

static int load_with_trace(const char *trace_path, sim_scenario **s, sim_diag *d) {
  char text[1024];
  snprintf(text, sizeof text, trace_scenario, trace_path);
  sim_diag_init(d);
  return sim_scenario_load_text("tr.yaml", text, strlen(text), test_vocabulary(), NULL, 0, s, d);
}

static void test_loader_reads_trace(void) {
  char file[256];
  temp_path(file, sizeof file, "loader");
  FILE *f = fopen(file, "w");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  fputs("100\n37.5\n0\n", f);
  fclose(f);
  sim_scenario *s = NULL;
  sim_diag d;
  CU_ASSERT_EQUAL_FATAL(load_with_trace(file, &s, &d), 0);
  const sim_workload *w = &s->workloads[0];
  CU_ASSERT_EQUAL_FATAL(w->n_trace_samples, 3);
  CU_ASSERT(w->trace_cpu_percent[0] == 100 && w->trace_cpu_percent[1] == 37.5 && w->trace_cpu_percent[2] == 0);
  /* the resolved text names the file, not the samples (a sample with a
     decimal point: the file name holds a PID, never a point and digits) */
  CU_ASSERT_PTR_NOT_NULL(strstr(s->resolved_text, file));
  CU_ASSERT_PTR_NULL(strstr(s->resolved_text, "37.5"));
  sim_scenario_free(s);
  sim_diag_clear(&d);
  /* a malformed trace is an error of the scenario, at the trace's line */
  f = fopen(file, "w");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  fputs("100\n5O\n", f); /* a letter O: the field "O" at column 2 is wrong */
  fclose(f);
  CU_ASSERT(load_with_trace(file, &s, &d) < 0);
  CU_ASSERT_PTR_NULL(s);
  CU_ASSERT(d.count >= 1 && d.entries[0].file && !strcmp(d.entries[0].file, file) &&
            d.entries[0].line == 2 && d.entries[0].col == 2);
  sim_diag_clear(&d);
  remove(file);
  /* and a FIFO is refused, not waited on */
  CU_ASSERT_EQUAL_FATAL(mkfifo(file, 0600), 0);
  CU_ASSERT(load_with_trace(file, &s, &d) < 0);
  CU_ASSERT_PTR_NULL(s);
  sim_diag_clear(&d);
  remove(file);
}

/* ---- one guest on one 1 GHz core following a trace ---- */

typedef struct world {
  sim_scenario sc;
  sim_host_type type;
  sim_host host;
  sim_workload wl;
  sim_guest guest;
  char trace[256]; /* the trace file */
  char out[256];   /* the HDF5 result */
  double *samples; /* the trace as the loader reads it */
} world;

static void world_init(world *w, const char *trace_text) {
  memset(w, 0, sizeof *w);
  const char *tmp = getenv("TMPDIR");
  snprintf(w->trace, sizeof w->trace, "%s/test_trace_%ld.txt", tmp && *tmp ? tmp : "/tmp",
           (long)getpid());
  snprintf(w->out, sizeof w->out, "%s/test_trace_%ld.h5", tmp && *tmp ? tmp : "/tmp",
           (long)getpid());
  FILE *f = fopen(w->trace, "w");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  fputs(trace_text, f);
  fclose(f);
  size_t n = 0;
  sim_diag d;
  sim_diag_init(&d);
  CU_ASSERT_EQUAL_FATAL(sim_trace_read(w->trace, "tr", &w->samples, &n, &d), 0);
  sim_diag_clear(&d);
  w->type = (sim_host_type){.name = "t", .cores = 1, .clock_hz = 1e9, .scheduler = "rr"};
  w->host = (sim_host){.name = "h0", .type = 0};
  w->wl = (sim_workload){.name = "tr", .trace_path = w->trace, .trace_interval_ns = SIM_S,
                         .trace_cpu_percent = w->samples, .n_trace_samples = n};
  w->guest = (sim_guest){.name = "g0", .kind = SIM_GUEST_VM, .technique = "native", .host = 0,
                         .vcpus = 1, .weight = 256, .workload = 0};
  w->sc = (sim_scenario){.path = "test.yaml", .name = "test", .n_host_types = 1,
                         .host_types = &w->type, .n_hosts = 1, .hosts = &w->host,
                         .n_workloads = 1, .workloads = &w->wl, .n_guests = 1,
                         .guests = &w->guest};
}

/* Runs w, sampling every second; on success opens the result in *r. */
static int world_run(world *w, sim_result **r, sim_diag *d) {
  sim_record_config cfg = {SIM_S, true, true, NULL, 0, 0};
  sim_recorder *rec = sim_recorder_new(&cfg);
  CU_ASSERT_PTR_NOT_NULL_FATAL(rec);
  engine_options opt = {.find_model = fx_find_model};
  sim_profile *profile = fx_fake_profile();
  CU_ASSERT_PTR_NOT_NULL_FATAL(profile);
  int rc = engine_run(&w->sc, profile, rec, &opt, NULL, d);
  sim_profile_free(profile);
  if (rc == 0) rc = sim_recorder_write(rec, w->out, d);
  if (rc == 0) rc = sim_result_open(w->out, r, d);
  sim_recorder_free(rec);
  return rc;
}

static void world_done(world *w, sim_result *r) {
  if (r) sim_result_close(r);
  remove(w->out);
  remove(w->trace);
  sim_free(w->samples);
}

static double col(sim_result *r, const char *table, const char *column) {
  double *v = NULL;
  size_t n = 0;
  double x = NAN;
  if (sim_result_column_f64(r, table, column, &v, &n) == 0 && n > 0) x = v[0];
  sim_free(v);
  return x;
}

/* Runs `text` as a 1 s trace and checks the CPU share of each second
 * against `share` (n samples) and the completion at n seconds. */
static void check_trace(const char *text, const double *share, size_t n_share,
                        const sim_phase *mix) {
  world w;
  world_init(&w, text);
  if (mix) {
    w.wl.phases = (sim_phase *)mix;
    w.wl.n_phases = 1;
  }
  sim_diag d;
  sim_diag_init(&d);
  sim_result *r = NULL;
  int rc = world_run(&w, &r, &d);
  if (rc != 0) sim_diag_print(&d, stderr);
  CU_ASSERT_EQUAL_FATAL(rc, 0);
  double ttc = col(r, "summary/guests", "time_to_complete_s");
  /* a partly idle phase ends at the end of its burst's sleep: within one
   * demand period (10 ms) of the interval's end */
  CU_ASSERT(ttc >= (double)n_share - 1e-9 && ttc < (double)n_share + 0.011);
  int32_t id;
  double *t = NULL, *v = NULL;
  size_t n = 0;
  CU_ASSERT_EQUAL_FATAL(sim_result_entity(r, "g0", &id), 0);
  CU_ASSERT_EQUAL_FATAL(sim_result_series(r, "cpu_share", id, &t, &v, &n), 0);
  CU_ASSERT(n >= n_share);
  for (size_t i = 0; i < n_share && i < n; i++) CU_ASSERT_DOUBLE_EQUAL(v[i], share[i], 0.01);
  /* the work done is CPU time over the unit's cost */
  double units = col(r, "summary/guests", "units");
  double cost = mix ? mix->instructions * mix->cycles_per_instruction : 1000;
  double cpu_s = 0;
  for (size_t i = 0; i < n_share; i++) cpu_s += share[i];
  CU_ASSERT_DOUBLE_EQUAL(units * cost / 1e9, cpu_s, 0.01 * n_share);
  sim_free(t);
  sim_free(v);
  sim_diag_clear(&d);
  world_done(&w, r);
}

/* PlanetLab format, plain instructions: 100 %, 50 %, idle. */
static void test_three_samples(void) {
  static const double share[] = {1.0, 0.5, 0.0};
  check_trace("100\n50\n0\n", share, 3, NULL);
}

/* Google derived format (CPU %, memory %): the first column is used, values
 * above 100 are clamped to one CPU, blank lines skipped; the operation mix is
 * the workload's first phase. */
static void test_two_columns_and_mix(void) {
  static const double share[] = {1.0, 0.25, 0.0, 0.75};
  sim_phase mix = {.name = "m", .duration_ns = SIM_S, .instructions = 500,
                   .cycles_per_instruction = 2.0, .cpu_demand = 1.0};
  check_trace("250 12.5\n25\t103.2\n\n0 0\n75.0 1\n", share, 4, &mix);
}

/* The engine reads no file: a trace-driven workload whose samples the loader
 * did not fill is refused, with an error naming the trace, not read again. */
static void test_engine_needs_loaded_samples(void) {
  world w;
  world_init(&w, "10\n");
  w.wl.trace_cpu_percent = NULL;
  w.wl.n_trace_samples = 0;
  sim_diag d;
  sim_diag_init(&d);
  sim_result *r = NULL;
  CU_ASSERT(world_run(&w, &r, &d) < 0);
  CU_ASSERT(d.errors > 0 && d.count > 0 && d.entries[0].file &&
            !strcmp(d.entries[0].file, w.trace) && strstr(d.entries[0].message, "no samples"));
  sim_diag_clear(&d);
  world_done(&w, r);
}

/* Every allocation of a trace run may fail: the run reports an error and
 * frees what it took (the expansion too), never crashes. */
static void test_allocation_failures(void) {
  world w;
  world_init(&w, "100\n50\n0\n");
  int succeeded = 0;
  for (long nth = 1; nth < 400 && !succeeded; nth++) {
    sim_record_config cfg = {SIM_S, 1, 1, NULL, 0, 0};
    sim_recorder *rec = sim_recorder_new(&cfg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rec);
    sim_diag d;
    sim_diag_init(&d);
    engine_options opt = {.find_model = fx_find_model};
    sim_profile *profile = fx_fake_profile();
    CU_ASSERT_PTR_NOT_NULL_FATAL(profile);
    sim_fault_arm(SIM_FAULT_ALLOC, nth);
    int rc = engine_run(&w.sc, profile, rec, &opt, NULL, &d);
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
    sim_profile_free(profile);
  }
  CU_ASSERT(succeeded);
  world_done(&w, NULL);
}

/* ---- the phases a run plays ---- */

/* A played trace's phase k is its mix with sample k's demand (clamped to
 * [1/1000, 1], scaled by the rated speed's share), composed in the caller's
 * buffer; every sample keeps the mix's code identity, so a translation cache
 * translates it once.  A workload without a played trace plays its phases. */
static void test_played_phases(void) {
  double cpu[] = {250, 50, 0, 12.5};
  sim_phase mix = {.name = "m", .duration_ns = SIM_S, .instructions = 500, .cycles_per_instruction = 2.0,
                   .cpu_demand = 0.7};
  sim_workload w = {.name = "w", .trace_interval_ns = SIM_S, .trace_cpu_percent = cpu, .n_trace_samples = 4,
                    .trace_mix = &mix, .trace_scale = 1.0};
  CU_ASSERT_EQUAL_FATAL(sim_workload_n_phases(&w), 4);
  static const double want[] = {1.0, 0.5, 1e-3, 0.125};
  sim_phase buf[4];
  for (size_t k = 0; k < 4; k++) {
    const sim_phase *ph = sim_workload_phase(&w, k, &buf[k]);
    CU_ASSERT_PTR_EQUAL(ph, &buf[k]);
    CU_ASSERT_EQUAL(ph->cpu_demand, want[k]);
    CU_ASSERT_EQUAL(sim_workload_phase_demand(&w, k), want[k]);
    CU_ASSERT(ph->instructions == 500 && ph->cycles_per_instruction == 2.0 && ph->duration_ns == SIM_S);
    CU_ASSERT_PTR_EQUAL(vcost_code_id(ph), vcost_code_id(&buf[0]));
    CU_ASSERT_PTR_EQUAL(sim_workload_phase_body(&w, k), &mix);
  }
  /* the mix is not changed by composing */
  CU_ASSERT_EQUAL(mix.cpu_demand, 0.7);
  /* a rated speed's share: 50 % of 1.5 cores is 0.75; 250 % of it is clamped */
  w.trace_scale = 1.5;
  CU_ASSERT_EQUAL(sim_workload_phase_demand(&w, 1), 0.5 * 1.5);
  CU_ASSERT_EQUAL(sim_workload_phase_demand(&w, 0), 1.0);
  /* the same share as the engine asks it of a sample, at its guest's scale */
  CU_ASSERT_EQUAL(sim_trace_demand(50, 1.5), 0.5 * 1.5);
  CU_ASSERT_EQUAL(sim_trace_demand(250, 1.0), 1.0);
  CU_ASSERT_EQUAL(sim_trace_demand(0, 2.0), SIM_TRACE_IDLE_DEMAND);
  CU_ASSERT_EQUAL(sim_trace_demand(0.01, 1.0), SIM_TRACE_IDLE_DEMAND);
  /* phases as they are */
  sim_phase phases[2] = {{.name = "a", .units = 10, .cpu_demand = 0.25}, {.name = "b", .units = 5}};
  sim_workload plain = {.name = "p", .n_phases = 2, .phases = phases};
  CU_ASSERT_EQUAL_FATAL(sim_workload_n_phases(&plain), 2);
  CU_ASSERT_PTR_EQUAL(sim_workload_phase(&plain, 1, NULL), &phases[1]);
  CU_ASSERT_PTR_EQUAL(sim_workload_phase_body(&plain, 0), &phases[0]);
  CU_ASSERT_EQUAL(sim_workload_phase_demand(&plain, 0), 0.25);
  /* so does the loader's trace-driven workload: its template's phases */
  plain.trace_cpu_percent = cpu;
  plain.n_trace_samples = 4;
  CU_ASSERT_EQUAL(sim_workload_n_phases(&plain), 2);
}

/* ---- what a trace costs ---- */

/* Two guests on one host type each play one trace file of n samples: one as
 * read (100 % is its vCPU), one rated, whose samples are played at each host
 * type's clock. */
static const char cost_scenario[] =
    "simulation: {duration: %zu s}\n"
    "host_types:\n"
    "  slow: {cores: 1, clock: 1 GHz, memory: 4 GiB, scheduler: rr, fidelity: fluid}\n"
    "  fast: {cores: 1, clock: 2 GHz, memory: 4 GiB, scheduler: rr, fidelity: fluid}\n"
    "hosts: [{name: h0, type: slow}, {name: h1, type: fast}]\n"
    "workloads: {tr: {trace: {file: %s, interval: 1 s},"
    " phases: [{name: loop, duration: 1 s, ops: {instructions: 1000, cpi: 1.0}}]}}\n"
    "guests:\n"
    "  - {name: g0, technique: native, host: h0, workload: tr}\n"
    "  - {name: g1, technique: native, host: h1, workload: tr, rated: 4000 MIPS}\n";

/* Heap bytes in use now (the C library's allocator). */
static size_t heap_in_use(void) { return mallinfo2().uordblks; }

/* Whether heap_in_use sees an allocation: not when a sanitizer's or
 * valgrind's allocator stands in for the C library's. */
static bool heap_visible(void) {
  size_t before = heap_in_use();
  void *p = sim_malloc(64 * 1024);
  bool seen = p && heap_in_use() >= before + 64 * 1024;
  sim_free(p);
  return seen;
}

/* The most heap in use the run's progress reports saw (the last one comes
 * after the summary is written, before anything is freed). */
static void note_heap(void *ctx, sim_time now, sim_time end) {
  (void)now;
  (void)end;
  size_t *peak = ctx, h = heap_in_use();
  if (h > *peak) *peak = h;
}

/* The heap a run of an n-sample trace holds at its end, beyond what was in
 * use before the scenario was loaded: the trace's samples and everything
 * the scenario and the run need whatever the length. */
static size_t run_heap(size_t n) {
  char file[256], text[2048];
  temp_path(file, sizeof file, "cost");
  FILE *f = fopen(file, "w");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  for (size_t i = 0; i < n; i++) fprintf(f, "%d\n", i % 2 ? 100 : 250); /* above 100: clamped */
  fclose(f);
  snprintf(text, sizeof text, cost_scenario, n, file);
  sim_profile *profile = fx_fake_profile();
  sim_record_config cfg = {0, 0, 0, NULL, 0, 0};
  sim_recorder *rec = sim_recorder_new(&cfg);
  CU_ASSERT_FATAL(profile && rec);
  size_t before = heap_in_use(), peak = 0;
  sim_diag d;
  sim_diag_init(&d);
  sim_scenario *s = NULL;
  CU_ASSERT_EQUAL_FATAL(sim_scenario_load_text("cost.yaml", text, strlen(text), test_vocabulary(), NULL, 0, &s, &d), 0);
  engine_options opt = {.find_model = fx_find_model, .progress = note_heap, .progress_ctx = &peak};
  engine_stats stats = {0};
  int rc = engine_run(s, profile, rec, &opt, &stats, &d);
  if (rc != 0) sim_diag_print(&d, stderr);
  CU_ASSERT_EQUAL(rc, 0);
  /* both guests played every sample */
  CU_ASSERT_EQUAL(stats.simulated_ns, (sim_time)n * SIM_S);
  sim_scenario_free(s);
  sim_diag_clear(&d);
  sim_recorder_free(rec);
  sim_profile_free(profile);
  remove(file);
  CU_ASSERT_FATAL(peak > before);
  return peak - before;
}

/* A trace-driven workload costs at most 8 bytes a sample, however its
 * guests play it (as read, or rated on two host types): a PlanetLab day
 * (288 samples) and ten days differ by no more than 8 bytes for each of the
 * 2,592 samples more. */
static void test_cost_per_sample(void) {
  if (!heap_visible()) {
    fprintf(stderr, "(the heap in use is not visible under this allocator: not measured) ");
    return;
  }
  size_t day = run_heap(288), ten_days = run_heap(2880);
  double per_sample = ((double)ten_days - (double)day) / (2880 - 288);
  CU_ASSERT(per_sample <= 8.0);
  if (per_sample > 8.0) fprintf(stderr, "a trace costs %.1f bytes a sample\n", per_sample);
}

int register_tests(void) {
  static const test_case tests[] = {
      {"reader: PlanetLab and Google formats", test_parse_formats},
      {"reader: errors at FILE:LINE:COL", test_parse_errors},
      {"reader: regular files only", test_read_regular_files_only},
      {"loader reads the trace", test_loader_reads_trace},
      {"three samples: shares and completion", test_three_samples},
      {"two columns, clamping, operation mix", test_two_columns_and_mix},
      {"engine: samples come from the loader", test_engine_needs_loaded_samples},
      {"allocation failures", test_allocation_failures},
      {"played phases: the mix with a sample's demand", test_played_phases},
      {"at most 8 bytes a sample", test_cost_per_sample},
      {NULL, NULL}};
  return add_suite("trace", tests);
}
