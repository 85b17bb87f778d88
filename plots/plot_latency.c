/* plots/plot_latency.c: the latency kind: response time against offered
 * load, the curve queueing papers plot.  From a collected sweep summary over
 * an arrival rate (`vdcsim sweep`, DATASETS.md "Sweeps"): per technique (or
 * --by column) the median (p50, solid) and the 99th percentile (p99, dashed)
 * of the requests' response times, each the mean over replications with its
 * 95% Student-t interval as a shaded band.
 * Units: x in the swept parameter's unit (an arrival rate in Hz is shown as
 * requests/s); y in ms (us when every value is under 1 ms), on a log10 axis
 * when the values span a decade or more (a saturating server's p99).
 * Invariants: points with equal (group, load) (other swept parameters) are
 * averaged, their widest interval kept; a band never reaches below 0 on a
 * linear axis nor to 0 on a log one (clipped to the axis).
 * Reads: root attribute sweep_params; points (<param>, <by> default technique,
 * requests_p50_s_mean/_ci95, requests_p99_s_mean/_ci95; rows of guests that
 * serve no requests are NaN and left out). */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plots/plot_internal.h"
#include "sim/alloc.h"

#define POINTS "points"
#define N_PCT 2

static const char *const pct_col[N_PCT] = {"requests_p50_s", "requests_p99_s"};
static const char *const pct_name[N_PCT] = {"p50", "p99"};
static const int pct_dash[N_PCT] = {0, 1}; /* p50 solid, p99 dashed */

typedef struct load_point {
  int group;                       /* index into the group names */
  double x;                        /* offered load, the swept value */
  double mean[N_PCT], half[N_PCT]; /* seconds: mean over replications, CI half-width */
} load_point;

static int cmp_load(const void *a, const void *b) {
  const load_point *p = a, *q = b;
  if (p->group != q->group) return p->group - q->group;
  return (p->x > q->x) - (p->x < q->x);
}

int plot_latency(plot_ctx *x) {
  if (x->n_runs != 1 || sim_result_has(x->runs[0], POINTS) <= 0) {
    sim_diag_error(x->diag, x->n_runs ? sim_result_path(x->runs[x->n_runs > 1]) : NULL, 0, 0,
                   x->n_runs != 1 ? "the latency plot reads one sweep summary, not %zu files"
                                  : "not a sweep summary (no dataset 'points'): the latency plot "
                                    "reads DIR/summary.h5 of `vdcsim sweep` over an arrival rate",
                   x->n_runs);
    return PLOT_EINPUT;
  }
  sim_result *res = x->runs[0];
  const char *by = x->o->by ? x->o->by : "technique";
  char param_buf[256] = "";
  const char *param = x->o->param;
  if (!param) {
    const char *params = sim_result_attr_str(res, "sweep_params");
    snprintf(param_buf, sizeof param_buf, "%.*s", params ? (int)strcspn(params, "\n") : 0,
             params ? params : "");
    param = param_buf;
  }
  if (!*param) {
    sim_diag_error(x->diag, sim_result_path(res), 0, 0,
                   "this summary sweeps no parameter: name the load column with --x");
    return PLOT_EINPUT;
  }
  double *xs = NULL, *col[2 * N_PCT] = {NULL};
  char **gs = NULL;
  size_t n = 0, k = 0;
  load_point *pts = NULL;
  plot_names groups = {0};
  plot_legend_entry *e = NULL;
  double *lx = NULL, *ly = NULL;
  int rc = plot_col_f64(x, res, POINTS, param, &xs, &n);
  for (size_t q = 0; q < N_PCT && rc == 0; q++) {
    char name[64];
    snprintf(name, sizeof name, "%s_mean", pct_col[q]);
    if (sim_result_column_f64(res, POINTS, name, &col[2 * q], &k) < 0) {
      sim_diag_error(x->diag, sim_result_path(res), 0, 0,
                     "no column '%s' in 'points': its runs served no requests (the latency "
                     "plot needs a request-driven workload, summary/requests)",
                     name);
      rc = PLOT_EINPUT;
      break;
    }
    snprintf(name, sizeof name, "%s_ci95", pct_col[q]);
    rc = plot_col_f64(x, res, POINTS, name, &col[2 * q + 1], &k);
  }
  if (rc == 0) rc = plot_col_str(x, res, POINTS, by, &gs, &k);
  if (rc) goto out;
  pts = sim_calloc(n ? n : 1, sizeof *pts);
  if (!pts) {
    rc = PLOT_ENOMEM;
    goto out;
  }
  size_t np = 0;
  for (size_t i = 0; i < n && i < k; i++) {
    bool finite = isfinite(xs[i]);
    for (size_t q = 0; q < N_PCT; q++) finite = finite && isfinite(col[2 * q][i]);
    if (!finite) continue; /* a guest serving no requests */
    int g = plot_names_add(&groups, gs[i]);
    if (g < 0) {
      rc = PLOT_ENOMEM;
      goto out;
    }
    load_point p = {g, xs[i], {0}, {0}};
    for (size_t q = 0; q < N_PCT; q++) {
      p.mean[q] = col[2 * q][i];
      p.half[q] = isfinite(col[2 * q + 1][i]) ? col[2 * q + 1][i] : 0; /* one replication */
    }
    pts[np++] = p;
  }
  if (np == 0) {
    sim_diag_error(x->diag, sim_result_path(res), 0, 0,
                   "no point with finite request percentiles to plot");
    rc = PLOT_EINPUT;
    goto out;
  }
  bool by_technique = !strcmp(by, "technique");
  if (by_technique) { /* techniques in their order and colours */
    plot_names sorted = {0};
    for (size_t i = 0; i < groups.n && rc == 0; i++)
      if (plot_names_add(&sorted, groups.names[i]) < 0) rc = PLOT_ENOMEM;
    if (rc == 0) rc = plot_names_sort_techniques(x, &sorted);
    for (size_t i = 0; i < np && rc == 0; i++)
      pts[i].group = plot_names_find(&sorted, groups.names[pts[i].group]);
    plot_names_free(&groups);
    groups = sorted;
    if (rc) goto out;
  }
  qsort(pts, np, sizeof *pts, cmp_load);
  size_t nm = 0; /* equal (group, x): the mean of their means, the widest interval */
  for (size_t i = 0; i < np;) {
    size_t j = i;
    load_point m = {pts[i].group, pts[i].x, {0}, {0}};
    while (j < np && pts[j].group == pts[i].group && pts[j].x == pts[i].x) {
      for (size_t q = 0; q < N_PCT; q++) {
        m.mean[q] += pts[j].mean[q];
        m.half[q] = fmax(m.half[q], pts[j].half[q]);
      }
      j++;
    }
    for (size_t q = 0; q < N_PCT; q++) m.mean[q] /= (double)(j - i);
    pts[nm++] = m;
    i = j;
  }
  /* display unit and axes */
  double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = 0;
  for (size_t i = 0; i < nm; i++) {
    xmin = fmin(xmin, pts[i].x);
    xmax = fmax(xmax, pts[i].x);
    for (size_t q = 0; q < N_PCT; q++) {
      ymin = fmin(ymin, pts[i].mean[q]);
      ymax = fmax(ymax, pts[i].mean[q] + pts[i].half[q]);
    }
  }
  double scale = ymax < 1e-3 ? 1e6 : 1e3;
  const char *yunit = ymax < 1e-3 ? "us" : "ms";
  bool logy = ymin > 0 && ymax / ymin >= 10;
  plot_ticks xt, yt;
  plot_nice_ticks(xmin > 0 && xmin < 0.25 * xmax ? 0 : xmin, xmax > xmin ? xmax : xmin + 1, 7,
                  &xt);
  if (logy)
    plot_log_ticks(ymin * scale, ymax * scale, &yt);
  else
    plot_nice_ticks(0, ymax * scale * 1.05, 6, &yt);
  /* legend: one entry per group, then what solid and dashed mean */
  e = sim_calloc(groups.n + N_PCT + 1, sizeof *e);
  lx = sim_malloc(nm * sizeof *lx);
  ly = sim_malloc(nm * sizeof *ly);
  if (!e || !lx || !ly) {
    rc = PLOT_ENOMEM;
    goto out;
  }
  for (size_t g = 0; g < groups.n; g++)
    e[g] = (plot_legend_entry){groups.names[g],
                               by_technique ? plot_technique_colour(x, groups.names[g])
                                            : plot_neutral(g),
                               PLOT_KEY_BOX, 0};
  size_t ne = groups.n;
  for (size_t q = 0; q < N_PCT; q++)
    e[ne++] = (plot_legend_entry){pct_name[q], plot_neutral(1), PLOT_KEY_LINE, pct_dash[q]};
  e[ne++] = (plot_legend_entry){"95% CI over replications", plot_neutral(1), PLOT_KEY_SPAN, 0};
  const char *xunit = sim_result_column_unit(res, POINTS, param);
  char xlabel[400], ylabel[96], title[300];
  if (xunit && (!strcmp(xunit, "Hz") || !strcmp(xunit, "1/s")))
    snprintf(xlabel, sizeof xlabel, "offered load (requests/s)");
  else if (xunit && *xunit && strcmp(xunit, "1"))
    snprintf(xlabel, sizeof xlabel, "%s (%s)", param, xunit);
  else
    snprintf(xlabel, sizeof xlabel, "%s", param);
  snprintf(ylabel, sizeof ylabel, "response time (%s%s)", yunit, logy ? ", log scale" : "");
  snprintf(title, sizeof title, "%s: response time vs load", plot_title_text(x, "latency"));
  plot_box room = plot_frame(x, x->o->title ? x->o->title : title, e, ne);
  plot_axes_spec spec = {&xt, &yt, xlabel, ylabel, 0};
  plot_axes a;
  plot_axes_layout(x->c, room, &spec, &a);
  plot_axes_draw(x->c, &a, &spec);
  plot_report_axes(x, &a);
  cairo_t *cr = plot_canvas_cr(x->c);
  double floor_y = logy ? pow(10, a.ymin) : 0; /* the lowest value the axis shows */
  for (size_t i = 0, s0 = 0; i <= nm; i++) {
    if (i < nm && pts[i].group == pts[s0].group) continue;
    size_t cnt = i - s0;
    plot_rgb colour = e[pts[s0].group].colour;
    for (size_t q = 0; q < N_PCT; q++) {
      /* the band: upper ends left to right, lower ends back */
      cairo_save(cr);
      cairo_rectangle(cr, a.area.x0, a.area.y0, a.area.x1 - a.area.x0, a.area.y1 - a.area.y0);
      cairo_clip(cr);
      cairo_new_path(cr);
      for (size_t j = s0; j < i; j++)
        cairo_line_to(cr, plot_ax_x(&a, pts[j].x),
                      plot_ax_y(&a, (pts[j].mean[q] + pts[j].half[q]) * scale));
      for (size_t j = i; j-- > s0;)
        cairo_line_to(cr, plot_ax_x(&a, pts[j].x),
                      plot_ax_y(&a, fmax(floor_y, (pts[j].mean[q] - pts[j].half[q]) * scale)));
      cairo_close_path(cr);
      cairo_set_source_rgba(cr, colour.r, colour.g, colour.b, 0.2);
      cairo_fill(cr);
      cairo_restore(cr);
      for (size_t j = s0; j < i; j++) {
        double px = plot_ax_x(&a, pts[j].x);
        double hi = plot_ax_y(&a, (pts[j].mean[q] + pts[j].half[q]) * scale);
        double lo = plot_ax_y(&a, fmax(floor_y, (pts[j].mean[q] - pts[j].half[q]) * scale));
        plot_mark(x->c, px - 1, fmax(hi, a.area.y0), px + 1, fmin(lo, a.area.y1));
        lx[j - s0] = pts[j].x;
        ly[j - s0] = pts[j].mean[q] * scale;
      }
      plot_polyline(x, &a, lx, ly, cnt, colour, pct_dash[q], 3.5);
      for (size_t j = 0; j < cnt; j++) { /* a dot at each measured load */
        double px = plot_ax_x(&a, lx[j]), py = plot_ax_y(&a, ly[j]);
        plot_set_colour(x->c, colour);
        cairo_arc(cr, px, py, 6, 0, 2 * PLOT_PI);
        cairo_fill(cr);
        plot_mark(x->c, px - 6, py - 6, px + 6, py + 6);
      }
    }
    s0 = i;
  }
  rc = plot_place_legend(x, &a, e, ne);
out:
  sim_free(xs);
  for (size_t q = 0; q < 2 * N_PCT; q++) sim_free(col[q]);
  if (gs) sim_result_free_strings(gs, k);
  sim_free(pts);
  sim_free(e);
  sim_free(lx);
  sim_free(ly);
  plot_names_free(&groups);
  return rc;
}
