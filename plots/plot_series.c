/* plots/plot_series.c: the series kind: one per-guest signal over time
 * (cpu_share, steal, progress ...), one line per chosen guest.
 * Units: time in seconds; values in the signal's unit.
 * Invariants: a guest whose technique is known takes its technique's colour,
 * guests of one technique told apart by dash style (solid, dashed, dotted,
 * dash-dot); guests of unknown technique take palette colours in order.
 * Reads: /entities (kind, name), series/<signal>, and summary/guests (name,
 * technique) when present. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "plots/plot_internal.h"
#include "sim/alloc.h"

typedef struct line {
  double *t, *v; /* seconds, signal unit */
  size_t n;
  char label[128];
  char technique[64]; /* "" when unknown */
} line;

/* The technique of guest `name` in r, into buf ("" when unknown). */
static void technique_of(sim_result *r, const char *name, char *buf, size_t size) {
  char **names = NULL, **techs = NULL;
  size_t nn = 0, nt = 0;
  buf[0] = 0;
  if (sim_result_has(r, "summary/guests") > 0 &&
      sim_result_column_str(r, "summary/guests", "name", &names, &nn) == 0 &&
      sim_result_column_str(r, "summary/guests", "technique", &techs, &nt) == 0)
    for (size_t i = 0; i < nn && i < nt; i++)
      if (!strcmp(names[i], name)) snprintf(buf, size, "%s", techs[i]);
  if (names) sim_result_free_strings(names, nn);
  if (techs) sim_result_free_strings(techs, nt);
}

int plot_series(plot_ctx *x) {
  const char *signal = x->o->signal;
  if (!signal) {
    sim_diag_error(x->diag, NULL, 0, 0,
                   "the series plot needs --signal NAME (cpu_share, steal, progress ...)");
    return PLOT_EINPUT;
  }
  char path[128];
  snprintf(path, sizeof path, "series/%s", signal);
  line *lines = NULL;
  size_t nl = 0, cap = 0;
  const char *unit = NULL;
  int rc = 0;
  for (size_t r = 0; r < x->n_runs && rc == 0; r++) {
    sim_result *res = x->runs[r];
    char **kinds = NULL, **names = NULL;
    size_t nk = 0, nn = 0;
    if ((rc = plot_require(x, res, path)) == 0 && (rc = plot_require(x, res, "entities")) == 0 &&
        (rc = plot_col_str(x, res, "entities", "kind", &kinds, &nk)) == 0)
      rc = plot_col_str(x, res, "entities", "name", &names, &nn);
    if (rc == 0 && !unit) unit = sim_result_column_unit(res, path, "value");
    for (size_t i = 0; rc == 0 && i < nk && i < nn; i++) {
      if (strcmp(kinds[i], "guest") || !plot_list_has(x->o->guests, names[i])) continue;
      int32_t id;
      if (sim_result_entity(res, names[i], &id) < 0) continue;
      if (sim_grow((void **)&lines, &cap, nl + 1, sizeof *lines) < 0) {
        rc = PLOT_ENOMEM;
        break;
      }
      line *l = &lines[nl];
      memset(l, 0, sizeof *l);
      if (sim_result_series(res, signal, id, &l->t, &l->v, &l->n) < 0) continue;
      nl++;
      if (x->n_runs > 1) {
        double run;
        if (sim_result_attr_f64(res, "run_index", &run) == 0)
          snprintf(l->label, sizeof l->label, "%s (run %.0f)", names[i], run);
        else
          snprintf(l->label, sizeof l->label, "%s (file %zu)", names[i], r + 1);
      } else {
        snprintf(l->label, sizeof l->label, "%s", names[i]);
      }
      technique_of(res, names[i], l->technique, sizeof l->technique);
    }
    if (kinds) sim_result_free_strings(kinds, nk);
    if (names) sim_result_free_strings(names, nn);
  }
  if (rc == 0 && nl == 0) {
    sim_diag_error(x->diag, x->n_runs ? sim_result_path(x->runs[0]) : NULL, 0, 0,
                   x->o->guests ? "no guest named in --guests has samples of '%s'"
                                : "no guest has samples of '%s'",
                   signal);
    rc = PLOT_EINPUT;
  }
  plot_legend_entry *e = NULL;
  if (rc) goto out;

  /* colours by technique when every guest's is known */
  int by_technique = 1;
  for (size_t i = 0; i < nl; i++)
    if (!lines[i].technique[0]) by_technique = 0;
  plot_names met = {0}; /* the techniques drawn, each given its place in the order */
  for (size_t i = 0; by_technique && i < nl && rc == 0; i++)
    if (plot_names_add(&met, lines[i].technique) < 0) rc = PLOT_ENOMEM;
  if (rc == 0 && by_technique) rc = plot_techniques_note(x, &met);
  plot_names_free(&met);
  if (rc) goto out;
  e = sim_calloc(nl, sizeof *e);
  if (!e) {
    rc = PLOT_ENOMEM;
    goto out;
  }
  double tmin = INFINITY, tmax = -INFINITY, vmin = 0, vmax = -INFINITY;
  for (size_t i = 0; i < nl; i++) {
    for (size_t k = 0; k < lines[i].n; k++) {
      tmin = fmin(tmin, lines[i].t[k]);
      tmax = fmax(tmax, lines[i].t[k]);
      if (isfinite(lines[i].v[k])) {
        vmin = fmin(vmin, lines[i].v[k]);
        vmax = fmax(vmax, lines[i].v[k]);
      }
    }
    if (by_technique && !strstr(lines[i].label, lines[i].technique)) {
      /* "web (pv)": the technique is what the colour stands for */
      size_t len = strlen(lines[i].label);
      snprintf(lines[i].label + len, sizeof lines[i].label - len, " (%s)", lines[i].technique);
    }
    int same = 0; /* earlier guests of the same technique */
    for (size_t j = 0; by_technique && j < i; j++)
      if (!strcmp(lines[i].technique, lines[j].technique)) same++;
    e[i] = (plot_legend_entry){lines[i].label,
                               by_technique ? plot_technique_colour(x, lines[i].technique)
                                            : plot_palette(i),
                               PLOT_KEY_LINE, by_technique ? same : (int)(i / 7)};
  }
  if (!isfinite(tmin)) tmin = 0, tmax = 1;
  if (!isfinite(vmax)) vmax = 1;
  int fraction = unit && !strcmp(unit, "1") && vmin >= 0 && vmax <= 1;
  plot_ticks xt, yt;
  plot_nice_ticks(tmin, tmax, 7, &xt);
  plot_nice_ticks(vmin, fraction ? 1 : vmax * 1.05, 6, &yt);
  char ylabel[160];
  if (unit && *unit && strcmp(unit, "1"))
    snprintf(ylabel, sizeof ylabel, "%s (%s)", signal, unit);
  else
    snprintf(ylabel, sizeof ylabel, "%s", signal);
  char title[200];
  snprintf(title, sizeof title, "%s: %s", plot_title_text(x, "guests"), signal);
  plot_box room = plot_frame(x, x->o->title ? x->o->title : title, e, nl);
  plot_axes_spec spec = {&xt, &yt, "time (s)", ylabel, 0};
  plot_axes a;
  plot_axes_layout(x->c, room, &spec, &a);
  plot_axes_draw(x->c, &a, &spec);
  plot_report_axes(x, &a);
  for (size_t i = 0; i < nl; i++)
    plot_polyline(x, &a, lines[i].t, lines[i].v, lines[i].n, e[i].colour, e[i].dash, 3.5);
  rc = plot_place_legend(x, &a, e, nl);

out:
  sim_free(e);
  for (size_t i = 0; i < nl; i++) {
    sim_free(lines[i].t);
    sim_free(lines[i].v);
  }
  sim_free(lines);
  return rc;
}
