/* plots/plot_sweep.c: the sweep kind: a summary metric against a swept
 * parameter.  Two inputs:
 *  - a collected sweep summary (`vdcsim collect`, DATASETS.md "Sweep
 *    summary"): its `points` table gives each point's mean (<metric>_mean)
 *    and 95% interval (<metric>_ci95) of any metric, guest or migration
 *    (--metric migration_downtime_s); x is a swept parameter's column
 *    (--param, default the first swept parameter); one line per value of
 *    --by (default technique: any column of `points`), with its interval as
 *    a shaded band.  An axis whose values are all positive and span a
 *    decade or more is drawn in log10 (its label says so);
 *  - one result per sweep point (older layout), described below.
 * Units: x in the swept parameter's unit (root attribute sweep_unit when
 * present); y in the metric's unit.
 * Invariants: points at the same swept value (replications, several guests
 * of one technique) are averaged, with their 95% t-interval as error bars;
 * lines join points in increasing x.
 * Reads: root attribute <param> (default sweep_value; sweep_param names it),
 * summary/guests (technique, <metric>, default relative_to_native). */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plots/plot_internal.h"
#include "sim/alloc.h"

#define GUESTS "summary/guests"

typedef struct point {
  int tech;  /* index into the technique names */
  double x;  /* swept value */
  double y;  /* metric of one guest row */
} point;

static int cmp_point(const void *a, const void *b) {
  const point *p = a, *q = b;
  if (p->tech != q->tech) return p->tech - q->tech;
  return (p->x > q->x) - (p->x < q->x);
}

#define POINTS "points"

/* One point of a line of the summary mode. */
typedef struct spoint {
  int group;   /* index into the group names */
  double x, y, h; /* x, mean, interval half-width (0: none) */
} spoint;

static int cmp_spoint(const void *a, const void *b) {
  const spoint *p = a, *q = b;
  if (p->group != q->group) return p->group - q->group;
  return (p->x > q->x) - (p->x < q->x);
}

/* Whether values are all positive and span a decade or more: drawn as log10. */
static bool wants_log(const double *v, size_t n, size_t stride) {
  double lo = INFINITY, hi = -INFINITY;
  for (size_t i = 0; i < n; i++) {
    double t = v[i * stride];
    if (!(t > 0)) return false;
    lo = fmin(lo, t);
    hi = fmax(hi, t);
  }
  return n > 1 && hi / lo >= 10;
}

static int plot_sweep_summary(plot_ctx *x, sim_result *res) {
  const char *metric = x->o->metric ? x->o->metric : "relative_to_native";
  const char *by = x->o->by ? x->o->by : "technique";
  char param_buf[256] = "";
  const char *param = x->o->param;
  if (!param) {
    const char *params = sim_result_attr_str(res, "sweep_params");
    snprintf(param_buf, sizeof param_buf, "%.*s", params ? (int)strcspn(params, "\n") : 0, params ? params : "");
    param = param_buf;
  }
  if (!*param) {
    sim_diag_error(x->diag, sim_result_path(res), 0, 0, "this summary sweeps no parameter: name a column with --param");
    return PLOT_EINPUT;
  }
  char mean_col[300], ci_col[300];
  snprintf(mean_col, sizeof mean_col, "%s_mean", metric);
  snprintf(ci_col, sizeof ci_col, "%s_ci95", metric);
  double *xs = NULL, *ms = NULL, *cs = NULL, *gf = NULL;
  char **gs = NULL;
  size_t n = 0, k = 0;
  spoint *pts = NULL;
  plot_names groups = {0};
  plot_legend_entry *e = NULL;
  double *lx = NULL, *ly = NULL;
  int rc = plot_col_f64(x, res, POINTS, param, &xs, &n);
  if (rc == 0) rc = plot_col_f64(x, res, POINTS, mean_col, &ms, &k);
  if (rc == 0) rc = plot_col_f64(x, res, POINTS, ci_col, &cs, &k);
  /* the grouping column: text, or numbers named by their value */
  if (rc == 0 && sim_result_column_str(res, POINTS, by, &gs, &k) < 0) {
    gs = NULL;
    rc = plot_col_f64(x, res, POINTS, by, &gf, &k);
  }
  if (rc) goto out;
  pts = sim_calloc(n ? n : 1, sizeof *pts);
  if (!pts) {
    rc = PLOT_ENOMEM;
    goto out;
  }
  size_t np = 0;
  for (size_t i = 0; i < n; i++) {
    if (!isfinite(xs[i]) || !isfinite(ms[i])) continue;
    char name[64];
    if (gs) snprintf(name, sizeof name, "%s", gs[i]);
    else snprintf(name, sizeof name, "%s = %g", by, gf[i]);
    int g = plot_names_add(&groups, name);
    if (g < 0) {
      rc = PLOT_ENOMEM;
      goto out;
    }
    pts[np++] = (spoint){g, xs[i], ms[i], isfinite(cs[i]) ? cs[i] : 0};
  }
  if (np == 0) {
    sim_diag_error(x->diag, sim_result_path(res), 0, 0, "no point with a finite '%s' to plot", mean_col);
    rc = PLOT_EINPUT;
    goto out;
  }
  /* techniques in their order and colours; other groups in the palette */
  bool by_technique = !strcmp(by, "technique");
  if (by_technique) {
    plot_names sorted = {0};
    for (size_t i = 0; i < groups.n && rc == 0; i++)
      if (plot_names_add(&sorted, groups.names[i]) < 0) rc = PLOT_ENOMEM;
    if (rc == 0) rc = plot_names_sort_techniques(x, &sorted);
    for (size_t i = 0; i < np && rc == 0; i++) pts[i].group = plot_names_find(&sorted, groups.names[pts[i].group]);
    plot_names_free(&groups);
    groups = sorted;
    if (rc) goto out;
  }
  qsort(pts, np, sizeof *pts, cmp_spoint);
  bool logx = wants_log(&pts[0].x, np, sizeof *pts / sizeof(double));
  bool logy = true;
  for (size_t i = 0; i < np && logy; i++) logy = pts[i].y - pts[i].h > 0;
  if (logy) {
    double lo = INFINITY, hi = 0;
    for (size_t i = 0; i < np; i++) lo = fmin(lo, pts[i].y), hi = fmax(hi, pts[i].y);
    logy = hi / lo >= 10;
  }
  /* equal (group, x): the mean of their means (other swept parameters) */
  size_t nm = 0;
  for (size_t i = 0; i < np;) {
    size_t j = i;
    double sy = 0, hmax = 0;
    while (j < np && pts[j].group == pts[i].group && pts[j].x == pts[i].x) sy += pts[j].y, hmax = fmax(hmax, pts[j].h), j++;
    pts[nm] = (spoint){pts[i].group, pts[i].x, sy / (double)(j - i), hmax};
    nm++;
    i = j;
  }
  lx = sim_malloc(nm * sizeof *lx);
  ly = sim_malloc(nm * sizeof *ly);
  e = sim_calloc(groups.n ? groups.n : 1, sizeof *e);
  if (!lx || !ly || !e) {
    rc = PLOT_ENOMEM;
    goto out;
  }
  double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
  for (size_t i = 0; i < nm; i++) {
    double lo = pts[i].y - pts[i].h, hi = pts[i].y + pts[i].h;
    if (logx) pts[i].x = log10(pts[i].x);
    if (logy) lo = log10(lo), hi = log10(hi), pts[i].y = log10(pts[i].y);
    pts[i].h = hi - pts[i].y; /* upper half-width in drawn units */
    lx[i] = lo;               /* lower end, drawn units (reused below) */
    xmin = fmin(xmin, pts[i].x);
    xmax = fmax(xmax, pts[i].x);
    ymin = fmin(ymin, lo);
    ymax = fmax(ymax, hi);
  }
  if (!logy && ymin > 0) ymin = 0;
  for (size_t g = 0; g < groups.n; g++)
    e[g] = (plot_legend_entry){groups.names[g],
                               by_technique ? plot_technique_colour(x, groups.names[g]) : plot_palette(g),
                               PLOT_KEY_LINE, 0};
  plot_ticks xt, yt;
  plot_nice_ticks(xmin, xmax > xmin ? xmax : xmin + 1, 7, &xt);
  plot_nice_ticks(ymin, ymax > ymin ? ymax * (ymax > 0 ? 1.05 : 0.95) : ymin + 1, 6, &yt);
  const char *xunit = sim_result_column_unit(res, POINTS, param), *yunit = sim_result_column_unit(res, POINTS, mean_col);
  char xlabel[400], ylabel[400];
  bool xu = xunit && *xunit && strcmp(xunit, "1"), yu = yunit && *yunit && strcmp(yunit, "1");
  snprintf(xlabel, sizeof xlabel, "%s%s (%s)", logx ? "log10 " : "", param, xu ? xunit : "1");
  snprintf(ylabel, sizeof ylabel, "%s%s (%s)", logy ? "log10 " : "", metric, yu ? yunit : "1");
  plot_box room = plot_frame(x, plot_title_text(x, "sweep"), e, groups.n);
  plot_axes_spec spec = {&xt, &yt, xlabel, ylabel, 0};
  plot_axes a;
  plot_axes_layout(x->c, room, &spec, &a);
  plot_axes_draw(x->c, &a, &spec);
  plot_report_axes(x, &a);
  cairo_t *cr = plot_canvas_cr(x->c);
  for (size_t i = 0, s0 = 0; i <= nm; i++) {
    if (i < nm && pts[i].group == pts[s0].group) continue;
    size_t cnt = i - s0;
    plot_rgb col = e[pts[s0].group].colour;
    /* the 95% band: upper ends left to right, lower ends back */
    cairo_new_path(cr);
    for (size_t j = s0; j < i; j++) cairo_line_to(cr, plot_ax_x(&a, pts[j].x), plot_ax_y(&a, pts[j].y + pts[j].h));
    for (size_t j = i; j-- > s0;) cairo_line_to(cr, plot_ax_x(&a, pts[j].x), plot_ax_y(&a, lx[j]));
    cairo_close_path(cr);
    cairo_set_source_rgba(cr, col.r, col.g, col.b, 0.2);
    cairo_fill(cr);
    double *bx = sim_malloc(cnt * sizeof *bx);
    if (!bx) {
      rc = PLOT_ENOMEM;
      goto out;
    }
    for (size_t j = 0; j < cnt; j++) bx[j] = pts[s0 + j].x, ly[j] = pts[s0 + j].y;
    plot_polyline(x, &a, bx, ly, cnt, col, 0, 3.5);
    for (size_t j = 0; j < cnt; j++) {
      double px = plot_ax_x(&a, bx[j]), py = plot_ax_y(&a, ly[j]);
      plot_set_colour(x->c, col);
      cairo_arc(cr, px, py, 7, 0, 2 * PLOT_PI);
      cairo_fill(cr);
      plot_mark(x->c, px - 7, py - 7, px + 7, py + 7);
    }
    sim_free(bx);
    s0 = i;
  }
  rc = plot_place_legend(x, &a, e, groups.n);
out:
  sim_free(xs);
  sim_free(ms);
  sim_free(cs);
  sim_free(gf);
  if (gs) sim_result_free_strings(gs, k);
  sim_free(pts);
  sim_free(lx);
  sim_free(ly);
  sim_free(e);
  plot_names_free(&groups);
  return rc;
}

int plot_sweep(plot_ctx *x) {
  if (x->n_runs == 1 && sim_result_has(x->runs[0], POINTS) > 0) return plot_sweep_summary(x, x->runs[0]);
  const char *param = x->o->param ? x->o->param : "sweep_value";
  const char *metric = x->o->metric ? x->o->metric : "relative_to_native";
  plot_names techs = {0};
  point *pts = NULL;
  size_t np = 0, cap = 0;
  const char *unit = NULL, *xname = NULL, *xunit = NULL;
  plot_legend_entry *e = NULL;
  double *lx = NULL, *ly = NULL, *lh = NULL;
  int rc = 0;
  for (size_t r = 0; r < x->n_runs && rc == 0; r++) {
    sim_result *res = x->runs[r];
    double xv;
    if (sim_result_attr_f64(res, param, &xv) < 0) {
      char who[256];
      plot_run_name(res, who, sizeof who);
      sim_diag_error(x->diag, sim_result_path(res), 0, 0,
                     "no numeric root attribute '%s' (the swept value) in this result (written "
                     "by %s); name another with --param",
                     param, who);
      rc = PLOT_EINPUT;
      break;
    }
    if (!xname) xname = sim_result_attr_str(res, "sweep_param");
    if (!xunit) xunit = sim_result_attr_str(res, "sweep_unit");
    char **t = NULL;
    double *v = NULL;
    size_t nt = 0, nv = 0;
    if ((rc = plot_require(x, res, GUESTS)) == 0 &&
        (rc = plot_col_str(x, res, GUESTS, "technique", &t, &nt)) == 0)
      rc = plot_col_f64(x, res, GUESTS, metric, &v, &nv);
    if (rc == 0 && !unit) unit = sim_result_column_unit(res, GUESTS, metric);
    for (size_t i = 0; rc == 0 && i < nt && i < nv; i++) {
      if (!isfinite(v[i])) continue;
      int ti = plot_names_add(&techs, t[i]);
      if (ti < 0 || sim_grow((void **)&pts, &cap, np + 1, sizeof *pts) < 0) {
        rc = PLOT_ENOMEM;
        break;
      }
      pts[np++] = (point){ti, xv, v[i]};
    }
    if (t) sim_result_free_strings(t, nt);
    sim_free(v);
  }
  if (rc == 0 && np == 0) {
    sim_diag_error(x->diag, x->n_runs ? sim_result_path(x->runs[0]) : NULL, 0, 0,
                   "no guest rows with a finite '%s' to plot", metric);
    rc = PLOT_EINPUT;
  }
  if (rc) goto out;

  /* techniques in their order (plot_technique_rank) */
  plot_names sorted = {0};
  for (size_t i = 0; i < techs.n && rc == 0; i++)
    if (plot_names_add(&sorted, techs.names[i]) < 0) rc = PLOT_ENOMEM;
  if (rc == 0) rc = plot_names_sort_techniques(x, &sorted);
  for (size_t i = 0; i < np; i++) pts[i].tech = plot_names_find(&sorted, techs.names[pts[i].tech]);
  plot_names_free(&techs);
  techs = sorted;
  if (rc) goto out;
  qsort(pts, np, sizeof *pts, cmp_point);

  double xmin = INFINITY, xmax = -INFINITY, ymax = 0, ymin = 0;
  for (size_t i = 0; i < np; i++) {
    xmin = fmin(xmin, pts[i].x);
    xmax = fmax(xmax, pts[i].x);
  }
  /* the per-(technique, x) means, computed once for range and drawing */
  lx = sim_malloc(np * sizeof *lx);
  ly = sim_malloc(np * sizeof *ly);
  lh = sim_malloc(np * sizeof *lh);
  double *tmp = sim_malloc(np * sizeof *tmp);
  size_t *tech_start = sim_calloc(techs.n + 1, sizeof *tech_start);
  e = sim_calloc(techs.n, sizeof *e);
  if (!lx || !ly || !lh || !tmp || !tech_start || !e) {
    sim_free(tmp);
    sim_free(tech_start);
    rc = PLOT_ENOMEM;
    goto out;
  }
  size_t nm = 0;
  for (size_t i = 0; i < np;) {
    size_t j = i, k = 0;
    while (j < np && pts[j].tech == pts[i].tech && pts[j].x == pts[i].x) tmp[k++] = pts[j++].y;
    lx[nm] = pts[i].x;
    plot_mean_ci95(tmp, k, &ly[nm], &lh[nm]);
    ymax = fmax(ymax, ly[nm] + lh[nm]);
    ymin = fmin(ymin, ly[nm] - lh[nm]);
    tech_start[pts[i].tech + 1] = ++nm;
    i = j;
  }
  sim_free(tmp);
  for (size_t t = 1; t <= techs.n; t++)
    if (tech_start[t] < tech_start[t - 1]) tech_start[t] = tech_start[t - 1];
  for (size_t t = 0; t < techs.n; t++)
    e[t] = (plot_legend_entry){techs.names[t], plot_technique_colour(x, techs.names[t]), PLOT_KEY_LINE, 0};

  plot_ticks xt, yt;
  plot_nice_ticks(xmin, xmax, 7, &xt);
  plot_nice_ticks(ymin, ymax * 1.05, 6, &yt);
  char xlabel[160], ylabel[160];
  const char *xn = xname ? xname : param;
  if (xunit && *xunit && strcmp(xunit, "1"))
    snprintf(xlabel, sizeof xlabel, "%s (%s)", xn, xunit);
  else
    snprintf(xlabel, sizeof xlabel, "%s (1)", xn);
  if (!strcmp(metric, "relative_to_native"))
    snprintf(ylabel, sizeof ylabel, "performance relative to native (ratio)");
  else if (unit && *unit && strcmp(unit, "1"))
    snprintf(ylabel, sizeof ylabel, "%s (%s)", metric, unit);
  else
    snprintf(ylabel, sizeof ylabel, "%s (1)", metric);
  plot_box room = plot_frame(x, plot_title_text(x, "sweep"), e, techs.n);
  plot_axes_spec spec = {&xt, &yt, xlabel, ylabel, 0};
  plot_axes a;
  plot_axes_layout(x->c, room, &spec, &a);
  plot_axes_draw(x->c, &a, &spec);
  plot_report_axes(x, &a);
  cairo_t *cr = plot_canvas_cr(x->c);
  for (size_t t = 0; t < techs.n; t++) {
    size_t s = tech_start[t], n = tech_start[t + 1] - s;
    if (!n) continue;
    plot_polyline(x, &a, lx + s, ly + s, n, e[t].colour, 0, 3.5);
    for (size_t i = s; i < s + n; i++) {
      double px = plot_ax_x(&a, lx[i]), py = plot_ax_y(&a, ly[i]);
      plot_set_colour(x->c, e[t].colour);
      cairo_arc(cr, px, py, 7, 0, 2 * PLOT_PI);
      cairo_fill(cr);
      if (lh[i] > 0) {
        double lo = plot_ax_y(&a, ly[i] - lh[i]), hi = plot_ax_y(&a, ly[i] + lh[i]);
        cairo_set_line_width(cr, 2.5);
        cairo_move_to(cr, px, lo);
        cairo_line_to(cr, px, hi);
        cairo_move_to(cr, px - 8, lo);
        cairo_line_to(cr, px + 8, lo);
        cairo_move_to(cr, px - 8, hi);
        cairo_line_to(cr, px + 8, hi);
        cairo_stroke(cr);
        plot_mark(x->c, px - 8, hi, px + 8, lo);
      }
      plot_mark(x->c, px - 7, py - 7, px + 7, py + 7);
    }
  }
  sim_free(tech_start);
  rc = plot_place_legend(x, &a, e, techs.n);

out:
  sim_free(e);
  sim_free(lx);
  sim_free(ly);
  sim_free(lh);
  sim_free(pts);
  plot_names_free(&techs);
  return rc;
}
