/* validation/validate.c: loading, running and judging validation cases.
 * Models nothing itself: it runs scenarios through the run pipeline
 * (models/run.h, the one `vdcsim run` uses) and compares a
 * quantity read back from the HDF5 result with a published measurement (see
 * validate.h for the case schema).  Units: those of the quantity read;
 * relative tolerances and errors are fractions.
 * Invariants: a (scenario, run index) shared by several cases runs once per
 * runner; every result file lives in the runner's temporary directory,
 * removed with it.
 * Sources: the 95% interval of a mean over replications is Student's t
 * (gsl_cdf_tdist_Pinv), as `plot compare` and a sweep's summary give it. */
#include "validation/validate.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/run.h"
#include "sim/alloc.h"
#include "sim/schema.h"
#include "sim/yaml.h"

/* ---- parsing ----
 * Through the schema helper (sim/schema.h): every message is at
 * FILE:LINE:COL of the node at fault and unknown keys get a "did you mean".
 * Published values and tolerances are plain numbers (any sign, no unit), a
 * form no typed getter reads, so get_number reads them. */

static const char *base_name(const char *path) {
  const char *s = strrchr(path, '/');
  return s ? s + 1 : path;
}

/* A copy of the non-empty string n, `what` naming it in the message. */
static char *dup_scalar(sim_schema *S, const sim_yaml_node *n, const char *what) {
  if (!n || n->kind != SIM_YAML_SCALAR || !n->text[0]) {
    sim_schema_error(S, n, "%s must be a non-empty string", what);
    return NULL;
  }
  char *s = sim_strdup(n->text);
  if (!s) sim_schema_error(S, n, "out of memory");
  return s;
}

static int get_number(sim_schema *S, const sim_yaml_node *n, const char *what, double *out) {
  if (!n || n->kind != SIM_YAML_SCALAR) {
    sim_schema_error(S, n, "%s must be a number", what);
    return -1;
  }
  char *end;
  errno = 0;
  double v = strtod(n->text, &end);
  if (end == n->text || *end || errno || !isfinite(v)) {
    sim_schema_error(S, n, "%s must be a number, got '%s'", what, n->text);
    return -1;
  }
  *out = v;
  return 0;
}

/* Whether `map` has only the listed keys (the others reported, with the key
 * each most likely means); S->what names the map. */
static bool keys_ok(sim_schema *S, const sim_yaml_node *map, const char *const *keys, size_t n) {
  size_t before = S->diag->errors;
  sim_schema_check_keys(S, map, keys, n);
  return S->diag->errors == before;
}
#define KEYS_OK(S, map, arr) keys_ok(S, map, arr, sizeof arr / sizeof arr[0])

static int parse_ref(sim_schema *S, const sim_yaml_node *n, const char *where, val_ref *r,
                     bool need_all) {
  if (n->kind != SIM_YAML_MAP) {
    sim_schema_error(S, n, "%s must be a mapping {table, column, row}", where);
    return -1;
  }
  static const char *const keys[] = {"table", "column", "row", "key"};
  sim_schema_set_what(S, "%s", where);
  int rc = KEYS_OK(S, n, keys) ? 0 : -1;
  char **dst[4] = {&r->table, &r->column, &r->row, &r->key};
  for (int i = 0; i < 4; i++) {
    const sim_yaml_node *v = sim_yaml_get(n, keys[i]);
    if (!v) {
      if (need_all && i < 2) {
        sim_schema_error(S, n, "%s needs '%s'", where, keys[i]);
        rc = -1;
      }
      continue;
    }
    char what[64];
    snprintf(what, sizeof what, "%s.%s", where, keys[i]);
    if (!(*dst[i] = dup_scalar(S, v, what))) rc = -1;
  }
  return rc;
}

static const char *const evidence_names[VAL_N_EVIDENCE] = {"prediction", "fitted", "input-echo",
                                                           "by-construction", "analytic"};

const char *val_evidence_name(val_evidence e) {
  return e < VAL_N_EVIDENCE ? evidence_names[e] : "?";
}

static int parse_kind(sim_schema *S, const sim_yaml_node *root, val_case *c) {
  const sim_yaml_node *n = sim_yaml_get(root, "kind");
  c->kind_line = n->line;
  c->kind_col = n->col;
  static const sim_schema_names kinds = {evidence_names, VAL_N_EVIDENCE, "kind"};
  size_t e;
  if (!sim_schema_enum(S, root, "kind", &kinds, &e)) {
    if (sim_yaml_is_null(n)) sim_schema_error(S, n, "'kind' in %s: expected a name", S->what);
    return -1;
  }
  c->evidence = (val_evidence)e;
  return 0;
}

/* fitted_inputs: a sequence of {input, fitted_to}. */
static int parse_fits(sim_schema *S, const sim_yaml_node *n, val_case *c) {
  if (!sim_schema_is_seq(S, n, "fitted_inputs, a sequence of {input, fitted_to},")) return -1;
  if (n->n && !(c->fits = sim_calloc(n->n, sizeof *c->fits))) {
    sim_schema_error(S, n, "out of memory");
    return -1;
  }
  int rc = 0;
  static const char *const keys[] = {"input", "fitted_to"};
  sim_schema_set_what(S, "a fitted input");
  for (size_t i = 0; i < n->n; i++) {
    const sim_yaml_node *e = n->items[i];
    val_fit *f = &c->fits[c->n_fits++];
    f->line = e->line;
    f->col = e->col;
    if (!sim_schema_is_map(S, e, "a fitted input {input, fitted_to}")) {
      rc = -1;
      continue;
    }
    if (!KEYS_OK(S, e, keys)) rc = -1;
    const sim_yaml_node *in = sim_yaml_get(e, "input"), *to = sim_yaml_get(e, "fitted_to");
    if (!in || !to) {
      sim_schema_error(S, e, "a fitted input needs 'input' and 'fitted_to'");
      rc = -1;
      continue;
    }
    if (!(f->input = dup_scalar(S, in, "input"))) rc = -1;
    if (!(f->fitted_to = dup_scalar(S, to, "fitted_to"))) rc = -1;
  }
  return rc;
}

/* The per-case rules of a case's kind (validate.h; cross-case ones in
 * val_cases_check). */
static int check_kind(sim_schema *S, const sim_yaml_node *root, val_case *c) {
  int rc = 0;
  const sim_yaml_node *q = sim_yaml_get(root, "qualitative");
  if (q) {
    if (!sim_schema_parse_bool(S, q, "qualitative", &c->qualitative)) {
      rc = -1;
    } else if (!c->qualitative && c->kind == VAL_ORDER) {
      sim_schema_error(S, q, "an order case is qualitative");
      rc = -1;
    }
  }
  if (c->kind == VAL_ORDER) c->qualitative = true;
  if (c->evidence == VAL_FITTED && c->n_fits == 0) {
    sim_schema_error(S, sim_yaml_get(root, "kind"),
                     "a fitted case lists the fitted inputs in 'fitted_inputs'");
    rc = -1;
  }
  const sim_yaml_node *why = sim_yaml_get(root, "fitted");
  if (why && c->evidence != VAL_FITTED) {
    sim_schema_error(S, why, "'fitted' explains a case of kind fitted only");
    rc = -1;
  }
  for (size_t i = 0; i < c->n_fits && c->evidence == VAL_PREDICTION; i++)
    if (c->fits[i].fitted_to && c->name && !strcmp(c->fits[i].fitted_to, c->name)) {
      sim_diag_error(S->diag, S->file, c->fits[i].line, c->fits[i].col,
                     "a prediction cannot use an input fitted to itself ('%s'): its kind is fitted",
                     c->fits[i].input ? c->fits[i].input : "?");
      rc = -1;
    }
  return rc;
}

static void free_ref(val_ref *r) {
  sim_free(r->table);
  sim_free(r->column);
  sim_free(r->row);
  sim_free(r->key);
}

void val_case_free(val_case *c) {
  if (!c) return;
  sim_free(c->path);
  sim_free(c->name);
  sim_free(c->description);
  sim_free(c->source);
  sim_free(c->scenario);
  sim_free(c->fitted);
  for (size_t i = 0; i < c->n_fits; i++) {
    sim_free(c->fits[i].input);
    sim_free(c->fits[i].fitted_to);
  }
  sim_free(c->fits);
  free_ref(&c->quantity);
  free_ref(&c->divisor);
  for (size_t i = 0; i < c->n_order; i++) sim_free(c->order[i]);
  sim_free(c->order);
  sim_free(c);
}

/* Fills the divisor's missing members from the quantity. */
static int complete_divisor(val_case *c) {
  val_ref *q = &c->quantity, *v = &c->divisor;
  if (!v->table && !(v->table = sim_strdup(q->table))) return -1;
  if (!v->column && !(v->column = sim_strdup(q->column))) return -1;
  if (!v->key && !(v->key = sim_strdup(q->key))) return -1;
  if (!v->row && q->row && !(v->row = sim_strdup(q->row))) return -1;
  return 0;
}

static int parse_case(sim_schema *S, const sim_yaml_node *root, val_case *c) {
  if (!root || root->kind != SIM_YAML_MAP) {
    sim_diag_error(S->diag, S->file, root ? root->line : 1, root ? root->col : 1,
                   "a validation case is a mapping (name, source, scenario, quantity, published)");
    return -1;
  }
  static const char *const keys[] = {"name",      "description", "source",    "scenario",
                                     "quantity",  "divide_by",   "published", "tolerance",
                                     "order",     "fitted",      "kind",
                                     "qualitative", "fitted_inputs", "replications"};
  sim_schema_set_what(S, "a validation case");
  int rc = KEYS_OK(S, root, keys) ? 0 : -1;
  const char *req[] = {"name", "source", "scenario", "quantity", "kind"};
  for (int i = 0; i < 5; i++)
    if (!sim_yaml_get(root, req[i])) {
      sim_schema_error(S, root, "missing required key '%s'", req[i]);
      rc = -1;
    }
  const sim_yaml_node *n;
  if ((n = sim_yaml_get(root, "name"))) {
    if (!(c->name = dup_scalar(S, n, "name"))) {
      rc = -1;
    } else {
      const char *b = base_name(S->file);
      size_t len = strlen(c->name);
      if (strncmp(b, c->name, len) || strcmp(b + len, ".yaml")) {
        sim_schema_error(S, n, "case name '%s' must match its file name '%s'", c->name, b);
        rc = -1;
      }
    }
  }
  if ((n = sim_yaml_get(root, "description")) && !(c->description = dup_scalar(S, n, "description")))
    rc = -1;
  if ((n = sim_yaml_get(root, "source")) && !(c->source = dup_scalar(S, n, "source"))) rc = -1;
  if ((n = sim_yaml_get(root, "scenario")) && !(c->scenario = dup_scalar(S, n, "scenario"))) rc = -1;
  if ((n = sim_yaml_get(root, "fitted")) && !(c->fitted = dup_scalar(S, n, "fitted"))) rc = -1;
  if (sim_yaml_get(root, "kind") && parse_kind(S, root, c)) rc = -1;
  if ((n = sim_yaml_get(root, "fitted_inputs")) && parse_fits(S, n, c)) rc = -1;
  if ((n = sim_yaml_get(root, "quantity")) && parse_ref(S, n, "quantity", &c->quantity, true))
    rc = -1;
  if (!c->quantity.key && !(c->quantity.key = sim_strdup("name"))) return -1;
  if ((n = sim_yaml_get(root, "divide_by"))) {
    c->has_divisor = true;
    if (parse_ref(S, n, "divide_by", &c->divisor, false) || (rc == 0 && complete_divisor(c)))
      rc = -1;
  }
  sim_schema_set_what(S, "a validation case");
  const sim_yaml_node *pub = sim_yaml_get(root, "published");
  const sim_yaml_node *ord = sim_yaml_get(root, "order");
  if (!!pub == !!ord) {
    sim_schema_error(S, root,
                     "a case has exactly one of 'published' (a value or [min, max]) and 'order'");
    return -1;
  }
  if (pub && pub->kind == SIM_YAML_SEQ) {
    c->kind = VAL_RANGE;
    if (pub->n != 2) {
      sim_schema_error(S, pub, "published range must be [min, max]");
      rc = -1;
    } else if (get_number(S, pub->items[0], "published min", &c->published) ||
               get_number(S, pub->items[1], "published max", &c->published_max)) {
      rc = -1;
    } else if (c->published_max < c->published) {
      sim_schema_error(S, pub, "published range has max < min");
      rc = -1;
    }
  } else if (pub) {
    c->kind = VAL_VALUE;
    if (get_number(S, pub, "published", &c->published)) rc = -1;
  } else {
    c->kind = VAL_ORDER;
    if (ord->kind != SIM_YAML_SEQ || ord->n < 2) {
      sim_schema_error(S, ord, "order must list at least two rows");
      return -1;
    }
    if (c->quantity.row) {
      sim_schema_error(S, ord, "an order case names its rows in 'order', not in quantity.row");
      rc = -1;
    }
    c->order = sim_calloc(ord->n, sizeof *c->order);
    if (!c->order) return -1;
    c->n_order = ord->n;
    for (size_t i = 0; i < ord->n; i++)
      if (!(c->order[i] = dup_scalar(S, ord->items[i], "order item"))) rc = -1;
  }
  if (c->kind != VAL_ORDER && !c->quantity.row && sim_yaml_get(root, "quantity")) {
    sim_schema_error(S, sim_yaml_get(root, "quantity"), "quantity needs 'row'");
    rc = -1;
  }
  const sim_yaml_node *tol = sim_yaml_get(root, "tolerance");
  if (tol) {
    static const char *const tkeys[] = {"absolute", "relative"};
    if (tol->kind != SIM_YAML_MAP || tol->n != 1) {
      sim_schema_error(S, tol, "tolerance is {absolute: X} or {relative: X}");
      return -1;
    }
    sim_schema_set_what(S, "tolerance");
    if (!KEYS_OK(S, tol, tkeys)) return -1;
    const sim_yaml_node *a = sim_yaml_get(tol, "absolute"), *r = sim_yaml_get(tol, "relative");
    double v = 0;
    if (get_number(S, a ? a : r, a ? "tolerance.absolute" : "tolerance.relative", &v)) return -1;
    if (v < 0) {
      sim_schema_error(S, a ? a : r, "tolerance must be >= 0");
      return -1;
    }
    if (a) c->tol_abs = v;
    else c->tol_rel = v;
  } else if (c->kind == VAL_VALUE) {
    sim_schema_error(S, root, "a case with a published value needs a tolerance");
    rc = -1;
  }
  sim_schema_set_what(S, "a validation case");
  if (sim_yaml_get(root, "kind") && check_kind(S, root, c)) rc = -1;
  c->replications = 1;
  if ((n = sim_yaml_get(root, "replications"))) {
    size_t before = S->diag->errors;
    sim_schema_u32(S, root, "replications", 1, VAL_MAX_REPLICATIONS, &c->replications);
    if (S->diag->errors != before) {
      rc = -1;
    } else if (c->replications > 1 && c->kind != VAL_VALUE) {
      /* a range or an order has no single value an interval could cover */
      sim_schema_error(S, n, "replications need a published value, not a range or an order");
      rc = -1;
    }
  }
  return rc;
}

/* ---- rules across cases ---- */

/* Length of the leading citation key of a source ("[CL05] sec. 6.2" -> 6, with
 * the brackets), 0 when it does not open with one. */
static size_t source_key_len(const char *s) {
  if (!s || s[0] != '[') return 0;
  const char *e = strchr(s, ']');
  return e ? (size_t)(e - s) + 1 : 0;
}

static bool same_source_key(const char *a, const char *b) {
  size_t n = source_key_len(a);
  return n > 0 && n == source_key_len(b) && !strncmp(a, b, n);
}

static const val_case *find_case(val_case *const *cases, size_t n, const char *name) {
  for (size_t i = 0; i < n; i++)
    if (cases[i]->name && !strcmp(cases[i]->name, name)) return cases[i];
  return NULL;
}

/* Whether two cases give the same published quantity: one source, one value. */
static bool same_published(const val_case *a, const val_case *b) {
  return a->kind == b->kind && a->kind != VAL_ORDER && !strcmp(a->source, b->source) &&
         a->published == b->published &&
         (a->kind != VAL_RANGE || a->published_max == b->published_max);
}

static bool lists_fit(const val_case *c, const val_fit *f) {
  for (size_t i = 0; i < c->n_fits; i++)
    if (!strcmp(c->fits[i].input, f->input) && !strcmp(c->fits[i].fitted_to, f->fitted_to))
      return true;
  return false;
}

int val_cases_check(val_case *const *cases, size_t n, sim_diag *diag) {
  int rc = 0;
  for (size_t i = 0; i < n; i++) {
    const val_case *c = cases[i];
    for (size_t k = 0; k < c->n_fits; k++) {
      const val_fit *f = &c->fits[k];
      if (f->fitted_to[0] == '[') continue;
      const val_case *t = find_case(cases, n, f->fitted_to);
      if (!t) {
        sim_diag_error(diag, c->path, f->line, f->col,
                       "fitted_to '%s' is neither a case nor a citation '[KEY] ...'", f->fitted_to);
        rc = -1;
      } else if (c->evidence == VAL_PREDICTION && t != c && same_published(c, t)) {
        sim_diag_error(diag, c->path, f->line, f->col,
                       "a prediction cannot use an input fitted to the same published quantity "
                       "(case '%s': same source and value): its kind is fitted",
                       t->name);
        rc = -1;
      }
    }
  }
  /* A prediction sharing its scenario with a fitted case whose fit targets the
   * prediction's source. */
  for (size_t i = 0; i < n; i++) {
    const val_case *p = cases[i];
    if (p->evidence != VAL_PREDICTION) continue;
    for (size_t j = 0; j < n; j++) {
      const val_case *f = cases[j];
      if (f->evidence != VAL_FITTED || strcmp(f->scenario, p->scenario)) continue;
      for (size_t k = 0; k < f->n_fits; k++) {
        const val_fit *fit = &f->fits[k];
        const val_case *t = fit->fitted_to[0] == '[' ? NULL : find_case(cases, n, fit->fitted_to);
        const char *target_source = t ? t->source : fit->fitted_to;
        if (!same_source_key(target_source, p->source) || lists_fit(p, fit)) continue;
        sim_diag_error(diag, p->path, p->kind_line, p->kind_col,
                       "a prediction that runs %s, where fitted case '%s' has '%s' fitted to "
                       "'%s' of the same source, lists that input in fitted_inputs",
                       p->scenario, f->name, fit->input, fit->fitted_to);
        rc = -1;
      }
    }
  }
  return rc;
}

/* ---- summary ---- */

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

void val_summarize(val_case *const *cases, const val_outcome *outcomes, const bool *evaluated,
                   size_t n, val_summary *out) {
  memset(out, 0, sizeof *out);
  out->median_abs_error = out->worst_abs_error = NAN;
  double *errs = sim_calloc(n ? n : 1, sizeof *errs);
  size_t m = 0;
  for (size_t i = 0; i < n; i++) {
    const val_case *c = cases[i];
    out->by_evidence[c->evidence]++;
    if (c->evidence != VAL_PREDICTION) continue;
    if (c->qualitative) {
      out->qualitative_predictions++;
      continue;
    }
    double e = fabs(outcomes[i].relative_error);
    if (!evaluated[i] || !isfinite(e)) continue;
    if (!(out->worst_abs_error >= e)) {
      out->worst_abs_error = e;
      out->worst = i;
    }
    if (errs) errs[m] = e;
    m++;
  }
  out->quantitative_predictions = m;
  if (errs && m) {
    qsort(errs, m, sizeof *errs, cmp_double);
    out->median_abs_error = m % 2 ? errs[m / 2] : 0.5 * (errs[m / 2 - 1] + errs[m / 2]);
  }
  sim_free(errs);
}

int val_case_load_text(const char *path, const char *text, size_t len, val_case **out,
                       sim_diag *diag) {
  *out = NULL;
  sim_yaml_node *root = NULL;
  if (sim_yaml_parse(path, text, len, &root, diag) < 0) return -1;
  val_case *c = sim_calloc(1, sizeof *c);
  if (!c || !(c->path = sim_strdup(path))) {
    sim_free(c);
    sim_yaml_free(root);
    sim_diag_error(diag, path, 0, 0, "out of memory");
    return -1;
  }
  sim_schema S;
  sim_schema_init(&S, path, diag);
  int rc = parse_case(&S, root, c);
  sim_yaml_free(root);
  if (rc < 0) {
    val_case_free(c);
    return -1;
  }
  *out = c;
  return 0;
}

int val_case_load(const char *path, val_case **out, sim_diag *diag) {
  *out = NULL;
  FILE *f = fopen(path, "rb");
  if (!f) {
    sim_diag_error(diag, path, 0, 0, "cannot open: %s", strerror(errno));
    return -1;
  }
  char *buf = NULL;
  size_t len = 0, cap = 0;
  for (;;) {
    if (sim_grow((void **)&buf, &cap, len + 4097, 1)) {
      fclose(f);
      sim_free(buf);
      sim_diag_error(diag, path, 0, 0, "out of memory");
      return -1;
    }
    size_t got = fread(buf + len, 1, 4096, f);
    len += got;
    if (got < 4096) break;
  }
  int err = ferror(f);
  fclose(f);
  if (err) {
    sim_free(buf);
    sim_diag_error(diag, path, 0, 0, "read error");
    return -1;
  }
  buf[len] = '\0';
  int rc = val_case_load_text(path, buf, len, out, diag);
  sim_free(buf);
  return rc;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int val_case_files(const char *dir, char ***files, size_t *n) {
  *files = NULL;
  *n = 0;
  DIR *d = opendir(dir);
  if (!d) return -1;
  char **v = NULL;
  size_t cap = 0, k = 0;
  struct dirent *e;
  int rc = 0;
  while ((e = readdir(d))) {
    size_t len = strlen(e->d_name);
    if (len <= 5 || strcmp(e->d_name + len - 5, ".yaml") || e->d_name[0] == '.') continue;
    char p[4096];
    int w = snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
    if (w < 0 || (size_t)w >= sizeof p) continue; /* a path too long to open */
    if (sim_grow((void **)&v, &cap, k + 1, sizeof *v) || !(v[k] = sim_strdup(p))) {
      rc = -1;
      break;
    }
    k++;
  }
  closedir(d);
  if (k) qsort(v, k, sizeof *v, cmp_str);
  *files = v;
  *n = k;
  return rc;
}

void val_case_files_free(char **files, size_t n) {
  for (size_t i = 0; i < n; i++) sim_free(files[i]);
  sim_free(files);
}

/* ---- evaluation ---- */

static int read_value(sim_result *r, const val_ref *ref, const char *row, double *out,
                      const char *case_path, sim_diag *d) {
  char **keys = NULL;
  double *vals = NULL;
  size_t nk = 0, nv = 0;
  if (sim_result_column_str(r, ref->table, ref->key, &keys, &nk) < 0) {
    sim_diag_error(d, case_path, 0, 0, "%s: no string column '%s' in table '%s'",
                   sim_result_path(r), ref->key, ref->table);
    return -1;
  }
  if (sim_result_column_f64(r, ref->table, ref->column, &vals, &nv) < 0 || nv != nk) {
    sim_diag_error(d, case_path, 0, 0, "%s: no numeric column '%s' in table '%s'",
                   sim_result_path(r), ref->column, ref->table);
    sim_result_free_strings(keys, nk);
    sim_free(vals);
    return -1;
  }
  int rc = -1;
  for (size_t i = 0; i < nk; i++)
    if (!strcmp(keys[i], row)) {
      *out = vals[i];
      rc = 0;
      break;
    }
  if (rc < 0)
    sim_diag_error(d, case_path, 0, 0, "%s: table '%s' has no row with %s = '%s'",
                   sim_result_path(r), ref->table, ref->key, row);
  sim_result_free_strings(keys, nk);
  sim_free(vals);
  return rc;
}

/* The case's quantity for `row` (its divisor applied). */
static int quantity(const val_case *c, sim_result *r, const char *row, double *out, sim_diag *d) {
  double v;
  if (read_value(r, &c->quantity, row, &v, c->path, d) < 0) return -1;
  if (c->has_divisor) {
    double w;
    const char *drow = c->divisor.row && c->kind != VAL_ORDER ? c->divisor.row : row;
    if (read_value(r, &c->divisor, drow, &w, c->path, d) < 0) return -1;
    v = w != 0 ? v / w : NAN;
  }
  *out = v;
  return 0;
}

/* Judges one value (the mean of the runs' values) against the published
 * value or range. */
static void judge_value(const val_case *c, double v, val_outcome *out) {
  out->simulated = v;
  out->error_relative = c->tol_rel > 0 || (c->tol_abs == 0 && c->kind == VAL_VALUE);
  if (c->kind == VAL_RANGE) {
    double dist = v < c->published ? v - c->published : v > c->published_max ? v - c->published_max : 0;
    double ref = v < c->published ? c->published : c->published_max;
    out->relative_error = ref != 0 ? dist / fabs(ref) : NAN;
    out->error = out->error_relative ? (ref != 0 ? dist / fabs(ref) : INFINITY) : dist;
    double tol = out->error_relative ? c->tol_rel : c->tol_abs;
    out->pass = isfinite(v) && fabs(out->error) <= tol;
    return;
  }
  double diff = v - c->published;
  out->relative_error = c->published != 0 ? diff / fabs(c->published) : NAN;
  if (out->error_relative) {
    out->error = c->published != 0 ? diff / fabs(c->published) : (diff == 0 ? 0 : INFINITY);
    out->pass = isfinite(v) && fabs(out->error) <= c->tol_rel;
  } else {
    out->error = diff;
    out->pass = isfinite(v) && fabs(diff) <= c->tol_abs;
  }
}

static void judge_order(const val_case *c, const double *v, val_outcome *out) {
  size_t in_order = 0, used = 0;
  out->pass = true;
  for (size_t i = 0; i < c->n_order; i++) {
    if (i > 0) {
      if (v[i] > v[i - 1]) in_order++;
      else out->pass = false;
    }
    int w = snprintf(out->detail + used, sizeof out->detail - used, "%s%.3g", i ? " < " : "", v[i]);
    if (w > 0 && (size_t)w < sizeof out->detail - used) used += (size_t)w;
  }
  out->simulated = (double)in_order / (double)(c->n_order - 1);
  out->relative_error = NAN;
}

int val_little_check(sim_result *r, val_little *acc, const char *case_path, sim_diag *diag) {
  static const char table[] = "summary/requests";
  if (sim_result_has(r, table) <= 0) return 0;
  char **names = NULL;
  double *l = NULL, *lw = NULL;
  size_t nn = 0, nl = 0, nlw = 0;
  int rc = -1;
  if (sim_result_column_str(r, table, "name", &names, &nn) < 0 ||
      sim_result_column_f64(r, table, "mean_in_system", &l, &nl) < 0 ||
      sim_result_column_f64(r, table, "little_lambda_w", &lw, &nlw) < 0 || nl != nn || nlw != nn) {
    sim_diag_error(diag, case_path, 0, 0,
                   "%s: table '%s' lacks name, mean_in_system or little_lambda_w",
                   sim_result_path(r), table);
    goto done;
  }
  for (size_t i = 0; i < nn; i++) {
    /* computed here from L and lambda W, not read from the result's own
     * little_error, so that the check does not rest on what it checks */
    double e = lw[i] != 0 ? l[i] / lw[i] - 1 : (l[i] == 0 ? 0 : INFINITY);
    if (isnan(e)) e = INFINITY; /* no completed request: W unknown, the law unchecked */
    acc->guests++;
    if (!acc->worst_guest[0] || fabs(e) > fabs(acc->worst)) {
      acc->worst = e;
      snprintf(acc->worst_guest, sizeof acc->worst_guest, "%s", names[i]);
    }
  }
  rc = 0;
done:
  sim_result_free_strings(names, nn);
  sim_free(l);
  sim_free(lw);
  return rc;
}

bool val_little_holds(const val_little *l) {
  return fabs(l->worst) <= VAL_LITTLE_TOLERANCE;
}

int val_case_evaluate(const val_case *c, sim_result *const *runs, size_t n_runs,
                      val_outcome *out, sim_diag *diag) {
  memset(out, 0, sizeof *out);
  assert(n_runs >= 1 && (n_runs == 1 || c->kind == VAL_VALUE));
  out->runs = n_runs;
  out->ci_low = out->ci_high = NAN;
  out->ci_covers = true;
  for (size_t k = 0; k < n_runs; k++)
    if (val_little_check(runs[k], &out->little, c->path, diag) < 0) return -1;
  if (c->kind == VAL_ORDER) {
    double *v = sim_calloc(c->n_order, sizeof *v);
    if (!v) {
      sim_diag_error(diag, c->path, 0, 0, "out of memory");
      return -1;
    }
    for (size_t i = 0; i < c->n_order; i++)
      if (quantity(c, runs[0], c->order[i], &v[i], diag) < 0) {
        sim_free(v);
        return -1;
      }
    judge_order(c, v, out);
    sim_free(v);
  } else {
    /* the mean and the sample variance in one pass (Welford), so that close
     * values lose no digits */
    double mean = 0, m2 = 0;
    for (size_t k = 0; k < n_runs; k++) {
      double v;
      if (quantity(c, runs[k], c->quantity.row, &v, diag) < 0) return -1;
      double d = v - mean;
      mean += d / (double)(k + 1);
      m2 += d * (v - mean);
    }
    judge_value(c, mean, out);
    if (n_runs >= 2) {
      double half = gsl_cdf_tdist_Pinv(0.975, (double)(n_runs - 1)) *
                    sqrt(m2 / (double)(n_runs - 1)) / sqrt((double)n_runs);
      out->ci_low = mean - half;
      out->ci_high = mean + half;
      out->ci_covers = out->ci_low <= c->published && c->published <= out->ci_high;
      out->pass = out->pass && out->ci_covers;
    }
  }
  if (!val_little_holds(&out->little)) out->pass = false;
  return 0;
}

/* ---- running ---- */

typedef struct val_run {
  char *scenario;    /* scenario path as the case gives it */
  uint32_t run_index; /* simulation.run_index of the run */
  char *h5;          /* result file in the runner's directory; NULL when the run failed */
  val_little little; /* Little's law over the run's request-driven guests */
} val_run;

struct val_runner {
  char *source_dir;  /* tree the scenario paths are relative to */
  sim_data_path data; /* where shipped profiles and workloads are found */
  char *tmpdir;      /* temporary directory of the results */
  val_run *runs;     /* scenarios run so far */
  size_t n_runs, cap_runs; /* count, capacity */
};

val_runner *val_runner_new(const char *source_dir, const sim_data_path *data, sim_diag *diag) {
  val_runner *vr = sim_calloc(1, sizeof *vr);
  if (vr) vr->data = *data;
  const char *base = getenv("TMPDIR");
  if (!base || !*base) base = "/tmp";
  char tmpl[4096];
  snprintf(tmpl, sizeof tmpl, "%s/vdcsim-validate-XXXXXX", base);
  if (!vr || !(vr->source_dir = sim_strdup(source_dir))) {
    sim_free(vr);
    sim_diag_error(diag, NULL, 0, 0, "out of memory");
    return NULL;
  }
  if (!mkdtemp(tmpl)) {
    sim_diag_error(diag, NULL, 0, 0, "cannot create a temporary directory under %s: %s", base,
                   strerror(errno));
    val_runner_free(vr);
    return NULL;
  }
  if (!(vr->tmpdir = sim_strdup(tmpl))) {
    rmdir(tmpl);
    sim_diag_error(diag, NULL, 0, 0, "out of memory");
    val_runner_free(vr);
    return NULL;
  }
  return vr;
}

void val_runner_free(val_runner *vr) {
  if (!vr) return;
  for (size_t i = 0; i < vr->n_runs; i++) {
    if (vr->runs[i].h5) remove(vr->runs[i].h5);
    sim_free(vr->runs[i].h5);
    sim_free(vr->runs[i].scenario);
  }
  sim_free(vr->runs);
  if (vr->tmpdir) rmdir(vr->tmpdir);
  sim_free(vr->tmpdir);
  sim_free(vr->source_dir);
  sim_free(vr);
}

/* The run of the case's scenario with this run index, made when no case
 * made it before.  NULL with diagnostics when it could not be run. */
static const val_run *scenario_run(val_runner *vr, const val_case *c, uint32_t run_index,
                                   sim_diag *diag) {
  val_run *run = NULL;
  for (size_t i = 0; i < vr->n_runs && !run; i++)
    if (vr->runs[i].run_index == run_index && !strcmp(vr->runs[i].scenario, c->scenario))
      run = &vr->runs[i];
  if (!run) {
    if (sim_grow((void **)&vr->runs, &vr->cap_runs, vr->n_runs + 1, sizeof *vr->runs)) {
      sim_diag_error(diag, c->path, 0, 0, "out of memory");
      return NULL;
    }
    run = &vr->runs[vr->n_runs];
    memset(run, 0, sizeof *run);
    run->run_index = run_index;
    if (!(run->scenario = sim_strdup(c->scenario))) {
      sim_diag_error(diag, c->path, 0, 0, "out of memory");
      return NULL;
    }
    vr->n_runs++;
    char path[4096], h5[4096], index[16];
    if (c->scenario[0] == '/') snprintf(path, sizeof path, "%s", c->scenario);
    else snprintf(path, sizeof path, "%s/%s", vr->source_dir, c->scenario);
    snprintf(h5, sizeof h5, "%s/run%zu.h5", vr->tmpdir, vr->n_runs);
    snprintf(index, sizeof index, "%" PRIu32, run_index);
    /* the replications of `vdcsim run --replications`: run index 0..N-1 */
    const sim_override run_override = {"simulation.run_index", index};
    /* Cases read summary tables: series and events are not kept, so the run
     * stays fast whatever the scenario records. */
    run_request req = {.scenario_path = path, .data_path = &vr->data, .output = h5,
                       .overrides = &run_override, .n_overrides = 1, .summary_only = true};
    run_result res;
    if (run_scenario(&req, &res, diag) == 0) {
      sim_result *r = NULL;
      if (!(run->h5 = sim_strdup(h5))) {
        remove(h5);
        sim_diag_error(diag, c->path, 0, 0, "out of memory");
      } else if (sim_result_open(h5, &r, diag) < 0 ||
                 val_little_check(r, &run->little, c->path, diag) < 0) {
        memset(&run->little, 0, sizeof run->little);
      }
      sim_result_close(r);
    }
  }
  if (!run->h5) {
    sim_diag_error(diag, c->path, 0, 0, "scenario %s did not run (run index %" PRIu32 ")",
                   c->scenario, run_index);
    return NULL;
  }
  return run;
}

int val_runner_run(val_runner *vr, const val_case *c, val_outcome *out, sim_diag *diag) {
  memset(out, 0, sizeof *out);
  sim_result **results = sim_calloc(c->replications, sizeof *results);
  if (!results) {
    sim_diag_error(diag, c->path, 0, 0, "out of memory");
    return -1;
  }
  int rc = 0;
  for (uint32_t k = 0; k < c->replications && rc == 0; k++) {
    const val_run *run = scenario_run(vr, c, k, diag);
    if (!run || sim_result_open(run->h5, &results[k], diag) < 0) rc = -1;
  }
  if (rc == 0) rc = val_case_evaluate(c, results, c->replications, out, diag);
  for (uint32_t k = 0; k < c->replications; k++) sim_result_close(results[k]);
  sim_free(results);
  return rc;
}

void val_runner_little(const val_runner *vr, val_little *out, size_t *runs) {
  memset(out, 0, sizeof *out);
  *runs = 0;
  for (size_t i = 0; i < vr->n_runs; i++) {
    const val_little *l = &vr->runs[i].little;
    if (!l->guests) continue;
    (*runs)++;
    out->guests += l->guests;
    if (!out->worst_guest[0] || fabs(l->worst) > fabs(out->worst)) {
      out->worst = l->worst;
      memcpy(out->worst_guest, l->worst_guest, sizeof out->worst_guest);
    }
  }
}
