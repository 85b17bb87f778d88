/* tests/test_recorder_ring.c: the recorder's row buffers once the output is
 * begun (sim/recorder.c table_flush): a dataset's rows that wait behind the
 * chunks written stay where they are, the buffer a ring of whole chunks, and
 * every row reaches the file in order.  Rows of strings and numbers (216
 * bytes, as /io/requests), events, series filled by batches that run past
 * the ring's end, and entities reparented while their rows wait in the ring are
 * read back from a real file and compared with what was appended.  Every
 * file is made in a scratch directory under /tmp. */
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/alloc.h"
#include "sim/recorder.h"
#include "sim/results.h"
#include "tests/cunit_main.h"
#include "tests/scratch.h"

static char dir[64];
static char out_path[128];

static int suite_init(void) {
  if (scratch_make(dir, sizeof dir, "test-ring") < 0) return -1;
  snprintf(out_path, sizeof out_path, "%s/run.h5", dir);
  return 0;
}

static int suite_clean(void) {
  return scratch_remove(dir);
}

static sim_record_config config(int level) {
  sim_record_config c = {.sample_interval_ns = 10 * SIM_MS,
                         .events = 1,
                         .series = 1,
                         .signals = NULL,
                         .n_signals = 0,
                         .compression_level = level};
  return c;
}

/* Rows of a chunk of 216-byte rows (256 KiB, sim/recorder_internal.h): the
 * buffer grows to 2048 rows, a flush writes one chunk and keeps 835. */
#define REQUEST_CHUNK_ROWS 1213
#define REQUEST_ROWS (7 * REQUEST_CHUNK_ROWS + 500)
/* Rows of a chunk of 20-byte series rows: the buffer grows to 16384. */
#define SERIES_CHUNK_ROWS 13107
#define ENTITIES 5000 /* rows of 136 bytes: 1927 a chunk, several flushed during the run */
/* Batches of a series, of odd sizes: one runs past the ring's end after
 * each flush. */
static const size_t sizes[] = {1, 5000, 12000, 9999, 13107, 3, 20000, 7777, 15000, 1};

static const sim_column request_cols[] = {
    {"guest", SIM_COL_STR, "1", "guest"},   {"device", SIM_COL_STR, "1", "device"},
    {"kind", SIM_COL_STR, "1", "read or write"}, {"start_s", SIM_COL_F64, "s", "start"},
    {"latency_s", SIM_COL_F64, "s", "latency"},  {"bytes", SIM_COL_I64, "bytes", "size"}};

static void request_name(char *s, size_t size, const char *what, size_t i) {
  snprintf(s, size, "%s-%zu", what, (i * 7919) % 613);
}

/* Records requests, a batched series, an emitted series and entities with
 * the output begun, at `level`; 0 when every call succeeded. */
static int record(int level) {
  sim_record_config c = config(level);
  sim_recorder *rec = sim_recorder_new(&c);
  if (!rec) return -1;
  sim_diag d;
  sim_diag_init(&d);
  int ok = sim_recorder_begin(rec, out_path, &d) == 0;
  sim_table *t = sim_recorder_table(rec, "io/requests", "requests", 6, request_cols);
  int batch = sim_recorder_signal(rec, "batch", "1", "x"), one = sim_recorder_signal(rec, "one", "1", "x");
  ok &= t != NULL && batch >= 0 && one >= 0;
  int done_type = sim_recorder_event_type(rec, "done", "a request done");
  int idle_type = sim_recorder_event_type(rec, "idle", "");
  ok &= done_type >= 0 && idle_type >= 0;
  char guest[32], device[32];
  for (size_t i = 0; ok && i < REQUEST_ROWS; i++) {
    ok &= sim_record_event(rec, i % 4 ? done_type : idle_type, (sim_time)i * 3, (int32_t)(i % 17), (double)i / 8,
                           -(double)i) == 0;
    request_name(guest, sizeof guest, "guest", i);
    request_name(device, sizeof device, "disk", i + 1);
    sim_cell cells[6] = {{.s = guest}, {.s = device}, {.s = i % 3 ? "read" : "write"},
                         {.f = (double)i / 1000.0}, {.f = (double)(i % 97) * 1e-4}, {.i = (int64_t)(i * 4096)}};
    ok &= sim_table_append(t, cells) == 0;
  }
  int32_t *ent = sim_calloc(20000, sizeof *ent);
  double *val = sim_calloc(20000, sizeof *val);
  ok &= ent && val;
  size_t row = 0;
  for (size_t b = 0; ok && b < sizeof sizes / sizeof *sizes; b++) {
    for (size_t k = 0; k < sizes[b]; k++, row++) ent[k] = (int32_t)(row % 11), val[k] = (double)row;
    ok &= sim_emit_batch(rec, batch, (sim_time)b * SIM_S, sizes[b], ent, val) == 0;
    for (size_t k = 0; k < sizes[b]; k++) ok &= sim_emit(rec, one, ent[k], (sim_time)b, val[k]) == 0;
  }
  sim_free(ent);
  sim_free(val);
  char name[32];
  for (size_t i = 0; ok && i < ENTITIES; i++) {
    snprintf(name, sizeof name, i ? "vm%zu" : "host", i);
    ok &= sim_recorder_entity(rec, i ? "guest" : "host", name, i ? 0 : -1) >= 0;
    /* reparented at once: its row waits in the buffer, past the ring's
     * end for some after a flush */
    if (ok && i % 10 == 9) ok &= sim_recorder_entity_reparent(rec, (int32_t)i, (int32_t)(i - 1)) == 0;
  }
  ok &= sim_recorder_write(rec, out_path, &d) == 0;
  sim_recorder_free(rec);
  sim_diag_clear(&d);
  return ok ? 0 : -1;
}

/* Every row back from the file, as appended, at the levels that code chunks
 * here (1, 6) and without compression (0). */
static void test_rows_back_in_order(void) {
  static const int levels[] = {0, 1, 6};
  size_t series_rows = 0;
  for (size_t b = 0; b < sizeof sizes / sizeof *sizes; b++) series_rows += sizes[b];
  for (size_t l = 0; l < sizeof levels / sizeof *levels; l++) {
    int level = levels[l];
    unlink(out_path);
    CU_ASSERT_EQUAL_FATAL(record(level), 0);
    sim_diag d;
    sim_diag_init(&d);
    sim_result *r = NULL;
    CU_ASSERT_EQUAL_FATAL(sim_result_open(out_path, &r, &d), 0);
    char **guests = NULL, **kinds = NULL;
    double *start = NULL, *parents = NULL, *ids = NULL;
    int64_t *bytes = NULL;
    size_t n_g = 0, n_k = 0, n_s = 0, n_b = 0, n_p = 0, n_i = 0;
    CU_ASSERT_EQUAL(sim_result_column_str(r, "io/requests", "guest", &guests, &n_g), 0);
    CU_ASSERT_EQUAL(sim_result_column_str(r, "io/requests", "kind", &kinds, &n_k), 0);
    CU_ASSERT_EQUAL(sim_result_column_f64(r, "io/requests", "start_s", &start, &n_s), 0);
    CU_ASSERT_EQUAL(sim_result_column_i64(r, "io/requests", "bytes", &bytes, &n_b), 0);
    CU_ASSERT_EQUAL_FATAL(n_g, REQUEST_ROWS);
    CU_ASSERT_FATAL(n_k == REQUEST_ROWS && n_s == REQUEST_ROWS && n_b == REQUEST_ROWS);
    size_t wrong = 0;
    char guest[32];
    for (size_t i = 0; i < REQUEST_ROWS; i++) {
      request_name(guest, sizeof guest, "guest", i);
      wrong += strcmp(guests[i], guest) != 0 || strcmp(kinds[i], i % 3 ? "read" : "write") != 0 ||
               start[i] != (double)i / 1000.0 || bytes[i] != (int64_t)(i * 4096);
    }
    CU_ASSERT_EQUAL(wrong, 0);
    CU_ASSERT_EQUAL(sim_result_column_f64(r, "entities", "parent", &parents, &n_p), 0);
    CU_ASSERT_EQUAL(sim_result_column_f64(r, "entities", "id", &ids, &n_i), 0);
    CU_ASSERT_FATAL(n_p == ENTITIES && n_i == ENTITIES);
    wrong = 0;
    for (size_t i = 0; i < ENTITIES; i++)
      wrong += ids[i] != (double)i || parents[i] != (i == 0 ? -1.0 : i % 10 == 9 ? (double)(i - 1) : 0.0);
    CU_ASSERT_EQUAL(wrong, 0);
    double *type = NULL, *entity = NULL, *v0 = NULL, *v1 = NULL;
    int64_t *time = NULL;
    size_t n_e[5] = {0};
    CU_ASSERT_EQUAL(sim_result_column_i64(r, "events", "time_ns", &time, &n_e[0]), 0);
    CU_ASSERT_EQUAL(sim_result_column_f64(r, "events", "type", &type, &n_e[1]), 0);
    CU_ASSERT_EQUAL(sim_result_column_f64(r, "events", "entity", &entity, &n_e[2]), 0);
    CU_ASSERT_EQUAL(sim_result_column_f64(r, "events", "value0", &v0, &n_e[3]), 0);
    CU_ASSERT_EQUAL(sim_result_column_f64(r, "events", "value1", &v1, &n_e[4]), 0);
    for (int k = 0; k < 5; k++) CU_ASSERT_EQUAL_FATAL(n_e[k], REQUEST_ROWS);
    wrong = 0;
    for (size_t i = 0; i < REQUEST_ROWS; i++)
      wrong += time[i] != (int64_t)i * 3 || type[i] != (i % 4 ? 0 : 1) || entity[i] != (double)(i % 17) ||
               v0[i] != (double)i / 8 || v1[i] != -(double)i;
    CU_ASSERT_EQUAL(wrong, 0);
    sim_free(time);
    sim_free(type);
    sim_free(entity);
    sim_free(v0);
    sim_free(v1);
    for (int s = 0; s < 2; s++) {
      double *v = NULL;
      size_t n_v = 0;
      CU_ASSERT_EQUAL(sim_result_column_f64(r, s ? "series/one" : "series/batch", "value", &v, &n_v), 0);
      CU_ASSERT_EQUAL(n_v, series_rows);
      wrong = 0;
      for (size_t i = 0; v && i < n_v; i++) wrong += v[i] != (double)i;
      CU_ASSERT_EQUAL(wrong, 0);
      sim_free(v);
    }
    sim_result_free_strings(guests, n_g);
    sim_result_free_strings(kinds, n_k);
    sim_free(start);
    sim_free(bytes);
    sim_free(parents);
    sim_free(ids);
    sim_result_close(r);
    sim_diag_clear(&d);
  }
}

/* The buffer of a dataset whose flushes keep rows behind: within two
 * chunks (the rows that fill it, 16384 of 20 bytes, rounded up to whole
 * chunks of 13107), however many rows pass through it. */
static void test_ring_within_two_chunks(void) {
  unlink(out_path);
  sim_record_config c = config(1);
  sim_recorder *rec = sim_recorder_new(&c);
  CU_ASSERT_PTR_NOT_NULL_FATAL(rec);
  sim_diag d;
  sim_diag_init(&d);
  CU_ASSERT_EQUAL_FATAL(sim_recorder_begin(rec, out_path, &d), 0);
  int s = sim_recorder_signal(rec, "load", "1", "x");
  size_t before = sim_recorder_buffered_bytes(rec), most = 0;
  int ok = s >= 0;
  for (size_t i = 0; ok && i < 10 * SERIES_CHUNK_ROWS; i++) {
    ok &= sim_emit(rec, s, 1, (sim_time)i, (double)(i % 7)) == 0;
    size_t held = sim_recorder_buffered_bytes(rec) - before;
    if (held > most) most = held;
  }
  CU_ASSERT(ok);
  CU_ASSERT_EQUAL(most, 2 * SERIES_CHUNK_ROWS * 20);
  CU_ASSERT_EQUAL(sim_recorder_write(rec, out_path, &d), 0);
  sim_recorder_free(rec);
  sim_diag_clear(&d);
}

int register_tests(void) {
  static const test_case tests[] = {
      {"rows kept behind written chunks come back in order", test_rows_back_in_order},
      {"a ring of whole chunks, within two of them", test_ring_within_two_chunks},
      {NULL, NULL}};
  CU_pSuite s = CU_add_suite("recorder_ring", suite_init, suite_clean);
  if (!s) return -1;
  for (const test_case *t = tests; t->name; t++)
    if (!CU_add_test(s, t->name, t->fn)) return -1;
  return 0;
}
