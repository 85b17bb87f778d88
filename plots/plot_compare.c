/* plots/plot_compare.c: the compare kind: grouped bars, one group per
 * workload, one bar per technique, the mean over replications with its 95%
 * t-interval as an error bar, and the published value as a marker where a
 * validation case names that workload and technique.
 * Units: the metric's unit.  The default, relative_to_native, is
 * dimensionless, native = 1: the native twin's time per unit of work over
 * the guest's (models/engine_report.c), so a bar is a cost per unit of work
 * whether the guest computes, waits for its I/O or serves requests; other
 * metrics are plotted as recorded, as the published values that mark them
 * are (a run's totals stay totals).
 * Invariants: bars start at 0; bar edges are snapped to whole pixels so a
 * bar's height in the PNG is its value times the axis scale, within a pixel.
 * Reads: summary/guests (name, workload, technique, <metric>) of every
 * result; the published values come in the options (plot.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plots/plot_internal.h"
#include "sim/alloc.h"

#define GUESTS "summary/guests"
#define DEFAULT_METRIC "relative_to_native"

/* One published value that marks a bar. */
typedef struct published {
  size_t workload, technique; /* the bar it marks: indices into workloads and (before
                               * sorting) techs, those of the guest's row */
  double lo, hi;              /* the published value (lo == hi) or range, metric's unit */
  int qualitative;            /* a range with no point (plot_published) */
} published;

/* The values of one bar: every row with that workload and technique. */
typedef struct cell {
  plot_vec values; /* metric values, one per guest row over all results */
} cell;

int plot_compare(plot_ctx *x) {
  const char *metric = x->o->metric ? x->o->metric : DEFAULT_METRIC;
  int relative = !strcmp(metric, DEFAULT_METRIC);
  plot_names workloads = {0}, techs = {0}, guests = {0};
  plot_vec rows_w = {0}, rows_t = {0}, rows_v = {0}, rows_g = {0}; /* one entry per guest row */
  published *pub = NULL; /* the options' values of the plotted metric, with their bars */
  size_t n_pub = 0;
  cell *cells = NULL;
  const char *unit = NULL;
  const char *calibration = NULL; /* the runs' testbed profile (one: replications) */
  int rc = plot_require_replications(x);
  if (rc == 0 && x->n_runs && plot_attr(x, x->runs[0], "calibration_name", &calibration) < 0)
    rc = PLOT_ENOMEM;

  for (size_t r = 0; r < x->n_runs && rc == 0; r++) {
    sim_result *res = x->runs[r];
    char **w = NULL, **t = NULL, **g = NULL;
    double *v = NULL;
    size_t nw = 0, nt = 0, nv = 0, ng = 0;
    if ((rc = plot_require(x, res, GUESTS)) == 0 &&
        (rc = plot_col_str(x, res, GUESTS, "name", &g, &ng)) == 0 &&
        (rc = plot_col_str(x, res, GUESTS, "workload", &w, &nw)) == 0 &&
        (rc = plot_col_str(x, res, GUESTS, "technique", &t, &nt)) == 0 &&
        (rc = plot_col_f64(x, res, GUESTS, metric, &v, &nv)) == 0) {
      if (!unit) unit = sim_result_column_unit(res, GUESTS, metric);
      for (size_t i = 0; i < nv && i < nw && i < nt && i < ng && rc == 0; i++) {
        if (relative && !strcmp(t[i], "native")) continue; /* the reference line */
        if (!isfinite(v[i])) continue;                     /* a guest that did not finish */
        int wi = plot_names_add(&workloads, w[i]), ti = plot_names_add(&techs, t[i]);
        int gi = plot_names_add(&guests, g[i]);
        if (wi < 0 || ti < 0 || gi < 0 || plot_vec_push(&rows_w, wi) ||
            plot_vec_push(&rows_t, ti) || plot_vec_push(&rows_v, v[i]) ||
            plot_vec_push(&rows_g, gi))
          rc = PLOT_ENOMEM;
      }
    }
    if (w) sim_result_free_strings(w, nw);
    if (t) sim_result_free_strings(t, nt);
    if (g) sim_result_free_strings(g, ng);
    sim_free(v);
  }
  if (rc == 0 && rows_v.n == 0) {
    sim_diag_error(x->diag, x->n_runs ? sim_result_path(x->runs[0]) : NULL, 0, 0,
                   "no guest rows with a finite '%s' to compare", metric);
    rc = PLOT_EINPUT;
  }
  /* a published value of a guest's row marks that guest's bar */
  if (rc == 0 && x->o->n_published &&
      !(pub = sim_calloc(x->o->n_published, sizeof *pub)))
    rc = PLOT_ENOMEM;
  for (size_t p = 0; p < x->o->n_published && rc == 0; p++) {
    const plot_published *in = &x->o->published[p];
    /* a value measured on another testbed is not this run's to meet */
    int same_testbed = calibration && in->calibration && !strcmp(calibration, in->calibration);
    int gi = strcmp(in->metric, metric) || !same_testbed ? -1 : plot_names_find(&guests, in->guest);
    for (size_t i = 0; gi >= 0 && i < rows_g.n; i++)
      if ((int)rows_g.v[i] == gi) {
        pub[n_pub++] = (published){(size_t)rows_w.v[i], (size_t)rows_t.v[i],
                                   fmin(in->lo, in->hi), fmax(in->lo, in->hi), in->qualitative};
        break;
      }
  }
  size_t nw = workloads.n, nt = techs.n;
  /* techniques in their order (plot_technique_rank): remap row indices after sorting */
  int *tmap = NULL;
  if (rc == 0) {
    plot_names sorted = {0};
    for (size_t i = 0; i < nt && rc == 0; i++)
      if (plot_names_add(&sorted, techs.names[i]) < 0) rc = PLOT_ENOMEM;
    if (rc == 0) rc = plot_names_sort_techniques(x, &sorted);
    tmap = sim_calloc(nt ? nt : 1, sizeof *tmap);
    cells = sim_calloc(nw * nt > 0 ? nw * nt : 1, sizeof *cells);
    if (!tmap || !cells) rc = PLOT_ENOMEM;
    for (size_t i = 0; i < nt && rc == 0; i++) tmap[i] = plot_names_find(&sorted, techs.names[i]);
    plot_names_free(&techs);
    techs = sorted;
  }
  for (size_t i = 0; i < rows_v.n && rc == 0; i++) {
    cell *c = &cells[(size_t)rows_w.v[i] * nt + (size_t)tmap[(size_t)rows_t.v[i]]];
    if (plot_vec_push(&c->values, rows_v.v[i])) rc = PLOT_ENOMEM;
  }
  if (rc) goto out;

  /* statistics and the y range */
  double ymax = relative ? 1.0 : 0.0;
  for (size_t i = 0; i < nw * nt; i++) {
    double m, h;
    if (!cells[i].values.n) continue;
    plot_mean_ci95(cells[i].values.v, cells[i].values.n, &m, &h);
    ymax = fmax(ymax, m + h);
  }
  for (size_t i = 0; i < n_pub; i++) ymax = fmax(ymax, pub[i].hi);
  plot_ticks yt;
  plot_nice_ticks(0, ymax * 1.04, 6, &yt);

  /* legend: techniques, then the reference and the markers when shown */
  plot_legend_entry *e = sim_calloc(nt + 3, sizeof *e);
  if (!e) {
    rc = PLOT_ENOMEM;
    goto out;
  }
  size_t ne = 0;
  for (size_t i = 0; i < nt; i++)
    e[ne++] = (plot_legend_entry){techs.names[i], plot_technique_colour(x, techs.names[i]),
                                  PLOT_KEY_BOX, 0};
  int any_marker = 0, any_qualitative = 0;
  for (size_t i = 0; i < n_pub; i++) *(pub[i].qualitative ? &any_qualitative : &any_marker) = 1;
  if (relative)
    e[ne++] = (plot_legend_entry){"native = 1", plot_technique_colour(x, "native"), PLOT_KEY_DASH, 0};
  if (any_marker)
    e[ne++] = (plot_legend_entry){"published", (plot_rgb){0, 0, 0}, PLOT_KEY_MARKER, 0};
  if (any_qualitative)
    e[ne++] = (plot_legend_entry){"published, qualitative (range)", (plot_rgb){0, 0, 0},
                                  PLOT_KEY_RANGE, 0};

  char ylabel[160];
  if (relative)
    snprintf(ylabel, sizeof ylabel, "performance relative to native (ratio)");
  else if (unit && strcmp(unit, "1"))
    snprintf(ylabel, sizeof ylabel, "%s (%s)", metric, unit);
  else
    snprintf(ylabel, sizeof ylabel, "%s (1)", metric);
  plot_box room = plot_frame(x, plot_title_text(x, "virtualization techniques compared"), e, ne);
  plot_axes_spec spec = {NULL, &yt, "workload", ylabel, 1};
  plot_axes a;
  plot_axes_layout(x->c, room, &spec, &a);
  a.xmin = 0;
  a.xmax = (double)nw;
  plot_axes_draw(x->c, &a, &spec);
  plot_report_axes(x, &a);

  cairo_t *cr = plot_canvas_cr(x->c);
  double gw = (a.area.x1 - a.area.x0) / (double)nw; /* group width, pixels */
  double bw = gw * 0.8 / (double)nt;                 /* bar width, pixels */
  double y0 = round(plot_ax_y(&a, 0));
  for (size_t wi = 0; wi < nw; wi++) {
    double gx = a.area.x0 + gw * (double)wi + gw * 0.1;
    for (size_t ti = 0; ti < nt; ti++) {
      cell *c = &cells[wi * nt + ti];
      if (!c->values.n) continue;
      double m, h;
      plot_mean_ci95(c->values.v, c->values.n, &m, &h);
      double bx0 = round(gx + bw * (double)ti), bx1 = round(gx + bw * (double)(ti + 1)) - 2;
      double by = round(plot_ax_y(&a, m));
      plot_set_colour(x->c, plot_technique_colour(x, techs.names[ti]));
      cairo_rectangle(cr, bx0, by, bx1 - bx0, y0 - by);
      cairo_fill(cr);
      plot_mark(x->c, bx0, by, bx1, y0);
      x->rep->bars++;
      double cx = (bx0 + bx1) / 2;
      if (h > 0) { /* 95% confidence interval of the mean, clipped to the plot area:
                    * an end beyond it gets no cap, so the cut reads as open */
        double lo = plot_ax_y(&a, m - h), hi = plot_ax_y(&a, m + h), cap = bw * 0.2;
        double clo = fmin(lo, a.area.y1), chi = fmax(hi, a.area.y0);
        cairo_set_source_rgb(cr, 0, 0, 0);
        cairo_set_line_width(cr, 2.5);
        cairo_move_to(cr, cx, clo);
        cairo_line_to(cr, cx, chi);
        if (clo == lo) {
          cairo_move_to(cr, cx - cap, lo);
          cairo_line_to(cr, cx + cap, lo);
        }
        if (chi == hi) {
          cairo_move_to(cr, cx - cap, hi);
          cairo_line_to(cr, cx + cap, hi);
        }
        cairo_stroke(cr);
        plot_mark(x->c, cx - cap, chi, cx + cap, clo);
      }
      for (size_t p = 0; p < n_pub; p++)
        if (pub[p].workload == wi && (size_t)tmap[pub[p].technique] == ti) {
          double size = fmin(bw * 0.6, 30);
          if (pub[p].qualitative) { /* a range and no point: the source gives none */
            double ylo = plot_ax_y(&a, fmax(pub[p].lo, a.ymin)), yhi = plot_ax_y(&a, pub[p].hi);
            plot_range_key(x->c, cx, ylo, yhi, size);
            plot_mark(x->c, cx - size / 2, yhi, cx + size / 2, ylo);
            x->rep->markers++;
            continue;
          }
          if (pub[p].hi > pub[p].lo) { /* a published range: its span, then the diamond */
            double ylo = plot_ax_y(&a, pub[p].lo), yhi = plot_ax_y(&a, pub[p].hi);
            cairo_set_source_rgb(cr, 1, 1, 1);
            cairo_set_line_width(cr, 7);
            cairo_move_to(cr, cx, ylo);
            cairo_line_to(cr, cx, yhi);
            cairo_stroke(cr);
            cairo_set_source_rgb(cr, 0, 0, 0);
            cairo_set_line_width(cr, 3);
            cairo_move_to(cr, cx, ylo);
            cairo_line_to(cr, cx, yhi);
            cairo_stroke(cr);
            plot_mark(x->c, cx - 4, yhi, cx + 4, ylo);
          }
          plot_marker(x->c, cx, plot_ax_y(&a, (pub[p].lo + pub[p].hi) / 2), size);
          x->rep->markers++;
        }
    }
    cairo_set_source_rgb(cr, 0, 0, 0);
    char label[128];
    plot_fit_text(x->c, PLOT_FONT_TICK, workloads.names[wi], gw * 0.95, label, sizeof label);
    plot_text(x->c, PLOT_FONT_TICK, a.area.x0 + gw * ((double)wi + 0.5), a.area.y1 + 14, 0.5, 0,
              0, label);
  }
  if (relative) { /* native's level, over the bars so it reads as the reference */
    double y1 = round(plot_ax_y(&a, 1)) + 0.5;
    double d[2] = {14, 8};
    cairo_save(cr);
    cairo_set_dash(cr, d, 2, 0);
    cairo_set_line_width(cr, 2.5);
    plot_set_colour(x->c, plot_technique_colour(x, "native"));
    cairo_move_to(cr, a.area.x0, y1);
    cairo_line_to(cr, a.area.x1, y1);
    cairo_stroke(cr);
    cairo_restore(cr);
    plot_mark(x->c, a.area.x0, y1 - 2, a.area.x1, y1 + 2);
  }
  rc = plot_place_legend(x, &a, e, ne);
  sim_free(e);

out:
  for (size_t i = 0; cells && i < nw * nt; i++) plot_vec_free(&cells[i].values);
  sim_free(cells);
  sim_free(tmap);
  sim_free(pub);
  plot_vec_free(&rows_w);
  plot_vec_free(&rows_t);
  plot_vec_free(&rows_v);
  plot_vec_free(&rows_g);
  plot_names_free(&guests);
  plot_names_free(&workloads);
  plot_names_free(&techs);
  return rc;
}
