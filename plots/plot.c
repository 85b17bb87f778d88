/* plots/plot.c: the plot driver and what the kinds share: opening results,
 * naming what is missing, statistics over replications, layout of title and
 * legend, and the atomic write of the output.
 * Units: pixels for geometry; statistics in the units of the data.
 * Invariants: a kind is drawn on a fresh canvas each attempt, at most twice
 * (legend inside, then legend in a band), so the output never shows a legend
 * over data.
 * Sources: the 95% interval is Student's t (gsl_cdf_tdist_Pinv). */
#include "plots/plot.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plots/plot_internal.h"
#include "sim/alloc.h"

static const struct {
  const char *name;
  int (*draw)(plot_ctx *x);
} kinds[PLOT_KIND_COUNT] = {
    [PLOT_COMPARE] = {"compare", plot_compare},       [PLOT_BREAKDOWN] = {"breakdown", plot_breakdown},
    [PLOT_MIGRATION] = {"migration", plot_migration}, [PLOT_SERIES] = {"series", plot_series},
    [PLOT_CDF] = {"cdf", plot_cdf},                   [PLOT_SWEEP] = {"sweep", plot_sweep},
    [PLOT_LATENCY] = {"latency", plot_latency},       [PLOT_HEATMAP] = {"heatmap", plot_heatmap},
    [PLOT_ENERGY] = {"energy", plot_energy},          [PLOT_TIMELINE] = {"timeline", plot_timeline},
};

int plot_kind_from_name(const char *name, plot_kind *kind) {
  for (int i = 0; i < PLOT_KIND_COUNT; i++)
    if (!strcmp(name, kinds[i].name)) {
      *kind = (plot_kind)i;
      return 0;
    }
  return -1;
}

const char *plot_kind_name(plot_kind kind) { return kinds[kind].name; }

void plot_options_init(plot_options *o) {
  memset(o, 0, sizeof *o);
  o->width = 1600;
  o->height = 1000;
}

static int drawn(plot_kind kind, sim_result *const *runs, size_t n_runs, const plot_options *o,
                 plot_names *techniques, plot_canvas **out, plot_report *report,
                 sim_diag *diag);

int plot_draw(plot_kind kind, sim_result *const *runs, size_t n_runs, const plot_options *o,
              plot_canvas **out, plot_report *report, sim_diag *diag) {
  *out = NULL;
  /* a result left by a run that did not finish is never drawn as if it had */
  for (size_t i = 0; i < n_runs; i++) {
    const char *status = NULL;
    int got = sim_result_attr_text(runs[i], "status", &status);
    if (got < 0) {
      sim_diag_error(diag, NULL, 0, 0, "out of memory");
      return PLOT_ENOMEM;
    }
    if (got == 0 || strcmp(status, "complete")) {
      sim_diag_error(diag, sim_result_path(runs[i]), 0, 0,
                     "not a complete result (status '%s'): its run did not finish; run it again",
                     got ? status : "none");
      return PLOT_EINPUT;
    }
  }
  plot_names techniques;
  if (plot_techniques_read(runs, n_runs, &techniques) < 0) {
    plot_names_free(&techniques);
    sim_diag_error(diag, NULL, 0, 0, "out of memory");
    return PLOT_ENOMEM;
  }
  int rc = drawn(kind, runs, n_runs, o, &techniques, out, report, diag);
  plot_names_free(&techniques);
  return rc;
}

/* plot_draw with the techniques' order read. */
static int drawn(plot_kind kind, sim_result *const *runs, size_t n_runs, const plot_options *o,
                 plot_names *techniques, plot_canvas **out, plot_report *report,
                 sim_diag *diag) {
  for (int band = 0; band < 2; band++) {
    plot_report rep;
    memset(&rep, 0, sizeof rep);
    plot_ctx x;
    memset(&x, 0, sizeof x);
    x.kind = kind;
    x.techniques = techniques;
    x.c = plot_canvas_new(o->width, o->height);
    x.runs = runs;
    x.n_runs = n_runs;
    x.o = o;
    x.band = band;
    x.rep = &rep;
    x.diag = diag;
    if (!x.c) {
      sim_diag_error(diag, NULL, 0, 0, "out of memory");
      return PLOT_ENOMEM;
    }
    int rc = kinds[kind].draw(&x);
    if (rc == PLOT_RETRY_BAND && !band) {
      plot_canvas_free(x.c);
      continue;
    }
    if (rc == 0 && plot_canvas_failed(x.c)) {
      sim_diag_error(diag, NULL, 0, 0, "out of memory");
      rc = PLOT_ENOMEM;
    }
    if (rc < 0) {
      if (rc == PLOT_ENOMEM && !diag->errors) sim_diag_error(diag, NULL, 0, 0, "out of memory");
      plot_canvas_free(x.c);
      return rc;
    }
    rep.legend_band = band;
    rep.text_outside = plot_canvas_text_outside(x.c);
    rep.text_overlaps = plot_canvas_text_overlaps(x.c);
    rep.legend_covers = plot_canvas_legend_covers(x.c);
    if (report) *report = rep;
    *out = x.c;
    return 0;
  }
  return PLOT_EINPUT; /* not reached: the band attempt never retries */
}

int plot_files(plot_kind kind, const char *const *paths, size_t n_paths, const plot_options *o,
               const char *out, plot_report *report, sim_diag *diag) {
  plot_format fmt;
  if (plot_format_from_path(out, &fmt) < 0) {
    sim_diag_error(diag, out, 0, 0, "unknown output format: use .png, .svg or .pdf");
    return PLOT_EINPUT;
  }
  sim_result **runs = sim_calloc(n_paths ? n_paths : 1, sizeof *runs);
  if (!runs) {
    sim_diag_error(diag, NULL, 0, 0, "out of memory");
    return PLOT_ENOMEM;
  }
  int rc = 0;
  for (size_t i = 0; i < n_paths && rc == 0; i++)
    if (sim_result_open(paths[i], &runs[i], diag) < 0) rc = PLOT_EINPUT;
  plot_canvas *c = NULL;
  if (rc == 0) rc = plot_draw(kind, runs, n_paths, o, &c, report, diag);
  if (rc == 0 && plot_canvas_save(c, out, diag) < 0) rc = PLOT_EIO;
  plot_canvas_free(c);
  for (size_t i = 0; i < n_paths; i++)
    if (runs[i]) sim_result_close(runs[i]);
  sim_free(runs);
  return rc;
}

/* ---- reading ---- */

void plot_run_name(sim_result *r, char *buf, size_t size) {
  const char *scenario = NULL;
  if (sim_result_attr_text(r, "scenario_name", &scenario) < 0) scenario = NULL;
  double run;
  int has_run = sim_result_attr_f64(r, "run_index", &run) == 0;
  if (scenario && has_run)
    snprintf(buf, size, "run %.0f of scenario '%s'", run, scenario);
  else if (scenario)
    snprintf(buf, size, "scenario '%s'", scenario);
  else
    snprintf(buf, size, "a run of unknown scenario");
}

int plot_require(plot_ctx *x, sim_result *r, const char *path) {
  if (sim_result_has(r, path) > 0) return 0;
  char who[256];
  plot_run_name(r, who, sizeof who);
  sim_diag_error(x->diag, sim_result_path(r), 0, 0,
                 "no dataset '%s' in this result (written by %s); the %s plot reads it", path,
                 who, plot_kind_name(x->kind));
  return PLOT_EINPUT;
}

static int column_error(plot_ctx *x, sim_result *r, const char *table, const char *col) {
  char who[256];
  plot_run_name(r, who, sizeof who);
  if (sim_result_has(r, table) <= 0)
    sim_diag_error(x->diag, sim_result_path(r), 0, 0,
                   "no dataset '%s' in this result (written by %s)", table, who);
  else
    sim_diag_error(x->diag, sim_result_path(r), 0, 0,
                   "dataset '%s' has no column '%s' (result written by %s)", table, col, who);
  return PLOT_EINPUT;
}

int plot_col_f64(plot_ctx *x, sim_result *r, const char *table, const char *col, double **v,
                 size_t *n) {
  if (sim_result_column_f64(r, table, col, v, n) < 0) return column_error(x, r, table, col);
  return 0;
}

int plot_col_str(plot_ctx *x, sim_result *r, const char *table, const char *col, char ***v,
                 size_t *n) {
  if (sim_result_column_str(r, table, col, v, n) < 0) return column_error(x, r, table, col);
  return 0;
}

const char *plot_title_text(plot_ctx *x, const char *fallback) {
  if (x->o->title) return x->o->title;
  const char *s = NULL;
  if (x->n_runs && sim_result_attr_text(x->runs[0], "scenario_name", &s) < 0) s = NULL;
  return s && *s ? s : fallback;
}

int plot_attr(plot_ctx *x, sim_result *r, const char *name, const char **value) {
  int rc = sim_result_attr_text(r, name, value);
  if (rc >= 0) return rc;
  sim_diag_error(x->diag, sim_result_path(r), 0, 0, "cannot read the root attribute '%s'", name);
  return PLOT_ENOMEM;
}

/* Whether a line of resolved scenario text is one that differs between
 * replications: the seed and the run index. */
static int replication_line(const char *line, size_t len) {
  while (len && (*line == ' ' || *line == '\t')) line++, len--;
  return (len >= 5 && !strncmp(line, "seed:", 5)) || (len >= 10 && !strncmp(line, "run_index:", 10));
}

/* Whether two resolved scenarios are equal apart from seed and run index. */
static int same_but_replication(const char *a, const char *b) {
  for (;;) {
    const char *ea = strchr(a, '\n'), *eb = strchr(b, '\n');
    size_t la = ea ? (size_t)(ea - a) : strlen(a), lb = eb ? (size_t)(eb - b) : strlen(b);
    int skip_a = replication_line(a, la), skip_b = replication_line(b, lb);
    if (skip_a || skip_b) {
      if (skip_a) a = ea ? ea + 1 : a + la;
      if (skip_b) b = eb ? eb + 1 : b + lb;
      continue;
    }
    if (la != lb || strncmp(a, b, la)) return 0;
    if (!ea || !eb) return !ea && !eb;
    a = ea + 1;
    b = eb + 1;
  }
}

int plot_require_replications(plot_ctx *x) {
  static const char *const attrs[] = {"scenario_name", "calibration_name", "scenario_resolved"};
  for (size_t r = 1; r < x->n_runs; r++)
    for (size_t k = 0; k < sizeof attrs / sizeof attrs[0]; k++) {
      const char *a = NULL, *b = NULL;
      if (plot_attr(x, x->runs[0], attrs[k], &a) < 0 || plot_attr(x, x->runs[r], attrs[k], &b) < 0)
        return PLOT_ENOMEM;
      int same = k == 2 ? (!a && !b) || (a && b && same_but_replication(a, b))
                        : (!a && !b) || (a && b && !strcmp(a, b));
      if (same) continue;
      if (k == 2)
        sim_diag_error(x->diag, sim_result_path(x->runs[r]), 0, 0,
                       "not a replication of %s: the resolved scenarios differ in more than "
                       "seed and run_index; the %s plot pools replications of one scenario "
                       "(plot the runs separately)",
                       sim_result_path(x->runs[0]), plot_kind_name(x->kind));
      else
        sim_diag_error(x->diag, sim_result_path(x->runs[r]), 0, 0,
                       "not a replication of %s: %s is '%s' there and '%s' here; the %s plot "
                       "pools replications of one scenario (plot the runs separately)",
                       sim_result_path(x->runs[0]), attrs[k], a ? a : "(none)", b ? b : "(none)",
                       plot_kind_name(x->kind));
      return PLOT_EINPUT;
    }
  return 0;
}

int plot_list_has(const char *list, const char *name) {
  if (!list) return 1;
  size_t len = strlen(name);
  for (const char *p = list; *p;) {
    const char *end = strchr(p, ',');
    size_t n = end ? (size_t)(end - p) : strlen(p);
    if (n == len && !strncmp(p, name, n)) return 1;
    if (!end) break;
    p = end + 1;
  }
  return 0;
}

/* The time each migration's guest resumed at its destination: the
 * migration_switchover events of /events, by the migration's name; NaN
 * where the run kept none. */
int plot_switchovers(plot_ctx *x, sim_result *res, char **names, size_t n, double *at) {
  for (size_t i = 0; i < n; i++) at[i] = NAN;
  if (sim_result_has(res, "events") <= 0) return 0;
  char **types = NULL, **ename = NULL;
  size_t nt = 0, ne = 0, nev = 0, k = 0;
  double *t = NULL, *type = NULL, *ent = NULL;
  int rc = sim_result_table_attr_strings(res, "events", "type_names", &types, &nt);
  if (rc <= 0) return rc < 0 ? PLOT_ENOMEM : 0;
  long sw = -1;
  for (size_t i = 0; i < nt; i++)
    if (!strcmp(types[i], "migration_switchover")) sw = (long)i;
  rc = 0;
  if (sw >= 0 && (rc = plot_col_f64(x, res, "events", "time_ns", &t, &nev)) == 0 &&
      (rc = plot_col_f64(x, res, "events", "type", &type, &k)) == 0 &&
      (rc = plot_col_f64(x, res, "events", "entity", &ent, &k)) == 0)
    rc = plot_col_str(x, res, "entities", "name", &ename, &ne);
  for (size_t i = 0; rc == 0 && sw >= 0 && i < nev && i < k; i++) {
    if ((long)type[i] != sw || ent[i] < 0 || (size_t)ent[i] >= ne) continue;
    for (size_t m = 0; m < n; m++)
      if (!strcmp(names[m], ename[(size_t)ent[i]])) at[m] = t[i] * 1e-9;
  }
  sim_result_free_strings(types, nt);
  if (ename) sim_result_free_strings(ename, ne);
  sim_free(t);
  sim_free(type);
  sim_free(ent);
  return rc;
}

/* ---- statistics ---- */

void plot_mean_ci95(const double *v, size_t n, double *mean, double *half) {
  double m = 0;
  for (size_t i = 0; i < n; i++) m += v[i];
  m = n ? m / (double)n : 0;
  *mean = m;
  *half = 0;
  if (n < 2) return;
  double ss = 0;
  for (size_t i = 0; i < n; i++) ss += (v[i] - m) * (v[i] - m);
  double sd = sqrt(ss / (double)(n - 1));
  *half = gsl_cdf_tdist_Pinv(0.975, (double)(n - 1)) * sd / sqrt((double)n);
}

/* ---- names and vectors ---- */

int plot_names_find(const plot_names *s, const char *name) {
  for (size_t i = 0; i < s->n; i++)
    if (!strcmp(s->names[i], name)) return (int)i;
  return -1;
}

int plot_names_add(plot_names *s, const char *name) {
  int i = plot_names_find(s, name);
  if (i >= 0) return i;
  if (sim_grow((void **)&s->names, &s->cap, s->n + 1, sizeof *s->names) < 0) return -1;
  char *copy = sim_strdup(name);
  if (!copy) return -1;
  s->names[s->n] = copy;
  return (int)s->n++;
}

/* ---- techniques: order and colour ---- */

static int compare_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int plot_techniques_read(sim_result *const *runs, size_t n_runs, plot_names *order) {
  memset(order, 0, sizeof *order);
  const char *listed = NULL;
  for (size_t r = 0; r < n_runs && !listed; r++)
    if (sim_result_attr_text(runs[r], "techniques", &listed) < 0) return PLOT_ENOMEM;
  for (const char *p = listed; p && *p;) {
    const char *end = strchr(p, ',');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    char *name = sim_strndup(p, len);
    int added = name ? plot_names_add(order, name) : -1;
    sim_free(name);
    if (added < 0) return PLOT_ENOMEM;
    p = end ? end + 1 : p + len;
  }
  return 0;
}

int plot_techniques_note(plot_ctx *x, const plot_names *met) {
  plot_names unlisted = {0};
  int rc = 0;
  for (size_t i = 0; i < met->n && rc == 0; i++)
    if (plot_names_find(x->techniques, met->names[i]) < 0 &&
        plot_names_add(&unlisted, met->names[i]) < 0)
      rc = PLOT_ENOMEM;
  if (unlisted.n) qsort(unlisted.names, unlisted.n, sizeof *unlisted.names, compare_str);
  for (size_t i = 0; i < unlisted.n && rc == 0; i++)
    if (plot_names_add(x->techniques, unlisted.names[i]) < 0) rc = PLOT_ENOMEM;
  plot_names_free(&unlisted);
  return rc;
}

size_t plot_technique_rank(const plot_ctx *x, const char *technique) {
  int i = technique ? plot_names_find(x->techniques, technique) : -1;
  return i >= 0 ? (size_t)i : x->techniques->n;
}

plot_rgb plot_technique_colour(const plot_ctx *x, const char *technique) {
  size_t rank = plot_technique_rank(x, technique);
  return plot_technique_palette(rank < x->techniques->n ? rank : PLOT_TECHNIQUE_COLOURS);
}

/* Whether technique a goes after b: by rank (names noted: distinct ranks). */
static int technique_after(const plot_ctx *x, const char *a, const char *b) {
  size_t ra = plot_technique_rank(x, a), rb = plot_technique_rank(x, b);
  return ra > rb;
}

int plot_names_sort_techniques(plot_ctx *x, plot_names *s) {
  if (plot_techniques_note(x, s) < 0) return PLOT_ENOMEM;
  /* a handful of names, and qsort takes no context: insertion sort */
  for (size_t i = 1; i < s->n; i++)
    for (size_t j = i; j > 0 && technique_after(x, s->names[j - 1], s->names[j]); j--) {
      char *t = s->names[j];
      s->names[j] = s->names[j - 1];
      s->names[j - 1] = t;
    }
  return 0;
}

void plot_variant(plot_rgb base, size_t j, plot_rgb *colour, int *dash) {
  *dash = (int)(j % 4);
  switch (j % 3) {
  case 0:
    *colour = base;
    break;
  case 1: /* darker; black has no darker: a dark grey */
    if (base.r + base.g + base.b < 0.05) *colour = (plot_rgb){0.35, 0.35, 0.35};
    else *colour = (plot_rgb){base.r * 0.6, base.g * 0.6, base.b * 0.6};
    break;
  default: /* lighter */
    *colour = (plot_rgb){base.r + (1 - base.r) * 0.45, base.g + (1 - base.g) * 0.45,
                         base.b + (1 - base.b) * 0.45};
  }
}

plot_rgb plot_neutral(size_t i) {
  static const double level[3] = {0.25, 0.45, 0.62};
  double g = level[i % 3];
  return (plot_rgb){g, g, g};
}

void plot_names_free(plot_names *s) {
  for (size_t i = 0; i < s->n; i++) sim_free(s->names[i]);
  sim_free(s->names);
  memset(s, 0, sizeof *s);
}

int plot_vec_push(plot_vec *a, double value) {
  if (sim_grow((void **)&a->v, &a->cap, a->n + 1, sizeof *a->v) < 0) return -1;
  a->v[a->n++] = value;
  return 0;
}

void plot_vec_free(plot_vec *a) {
  sim_free(a->v);
  memset(a, 0, sizeof *a);
}

/* ---- layout ---- */

#define MARGIN 14.0 /* pixels around the whole figure */

plot_box plot_frame(plot_ctx *x, const char *title, const plot_legend_entry *e, size_t n) {
  double w = plot_canvas_width(x->c), h = plot_canvas_height(x->c);
  double y = plot_title(x->c, title);
  if (x->band) {
    double bh = plot_legend_band_height(x->c, w - 2 * MARGIN, e, n);
    plot_legend_band(x->c, MARGIN, y, w - 2 * MARGIN, e, n);
    y += bh;
  }
  return (plot_box){MARGIN, y, w - MARGIN, h - MARGIN};
}

int plot_place_legend(plot_ctx *x, const plot_axes *a, const plot_legend_entry *e, size_t n) {
  if (x->band || n == 0) return 0;
  return plot_legend_inside(x->c, a, e, n) == 0 ? 0 : PLOT_RETRY_BAND;
}

void plot_time_ticks(double t0_s, double t1_s, double *unit_s, const char **name, plot_ticks *t) {
  static const double hour_steps[] = {1, 2, 3, 6, 12, 24, 48}, minute_steps[] = {1, 2, 5, 10, 15, 30};
  double span = t1_s - t0_s;
  const double *steps = NULL;
  size_t n_steps = 0;
  if (span >= 7200) {
    *unit_s = 3600, *name = "h", steps = hour_steps, n_steps = sizeof hour_steps / sizeof *hour_steps;
  } else if (span >= 120) {
    *unit_s = 60, *name = "min", steps = minute_steps, n_steps = sizeof minute_steps / sizeof *minute_steps;
  } else {
    *unit_s = 1, *name = "s";
  }
  double lo = t0_s / *unit_s, hi = t1_s / *unit_s;
  plot_nice_ticks(lo, hi, 7, t);
  if (!steps) return;
  size_t k = 0; /* the first clock step giving at most eight ticks */
  while (k + 1 < n_steps && (hi - lo) / steps[k] > 8) k++;
  double d = steps[k];
  t->lo = floor(lo / d) * d;
  t->hi = ceil(hi / d - 1e-9) * d;
  if (t->hi <= t->lo) t->hi = t->lo + d;
  t->step = d;
  t->decimals = 0;
  t->n = (size_t)floor((t->hi - t->lo) / d + 0.5) + 1;
}

void plot_report_axes(plot_ctx *x, const plot_axes *a) {
  x->rep->area = a->area;
  x->rep->y_zero_px = plot_ax_y(a, 0);
  x->rep->y_px_per_unit = (a->area.y1 - a->area.y0) / (a->ymax - a->ymin);
}

void plot_polyline(plot_ctx *x, const plot_axes *a, const double *xs, const double *ys, size_t n,
                   plot_rgb colour, int dash, double width) {
  cairo_t *cr = plot_canvas_cr(x->c);
  if (n == 0) return;
  cairo_save(cr);
  cairo_rectangle(cr, a->area.x0, a->area.y0, a->area.x1 - a->area.x0, a->area.y1 - a->area.y0);
  cairo_clip(cr);
  /* a non-finite sample (a guest not yet started, a rate of nothing)
   * breaks the line rather than the drawing */
  double px = 0, py = 0;
  int pen = 0; /* a previous finite point to draw from */
  for (size_t i = 0; i < n; i++) {
    if (!isfinite(xs[i]) || !isfinite(ys[i])) {
      pen = 0;
      continue;
    }
    double qx = plot_ax_x(a, xs[i]), qy = plot_ax_y(a, ys[i]);
    if (pen) {
      cairo_line_to(cr, qx, qy);
      plot_mark(x->c, fmin(px, qx) - width, fmin(py, qy) - width, fmax(px, qx) + width,
                fmax(py, qy) + width);
    } else {
      cairo_move_to(cr, qx, qy);
      plot_mark(x->c, qx - width, qy - width, qx + width, qy + width);
    }
    pen = 1;
    px = qx;
    py = qy;
  }
  plot_set_colour(x->c, colour);
  cairo_set_line_width(cr, width);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  plot_set_dash(x->c, dash);
  if (dash % 4 == 2) cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND); /* dots, not slivers */
  cairo_stroke(cr);
  cairo_restore(cr);
  x->rep->lines++;
  for (size_t i = 0; i < x->n_line_styles; i++) {
    plot_rgb o = x->line_colour[i];
    if (x->line_dash[i] % 4 == dash % 4 &&
        fabs(o.r - colour.r) + fabs(o.g - colour.g) + fabs(o.b - colour.b) < 0.02)
      x->rep->style_clashes++;
  }
  if (x->n_line_styles < sizeof x->line_colour / sizeof x->line_colour[0]) {
    x->line_colour[x->n_line_styles] = colour;
    x->line_dash[x->n_line_styles++] = dash;
  }
}
