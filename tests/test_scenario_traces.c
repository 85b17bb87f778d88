/* tests/test_scenario_traces.c: a guest entry's per-instance traces
 * (sim/scenario_traces.c): the files of `file` (a pattern), `glob` (byte
 * order) and `files` (a list); one workload per distinct file, shared by the
 * instances and entries naming it; the resolved text loading back to the
 * same scenario (and `rated` written in it); the errors; a run in which
 * instance i does the work of file i's samples; and a rated guest that moves
 * to a faster host asking that host's share within the sample it is in; and
 * a migration whose rounds dirty pages as fast as the sample played then. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/scenario.h"
#include "sim/vocabulary.h"
#include "models/registry.h"
#include "tests/cunit_main.h"
#include "tests/fixtures.h"
#include "tests/test_data.h"

/* ---- a directory of trace files ---- */

typedef struct trace_dir {
  char path[64];
  char names[8][32];
  size_t n;
} trace_dir;

/* Writes file `name` of dir d: `samples` lines of `percent`. */
static void put_trace(trace_dir *d, const char *name, const char *percent, int samples) {
  char p[160];
  snprintf(p, sizeof p, "%s/%s", d->path, name);
  FILE *f = fopen(p, "w");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  for (int i = 0; i < samples; i++) fprintf(f, "%s\n", percent);
  fclose(f);
  CU_ASSERT_FATAL(d->n < 8);
  snprintf(d->names[d->n++], sizeof d->names[0], "%s", name);
}

static void make_dir(trace_dir *d) {
  memset(d, 0, sizeof *d);
  snprintf(d->path, sizeof d->path, "/tmp/vdcsim-test-traces-XXXXXX");
  CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(d->path));
}

static void remove_dir(trace_dir *d) {
  char p[160];
  for (size_t i = 0; i < d->n; i++) {
    snprintf(p, sizeof p, "%s/%s", d->path, d->names[i]);
    remove(p);
  }
  snprintf(p, sizeof p, "%s/sub", d->path);
  rmdir(p);
  rmdir(d->path);
}

/* ---- loading ---- */

/* %s: the guests section. */
static const char scenario_fmt[] =
    "simulation: {duration: 1 h}\n"
    "host_types: {t: {cores: 16, clock: 2 GHz, memory: 64 GiB, fidelity: fluid}}\n"
    "hosts: [{name: h, type: t}]\n"
    "workloads:\n"
    "  loop: {phases: [{name: loop, duration: 5 min, ops: {instructions: 1000, cpi: 1.0}}]}\n"
    "  web: {requests: {ops: {instructions: 1000}, arrivals: {process: poisson, rate: 10/s}}}\n"
    "guests:\n%s";

static sim_scenario *load(const char *guests, sim_diag *d) {
  char text[4096];
  snprintf(text, sizeof text, scenario_fmt, guests);
  sim_diag_init(d);
  sim_scenario *s = NULL;
  int rc = sim_scenario_load_text("t.yaml", text, strlen(text), test_vocabulary(), NULL, 0, &s, d);
  CU_ASSERT_EQUAL(rc == 0, s != NULL);
  return s;
}

static long find_guest(const sim_scenario *s, const char *name) {
  for (size_t i = 0; i < s->n_guests; i++)
    if (!strcmp(s->guests[i].name, name)) return (long)i;
  return -1;
}

/* The workload of guest `name`; fails the test when there is none. */
static const sim_workload *workload_of(const sim_scenario *s, const char *name) {
  long g = find_guest(s, name);
  CU_ASSERT_FATAL(g >= 0);
  return &s->workloads[s->guests[g].workload];
}

/* Guest `name` reads d's file `file`, whose samples are all `percent`. */
static void check_file(const sim_scenario *s, const char *name, const trace_dir *d, const char *file,
                       double percent) {
  const sim_workload *w = workload_of(s, name);
  char path[160], wname[64];
  snprintf(path, sizeof path, "%s/%s", d->path, file);
  snprintf(wname, sizeof wname, "loop@%s", file);
  CU_ASSERT_PTR_NOT_NULL_FATAL(w->trace_path);
  CU_ASSERT_STRING_EQUAL(w->trace_path, path);
  CU_ASSERT_STRING_EQUAL(w->name, wname);
  CU_ASSERT_STRING_EQUAL(w->trace_template, "loop");
  CU_ASSERT_EQUAL(w->trace_interval_ns, 300 * SIM_S);
  CU_ASSERT_EQUAL_FATAL(w->n_phases, 1);
  CU_ASSERT_STRING_EQUAL(w->phases[0].name, "loop");
  CU_ASSERT_EQUAL(w->phases[0].duration_ns, 300 * SIM_S);
  CU_ASSERT_EQUAL_FATAL(w->n_trace_samples, 3);
  CU_ASSERT_EQUAL(w->trace_cpu_percent[2], percent);
}

/* "t{i:02}.txt" names t00.txt, t01.txt, t02.txt; t03.txt is left over. */
static void test_file_pattern(void) {
  trace_dir d;
  make_dir(&d);
  put_trace(&d, "t00.txt", "10", 3);
  put_trace(&d, "t01.txt", "20", 3);
  put_trace(&d, "t02.txt", "30", 3);
  put_trace(&d, "t03.txt", "40", 3);
  char g[512];
  snprintf(g, sizeof g,
           "  - {name: \"v{i}\", count: 3, technique: hvm-ept, host: h, workload: loop,"
           " trace: {dir: %s, file: \"t{i:02}.txt\"}}\n",
           d.path);
  sim_diag diag;
  sim_scenario *s = load(g, &diag);
  CU_ASSERT_PTR_NOT_NULL_FATAL(s);
  check_file(s, "v0", &d, "t00.txt", 10);
  check_file(s, "v1", &d, "t01.txt", 20);
  check_file(s, "v2", &d, "t02.txt", 30);
  CU_ASSERT_EQUAL(s->n_workloads, 5); /* loop, web and the three files */
  sim_scenario_free(s);
  sim_diag_clear(&diag);
  remove_dir(&d);
}

/* A glob takes the regular files, in byte order ("B" < "a" < "a1" < "b"),
 * neither the directory "sub" nor the hidden ".h". */
static void test_glob_order(void) {
  trace_dir d;
  make_dir(&d);
  put_trace(&d, "b", "40", 3);
  put_trace(&d, "a1", "30", 3);
  put_trace(&d, "B", "10", 3);
  put_trace(&d, ".h", "99", 3);
  put_trace(&d, "a", "20", 3);
  char sub[160];
  snprintf(sub, sizeof sub, "%s/sub", d.path);
  CU_ASSERT_EQUAL_FATAL(mkdir(sub, 0700), 0);
  char g[512];
  snprintf(g, sizeof g,
           "  - {name: \"v{i}\", count: 4, technique: hvm-ept, host: h, workload: loop,"
           " trace: {dir: %s, glob: \"*\"}}\n",
           d.path);
  sim_diag diag;
  sim_scenario *s = load(g, &diag);
  CU_ASSERT_PTR_NOT_NULL_FATAL(s);
  check_file(s, "v0", &d, "B", 10);
  check_file(s, "v1", &d, "a", 20);
  check_file(s, "v2", &d, "a1", 30);
  check_file(s, "v3", &d, "b", 40);
  sim_scenario_free(s);
  sim_diag_clear(&diag);
  remove_dir(&d);
}

/* `index` picks each instance's file by position: "{i*2+1}" takes every
 * second file from the second; past the last file is an error. */
static void test_index(void) {
  trace_dir d;
  make_dir(&d);
  put_trace(&d, "a", "10", 3);
  put_trace(&d, "b", "20", 3);
  put_trace(&d, "c", "30", 3);
  put_trace(&d, "d", "40", 3);
  char g[512];
  snprintf(g, sizeof g,
           "  - {name: \"v{i}\", count: 2, technique: hvm-ept, host: h, workload: loop,"
           " trace: {dir: %s, glob: \"*\", index: \"{i*2+1}\"}}\n",
           d.path);
  sim_diag diag;
  sim_scenario *s = load(g, &diag);
  CU_ASSERT_PTR_NOT_NULL_FATAL(s);
  check_file(s, "v0", &d, "b", 20);
  check_file(s, "v1", &d, "d", 40);
  CU_ASSERT_EQUAL(s->n_workloads, 4); /* loop, web, b, d */
  sim_scenario_free(s);
  sim_diag_clear(&diag);
  /* a third instance would take file 5 of 4 */
  snprintf(g, sizeof g,
           "  - {name: \"v{i}\", count: 3, technique: hvm-ept, host: h, workload: loop,"
           " trace: {dir: %s, files: [a, b, c, d], index: \"{i*2+1}\"}}\n",
           d.path);
  s = load(g, &diag);
  CU_ASSERT_PTR_NULL(s);
  CU_ASSERT_EQUAL(diag.count, 1);
  CU_ASSERT(diag.count && strstr(diag.entries[0].message, "instance 2 takes file 5"));
  sim_diag_clear(&diag);
  remove_dir(&d);
}

/* A list names the files in instance order; instances and entries naming one
 * file share its workload. */
static void test_list_and_sharing(void) {
  trace_dir d;
  make_dir(&d);
  put_trace(&d, "x", "10", 3);
  put_trace(&d, "y", "20", 3);
  char g[1024];
  snprintf(g, sizeof g,
           "  - {name: \"v{i}\", count: 3, technique: hvm-ept, host: h, workload: loop,"
           " trace: {dir: %s, files: [y, x, y]}}\n"
           "  - {name: w, technique: hvm-ept, host: h, workload: loop, trace: {files: [%s/x]}}\n",
           d.path, d.path);
  sim_diag diag;
  sim_scenario *s = load(g, &diag);
  CU_ASSERT_PTR_NOT_NULL_FATAL(s);
  check_file(s, "v0", &d, "y", 20);
  check_file(s, "v1", &d, "x", 10);
  check_file(s, "v2", &d, "y", 20);
  CU_ASSERT_EQUAL(s->guests[find_guest(s, "v0")].workload, s->guests[find_guest(s, "v2")].workload);
  /* the single guest names x by its whole path: the same file, the same workload */
  CU_ASSERT_EQUAL(s->guests[find_guest(s, "w")].workload, s->guests[find_guest(s, "v1")].workload);
  CU_ASSERT_EQUAL(s->n_workloads, 4); /* loop, web, x, y */
  sim_scenario_free(s);
  sim_diag_clear(&diag);
  remove_dir(&d);
}

/* The resolved text loads back to the same scenario, and resolves to the
 * same text; `rated` is in it, so two scenarios differing in it differ. */
static void test_resolved_round_trip(void) {
  trace_dir d;
  make_dir(&d);
  put_trace(&d, "0", "10", 3);
  put_trace(&d, "1", "20", 3);
  put_trace(&d, "2", "30", 3);
  char g[1024];
  snprintf(g, sizeof g,
           "  - {name: \"v{i}\", count: 11, technique: hvm-ept, host: h, workload: loop, rated: 1234.5678 MIPS,"
           " trace: {dir: %s, file: \"{i%%3}\", interval: 1 min}}\n"
           "  - {name: u, technique: hvm-ept, host: h, workload: loop}\n",
           d.path);
  sim_diag diag;
  sim_scenario *s = load(g, &diag);
  CU_ASSERT_PTR_NOT_NULL_FATAL(s);
  sim_diag d2;
  sim_diag_init(&d2);
  sim_scenario *r = NULL;
  CU_ASSERT_EQUAL_FATAL(sim_scenario_load_text("r.yaml", s->resolved_text, strlen(s->resolved_text),
                                               test_vocabulary(), NULL, 0, &r, &d2), 0);
  CU_ASSERT_STRING_EQUAL(r->resolved_text, s->resolved_text);
  CU_ASSERT_EQUAL_FATAL(r->n_guests, s->n_guests);
  CU_ASSERT_EQUAL(r->n_workloads, s->n_workloads);
  for (size_t i = 0; i < s->n_guests; i++) {
    const sim_workload *a = &s->workloads[s->guests[i].workload], *b = &r->workloads[r->guests[i].workload];
    CU_ASSERT_STRING_EQUAL(r->guests[i].name, s->guests[i].name);
    CU_ASSERT_STRING_EQUAL(b->name, a->name);
    CU_ASSERT_EQUAL(s->guests[i].workload, r->guests[i].workload);
    if (b->trace_path) CU_ASSERT_EQUAL(b->trace_interval_ns, 60 * SIM_S);
    CU_ASSERT_EQUAL(r->guests[i].rated_ips, s->guests[i].rated_ips);
    CU_ASSERT((a->trace_path && b->trace_path && !strcmp(a->trace_path, b->trace_path)) ||
              (!a->trace_path && !b->trace_path));
  }
  /* v10 reads file 10 % 3 = 1 */
  CU_ASSERT_STRING_EQUAL(workload_of(r, "v10")->name, "loop@1");
  CU_ASSERT_EQUAL(workload_of(r, "v10")->trace_cpu_percent[0], 20);
  CU_ASSERT_EQUAL(s->guests[find_guest(s, "v0")].rated_ips, 1234.5678e6);
  CU_ASSERT_PTR_NOT_NULL(strstr(s->resolved_text, "rated: 1234.5678 MIPS"));
  sim_scenario_free(r);
  sim_diag_clear(&d2);
  /* another rating, another resolved text (the run key hashes it) */
  char *other = strstr(g, "1234.5678");
  CU_ASSERT_PTR_NOT_NULL_FATAL(other);
  memcpy(other, "1234.5679", 9);
  sim_diag d3;
  r = load(g, &d3);
  CU_ASSERT_PTR_NOT_NULL_FATAL(r);
  CU_ASSERT_STRING_NOT_EQUAL(r->resolved_text, s->resolved_text);
  sim_scenario_free(r);
  sim_diag_clear(&d3);
  sim_scenario_free(s);
  sim_diag_clear(&diag);
  remove_dir(&d);
}

/* Loading guests `fmt` (with the directory for %s) fails with one error
 * whose message holds `part`, at `line` of file `file` (NULL: t.yaml). */
static void check_error(const trace_dir *d, const char *fmt, const char *file, int line, const char *part) {
  char g[1024], want_file[160];
  snprintf(g, sizeof g, fmt, d->path, d->path);
  snprintf(want_file, sizeof want_file, "%s/%s", d->path, file ? file : "");
  sim_diag diag;
  sim_scenario *s = load(g, &diag);
  CU_ASSERT_PTR_NULL(s);
  CU_ASSERT_EQUAL_FATAL(diag.count, 1);
  CU_ASSERT_STRING_EQUAL(diag.entries[0].file, file ? want_file : "t.yaml");
  CU_ASSERT_EQUAL(diag.entries[0].line, line);
  if (!strstr(diag.entries[0].message, part)) printf("\n  got: %s\n", diag.entries[0].message);
  CU_ASSERT_PTR_NOT_NULL(strstr(diag.entries[0].message, part));
  sim_scenario_free(s);
  sim_diag_clear(&diag);
}

static void test_errors(void) {
  trace_dir d;
  make_dir(&d);
  put_trace(&d, "a", "10", 3);
  put_trace(&d, "bad", "10\n20\n3x", 1);
  /* guests start at line 8 of the scenario */
  check_error(&d, "  - {name: \"v{i}\", count: 2, technique: hvm-ept, host: h, workload: loop, trace: {dir: %s, glob: \"z*\"}}\n",
              NULL, 8, "no regular file in the trace directory");
  check_error(&d, "  - {name: \"v{i}\", count: 3, technique: hvm-ept, host: h, workload: loop, trace: {dir: %s, glob: \"*\"}}\n",
              NULL, 8, "has 3 instances, but its trace names only 2 files");
  check_error(&d, "  - {name: \"v{i}\", count: 2, technique: hvm-ept, host: h, workload: loop,\n"
                  "     trace: {dir: %s, file: \"{i}\"}}\n",
              NULL, 9, "cannot be read");
  check_error(&d, "  - {name: v, technique: hvm-ept, host: h, workload: loop, trace: {dir: %s, files: [bad]}}\n",
              "bad", 3, "malformed trace sample");
  check_error(&d, "  - {name: v, technique: hvm-ept, host: h, workload: loop, trace: {dir: %s, file: a, glob: a}}\n",
              NULL, 8, "exactly one of 'file'");
  check_error(&d, "  - {name: v, technique: hvm-ept, host: h, workload: web, trace: {dir: %s, file: a}}\n",
              NULL, 8, "has 'requests'");
  check_error(&d, "  - {name: v, technique: hvm-ept, host: h, workload: loop, trace: {dir: %s/none, glob: \"*\"}}\n",
              NULL, 8, "cannot read the trace directory");
  remove_dir(&d);
}

/* ---- a run ---- */

static const char test_profile[] =
    "profile: {name: traces-test, fallback: generic-x86-2020}\n"
    "quantities:\n"
    "  migration.page_size: {value: 4 KiB, source: test}\n";

/* Three native guests, each on a core of its own, read files "f10" (20 %),
 * "f2" (50 %) and "f3" (80 %) of a glob, in byte order: instance i does the
 * work of file i's samples, so their instructions stand as 20 : 50 : 80. */
static void test_instance_runs_its_file(void) {
  trace_dir d;
  make_dir(&d);
  put_trace(&d, "f3", "80", 10);
  put_trace(&d, "f10", "20", 10);
  put_trace(&d, "f2", "50", 10);
  char text[2048];
  snprintf(text, sizeof text,
           "name: traces\n"
           "simulation: {duration: 1000 s}\n"
           "host_types: {t: {cores: 4, clock: 1 GHz, memory: 8 GiB, fidelity: fluid}}\n"
           "hosts: [{name: h, type: t}]\n"
           "workloads: {loop: {phases: [{duration: 100 s, ops: {instructions: 1000, cpi: 1.0}}]}}\n"
           "guests:\n"
           "  - {name: \"g{i}\", count: 3, technique: native, host: h, workload: loop,"
           " trace: {dir: %s, glob: \"f*\", interval: 100 s}}\n",
           d.path);
  sim_record_config cfg = {.sample_interval_ns = 100 * SIM_S, .events = 0, .series = 0};
  fx_run o;
  int rc = fx_run_text("test-traces", test_profile, "traces.yaml", text, &cfg, &o);
  remove_dir(&d);
  CU_ASSERT_EQUAL_FATAL(rc, 0);
  /* rows in name order: g0 g1 g2 */
  double u0 = fx_col(o.r, "summary/guests", "units", 0), u1 = fx_col(o.r, "summary/guests", "units", 1),
         u2 = fx_col(o.r, "summary/guests", "units", 2);
  CU_ASSERT(u0 > 0);
  CU_ASSERT(fabs(u1 / u0 - 50.0 / 20) < 1e-3);
  CU_ASSERT(fabs(u2 / u0 - 80.0 / 20) < 1e-3);
  fx_run_close(&o);
}

/* A guest rated 1000 MIPS plays a one-sample trace at 80 %: 0.8 of a 1 GHz
 * core and 0.4 of a 2 GHz one.  Moved from the slow host to the fast one
 * 100 s into its sample, it asks the fast host's share from then on, within
 * the sample it is in. */
static void test_rated_guest_moves(void) {
  trace_dir d;
  make_dir(&d);
  put_trace(&d, "one", "80", 1);
  char text[2048];
  snprintf(text, sizeof text,
           "name: moved\n"
           "simulation: {duration: 1000 s}\n"
           "host_types:\n"
           "  slow: {cores: 1, clock: 1 GHz, memory: 8 GiB, fidelity: fluid, nics: [{bandwidth: 1 Gbit/s}]}\n"
           "  fast: {cores: 1, clock: 2 GHz, memory: 8 GiB, fidelity: fluid, nics: [{bandwidth: 1 Gbit/s}]}\n"
           "hosts: [{name: s, type: slow}, {name: f, type: fast}]\n"
           "workloads: {loop: {phases: [{duration: 1000 s, ops: {instructions: 1000, cpi: 1.0}}]}}\n"
           "guests:\n"
           "  - {name: a, technique: native, host: s, memory: 64 MiB, workload: loop, rated: 1000 MIPS,"
           " trace: {dir: %s, files: [one], interval: 1000 s}}\n"
           "migrations: [{name: m, at: 100 s, guest: a, to: f, strategy: stop-and-copy}]\n",
           d.path);
  sim_record_config cfg = {.sample_interval_ns = 100 * SIM_S, .events = 0, .series = 0};
  fx_run o;
  int rc = fx_run_text("test-traces", test_profile, "moved.yaml", text, &cfg, &o);
  remove_dir(&d);
  CU_ASSERT_EQUAL_FATAL(rc, 0);
  /* rows in name order: f, then s; the stop-and-copy of 64 MiB takes about 0.5 s */
  double fast = fx_col(o.r, "summary/hosts", "busy_s", 0), slow = fx_col(o.r, "summary/hosts", "busy_s", 1);
  CU_ASSERT(fabs(slow - 0.8 * 100) < 1);
  CU_ASSERT(fabs(fast - 0.4 * 900) < 2);
  fx_run_close(&o);
}

/* Bytes a pre-copy migration at `at` sends of a guest playing a trace of
 * 10 % for 100 s, then 100 %, whose pages are rewritten at a rate that
 * follows its utilisation. */
static double migrated_bytes(const char *at) {
  trace_dir d;
  make_dir(&d);
  put_trace(&d, "two", "10", 1);
  char text[2048];
  snprintf(text, sizeof text, "%s/two", d.path);
  FILE *f = fopen(text, "a");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  fputs("100\n", f);
  fclose(f);
  snprintf(text, sizeof text,
           "name: follows\n"
           "simulation: {duration: 300 s}\n"
           "host_types: {t: {cores: 1, clock: 1 GHz, memory: 8 GiB, fidelity: fluid,"
           " nics: [{bandwidth: 1 Gbit/s}]}}\n"
           "hosts: [{name: a, type: t}, {name: b, type: t}]\n"
           "workloads: {loop: {phases: [{duration: 100 s, ops: {instructions: 1000, cpi: 1.0},"
           " dirty: [{pages: 20000, rate: 2 Hz, follows: utilisation}]}]}}\n"
           "guests:\n"
           "  - {name: g, technique: native, host: a, memory: 256 MiB, workload: loop,"
           " trace: {dir: %s, files: [two], interval: 100 s}}\n"
           "migrations: [{name: m, at: %s, guest: g, to: b, strategy: precopy, max_rate: 1 Gbit/s,"
           " max_downtime: 300 ms}]\n",
           d.path, at);
  sim_record_config cfg = {.sample_interval_ns = 100 * SIM_S, .events = 0, .series = 0};
  fx_run o;
  int rc = fx_run_text("test-traces", test_profile, "follows.yaml", text, &cfg, &o);
  remove_dir(&d);
  CU_ASSERT_EQUAL_FATAL(rc, 0);
  double bytes = fx_col(o.r, "migration/summary", "total_bytes", 0);
  fx_run_close(&o);
  return bytes;
}

/* A migration's rounds read the sample the guest plays then: its pages are
 * rewritten ten times as fast at 100 % as at 10 %, so a migration during
 * the busy sample sends several times as many pages again. */
static void test_dirtying_follows_the_sample(void) {
  /* what they send beyond the memory's one copy: the pages dirtied again */
  double memory = 256.0 * 1024 * 1024;
  double idle = migrated_bytes("50 s") - memory, busy = migrated_bytes("150 s") - memory;
  CU_ASSERT(idle > 0);
  CU_ASSERT(busy > 3 * idle);
}

int register_tests(void) {
  static const test_case tests[] = {{"a file pattern per instance", test_file_pattern},
                                    {"a glob in byte order", test_glob_order},
                                    {"an index picks the files", test_index},
                                    {"a list; one workload per file", test_list_and_sharing},
                                    {"the resolved text round trip", test_resolved_round_trip},
                                    {"errors", test_errors},
                                    {"instance i runs file i's samples", test_instance_runs_its_file},
                                    {"a rated guest moved asks its new host's share", test_rated_guest_moves},
                                    {"a migration's dirtying follows the sample", test_dirtying_follows_the_sample},
                                    {NULL, NULL}};
  return add_suite("scenario_traces", tests);
}
