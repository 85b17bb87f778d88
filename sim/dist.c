/* sim/dist.c: distributions of a quantity: parsing, sampling, moments and
 * CDFs (see dist.h).  Sampling uses GSL's generators (gsl_ran_*) on the
 * caller's stream; moments and CDFs are closed forms (gsl_sf, gsl_cdf).
 * Units: parameters in the canonical unit of the distribution's kind. */
#include "sim/dist.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_gamma.h>

#include "sim/alloc.h"
#include "sim/profile.h"

const char *const sim_dist_family_names[SIM_DIST_FAMILIES] = {
    "deterministic", "exponential", "uniform", "normal",   "lognormal",
    "gamma",         "weibull",     "pareto",  "empirical"};

sim_dist sim_dist_constant(sim_unit_kind kind, double value) {
  sim_dist d;
  memset(&d, 0, sizeof d);
  d.family = SIM_DIST_DETERMINISTIC;
  d.kind = kind;
  d.a = value;
  return d;
}

/* ---- parsing ---- */

static const char *kind_expected(sim_unit_kind kind) {
  switch (kind) {
    case SIM_UNIT_TIME: return "a time such as \"2 ms\"";
    case SIM_UNIT_SIZE: return "a size such as \"4 KiB\" or a number of bytes";
    default: return "a number (SI suffixes allowed)";
  }
}

/* The text t as a value of kind, canonical unit; 0 or -1 with err. */
static int parse_value(const char *t, sim_unit_kind kind, double *out, char *err, size_t errlen) {
  if (kind == SIM_UNIT_TIME) {
    sim_quantity q;
    if (sim_quantity_parse(t, &q, err, errlen) < 0) return -1;
    if (q.kind != SIM_UNIT_TIME) {
      snprintf(err, errlen, "found \"%s\" (a %s)", t, sim_unit_kind_name(q.kind));
      return -1;
    }
    *out = q.value;
    return 0;
  }
  if (kind == SIM_UNIT_SIZE) {
    sim_quantity q;
    if (sim_quantity_parse(t, &q, err, errlen) < 0) return -1;
    if (q.kind != SIM_UNIT_SIZE && q.kind != SIM_UNIT_NONE) {
      snprintf(err, errlen, "found \"%s\" (a %s)", t, sim_unit_kind_name(q.kind));
      return -1;
    }
    *out = q.value;
    return 0;
  }
  return sim_parse_count(t, out, err, errlen);
}

/* A parameter `key` of map with the distribution's unit; false when absent
 * (an error when `need`) or wrong. */
static bool param_value(sim_schema *S, const sim_yaml_node *map, const char *key, sim_unit_kind kind,
                        bool need, double *out) {
  const sim_yaml_node *v = need ? sim_schema_need(S, map, key) : sim_schema_opt(map, key);
  if (!v) return false;
  const char *t = sim_schema_scalar(S, v, key, kind_expected(kind));
  if (!t) return false;
  char e[300];
  if (parse_value(t, kind, out, e, sizeof e) < 0) {
    sim_schema_error(S, v, "'%s' in %s: expected %s, %s", key, S->what, kind_expected(kind), e);
    return false;
  }
  return true;
}

/* A plain number parameter (shape, alpha, mu, sigma) in [lo, inf), or
 * (lo, inf) when `open`. */
static bool param_plain(sim_schema *S, const sim_yaml_node *map, const char *key, double lo, bool open,
                        bool allow_negative, double *out) {
  const sim_yaml_node *v = sim_schema_need(S, map, key);
  if (!v) return false;
  const char *t = sim_schema_scalar(S, v, key, "a number");
  if (!t) return false;
  char *end = NULL;
  errno = 0;
  double x = strtod(t, &end);
  if (end == t || *end || errno || !isfinite(x)) {
    sim_schema_error(S, v, "'%s' in %s: expected a number, found \"%s\"", key, S->what, t);
    return false;
  }
  if (!allow_negative && (open ? !(x > lo) : !(x >= lo))) {
    sim_schema_error(S, v, "'%s' in %s: expected a number %s %g, found %s", key, S->what,
                     open ? ">" : ">=", lo, t);
    return false;
  }
  *out = x;
  return true;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int sim_dist_read_values(sim_schema *S, const sim_yaml_node *at, const char *path, double scale,
                         double **values, size_t *n) {
  *values = NULL;
  *n = 0;
  struct stat st;
  if (stat(path, &st) != 0) {
    sim_schema_error(S, at, "samples file '%s' of %s cannot be read: %s", path, S->what, strerror(errno));
    return -1;
  }
  if (!S_ISREG(st.st_mode)) {
    sim_schema_error(S, at, "samples file '%s' of %s is not a regular file", path, S->what);
    return -1;
  }
  char *text = NULL;
  size_t len = 0;
  char e[400];
  if (sim_read_file(path, &text, &len, e, sizeof e) < 0) {
    sim_schema_error(S, at, "samples file '%s' of %s cannot be read: %s", path, S->what, e);
    return -1;
  }
  size_t cap = 0;
  double *v = NULL;
  int line = 0, rc = 0;
  for (char *p = text; p && *p && rc == 0;) {
    char *nl = strchr(p, '\n');
    if (nl) *nl = '\0';
    line++;
    char *s = p;
    while (*s == ' ' || *s == '\t' || *s == '\r') s++;
    size_t l = strlen(s);
    while (l && (s[l - 1] == ' ' || s[l - 1] == '\t' || s[l - 1] == '\r')) s[--l] = '\0';
    if (*s && *s != '#') {
      char *end = NULL;
      errno = 0;
      double x = strtod(s, &end);
      if (end == s || *end || errno || !isfinite(x) || x < 0) {
        sim_diag_error(S->diag, path, line, (int)(s - p) + 1,
                       "expected a number >= 0 (one value per line), found \"%.60s\"", s);
        rc = -1;
      } else if (sim_grow((void **)&v, &cap, *n + 1, sizeof *v) < 0) {
        sim_schema_nomem(S);
        rc = -1;
      } else {
        v[(*n)++] = x * scale;
      }
    }
    p = nl ? nl + 1 : NULL;
  }
  sim_free(text);
  if (rc == 0 && *n == 0) {
    sim_schema_error(S, at, "samples file '%s' of %s holds no value", path, S->what);
    rc = -1;
  }
  if (rc < 0) {
    sim_free(v);
    *n = 0;
    return -1;
  }
  *values = v;
  return 0;
}

/* empirical {cdf: [[v, p], ...]}: values non-decreasing, p non-decreasing
 * in [0, 1], ending at 1. */
static bool parse_cdf(sim_schema *S, const sim_yaml_node *cdf, sim_unit_kind kind, sim_dist *d) {
  if (!sim_schema_is_seq(S, cdf, "a CDF [[value, probability], ...]")) return false;
  if (cdf->n == 0) {
    sim_schema_error(S, cdf, "'cdf' in %s is empty; expected [[value, probability], ...] ending at 1", S->what);
    return false;
  }
  d->values = sim_calloc(cdf->n, sizeof *d->values);
  d->probs = sim_calloc(cdf->n, sizeof *d->probs);
  if (!d->values || !d->probs) {
    sim_schema_nomem(S);
    return false;
  }
  d->n = cdf->n;
  bool ok = true;
  for (size_t i = 0; i < cdf->n && ok; i++) {
    const sim_yaml_node *pt = cdf->items[i];
    if (pt->kind != SIM_YAML_SEQ || pt->n != 2 || pt->items[0]->kind != SIM_YAML_SCALAR ||
        pt->items[1]->kind != SIM_YAML_SCALAR) {
      sim_schema_error(S, pt, "point %zu of 'cdf' in %s: expected [value, probability]", i, S->what);
      return false;
    }
    char e[300];
    if (parse_value(pt->items[0]->text, kind, &d->values[i], e, sizeof e) < 0) {
      sim_schema_error(S, pt->items[0], "value of point %zu of 'cdf' in %s: expected %s, %s", i, S->what,
                       kind_expected(kind), e);
      return false;
    }
    char *end = NULL;
    double p = strtod(pt->items[1]->text, &end);
    if (end == pt->items[1]->text || *end || !(p >= 0 && p <= 1)) {
      sim_schema_error(S, pt->items[1], "probability of point %zu of 'cdf' in %s: expected a number in [0, 1], found \"%s\"",
                       i, S->what, pt->items[1]->text);
      return false;
    }
    d->probs[i] = p;
    if (i > 0 && d->values[i] < d->values[i - 1]) {
      sim_schema_error(S, pt->items[0], "'cdf' in %s: values must not decrease (point %zu is below point %zu)",
                       S->what, i, i - 1);
      ok = false;
    } else if (i > 0 && p < d->probs[i - 1]) {
      sim_schema_error(S, pt->items[1], "'cdf' in %s does not rise: the probability of point %zu is below that of point %zu",
                       S->what, i, i - 1);
      ok = false;
    }
  }
  if (ok && fabs(d->probs[d->n - 1] - 1) > 1e-9) {
    sim_schema_error(S, cdf->items[cdf->n - 1], "'cdf' in %s ends at %g; a CDF must end at probability 1",
                     S->what, d->probs[d->n - 1]);
    ok = false;
  }
  if (ok) d->probs[d->n - 1] = 1;
  return ok;
}

/* empirical {samples: FILE, unit: U}: the unit's factor from "1 U". */
static bool parse_samples(sim_schema *S, const sim_yaml_node *m, sim_unit_kind kind, const char *dir,
                          sim_dist *d) {
  double scale = 1;
  const sim_yaml_node *u = kind == SIM_UNIT_NONE ? sim_schema_opt(m, "unit") : sim_schema_need(S, m, "unit");
  if (u) {
    const char *t = sim_schema_scalar(S, u, "unit", "a unit such as \"ms\" or \"KiB\"");
    if (!t) return false;
    char one[80], e[300];
    snprintf(one, sizeof one, "1 %.60s", t);
    if (parse_value(one, kind, &scale, e, sizeof e) < 0 || !(scale > 0)) {
      sim_schema_error(S, u, "'unit' in %s: expected a unit of %s, found \"%s\"", S->what,
                       kind_expected(kind), t);
      return false;
    }
  }
  const sim_yaml_node *f = sim_schema_need(S, m, "samples");
  const char *t = f ? sim_schema_scalar(S, f, "samples", "a path") : NULL;
  if (!t) return false;
  size_t dl = dir && *dir && t[0] != '/' ? strlen(dir) + 1 : 0;
  char *path = sim_malloc(dl + strlen(t) + 1);
  if (!path) {
    sim_schema_nomem(S);
    return false;
  }
  if (dl)
    sprintf(path, "%s/%s", dir, t);
  else
    strcpy(path, t);
  int rc = sim_dist_read_values(S, f, path, scale, &d->values, &d->n);
  if (rc < 0) {
    sim_free(path);
    return false;
  }
  d->samples_path = path;
  if (u && !(d->samples_unit = sim_schema_strdup(S, u->text))) return false;
  qsort(d->values, d->n, sizeof *d->values, cmp_double);
  return true;
}

bool sim_dist_parse_node(sim_schema *S, const sim_yaml_node *v, const char *key, sim_unit_kind kind,
                         const char *dir, sim_dist *out) {
  sim_dist d;
  memset(&d, 0, sizeof d);
  d.kind = kind;
  if (v->kind == SIM_YAML_SCALAR) {
    char e[300];
    if (parse_value(v->text, kind, &d.a, e, sizeof e) < 0) {
      sim_schema_error(S, v, "'%s' in %s: expected %s or a distribution {dist: ...}, %s", key, S->what,
                       kind_expected(kind), e);
      return false;
    }
    *out = d;
    return true;
  }
  if (!sim_schema_is_map(S, v, "a quantity or a distribution {dist: FAMILY, ...}")) return false;
  static const sim_schema_names families = {sim_dist_family_names, SIM_DIST_FAMILIES, "distribution"};
  size_t fam;
  if (!sim_schema_need(S, v, "dist") || !sim_schema_enum(S, v, "dist", &families, &fam)) return false;
  d.family = (sim_dist_family)fam;
  char saved[sizeof S->what];
  memcpy(saved, S->what, sizeof saved);
  sim_schema_set_what(S, "the %s distribution of '%.60s' in %.200s", sim_dist_family_names[fam], key, saved);
  bool ok = true;
  switch (d.family) {
    case SIM_DIST_DETERMINISTIC: {
      static const char *const keys[] = {"dist", "value"};
      SIM_SCHEMA_CHECK_KEYS(S, v, keys);
      ok = param_value(S, v, "value", kind, true, &d.a);
      break;
    }
    case SIM_DIST_EXPONENTIAL: {
      static const char *const keys[] = {"dist", "mean"};
      SIM_SCHEMA_CHECK_KEYS(S, v, keys);
      ok = param_value(S, v, "mean", kind, true, &d.a);
      if (ok && !(d.a > 0)) {
        sim_schema_error(S, sim_schema_opt(v, "mean"), "'mean' of %s must be greater than 0", S->what);
        ok = false;
      }
      break;
    }
    case SIM_DIST_UNIFORM: {
      static const char *const keys[] = {"dist", "min", "max"};
      SIM_SCHEMA_CHECK_KEYS(S, v, keys);
      ok = param_value(S, v, "min", kind, true, &d.a);
      ok = param_value(S, v, "max", kind, true, &d.b) && ok; /* both read: each reports its own error */
      if (ok && d.b < d.a) {
        sim_schema_error(S, sim_schema_opt(v, "max"), "'max' of %s is below its 'min'", S->what);
        ok = false;
      }
      break;
    }
    case SIM_DIST_NORMAL: {
      static const char *const keys[] = {"dist", "mean", "sd", "min"};
      SIM_SCHEMA_CHECK_KEYS(S, v, keys);
      ok = param_value(S, v, "mean", kind, true, &d.a);
      ok = param_value(S, v, "sd", kind, true, &d.b) && ok; /* both read: each reports its own error */
      param_value(S, v, "min", kind, false, &d.c);
      /* a truncation point far in the upper tail leaves nothing to draw */
      if (ok && d.b > 0 && (d.c - d.a) / d.b > 8) {
        sim_schema_error(S, sim_schema_opt(v, "min"), "'min' of %s is more than 8 sd above the mean", S->what);
        ok = false;
      }
      break;
    }
    case SIM_DIST_LOGNORMAL: {
      static const char *const keys[] = {"dist", "mean", "sd", "mu", "sigma"};
      SIM_SCHEMA_CHECK_KEYS(S, v, keys);
      bool moments = sim_schema_opt(v, "mean") || sim_schema_opt(v, "sd");
      bool logs = sim_schema_opt(v, "mu") || sim_schema_opt(v, "sigma");
      if (moments == logs) {
        sim_schema_error(S, v, "%s needs either {mean, sd} or {mu, sigma}", S->what);
        ok = false;
      } else if (moments) {
        double mean = 0, sd = 0;
        ok = param_value(S, v, "mean", kind, true, &mean);
        ok = param_value(S, v, "sd", kind, true, &sd) && ok; /* both read: each reports its own error */
        if (ok && !(mean > 0)) {
          sim_schema_error(S, sim_schema_opt(v, "mean"), "'mean' of %s must be greater than 0", S->what);
          ok = false;
        }
        if (ok) {
          d.b = sqrt(log1p(sd * sd / (mean * mean)));
          d.a = log(mean) - d.b * d.b / 2;
        }
      } else {
        ok = param_plain(S, v, "mu", 0, false, true, &d.a);
        ok = param_plain(S, v, "sigma", 0, false, false, &d.b) && ok; /* both read: each reports its own error */
      }
      break;
    }
    case SIM_DIST_GAMMA: {
      static const char *const keys[] = {"dist", "shape", "mean"};
      SIM_SCHEMA_CHECK_KEYS(S, v, keys);
      double mean = 0;
      ok = param_plain(S, v, "shape", 0, true, false, &d.a);
      ok = param_value(S, v, "mean", kind, true, &mean) && ok; /* both read: each reports its own error */
      if (ok) d.b = mean / d.a;
      break;
    }
    case SIM_DIST_WEIBULL: {
      static const char *const keys[] = {"dist", "shape", "scale"};
      SIM_SCHEMA_CHECK_KEYS(S, v, keys);
      ok = param_plain(S, v, "shape", 0, true, false, &d.a);
      ok = param_value(S, v, "scale", kind, true, &d.b) && ok; /* both read: each reports its own error */
      break;
    }
    case SIM_DIST_PARETO: {
      static const char *const keys[] = {"dist", "alpha", "min"};
      SIM_SCHEMA_CHECK_KEYS(S, v, keys);
      ok = param_plain(S, v, "alpha", 1, true, false, &d.a);
      ok = param_value(S, v, "min", kind, true, &d.b) && ok; /* both read: each reports its own error */
      if (ok && !(d.b > 0)) {
        sim_schema_error(S, sim_schema_opt(v, "min"), "'min' of %s must be greater than 0", S->what);
        ok = false;
      }
      break;
    }
    case SIM_DIST_EMPIRICAL: {
      static const char *const keys[] = {"dist", "cdf", "samples", "unit"};
      SIM_SCHEMA_CHECK_KEYS(S, v, keys);
      const sim_yaml_node *cdf = sim_schema_opt(v, "cdf");
      const sim_yaml_node *smp = sim_schema_opt(v, "samples");
      if (!cdf == !smp) {
        sim_schema_error(S, v, "%s needs exactly one of 'cdf' and 'samples'", S->what);
        ok = false;
      } else if (cdf) {
        if (sim_schema_opt(v, "unit")) {
          sim_schema_error(S, sim_schema_opt(v, "unit"), "'unit' in %s applies to 'samples' only; write units in the CDF's values", S->what);
          ok = false;
        }
        ok = ok && parse_cdf(S, cdf, kind, &d);
      } else {
        ok = parse_samples(S, v, kind, dir, &d);
      }
      break;
    }
    case SIM_DIST_FAMILIES: assert(0); break;
  }
  memcpy(S->what, saved, sizeof saved);
  if (!ok) {
    sim_dist_free(&d);
    return false;
  }
  *out = d;
  return true;
}

bool sim_dist_parse(sim_schema *S, const sim_yaml_node *map, const char *key, sim_unit_kind kind,
                    const char *dir, sim_dist *out) {
  const sim_yaml_node *v = sim_schema_opt(map, key);
  return v && sim_dist_parse_node(S, v, key, kind, dir, out);
}

/* ---- sampling and moments ---- */

/* Standard normal density and survival. */
static double phi(double x) { return exp(-x * x / 2) * 0.39894228040143267794; /* 1 / sqrt(2 pi) */ }

double sim_dist_sample(const sim_dist *d, gsl_rng *r) {
  switch (d->family) {
    case SIM_DIST_DETERMINISTIC: return d->a;
    case SIM_DIST_EXPONENTIAL: return gsl_ran_exponential(r, d->a);
    case SIM_DIST_UNIFORM: return d->a + (d->b - d->a) * gsl_rng_uniform(r);
    case SIM_DIST_NORMAL: {
      if (!(d->b > 0)) return fmax(d->a, d->c);
      /* inversion within the truncated range: exact and never loops */
      double lo = gsl_cdf_ugaussian_P((d->c - d->a) / d->b);
      double u = lo + (1 - lo) * gsl_rng_uniform_pos(r);
      double x = d->a + d->b * gsl_cdf_ugaussian_Pinv(u);
      return x < d->c || !isfinite(x) ? d->c : x;
    }
    case SIM_DIST_LOGNORMAL: return gsl_ran_lognormal(r, d->a, d->b);
    case SIM_DIST_GAMMA: return gsl_ran_gamma(r, d->a, d->b);
    case SIM_DIST_WEIBULL: return gsl_ran_weibull(r, d->b, d->a);
    case SIM_DIST_PARETO: return gsl_ran_pareto(r, d->a, d->b);
    case SIM_DIST_EMPIRICAL: {
      double u = gsl_rng_uniform(r);
      if (!d->probs) return d->values[(size_t)(u * (double)d->n)];
      size_t i = 0;
      while (i + 1 < d->n && d->probs[i] <= u) i++;
      if (i == 0) return d->values[0]; /* the atom of probability probs[0] */
      double p0 = d->probs[i - 1], p1 = d->probs[i];
      double f = p1 > p0 ? (u - p0) / (p1 - p0) : 1;
      return d->values[i - 1] + f * (d->values[i] - d->values[i - 1]);
    }
    case SIM_DIST_FAMILIES: break;
  }
  assert(0);
  return 0;
}

/* Mean and variance of the normal truncated below at c. */
static void truncated_normal(const sim_dist *d, double *mean, double *var) {
  if (!(d->b > 0)) {
    *mean = fmax(d->a, d->c);
    *var = 0;
    return;
  }
  double al = (d->c - d->a) / d->b;
  double lambda = phi(al) / gsl_cdf_ugaussian_Q(al);
  *mean = d->a + d->b * lambda;
  *var = d->b * d->b * (1 + al * lambda - lambda * lambda);
}

double sim_dist_mean(const sim_dist *d) {
  double m, v;
  switch (d->family) {
    case SIM_DIST_DETERMINISTIC: return d->a;
    case SIM_DIST_EXPONENTIAL: return d->a;
    case SIM_DIST_UNIFORM: return (d->a + d->b) / 2;
    case SIM_DIST_NORMAL: truncated_normal(d, &m, &v); return m;
    case SIM_DIST_LOGNORMAL: return exp(d->a + d->b * d->b / 2);
    case SIM_DIST_GAMMA: return d->a * d->b;
    case SIM_DIST_WEIBULL: return d->b * gsl_sf_gamma(1 + 1 / d->a);
    case SIM_DIST_PARETO: return d->a * d->b / (d->a - 1);
    case SIM_DIST_EMPIRICAL: {
      double s = 0;
      if (!d->probs) {
        for (size_t i = 0; i < d->n; i++) s += d->values[i];
        return s / (double)d->n;
      }
      s = d->probs[0] * d->values[0];
      for (size_t i = 1; i < d->n; i++)
        s += (d->probs[i] - d->probs[i - 1]) * (d->values[i] + d->values[i - 1]) / 2;
      return s;
    }
    case SIM_DIST_FAMILIES: break;
  }
  assert(0);
  return 0;
}

double sim_dist_variance(const sim_dist *d) {
  double m, v;
  switch (d->family) {
    case SIM_DIST_DETERMINISTIC: return 0;
    case SIM_DIST_EXPONENTIAL: return d->a * d->a;
    case SIM_DIST_UNIFORM: return (d->b - d->a) * (d->b - d->a) / 12;
    case SIM_DIST_NORMAL: truncated_normal(d, &m, &v); return v;
    case SIM_DIST_LOGNORMAL: return expm1(d->b * d->b) * exp(2 * d->a + d->b * d->b);
    case SIM_DIST_GAMMA: return d->a * d->b * d->b;
    case SIM_DIST_WEIBULL: {
      double g1 = gsl_sf_gamma(1 + 1 / d->a), g2 = gsl_sf_gamma(1 + 2 / d->a);
      return d->b * d->b * (g2 - g1 * g1);
    }
    case SIM_DIST_PARETO:
      return d->a > 2 ? d->b * d->b * d->a / ((d->a - 1) * (d->a - 1) * (d->a - 2)) : INFINITY;
    case SIM_DIST_EMPIRICAL: {
      double mean = sim_dist_mean(d), s = 0;
      if (!d->probs) {
        for (size_t i = 0; i < d->n; i++) s += (d->values[i] - mean) * (d->values[i] - mean);
        return s / (double)d->n;
      }
      /* second moment: an atom at values[0], then uniform pieces */
      s = d->probs[0] * d->values[0] * d->values[0];
      for (size_t i = 1; i < d->n; i++) {
        double a = d->values[i - 1], b = d->values[i];
        s += (d->probs[i] - d->probs[i - 1]) * (a * a + a * b + b * b) / 3;
      }
      return s - mean * mean;
    }
    case SIM_DIST_FAMILIES: break;
  }
  assert(0);
  return 0;
}

double sim_dist_cdf(const sim_dist *d, double x) {
  switch (d->family) {
    case SIM_DIST_DETERMINISTIC: return x >= d->a ? 1 : 0;
    case SIM_DIST_EXPONENTIAL: return gsl_cdf_exponential_P(x, d->a);
    case SIM_DIST_UNIFORM:
      return x < d->a ? 0 : x >= d->b ? 1 : d->b > d->a ? (x - d->a) / (d->b - d->a) : 1;
    case SIM_DIST_NORMAL: {
      if (x < d->c) return 0;
      if (!(d->b > 0)) return x >= d->a ? 1 : 0;
      double lo = gsl_cdf_ugaussian_P((d->c - d->a) / d->b);
      return (gsl_cdf_ugaussian_P((x - d->a) / d->b) - lo) / (1 - lo);
    }
    case SIM_DIST_LOGNORMAL: return x <= 0 ? 0 : gsl_cdf_lognormal_P(x, d->a, d->b);
    case SIM_DIST_GAMMA: return gsl_cdf_gamma_P(x, d->a, d->b);
    case SIM_DIST_WEIBULL: return gsl_cdf_weibull_P(x, d->b, d->a);
    case SIM_DIST_PARETO: return gsl_cdf_pareto_P(x, d->a, d->b);
    case SIM_DIST_EMPIRICAL: {
      if (!d->probs) {
        size_t k = 0;
        while (k < d->n && d->values[k] <= x) k++;
        return (double)k / (double)d->n;
      }
      if (x < d->values[0]) return 0;
      for (size_t i = 1; i < d->n; i++)
        if (x < d->values[i])
          return d->probs[i - 1] +
                 (d->probs[i] - d->probs[i - 1]) * (x - d->values[i - 1]) / (d->values[i] - d->values[i - 1]);
      return 1;
    }
    case SIM_DIST_FAMILIES: break;
  }
  assert(0);
  return 0;
}

/* A value of the distribution's kind as text that reads back exactly. */
static void format_value(const sim_dist *d, double v, char *buf, size_t len) {
  const char *unit = d->kind == SIM_UNIT_TIME ? " ns" : d->kind == SIM_UNIT_SIZE ? " B" : "";
  snprintf(buf, len, "%.17g%s", v, unit);
}

static void write_value(sim_yaml_writer *w, const sim_dist *d, const char *key, double v) {
  char buf[64];
  format_value(d, v, buf, sizeof buf);
  sim_yaml_write_kv(w, key, buf);
}

static void write_plain(sim_yaml_writer *w, const char *key, double v) {
  char buf[64];
  snprintf(buf, sizeof buf, "%.17g", v);
  sim_yaml_write_kv(w, key, buf);
}

void sim_dist_write(sim_yaml_writer *w, const sim_dist *d) {
  char buf[64];
  if (d->family == SIM_DIST_DETERMINISTIC) {
    format_value(d, d->a, buf, sizeof buf);
    sim_yaml_write_scalar(w, buf);
    return;
  }
  sim_yaml_write_map_start(w, true);
  sim_yaml_write_kv(w, "dist", sim_dist_family_names[d->family]);
  switch (d->family) {
    case SIM_DIST_EXPONENTIAL: write_value(w, d, "mean", d->a); break;
    case SIM_DIST_UNIFORM:
      write_value(w, d, "min", d->a);
      write_value(w, d, "max", d->b);
      break;
    case SIM_DIST_NORMAL:
      write_value(w, d, "mean", d->a);
      write_value(w, d, "sd", d->b);
      write_value(w, d, "min", d->c);
      break;
    case SIM_DIST_LOGNORMAL:
      write_plain(w, "mu", d->a);
      write_plain(w, "sigma", d->b);
      break;
    case SIM_DIST_GAMMA:
      write_plain(w, "shape", d->a);
      write_value(w, d, "mean", d->a * d->b);
      break;
    case SIM_DIST_WEIBULL:
      write_plain(w, "shape", d->a);
      write_value(w, d, "scale", d->b);
      break;
    case SIM_DIST_PARETO:
      write_plain(w, "alpha", d->a);
      write_value(w, d, "min", d->b);
      break;
    case SIM_DIST_EMPIRICAL:
      if (d->probs) {
        sim_yaml_write_scalar(w, "cdf");
        sim_yaml_write_seq_start(w, true);
        for (size_t i = 0; i < d->n; i++) {
          sim_yaml_write_seq_start(w, true);
          format_value(d, d->values[i], buf, sizeof buf);
          sim_yaml_write_scalar(w, buf);
          snprintf(buf, sizeof buf, "%.17g", d->probs[i]);
          sim_yaml_write_scalar(w, buf);
          sim_yaml_write_seq_end(w);
        }
        sim_yaml_write_seq_end(w);
      } else {
        sim_yaml_write_kv(w, "samples", d->samples_path ? d->samples_path : "");
        if (d->samples_unit) sim_yaml_write_kv(w, "unit", d->samples_unit);
      }
      break;
    case SIM_DIST_DETERMINISTIC:
    case SIM_DIST_FAMILIES: assert(0); break;
  }
  sim_yaml_write_map_end(w);
}

void sim_dist_free(sim_dist *d) {
  sim_free(d->values);
  sim_free(d->probs);
  sim_free(d->samples_path);
  sim_free(d->samples_unit);
  d->samples_path = d->samples_unit = NULL;
  d->values = d->probs = NULL;
  d->n = 0;
}

int sim_parse_per_second(const char *text, double *per_s, char *err, size_t errlen) {
  const char *slash = strchr(text, '/');
  if (!slash) {
    sim_quantity q;
    if (sim_quantity_parse(text, &q, err, errlen) < 0) return -1;
    if (q.kind != SIM_UNIT_FREQ && q.kind != SIM_UNIT_NONE) {
      snprintf(err, errlen, "expected a rate such as \"2000/s\", found \"%s\" (a %s)", text,
               sim_unit_kind_name(q.kind));
      return -1;
    }
    *per_s = q.value;
    return 0;
  }
  char num[64], per[80];
  size_t nl = (size_t)(slash - text);
  if (nl >= sizeof num) nl = sizeof num - 1;
  memcpy(num, text, nl);
  num[nl] = '\0';
  double count;
  sim_time t;
  const char *u = slash + 1;
  while (*u == ' ') u++;
  /* "/s" means per one second; "/10 ms" per ten milliseconds */
  snprintf(per, sizeof per, "%s%.60s", (*u >= '0' && *u <= '9') || *u == '.' ? "" : "1 ", u);
  if (sim_parse_count(num, &count, err, errlen) < 0 || sim_parse_time(per, &t, err, errlen) < 0) return -1;
  if (t <= 0) {
    snprintf(err, errlen, "expected a rate such as \"2000/s\", found \"%s\"", text);
    return -1;
  }
  *per_s = count * 1e9 / (double)t;
  return 0;
}
