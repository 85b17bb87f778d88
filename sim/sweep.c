/* sim/sweep.c: a sweep definition to its points (see sweep.h).
 * Axis forms: {path, values: [...]}, {path, from, to, steps, scale} (a
 * linear or logarithmic range), {zip: [axis, ...]} (axes of one length moving
 * together); with `sample: {method, points, seed}` every axis is a range
 * {path, from, to, scale} and the points are a Sobol sequence (GSL
 * gsl_qrng_sobol) or a Latin hypercube (its own random stream, sim/rng.h).
 * Units: a range's ends are quantities of one kind (sim/units.h); generated
 * values are written back as text with their unit and their si value is
 * that text parsed again, so the column is exactly what the run used.
 * Invariants: every point has n_params value slots; the product of the
 * entries' lengths is checked against SIM_SWEEP_MAX_POINTS before anything
 * is expanded. */
#include "sim/sweep.h"

#include <errno.h>
#include <gsl/gsl_qrng.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/alloc.h"
#include "sim/dist.h"
#include "sim/rng.h"

/* One axis as read: its parameter and its values in order. */
typedef struct axis {
  size_t param;            /* index into params */
  size_t n;                /* values */
  sim_sweep_value *values;
  /* a range (sample mode): the ends in the canonical unit, the scale */
  bool range;
  double from, to;
  bool log;
  const sim_yaml_node *node;
} axis;

/* An entry of the cartesian product: one axis, or several zipped. */
typedef struct entry {
  size_t first, n_axes;    /* into axes */
  size_t length;           /* values of each of its axes */
} entry;

typedef struct reader {
  sim_schema *S;
  sim_sweep *sw;
  axis *axes;
  size_t n_axes, cap_axes;
  entry *entries;
  size_t n_entries, cap_entries;
  size_t cap_params;
} reader;

const char *sim_sweep_unit_name(sim_unit_kind kind) {
  switch (kind) {
    case SIM_UNIT_TIME: return "s";
    case SIM_UNIT_SIZE: return "bytes";
    case SIM_UNIT_RATE: return "bit/s";
    case SIM_UNIT_FREQ: return "Hz";
    case SIM_UNIT_CYCLES: return "cycles";
    case SIM_UNIT_NONE:
    case SIM_UNIT_PERCENT: break;
  }
  return "1";
}

/* The canonical value of a quantity in SI: time ns -> s. */
static double to_si(const sim_quantity *q) {
  return q->kind == SIM_UNIT_TIME ? q->value * 1e-9 : q->value;
}

/* Plain numbers and percentages are both ratios or counts: one kind here. */
static sim_unit_kind family(sim_unit_kind k) { return k == SIM_UNIT_PERCENT ? SIM_UNIT_NONE : k; }

/* The parameter of `path`, added when new; SIZE_MAX when out of memory. */
static size_t param_of(reader *R, const char *path, const sim_yaml_node *at, bool *existed) {
  sim_sweep *sw = R->sw;
  for (size_t i = 0; i < sw->n_params; i++)
    if (!strcmp(sw->params[i].path, path)) {
      *existed = true;
      return i;
    }
  *existed = false;
  if (sim_grow((void **)&sw->params, &R->cap_params, sw->n_params + 1, sizeof *sw->params) < 0)
    return SIZE_MAX;
  sim_sweep_param *p = &sw->params[sw->n_params];
  memset(p, 0, sizeof *p);
  if (!(p->path = sim_strdup(path))) return SIZE_MAX;
  p->numeric = true;
  p->line = at->line;
  p->col = at->col;
  /* a parameter's kind is set by its first numeric value */
  p->kind = (sim_unit_kind)-1;
  return sw->n_params++;
}

/* Records the kind of a value of parameter pi; an error when it differs from
 * the kind of the parameter's other values. */
static void note_value(reader *R, size_t pi, sim_sweep_value *v, const sim_yaml_node *at) {
  sim_sweep_param *p = &R->sw->params[pi];
  sim_quantity q;
  char err[200];
  v->si = NAN;
  if (sim_quantity_parse(v->text, &q, err, sizeof err) < 0) {
    /* an event rate such as "2000/s" (arrival rates) is a frequency, in Hz */
    double per_s;
    if (!strchr(v->text, '/') || sim_parse_per_second(v->text, &per_s, err, sizeof err) < 0) {
      p->numeric = false;
      return;
    }
    q = (sim_quantity){.value = per_s, .kind = SIM_UNIT_FREQ};
  }
  v->si = to_si(&q);
  if (p->kind == (sim_unit_kind)-1) {
    p->kind = family(q.kind);
  } else if (family(q.kind) != p->kind) {
    sim_schema_error(R->S, at, "sweep value '%s' of '%s' is a %s, but its other values are of kind %s",
                     v->text, p->path, sim_unit_kind_name(q.kind), sim_unit_kind_name(p->kind));
  }
}

static int set_value(reader *R, sim_sweep_value *v, const char *text, const sim_yaml_node *at) {
  if (!(v->text = sim_strdup(text))) {
    sim_schema_nomem(R->S);
    return -1;
  }
  v->line = at->line;
  v->col = at->col;
  return 0;
}

/* The text of a generated value of a kind, and so its exact si value. */
static void format_value(sim_unit_kind kind, double canonical, char *buf, size_t len) {
  /* 12 significant digits: a log range's 10.000000000000002 Hz is 10 Hz */
  char tmp[48];
  snprintf(tmp, sizeof tmp, "%.12g", canonical);
  canonical = strtod(tmp, NULL);
  if (kind == SIM_UNIT_NONE || kind == SIM_UNIT_PERCENT) {
    snprintf(buf, len, "%.15g", canonical);
    return;
  }
  if (kind == SIM_UNIT_TIME || kind == SIM_UNIT_SIZE) canonical = round(canonical);
  sim_format_quantity(kind, canonical, buf, len);
}

/* A range's end: a quantity; *kind its kind.  -1 on error. */
static int range_end(reader *R, const sim_yaml_node *a, const char *key, double *v, sim_unit_kind *kind) {
  const sim_yaml_node *n = sim_schema_need(R->S, a, key);
  const char *t = n ? sim_schema_scalar(R->S, n, key, "a quantity such as 1 Gbit/s") : NULL;
  if (!t) return -1;
  sim_quantity q;
  char err[200];
  if (sim_quantity_parse(t, &q, err, sizeof err) < 0) {
    sim_schema_error(R->S, n, "'%s' of a sweep range: %s", key, err);
    return -1;
  }
  *v = q.value;
  *kind = family(q.kind);
  return 0;
}

/* Reads one axis map into a new axis; in a sample (`sample`) a range has no
 * steps (the sample draws its values later).  -1 when it could not be read. */
static int read_axis(reader *R, const sim_yaml_node *a, bool sample) {
  sim_schema *S = R->S;
  if (!sim_schema_is_map(S, a, "a sweep axis {path, values} or {path, from, to, steps, scale}"))
    return -1;
  static const char *const keys[] = {"path", "values", "from", "to", "steps", "scale"};
  SIM_SCHEMA_CHECK_KEYS(S, a, keys);
  const sim_yaml_node *pv = sim_schema_need(S, a, "path");
  const char *path = pv ? sim_schema_scalar(S, pv, "path", "a key path such as guests.web.vcpus") : NULL;
  if (!path) return -1;
  const sim_yaml_node *vv = sim_schema_opt(a, "values");
  bool is_range = sim_schema_opt(a, "from") || sim_schema_opt(a, "to");
  if (!vv && !is_range) {
    sim_schema_error(S, a, "sweep axis '%s' needs values: [...] or a range from, to, steps", path);
    return -1;
  }
  if (vv && is_range) {
    sim_schema_error(S, a, "sweep axis '%s' has both values and a range: give one", path);
    return -1;
  }
  if (sample && !is_range) {
    sim_schema_error(S, a, "sweep axis '%s': a sample draws from ranges: give from and to, not values", path);
    return -1;
  }
  bool existed;
  size_t pi = param_of(R, path, pv, &existed);
  if (pi == SIZE_MAX) {
    sim_schema_nomem(S);
    return -1;
  }
  if (existed) {
    sim_schema_error(S, pv, "sweep path '%s' is swept twice", path);
    return -1;
  }
  if (sim_grow((void **)&R->axes, &R->cap_axes, R->n_axes + 1, sizeof *R->axes) < 0) {
    sim_schema_nomem(S);
    return -1;
  }
  axis *ax = &R->axes[R->n_axes];
  memset(ax, 0, sizeof *ax);
  ax->param = pi;
  ax->node = a;
  if (vv) {
    if (!sim_schema_is_seq(S, vv, "a list of values")) return -1;
    if (vv->n == 0) {
      sim_schema_error(S, vv, "sweep axis '%s' has no values", path);
      return -1;
    }
    if (!(ax->values = sim_calloc(vv->n, sizeof *ax->values))) {
      sim_schema_nomem(S);
      return -1;
    }
    R->n_axes++;
    for (size_t k = 0; k < vv->n; k++) {
      const char *t = sim_schema_scalar(S, vv->items[k], "values", "a value");
      if (!t) continue;
      if (set_value(R, &ax->values[ax->n], t, vv->items[k]) < 0) return -1;
      note_value(R, pi, &ax->values[ax->n++], vv->items[k]);
    }
    return 0;
  }
  /* a range */
  sim_unit_kind k_from = SIM_UNIT_NONE, k_to = SIM_UNIT_NONE; /* set by range_end */
  double from = 0, to = 0;
  int bad = range_end(R, a, "from", &from, &k_from) | range_end(R, a, "to", &to, &k_to);
  static const char *const scales[] = {"linear", "log"};
  static const sim_schema_names scale_names = {scales, 2, "scale"};
  size_t scale = 0;
  if (sim_schema_opt(a, "scale") && !sim_schema_enum(S, a, "scale", &scale_names, &scale)) bad = -1;
  if (bad) return -1;
  if (k_from != k_to) {
    sim_schema_error(S, sim_schema_opt(a, "to"), "sweep range of '%s' goes from a %s to a %s: give both ends in one unit kind",
                     path, sim_unit_kind_name(k_from), sim_unit_kind_name(k_to));
    return -1;
  }
  if (scale == 1 && (from <= 0 || to <= 0)) {
    sim_schema_error(S, a, "a log-scale sweep range of '%s' needs both ends above zero", path);
    return -1;
  }
  R->sw->params[pi].kind = k_from;
  ax->range = true;
  ax->from = from;
  ax->to = to;
  ax->log = scale == 1;
  uint32_t steps = 0;
  if (sample) {
    if (sim_schema_opt(a, "steps"))
      sim_schema_error(S, sim_schema_opt(a, "steps"), "sweep axis '%s': a sample sets the points, not steps", path);
    R->n_axes++;
    return 0;
  }
  if (!sim_schema_need(S, a, "steps")) return -1;
  sim_schema_u32(S, a, "steps", 1, SIM_SWEEP_MAX_POINTS, &steps);
  if (steps == 0) return -1;
  if (!(ax->values = sim_calloc(steps, sizeof *ax->values))) {
    sim_schema_nomem(S);
    return -1;
  }
  R->n_axes++;
  for (uint32_t i = 0; i < steps; i++) {
    double f = steps > 1 ? (double)i / (steps - 1) : 0;
    double v = ax->log ? exp(log(from) + f * (log(to) - log(from))) : from + f * (to - from);
    if (i == steps - 1) v = to;
    char text[64];
    format_value(k_from, v, text, sizeof text);
    if (set_value(R, &ax->values[ax->n], text, a) < 0) return -1;
    note_value(R, pi, &ax->values[ax->n++], a);
  }
  return 0;
}

static int add_entry(reader *R, size_t first, size_t n_axes, size_t length) {
  if (sim_grow((void **)&R->entries, &R->cap_entries, R->n_entries + 1, sizeof *R->entries) < 0) {
    sim_schema_nomem(R->S);
    return -1;
  }
  R->entries[R->n_entries++] = (entry){first, n_axes, length};
  return 0;
}

/* One item of axes: an axis, or {zip: [axis, ...]}. */
static int read_entry(reader *R, const sim_yaml_node *e, bool sample) {
  sim_schema *S = R->S;
  const sim_yaml_node *zip = e && e->kind == SIM_YAML_MAP ? sim_yaml_get(e, "zip") : NULL;
  if (!zip) {
    size_t first = R->n_axes;
    if (read_axis(R, e, sample) < 0) return -1;
    return add_entry(R, first, 1, R->axes[first].n);
  }
  if (sample) {
    sim_schema_error(S, e, "a sample draws every axis on its own: zip is not allowed with sample");
    return -1;
  }
  static const char *const keys[] = {"zip"};
  SIM_SCHEMA_CHECK_KEYS(S, e, keys);
  if (!sim_schema_is_seq(S, zip, "a list of axes moving together")) return -1;
  if (zip->n == 0) {
    sim_schema_error(S, zip, "zip needs at least one axis");
    return -1;
  }
  size_t first = R->n_axes;
  for (size_t i = 0; i < zip->n; i++)
    if (read_axis(R, zip->items[i], false) < 0) return -1;
  size_t len = R->axes[first].n;
  for (size_t i = first + 1; i < R->n_axes; i++)
    if (R->axes[i].n != len) {
      sim_schema_error(S, R->axes[i].node,
                       "zipped sweep axes must have one length: '%s' has %zu values, '%s' has %zu",
                       R->sw->params[R->axes[first].param].path, len,
                       R->sw->params[R->axes[i].param].path, R->axes[i].n);
      return -1;
    }
  return add_entry(R, first, R->n_axes - first, len);
}

/* Unit-interval coordinates of n points in d dimensions, row-major, into u. */
static int sample_unit(bool sobol, size_t n, size_t d, uint64_t seed, double *u, sim_schema *S,
                       const sim_yaml_node *at) {
  if (sobol) {
    if (d > 40) {
      sim_schema_error(S, at, "a Sobol sample has at most 40 axes, this one has %zu", d);
      return -1;
    }
    gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)d);
    if (!q) {
      sim_schema_nomem(S);
      return -1;
    }
    for (size_t i = 0; i < n; i++) gsl_qrng_get(q, u + i * d);
    gsl_qrng_free(q);
    return 0;
  }
  /* Latin hypercube: each axis cut into n strata, one point in each, the
   * strata of each axis in a random order */
  gsl_rng *r = sim_rng_new(seed, 0, sim_rng_stream_id("sweep", "latin-hypercube"));
  size_t *perm = sim_malloc(n * sizeof *perm);
  if (!r || !perm) {
    if (r) gsl_rng_free(r);
    sim_free(perm);
    sim_schema_nomem(S);
    return -1;
  }
  for (size_t j = 0; j < d; j++) {
    for (size_t i = 0; i < n; i++) perm[i] = i;
    for (size_t i = n; i > 1; i--) {
      size_t k = gsl_rng_uniform_int(r, (unsigned long)i);
      size_t t = perm[i - 1];
      perm[i - 1] = perm[k];
      perm[k] = t;
    }
    for (size_t i = 0; i < n; i++) u[i * d + j] = (perm[i] + gsl_rng_uniform(r)) / (double)n;
  }
  gsl_rng_free(r);
  sim_free(perm);
  return 0;
}

/* Fills a sample's axes with n values each. */
static int read_sample(reader *R, const sim_yaml_node *smp, uint32_t *n_out) {
  sim_schema *S = R->S;
  if (!sim_schema_is_map(S, smp, "a sample {method, points, seed}")) return -1;
  static const char *const keys[] = {"method", "points", "seed"};
  SIM_SCHEMA_CHECK_KEYS(S, smp, keys);
  static const char *const methods[] = {"sobol", "latin-hypercube"};
  static const sim_schema_names method_names = {methods, 2, "sample method"};
  size_t method = 0;
  uint32_t n = 0;
  uint64_t seed = 1;
  if (!sim_schema_need(S, smp, "method") || !sim_schema_enum(S, smp, "method", &method_names, &method))
    return -1;
  if (!sim_schema_need(S, smp, "points")) return -1;
  sim_schema_u32(S, smp, "points", 1, SIM_SWEEP_MAX_POINTS, &n);
  sim_schema_uint(S, smp, "seed", 0, UINT64_MAX, &seed);
  if (n == 0 || R->n_axes == 0) {
    if (R->n_axes == 0) sim_schema_error(S, smp, "a sample needs range axes to draw from");
    return -1;
  }
  size_t d = R->n_axes;
  double *u = sim_malloc((size_t)n * d * sizeof *u);
  if (!u) {
    sim_schema_nomem(S);
    return -1;
  }
  int rc = sample_unit(method == 0, n, d, seed, u, S, smp);
  for (size_t j = 0; rc == 0 && j < d; j++) {
    axis *ax = &R->axes[j];
    sim_unit_kind kind = R->sw->params[ax->param].kind;
    if (!(ax->values = sim_calloc(n, sizeof *ax->values))) {
      sim_schema_nomem(S);
      rc = -1;
      break;
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
      double f = u[i * d + j];
      double v = ax->log ? exp(log(ax->from) + f * (log(ax->to) - log(ax->from)))
                         : ax->from + f * (ax->to - ax->from);
      char text[64];
      format_value(kind, v, text, sizeof text);
      rc = set_value(R, &ax->values[ax->n], text, ax->node);
      if (rc == 0) note_value(R, ax->param, &ax->values[ax->n++], ax->node);
    }
  }
  sim_free(u);
  *n_out = n;
  return rc;
}

/* Named points: [{name, set: {path: value, ...}}]; appended to sw->points
 * later, their values kept here (n_params may still grow). */
typedef struct named {
  const sim_yaml_node *node;
  const char *name;
} named;

static int read_named(reader *R, const sim_yaml_node *pts) {
  sim_schema *S = R->S;
  if (!sim_schema_is_seq(S, pts, "a list of points {name, set}")) return -1;
  for (size_t i = 0; i < pts->n; i++) {
    const sim_yaml_node *p = pts->items[i];
    sim_schema_set_what(S, "sweep point %zu", i);
    if (!sim_schema_is_map(S, p, "a point {name, set: {PATH: VALUE, ...}}")) return -1;
    static const char *const keys[] = {"name", "set"};
    SIM_SCHEMA_CHECK_KEYS(S, p, keys);
    const sim_yaml_node *nv = sim_schema_need(S, p, "name"), *set = sim_schema_need(S, p, "set");
    if (!nv || !sim_schema_scalar(S, nv, "name", "a point name")) return -1;
    if (!set || !sim_schema_is_map(S, set, "a map {PATH: VALUE, ...}")) return -1;
    for (size_t k = 0; k < set->n; k++) {
      bool existed;
      if (param_of(R, set->pairs[k].key->text, set->pairs[k].key, &existed) == SIZE_MAX) {
        sim_schema_nomem(S);
        return -1;
      }
      if (!sim_schema_scalar(S, set->pairs[k].value, set->pairs[k].key->text, "a value")) return -1;
    }
  }
  return 0;
}

static int expand(reader *R, const sim_yaml_node *pts, uint64_t n_grid) {
  sim_sweep *sw = R->sw;
  size_t n_named = pts ? pts->n : 0;
  sw->points = sim_calloc((size_t)n_grid + n_named, sizeof *sw->points);
  if (!sw->points) {
    sim_schema_nomem(R->S);
    return -1;
  }
  for (uint64_t i = 0; i < n_grid + n_named; i++) {
    sim_sweep_point *p = &sw->points[sw->n_points++];
    p->values = sim_calloc(sw->n_params ? sw->n_params : 1, sizeof *p->values);
    if (!p->values) {
      sim_schema_nomem(R->S);
      return -1;
    }
    for (size_t k = 0; k < sw->n_params; k++) p->values[k].si = NAN;
    if (i < n_grid) {
      p->name = sim_strdup("");
      if (!p->name) {
        sim_schema_nomem(R->S);
        return -1;
      }
      /* mixed radix, last entry fastest */
      uint64_t rest = i;
      for (size_t e = R->n_entries; e-- > 0;) {
        const entry *en = &R->entries[e];
        size_t ix = en->length ? (size_t)(rest % en->length) : 0;
        if (en->length) rest /= en->length;
        for (size_t a = en->first; a < en->first + en->n_axes; a++) {
          const sim_sweep_value *v = &R->axes[a].values[ix];
          sim_sweep_value *dst = &p->values[R->axes[a].param];
          *dst = *v;
          if (!(dst->text = sim_strdup(v->text))) {
            sim_schema_nomem(R->S);
            return -1;
          }
        }
      }
      continue;
    }
    const sim_yaml_node *np = pts->items[i - n_grid];
    const sim_yaml_node *set = sim_yaml_get(np, "set");
    p->name = sim_strdup(sim_yaml_get(np, "name")->text);
    if (!p->name) {
      sim_schema_nomem(R->S);
      return -1;
    }
    for (size_t k = 0; k < set->n; k++) {
      bool existed;
      size_t pi = param_of(R, set->pairs[k].key->text, set->pairs[k].key, &existed);
      if (set_value(R, &p->values[pi], set->pairs[k].value->text, set->pairs[k].value) < 0) return -1;
      note_value(R, pi, &p->values[pi], set->pairs[k].value);
    }
    for (uint64_t j = n_grid; j < i; j++)
      if (!strcmp(sw->points[j].name, p->name))
        sim_schema_error(R->S, sim_yaml_get(np, "name"), "two sweep points are named '%s'", p->name);
  }
  return 0;
}

int sim_sweep_parse(sim_schema *S, const sim_yaml_node *def, sim_sweep **out) {
  *out = NULL;
  sim_diag *d = S->diag;
  size_t errors_before = d->errors;
  reader R = {.S = S};
  sim_sweep *sw = R.sw = sim_calloc(1, sizeof *sw);
  if (!sw) {
    sim_schema_nomem(S);
    return -1;
  }
  sw->replications = 1;
  if (!(sw->file = sim_strdup(S->file ? S->file : ""))) sim_schema_nomem(S);
  int rc = -1;
  if (!sim_schema_is_map(S, def, "a sweep {replications, axes, sample, points}")) goto out;
  sim_schema_set_what(S, "sweep");
  static const char *const keys[] = {"replications", "axes", "sample", "points"};
  SIM_SCHEMA_CHECK_KEYS(S, def, keys);
  sim_schema_u32(S, def, "replications", 1, SIM_SWEEP_MAX_REPLICATIONS, &sw->replications);
  const sim_yaml_node *axes = sim_schema_opt(def, "axes"), *smp = sim_schema_opt(def, "sample"),
                      *pts = sim_schema_opt(def, "points");
  if (axes && !sim_schema_is_seq(S, axes, "a list of axes")) goto out;
  /* the product's size, checked before anything is expanded */
  for (size_t i = 0; axes && i < axes->n && !S->oom; i++) {
    sim_schema_set_what(S, "sweep axis %zu", i);
    if (read_entry(&R, axes->items[i], smp != NULL) < 0) goto out;
  }
  uint64_t n_grid = 1;
  if (smp) {
    uint32_t n = 0;
    if (read_sample(&R, smp, &n) < 0) goto out;
    n_grid = n;
  } else {
    for (size_t e = 0; e < R.n_entries; e++) {
      n_grid *= R.entries[e].length;
      if (n_grid > SIM_SWEEP_MAX_POINTS) {
        sim_schema_error(S, axes, "this sweep has more than %u points", SIM_SWEEP_MAX_POINTS);
        goto out;
      }
    }
    /* named points alone: no grid */
    if (R.n_entries == 0 && pts) n_grid = 0;
  }
  if (smp) {
    /* a sample is one entry: every axis moves with the point index */
    R.entries[0] = (entry){0, R.n_axes, (size_t)n_grid};
    R.n_entries = 1;
  }
  if (pts && read_named(&R, pts) < 0) goto out;
  if (d->errors > errors_before || S->oom) goto out;
  if (expand(&R, pts, n_grid) < 0) goto out;
  for (size_t k = 0; k < sw->n_params; k++)
    if (sw->params[k].kind == (sim_unit_kind)-1) {
      sw->params[k].kind = SIM_UNIT_NONE;
      sw->params[k].numeric = false;
    }
  rc = d->errors > errors_before || S->oom ? -1 : 0;
out:
  for (size_t i = 0; i < R.n_axes; i++) {
    for (size_t k = 0; k < R.axes[i].n; k++) sim_free(R.axes[i].values[k].text);
    sim_free(R.axes[i].values);
  }
  sim_free(R.axes);
  sim_free(R.entries);
  if (rc < 0) {
    sim_sweep_free(sw);
    return -1;
  }
  *out = sw;
  return 0;
}

static char *read_text(const char *path, size_t *len, sim_diag *diag) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    sim_diag_error(diag, path, 0, 0, "cannot open: %s", strerror(errno));
    return NULL;
  }
  char *buf = NULL;
  size_t n = 0, cap = 0;
  for (;;) {
    if (sim_grow((void **)&buf, &cap, n + 4097, 1) < 0) {
      sim_diag_error(diag, path, 0, 0, "out of memory");
      sim_free(buf);
      fclose(f);
      return NULL;
    }
    size_t got = fread(buf + n, 1, 4096, f);
    n += got;
    if (got < 4096) break;
  }
  fclose(f);
  buf[n] = '\0';
  *len = n;
  return buf;
}

bool sim_sweep_is_file(const char *path, int *line, int *col) {
  sim_diag quiet;
  sim_diag_init(&quiet);
  size_t len = 0;
  char *text = read_text(path, &len, &quiet);
  sim_yaml_node *root = NULL;
  const sim_yaml_node *base = text && sim_yaml_parse(path, text, len, &root, &quiet) == 0 && root &&
                                       root->kind == SIM_YAML_MAP
                                   ? sim_yaml_get(root, "base")
                                   : NULL;
  bool is_sweep = base != NULL;
  if (base && line) *line = base->line;
  if (base && col) *col = base->col;
  sim_yaml_free(root);
  sim_free(text);
  sim_diag_clear(&quiet);
  return is_sweep;
}

int sim_sweep_load_file(const char *path, sim_sweep **out, sim_diag *diag) {
  *out = NULL;
  size_t len = 0;
  char *text = read_text(path, &len, diag);
  if (!text) return -1;
  sim_yaml_node *root = NULL;
  int rc = sim_yaml_parse(path, text, len, &root, diag);
  sim_free(text);
  if (rc < 0) return -1;
  sim_schema S;
  sim_schema_init(&S, path, diag);
  rc = -1;
  const sim_yaml_node *base = root && root->kind == SIM_YAML_MAP ? sim_yaml_get(root, "base") : NULL;
  if (!root || root->kind != SIM_YAML_MAP) {
    sim_diag_error(diag, path, 0, 0, "not a scenario with a sweep section, nor a sweep file with base: SCENARIO");
  } else if (base) {
    static const char *const keys[] = {"base", "replications", "axes", "sample", "points"};
    sim_schema_set_what(&S, "sweep file");
    SIM_SCHEMA_CHECK_KEYS(&S, root, keys);
    const char *b = sim_schema_scalar(&S, base, "base", "a scenario file");
    /* the sweep keys only: a copy of the root without base */
    sim_yaml_node def = *root;
    sim_yaml_pair *pairs = sim_malloc(root->n * sizeof *pairs);
    if (b && pairs) {
      def.n = 0;
      for (size_t i = 0; i < root->n; i++)
        if (strcmp(root->pairs[i].key->text, "base")) pairs[def.n++] = root->pairs[i];
      def.pairs = pairs;
      if (sim_sweep_parse(&S, &def, out) == 0) {
        /* relative to the sweep file's directory */
        const char *slash = strrchr(path, '/');
        size_t dl = b[0] != '/' && slash ? (size_t)(slash - path) + 1 : 0;
        char *full = sim_malloc(dl + strlen(b) + 1);
        if (full) {
          memcpy(full, path, dl);
          strcpy(full + dl, b);
          (*out)->base = full;
          rc = 0;
        } else {
          sim_diag_error(diag, path, 0, 0, "out of memory");
          sim_sweep_free(*out);
          *out = NULL;
        }
      }
    } else if (!pairs) {
      sim_diag_error(diag, path, 0, 0, "out of memory");
    }
    sim_free(pairs);
  } else {
    const sim_yaml_node *def = sim_yaml_get(root, "sweep");
    if (!def)
      sim_diag_error(diag, path, 1, 1, "no sweep section: add sweep: {axes: [...]} or write a sweep file with base: SCENARIO");
    else
      rc = sim_sweep_parse(&S, def, out);
  }
  sim_yaml_free(root);
  return rc;
}

void sim_sweep_free(sim_sweep *sw) {
  if (!sw) return;
  for (size_t i = 0; i < sw->n_points; i++) {
    for (size_t k = 0; sw->points[i].values && k < sw->n_params; k++) sim_free(sw->points[i].values[k].text);
    sim_free(sw->points[i].values);
    sim_free(sw->points[i].name);
  }
  sim_free(sw->points);
  for (size_t k = 0; k < sw->n_params; k++) sim_free(sw->params[k].path);
  sim_free(sw->params);
  sim_free(sw->file);
  sim_free(sw->base);
  sim_free(sw);
}

sim_sweep *sim_sweep_replications(uint32_t n) {
  sim_sweep *sw = sim_calloc(1, sizeof *sw);
  if (!sw) return NULL;
  sw->replications = n;
  sw->points = sim_calloc(1, sizeof *sw->points);
  if (sw->points) {
    sw->n_points = 1;
    sw->points[0].name = sim_strdup("");
    sw->points[0].values = sim_calloc(1, sizeof *sw->points[0].values);
  }
  if (!sw->points || !sw->points[0].name || !sw->points[0].values) {
    sim_sweep_free(sw);
    return NULL;
  }
  return sw;
}

uint64_t sim_sweep_runs(const sim_sweep *sw) { return (uint64_t)sw->n_points * sw->replications; }

size_t sim_sweep_point_overrides(const sim_sweep *sw, size_t point, sim_override *ovs) {
  size_t n = 0;
  for (size_t k = 0; k < sw->n_params; k++) {
    const sim_sweep_value *v = &sw->points[point].values[k];
    if (v->text) ovs[n++] = (sim_override){sw->params[k].path, v->text};
  }
  return n;
}

int sim_sweep_parse_shard(const char *text, uint64_t *k, uint64_t *n, char *err, size_t errlen) {
  char *end;
  errno = 0;
  unsigned long long a = strtoull(text, &end, 10);
  if (end == text || *end != '/' || text[0] == '-' || errno) {
    snprintf(err, errlen, "--shard takes K/N (0 <= K < N), not '%s'", text);
    return -1;
  }
  const char *second = end + 1;
  unsigned long long b = strtoull(second, &end, 10);
  if (end == second || *end || second[0] == '-' || errno) {
    snprintf(err, errlen, "--shard takes K/N (0 <= K < N), not '%s'", text);
    return -1;
  }
  if (b == 0 || a >= b) {
    snprintf(err, errlen, "--shard %s: K must be below N (shards are numbered 0 to N-1)", text);
    return -1;
  }
  *k = a;
  *n = b;
  return 0;
}

bool sim_sweep_in_shard(uint64_t run, uint64_t k, uint64_t n) { return run % n == k; }
