/* plots/plot_breakdown.c: the breakdown kind: where each technique's cycles
 * go, as stacked bars by mechanism (guest work, traps/exits, translation, page
 * walks, hypercalls, hypervisor, I/O), grouped by workload.
 * Units: cycles per unit of work (a guest's cycles over the units it did,
 * so a time-limited run that got more done is not taller for it; results
 * without a units column: cycles of the run); with several workloads each
 * group is divided by the total of its native guest (native = 1), or by its
 * largest bar when there is no native guest, so workloads of different
 * lengths share one axis.
 * Invariants: the stack order is the mechanism order of models/technique.h,
 * guest work at the bottom; replications (of one scenario only) are averaged
 * per mechanism.  Mechanism colours are never technique colours.  With
 * --log the y axis is logarithmic and a stack's boundaries are placed at
 * their cumulative values.
 * Reads: summary/guests (workload, technique, units, cycles_<mechanism>);
 * a guest that did no unit of work has no cost per unit and no bar. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "plots/plot_internal.h"
#include "sim/alloc.h"

#define GUESTS "summary/guests"

/* The mechanisms of models/technique.h (mechanism_names), in stack order. */
static const char *const mechs[] = {"guest",     "trap",       "translate", "pagewalk",
                                    "hypercall", "hypervisor", "io"};
#define N_MECH (sizeof mechs / sizeof mechs[0])

typedef struct stack {
  double sum[N_MECH]; /* cycles summed over replications */
  size_t n;           /* replications */
} stack;

int plot_breakdown(plot_ctx *x) {
  plot_names workloads = {0}, techs = {0};
  plot_vec rw = {0}, rt = {0}, rc_[N_MECH];
  memset(rc_, 0, sizeof rc_);
  stack *st = NULL;
  plot_legend_entry *e = NULL;
  int per_unit = 1; /* every result counts its guests' units of work */
  int rc = plot_require_replications(x);

  for (size_t r = 0; r < x->n_runs && rc == 0; r++) {
    sim_result *res = x->runs[r];
    char **w = NULL, **t = NULL;
    size_t nw = 0, nt = 0;
    double *cyc[N_MECH] = {0}, *units = NULL;
    size_t ncyc[N_MECH] = {0}, nunits = 0;
    if ((rc = plot_require(x, res, GUESTS)) == 0 &&
        (rc = plot_col_str(x, res, GUESTS, "workload", &w, &nw)) == 0)
      rc = plot_col_str(x, res, GUESTS, "technique", &t, &nt);
    for (size_t m = 0; m < N_MECH && rc == 0; m++) {
      char col[64];
      snprintf(col, sizeof col, "cycles_%s", mechs[m]);
      rc = plot_col_f64(x, res, GUESTS, col, &cyc[m], &ncyc[m]);
    }
    if (rc == 0 && sim_result_column_unit(res, GUESTS, "units"))
      rc = plot_col_f64(x, res, GUESTS, "units", &units, &nunits);
    else
      per_unit = 0;
    for (size_t i = 0; rc == 0 && i < nw && i < nt; i++) {
      double per = 1; /* cycles of the run -> cycles per unit */
      if (units) {
        if (!(i < nunits && units[i] > 0 && isfinite(units[i]))) continue; /* no work, no cost per unit */
        per = 1 / units[i];
      }
      int wi = plot_names_add(&workloads, w[i]), ti = plot_names_add(&techs, t[i]);
      if (wi < 0 || ti < 0 || plot_vec_push(&rw, wi) || plot_vec_push(&rt, ti)) rc = PLOT_ENOMEM;
      for (size_t m = 0; m < N_MECH && rc == 0; m++)
        if (plot_vec_push(&rc_[m], i < ncyc[m] && isfinite(cyc[m][i]) ? cyc[m][i] * per : 0))
          rc = PLOT_ENOMEM;
    }
    if (w) sim_result_free_strings(w, nw);
    if (t) sim_result_free_strings(t, nt);
    for (size_t m = 0; m < N_MECH; m++) sim_free(cyc[m]);
    sim_free(units);
  }
  if (rc == 0 && rw.n == 0) {
    sim_diag_error(x->diag, x->n_runs ? sim_result_path(x->runs[0]) : NULL, 0, 0,
                   "no guest rows in '%s' to break down", GUESTS);
    rc = PLOT_EINPUT;
  }
  if (rc) goto out;

  /* techniques in their order (plot_technique_rank) */
  plot_names sorted = {0};
  for (size_t i = 0; i < techs.n; i++)
    if (plot_names_add(&sorted, techs.names[i]) < 0) rc = PLOT_ENOMEM;
  if (rc == 0) rc = plot_names_sort_techniques(x, &sorted);
  size_t nw = workloads.n, nt = techs.n;
  st = sim_calloc(nw * nt, sizeof *st);
  if (!st) rc = PLOT_ENOMEM;
  for (size_t i = 0; rc == 0 && i < rw.n; i++) {
    int ti = plot_names_find(&sorted, techs.names[(size_t)rt.v[i]]);
    stack *s = &st[(size_t)rw.v[i] * nt + (size_t)ti];
    for (size_t m = 0; m < N_MECH; m++) s->sum[m] += rc_[m].v[i];
    s->n++;
  }
  plot_names_free(&techs);
  techs = sorted;
  if (rc) goto out;

  /* per-group scale: native's total, else the largest bar; one workload: raw cycles */
  int native = plot_names_find(&techs, "native");
  int all_native = native >= 0;
  for (size_t wi = 0; wi < nw && all_native; wi++)
    if (!st[wi * nt + (size_t)native].n) all_native = 0;
  double ymax = 0, raw_max = 0;
  double *scale = sim_calloc(nw, sizeof *scale);
  if (!scale) {
    rc = PLOT_ENOMEM;
    goto out;
  }
  for (size_t wi = 0; wi < nw; wi++) {
    double big = 0;
    for (size_t ti = 0; ti < nt; ti++) {
      stack *s = &st[wi * nt + ti];
      double tot = 0;
      for (size_t m = 0; m < N_MECH && s->n; m++) tot += s->sum[m] / (double)s->n;
      big = fmax(big, tot);
    }
    raw_max = fmax(raw_max, big);
    if (all_native) {
      stack *s = &st[wi * nt + (size_t)native];
      double tot = 0;
      for (size_t m = 0; m < N_MECH; m++) tot += s->sum[m] / (double)s->n;
      scale[wi] = tot > 0 ? 1 / tot : 0;
    } else {
      scale[wi] = big > 0 ? 1 / big : 0;
    }
  }
  const char *ylabel;
  char ybuf[96];
  if (nw == 1 && !all_native) { /* one workload: cycles, in powers of 10^3 */
    int e3 = raw_max > 0 ? (int)floor(log10(raw_max) / 3) * 3 : 0;
    scale[0] = pow(10, -e3);
    if (e3)
      snprintf(ybuf, sizeof ybuf, "%s (1e%d cycles)", per_unit ? "cost per unit of work" : "cost", e3);
    else
      snprintf(ybuf, sizeof ybuf, "%s (cycles)", per_unit ? "cost per unit of work" : "cost");
    ylabel = ybuf;
  } else if (all_native) {
    ylabel = per_unit ? "cycles per unit of work relative to native (ratio)"
                      : "cycles relative to native (ratio)";
  } else {
    ylabel = per_unit ? "cycles per unit of work relative to the largest bar (ratio)"
                      : "cycles relative to the largest bar (ratio)";
  }
  for (size_t wi = 0; wi < nw; wi++)
    for (size_t ti = 0; ti < nt; ti++) {
      stack *s = &st[wi * nt + ti];
      double tot = 0;
      for (size_t m = 0; m < N_MECH && s->n; m++) tot += s->sum[m] / (double)s->n;
      ymax = fmax(ymax, tot * scale[wi]);
    }

  /* legend: the mechanisms that hold any cycles */
  e = sim_calloc(N_MECH, sizeof *e);
  if (!e) {
    sim_free(scale);
    rc = PLOT_ENOMEM;
    goto out;
  }
  size_t ne = 0;
  int used[N_MECH] = {0};
  for (size_t mi = N_MECH; mi-- > 0;) { /* top of the stack first, as the legend reads */
    size_t m = mi;
    for (size_t i = 0; i < nw * nt; i++)
      if (st[i].sum[m] > 0) used[m] = 1;
    if (used[m])
      e[ne++] = (plot_legend_entry){mechs[m], plot_mechanism_colour(mechs[m]), PLOT_KEY_BOX, 0};
  }

  plot_ticks yt;
  if (x->o->log) { /* from the smallest stack boundary: every segment shows */
    double ymin = ymax;
    for (size_t wi = 0; wi < nw; wi++)
      for (size_t ti = 0; ti < nt; ti++) {
        stack *s = &st[wi * nt + ti];
        double base = 0;
        for (size_t m = 0; m < N_MECH && s->n; m++) {
          base += s->sum[m] / (double)s->n * scale[wi];
          if (base > 0) ymin = fmin(ymin, base);
        }
      }
    if (!(ymax > 0)) ymax = ymin = 1;
    plot_log_ticks(ymin, ymax * 1.04, &yt);
  } else {
    plot_nice_ticks(0, ymax * 1.04, 6, &yt);
  }
  /* under each bar its technique, across (in two staggered rows when they
   * do not fit side by side), under each group its workload */
  double slot_w = 0, tech_w = 0, th = 0;
  plot_text_size(x->c, PLOT_FONT_TICK, "0", NULL, &th);
  for (size_t ti = 0; ti < nt; ti++) {
    double w;
    plot_text_size(x->c, PLOT_FONT_TICK, techs.names[ti], &w, NULL);
    tech_w = fmax(tech_w, w);
  }
  plot_box room = plot_frame(x, plot_title_text(x, "cycles by mechanism"), e, ne);
  /* first guess of the area to know the slot width */
  plot_axes_spec spec = {NULL, &yt, nw > 1 ? "workload / technique" : "technique", ylabel, 2};
  plot_axes a;
  plot_axes_layout(x->c, room, &spec, &a);
  slot_w = (a.area.x1 - a.area.x0) / (double)nw * 0.85 / (double)nt;
  /* label rows: a label may span as many slots as there are rows */
  int stagger = (int)ceil(tech_w * 1.08 / slot_w);
  stagger = stagger < 1 ? 1 : stagger > 3 ? 3 : stagger;
  double rows = stagger * 1.1 + 0.1 + (nw > 1 ? 1.0 : 0);
  spec.x_category_rows = rows;
  plot_axes_layout(x->c, room, &spec, &a);
  a.xmin = 0;
  a.xmax = (double)nw;
  plot_axes_draw(x->c, &a, &spec);
  plot_report_axes(x, &a);

  cairo_t *cr = plot_canvas_cr(x->c);
  double gw = (a.area.x1 - a.area.x0) / (double)nw;
  double bw = gw * 0.85 / (double)nt;
  for (size_t wi = 0; wi < nw; wi++) {
    double gx = a.area.x0 + gw * (double)wi + gw * 0.075;
    for (size_t ti = 0; ti < nt; ti++) {
      stack *s = &st[wi * nt + ti];
      double bx0 = round(gx + bw * (double)ti), bx1 = round(gx + bw * (double)(ti + 1)) - 3;
      if (s->n) {
        double base = 0;
        for (size_t m = 0; m < N_MECH; m++) {
          double v = s->sum[m] / (double)s->n * scale[wi];
          if (v <= 0) continue;
          /* on a log axis the first segment starts at the axis */
          double ylo = base > 0 || !a.ylog ? round(plot_ax_y(&a, base)) : a.area.y1;
          double yhi = round(plot_ax_y(&a, base + v));
          ylo = fmin(ylo, a.area.y1);
          plot_set_colour(x->c, plot_mechanism_colour(mechs[m]));
          cairo_rectangle(cr, bx0, yhi, bx1 - bx0, ylo - yhi);
          cairo_fill(cr);
          base += v;
        }
        plot_mark(x->c, bx0, plot_ax_y(&a, base), bx1, a.area.y1);
        x->rep->bars++;
      }
      /* the name alone: technique colours are the other plots' bars, and
       * next to mechanism colours a strip of them would read as one */
      char label[64];
      plot_fit_text(x->c, PLOT_FONT_TICK, techs.names[ti], slot_w * stagger * 0.96, label,
                    sizeof label);
      double ly = a.area.y1 + 8 + (double)(ti % (size_t)stagger) * th * 1.1;
      cairo_set_source_rgb(cr, 0, 0, 0);
      plot_text(x->c, PLOT_FONT_TICK, (bx0 + bx1) / 2, ly, 0.5, 0, 0, label);
    }
    if (nw > 1) {
      double ty = a.area.y1 + 8 + th * 1.1 * stagger + th * 0.3;
      cairo_set_source_rgb(cr, 0, 0, 0);
      char label[128];
      plot_fit_text(x->c, PLOT_FONT_TICK, workloads.names[wi], gw * 0.95, label, sizeof label);
      plot_text(x->c, PLOT_FONT_TICK, a.area.x0 + gw * ((double)wi + 0.5), ty, 0.5, 0, 0, label);
    }
  }
  sim_free(scale);
  rc = plot_place_legend(x, &a, e, ne);

out:
  sim_free(e);
  sim_free(st);
  plot_vec_free(&rw);
  plot_vec_free(&rt);
  for (size_t m = 0; m < N_MECH; m++) plot_vec_free(&rc_[m]);
  plot_names_free(&workloads);
  plot_names_free(&techs);
  return rc;
}
