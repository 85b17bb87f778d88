/* plots/plot_sweep.c: the sweep kind: a summary metric against a swept
 * parameter, one line per technique, from one result per sweep point.
 * Units: x in the swept parameter's unit (root attribute sweep_unit when
 * present); y in the metric's unit.
 * Invariants: points at the same swept value (replications, several guests
 * of one technique) are averaged, with their 95% t-interval as error bars;
 * lines join points in increasing x.
 * Reads: root attribute <param> (default sweep_value; sweep_param names it),
 * summary/guests (technique, <metric>, default relative_to_native). */
#include <math.h>
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

int plot_sweep(plot_ctx *x) {
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
    snprintf(xlabel, sizeof xlabel, "%s", xn);
  if (!strcmp(metric, "relative_to_native"))
    snprintf(ylabel, sizeof ylabel, "performance relative to native");
  else if (unit && *unit && strcmp(unit, "1"))
    snprintf(ylabel, sizeof ylabel, "%s (%s)", metric, unit);
  else
    snprintf(ylabel, sizeof ylabel, "%s", metric);
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
