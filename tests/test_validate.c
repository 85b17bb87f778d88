/* tests/test_validate.c: validation case files and their judgement.
 * Case files are parsed from text (errors must name FILE:LINE:COL), every
 * shipped case under validation/cases must load, and cases are judged on an
 * HDF5 result written by the recorder with known rows, read back through
 * sim/results.h as the validate verb reads it; replications are judged on
 * their mean and its confidence interval over several such results, and
 * every result's summary/requests on Little's law. */
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
                     "kind: prediction\n"
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
                     "name: a\nsource: s\nscenario: x.yaml\nkind: input-echo\n"
                     "quantity: {table: t, column: c, row: r}\n"
                     "published: 1\ntolerance: {absolute: 0.1}\n"
                     "tolerence: 3\n",
                     &d);
  CU_ASSERT_PTR_NULL(c);
  CU_ASSERT(has_error(&d, 8, 1, "unknown key 'tolerence'"));
  sim_diag_clear(&d);
  /* a published value that is not a number */
  c = load("v/a.yaml",
           "name: a\nsource: s\nscenario: x.yaml\nkind: input-echo\n"
           "quantity: {table: t, column: c, row: r}\n"
           "published: lots\ntolerance: {absolute: 0.1}\n",
           &d);
  CU_ASSERT_PTR_NULL(c);
  CU_ASSERT(has_error(&d, 6, 12, "published must be a number"));
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
           "name: a\nsource: s\nscenario: x.yaml\nkind: input-echo\n"
           "quantity: {table: t, column: c, row: r, rows: 2}\n"
           "published: 1\ntolerance: {absolute: 0.1}\n",
           &d);
  CU_ASSERT_PTR_NULL(c);
  CU_ASSERT(has_error(&d, 5, 41, "unknown key 'rows'"));
  sim_diag_clear(&d);
  /* a range upside down, and no tolerance needed for it */
  c = load("v/a.yaml",
           "name: a\nsource: s\nscenario: x.yaml\nkind: input-echo\n"
           "quantity: {table: t, column: c, row: r}\n"
           "published: [4.6, 3.9]\n",
           &d);
  CU_ASSERT_PTR_NULL(c);
  CU_ASSERT(has_error(&d, 6, 12, "max < min"));
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
           "name: a\nsource: s\nscenario: x.yaml\nkind: input-echo\n"
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

/* replications: a whole number 1..VAL_MAX_REPLICATIONS, only with a published value. */
static void test_parse_replications(void) {
  const char *head = "name: r\nsource: s\nscenario: x.yaml\nkind: analytic\n"
                     "quantity: {table: t, column: c, row: r}\n";
  char text[512];
  sim_diag d;
  snprintf(text, sizeof text, "%spublished: 1\ntolerance: {relative: 0.02}\nreplications: 10\n", head);
  val_case *c = load("v/r.yaml", text, &d);
  CU_ASSERT_PTR_NOT_NULL_FATAL(c);
  CU_ASSERT_EQUAL(c->replications, 10);
  val_case_free(c);
  sim_diag_clear(&d);
  /* without the key: one run */
  snprintf(text, sizeof text, "%spublished: 1\ntolerance: {relative: 0.02}\n", head);
  c = load("v/r.yaml", text, &d);
  CU_ASSERT_PTR_NOT_NULL_FATAL(c);
  CU_ASSERT_EQUAL(c->replications, 1);
  val_case_free(c);
  sim_diag_clear(&d);
  snprintf(text, sizeof text, "%spublished: 1\ntolerance: {relative: 0.02}\nreplications: 0\n", head);
  CU_ASSERT_PTR_NULL(load("v/r.yaml", text, &d));
  CU_ASSERT(d.errors >= 1 && d.entries[0].line == 8);
  sim_diag_clear(&d);
  /* a range has no one value for an interval to cover */
  snprintf(text, sizeof text, "%spublished: [1, 2]\nreplications: 5\n", head);
  CU_ASSERT_PTR_NULL(load("v/r.yaml", text, &d));
  CU_ASSERT(has_error(&d, 7, 15, "replications need a published value"));
  sim_diag_clear(&d);
}

/* A misspelt key, in the case or in any of its mappings, is refused where it
 * is written, with the key it most likely means. */
static void test_unknown_keys_get_suggestions(void) {
  sim_diag d;
  val_case *c = load("v/a.yaml",
                     "name: a\nsource: s\nscenario: x.yaml\nkind: fitted\n"
                     "quantity: {table: t, colum: c, row: r}\n"
                     "divide_by: {tabel: u}\n"
                     "published: 1\ntolerance: {relativ: 0.1}\n"
                     "fitted_inputs: [{input: k, fited_to: b}]\n"
                     "tolerence: 3\n",
                     &d);
  CU_ASSERT_PTR_NULL(c);
  CU_ASSERT(has_error(&d, 5, 22, "unknown key 'colum' in quantity; did you mean 'column'?"));
  CU_ASSERT(has_error(&d, 6, 13, "unknown key 'tabel' in divide_by; did you mean 'table'?"));
  CU_ASSERT(has_error(&d, 8, 13, "unknown key 'relativ' in tolerance; did you mean 'relative'?"));
  CU_ASSERT(has_error(&d, 9, 28,
                      "unknown key 'fited_to' in a fitted input; did you mean 'fitted_to'?"));
  CU_ASSERT(has_error(&d, 10, 1,
                      "unknown key 'tolerence' in a validation case; did you mean 'tolerance'?"));
  sim_diag_clear(&d);
}

/* kind is required and one of four words; the per-case rules of kinds. */
static void test_kinds_per_case(void) {
  sim_diag d;
  const char *head = "source: \"[AA06] sec. 5\"\nscenario: x.yaml\n"
                     "quantity: {table: t, column: c, row: r}\npublished: 1\n"
                     "tolerance: {absolute: 0.1}\n";
  char text[1024];
  /* missing */
  snprintf(text, sizeof text, "name: a\n%s", head);
  val_case *c = load("v/a.yaml", text, &d);
  CU_ASSERT_PTR_NULL(c);
  CU_ASSERT(has_error(&d, 1, 1, "missing required key 'kind'"));
  sim_diag_clear(&d);
  /* unknown, reported where it stands */
  snprintf(text, sizeof text, "name: a\n%skind: guess\n", head);
  c = load("v/a.yaml", text, &d);
  CU_ASSERT_PTR_NULL(c);
  CU_ASSERT(has_error(&d, 7, 7,
                      "unknown kind 'guess' in a validation case (known: prediction, fitted, "
                      "input-echo, by-construction, analytic)"));
  sim_diag_clear(&d);
  /* misspelt, with the kind it most likely means */
  snprintf(text, sizeof text, "name: a\n%skind: predicton\n", head);
  c = load("v/a.yaml", text, &d);
  CU_ASSERT_PTR_NULL(c);
  CU_ASSERT(has_error(&d, 7, 7, "unknown kind 'predicton' in a validation case; did you mean 'prediction'?"));
  sim_diag_clear(&d);
  /* a fitted case without its inputs */
  snprintf(text, sizeof text, "name: a\n%skind: fitted\n", head);
  c = load("v/a.yaml", text, &d);
  CU_ASSERT_PTR_NULL(c);
  CU_ASSERT(has_error(&d, 7, 7, "lists the fitted inputs"));
  sim_diag_clear(&d);
  /* a prediction using an input fitted to itself */
  snprintf(text, sizeof text,
           "name: a\n%skind: prediction\nfitted_inputs:\n  - {input: p bt.x, fitted_to: b}\n"
           "  - {input: p bt.y, fitted_to: a}\n",
           head);
  c = load("v/a.yaml", text, &d);
  CU_ASSERT_PTR_NULL(c);
  CU_ASSERT(has_error(&d, 10, 5, "fitted to itself"));
  CU_ASSERT_EQUAL(d.errors, 1);
  sim_diag_clear(&d);
  /* the same as a fitted case loads, with its inputs */
  snprintf(text, sizeof text,
           "name: a\n%skind: fitted\nfitted_inputs:\n  - {input: p bt.y, fitted_to: a}\n"
           "fitted: \"why\"\n",
           head);
  c = load("v/a.yaml", text, &d);
  CU_ASSERT_PTR_NOT_NULL_FATAL(c);
  CU_ASSERT_EQUAL(c->evidence, VAL_FITTED);
  CU_ASSERT_EQUAL(c->n_fits, 1);
  CU_ASSERT_STRING_EQUAL(c->fits[0].input, "p bt.y");
  CU_ASSERT_STRING_EQUAL(c->fits[0].fitted_to, "a");
  CU_ASSERT(!c->qualitative);
  val_case_free(c);
  sim_diag_clear(&d);
  /* 'fitted' prose on a case that is not fitted; an entry without fitted_to */
  snprintf(text, sizeof text,
           "name: a\n%skind: input-echo\nfitted: \"why\"\nfitted_inputs: [{input: k}]\n", head);
  c = load("v/a.yaml", text, &d);
  CU_ASSERT_PTR_NULL(c);
  CU_ASSERT(has_error(&d, 8, 9, "kind fitted only"));
  CU_ASSERT(has_error(&d, 9, 17, "needs 'input' and 'fitted_to'"));
  sim_diag_clear(&d);
  /* an order is qualitative, and cannot say otherwise */
  c = load("v/o.yaml",
           "name: o\nsource: s\nscenario: x.yaml\nkind: prediction\n"
           "quantity: {table: t, column: c}\norder: [x, y]\n",
           &d);
  CU_ASSERT_PTR_NOT_NULL_FATAL(c);
  CU_ASSERT(c->qualitative);
  val_case_free(c);
  sim_diag_clear(&d);
  c = load("v/o.yaml",
           "name: o\nsource: s\nscenario: x.yaml\nkind: prediction\nqualitative: false\n"
           "quantity: {table: t, column: c}\norder: [x, y]\n",
           &d);
  CU_ASSERT_PTR_NULL(c);
  CU_ASSERT(has_error(&d, 5, 14, "an order case is qualitative"));
  sim_diag_clear(&d);
}

/* Loads a case for the cross-case rules (the text must be valid alone). */
static val_case *case_of(const char *name, const char *source, const char *scenario,
                         const char *published, const char *kind_and_fits) {
  char path[64], text[1024];
  snprintf(path, sizeof path, "v/%s.yaml", name);
  snprintf(text, sizeof text,
           "name: %s\nsource: \"%s\"\nscenario: %s\n"
           "quantity: {table: t, column: c, row: r}\npublished: %s\ntolerance: {relative: 0.1}\n%s",
           name, source, scenario, published, kind_and_fits);
  sim_diag d;
  val_case *c = load(path, text, &d);
  if (!c) sim_diag_print(&d, stderr);
  sim_diag_clear(&d);
  return c;
}

/* Errors of the rules across cs at file:line whose message contains `what`. */
static int errors_of_check(val_case *const *cs, size_t n, const char *file, int line,
                           const char *what) {
  sim_diag d;
  sim_diag_init(&d);
  int rc = val_cases_check(cs, n, &d);
  int found = 0;
  for (size_t i = 0; i < d.count; i++)
    found += d.entries[i].level == SIM_DIAG_ERROR && !strcmp(d.entries[i].file, file) &&
             d.entries[i].line == line && strstr(d.entries[i].message, what) != NULL;
  CU_ASSERT_EQUAL(rc < 0, d.errors > 0);
  sim_diag_clear(&d);
  return found;
}

static void test_kinds_across_cases(void) {
  const char *fit_src = "kind: fitted\nfitted_inputs: [{input: prof k.eff, fitted_to: fit}]\n";
  val_case *fit = case_of("fit", "[FE14] Table I", "s1.yaml", "0.83", fit_src);
  /* a prediction of another quantity of the same source, in the fit's scenario,
   * that does not list the fit: flagged at its kind */
  val_case *p1 = case_of("p1", "[FE14] Table I", "s1.yaml", "0.97", "kind: prediction\n");
  /* the same, listing it: accepted */
  val_case *p2 = case_of("p2", "[FE14] Table I", "s1.yaml", "0.97",
                         "kind: prediction\nfitted_inputs: [{input: prof k.eff, fitted_to: fit}]\n");
  /* another scenario, or another source: not concerned */
  val_case *p3 = case_of("p3", "[FE14] Table I", "s2.yaml", "0.97", "kind: prediction\n");
  val_case *p4 = case_of("p4", "[LECT] loops", "s1.yaml", "0.97", "kind: prediction\n");
  CU_ASSERT_FATAL(fit && p1 && p2 && p3 && p4);
  val_case *all[] = {fit, p1, p2, p3, p4};
  CU_ASSERT_EQUAL(errors_of_check(all, 5, "v/p1.yaml", 7, "lists that input"), 1);
  CU_ASSERT_EQUAL(errors_of_check(all, 5, "v/p2.yaml", 7, "lists that input"), 0);
  val_case *ok[] = {fit, p2, p3, p4};
  sim_diag d;
  sim_diag_init(&d);
  CU_ASSERT_EQUAL(val_cases_check(ok, 4, &d), 0);
  sim_diag_clear(&d);
  /* a fit to a citation of the prediction's source counts the same */
  val_case *cit = case_of("cit", "[CL05] sec. 6.2", "s3.yaml", "62",
                          "kind: fitted\nfitted_inputs: [{input: sc hot, fitted_to: \"[CL05] sec. 6.2\"}]\n");
  val_case *p5 = case_of("p5", "[CL05] sec. 6.2", "s3.yaml", "9.8", "kind: prediction\n");
  CU_ASSERT_FATAL(cit && p5);
  val_case *mig[] = {cit, p5};
  CU_ASSERT_EQUAL(errors_of_check(mig, 2, "v/p5.yaml", 7, "lists that input"), 1);
  /* a prediction using an input fitted to the same published quantity under another name */
  val_case *twin = case_of("twin", "[FE14] Table I", "s2.yaml", "0.83",
                           "kind: prediction\nfitted_inputs: [{input: prof k.eff, fitted_to: fit}]\n");
  /* a fitted_to that names no case */
  val_case *stray = case_of("stray", "[FE14] Table I", "s2.yaml", "0.5",
                            "kind: fitted\nfitted_inputs: [{input: prof k, fitted_to: nosuch}]\n");
  CU_ASSERT_FATAL(twin && stray);
  val_case *more[] = {fit, twin, stray};
  CU_ASSERT_EQUAL(errors_of_check(more, 3, "v/twin.yaml", 8, "same published quantity"), 1);
  CU_ASSERT_EQUAL(errors_of_check(more, 3, "v/stray.yaml", 8, "neither a case nor a citation"), 1);
  val_case *list[] = {fit, p1, p2, p3, p4, cit, p5, twin, stray};
  for (size_t i = 0; i < sizeof list / sizeof list[0]; i++) val_case_free(list[i]);
}

/* The summary: kinds counted, errors of quantitative predictions alone. */
static void test_summary(void) {
  val_case *c[5];
  c[0] = case_of("a", "s", "x.yaml", "1", "kind: prediction\n");
  c[1] = case_of("b", "s", "x.yaml", "1", "kind: prediction\n");
  c[2] = case_of("c", "s", "x.yaml", "1", "kind: prediction\nqualitative: true\n");
  c[3] = case_of("d", "s", "x.yaml", "1", "kind: fitted\nfitted_inputs: [{input: k, fitted_to: d}]\n");
  c[4] = case_of("e", "s", "x.yaml", "1", "kind: prediction\n");
  for (int i = 0; i < 5; i++) CU_ASSERT_PTR_NOT_NULL_FATAL(c[i]);
  val_outcome o[5];
  memset(o, 0, sizeof o);
  o[0].relative_error = -0.10; /* quantitative prediction */
  o[1].relative_error = 0.02;  /* quantitative prediction */
  o[2].relative_error = 0.90;  /* qualitative: not in the figures */
  o[3].relative_error = 0.50;  /* fitted: not in the figures */
  o[4].relative_error = 0.70;  /* did not run: not in the figures */
  bool ran[5] = {true, true, true, true, false};
  val_summary s;
  val_summarize(c, o, ran, 5, &s);
  CU_ASSERT_EQUAL(s.by_evidence[VAL_PREDICTION], 4);
  CU_ASSERT_EQUAL(s.by_evidence[VAL_FITTED], 1);
  CU_ASSERT_EQUAL(s.by_evidence[VAL_INPUT_ECHO], 0);
  CU_ASSERT_EQUAL(s.quantitative_predictions, 2);
  CU_ASSERT_EQUAL(s.qualitative_predictions, 1);
  CU_ASSERT_DOUBLE_EQUAL(s.median_abs_error, 0.06, 1e-12);
  CU_ASSERT_DOUBLE_EQUAL(s.worst_abs_error, 0.10, 1e-12);
  CU_ASSERT_EQUAL(s.worst, 0);
  val_summarize(c + 2, o + 2, ran + 2, 2, &s);
  CU_ASSERT_EQUAL(s.quantitative_predictions, 0);
  CU_ASSERT(isnan(s.median_abs_error));
  for (int i = 0; i < 5; i++) val_case_free(c[i]);
}

/* Every shipped case file loads, and the set obeys the rules across cases. */
static void test_shipped_cases_load(void) {
  const char *src = getenv("VDCSIM_SOURCE_DIR");
  CU_ASSERT_PTR_NOT_NULL_FATAL(src);
  char dir[4096];
  snprintf(dir, sizeof dir, "%s/validation/cases", src);
  char **files = NULL;
  size_t n_files = 0;
  CU_ASSERT_EQUAL_FATAL(val_case_files(dir, &files, &n_files), 0);
  val_case **cases = sim_calloc(n_files ? n_files : 1, sizeof *cases);
  CU_ASSERT_PTR_NOT_NULL_FATAL(cases);
  size_t n = 0, values = 0, orders = 0, predictions = 0;
  for (size_t i = 0; i < n_files; i++) {
    sim_diag d;
    sim_diag_init(&d);
    val_case *c = NULL;
    int rc = val_case_load(files[i], &c, &d);
    if (rc) sim_diag_print(&d, stderr);
    CU_ASSERT_EQUAL(rc, 0);
    if (c) {
      cases[n++] = c;
      values += c->kind != VAL_ORDER;
      orders += c->kind == VAL_ORDER;
      predictions += c->evidence == VAL_PREDICTION;
      /* the scenario it names exists */
      char sc[8192];
      snprintf(sc, sizeof sc, "%s/%s", src, c->scenario);
      CU_ASSERT_EQUAL(access(sc, R_OK), 0);
    }
    sim_diag_clear(&d);
  }
  sim_diag d;
  sim_diag_init(&d);
  int rc = val_cases_check(cases, n, &d);
  if (rc) sim_diag_print(&d, stderr);
  CU_ASSERT_EQUAL(rc, 0);
  sim_diag_clear(&d);
  CU_ASSERT(n >= 20);
  CU_ASSERT(values > 0 && orders > 0 && predictions > 0);
  for (size_t i = 0; i < n; i++) val_case_free(cases[i]);
  sim_free(cases);
  val_case_files_free(files, n_files);
}

/* ---- judging on a result file ---- */

static char result_path[256];

/* The path of result file k of this process. */
static void result_name(char *path, size_t n, int k) {
  const char *tmp = getenv("TMPDIR");
  snprintf(path, n, "%s/test_validate_%ld_%d.h5", tmp && *tmp ? tmp : "/tmp", (long)getpid(), k);
}

/* A result with summary/guests rows a, b, c: x = 1, xb, 3 and y = 10, 10, 0;
 * with requests, also summary/requests row w: L = in_system, lambda W =
 * lambda_w. */
static int write_result_at(const char *path, double xb, bool requests, double in_system,
                           double lambda_w) {
  sim_record_config cfg = {SIM_S, 0, 0, NULL, 0, 0};
  sim_recorder *rec = sim_recorder_new(&cfg);
  if (!rec) return -1;
  static const sim_column cols[] = {{"name", SIM_COL_STR, "", "row"},
                                    {"x", SIM_COL_F64, "1", "x"},
                                    {"y", SIM_COL_I64, "1", "y"}};
  sim_table *t = sim_recorder_table(rec, "summary/guests", "test", 3, cols);
  const char *names[] = {"a", "b", "c"};
  double xs[] = {1, xb, 3};
  int64_t ys[] = {10, 10, 0};
  int rc = t ? 0 : -1;
  for (int i = 0; i < 3 && rc == 0; i++) {
    sim_cell row[3];
    row[0].s = names[i];
    row[1].f = xs[i];
    row[2].i = ys[i];
    rc = sim_table_append(t, row);
  }
  if (requests && rc == 0) {
    static const sim_column rcols[] = {{"name", SIM_COL_STR, "", "guest"},
                                       {"mean_in_system", SIM_COL_F64, "1", "L"},
                                       {"little_lambda_w", SIM_COL_F64, "1", "lambda W"}};
    sim_table *q = sim_recorder_table(rec, "summary/requests", "test", 3, rcols);
    sim_cell row[3];
    row[0].s = "w";
    row[1].f = in_system;
    row[2].f = lambda_w;
    rc = q ? sim_table_append(q, row) : -1;
  }
  sim_diag d;
  sim_diag_init(&d);
  if (rc == 0) rc = sim_recorder_write(rec, path, &d);
  sim_diag_clear(&d);
  sim_recorder_free(rec);
  return rc;
}

static int write_result(void) {
  result_name(result_path, sizeof result_path, 0);
  return write_result_at(result_path, 2, false, 0, 0);
}

/* Judges a case text on the result; returns the rc of evaluate. */
static int judge(const char *name, const char *body, val_outcome *o) {
  char path[128], text[1024];
  snprintf(path, sizeof path, "v/%s.yaml", name);
  snprintf(text, sizeof text, "name: %s\nsource: s\nscenario: x.yaml\nkind: prediction\n%s", name, body);
  sim_diag d;
  val_case *c = load(path, text, &d);
  if (!c) sim_diag_print(&d, stderr);
  CU_ASSERT_PTR_NOT_NULL_FATAL(c);
  sim_diag_clear(&d);
  sim_result *r = NULL;
  CU_ASSERT_EQUAL_FATAL(sim_result_open(result_path, &r, &d), 0);
  int rc = val_case_evaluate(c, &r, 1, o, &d);
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
  CU_ASSERT_DOUBLE_EQUAL(o.relative_error, -0.05 / 2.05, 1e-12); /* relative whatever the tolerance */
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
  CU_ASSERT_DOUBLE_EQUAL(o.relative_error, -1.9 / 3.9, 1e-12); /* over the nearer bound */
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

/* Judges a case text on n results whose x of row b are xb[0..n-1] (each
 * with a summary/requests row of L = in_system, lambda W = 1 when requests). */
static int judge_runs(const char *body, const double *xb, int n, bool requests, double in_system,
                      val_outcome *o) {
  char text[1024];
  snprintf(text, sizeof text,
           "name: reps\nsource: s\nscenario: x.yaml\nkind: analytic\n"
           "quantity: {table: summary/guests, column: x, row: b}\n%s", body);
  sim_diag d;
  val_case *c = load("v/reps.yaml", text, &d);
  if (!c) sim_diag_print(&d, stderr);
  CU_ASSERT_PTR_NOT_NULL_FATAL(c);
  sim_result *runs[16] = {NULL};
  char paths[16][256];
  int rc = 0;
  for (int k = 0; k < n && rc == 0; k++) {
    result_name(paths[k], sizeof paths[k], k + 1);
    rc = write_result_at(paths[k], xb[k], requests, in_system, 1);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    rc = sim_result_open(paths[k], &runs[k], &d);
  }
  CU_ASSERT_EQUAL_FATAL(rc, 0);
  rc = val_case_evaluate(c, runs, (size_t)n, o, &d);
  for (int k = 0; k < n; k++) {
    sim_result_close(runs[k]);
    remove(paths[k]);
  }
  sim_diag_clear(&d);
  val_case_free(c);
  return rc;
}

/* Replications: the mean must be within tolerance AND its 95% Student-t
 * interval must hold the published value. */
static void test_judge_replications(void) {
  val_outcome o;
  const char *body = "published: 1\ntolerance: {relative: 0.02}\nreplications: 4\n";
  /* mean 1.01 (+1%, within 2%), sd 0.001: the interval 1.01 +- 0.0016 misses 1 */
  const double tight[] = {1.009, 1.011, 1.009, 1.011};
  CU_ASSERT_EQUAL(judge_runs(body, tight, 4, false, 0, &o), 0);
  CU_ASSERT_EQUAL(o.runs, 4);
  CU_ASSERT_DOUBLE_EQUAL(o.simulated, 1.01, 1e-12);
  CU_ASSERT_DOUBLE_EQUAL(o.error, 0.01, 1e-12);
  /* t(0.975, 3) = 3.182446, sd = sqrt(4e-6/3) */
  double half = 3.182446 * sqrt(4e-6 / 3) / 2;
  CU_ASSERT_DOUBLE_EQUAL(o.ci_low, 1.01 - half, 1e-6);
  CU_ASSERT_DOUBLE_EQUAL(o.ci_high, 1.01 + half, 1e-6);
  CU_ASSERT(!o.ci_covers);
  CU_ASSERT(!o.pass);
  /* the same mean with a spread whose interval reaches 1: passes */
  const double wide[] = {0.99, 1.03, 1.00, 1.02};
  CU_ASSERT_EQUAL(judge_runs(body, wide, 4, false, 0, &o), 0);
  CU_ASSERT_DOUBLE_EQUAL(o.simulated, 1.01, 1e-12);
  CU_ASSERT(o.ci_low <= 1 && 1 <= o.ci_high);
  CU_ASSERT(o.ci_covers);
  CU_ASSERT(o.pass);
  /* an interval that covers does not save a mean beyond the tolerance */
  const double off[] = {0.9, 1.2, 0.95, 1.05};
  CU_ASSERT_EQUAL(judge_runs(body, off, 4, false, 0, &o), 0);
  CU_ASSERT_DOUBLE_EQUAL(o.error, 0.025, 1e-12);
  CU_ASSERT(o.ci_covers);
  CU_ASSERT(!o.pass);
  /* one run: no interval, judged on its value alone */
  const double one[] = {1.01};
  CU_ASSERT_EQUAL(judge_runs("published: 1\ntolerance: {relative: 0.02}\n", one, 1, false, 0, &o), 0);
  CU_ASSERT(isnan(o.ci_low) && isnan(o.ci_high));
  CU_ASSERT(o.pass);
}

/* Little's law on every run: a run whose L differs from lambda W beyond
 * VAL_LITTLE_TOLERANCE fails the case, whatever its quantity. */
static void test_judge_little(void) {
  val_outcome o;
  const char *body = "published: 1\ntolerance: {relative: 0.02}\nreplications: 2\n";
  const double xs[] = {0.99, 1.01};
  CU_ASSERT_EQUAL(judge_runs(body, xs, 2, true, 1, &o), 0);
  CU_ASSERT(o.pass);
  CU_ASSERT_EQUAL(o.little.guests, 2); /* one guest in each of two runs */
  CU_ASSERT_DOUBLE_EQUAL(o.little.worst, 0, 0);
  CU_ASSERT_STRING_EQUAL(o.little.worst_guest, "w");
  CU_ASSERT(val_little_holds(&o.little));
  CU_ASSERT_EQUAL(judge_runs(body, xs, 2, true, 1.001, &o), 0);
  CU_ASSERT_DOUBLE_EQUAL(o.little.worst, 0.001, 1e-12);
  CU_ASSERT(!val_little_holds(&o.little));
  CU_ASSERT(o.ci_covers); /* the quantity is right: Little's law alone fails it */
  CU_ASSERT(!o.pass);
  /* a result without summary/requests checks nothing */
  CU_ASSERT_EQUAL(judge_runs(body, xs, 2, false, 0, &o), 0);
  CU_ASSERT_EQUAL(o.little.guests, 0);
  CU_ASSERT(o.pass);
}

/* A case whose scenario does not exist fails with a diagnostic. */
static void test_runner_missing_scenario(void) {
  sim_diag d;
  val_case *c = load("v/m.yaml",
                     "name: m\nsource: s\nscenario: validation/scenarios/no-such-file.yaml\nkind: prediction\n"
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

/* Replications through the runner: the scenario runs with run index 0..N-1,
 * whose draws differ, and every run is checked on Little's law once. */
static void test_runner_replications(void) {
  const char *src = getenv("VDCSIM_SOURCE_DIR");
  CU_ASSERT_PTR_NOT_NULL_FATAL(src);
  sim_diag d;
  val_case *c = load("v/mm1-reps.yaml",
                     "name: mm1-reps\nsource: s\nkind: analytic\n"
                     "scenario: validation/scenarios/queue-mm1.yaml\n"
                     "quantity: {table: summary/requests, row: mm1, column: mean_response_s}\n"
                     "published: 0.002\ntolerance: {relative: 0.02}\nreplications: 3\n",
                     &d);
  CU_ASSERT_PTR_NOT_NULL_FATAL(c);
  val_runner *vr = val_runner_new(src, test_data_path(), &d);
  CU_ASSERT_PTR_NOT_NULL_FATAL(vr);
  val_outcome o;
  int rc = val_runner_run(vr, c, &o, &d);
  if (rc) sim_diag_print(&d, stderr);
  CU_ASSERT_EQUAL_FATAL(rc, 0);
  CU_ASSERT_EQUAL(o.runs, 3);
  CU_ASSERT(o.ci_low < o.simulated && o.simulated < o.ci_high); /* the runs differ */
  CU_ASSERT_DOUBLE_EQUAL(o.simulated, 0.002, 0.002 * 0.02);
  CU_ASSERT_EQUAL(o.little.guests, 3);
  val_little l;
  size_t runs;
  val_runner_little(vr, &l, &runs);
  CU_ASSERT_EQUAL(runs, 3);
  /* a case without replications reuses run 0: no fourth run */
  c->replications = 1;
  CU_ASSERT_EQUAL(val_runner_run(vr, c, &o, &d), 0);
  val_runner_little(vr, &l, &runs);
  CU_ASSERT_EQUAL(runs, 3);
  CU_ASSERT(val_little_holds(&l));
  val_runner_free(vr);
  val_case_free(c);
  sim_diag_clear(&d);
}

int register_tests(void) {
  static const test_case parse[] = {
      {"good case", test_parse_good_case},
      {"errors carry FILE:LINE:COL", test_parse_errors_have_positions},
      {"unknown keys get suggestions", test_unknown_keys_get_suggestions},
      {"replications", test_parse_replications},
      {"kinds: per case", test_kinds_per_case},
      {"kinds: rules across cases", test_kinds_across_cases},
      {"kinds: summary", test_summary},
      {"shipped cases load", test_shipped_cases_load},
      {NULL, NULL}};
  static const test_case judge_tests[] = {
      {"values, ratios, ranges, orders", test_judge_values},
      {"replications: mean and interval", test_judge_replications},
      {"Little's law on every run", test_judge_little},
      {"missing scenario", test_runner_missing_scenario},
      {"a shipped case end to end", test_runner_end_to_end},
      {"replications through the runner", test_runner_replications},
      {NULL, NULL}};
  return add_suite("case files", parse) || add_suite("judging", judge_tests);
}
