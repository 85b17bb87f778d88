/* plots/plot_series.c: the series kind: one per-guest signal over time
 * (cpu_share, steal, progress ...), one line per chosen guest, in one panel
 * or in small multiples: one panel per technique or workload (--group; by
 * technique by default past PANEL_THRESHOLD guests, whose legend would
 * otherwise cover the plot).
 * Units: time in seconds; values in the signal's unit, named on the axis
 * (the dataset's unit attribute); large values with SI prefixes.
 * Invariants: a guest whose technique is known takes its technique's colour,
 * guests of one technique told apart by shade and dash style (plot_variant),
 * so no two lines look alike; guests of unknown technique are grey.  Every
 * label reads "guest (technique)" unless the panel names the technique.
 * Panels share their axes' ranges; their legends sit beside them, never on
 * data.
 * Reads: /entities (kind, name), series/<signal>, and summary/guests (name,
 * technique, workload) when present. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "plots/plot_internal.h"
#include "sim/alloc.h"

#define PANEL_THRESHOLD 8 /* guests in one panel at most, by default */

typedef struct line {
  double *t, *v; /* seconds, signal unit */
  size_t n;
  char label[160];
  char technique[64]; /* "" when unknown */
  char workload[64];  /* "" when unknown */
  size_t panel;       /* index into the panels */
  plot_rgb colour;
  int dash;
} line;

/* The technique and workload of guest `name` in r ("" when unknown). */
static void guest_of(sim_result *r, const char *name, line *l) {
  char **names = NULL, **techs = NULL, **works = NULL;
  size_t nn = 0, nt = 0, nw = 0;
  if (sim_result_has(r, "summary/guests") > 0 &&
      sim_result_column_str(r, "summary/guests", "name", &names, &nn) == 0) {
    if (sim_result_column_str(r, "summary/guests", "technique", &techs, &nt) < 0) nt = 0;
    if (sim_result_column_str(r, "summary/guests", "workload", &works, &nw) < 0) nw = 0;
    for (size_t i = 0; i < nn; i++)
      if (!strcmp(names[i], name)) {
        if (i < nt) snprintf(l->technique, sizeof l->technique, "%s", techs[i]);
        if (i < nw) snprintf(l->workload, sizeof l->workload, "%s", works[i]);
      }
  }
  sim_result_free_strings(names, nn);
  sim_result_free_strings(techs, nt);
  sim_result_free_strings(works, nw);
}

/* The y axis label: what the signal is, with its unit (DATASETS.md lists
 * the signals; a dimensionless one says what it is a fraction of). */
static void value_label(const char *signal, const char *unit, char *buf, size_t size) {
  static const struct {
    const char *signal, *label;
  } known[] = {
      {"progress", "progress (fraction of the work)"},
      {"cpu_share", "CPU share (CPUs)"},
      {"steal", "steal (vCPUs waiting)"},
      {"vcpu_steal", "vCPU steal (fraction of the interval)"},
      {"migration_guest_service", "guest service (fraction of unimpeded)"},
  };
  for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
    if (!strcmp(signal, known[i].signal)) {
      snprintf(buf, size, "%s", known[i].label);
      return;
    }
  char name[128];
  snprintf(name, sizeof name, "%s", signal);
  size_t len = strlen(name);
  /* a unit spelled in the name is said by the axis: drop it */
  if (len > 4 && !strcmp(name + len - 4, "_bps")) name[len - 4] = '\0';
  if (!strncmp(name, "migration_", 10)) memmove(name, name + 10, strlen(name + 10) + 1);
  for (char *p = name; *p; p++)
    if (*p == '_') *p = ' ';
  if (unit && *unit && strcmp(unit, "1"))
    snprintf(buf, size, "%s (%s)", name, unit);
  else
    snprintf(buf, size, "%s (dimensionless)", name);
}

int plot_series(plot_ctx *x) {
  const char *signal = x->o->signal;
  if (!signal) {
    sim_diag_error(x->diag, NULL, 0, 0,
                   "the series plot needs --signal NAME (cpu_share, steal, progress ...)");
    return PLOT_EINPUT;
  }
  const char *group = x->o->group;
  if (group && strcmp(group, "technique") && strcmp(group, "workload") && strcmp(group, "none")) {
    sim_diag_error(x->diag, NULL, 0, 0, "--group takes technique, workload or none, not '%s'",
                   group);
    return PLOT_EINPUT;
  }
  char path[128];
  snprintf(path, sizeof path, "series/%s", signal);
  line *lines = NULL;
  size_t nl = 0, cap = 0;
  const char *unit = NULL;
  plot_names panels = {0};
  plot_legend_entry *e = NULL;
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
      guest_of(res, names[i], l);
      int64_t run;
      if (x->n_runs > 1 && sim_result_attr_i64(res, "run_index", &run) == 0)
        snprintf(l->label, sizeof l->label, "%s, run %lld", names[i], (long long)run);
      else if (x->n_runs > 1)
        snprintf(l->label, sizeof l->label, "%s, file %zu", names[i], r + 1);
      else
        snprintf(l->label, sizeof l->label, "%s", names[i]);
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
  if (rc) goto out;
  if (!group) group = nl > PANEL_THRESHOLD ? "technique" : "none";
  int by_tech = !strcmp(group, "technique"), by_work = !strcmp(group, "workload");

  /* every technique drawn gets its place (and colour) in the order */
  plot_names met = {0};
  for (size_t i = 0; i < nl && rc == 0; i++)
    if (lines[i].technique[0] && plot_names_add(&met, lines[i].technique) < 0) rc = PLOT_ENOMEM;
  if (rc == 0) rc = plot_techniques_note(x, &met);
  if (rc == 0 && by_tech) { /* panels in the techniques' order */
    rc = plot_names_sort_techniques(x, &met);
    for (size_t i = 0; i < met.n && rc == 0; i++)
      if (plot_names_add(&panels, met.names[i]) < 0) rc = PLOT_ENOMEM;
  }
  plot_names_free(&met);
  for (size_t i = 0; i < nl && rc == 0; i++) {
    line *l = &lines[i];
    const char *key = by_tech ? l->technique : by_work ? l->workload : "";
    if (!*key && (by_tech || by_work)) key = by_tech ? "technique unknown" : "workload unknown";
    int p = plot_names_add(&panels, key);
    if (p < 0) {
      rc = PLOT_ENOMEM;
      break;
    }
    l->panel = (size_t)p;
    size_t same = 0, unknown = 0; /* earlier lines of this technique, of none */
    for (size_t j = 0; j < i; j++) {
      if (l->technique[0] && !strcmp(lines[j].technique, l->technique)) same++;
      if (!lines[j].technique[0]) unknown++;
    }
    if (l->technique[0])
      plot_variant(plot_technique_colour(x, l->technique), same, &l->colour, &l->dash);
    else
      plot_variant(plot_neutral(0), unknown, &l->colour, &l->dash);
    if (!by_tech && l->technique[0]) { /* the colour stands for the technique: say it */
      size_t len = strlen(l->label);
      snprintf(l->label + len, sizeof l->label - len, " (%s)", l->technique);
    }
  }
  if (rc) goto out;
  e = sim_calloc(nl, sizeof *e);
  if (!e) {
    rc = PLOT_ENOMEM;
    goto out;
  }

  double tmin = INFINITY, tmax = -INFINITY, vmin = 0, vmax = -INFINITY;
  for (size_t i = 0; i < nl; i++)
    for (size_t k = 0; k < lines[i].n; k++) {
      tmin = fmin(tmin, lines[i].t[k]);
      tmax = fmax(tmax, lines[i].t[k]);
      if (isfinite(lines[i].v[k])) {
        vmin = fmin(vmin, lines[i].v[k]);
        vmax = fmax(vmax, lines[i].v[k]);
      }
    }
  if (!isfinite(tmin)) tmin = 0, tmax = 1;
  if (!isfinite(vmax)) vmax = 1;
  int fraction = unit && !strcmp(unit, "1") && vmin >= 0 && vmax <= 1;
  plot_ticks xt, yt;
  plot_nice_ticks(tmin, tmax, panels.n > 2 ? 5 : 7, &xt);
  plot_nice_ticks(vmin, fraction ? 1 : vmax * 1.05, panels.n > 2 ? 5 : 6, &yt);
  char ylabel[160];
  value_label(signal, unit, ylabel, sizeof ylabel);
  char title[200];
  snprintf(title, sizeof title, "%s: %s", plot_title_text(x, "guests"), signal);

  if (panels.n <= 1) { /* one panel: the legend in a free corner, else in a band */
    for (size_t i = 0; i < nl; i++)
      e[i] = (plot_legend_entry){lines[i].label, lines[i].colour, PLOT_KEY_LINE, lines[i].dash};
    plot_box room = plot_frame(x, x->o->title ? x->o->title : title, e, nl);
    plot_axes_spec spec = {&xt, &yt, "time (s)", ylabel, 0};
    plot_axes a;
    plot_axes_layout(x->c, room, &spec, &a);
    plot_axes_draw(x->c, &a, &spec);
    plot_report_axes(x, &a);
    for (size_t i = 0; i < nl; i++)
      plot_polyline(x, &a, lines[i].t, lines[i].v, lines[i].n, lines[i].colour, lines[i].dash,
                    3.5);
    rc = plot_place_legend(x, &a, e, nl);
    goto out;
  }

  /* small multiples: a grid of panels, each with its legend at its right */
  plot_box room = plot_frame(x, x->o->title ? x->o->title : title, NULL, 0);
  size_t cols = panels.n <= 3 ? panels.n : (size_t)ceil(sqrt((double)panels.n));
  size_t rows = (panels.n + cols - 1) / cols;
  double pw = (room.x1 - room.x0) / (double)cols, ph = (room.y1 - room.y0) / (double)rows;
  double label_h;
  plot_text_size(x->c, PLOT_FONT_LABEL, "0", NULL, &label_h);
  for (size_t p = 0; p < panels.n; p++) {
    size_t col = p % cols, row = p / cols;
    plot_box box = {room.x0 + pw * (double)col, room.y0 + ph * (double)row,
                    room.x0 + pw * (double)(col + 1), room.y0 + ph * (double)(row + 1)};
    size_t ne = 0;
    double legend_w = 0;
    for (size_t i = 0; i < nl; i++)
      if (lines[i].panel == p) {
        e[ne++] = (plot_legend_entry){lines[i].label, lines[i].colour, PLOT_KEY_LINE, lines[i].dash};
        double w;
        plot_text_size(x->c, PLOT_FONT_LEGEND, lines[i].label, &w, NULL);
        legend_w = fmax(legend_w, w);
      }
    legend_w = fmin(legend_w + 90, (box.x1 - box.x0) * 0.5);
    cairo_set_source_rgb(plot_canvas_cr(x->c), 0, 0, 0);
    char name[96];
    plot_fit_text(x->c, PLOT_FONT_LABEL, panels.names[p], box.x1 - box.x0 - 20, name, sizeof name);
    plot_text(x->c, PLOT_FONT_LABEL, (box.x0 + box.x1 - legend_w) / 2, box.y0 + 2, 0.5, 0, 0,
              name);
    plot_box axes_room = {box.x0, box.y0 + label_h + 8, box.x1 - legend_w, box.y1 - 6};
    plot_axes_spec spec = {&xt, &yt, row + 1 == rows || p + cols >= panels.n ? "time (s)" : NULL,
                           col == 0 ? ylabel : NULL, 0};
    plot_axes a;
    plot_axes_layout(x->c, axes_room, &spec, &a);
    plot_axes_draw(x->c, &a, &spec);
    if (p == 0) plot_report_axes(x, &a);
    for (size_t i = 0; i < nl; i++)
      if (lines[i].panel == p)
        plot_polyline(x, &a, lines[i].t, lines[i].v, lines[i].n, lines[i].colour,
                      lines[i].dash, 3);
    plot_legend_column(x->c, a.area.x1 + 18, a.area.y0, legend_w - 20, e, ne);
  }

out:
  sim_free(e);
  plot_names_free(&panels);
  for (size_t i = 0; i < nl; i++) {
    sim_free(lines[i].t);
    sim_free(lines[i].v);
  }
  sim_free(lines);
  return rc;
}
