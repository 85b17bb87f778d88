/* tests/test_recorder.c: the HDF5 recorder (sim/recorder.c) and the result
 * reader (sim/results.c): round trips through a real file, the layout
 * (chunking, deflate, units), signal selection, flushing in chunks, the
 * recorder's own shuffle and deflate of whole chunks read back by HDF5 at
 * every level, atomic
 * writes under HDF5 and allocation faults for N = 1, 2, ..., the output path
 * (only new or regular files are written), one writer per output, and the
 * removal of killed runs' temporaries, series written on change (read back
 * filled forward), batches of rows (what as many emits write) and entities
 * whose parent changes during the run (under faults too).  Every file is
 * made in a scratch
 * directory under /tmp. */
#define _GNU_SOURCE /* mknod, makedev, S_IFMT */
#include <dirent.h>
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/alloc.h"
#include "sim/recorder.h"
#include "sim/results.h"
#include "tests/cunit_main.h"
#include "tests/scratch.h"

static char dir[64];
static char out_path[128];

static int suite_init(void) {
  if (scratch_make(dir, sizeof dir, "test-recorder") < 0) return -1;
  snprintf(out_path, sizeof out_path, "%s/run.h5", dir);
  return 0;
}

/* Number of files in dir. */
static int dir_entries(void) {
  DIR *d = opendir(dir);
  if (!d) return -1;
  int n = 0;
  for (struct dirent *e; (e = readdir(d));)
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
  closedir(d);
  return n;
}

static void empty_dir(void) {
  DIR *d = opendir(dir);
  if (!d) return;
  char p[512];
  for (struct dirent *e; (e = readdir(d));)
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
      snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
      unlink(p);
    }
  closedir(d);
}

static int suite_clean(void) {
  return scratch_remove(dir);
}

static sim_record_config default_config(void) {
  sim_record_config c = {.sample_interval_ns = 10 * SIM_MS,
                         .events = 1,
                         .series = 1,
                         .signals = NULL,
                         .n_signals = 0,
                         .compression_level = 4};
  return c;
}

static const sim_column guest_cols[] = {
    {"guest", SIM_COL_STR, "", "guest name"},
    {"units_done", SIM_COL_I64, "1", "units of work completed"},
    {"relative_throughput", SIM_COL_F64, "1", "throughput relative to native"},
};

/* Records a small run: 2 hosts' worth of entities, two signals, events and a
 * table.  The values follow from i so the test can recompute them.  0, or
 * negative on the first failure. */
static int record_sample(sim_recorder *rec) {
  if (sim_recorder_attr_str(rec, "scenario_name", "sample") < 0) return -1;
  if (sim_recorder_attr_i64(rec, "seed", 42) < 0) return -1;
  if (sim_recorder_attr_f64(rec, "wall_clock_start", 1.5e9) < 0) return -1;
  if (sim_recorder_attr_u64(rec, "big_seed", UINT64_MAX) < 0) return -1;
  int32_t host = sim_recorder_entity(rec, "host", "h0", -1);
  if (host < 0) return -1;
  int32_t g0 = sim_recorder_entity(rec, "guest", "vm0", host);
  int32_t g1 = sim_recorder_entity(rec, "guest", "vm1", host);
  if (g0 < 0 || g1 < 0) return -1;
  int progress = sim_recorder_signal(rec, "progress", "1", "share of the work done");
  int steal = sim_recorder_signal(rec, "steal", "s", "time runnable but not running");
  if (progress < 0 && progress != SIM_SIGNAL_OFF) return -1;
  if (steal < 0 && steal != SIM_SIGNAL_OFF) return -1;
  int start = sim_recorder_event_type(rec, "guest_start", "value0: vCPUs, value1: unused");
  int done = sim_recorder_event_type(rec, "guest_done", "value0: units, value1: unused");
  if (start < 0 || done < 0) return -1;
  if (sim_record_event(rec, start, 0, g0, 1, 0) < 0) return -1;
  if (sim_record_event(rec, start, 0, g1, 2, 0) < 0) return -1;
  for (int i = 0; i <= 10; i++) {
    sim_time t = i * 10 * SIM_MS;
    if (sim_emit(rec, progress, g0, t, i / 10.0) < 0) return -1;
    if (sim_emit(rec, progress, g1, t, i / 20.0) < 0) return -1;
    if (sim_emit(rec, steal, g1, t, i * 0.001) < 0) return -1;
  }
  if (sim_record_event(rec, done, 100 * SIM_MS, g0, 1000, 0) < 0) return -1;
  sim_table *guests = sim_recorder_table(rec, "summary/guests", "one row per guest", 3, guest_cols);
  if (!guests) return -1;
  sim_cell row0[] = {{.s = "vm0"}, {.i = 1000}, {.f = 1.0}};
  sim_cell row1[] = {{.s = "vm1"}, {.i = 500}, {.f = 0.5}};
  if (sim_table_append(guests, row0) < 0 || sim_table_append(guests, row1) < 0) return -1;
  return 0;
}

static void test_round_trip(void) {
  empty_dir();
  sim_record_config c = default_config();
  sim_recorder *rec = sim_recorder_new(&c);
  CU_ASSERT_PTR_NOT_NULL_FATAL(rec);
  CU_ASSERT_EQUAL(sim_recorder_sample_interval(rec), 10 * SIM_MS);
  CU_ASSERT_EQUAL(record_sample(rec), 0);
  sim_diag d;
  sim_diag_init(&d);
  CU_ASSERT_EQUAL(sim_recorder_write(rec, out_path, &d), 0);
  CU_ASSERT_EQUAL(d.errors, 0);
  sim_recorder_free(rec);
  CU_ASSERT_EQUAL(dir_entries(), 1); /* the result, no temporary left */

  sim_result *r = NULL;
  CU_ASSERT_EQUAL_FATAL(sim_result_open(out_path, &r, &d), 0);
  CU_ASSERT_STRING_EQUAL(sim_result_path(r), out_path);
  const char *status = sim_result_attr_str(r, "status");
  CU_ASSERT_PTR_NOT_NULL(status);
  if (status) CU_ASSERT_STRING_EQUAL(status, "complete");
  const char *name = sim_result_attr_str(r, "scenario_name");
  if (name) CU_ASSERT_STRING_EQUAL(name, "sample");
  CU_ASSERT_PTR_NOT_NULL(name);
  CU_ASSERT_PTR_NULL(sim_result_attr_str(r, "no_such_attribute"));
  double v = 0;
  CU_ASSERT_EQUAL(sim_result_attr_f64(r, "seed", &v), 0);
  CU_ASSERT_EQUAL(v, 42.0);
  CU_ASSERT_EQUAL(sim_result_attr_f64(r, "wall_clock_start", &v), 0);
  CU_ASSERT_EQUAL(v, 1.5e9);
  CU_ASSERT(sim_result_attr_f64(r, "scenario_name", &v) < 0); /* a string, not a number */
  CU_ASSERT_EQUAL(sim_result_attr_f64(r, "big_seed", &v), 0);
  CU_ASSERT_DOUBLE_EQUAL(v, 18446744073709551615.0, 1e4);

  int32_t g1 = -1;
  CU_ASSERT_EQUAL(sim_result_entity(r, "vm1", &g1), 0);
  CU_ASSERT_EQUAL(g1, 2);
  CU_ASSERT(sim_result_entity(r, "vm9", &g1) < 0);

  double *t = NULL, *x = NULL;
  size_t n = 0;
  CU_ASSERT_EQUAL_FATAL(sim_result_series(r, "progress", g1, &t, &x, &n), 0);
  CU_ASSERT_EQUAL(n, 11);
  for (size_t i = 0; i < n && i < 11; i++) {
    CU_ASSERT_DOUBLE_EQUAL(t[i], i * 0.01, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(x[i], i / 20.0, 1e-12);
  }
  sim_free(t);
  sim_free(x);
  CU_ASSERT(sim_result_series(r, "absent", g1, &t, &x, &n) < 0);

  CU_ASSERT(sim_result_has(r, "summary/guests"));
  CU_ASSERT(sim_result_has(r, "events"));
  CU_ASSERT(sim_result_has(r, "series/steal"));
  CU_ASSERT(!sim_result_has(r, "summary/hosts"));
  CU_ASSERT(!sim_result_has(r, "nowhere/at/all"));
  CU_ASSERT(!sim_result_has(r, "summary")); /* a group, not a dataset */
  size_t rows = 0;
  CU_ASSERT_EQUAL(sim_result_table_rows(r, "summary/guests", &rows), 0);
  CU_ASSERT_EQUAL(rows, 2);
  CU_ASSERT_EQUAL(sim_result_table_rows(r, "events", &rows), 0);
  CU_ASSERT_EQUAL(rows, 3);

  double *units = NULL;
  CU_ASSERT_EQUAL(sim_result_column_f64(r, "summary/guests", "units_done", &units, &n), 0);
  CU_ASSERT_EQUAL(n, 2);
  if (n == 2) {
    CU_ASSERT_EQUAL(units[0], 1000.0);
    CU_ASSERT_EQUAL(units[1], 500.0);
  }
  sim_free(units);
  CU_ASSERT(sim_result_column_f64(r, "summary/guests", "guest", &units, &n) < 0); /* strings */
  CU_ASSERT(sim_result_column_f64(r, "summary/guests", "nope", &units, &n) < 0);
  char **names = NULL;
  CU_ASSERT_EQUAL(sim_result_column_str(r, "summary/guests", "guest", &names, &n), 0);
  CU_ASSERT_EQUAL(n, 2);
  if (n == 2) {
    CU_ASSERT_STRING_EQUAL(names[0], "vm0");
    CU_ASSERT_STRING_EQUAL(names[1], "vm1");
  }
  sim_result_free_strings(names, n);
  const char *unit = sim_result_column_unit(r, "series/steal", "value");
  CU_ASSERT_PTR_NOT_NULL(unit);
  if (unit) CU_ASSERT_STRING_EQUAL(unit, "s");
  unit = sim_result_column_unit(r, "events", "time_ns");
  if (unit) CU_ASSERT_STRING_EQUAL(unit, "ns");
  CU_ASSERT_PTR_NOT_NULL(unit);
  CU_ASSERT_PTR_NULL(sim_result_column_unit(r, "events", "nope"));
  CU_ASSERT_PTR_NULL(sim_result_column_unit(r, "summary/guests", "guest")); /* text: "" */
  sim_result_close(r);
  sim_diag_clear(&d);
}

/* Every dataset: chunked, deflate-compressed, a unit for every column. */
static void check_layout(hid_t file, const char *path, int deflate) {
  hid_t ds = H5Dopen2(file, path, H5P_DEFAULT);
  CU_ASSERT_FATAL(ds >= 0);
  hid_t dcpl = H5Dget_create_plist(ds);
  CU_ASSERT_EQUAL(H5Pget_layout(dcpl), H5D_CHUNKED);
  int found = 0;
  for (int i = 0; i < H5Pget_nfilters(dcpl); i++) {
    unsigned flags = 0, cd[8];
    size_t n_cd = 8;
    if (H5Pget_filter2(dcpl, (unsigned)i, &flags, &n_cd, cd, 0, NULL, NULL) == H5Z_FILTER_DEFLATE)
      found = 1;
  }
  CU_ASSERT_EQUAL(found, deflate);
  H5Pclose(dcpl);
  hid_t type = H5Dget_type(ds);
  CU_ASSERT_EQUAL(H5Tget_class(type), H5T_COMPOUND);
  for (int i = 0; i < H5Tget_nmembers(type); i++) {
    char *m = H5Tget_member_name(type, (unsigned)i);
    char attr[128];
    snprintf(attr, sizeof attr, "unit_%s", m);
    CU_ASSERT(H5Aexists(ds, attr) > 0);
    H5free_memory(m);
  }
  CU_ASSERT(H5Aexists(ds, "doc") > 0);
  H5Tclose(type);
  H5Dclose(ds);
}

static void test_layout(void) {
  empty_dir();
  for (int level = 0; level <= 6; level += 6) {
    sim_record_config c = default_config();
    c.compression_level = level;
    sim_recorder *rec = sim_recorder_new(&c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rec);
    CU_ASSERT_EQUAL(record_sample(rec), 0);
    sim_diag d;
    sim_diag_init(&d);
    CU_ASSERT_EQUAL(sim_recorder_write(rec, out_path, &d), 0);
    sim_recorder_free(rec);
    sim_diag_clear(&d);
    hid_t f = H5Fopen(out_path, H5F_ACC_RDONLY, H5P_DEFAULT);
    CU_ASSERT_FATAL(f >= 0);
    const char *paths[] = {"entities", "events", "series/progress", "series/steal",
                           "summary/guests"};
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) check_layout(f, paths[i], level > 0);
    hid_t ev = H5Dopen2(f, "events", H5P_DEFAULT);
    CU_ASSERT(H5Aexists(ev, "type_names") > 0);
    CU_ASSERT(H5Aexists(ev, "type_docs") > 0);
    H5Dclose(ev);
    H5Fclose(f);
  }
}

static void test_signal_selection(void) {
  empty_dir();
  const char *const keep[] = {"steal"};
  sim_record_config c = default_config();
  c.signals = keep;
  c.n_signals = 1;
  c.events = 0;
  sim_recorder *rec = sim_recorder_new(&c);
  CU_ASSERT_PTR_NOT_NULL_FATAL(rec);
  CU_ASSERT_EQUAL(sim_recorder_signal(rec, "progress", "1", "x"), SIM_SIGNAL_OFF);
  CU_ASSERT_EQUAL(sim_emit(rec, SIM_SIGNAL_OFF, 0, 0, 1.0), 0);
  CU_ASSERT_EQUAL(record_sample(rec), 0);
  sim_diag d;
  sim_diag_init(&d);
  CU_ASSERT_EQUAL(sim_recorder_write(rec, out_path, &d), 0);
  sim_recorder_free(rec);
  sim_result *r = NULL;
  CU_ASSERT_EQUAL_FATAL(sim_result_open(out_path, &r, &d), 0);
  CU_ASSERT(sim_result_has(r, "series/steal"));
  CU_ASSERT(!sim_result_has(r, "series/progress"));
  CU_ASSERT(!sim_result_has(r, "events"));
  CU_ASSERT(sim_result_has(r, "summary/guests"));
  sim_result_close(r);

  /* series off: no signal is kept */
  c = default_config();
  c.series = 0;
  rec = sim_recorder_new(&c);
  CU_ASSERT_PTR_NOT_NULL_FATAL(rec);
  CU_ASSERT_EQUAL(sim_recorder_signal(rec, "steal", "s", "x"), SIM_SIGNAL_OFF);
  sim_recorder_free(rec);
  sim_diag_clear(&d);
}

/* Rows of a chunk of a series (20-byte rows; CHUNK_BYTES, sim/recorder_internal.h). */
#define CHUNK_TEST_ROWS 13107

/* The value of row i of the series written by test_chunks_every_level: long
 * stretches where a byte plane of a chunk is one byte repeated (a time that
 * stays put, a value that is 0), and stretches where every plane varies.  In
 * the zero stretches, one row of a chunk differs: its second row or its
 * last, the rows the comparison of whole 40-byte blocks leaves out. */
static sim_time chunk_test_time(size_t i) { return (sim_time)(i / 20000) * SIM_S; }
static int32_t chunk_test_entity(size_t i) { return (int32_t)(i % 2); } /* repeats every 40 bytes */
static double chunk_test_value(size_t i) {
  size_t in_chunk = i % CHUNK_TEST_ROWS, chunk = i / CHUNK_TEST_ROWS;
  if ((i / 30000) % 2 == 0) return (double)(i % 977) / 977.0 + (double)i;
  return (chunk % 2 ? in_chunk == 1 : in_chunk == CHUNK_TEST_ROWS - 1) ? 2.5 : 0.0;
}

/* The recorder shuffles and deflates whole chunks itself and writes them as
 * they are: at every level, with the file opened early (chunks flushed
 * during the run, the last one short) or at write time (one chunk), HDF5
 * reads every row back (its inflate checks each chunk's checksum), and the
 * datasets still declare the shuffle and deflate filters readers apply. */
static void test_chunks_every_level(void) {
  const size_t sizes[] = {95000, 5, 1};
  for (int level = 1; level <= 9; level++)
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
      empty_dir();
      size_t rows = sizes[k];
      sim_record_config c = default_config();
      c.compression_level = level;
      sim_recorder *rec = sim_recorder_new(&c);
      CU_ASSERT_PTR_NOT_NULL_FATAL(rec);
      sim_diag d;
      sim_diag_init(&d);
      if (rows > 1000) CU_ASSERT_EQUAL_FATAL(sim_recorder_begin(rec, out_path, &d), 0);
      for (int e = 0; e < 3; e++) sim_recorder_entity(rec, "guest", e ? "vm1" : "vm0", -1);
      int s = sim_recorder_signal(rec, "progress", "1", "x");
      CU_ASSERT_FATAL(s >= 0);
      int ok = 1;
      for (size_t i = 0; i < rows; i++)
        ok &= sim_emit(rec, s, chunk_test_entity(i), chunk_test_time(i), chunk_test_value(i)) == 0;
      CU_ASSERT(ok);
      CU_ASSERT_EQUAL_FATAL(sim_recorder_write(rec, out_path, &d), 0);
      sim_recorder_free(rec);
      sim_diag_clear(&d);

      hid_t f = H5Fopen(out_path, H5F_ACC_RDONLY, H5P_DEFAULT);
      CU_ASSERT_FATAL(f >= 0);
      check_layout(f, "series/progress", 1);
      check_layout(f, "entities", 1);
      hid_t ds = H5Dopen2(f, "series/progress", H5P_DEFAULT);
      if (rows > 1000) {
        hid_t dcpl = H5Dget_create_plist(ds);
        hsize_t chunk[1] = {0};
        H5Pget_chunk(dcpl, 1, chunk);
        CU_ASSERT_EQUAL(chunk[0], CHUNK_TEST_ROWS); /* the rows chunk_test_value aims at */
        H5Pclose(dcpl);
      }
      hid_t space = H5Dget_space(ds);
      CU_ASSERT_EQUAL((size_t)H5Sget_simple_extent_npoints(space), rows);
      typedef struct {
        int64_t t;
        int32_t e;
        double v;
      } row_t;
      hid_t mt = H5Tcreate(H5T_COMPOUND, sizeof(row_t));
      H5Tinsert(mt, "time_ns", HOFFSET(row_t, t), H5T_NATIVE_INT64);
      H5Tinsert(mt, "entity", HOFFSET(row_t, e), H5T_NATIVE_INT32);
      H5Tinsert(mt, "value", HOFFSET(row_t, v), H5T_NATIVE_DOUBLE);
      row_t *back = sim_calloc(rows, sizeof *back);
      CU_ASSERT_FATAL(back != NULL);
      CU_ASSERT_EQUAL(H5Dread(ds, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, back), 0);
      size_t wrong = 0;
      for (size_t i = 0; i < rows; i++)
        wrong += back[i].t != chunk_test_time(i) || back[i].e != chunk_test_entity(i) ||
                 back[i].v != chunk_test_value(i);
      CU_ASSERT_EQUAL(wrong, 0);
      if (rows > 1000) CU_ASSERT(H5Dget_storage_size(ds) < rows * 20 / 2); /* compressed */
      sim_free(back);
      H5Tclose(mt);
      H5Sclose(space);
      H5Dclose(ds);
      /* the entity names (64-byte string cells) back too */
      sim_result *r = NULL;
      H5Fclose(f);
      CU_ASSERT_EQUAL_FATAL(sim_result_open(out_path, &r, &d), 0);
      int32_t id = -1;
      CU_ASSERT_EQUAL(sim_result_entity(r, "vm1", &id), 0);
      CU_ASSERT_EQUAL(id, 1);
      sim_result_close(r);
      sim_diag_clear(&d);
    }
}

/* Incompressible rows (every byte of the value drawn from an LCG, entities
 * that change a plane every other row): the deflate stream outgrows its
 * first bound, and every bit comes back. */
static void test_chunks_incompressible(void) {
  empty_dir();
  sim_record_config c = default_config();
  c.compression_level = 9;
  sim_recorder *rec = sim_recorder_new(&c);
  CU_ASSERT_PTR_NOT_NULL_FATAL(rec);
  sim_diag d;
  sim_diag_init(&d);
  CU_ASSERT_EQUAL_FATAL(sim_recorder_begin(rec, out_path, &d), 0);
  int s = sim_recorder_signal(rec, "noise", "1", "x");
  const size_t rows = 3 * CHUNK_TEST_ROWS + 17;
  uint64_t *bits = sim_calloc(rows, sizeof *bits), x = 12345;
  CU_ASSERT_FATAL(bits != NULL && s >= 0);
  int ok = 1;
  for (size_t i = 0; i < rows; i++) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    bits[i] = x;
    double v;
    memcpy(&v, &bits[i], sizeof v);
    ok &= sim_emit(rec, s, (int32_t)(i % 2), (sim_time)(x >> 1), v) == 0;
  }
  CU_ASSERT(ok);
  CU_ASSERT_EQUAL_FATAL(sim_recorder_write(rec, out_path, &d), 0);
  sim_recorder_free(rec);
  hid_t f = H5Fopen(out_path, H5F_ACC_RDONLY, H5P_DEFAULT);
  CU_ASSERT_FATAL(f >= 0);
  hid_t ds = H5Dopen2(f, "series/noise", H5P_DEFAULT);
  uint64_t *back = sim_calloc(rows, sizeof *back);
  CU_ASSERT_FATAL(back != NULL);
  hid_t vt = H5Tcreate(H5T_COMPOUND, sizeof(double)); /* the value alone, its bits compared */
  H5Tinsert(vt, "value", 0, H5T_NATIVE_DOUBLE);
  CU_ASSERT_EQUAL(H5Dread(ds, vt, H5S_ALL, H5S_ALL, H5P_DEFAULT, back), 0);
  CU_ASSERT(memcmp(back, bits, rows * sizeof *bits) == 0);
  H5Tclose(vt);
  sim_free(back);
  sim_free(bits);
  H5Dclose(ds);
  H5Fclose(f);
  sim_diag_clear(&d);
}

/* The row buffers' memory: without a file every row of a series stays in
 * it (20 bytes a row); once the output is begun, rows leave a chunk at a
 * time and the buffer stays within a chunk or two, however many rows. */
static void test_buffered_bytes(void) {
  const size_t rows = 8 * CHUNK_TEST_ROWS;
  size_t held[2];
  for (int begun = 0; begun < 2; begun++) {
    empty_dir();
    sim_record_config c = default_config();
    sim_recorder *rec = sim_recorder_new(&c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rec);
    sim_diag d;
    sim_diag_init(&d);
    if (begun) CU_ASSERT_EQUAL_FATAL(sim_recorder_begin(rec, out_path, &d), 0);
    int s = sim_recorder_signal(rec, "load", "1", "x");
    CU_ASSERT_FATAL(s >= 0);
    int ok = 1;
    for (size_t i = 0; i < rows; i++) ok &= sim_emit(rec, s, (int32_t)(i % 3), (sim_time)i, (double)i) == 0;
    CU_ASSERT(ok);
    held[begun] = sim_recorder_buffered_bytes(rec);
    sim_recorder_free(rec);
    sim_diag_clear(&d);
  }
  CU_ASSERT(held[0] >= rows * 20);
  CU_ASSERT(held[1] > 0 && held[1] <= 2 * CHUNK_TEST_ROWS * 20 + 4096);
}

/* Rows coded as runs beside rows deflated, read back bit for bit: values
 * that hold for runs of 1 to 700 rows (the lengths a match codes, 3 and
 * 258 and past them, and the literals of runs of 1 and 2), entities that
 * change every few rows (deflated planes between planes of runs), times
 * that change every 64 or 65 rows (about as many changes as a plane of runs
 * may have), a short last chunk, at three levels. */
static void test_chunks_runs(void) {
  const size_t rows = 2 * CHUNK_TEST_ROWS + 101;
  for (int level = 1; level <= 9; level += 4) {
    empty_dir();
    sim_record_config c = default_config();
    c.compression_level = level;
    sim_recorder *rec = sim_recorder_new(&c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rec);
    sim_diag d;
    sim_diag_init(&d);
    CU_ASSERT_EQUAL_FATAL(sim_recorder_begin(rec, out_path, &d), 0);
    int s = sim_recorder_signal(rec, "runs", "1", "x");
    CU_ASSERT_FATAL(s >= 0);
    int64_t *t = sim_calloc(rows, sizeof *t);
    int32_t *e = sim_calloc(rows, sizeof *e);
    uint64_t *v = sim_calloc(rows, sizeof *v);
    CU_ASSERT_FATAL(t && e && v);
    uint64_t x = 777, value = 0;
    size_t left = 0;
    for (size_t i = 0; i < rows; i++) {
      x = x * 6364136223846793005ULL + 1442695040888963407ULL;
      if (left == 0) { /* a new run: its length, and a value whose every byte differs */
        left = 1 + (size_t)(x >> 33) % (i % 3 ? 700 : 3);
        value = ~value ^ (x >> 7);
      }
      left--;
      v[i] = value;
      e[i] = (int32_t)((i / (1 + (x >> 60) % 4)) % 1000);
      t[i] = (int64_t)(i / (64 + (i / 1000) % 2)) * SIM_S;
    }
    int ok = 1;
    for (size_t i = 0; i < rows; i++) {
      double dv;
      memcpy(&dv, &v[i], sizeof dv);
      ok &= sim_emit(rec, s, e[i], t[i], dv) == 0;
    }
    CU_ASSERT(ok);
    CU_ASSERT_EQUAL_FATAL(sim_recorder_write(rec, out_path, &d), 0);
    sim_recorder_free(rec);
    hid_t f = H5Fopen(out_path, H5F_ACC_RDONLY, H5P_DEFAULT);
    CU_ASSERT_FATAL(f >= 0);
    hid_t ds = H5Dopen2(f, "series/runs", H5P_DEFAULT);
    typedef struct {
      int64_t t;
      int32_t e;
      double v;
    } row_t;
    hid_t mt = H5Tcreate(H5T_COMPOUND, sizeof(row_t));
    H5Tinsert(mt, "time_ns", HOFFSET(row_t, t), H5T_NATIVE_INT64);
    H5Tinsert(mt, "entity", HOFFSET(row_t, e), H5T_NATIVE_INT32);
    H5Tinsert(mt, "value", HOFFSET(row_t, v), H5T_NATIVE_DOUBLE);
    row_t *back = sim_calloc(rows, sizeof *back);
    CU_ASSERT_FATAL(back != NULL);
    CU_ASSERT_EQUAL(H5Dread(ds, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, back), 0);
    size_t wrong = 0;
    for (size_t i = 0; i < rows; i++)
      wrong += back[i].t != t[i] || back[i].e != e[i] || memcmp(&back[i].v, &v[i], sizeof v[i]) != 0;
    CU_ASSERT_EQUAL(wrong, 0);
    CU_ASSERT(H5Dget_storage_size(ds) < rows * 20 / 3); /* the runs compressed */
    sim_free(back);
    sim_free(t);
    sim_free(e);
    sim_free(v);
    H5Tclose(mt);
    H5Dclose(ds);
    H5Fclose(f);
    sim_diag_clear(&d);
  }
}

/* The rows of dataset `path` (time, entity, value) into a new array. */
typedef struct series_row {
  int64_t t;
  int32_t e;
  double v;
} series_row;
static series_row *read_series_rows(hid_t f, const char *path, size_t *n) {
  hid_t ds = H5Dopen2(f, path, H5P_DEFAULT);
  CU_ASSERT_FATAL(ds >= 0);
  hid_t space = H5Dget_space(ds);
  *n = (size_t)H5Sget_simple_extent_npoints(space);
  hid_t mt = H5Tcreate(H5T_COMPOUND, sizeof(series_row));
  H5Tinsert(mt, "time_ns", HOFFSET(series_row, t), H5T_NATIVE_INT64);
  H5Tinsert(mt, "entity", HOFFSET(series_row, e), H5T_NATIVE_INT32);
  H5Tinsert(mt, "value", HOFFSET(series_row, v), H5T_NATIVE_DOUBLE);
  series_row *rows = sim_calloc(*n ? *n : 1, sizeof *rows);
  CU_ASSERT_FATAL(rows != NULL);
  CU_ASSERT_EQUAL(H5Dread(ds, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows), 0);
  H5Tclose(mt);
  H5Sclose(space);
  H5Dclose(ds);
  return rows;
}

/* sim_emit_batch writes what as many sim_emit calls write: batches of 1 to
 * more than a chunk's rows (a chunk flushed within a batch, the buffer
 * grown within one), with the file opened early and at write time; a
 * batch to a signal not kept writes nothing. */
static void test_emit_batch(void) {
  const size_t batches[] = {1, 2, 127, 128, 5000, 13107, 13110, 3, 40000, 1};
  for (int early = 0; early <= 1; early++) {
    empty_dir();
    sim_record_config c = default_config();
    const char *kept[] = {"one", "batch"};
    c.signals = kept;
    c.n_signals = 2;
    sim_recorder *rec = sim_recorder_new(&c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rec);
    sim_diag d;
    sim_diag_init(&d);
    if (early) CU_ASSERT_EQUAL_FATAL(sim_recorder_begin(rec, out_path, &d), 0);
    int one = sim_recorder_signal(rec, "one", "1", "x"), batch = sim_recorder_signal(rec, "batch", "1", "x");
    int off = sim_recorder_signal(rec, "not_kept", "1", "x");
    CU_ASSERT_FATAL(one >= 0 && batch >= 0 && off == SIM_SIGNAL_OFF);
    size_t most = 40000, total = 0;
    int32_t *ent = sim_calloc(most, sizeof *ent);
    double *val = sim_calloc(most, sizeof *val);
    CU_ASSERT_FATAL(ent && val);
    uint64_t x = 31;
    int ok = 1;
    for (size_t b = 0; b < sizeof batches / sizeof *batches; b++) {
      sim_time t = (sim_time)b * SIM_S + (sim_time)b;
      for (size_t k = 0; k < batches[b]; k++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        ent[k] = (int32_t)(x >> 40);
        uint64_t bits = x ^ (x << 13);
        memcpy(&val[k], &bits, sizeof bits);
        ok &= sim_emit(rec, one, ent[k], t, val[k]) == 0;
      }
      ok &= sim_emit_batch(rec, batch, t, batches[b], ent, val) == 0;
      ok &= sim_emit_batch(rec, off, t, batches[b], ent, val) == 0;
      total += batches[b];
    }
    CU_ASSERT(ok);
    sim_free(ent);
    sim_free(val);
    CU_ASSERT_EQUAL_FATAL(sim_recorder_write(rec, out_path, &d), 0);
    sim_recorder_free(rec);
    sim_diag_clear(&d);
    hid_t f = H5Fopen(out_path, H5F_ACC_RDONLY, H5P_DEFAULT);
    CU_ASSERT_FATAL(f >= 0);
    size_t n_one = 0, n_batch = 0;
    series_row *a = read_series_rows(f, "series/one", &n_one), *b = read_series_rows(f, "series/batch", &n_batch);
    CU_ASSERT_EQUAL(n_one, total);
    CU_ASSERT_EQUAL(n_batch, total);
    size_t wrong = 0;
    for (size_t i = 0; i < total && n_one == total && n_batch == total; i++)
      wrong += a[i].t != b[i].t || a[i].e != b[i].e || memcmp(&a[i].v, &b[i].v, sizeof a[i].v) != 0;
    CU_ASSERT_EQUAL(wrong, 0);
    CU_ASSERT(H5Lexists(f, "series/not_kept", H5P_DEFAULT) <= 0);
    sim_free(a);
    sim_free(b);
    H5Fclose(f);
  }
}

/* A long series with the file opened early: written in chunks, all rows back. */
static void test_flush_in_chunks(void) {
  empty_dir();
  sim_record_config c = default_config();
  sim_recorder *rec = sim_recorder_new(&c);
  CU_ASSERT_PTR_NOT_NULL_FATAL(rec);
  sim_diag d;
  sim_diag_init(&d);
  CU_ASSERT_EQUAL_FATAL(sim_recorder_begin(rec, out_path, &d), 0);
  CU_ASSERT_EQUAL(access(out_path, F_OK), -1); /* only the temporary and the lock exist */
  CU_ASSERT_EQUAL(dir_entries(), 2);
  int32_t g = sim_recorder_entity(rec, "guest", "vm0", -1);
  int s = sim_recorder_signal(rec, "cpu_share", "1", "share of a CPU");
  CU_ASSERT_FATAL(s >= 0);
  const size_t rows = 200000;
  int ok = 1;
  for (size_t i = 0; i < rows; i++)
    ok &= sim_emit(rec, s, g, (sim_time)i * SIM_MS, (double)(i % 1000) / 1000.0) == 0;
  CU_ASSERT(ok);
  CU_ASSERT_EQUAL(sim_recorder_write(rec, out_path, &d), 0);
  sim_recorder_free(rec);
  CU_ASSERT_EQUAL(dir_entries(), 1);

  hid_t f = H5Fopen(out_path, H5F_ACC_RDONLY, H5P_DEFAULT);
  CU_ASSERT_FATAL(f >= 0);
  hid_t ds = H5Dopen2(f, "series/cpu_share", H5P_DEFAULT);
  hid_t dcpl = H5Dget_create_plist(ds);
  hsize_t chunk[1] = {0};
  CU_ASSERT_EQUAL(H5Pget_chunk(dcpl, 1, chunk), 1);
  CU_ASSERT(chunk[0] > 100 && chunk[0] < rows); /* flushed a chunk at a time */
  hsize_t bytes = H5Dget_storage_size(ds);
  CU_ASSERT(bytes > 0 && bytes < rows * 20); /* compressed */
  H5Pclose(dcpl);
  H5Dclose(ds);
  H5Fclose(f);

  sim_result *r = NULL;
  CU_ASSERT_EQUAL_FATAL(sim_result_open(out_path, &r, &d), 0);
  double *t = NULL, *x = NULL;
  size_t n = 0;
  CU_ASSERT_EQUAL(sim_result_series(r, "cpu_share", g, &t, &x, &n), 0);
  CU_ASSERT_EQUAL(n, rows);
  int same = n == rows;
  for (size_t i = 0; same && i < n; i++)
    same = x[i] == (double)(i % 1000) / 1000.0 && t[i] == sim_time_to_s((sim_time)i * SIM_MS);
  CU_ASSERT(same);
  sim_free(t);
  sim_free(x);
  sim_result_close(r);
  sim_diag_clear(&d);
}

/* A series written on change: its rows (values changed, first and last),
 * its attribute, and the reader's samples filled forward at the interval;
 * one that declares its end has no row at the last sample where a value did
 * not change, and every entity's samples still reach that end; a series
 * written every sample, and one whose rows are off the grid, are read as
 * stored. */
static void test_series_on_change(void) {
  empty_dir();
  sim_record_config c = default_config(); /* sampled every 10 ms */
  sim_recorder *rec = sim_recorder_new(&c);
  CU_ASSERT_PTR_NOT_NULL_FATAL(rec);
  int32_t g0 = sim_recorder_entity(rec, "guest", "vm0", -1);
  int32_t g1 = sim_recorder_entity(rec, "guest", "vm1", -1);
  int share = sim_recorder_signal(rec, "cpu_share", "1", "share of a CPU");
  int steal = sim_recorder_signal(rec, "steal", "1", "runnable, not running");
  int odd = sim_recorder_signal(rec, "progress", "1", "share of the work done");
  int ended = sim_recorder_signal(rec, "cycles_guest", "cycles/s", "cycles in the guest");
  CU_ASSERT_FATAL(share >= 0 && steal >= 0 && odd >= 0 && ended >= 0);
  CU_ASSERT_EQUAL(sim_recorder_signal_on_change(rec, share), 0);
  CU_ASSERT_EQUAL(sim_recorder_signal_on_change(rec, odd), 0);
  CU_ASSERT_EQUAL(sim_recorder_signal_on_change(rec, ended), 0);
  CU_ASSERT_EQUAL(sim_recorder_signal_on_change(rec, SIM_SIGNAL_OFF), 0);
  /* ended: vm0 changes at 50 ms and holds, vm1 never; neither has a row at
   * the last sample, 100 ms, the series' end */
  CU_ASSERT_EQUAL(sim_emit(rec, ended, g0, 10 * SIM_MS, 2.0), 0);
  CU_ASSERT_EQUAL(sim_emit(rec, ended, g1, 10 * SIM_MS, 7.0), 0);
  CU_ASSERT_EQUAL(sim_emit(rec, ended, g0, 50 * SIM_MS, 3.0), 0);
  CU_ASSERT_EQUAL(sim_recorder_signal_end(rec, ended, 100 * SIM_MS), 0);
  CU_ASSERT_EQUAL(sim_recorder_signal_end(rec, SIM_SIGNAL_OFF, 100 * SIM_MS), 0);
  /* samples at 10, 20, ..., 100 ms: vm0 changes at 40 and 70 ms, vm1
   * never (its first and last samples only) */
  CU_ASSERT_EQUAL(sim_emit(rec, share, g0, 10 * SIM_MS, 0.5), 0);
  CU_ASSERT_EQUAL(sim_emit(rec, share, g1, 10 * SIM_MS, 0.25), 0);
  CU_ASSERT_EQUAL(sim_emit(rec, share, g0, 40 * SIM_MS, 1.0), 0);
  CU_ASSERT_EQUAL(sim_emit(rec, share, g0, 70 * SIM_MS, 0.0), 0);
  CU_ASSERT_EQUAL(sim_emit(rec, share, g0, 100 * SIM_MS, 0.0), 0);
  CU_ASSERT_EQUAL(sim_emit(rec, share, g1, 100 * SIM_MS, 0.25), 0);
  for (int i = 1; i <= 3; i++) CU_ASSERT_EQUAL(sim_emit(rec, steal, g0, i * 10 * SIM_MS, i), 0);
  /* 15 ms apart: not on a 10 ms grid */
  CU_ASSERT_EQUAL(sim_emit(rec, odd, g0, 10 * SIM_MS, 0.1), 0);
  CU_ASSERT_EQUAL(sim_emit(rec, odd, g0, 25 * SIM_MS, 0.2), 0);
  sim_diag d;
  sim_diag_init(&d);
  CU_ASSERT_EQUAL_FATAL(sim_recorder_write(rec, out_path, &d), 0);
  sim_recorder_free(rec);

  sim_result *r = NULL;
  CU_ASSERT_EQUAL_FATAL(sim_result_open(out_path, &r, &d), 0);
  size_t rows = 0;
  CU_ASSERT_EQUAL(sim_result_table_rows(r, "series/cpu_share", &rows), 0);
  CU_ASSERT_EQUAL(rows, 6); /* as stored */
  int64_t dt = -1;
  CU_ASSERT_EQUAL(sim_result_series_on_change(r, "series/cpu_share", &dt), 1);
  CU_ASSERT_EQUAL(dt, 10 * SIM_MS);
  CU_ASSERT_EQUAL(sim_result_series_on_change(r, "series/steal", &dt), 0);
  CU_ASSERT_EQUAL(dt, 0);
  CU_ASSERT(sim_result_series_on_change(r, "series/none", &dt) < 0);
  double *t = NULL, *v = NULL;
  size_t n = 0;
  CU_ASSERT_EQUAL(sim_result_series(r, "cpu_share", g0, &t, &v, &n), 0);
  static const double want0[10] = {0.5, 0.5, 0.5, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0};
  CU_ASSERT_EQUAL(n, 10);
  for (size_t i = 0; i < n && n == 10; i++) {
    CU_ASSERT_DOUBLE_EQUAL(t[i], 0.01 * (double)(i + 1), 1e-12);
    CU_ASSERT_EQUAL(v[i], want0[i]);
  }
  sim_free(t);
  sim_free(v);
  CU_ASSERT_EQUAL(sim_result_series(r, "cpu_share", g1, &t, &v, &n), 0);
  CU_ASSERT_EQUAL(n, 10);
  for (size_t i = 0; i < n && n == 10; i++) CU_ASSERT_EQUAL(v[i], 0.25);
  sim_free(t);
  sim_free(v);
  CU_ASSERT_EQUAL(sim_result_series(r, "steal", g0, &t, &v, &n), 0);
  CU_ASSERT_EQUAL(n, 3);
  sim_free(t);
  sim_free(v);
  CU_ASSERT_EQUAL(sim_result_series(r, "progress", g0, &t, &v, &n), 0);
  CU_ASSERT_EQUAL(n, 2); /* off the grid: as stored */
  if (n == 2) CU_ASSERT_DOUBLE_EQUAL(t[1], 0.025, 1e-12);
  sim_free(t);
  sim_free(v);
  /* the series' end: an attribute; a series without one says so */
  int64_t end = 0;
  CU_ASSERT_EQUAL(sim_result_table_rows(r, "series/cycles_guest", &rows), 0);
  CU_ASSERT_EQUAL(rows, 3);
  CU_ASSERT_EQUAL(sim_result_series_end(r, "series/cycles_guest", &end), 1);
  CU_ASSERT_EQUAL(end, 100 * SIM_MS);
  CU_ASSERT_EQUAL(sim_result_series_end(r, "series/cpu_share", &end), 0);
  CU_ASSERT_EQUAL(end, -1);
  CU_ASSERT(sim_result_series_end(r, "series/none", &end) < 0);
  CU_ASSERT_EQUAL(sim_result_series(r, "cycles_guest", g0, &t, &v, &n), 0);
  static const double want_ended[10] = {2, 2, 2, 2, 3, 3, 3, 3, 3, 3};
  CU_ASSERT_EQUAL(n, 10);
  for (size_t i = 0; i < n && n == 10; i++) {
    CU_ASSERT_DOUBLE_EQUAL(t[i], 0.01 * (double)(i + 1), 1e-12);
    CU_ASSERT_EQUAL(v[i], want_ended[i]);
  }
  sim_free(t);
  sim_free(v);
  CU_ASSERT_EQUAL(sim_result_series(r, "cycles_guest", g1, &t, &v, &n), 0);
  CU_ASSERT_EQUAL(n, 10); /* its one row holds to the end */
  for (size_t i = 0; i < n && n == 10; i++) CU_ASSERT_EQUAL(v[i], 7.0);
  if (n == 10) CU_ASSERT_DOUBLE_EQUAL(t[9], 0.1, 1e-12);
  sim_free(t);
  sim_free(v);
  sim_result_close(r);
  sim_diag_clear(&d);
  empty_dir();
}

/* Registers `n` guests on host 0 with the file open early, so that the
 * first rows of /entities are flushed before the run ends; moves guest 1
 * (written by then) to host `moved_to` twice over and the last guest (still
 * buffered) to it too.  The write's result. */
static int record_moves(size_t n, int32_t moved_to, sim_diag *d) {
  sim_record_config c = default_config();
  sim_recorder *rec = sim_recorder_new(&c);
  if (!rec) return -1;
  int rc = sim_recorder_begin(rec, out_path, d);
  char name[32];
  for (size_t i = 0; i < n && rc == 0; i++) {
    snprintf(name, sizeof name, i < 2 ? "h%zu" : "vm%zu", i);
    rc = sim_recorder_entity(rec, i < 2 ? "host" : "guest", name, i < 2 ? -1 : 0) < 0 ? -1 : 0;
  }
  if (rc == 0) rc = sim_recorder_entity_reparent(rec, 2, 1); /* then back: the last counts */
  if (rc == 0) rc = sim_recorder_entity_reparent(rec, 2, moved_to);
  if (rc == 0) rc = sim_recorder_entity_reparent(rec, 3, moved_to);
  if (rc == 0) rc = sim_recorder_entity_reparent(rec, (int32_t)n - 1, moved_to);
  int written = sim_recorder_write(rec, out_path, d);
  sim_recorder_free(rec);
  return rc < 0 ? -1 : written;
}

/* The parents of /entities, or NULL. */
static double *read_parents(size_t *n) {
  sim_diag d;
  sim_diag_init(&d);
  sim_result *r = NULL;
  double *parents = NULL;
  if (sim_result_open(out_path, &r, &d) == 0 &&
      sim_result_column_f64(r, "entities", "parent", &parents, n) < 0)
    parents = NULL;
  if (r) sim_result_close(r);
  sim_diag_clear(&d);
  return parents;
}

/* A guest's parent changed after its row was written, or while it is still
 * buffered: /entities gives the last parent; the others keep theirs.  Under
 * HDF5 faults at every call, a write either gives the same or leaves
 * nothing. */
static void test_entity_reparent(void) {
  empty_dir();
  const size_t n = 3000; /* several chunks of /entities */
  sim_diag d;
  sim_diag_init(&d);
  CU_ASSERT_EQUAL_FATAL(record_moves(n, 1, &d), 0);
  size_t got = 0;
  double *parents = read_parents(&got);
  CU_ASSERT_PTR_NOT_NULL_FATAL(parents);
  CU_ASSERT_EQUAL_FATAL(got, n);
  int others = 1;
  for (size_t i = 0; i < n; i++) {
    double want = i < 2 ? -1 : (i == 2 || i == 3 || i == n - 1) ? 1 : 0;
    others &= parents[i] == want;
  }
  CU_ASSERT(others);
  sim_free(parents);
  sim_diag_clear(&d);
  int succeeded = 0, failures = 0;
  for (long k = 1; k < 400 && !succeeded; k++) {
    empty_dir();
    sim_diag_init(&d);
    sim_fault_arm(SIM_FAULT_HDF5, k);
    int rc = record_moves(n, 1, &d);
    sim_fault_arm(SIM_FAULT_HDF5, 0);
    if (rc == 0) {
      succeeded = 1;
      parents = read_parents(&got);
      CU_ASSERT(parents && got == n && parents[2] == 1 && parents[3] == 1 && parents[4] == 0 &&
                parents[n - 1] == 1);
      sim_free(parents);
    } else {
      failures++;
      CU_ASSERT_EQUAL(dir_entries(), 0);
    }
    sim_diag_clear(&d);
  }
  CU_ASSERT(succeeded);
  CU_ASSERT(failures > 10);
  empty_dir();
}

static void test_large_attribute(void) {
  empty_dir();
  size_t len = 300000;
  char *text = malloc(len + 1);
  CU_ASSERT_PTR_NOT_NULL_FATAL(text);
  for (size_t i = 0; i < len; i++) text[i] = (char)('a' + i % 26);
  text[len] = '\0';
  sim_record_config c = default_config();
  sim_recorder *rec = sim_recorder_new(&c);
  CU_ASSERT_PTR_NOT_NULL_FATAL(rec);
  CU_ASSERT_EQUAL(sim_recorder_attr_str(rec, "scenario_text", text), 0);
  CU_ASSERT_EQUAL(sim_recorder_attr_str(rec, "scenario_text", text + 1), 0); /* replaces */
  sim_diag d;
  sim_diag_init(&d);
  CU_ASSERT_EQUAL(sim_recorder_write(rec, out_path, &d), 0);
  sim_recorder_free(rec);
  sim_result *r = NULL;
  CU_ASSERT_EQUAL_FATAL(sim_result_open(out_path, &r, &d), 0);
  const char *back = sim_result_attr_str(r, "scenario_text");
  CU_ASSERT_PTR_NOT_NULL(back);
  if (back) CU_ASSERT(strcmp(back, text + 1) == 0);
  sim_result_close(r);
  sim_diag_clear(&d);
  free(text);
}

static int diag_mentions(const sim_diag *d, const char *what) {
  for (size_t i = 0; i < d->count; i++)
    if ((d->entries[i].file && strstr(d->entries[i].file, what)) ||
        strstr(d->entries[i].message, what))
      return 1;
  return 0;
}

static void test_errors_reported(void) {
  empty_dir();
  sim_diag d;
  sim_diag_init(&d);
  /* a directory that does not exist */
  sim_record_config c = default_config();
  sim_recorder *rec = sim_recorder_new(&c);
  CU_ASSERT_PTR_NOT_NULL_FATAL(rec);
  char bad[256];
  snprintf(bad, sizeof bad, "%s/missing/run.h5", dir);
  CU_ASSERT(sim_recorder_write(rec, bad, &d) < 0);
  CU_ASSERT(d.errors > 0);
  CU_ASSERT(diag_mentions(&d, bad));
  sim_recorder_free(rec);
  sim_diag_clear(&d);

  /* a table declared twice: the recorder fails and says why */
  rec = sim_recorder_new(&c);
  CU_ASSERT_PTR_NOT_NULL(sim_recorder_table(rec, "summary/guests", "", 3, guest_cols));
  CU_ASSERT_PTR_NULL(sim_recorder_table(rec, "summary/guests", "", 3, guest_cols));
  CU_ASSERT(sim_recorder_entity(rec, "host", "h", -1) < 0); /* failed for good */
  CU_ASSERT(sim_recorder_write(rec, out_path, &d) < 0);
  CU_ASSERT(diag_mentions(&d, "declared twice"));
  CU_ASSERT(diag_mentions(&d, out_path));
  sim_recorder_free(rec);
  CU_ASSERT_EQUAL(dir_entries(), 0);
  sim_diag_clear(&d);

  /* reserved and malformed paths */
  rec = sim_recorder_new(&c);
  CU_ASSERT_PTR_NULL(sim_recorder_table(rec, "series/x", "", 3, guest_cols));
  sim_recorder_free(rec);
  rec = sim_recorder_new(&c);
  CU_ASSERT_PTR_NULL(sim_recorder_table(rec, "a//b", "", 3, guest_cols));
  sim_recorder_free(rec);

  /* the reader: missing and non-HDF5 files */
  sim_result *r = NULL;
  CU_ASSERT(sim_result_open(bad, &r, &d) < 0);
  CU_ASSERT_PTR_NULL(r);
  char text_path[256];
  snprintf(text_path, sizeof text_path, "%s/not.h5", dir);
  FILE *f = fopen(text_path, "w");
  fputs("not hdf5\n", f);
  fclose(f);
  CU_ASSERT(sim_result_open(text_path, &r, &d) < 0);
  CU_ASSERT(diag_mentions(&d, "not an HDF5"));
  sim_diag_clear(&d);
  empty_dir();
}

/* Records the sample and writes it with the fault armed at n; returns the
 * write's result (or -1 when recording failed first). */
static int faulty_run(sim_fault_kind kind, long n, sim_diag *d) {
  sim_fault_arm(kind, n);
  sim_record_config c = default_config();
  int rc = -1;
  sim_recorder *rec = sim_recorder_new(&c);
  if (rec) {
    int recorded = record_sample(rec);
    rc = sim_recorder_write(rec, out_path, d);
    if (recorded < 0 && rc == 0) rc = 1; /* an append failure went unreported */
  } else {
    sim_diag_error(d, out_path, 0, 0, "out of memory");
  }
  sim_recorder_free(rec);
  sim_fault_arm(kind, 0);
  return rc;
}

static void fault_loop(sim_fault_kind kind) {
  empty_dir();
  int succeeded = 0;
  long n;
  for (n = 1; n < 5000 && !succeeded; n++) {
    sim_diag d;
    sim_diag_init(&d);
    int rc = faulty_run(kind, n, &d);
    if (rc == 0) {
      succeeded = 1;
      /* the fault lay beyond the last call: the file is complete */
      CU_ASSERT_EQUAL(access(out_path, F_OK), 0);
    } else {
      CU_ASSERT_EQUAL(rc, -1);
      CU_ASSERT(d.errors > 0 || d.oom);
      if (!d.oom) CU_ASSERT(diag_mentions(&d, out_path));
      CU_ASSERT_EQUAL(dir_entries(), 0); /* no final file, no temporary */
    }
    sim_diag_clear(&d);
  }
  CU_ASSERT(succeeded);
  CU_ASSERT(n > 20); /* the loop did exercise failures */
  sim_result *r = NULL;
  sim_diag d;
  sim_diag_init(&d);
  CU_ASSERT_EQUAL_FATAL(sim_result_open(out_path, &r, &d), 0);
  const char *status = sim_result_attr_str(r, "status");
  CU_ASSERT(status && !strcmp(status, "complete"));
  sim_result_close(r);
  sim_diag_clear(&d);
  empty_dir();
}

static void test_hdf5_faults(void) { fault_loop(SIM_FAULT_HDF5); }

/* Faults in the chunks flushed during the run (file opened early): the
 * failing append reports it, write() refuses, nothing is left. */
static void test_faults_while_flushing(void) {
  empty_dir();
  int succeeded = 0, append_failures = 0;
  for (long n = 1; n < 2000 && !succeeded; n++) {
    sim_diag d;
    sim_diag_init(&d);
    sim_fault_arm(SIM_FAULT_HDF5, n);
    sim_record_config c = default_config();
    sim_recorder *rec = sim_recorder_new(&c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rec);
    int appended = 0;
    if (sim_recorder_begin(rec, out_path, &d) == 0) {
      int s = sim_recorder_signal(rec, "cpu_share", "1", "share of a CPU");
      appended = s >= 0;
      for (int i = 0; i < 20000 && appended; i++)
        appended = sim_emit(rec, s, 0, (sim_time)i * SIM_MS, i * 0.5) == 0;
      if (!appended) {
        append_failures++;
        CU_ASSERT_PTR_NOT_NULL(sim_recorder_error(rec));
      }
    }
    int rc = sim_recorder_write(rec, out_path, &d);
    sim_recorder_free(rec);
    sim_fault_arm(SIM_FAULT_HDF5, 0);
    if (rc == 0) {
      succeeded = 1;
      CU_ASSERT(appended);
      CU_ASSERT_EQUAL(access(out_path, F_OK), 0);
    } else {
      CU_ASSERT(d.errors > 0);
      CU_ASSERT(diag_mentions(&d, out_path));
      CU_ASSERT_EQUAL(dir_entries(), 0);
    }
    sim_diag_clear(&d);
  }
  CU_ASSERT(succeeded);
  CU_ASSERT(append_failures > 10); /* the flushes during the run did fail */
  empty_dir();
}
static void test_alloc_faults(void) { fault_loop(SIM_FAULT_ALLOC); }

/* The same records give the same bytes: no wall-clock value in the file. */
static void test_deterministic_bytes(void) {
  empty_dir();
  char paths[2][160];
  for (int k = 0; k < 2; k++) {
    snprintf(paths[k], sizeof paths[k], "%s/run%d.h5", dir, k);
    sim_record_config c = default_config();
    sim_recorder *rec = sim_recorder_new(&c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rec);
    CU_ASSERT_EQUAL(record_sample(rec), 0);
    sim_diag d;
    sim_diag_init(&d);
    CU_ASSERT_EQUAL(sim_recorder_write(rec, paths[k], &d), 0);
    sim_recorder_free(rec);
    sim_diag_clear(&d);
    if (k == 0) sleep(1); /* a time stamp, if any, would differ */
  }
  FILE *a = fopen(paths[0], "rb"), *b = fopen(paths[1], "rb");
  CU_ASSERT_FATAL(a && b);
  int same = 1, ca, cb;
  do {
    ca = fgetc(a);
    cb = fgetc(b);
    if (ca != cb) same = 0;
  } while (same && ca != EOF);
  CU_ASSERT(same);
  fclose(a);
  fclose(b);
  empty_dir();
}

/* Writes a small result to path: the write's result, diagnostics in d. */
static int write_small(const char *path, sim_diag *d) {
  sim_record_config c = default_config();
  sim_recorder *rec = sim_recorder_new(&c);
  CU_ASSERT_PTR_NOT_NULL_FATAL(rec);
  sim_recorder_entity(rec, "host", "h0", -1);
  int rc = sim_recorder_write(rec, path, d);
  sim_recorder_free(rec);
  return rc;
}

/* Whether path is still of the file type `type` (S_IFIFO ...), untouched. */
static int still(const char *path, mode_t type) {
  struct stat st;
  return lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == type;
}

/* A FIFO, a symbolic link, a character device, a directory at the output
 * path: refused with a message, left as they were, nothing else written. */
static void test_refuses_special_targets(void) {
  empty_dir();
  char fifo[160], link[160], real[160], dev[160], sub[160];
  snprintf(fifo, sizeof fifo, "%s/fifo.h5", dir);
  snprintf(link, sizeof link, "%s/link.h5", dir);
  snprintf(real, sizeof real, "%s/real.h5", dir);
  snprintf(dev, sizeof dev, "%s/null.h5", dir);
  snprintf(sub, sizeof sub, "%s/sub.h5", dir);
  sim_diag d;
  sim_diag_init(&d);

  CU_ASSERT_EQUAL_FATAL(mkfifo(fifo, 0666), 0);
  CU_ASSERT(sim_recorder_check_target(fifo, &d) < 0);
  CU_ASSERT(write_small(fifo, &d) < 0);
  CU_ASSERT(diag_mentions(&d, "FIFO"));
  CU_ASSERT(diag_mentions(&d, fifo));
  CU_ASSERT(still(fifo, S_IFIFO));
  CU_ASSERT_EQUAL(dir_entries(), 1);
  sim_diag_clear(&d);

  /* the link is not followed either: its target keeps its bytes */
  FILE *f = fopen(real, "w");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  fputs("keep", f);
  fclose(f);
  CU_ASSERT_EQUAL_FATAL(symlink("real.h5", link), 0);
  CU_ASSERT(write_small(link, &d) < 0);
  CU_ASSERT(diag_mentions(&d, "symbolic link"));
  CU_ASSERT(still(link, S_IFLNK));
  struct stat st;
  CU_ASSERT(stat(real, &st) == 0 && st.st_size == 4);
  CU_ASSERT_EQUAL(dir_entries(), 3);
  sim_diag_clear(&d);

  /* a device node made here, never a system path (the tests may run as root) */
  if (mknod(dev, S_IFCHR | 0666, makedev(1, 3)) == 0) {
    CU_ASSERT(write_small(dev, &d) < 0);
    CU_ASSERT(diag_mentions(&d, "character device"));
    CU_ASSERT(still(dev, S_IFCHR));
    CU_ASSERT_EQUAL(dir_entries(), 4);
    sim_diag_clear(&d);
    unlink(dev);
  } else {
    printf("(character device not tested: mknod: %s) ", strerror(errno));
  }

  CU_ASSERT_EQUAL_FATAL(mkdir(sub, 0777), 0);
  CU_ASSERT(write_small(sub, &d) < 0);
  CU_ASSERT(diag_mentions(&d, "a directory"));
  CU_ASSERT(still(sub, S_IFDIR));
  rmdir(sub);
  sim_diag_clear(&d);

  /* a regular file is replaced, and a new name is written */
  CU_ASSERT_EQUAL(sim_recorder_check_target(real, &d), 0);
  CU_ASSERT_EQUAL(write_small(real, &d), 0);
  CU_ASSERT(stat(real, &st) == 0 && st.st_size > 4);
  CU_ASSERT_EQUAL(write_small(out_path, &d), 0);
  CU_ASSERT_EQUAL(d.errors, 0);
  CU_ASSERT_EQUAL(dir_entries(), 4); /* fifo, link, real, run.h5; no lock, no temporary */
  sim_diag_clear(&d);
  empty_dir();
}

/* A second writer of the same output fails while the first holds it; the
 * first completes, and the output is free again afterwards. */
static void test_one_writer_per_output(void) {
  empty_dir();
  sim_diag d;
  sim_diag_init(&d);
  sim_record_config c = default_config();
  sim_recorder *first = sim_recorder_new(&c), *second = sim_recorder_new(&c);
  CU_ASSERT_PTR_NOT_NULL_FATAL(first);
  CU_ASSERT_PTR_NOT_NULL_FATAL(second);
  CU_ASSERT_EQUAL_FATAL(sim_recorder_begin(first, out_path, &d), 0);
  CU_ASSERT_PTR_NOT_NULL(sim_recorder_lock_path(first));
  CU_ASSERT(sim_recorder_begin(second, out_path, &d) < 0);
  CU_ASSERT(diag_mentions(&d, "another run is writing"));
  CU_ASSERT(diag_mentions(&d, out_path));
  CU_ASSERT_PTR_NULL(sim_recorder_lock_path(second));
  sim_recorder_free(second);
  CU_ASSERT_EQUAL(dir_entries(), 2); /* the first's temporary and lock */
  CU_ASSERT_EQUAL(d.errors, 1);
  sim_recorder_entity(first, "host", "h0", -1);
  CU_ASSERT_EQUAL(sim_recorder_write(first, out_path, &d), 0);
  sim_recorder_free(first);
  CU_ASSERT_EQUAL(dir_entries(), 1); /* the result only */
  sim_diag_clear(&d);
  CU_ASSERT_EQUAL(write_small(out_path, &d), 0);
  CU_ASSERT_EQUAL(d.errors, 0);
  sim_diag_clear(&d);
  empty_dir();
}

/* Temporaries of this output whose process is gone are removed when the
 * output is opened; a live process's, another output's and names not exactly
 * .NAME.tmp-PID stay. */
static void test_stale_temps_removed(void) {
  empty_dir();
  pid_t child = fork();
  CU_ASSERT_FATAL(child >= 0);
  if (child == 0) _exit(0);
  CU_ASSERT_EQUAL_FATAL(waitpid(child, NULL, 0), child); /* reaped: the PID is free */
  char dead[160], live[160], other[160], odd[160];
  snprintf(dead, sizeof dead, "%s/.run.h5.tmp-%ld", dir, (long)child);
  snprintf(live, sizeof live, "%s/.run.h5.tmp-%ld", dir, (long)getppid());
  snprintf(other, sizeof other, "%s/.other.h5.tmp-%ld", dir, (long)child);
  snprintf(odd, sizeof odd, "%s/.run.h5.tmp-%ldx", dir, (long)child);
  const char *files[] = {dead, live, other, odd};
  for (int i = 0; i < 4; i++) {
    FILE *f = fopen(files[i], "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fclose(f);
  }
  sim_diag d;
  sim_diag_init(&d);
  CU_ASSERT_EQUAL(write_small(out_path, &d), 0);
  CU_ASSERT_EQUAL(access(dead, F_OK), -1);
  CU_ASSERT_EQUAL(access(live, F_OK), 0);
  CU_ASSERT_EQUAL(access(other, F_OK), 0);
  CU_ASSERT_EQUAL(access(odd, F_OK), 0);
  CU_ASSERT_EQUAL(dir_entries(), 4); /* the result and the three kept */
  sim_diag_clear(&d);
  empty_dir();
}

int register_tests(void) {
  static const test_case tests[] = {
      {"round trip through recorder and reader", test_round_trip},
      {"chunked, deflate, units on every dataset", test_layout},
      {"own shuffle and deflate of chunks, every level", test_chunks_every_level},
      {"own deflate of incompressible chunks", test_chunks_incompressible},
      {"runs coded beside deflated planes, read back", test_chunks_runs},
      {"record config selects signals and events", test_signal_selection},
      {"long series flushed in chunks", test_flush_in_chunks},
      {"rows held in memory: all without a file, a chunk with one", test_buffered_bytes},
      {"a batch of rows is what as many emits write", test_emit_batch},
      {"series written on change, read filled forward", test_series_on_change},
      {"a migrated guest's parent is its last host", test_entity_reparent},
      {"large string attribute", test_large_attribute},
      {"errors are reported, nothing left behind", test_errors_reported},
      {"Nth HDF5 call fails: no file left", test_hdf5_faults},
      {"Nth allocation fails: no file left", test_alloc_faults},
      {"Nth HDF5 call fails while flushing during the run", test_faults_while_flushing},
      {"same records, same bytes", test_deterministic_bytes},
      {"FIFO, symlink, device, directory outputs refused", test_refuses_special_targets},
      {"a second writer of an output fails", test_one_writer_per_output},
      {"killed runs' temporaries removed", test_stale_temps_removed},
      {NULL, NULL}};
  CU_pSuite s = CU_add_suite("recorder", suite_init, suite_clean);
  if (!s) return -1;
  for (const test_case *t = tests; t->name; t++)
    if (!CU_add_test(s, t->name, t->fn)) return -1;
  return 0;
}
