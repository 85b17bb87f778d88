/* plots/plot_cdf.c: the cdf kind: the empirical distribution of request
 * latencies, one step line per guest (or per technique with --by technique).
 * Several results must be replications of one scenario (plot_require_
 * replications): their latencies are pooled into one curve per group, and
 * the 95% Student-t interval of the replications' own distribution
 * functions, point by point, is drawn as a band around it.
 * Units: latency shown in ms (us when every latency is under 1 ms); the y
 * axis is the fraction of requests, 0..1.
 * Invariants: the curve of n sorted latencies steps by 1/n at each one,
 * reaching 1 at the largest (above CURVE_LEVELS values it is drawn through
 * CURVE_LEVELS evenly spaced quantiles: half a pixel apart on a full-size
 * canvas); technique curves keep their technique colour.
 * Reads: the response times of request-driven guests, requests/latency
 * (guest, response_ns), when the result has them and no --metric names
 * another column; else io/requests (guest, <metric>, default latency_s);
 * for --by technique, summary/guests (name, technique). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plots/plot_internal.h"
#include "sim/alloc.h"

#define REQUESTS "io/requests"
#define RESPONSES "requests/latency"
#define CURVE_LEVELS 2000 /* quantiles a large sample's curve is drawn through */
#define BAND_POINTS 400   /* latencies the replication band is evaluated at */

/* Seconds per unit of a latency column ("ns", "us", "ms", "s"); 0 otherwise. */
static double seconds_per(const char *unit) {
  if (!unit || !strcmp(unit, "s")) return 1;
  if (!strcmp(unit, "ms")) return 1e-3;
  if (!strcmp(unit, "us")) return 1e-6;
  if (!strcmp(unit, "ns")) return 1e-9;
  return 0;
}

/* Values of sorted v at or below t. */
static size_t count_le(const double *v, size_t n, double t) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (v[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int plot_cdf(plot_ctx *x) {
  const char *col = x->o->metric ? x->o->metric : "latency_s";
  int by_tech = x->o->by && !strcmp(x->o->by, "technique");
  if (x->o->by && !by_tech && strcmp(x->o->by, "guest")) {
    sim_diag_error(x->diag, NULL, 0, 0, "--by takes 'guest' or 'technique', not '%s'", x->o->by);
    return PLOT_EINPUT;
  }
  plot_names groups = {0};
  plot_names tnames = {0}; /* --by guest: the guests' techniques */
  plot_vec gtech = {0};     /* per group: index into tnames, -1 when unknown */
  plot_vec *vals = NULL;    /* per group: latencies (s), every run pooled */
  plot_vec *runs_of = NULL; /* per group: the run of each of those values */
  size_t cap = 0, cap_runs = 0;
  plot_legend_entry *e = NULL;
  double *band_x = NULL, *band_lo = NULL, *band_hi = NULL, *per_run = NULL;
  plot_vec *sorted_runs = NULL;
  /* the table: per-request response times when present (and asked for) */
  const char *table = REQUESTS;
  if (x->n_runs && sim_result_has(x->runs[0], RESPONSES) > 0) {
    double *probe = NULL;
    size_t np = 0;
    if (!x->o->metric) {
      table = RESPONSES;
      col = "response_ns";
    } else if (sim_result_column_f64(x->runs[0], RESPONSES, col, &probe, &np) == 0) {
      table = RESPONSES;
    }
    sim_free(probe);
  }
  int rc = x->n_runs > 1 ? plot_require_replications(x) : 0;
  for (size_t r = 0; r < x->n_runs && rc == 0; r++) {
    sim_result *res = x->runs[r];
    char **g = NULL;
    double *v = NULL;
    size_t ng = 0, nv = 0;
    char **sn = NULL, **st = NULL; /* summary/guests: name and technique, row by row */
    size_t nsn = 0, nst = 0;
    if ((rc = plot_require(x, res, table)) == 0 &&
        (rc = plot_col_str(x, res, table, "guest", &g, &ng)) == 0)
      rc = plot_col_f64(x, res, table, col, &v, &nv);
    double scale = rc == 0 ? seconds_per(sim_result_column_unit(res, table, col)) : 1;
    if (rc == 0 && scale == 0) {
      sim_diag_error(x->diag, sim_result_path(res), 0, 0,
                     "column '%s' of '%s' is in '%s', not a time (s, ms, us or ns)", col, table,
                     sim_result_column_unit(res, table, col));
      rc = PLOT_EINPUT;
    }
    if (rc == 0 && by_tech && (rc = plot_require(x, res, "summary/guests")) == 0 &&
        (rc = plot_col_str(x, res, "summary/guests", "name", &sn, &nsn)) == 0)
      rc = plot_col_str(x, res, "summary/guests", "technique", &st, &nst);
    else if (rc == 0 && !by_tech && sim_result_has(res, "summary/guests") > 0 &&
             (sim_result_column_str(res, "summary/guests", "name", &sn, &nsn) < 0 ||
              sim_result_column_str(res, "summary/guests", "technique", &st, &nst) < 0)) {
      /* techniques unknown: the curves are grey */
      if (sn) sim_result_free_strings(sn, nsn);
      if (st) sim_result_free_strings(st, nst);
      sn = st = NULL;
      nsn = nst = 0;
    }
    for (size_t i = 0; rc == 0 && i < ng && i < nv; i++) {
      if (!plot_list_has(x->o->guests, g[i]) || !isfinite(v[i])) continue;
      const char *key = g[i];
      if (by_tech) {
        key = NULL;
        for (size_t k = 0; k < nsn && k < nst && !key; k++)
          if (!strcmp(sn[k], g[i])) key = st[k];
        if (!key) continue; /* a guest with no summary row */
      }
      const char *tech = NULL; /* the guest's technique: its curve's colour */
      for (size_t k = 0; !by_tech && k < nsn && k < nst && !tech; k++)
        if (!strcmp(sn[k], g[i])) tech = st[k];
      size_t before = groups.n;
      int gi = plot_names_add(&groups, key);
      if (gi < 0) {
        rc = PLOT_ENOMEM;
        break;
      }
      if (groups.n > before) {
        if (sim_grow((void **)&vals, &cap, groups.n, sizeof *vals) < 0 ||
            sim_grow((void **)&runs_of, &cap_runs, groups.n, sizeof *runs_of) < 0) {
          groups.n--; /* keep groups and vals the same length */
          sim_free(groups.names[groups.n]);
          rc = PLOT_ENOMEM;
          break;
        }
        memset(&vals[gi], 0, sizeof vals[gi]);
        memset(&runs_of[gi], 0, sizeof runs_of[gi]);
        int ti = tech ? plot_names_add(&tnames, tech) : -1;
        if ((tech && ti < 0) || plot_vec_push(&gtech, ti)) rc = PLOT_ENOMEM;
      }
      if (plot_vec_push(&vals[gi], v[i] * scale) || plot_vec_push(&runs_of[gi], (double)r))
        rc = PLOT_ENOMEM;
    }
    if (sn) sim_result_free_strings(sn, nsn);
    if (st) sim_result_free_strings(st, nst);
    if (g) sim_result_free_strings(g, ng);
    sim_free(v);
  }
  if (rc == 0 && groups.n == 0) {
    sim_diag_error(x->diag, x->n_runs ? sim_result_path(x->runs[0]) : NULL, 0, 0,
                   "no request latencies to plot in '%s'", table);
    rc = PLOT_EINPUT;
  }
  if (rc) goto out;

  /* techniques in their order (insertion sort: a handful of groups) */
  if (by_tech && (rc = plot_techniques_note(x, &groups)) != 0) goto out;
  for (size_t i = 1; by_tech && i < groups.n; i++)
    for (size_t j = i; j > 0 && plot_technique_rank(x, groups.names[j - 1]) >
                                    plot_technique_rank(x, groups.names[j]);
         j--) {
      char *tn = groups.names[j];
      groups.names[j] = groups.names[j - 1];
      groups.names[j - 1] = tn;
      plot_vec tv = vals[j];
      vals[j] = vals[j - 1];
      vals[j - 1] = tv;
      tv = runs_of[j];
      runs_of[j] = runs_of[j - 1];
      runs_of[j - 1] = tv;
    }
  /* each replication's own latencies, sorted, before the pooled ones are */
  size_t nr = x->n_runs;
  if (nr > 1) {
    sorted_runs = sim_calloc(groups.n * nr, sizeof *sorted_runs);
    if (!sorted_runs) {
      rc = PLOT_ENOMEM;
      goto out;
    }
    for (size_t i = 0; i < groups.n; i++)
      for (size_t j = 0; j < vals[i].n; j++)
        if (plot_vec_push(&sorted_runs[i * nr + (size_t)runs_of[i].v[j]], vals[i].v[j])) {
          rc = PLOT_ENOMEM;
          goto out;
        }
    for (size_t i = 0; i < groups.n * nr; i++)
      if (sorted_runs[i].n)
        qsort(sorted_runs[i].v, sorted_runs[i].n, sizeof *sorted_runs[i].v, cmp_double);
  }
  double vmin = INFINITY, vmax = 0;
  for (size_t i = 0; i < groups.n; i++) {
    qsort(vals[i].v, vals[i].n, sizeof *vals[i].v, cmp_double);
    vmin = fmin(vmin, vals[i].v[0]);
    vmax = fmax(vmax, vals[i].v[vals[i].n - 1]);
  }
  double k = vmax < 1e-3 ? 1e6 : 1e3; /* display unit per second */
  const char *xunit = vmax < 1e-3 ? "us" : "ms";
  /* a guest's curve in its technique's colour, guests of one technique in
   * its shades and dashes (plot_variant): no two curves alike */
  if (!by_tech && (rc = plot_techniques_note(x, &tnames)) != 0) goto out;
  e = sim_calloc(groups.n + 1, sizeof *e);
  if (!e) {
    rc = PLOT_ENOMEM;
    goto out;
  }
  for (size_t i = 0; i < groups.n; i++) {
    plot_rgb colour;
    int dash = 0;
    if (by_tech) {
      colour = plot_technique_colour(x, groups.names[i]);
    } else {
      int ti = (int)gtech.v[i];
      size_t same = 0;
      for (size_t j = 0; j < i; j++)
        if ((int)gtech.v[j] == ti) same++;
      plot_variant(ti >= 0 ? plot_technique_colour(x, tnames.names[ti]) : plot_neutral(0), same,
                   &colour, &dash);
    }
    e[i] = (plot_legend_entry){groups.names[i], colour, PLOT_KEY_LINE, dash};
  }
  char band_label[96];
  size_t ne = groups.n;
  if (nr > 1) {
    snprintf(band_label, sizeof band_label, "95%% CI over %zu replications", nr);
    e[ne++] = (plot_legend_entry){band_label, plot_neutral(1), PLOT_KEY_SPAN, 0};
  }
  plot_ticks xt, yt;
  if (x->o->log && vmin > 0) {
    plot_log_ticks(vmin * k, vmax * k, &xt);
  } else { /* from the fastest request, not 0: latencies rarely start near it */
    plot_nice_ticks(vmin * k, vmax * k, 7, &xt);
    if (xt.lo < 0) plot_nice_ticks(0, vmax * k, 7, &xt);
  }
  plot_nice_ticks(0, 1, 6, &yt);
  char xlabel[96], title[200];
  snprintf(xlabel, sizeof xlabel, "%s (%s%s)", !strcmp(table, RESPONSES) ? "response time" : "request latency",
           xunit, xt.log ? ", log scale" : "");
  if (nr > 1)
    snprintf(title, sizeof title, "%s: request latency, %zu replications pooled",
             plot_title_text(x, "requests"), nr);
  else
    snprintf(title, sizeof title, "%s: request latency", plot_title_text(x, "requests"));
  plot_box room = plot_frame(x, x->o->title ? x->o->title : title, e, ne);
  plot_axes_spec spec = {&xt, &yt, xlabel, "fraction of requests (cumulative)", 0};
  plot_axes a;
  plot_axes_layout(x->c, room, &spec, &a);
  plot_axes_draw(x->c, &a, &spec);
  plot_report_axes(x, &a);
  cairo_t *cr = plot_canvas_cr(x->c);
  /* the percentiles marked: p50 and p99 as dotted levels, labelled at the left */
  static const double pct[2] = {0.50, 0.99};
  static const char *const pct_name[2] = {"p50", "p99"};
  for (size_t q = 0; q < 2; q++) {
    double y = round(plot_ax_y(&a, pct[q])) + 0.5, d[2] = {2, 5};
    cairo_save(cr);
    cairo_set_source_rgb(cr, 0.45, 0.45, 0.45);
    cairo_set_line_width(cr, 1.5);
    cairo_set_dash(cr, d, 2, 0);
    cairo_move_to(cr, a.area.x0, y);
    cairo_line_to(cr, a.area.x1, y);
    cairo_stroke(cr);
    cairo_restore(cr);
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    plot_text(x->c, PLOT_FONT_NOTE, a.area.x0 + 8, y - 3, 0, 1, 0, pct_name[q]);
  }
  /* the replications' band under the curves: at each of BAND_POINTS
   * latencies, the 95% t-interval of the replications' fractions at or below */
  if (nr > 1) {
    band_x = sim_malloc(BAND_POINTS * sizeof *band_x);
    band_lo = sim_malloc(BAND_POINTS * sizeof *band_lo);
    band_hi = sim_malloc(BAND_POINTS * sizeof *band_hi);
    per_run = sim_malloc(nr * sizeof *per_run);
    if (!band_x || !band_lo || !band_hi || !per_run) rc = PLOT_ENOMEM;
  }
  for (size_t i = 0; nr > 1 && i < groups.n && rc == 0; i++) {
    double lo = vals[i].v[0], hi = vals[i].v[vals[i].n - 1];
    for (size_t p = 0; p < BAND_POINTS; p++) {
      double f = (double)p / (BAND_POINTS - 1);
      double t = xt.log ? lo * pow(hi / lo, f) : lo + (hi - lo) * f;
      size_t m = 0;
      for (size_t r = 0; r < nr; r++) {
        const plot_vec *rv = &sorted_runs[i * nr + r];
        if (rv->n) per_run[m++] = (double)count_le(rv->v, rv->n, t) / (double)rv->n;
      }
      double mean, half;
      plot_mean_ci95(per_run, m, &mean, &half);
      band_x[p] = t * k;
      band_lo[p] = fmax(0, mean - half);
      band_hi[p] = fmin(1, mean + half);
    }
    cairo_save(cr);
    cairo_rectangle(cr, a.area.x0, a.area.y0, a.area.x1 - a.area.x0, a.area.y1 - a.area.y0);
    cairo_clip(cr);
    cairo_new_path(cr);
    for (size_t p = 0; p < BAND_POINTS; p++)
      cairo_line_to(cr, plot_ax_x(&a, band_x[p]), plot_ax_y(&a, band_hi[p]));
    for (size_t p = BAND_POINTS; p-- > 0;)
      cairo_line_to(cr, plot_ax_x(&a, band_x[p]), plot_ax_y(&a, band_lo[p]));
    cairo_close_path(cr);
    cairo_set_source_rgba(cr, e[i].colour.r, e[i].colour.g, e[i].colour.b, 0.25);
    cairo_fill(cr);
    cairo_restore(cr);
    for (size_t p = 0; p + 1 < BAND_POINTS; p++)
      plot_mark(x->c, plot_ax_x(&a, band_x[p]), plot_ax_y(&a, fmax(band_hi[p], band_hi[p + 1])),
                plot_ax_x(&a, band_x[p + 1]), plot_ax_y(&a, fmin(band_lo[p], band_lo[p + 1])));
  }
  for (size_t i = 0; i < groups.n && rc == 0; i++) {
    /* the step function: (first, 0) then up at each sorted latency; a large
     * sample through CURVE_LEVELS quantiles */
    size_t n = vals[i].n, steps = n < CURVE_LEVELS ? n : CURVE_LEVELS, m = 2 * steps + 1;
    double *px = sim_malloc(m * sizeof *px), *py = sim_malloc(m * sizeof *py);
    if (!px || !py) {
      sim_free(px);
      sim_free(py);
      rc = PLOT_ENOMEM;
      break;
    }
    px[0] = vals[i].v[0] * k;
    py[0] = 0;
    for (size_t j = 0; j < steps; j++) {
      /* level j + 1 of steps: the smallest value with that share at or below */
      size_t up = steps == n ? j + 1 : (size_t)ceil((double)(j + 1) * (double)n / (double)steps);
      size_t below = steps == n ? j : (size_t)ceil((double)j * (double)n / (double)steps);
      double v = vals[i].v[up - 1] * k;
      px[2 * j + 1] = v;
      py[2 * j + 1] = (double)below / (double)n;
      px[2 * j + 2] = v;
      py[2 * j + 2] = (double)up / (double)n;
    }
    plot_polyline(x, &a, px, py, m, e[i].colour, e[i].dash, 3.5);
    /* each curve's own p50 and p99: a dot where it crosses the level */
    for (size_t q = 0; q < 2; q++) {
      size_t idx = (size_t)ceil(pct[q] * (double)n);
      idx = idx < 1 ? 0 : idx - 1;
      double cx = plot_ax_x(&a, vals[i].v[idx] * k), cy = plot_ax_y(&a, pct[q]);
      cairo_arc(cr, cx, cy, 6, 0, 2 * PLOT_PI);
      plot_set_colour(x->c, e[i].colour);
      cairo_fill_preserve(cr);
      cairo_set_source_rgb(cr, 1, 1, 1);
      cairo_set_line_width(cr, 1.5);
      cairo_stroke(cr);
      plot_mark(x->c, cx - 6, cy - 6, cx + 6, cy + 6);
    }
    sim_free(px);
    sim_free(py);
  }
  if (rc == 0) rc = plot_place_legend(x, &a, e, ne);

out:
  sim_free(e);
  sim_free(band_x);
  sim_free(band_lo);
  sim_free(band_hi);
  sim_free(per_run);
  for (size_t i = 0; sorted_runs && i < groups.n * x->n_runs; i++) plot_vec_free(&sorted_runs[i]);
  sim_free(sorted_runs);
  for (size_t i = 0; i < groups.n && runs_of; i++) plot_vec_free(&runs_of[i]);
  sim_free(runs_of);
  plot_names_free(&tnames);
  plot_vec_free(&gtech);
  for (size_t i = 0; i < groups.n && vals; i++) plot_vec_free(&vals[i]);
  sim_free(vals);
  plot_names_free(&groups);
  return rc;
}
