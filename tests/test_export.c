/* tests/test_export.c: `vdcsim export` (sim/cli/export_csv.c, cli_export.c)
 * on small results written here with the recorder: column names carry their
 * units, entity ids and event types become names, the run's parameters lead
 * every row, values read back exactly, two results share one file per table,
 * a series written on change is exported sample by sample (filled forward),
 * and bad input writes nothing (exit 2).  The shipped scenarios' round trip
 * through h5py and pandas is tests/e2e_export.py. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/alloc.h"
#include "sim/cli/cli.h"
#include "sim/cli/export_csv.h"
#include "sim/recorder.h"
#include "sim/results.h"
#include "tests/cunit_main.h"
#include "tests/scratch.h"

static char tmpdir[64];

static void path_in_tmp(char *buf, size_t size, const char *name) {
  snprintf(buf, size, "%s/%s", tmpdir, name);
}

/* A result with entities, an event, a series in bit/s and a summary table;
 * `run` goes into run_index and shifts the values. */
static void write_result(const char *path, int run) {
  sim_record_config cfg = {SIM_MS, 1, 1, NULL, 0, 1};
  sim_recorder *rec = sim_recorder_new(&cfg);
  CU_ASSERT_PTR_NOT_NULL_FATAL(rec);
  sim_recorder_attr_str(rec, "scenario_name", "tiny, with a comma");
  sim_recorder_attr_str(rec, "calibration_name", "test-profile");
  sim_recorder_attr_u64(rec, "seed", UINT64_C(18446744073709551615)); /* not a double */
  sim_recorder_attr_i64(rec, "run_index", run);
  int32_t host = sim_recorder_entity(rec, "host", "h0", -1);
  int32_t guest = sim_recorder_entity(rec, "guest", "web", host);
  int sig = sim_recorder_signal(rec, "net", "bit/s", "network rate");
  int ev = sim_recorder_event_type(rec, "guest_start", "a guest starts");
  CU_ASSERT_FATAL(host >= 0 && guest >= 0 && sig >= 0 && ev >= 0);
  CU_ASSERT_EQUAL(sim_emit(rec, sig, guest, 100 * SIM_MS, 0.1 + run), 0);
  CU_ASSERT_EQUAL(sim_emit(rec, sig, guest, 200 * SIM_MS, 1.0 / 3.0), 0);
  CU_ASSERT_EQUAL(sim_record_event(rec, ev, 5, guest, 0, 0), 0);
  sim_column cols[4] = {{"name", SIM_COL_STR, "", "guest"},
                        {"wait", SIM_COL_F64, "s", "a time without its unit in the name"},
                        {"downtime_s", SIM_COL_F64, "s", "a time with it"},
                        {"switches", SIM_COL_I64, "1", "a count"}};
  sim_table *t = sim_recorder_table(rec, "summary/guests", "guests", 4, cols);
  CU_ASSERT_PTR_NOT_NULL_FATAL(t);
  sim_cell row[4];
  row[0].s = "web";
  row[1].f = NAN; /* an unfinished guest */
  row[2].f = 0.1 * (run + 1);
  row[3].i = (int64_t)1 << 60; /* exact beyond a double's 53 bits */
  CU_ASSERT_EQUAL(sim_table_append(t, row), 0);
  sim_diag d;
  sim_diag_init(&d);
  CU_ASSERT_EQUAL_FATAL(sim_recorder_write(rec, path, &d), 0);
  sim_diag_clear(&d);
  sim_recorder_free(rec);
}

/* The whole text of a file, sim_malloc'ed (NULL when unreadable). */
static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  char *buf = sim_calloc(1 << 16, 1);
  if (buf) buf[fread(buf, 1, (1 << 16) - 1, f)] = '\0';
  fclose(f);
  return buf;
}

static void test_column_names_carry_units(void) {
  char b[64];
  export_column_name("time_ns", "ns", b, sizeof b);
  CU_ASSERT_STRING_EQUAL(b, "time_ns");
  export_column_name("cycles_guest", "cycles", b, sizeof b);
  CU_ASSERT_STRING_EQUAL(b, "cycles_guest");
  export_column_name("bits_per_s", "bit/s", b, sizeof b);
  CU_ASSERT_STRING_EQUAL(b, "bits_per_s");
  export_column_name("throughput_units_per_s", "1/s", b, sizeof b);
  CU_ASSERT_STRING_EQUAL(b, "throughput_units_per_s");
  export_column_name("value", "bit/s", b, sizeof b);
  CU_ASSERT_STRING_EQUAL(b, "value_bps");
  export_column_name("value", "cycles/s", b, sizeof b);
  CU_ASSERT_STRING_EQUAL(b, "value_cycles_per_s");
  export_column_name("value", "1", b, sizeof b);
  CU_ASSERT_STRING_EQUAL(b, "value");
  export_column_name("wait", "s", b, sizeof b);
  CU_ASSERT_STRING_EQUAL(b, "wait_s");
  export_column_name("busy", "s", b, sizeof b); /* "s" inside a word is not the unit */
  CU_ASSERT_STRING_EQUAL(b, "busy_s");
  export_column_name("load", "W/m2", b, sizeof b);
  CU_ASSERT_STRING_EQUAL(b, "load_w_per_m2");
  /* the billing, credit and energy columns name their units already */
  export_column_name("cost_usd", "USD", b, sizeof b);
  CU_ASSERT_STRING_EQUAL(b, "cost_usd");
  export_column_name("price_per_hour_usd", "USD/h", b, sizeof b);
  CU_ASSERT_STRING_EQUAL(b, "price_per_hour_usd");
  export_column_name("price", "USD/h", b, sizeof b);
  CU_ASSERT_STRING_EQUAL(b, "price_usd_per_h");
  export_column_name("credits_spent", "credits", b, sizeof b);
  CU_ASSERT_STRING_EQUAL(b, "credits_spent");
  export_column_name("credit_balance", "credits", b, sizeof b);
  CU_ASSERT_STRING_EQUAL(b, "credit_balance");
  export_column_name("value", "credits", b, sizeof b);
  CU_ASSERT_STRING_EQUAL(b, "value_credits");
  export_column_name("energy_kwh", "kWh", b, sizeof b);
  CU_ASSERT_STRING_EQUAL(b, "energy_kwh");
  export_column_name("esv", "kWh", b, sizeof b);
  CU_ASSERT_STRING_EQUAL(b, "esv_kwh");
}

static void test_tables_as_tidy_csv(void) {
  char a[128], b[128], dir[128], file[192];
  path_in_tmp(a, sizeof a, "a.h5");
  path_in_tmp(b, sizeof b, "b.h5");
  path_in_tmp(dir, sizeof dir, "csv");
  write_result(a, 0);
  write_result(b, 1);
  const char *argv[] = {"export", a, b, "--csv", dir, NULL};
  CU_ASSERT_EQUAL_FATAL(cli_export(5, (char **)argv), 0);

  snprintf(file, sizeof file, "%s/summary_guests.csv", dir);
  char *s = slurp(file);
  CU_ASSERT_PTR_NOT_NULL_FATAL(s);
  char want[1024];
  snprintf(want, sizeof want,
           "result_file,scenario_name,seed,run_index,calibration_name,name,wait_s,downtime_s,"
           "switches\n"
           "%s,\"tiny, with a comma\",18446744073709551615,0,test-profile,web,NaN,0.1,"
           "1152921504606846976\n"
           "%s,\"tiny, with a comma\",18446744073709551615,1,test-profile,web,NaN,0.2,"
           "1152921504606846976\n",
           a, b);
  CU_ASSERT_STRING_EQUAL(s, want);
  sim_free(s);

  snprintf(file, sizeof file, "%s/series_net.csv", dir);
  s = slurp(file);
  CU_ASSERT_PTR_NOT_NULL_FATAL(s);
  /* the entity by name and kind, the value with its unit, 1/3 exactly */
  CU_ASSERT_PTR_NOT_NULL(strstr(s, "time_ns,entity,entity_kind,value_bps\n"));
  CU_ASSERT_PTR_NOT_NULL(strstr(s, ",100000000,web,guest,0.1\n"));
  CU_ASSERT_PTR_NOT_NULL(strstr(s, ",100000000,web,guest,1.1\n"));
  CU_ASSERT_PTR_NOT_NULL(strstr(s, ",200000000,web,guest,0.3333333333333333\n"));
  CU_ASSERT(strtod(strstr(s, ",200000000,web,guest,") + 21, NULL) == 1.0 / 3.0);
  sim_free(s);

  snprintf(file, sizeof file, "%s/events.csv", dir);
  s = slurp(file);
  CU_ASSERT_PTR_NOT_NULL_FATAL(s);
  CU_ASSERT_PTR_NOT_NULL(strstr(s, "time_ns,type,entity,entity_kind,value0,value1\n"));
  CU_ASSERT_PTR_NOT_NULL(strstr(s, ",5,guest_start,web,guest,0,0\n"));
  sim_free(s);

  snprintf(file, sizeof file, "%s/entities.csv", dir);
  s = slurp(file);
  CU_ASSERT_PTR_NOT_NULL_FATAL(s);
  CU_ASSERT_PTR_NOT_NULL(strstr(s, ",0,host,h0,\n")); /* no parent */
  CU_ASSERT_PTR_NOT_NULL(strstr(s, ",1,guest,web,h0\n"));
  sim_free(s);

  /* no temporaries left beside the tables */
  char cmd[256];
  snprintf(cmd, sizeof cmd, "ls -a '%s' | grep -q tmp-", dir);
  CU_ASSERT_NOT_EQUAL(system(cmd), 0);
}

static void test_bad_input_writes_nothing(void) {
  char a[128], dir[128], absent[128], junk[128];
  path_in_tmp(a, sizeof a, "ok.h5");
  path_in_tmp(dir, sizeof dir, "never");
  path_in_tmp(absent, sizeof absent, "absent.h5");
  path_in_tmp(junk, sizeof junk, "junk.h5");
  write_result(a, 0);
  FILE *f = fopen(junk, "w");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  fputs("not HDF5\n", f);
  fclose(f);
  const char *missing[] = {"export", a, absent, "--csv", dir};
  CU_ASSERT_EQUAL(cli_export(5, (char **)missing), 2);
  const char *bad[] = {"export", junk, "--csv", dir};
  CU_ASSERT_EQUAL(cli_export(4, (char **)bad), 2);
  CU_ASSERT_EQUAL(access(dir, F_OK), -1);
  const char *no_dir[] = {"export", a};
  CU_ASSERT_EQUAL(cli_export(2, (char **)no_dir), 2);
  const char *no_files[] = {"export", "--csv", dir};
  CU_ASSERT_EQUAL(cli_export(3, (char **)no_files), 2);
  const char *unknown[] = {"export", a, "--tsv", dir};
  CU_ASSERT_EQUAL(cli_export(4, (char **)unknown), 2);
  const char *onto_file[] = {"export", a, "--csv", a}; /* a file where the directory goes */
  CU_ASSERT_EQUAL(cli_export(4, (char **)onto_file), 2);
  CU_ASSERT_EQUAL(access(dir, F_OK), -1);
  const char *help[] = {"export", "--help"};
  CU_ASSERT_EQUAL(cli_export(2, (char **)help), 0);
}

/* The generic readers export uses: tables, columns with types and units. */
static void test_result_readers(void) {
  char a[128];
  path_in_tmp(a, sizeof a, "readers.h5");
  write_result(a, 3);
  sim_diag d;
  sim_diag_init(&d);
  sim_result *r = NULL;
  CU_ASSERT_EQUAL_FATAL(sim_result_open(a, &r, &d), 0);
  char **tables = NULL;
  size_t n = 0;
  CU_ASSERT_EQUAL_FATAL(sim_result_tables(r, &tables, &n), 0);
  CU_ASSERT_EQUAL_FATAL(n, 4);
  CU_ASSERT_STRING_EQUAL(tables[0], "entities");
  CU_ASSERT_STRING_EQUAL(tables[1], "events");
  CU_ASSERT_STRING_EQUAL(tables[2], "series/net");
  CU_ASSERT_STRING_EQUAL(tables[3], "summary/guests");
  sim_result_free_strings(tables, n);
  sim_result_column_info *cols = NULL;
  CU_ASSERT_EQUAL_FATAL(sim_result_columns(r, "summary/guests", &cols, &n), 0);
  CU_ASSERT_EQUAL_FATAL(n, 4);
  CU_ASSERT_EQUAL(cols[0].type, SIM_RESULT_TEXT);
  CU_ASSERT_EQUAL(cols[1].type, SIM_RESULT_REAL);
  CU_ASSERT_STRING_EQUAL(cols[1].unit, "s");
  CU_ASSERT_EQUAL(cols[3].type, SIM_RESULT_INTEGER);
  sim_result_columns_free(cols, n);
  CU_ASSERT(sim_result_columns(r, "no/such", &cols, &n) < 0);
  int64_t *big = NULL;
  CU_ASSERT_EQUAL_FATAL(sim_result_column_i64(r, "summary/guests", "switches", &big, &n), 0);
  CU_ASSERT(n == 1 && big[0] == (int64_t)1 << 60);
  sim_free(big);
  char **types = NULL;
  CU_ASSERT_EQUAL(sim_result_table_attr_strings(r, "events", "type_names", &types, &n), 1);
  CU_ASSERT(n == 1 && !strcmp(types[0], "guest_start"));
  sim_result_free_strings(types, n);
  CU_ASSERT_EQUAL(sim_result_table_attr_strings(r, "events", "absent", &types, &n), 0);
  uint64_t seed = 0;
  int64_t run = 0;
  CU_ASSERT(sim_result_attr_u64(r, "seed", &seed) == 0 && seed == UINT64_MAX);
  CU_ASSERT(sim_result_attr_i64(r, "run_index", &run) == 0 && run == 3);
  CU_ASSERT(sim_result_attr_i64(r, "scenario_name", &run) < 0); /* text, not a number */
  /* an absent attribute is told from a present one */
  const char *v = "x";
  CU_ASSERT_EQUAL(sim_result_attr_text(r, "no_such_attribute", &v), 0);
  CU_ASSERT_PTR_NULL(v);
  CU_ASSERT_EQUAL(sim_result_attr_text(r, "calibration_name", &v), 1);
  CU_ASSERT_STRING_EQUAL(v, "test-profile");
  CU_ASSERT_EQUAL(sim_result_attr_text(r, "run_index", &v), 0); /* a number: no text */
  sim_result_close(r);
  sim_diag_clear(&d);
}

/* A series written on change is exported filled forward: a row per guest
 * per sample from its first row to its last, or to the series' end when it
 * declares one, in time order and within a time in the order the guests
 * were sampled; one whose rows are off its grid is exported as stored. */
static void test_series_on_change_filled(void) {
  char a[128], dir[128], file[192];
  path_in_tmp(a, sizeof a, "steps.h5");
  path_in_tmp(dir, sizeof dir, "steps");
  sim_record_config cfg = {10 * SIM_MS, 0, 1, NULL, 0, 1};
  sim_recorder *rec = sim_recorder_new(&cfg);
  CU_ASSERT_PTR_NOT_NULL_FATAL(rec);
  sim_recorder_attr_str(rec, "scenario_name", "steps");
  int32_t host = sim_recorder_entity(rec, "host", "h0", -1);
  int32_t g1 = sim_recorder_entity(rec, "guest", "b", host);
  int32_t g0 = sim_recorder_entity(rec, "guest", "a", host);
  int share = sim_recorder_signal(rec, "cpu_share", "1", "CPUs obtained");
  int odd = sim_recorder_signal(rec, "progress", "1", "work done");
  int ended = sim_recorder_signal(rec, "steal", "1", "runnable, not running");
  CU_ASSERT_FATAL(share >= 0 && odd >= 0 && ended >= 0);
  CU_ASSERT_EQUAL(sim_recorder_signal_on_change(rec, share), 0);
  CU_ASSERT_EQUAL(sim_recorder_signal_on_change(rec, odd), 0);
  CU_ASSERT_EQUAL(sim_recorder_signal_on_change(rec, ended), 0);
  /* ended: a changes at 20 ms, b never; both hold to the end, 30 ms */
  CU_ASSERT_EQUAL(sim_emit(rec, ended, g0, 10 * SIM_MS, 0.5), 0);
  CU_ASSERT_EQUAL(sim_emit(rec, ended, g1, 10 * SIM_MS, 0.125), 0);
  CU_ASSERT_EQUAL(sim_emit(rec, ended, g0, 20 * SIM_MS, 0), 0);
  CU_ASSERT_EQUAL(sim_recorder_signal_end(rec, ended, 30 * SIM_MS), 0);
  /* a (sampled first) changes at 30 ms; b holds from 10 to 40 ms */
  CU_ASSERT_EQUAL(sim_emit(rec, share, g0, 10 * SIM_MS, 0.5), 0);
  CU_ASSERT_EQUAL(sim_emit(rec, share, g1, 10 * SIM_MS, 1.0), 0);
  CU_ASSERT_EQUAL(sim_emit(rec, share, g0, 30 * SIM_MS, 0.25), 0);
  CU_ASSERT_EQUAL(sim_emit(rec, share, g0, 40 * SIM_MS, 0.25), 0);
  CU_ASSERT_EQUAL(sim_emit(rec, share, g1, 40 * SIM_MS, 1.0), 0);
  CU_ASSERT_EQUAL(sim_emit(rec, odd, g0, 10 * SIM_MS, 0.1), 0);
  CU_ASSERT_EQUAL(sim_emit(rec, odd, g0, 15 * SIM_MS, 0.2), 0); /* off the 10 ms grid */
  sim_diag d;
  sim_diag_init(&d);
  CU_ASSERT_EQUAL_FATAL(sim_recorder_write(rec, a, &d), 0);
  sim_diag_clear(&d);
  sim_recorder_free(rec);
  const char *argv[] = {"export", a, "--csv", dir, NULL};
  CU_ASSERT_EQUAL_FATAL(cli_export(4, (char **)argv), 0);

  snprintf(file, sizeof file, "%s/series_cpu_share.csv", dir);
  char *s = slurp(file);
  CU_ASSERT_PTR_NOT_NULL_FATAL(s);
  char want[2048];
  const char *lead = ",steps,,,";
  snprintf(want, sizeof want,
           "result_file,scenario_name,seed,run_index,calibration_name,time_ns,entity,entity_kind,value\n"
           "%s%s,10000000,a,guest,0.5\n%s%s,10000000,b,guest,1\n"
           "%s%s,20000000,a,guest,0.5\n%s%s,20000000,b,guest,1\n"
           "%s%s,30000000,a,guest,0.25\n%s%s,30000000,b,guest,1\n"
           "%s%s,40000000,a,guest,0.25\n%s%s,40000000,b,guest,1\n",
           a, lead, a, lead, a, lead, a, lead, a, lead, a, lead, a, lead, a, lead);
  CU_ASSERT_STRING_EQUAL(s, want);
  sim_free(s);

  snprintf(file, sizeof file, "%s/series_steal.csv", dir);
  s = slurp(file);
  CU_ASSERT_PTR_NOT_NULL_FATAL(s);
  snprintf(want, sizeof want,
           "result_file,scenario_name,seed,run_index,calibration_name,time_ns,entity,entity_kind,value\n"
           "%s%s,10000000,a,guest,0.5\n%s%s,10000000,b,guest,0.125\n"
           "%s%s,20000000,a,guest,0\n%s%s,20000000,b,guest,0.125\n"
           "%s%s,30000000,a,guest,0\n%s%s,30000000,b,guest,0.125\n",
           a, lead, a, lead, a, lead, a, lead, a, lead, a, lead);
  CU_ASSERT_STRING_EQUAL(s, want);
  sim_free(s);

  snprintf(file, sizeof file, "%s/series_progress.csv", dir);
  s = slurp(file);
  CU_ASSERT_PTR_NOT_NULL_FATAL(s);
  CU_ASSERT_PTR_NOT_NULL(strstr(s, ",10000000,a,guest,0.1\n"));
  CU_ASSERT_PTR_NOT_NULL(strstr(s, ",15000000,a,guest,0.2\n"));
  CU_ASSERT_PTR_NULL(strstr(s, ",20000000,"));
  sim_free(s);
}

static int suite_init(void) {
  return scratch_make(tmpdir, sizeof tmpdir, "export");
}

static int suite_clean(void) {
  return scratch_remove(tmpdir);
}

int register_tests(void) {
  CU_pSuite s = CU_add_suite("export", suite_init, suite_clean);
  if (!s) return -1;
  if (!CU_add_test(s, "column names carry their units", test_column_names_carry_units) ||
      !CU_add_test(s, "tables as tidy CSV", test_tables_as_tidy_csv) ||
      !CU_add_test(s, "series written on change exported filled forward",
                   test_series_on_change_filled) ||
      !CU_add_test(s, "bad input writes nothing", test_bad_input_writes_nothing) ||
      !CU_add_test(s, "generic result readers", test_result_readers))
    return -1;
  return 0;
}
