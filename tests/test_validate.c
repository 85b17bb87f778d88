/* tests/test_validate.c: validation case files and their judgement.
 * Case files are parsed from text (errors must name FILE:LINE:COL), every
 * shipped case under validation/cases must load, and cases are judged on an
 * HDF5 result written by the recorder with known rows, read back through
 * sim/results.h as the validate verb reads it. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/alloc.h"
#include "sim/recorder.h"
#include "sim/results.h"
#include "tests/cunit_main.h"
#include "validation/validate.h"
#include "tests/test_data.h"

static val_case *load(const char *path, const char *text, sim_diag *d) {
  val_case *c = NULL;
  sim_diag_init(d);
  val_case_load_text(path, text, strlen(text), &c, d);
  return c;
}

/* Whether diag holds an error at line:col whose message contains `what`. */
static int has_error(const sim_diag *d, int line, int col, const char *what) {
  for (size_t i = 0; i < d->count; i++) {
    const sim_diag_entry *e = &d->entries[i];
    if (e->level == SIM_DIAG_ERROR && e->line == line && e->col == col &&
        strstr(e->message, what))
      return 1;
  }
  return 0;
}

static void test_parse_good_case(void) {
  sim_diag d;
  val_case *c = load("dir/x-bt.yaml",
                     "name: x-bt\n"
                     "description: one line\n"
                     "source: \"[AA06] sec. 5\"\n"
                     "scenario: validation/scenarios/s.yaml\n"
                     "quantity: {table: summary/guests, row: a, column: cycles_total}\n"
                     "divide_by: {column: units}\n"
                     "published: 51\n"
                     "tolerance: {relative: 0.15}\n",
                     &d);
  CU_ASSERT_PTR_NOT_NULL_FATAL(c);
  CU_ASSERT_EQUAL(d.errors, 0);
  CU_ASSERT_STRING_EQUAL(c->name, "x-bt");
  CU_ASSERT_EQUAL(c->kind, VAL_VALUE);
  CU_ASSERT_DOUBLE_EQUAL(c->published, 51, 0);
  CU_ASSERT_DOUBLE_EQUAL(c->tol_rel, 0.15, 0);
  CU_ASSERT_STRING_EQUAL(c->quantity.key, "name");
  CU_ASSERT(c->has_divisor);
  /* the divisor's missing members come from the quantity */
  CU_ASSERT_STRING_EQUAL(c->divisor.table, "summary/guests");
  CU_ASSERT_STRING_EQUAL(c->divisor.row, "a");
  CU_ASSERT_STRING_EQUAL(c->divisor.column, "units");
  CU_ASSERT_PTR_NULL(c->fitted);
  val_case_free(c);
  sim_diag_clear(&d);
}

static void test_parse_errors_have_positions(void) {
  sim_diag d;
  /* an unknown key, reported where it stands */
  val_case *c = load("v/a.yaml",
                     "name: a\nsource: s\nscenario: x.yaml\n"
                     "quantity: {table: t, column: c, row: r}\n"
                     "published: 1\ntolerance: {absolute: 0.1}\n"
                     "tolerence: 3\n",
                     &d);
  CU_ASSERT_PTR_NULL(c);
  CU_ASSERT(has_error(&d, 7, 1, "unknown key 'tolerence'"));
  sim_diag_clear(&d);
  /* a published value that is not a number */
  c = load("v/a.yaml",
           "name: a\nsource: s\nscenario: x.yaml\n"
           "quantity: {table: t, column: c, row: r}\n"
           "published: lots\ntolerance: {absolute: 0.1}\n",
           &d);
  CU_ASSERT_PTR_NULL(c);
  CU_ASSERT(has_error(&d, 5, 12, "published must be a number"));
  sim_diag_clear(&d);
  /* a name that is not the file's */
  c = load("v/a.yaml",
           "name: b\nsource: s\nscenario: x.yaml\n"
           "quantity: {table: t, column: c, row: r}\n"
           "published: 1\ntolerance: {absolute: 0.1}\n",
           &d);
  CU_ASSERT_PTR_NULL(c);
  CU_ASSERT(has_error(&d, 1, 7, "must match its file name"));
  sim_diag_clear(&d);
  /* an unknown key inside quantity */
  c = load("v/a.yaml",
           "name: a\nsource: s\nscenario: x.yaml\n"
           "quantity: {table: t, column: c, row: r, rows: 2}\n"
           "published: 1\ntolerance: {absolute: 0.1}\n",
           &d);
  CU_ASSERT_PTR_NULL(c);
  CU_ASSERT(has_error(&d, 4, 41, "unknown key 'rows'"));
  sim_diag_clear(&d);
  /* a range upside down, and no tolerance needed for it */
  c = load("v/a.yaml",
           "name: a\nsource: s\nscenario: x.yaml\n"
           "quantity: {table: t, column: c, row: r}\n"
           "published: [4.6, 3.9]\n",
           &d);
  CU_ASSERT_PTR_NULL(c);
  CU_ASSERT(has_error(&d, 5, 12, "max < min"));
  sim_diag_clear(&d);
  /* a value without tolerance; missing source */
  c = load("v/a.yaml",
           "name: a\nscenario: x.yaml\n"
           "quantity: {table: t, column: c, row: r}\n"
           "published: 1\n",
           &d);
  CU_ASSERT_PTR_NULL(c);
  CU_ASSERT(has_error(&d, 1, 1, "missing required key 'source'"));
  CU_ASSERT(has_error(&d, 1, 1, "needs a tolerance"));
  sim_diag_clear(&d);
  /* both published and order */
  c = load("v/a.yaml",
           "name: a\nsource: s\nscenario: x.yaml\n"
           "quantity: {table: t, column: c}\n"
           "published: 1\norder: [x, y]\n",
           &d);
  CU_ASSERT_PTR_NULL(c);
  CU_ASSERT(d.errors >= 1);
  sim_diag_clear(&d);
  /* malformed YAML is reported by the parser with its position */
  c = load("v/a.yaml", "name: a\nsource: [unclosed\n", &d);
  CU_ASSERT_PTR_NULL(c);
  CU_ASSERT(d.errors >= 1 && d.entries[0].line >= 1);
  sim_diag_clear(&d);
}

/* Every shipped case file loads. */
static void test_shipped_cases_load(void) {
  const char *src = getenv("VDCSIM_SOURCE_DIR");
  CU_ASSERT_PTR_NOT_NULL_FATAL(src);
  char dir[4096];
  snprintf(dir, sizeof dir, "%s/validation/cases", src);
  DIR *dh = opendir(dir);
  CU_ASSERT_PTR_NOT_NULL_FATAL(dh);
  struct dirent *e;
  size_t n = 0, values = 0, orders = 0;
  while ((e = readdir(dh))) {
    size_t len = strlen(e->d_name);
    if (len <= 5 || strcmp(e->d_name + len - 5, ".yaml")) continue;
    char path[4096 + 256];
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    sim_diag d;
    sim_diag_init(&d);
    val_case *c = NULL;
    int rc = val_case_load(path, &c, &d);
    if (rc) sim_diag_print(&d, stderr);
    CU_ASSERT_EQUAL(rc, 0);
    if (c) {
      n++;
      values += c->kind != VAL_ORDER;
      orders += c->kind == VAL_ORDER;
      /* the scenario it names exists */
      char sc[8192];
      snprintf(sc, sizeof sc, "%s/%s", src, c->scenario);
      CU_ASSERT_EQUAL(access(sc, R_OK), 0);
    }
    val_case_free(c);
    sim_diag_clear(&d);
  }
  closedir(dh);
  CU_ASSERT(n >= 20);
  CU_ASSERT(values > 0 && orders > 0);
}

/* ---- judging on a result file ---- */

static char result_path[256];

/* A result with summary/guests rows a, b, c: x = 1, 2, 3 and y = 10, 10, 0. */
static int write_result(void) {
  sim_record_config cfg = {SIM_S, 0, 0, NULL, 0, 0};
  sim_recorder *rec = sim_recorder_new(&cfg);
  if (!rec) return -1;
  static const sim_column cols[] = {{"name", SIM_COL_STR, "", "row"},
                                    {"x", SIM_COL_F64, "1", "x"},
                                    {"y", SIM_COL_I64, "1", "y"}};
  sim_table *t = sim_recorder_table(rec, "summary/guests", "test", 3, cols);
  const char *names[] = {"a", "b", "c"};
  double xs[] = {1, 2, 3};
  int64_t ys[] = {10, 10, 0};
  for (int i = 0; i < 3 && t; i++) {
    sim_cell row[3];
    row[0].s = names[i];
    row[1].f = xs[i];
    row[2].i = ys[i];
    if (sim_table_append(t, row)) return -1;
  }
  const char *tmp = getenv("TMPDIR");
  snprintf(result_path, sizeof result_path, "%s/test_validate_%ld.h5",
           tmp && *tmp ? tmp : "/tmp", (long)getpid());
  sim_diag d;
  sim_diag_init(&d);
  int rc = t ? sim_recorder_write(rec, result_path, &d) : -1;
  sim_diag_clear(&d);
  sim_recorder_free(rec);
  return rc;
}

/* Judges a case text on the result; returns the rc of evaluate. */
static int judge(const char *name, const char *body, val_outcome *o) {
  char path[128], text[1024];
  snprintf(path, sizeof path, "v/%s.yaml", name);
  snprintf(text, sizeof text, "name: %s\nsource: s\nscenario: x.yaml\n%s", name, body);
  sim_diag d;
  val_case *c = load(path, text, &d);
  if (!c) sim_diag_print(&d, stderr);
  CU_ASSERT_PTR_NOT_NULL_FATAL(c);
  sim_diag_clear(&d);
  sim_result *r = NULL;
  CU_ASSERT_EQUAL_FATAL(sim_result_open(result_path, &r, &d), 0);
  int rc = val_case_evaluate(c, r, o, &d);
  sim_diag_clear(&d);
  sim_result_close(r);
  val_case_free(c);
  return rc;
}

static void test_judge_values(void) {
  CU_ASSERT_EQUAL_FATAL(write_result(), 0);
  val_outcome o;
  /* absolute tolerance: 2 vs 2.05 +- 0.1 */
  CU_ASSERT_EQUAL(judge("abs", "quantity: {table: summary/guests, column: x, row: b}\n"
                               "published: 2.05\ntolerance: {absolute: 0.1}\n", &o), 0);
  CU_ASSERT(o.pass);
  CU_ASSERT_DOUBLE_EQUAL(o.simulated, 2, 0);
  CU_ASSERT_DOUBLE_EQUAL(o.error, -0.05, 1e-12);
  CU_ASSERT(!o.error_relative);
  /* relative: 3 vs 2.5 is +20% > 15% */
  CU_ASSERT_EQUAL(judge("rel", "quantity: {table: summary/guests, column: x, row: c}\n"
                               "published: 2.5\ntolerance: {relative: 0.15}\n", &o), 0);
  CU_ASSERT(!o.pass);
  CU_ASSERT_DOUBLE_EQUAL(o.error, 0.2, 1e-12);
  CU_ASSERT(o.error_relative);
  /* a ratio of two columns of one row (integer column converted): 10 / 1 */
  CU_ASSERT_EQUAL(judge("div", "quantity: {table: summary/guests, column: y, row: a}\n"
                               "divide_by: {column: x}\n"
                               "published: 10\ntolerance: {relative: 0.01}\n", &o), 0);
  CU_ASSERT(o.pass);
  CU_ASSERT_DOUBLE_EQUAL(o.simulated, 10, 1e-12);
  /* a ratio of two rows: x(c) / x(a) = 3 within the range [2.9, 3.1] */
  CU_ASSERT_EQUAL(judge("range", "quantity: {table: summary/guests, column: x, row: c}\n"
                                 "divide_by: {row: a}\npublished: [2.9, 3.1]\n", &o), 0);
  CU_ASSERT(o.pass);
  CU_ASSERT_DOUBLE_EQUAL(o.error, 0, 0);
  CU_ASSERT_EQUAL(judge("range2", "quantity: {table: summary/guests, column: x, row: b}\n"
                                  "published: [3.9, 4.6]\n", &o), 0);
  CU_ASSERT(!o.pass);
  CU_ASSERT_DOUBLE_EQUAL(o.error, -1.9, 1e-12);
  /* orderings */
  CU_ASSERT_EQUAL(judge("ord", "quantity: {table: summary/guests, column: x}\n"
                               "order: [a, b, c]\n", &o), 0);
  CU_ASSERT(o.pass);
  CU_ASSERT_PTR_NOT_NULL(strstr(o.detail, "1 < 2 < 3"));
  CU_ASSERT_EQUAL(judge("ord2", "quantity: {table: summary/guests, column: y}\n"
                                "order: [a, b]\n", &o), 0);
  CU_ASSERT(!o.pass); /* 10 is not < 10 */
  /* a row or column the result lacks is an error, not a pass */
  CU_ASSERT(judge("norow", "quantity: {table: summary/guests, column: x, row: zz}\n"
                           "published: 1\ntolerance: {absolute: 1}\n", &o) < 0);
  CU_ASSERT(judge("nocol", "quantity: {table: summary/guests, column: zz, row: a}\n"
                           "published: 1\ntolerance: {absolute: 1}\n", &o) < 0);
  CU_ASSERT(judge("notab", "quantity: {table: summary/nope, column: x, row: a}\n"
                           "published: 1\ntolerance: {absolute: 1}\n", &o) < 0);
  remove(result_path);
}

/* A case whose scenario does not exist fails with a diagnostic. */
static void test_runner_missing_scenario(void) {
  sim_diag d;
  val_case *c = load("v/m.yaml",
                     "name: m\nsource: s\nscenario: validation/scenarios/no-such-file.yaml\n"
                     "quantity: {table: t, column: c, row: r}\n"
                     "published: 1\ntolerance: {absolute: 0.1}\n",
                     &d);
  CU_ASSERT_PTR_NOT_NULL_FATAL(c);
  val_runner *vr = val_runner_new("/nonexistent-source", test_data_path(), &d);
  CU_ASSERT_PTR_NOT_NULL_FATAL(vr);
  val_outcome o;
  CU_ASSERT(val_runner_run(vr, c, &o, &d) < 0);
  CU_ASSERT(d.errors >= 1);
  int named = 0;
  for (size_t i = 0; i < d.count; i++) named |= strstr(d.entries[i].message, "no-such-file") != NULL;
  CU_ASSERT(named);
  val_runner_free(vr);
  val_case_free(c);
  sim_diag_clear(&d);
}

/* A shipped case end to end: its scenario runs through the engine, the
 * result is written and read back, and the quantity judged. */
static void test_runner_end_to_end(void) {
  const char *src = getenv("VDCSIM_SOURCE_DIR");
  CU_ASSERT_PTR_NOT_NULL_FATAL(src);
  char path[4096];
  snprintf(path, sizeof path, "%s/validation/cases/bh08-walk-refs.yaml", src);
  sim_diag d;
  sim_diag_init(&d);
  val_case *c = NULL;
  CU_ASSERT_EQUAL_FATAL(val_case_load(path, &c, &d), 0);
  val_runner *vr = val_runner_new(src, test_data_path(), &d);
  CU_ASSERT_PTR_NOT_NULL_FATAL(vr);
  val_outcome o;
  int rc = val_runner_run(vr, c, &o, &d);
  if (rc) sim_diag_print(&d, stderr);
  CU_ASSERT_EQUAL(rc, 0);
  /* 4 guest over 4 nested levels: n*m + n + m references ([BH08] sec. 2) */
  CU_ASSERT_DOUBLE_EQUAL(o.simulated, 24, 1e-9);
  CU_ASSERT(o.pass);
  /* the same scenario again: judged from the kept result */
  rc = val_runner_run(vr, c, &o, &d);
  CU_ASSERT_EQUAL(rc, 0);
  CU_ASSERT_DOUBLE_EQUAL(o.simulated, 24, 1e-9);
  val_runner_free(vr);
  val_case_free(c);
  sim_diag_clear(&d);
}

int register_tests(void) {
  static const test_case parse[] = {
      {"good case", test_parse_good_case},
      {"errors carry FILE:LINE:COL", test_parse_errors_have_positions},
      {"shipped cases load", test_shipped_cases_load},
      {NULL, NULL}};
  static const test_case judge_tests[] = {
      {"values, ratios, ranges, orders", test_judge_values},
      {"missing scenario", test_runner_missing_scenario},
      {"a shipped case end to end", test_runner_end_to_end},
      {NULL, NULL}};
  return add_suite("case files", parse) || add_suite("judging", judge_tests);
}
