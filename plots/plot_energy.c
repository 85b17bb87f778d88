/* plots/plot_energy.c: the energy kind: the energy/SLA comparison of
 * consolidation policies ([BB12] Section 8: energy, SLATAH, PDM, SLAV).
 * Four panels stacked on one category axis, one bar per policy: energy,
 * SLAV, SLATAH and PDM, each the mean over replications with its 95%
 * Student-t interval as an error bar.  Two inputs:
 *  - several results with summary/datacenter (one row each): a policy is the
 *    run's placement, overload detector and threshold, safety parameter and
 *    VM selection, and is labelled by those of them that differ between the
 *    runs; results of one policy are its replications;
 *  - one collected sweep summary (`vdcsim sweep`, DATASETS.md "Sweeps"): a
 *    policy is a point, labelled by its swept values (one line per swept
 *    parameter), its columns datacenter_<m>_mean and _ci95.
 * Units: energy in kWh; SLAV, SLATAH and PDM (dimensionless shares) in %.
 * Invariants: bars start at 0; categories keep the order the policies first
 * appear in (command line, or point index).
 * Reads: summary/datacenter (energy_kwh, slav, slatah, pdm, placement,
 * overload, threshold, safety, vm_selection); or points (point, the swept
 * parameters of root attribute sweep_params, datacenter_*_mean/_ci95). */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plots/plot_internal.h"
#include "sim/alloc.h"

#define DATACENTER "summary/datacenter"
#define POINTS "points"
#define N_METRICS 4
#define N_POLICY 5      /* the columns that make a policy */
#define MAX_LINES N_POLICY /* label lines of a category (fields or swept parameters shown) */

static const char *const metric_col[N_METRICS] = {"energy_kwh", "slav", "slatah", "pdm"};
static const char *const metric_label[N_METRICS] = {"energy (kWh)", "SLAV (%)", "SLATAH (%)",
                                                    "PDM (%)"};
static const double metric_scale[N_METRICS] = {1, 100, 100, 100}; /* shares shown in % */
static const char *const policy_col[N_POLICY] = {"placement", "overload", "threshold", "safety",
                                                 "vm_selection"};

/* One bar of each panel. */
typedef struct category {
  char label[MAX_LINES][64];       /* its label, one line per shown field */
  plot_vec values[N_METRICS];      /* one value per replication (results) */
  double mean[N_METRICS], half[N_METRICS]; /* shown value and CI half-width, display units */
} category;

/* The policy fields of a result's summary/datacenter row, as text. */
static int policy_of(plot_ctx *x, sim_result *res, char fields[N_POLICY][64]) {
  for (size_t f = 0; f < N_POLICY; f++) {
    char **s = NULL;
    double *v = NULL;
    size_t n = 0;
    if (sim_result_column_str(res, DATACENTER, policy_col[f], &s, &n) == 0 && n) {
      snprintf(fields[f], 64, "%s", s[0]);
    } else if (plot_col_f64(x, res, DATACENTER, policy_col[f], &v, &n) == 0 && n) {
      snprintf(fields[f], 64, "%s %g", policy_col[f], v[0]);
    } else {
      if (s) sim_result_free_strings(s, n);
      sim_free(v);
      return PLOT_EINPUT;
    }
    if (s) sim_result_free_strings(s, n);
    sim_free(v);
  }
  return 0;
}

/* Categories from results: one per distinct policy. */
static int from_results(plot_ctx *x, category **cats, size_t *nc, size_t *lines) {
  char (*fields)[N_POLICY][64] = sim_calloc(x->n_runs, sizeof *fields);
  int rc = fields ? 0 : PLOT_ENOMEM;
  for (size_t r = 0; r < x->n_runs && rc == 0; r++)
    if ((rc = plot_require(x, x->runs[r], DATACENTER)) == 0) rc = policy_of(x, x->runs[r], fields[r]);
  /* the fields that tell policies apart; all of them when none does */
  bool differs[N_POLICY] = {false};
  size_t shown = 0;
  for (size_t f = 0; f < N_POLICY && rc == 0; f++) {
    for (size_t r = 1; r < x->n_runs; r++) differs[f] |= strcmp(fields[r][f], fields[0][f]) != 0;
    shown += differs[f];
  }
  if (shown == 0)
    for (size_t f = 0; f < N_POLICY; f++) differs[f] = f != 3 && f != 2; /* placement, overload, selection */
  *cats = sim_calloc(x->n_runs ? x->n_runs : 1, sizeof **cats);
  if (rc == 0 && !*cats) rc = PLOT_ENOMEM;
  *nc = 0;
  *lines = 1;
  for (size_t r = 0; r < x->n_runs && rc == 0; r++) {
    char key[N_POLICY * 64 + N_POLICY] = "";
    for (size_t f = 0; f < N_POLICY; f++)
      if (differs[f]) {
        strcat(key, fields[r][f]);
        strcat(key, "\n");
      }
    size_t c = 0;
    while (c < *nc) { /* the same policy: a replication of it */
      char other[sizeof key] = "";
      for (size_t l = 0; l < MAX_LINES && (*cats)[c].label[l][0]; l++) {
        strcat(other, (*cats)[c].label[l]);
        strcat(other, "\n");
      }
      if (!strcmp(other, key)) break;
      c++;
    }
    if (c == *nc) {
      size_t l = 0;
      for (size_t f = 0; f < N_POLICY && l < MAX_LINES; f++)
        if (differs[f]) snprintf((*cats)[c].label[l++], 64, "%s", fields[r][f]);
      if (l > *lines) *lines = l;
      (*nc)++;
    }
    for (size_t m = 0; m < N_METRICS && rc == 0; m++) {
      double *v = NULL;
      size_t n = 0;
      rc = plot_col_f64(x, x->runs[r], DATACENTER, metric_col[m], &v, &n);
      if (rc == 0 && n && isfinite(v[0]) && plot_vec_push(&(*cats)[c].values[m], v[0] * metric_scale[m]))
        rc = PLOT_ENOMEM;
      sim_free(v);
    }
  }
  for (size_t c = 0; c < *nc; c++)
    for (size_t m = 0; m < N_METRICS; m++)
      plot_mean_ci95((*cats)[c].values[m].v, (*cats)[c].values[m].n, &(*cats)[c].mean[m],
                     &(*cats)[c].half[m]);
  sim_free(fields);
  return rc;
}

/* Categories from a sweep summary: one per point, labelled by its values. */
static int from_summary(plot_ctx *x, sim_result *res, category **cats, size_t *nc, size_t *lines,
                        char *xlabel, size_t xlabel_size) {
  const char *params = sim_result_attr_str(res, "sweep_params");
  double *point = NULL, *mean[N_METRICS] = {NULL}, *half[N_METRICS] = {NULL};
  size_t n = 0, k = 0;
  int rc = plot_col_f64(x, res, POINTS, "point", &point, &n);
  for (size_t m = 0; m < N_METRICS && rc == 0; m++) {
    char name[96];
    snprintf(name, sizeof name, "datacenter_%s_mean", metric_col[m]);
    if (sim_result_column_f64(res, POINTS, name, &mean[m], &k) < 0) {
      sim_diag_error(x->diag, sim_result_path(res), 0, 0,
                     "no column '%s' in 'points': its runs have no datacenter section (the "
                     "energy plot reads summary/datacenter)",
                     name);
      rc = PLOT_EINPUT;
      break;
    }
    snprintf(name, sizeof name, "datacenter_%s_ci95", metric_col[m]);
    rc = plot_col_f64(x, res, POINTS, name, &half[m], &k);
  }
  *cats = rc == 0 ? sim_calloc(n ? n : 1, sizeof **cats) : NULL;
  if (rc == 0 && !*cats) rc = PLOT_ENOMEM;
  *nc = 0;
  *lines = 0;
  size_t *first_row = rc == 0 ? sim_calloc(n ? n : 1, sizeof *first_row) : NULL;
  if (rc == 0 && !first_row) rc = PLOT_ENOMEM;
  for (size_t i = 0; i < n && rc == 0; i++) /* rows are per (point, guest): a point's first */
    if (i == 0 || point[i] != point[i - 1]) first_row[(*nc)++] = i;
  xlabel[0] = 0;
  for (const char *p = params; p && *p && rc == 0 && *lines < MAX_LINES;) {
    size_t len = strcspn(p, "\n");
    char path[256];
    snprintf(path, sizeof path, "%.*s", (int)len, p);
    char **s = NULL;
    double *v = NULL;
    size_t nv = 0;
    int text = sim_result_column_str(res, POINTS, path, &s, &nv) == 0;
    if (!text) rc = plot_col_f64(x, res, POINTS, path, &v, &nv);
    for (size_t c = 0; c < *nc && rc == 0; c++) {
      size_t row = first_row[c];
      if (text) snprintf((*cats)[c].label[*lines], 64, "%s", s[row]);
      else snprintf((*cats)[c].label[*lines], 64, "%g", v[row]);
    }
    const char *leaf = strrchr(path, '.');
    size_t used = strlen(xlabel);
    snprintf(xlabel + used, xlabel_size - used, "%s%s", used ? " / " : "", leaf ? leaf + 1 : path);
    if (s) sim_result_free_strings(s, nv);
    sim_free(v);
    (*lines)++;
    p += len + (p[len] == '\n');
  }
  for (size_t c = 0; c < *nc && rc == 0; c++)
    for (size_t m = 0; m < N_METRICS; m++) {
      size_t row = first_row[c];
      (*cats)[c].mean[m] = mean[m][row] * metric_scale[m];
      (*cats)[c].half[m] = isfinite(half[m][row]) ? half[m][row] * metric_scale[m] : 0;
    }
  if (*lines == 0) *lines = 1;
  sim_free(first_row);
  sim_free(point);
  for (size_t m = 0; m < N_METRICS; m++) {
    sim_free(mean[m]);
    sim_free(half[m]);
  }
  return rc;
}

int plot_energy(plot_ctx *x) {
  category *cats = NULL;
  size_t nc = 0, lines = 1;
  char xlabel[300] = "policy";
  int summary = x->n_runs == 1 && sim_result_has(x->runs[0], POINTS) > 0;
  int rc = summary ? from_summary(x, x->runs[0], &cats, &nc, &lines, xlabel, sizeof xlabel)
                   : from_results(x, &cats, &nc, &lines);
  if (rc == 0 && nc == 0) {
    sim_diag_error(x->diag, x->n_runs ? sim_result_path(x->runs[0]) : NULL, 0, 0,
                   "no policy to compare");
    rc = PLOT_EINPUT;
  }
  if (rc) goto out;
  char title[300];
  snprintf(title, sizeof title, "%s: energy and SLA by policy", plot_title_text(x, "consolidation"));
  plot_box room = plot_frame(x, x->o->title ? x->o->title : title, NULL, 0);
  /* panels share the room's height; the last one keeps the category labels */
  double th;
  plot_text_size(x->c, PLOT_FONT_TICK, "0", NULL, &th);
  double labels_h = (double)lines * th * 1.15 + 14 + th * 1.6; /* category rows, x label */
  double panel_h = (room.y1 - room.y0 - labels_h) / N_METRICS;
  plot_ticks yt[N_METRICS];
  plot_axes a[N_METRICS];
  plot_axes_spec spec[N_METRICS];
  double x0 = room.x0;
  for (size_t m = 0; m < N_METRICS; m++) {
    double hi = 0;
    for (size_t c = 0; c < nc; c++) hi = fmax(hi, cats[c].mean[m] + cats[c].half[m]);
    plot_nice_ticks(0, hi > 0 ? hi * 1.05 : 1, 4, &yt[m]);
    bool last = m + 1 == N_METRICS;
    spec[m] = (plot_axes_spec){NULL, &yt[m], last ? xlabel : NULL, metric_label[m],
                               last ? (double)lines : 0};
    plot_box r = {room.x0, room.y0 + panel_h * (double)m, room.x1,
                  room.y0 + panel_h * (double)(m + 1) + (last ? labels_h : 0)};
    plot_axes_layout(x->c, r, &spec[m], &a[m]);
    x0 = fmax(x0, a[m].area.x0);
  }
  cairo_t *cr = plot_canvas_cr(x->c);
  double gw = 0;
  for (size_t m = 0; m < N_METRICS; m++) {
    a[m].area.x0 = x0; /* panels aligned on the widest tick labels */
    a[m].xmin = 0;
    a[m].xmax = (double)nc;
    plot_axes_draw(x->c, &a[m], &spec[m]);
    if (m == 0) plot_report_axes(x, &a[m]);
    gw = (a[m].area.x1 - a[m].area.x0) / (double)nc;
    double y0 = round(plot_ax_y(&a[m], 0));
    for (size_t c = 0; c < nc; c++) {
      double bx0 = round(a[m].area.x0 + gw * ((double)c + 0.15));
      double bx1 = round(a[m].area.x0 + gw * ((double)c + 0.85));
      double by = round(plot_ax_y(&a[m], cats[c].mean[m]));
      plot_set_colour(x->c, plot_neutral(1));
      cairo_rectangle(cr, bx0, by, bx1 - bx0, y0 - by);
      cairo_fill(cr);
      plot_mark(x->c, bx0, by, bx1, y0);
      x->rep->bars++;
      if (cats[c].half[m] > 0) {
        double cx = (bx0 + bx1) / 2, cap = (bx1 - bx0) * 0.25;
        double lo = plot_ax_y(&a[m], fmax(0, cats[c].mean[m] - cats[c].half[m]));
        double hi = plot_ax_y(&a[m], cats[c].mean[m] + cats[c].half[m]);
        cairo_set_source_rgb(cr, 0, 0, 0);
        cairo_set_line_width(cr, 2.5);
        cairo_move_to(cr, cx, lo);
        cairo_line_to(cr, cx, hi);
        cairo_move_to(cr, cx - cap, hi);
        cairo_line_to(cr, cx + cap, hi);
        cairo_move_to(cr, cx - cap, lo);
        cairo_line_to(cr, cx + cap, lo);
        cairo_stroke(cr);
        plot_mark(x->c, cx - cap, hi, cx + cap, lo);
      }
    }
  }
  /* the category labels under the last panel, one line per field */
  const plot_axes *last = &a[N_METRICS - 1];
  cairo_set_source_rgb(cr, 0, 0, 0);
  /* many policies: the smaller note font before shortening names with "..." */
  plot_font font = PLOT_FONT_TICK;
  for (size_t c = 0; c < nc; c++)
    for (size_t l = 0; l < lines; l++) {
      double w;
      plot_text_size(x->c, PLOT_FONT_TICK, cats[c].label[l], &w, NULL);
      if (w > gw * 0.95) font = PLOT_FONT_NOTE;
    }
  for (size_t c = 0; c < nc; c++)
    for (size_t l = 0; l < lines; l++) {
      char label[64];
      plot_fit_text(x->c, font, cats[c].label[l], gw * 0.95, label, sizeof label);
      plot_text(x->c, font, last->area.x0 + gw * ((double)c + 0.5),
                last->area.y1 + 14 + (double)l * th * 1.15, 0.5, 0, 0, label);
    }
out:
  for (size_t c = 0; cats && c < nc; c++)
    for (size_t m = 0; m < N_METRICS; m++) plot_vec_free(&cats[c].values[m]);
  sim_free(cats);
  return rc;
}
