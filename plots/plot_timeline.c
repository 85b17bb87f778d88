/* plots/plot_timeline.c: the timeline kind: every migration of a run as a
 * bar from its start to its end on its guest's row (--by route: on its
 * source -> destination row), its downtime marked black, coloured by why it
 * happened; under it, the number of migrations in progress over time.
 * Units: time in s, min or h by the run's length; counts of migrations.
 * Invariants: rows in the order of their first migration; a bar is at least
 * MIN_BAR pixels wide and a downtime mark at least 2, so a 50 s migration
 * in a day-long run and a 20 ms stop stay visible; colours are Paul Tol's
 * colour-blind-safe muted set, none of them a technique's colour.
 * Reads: datacenter/migrations (start_s, guest, reason, source, destination,
 * duration_s: start to running at the destination, downtime_s: its end)
 * when present; else migration/summary (migration, guest, strategy, source,
 * destination, total_time_s, downtime_s) with migration/rounds (migration,
 * start_s, duration_s: the first round's start, the last round's end for an
 * unfinished one), the reason being "scripted, <strategy>", and the downtime
 * ending at the migration_switchover event of /events (entities name the
 * migration) or, when the run kept no events, at the migration's end. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plots/plot_internal.h"
#include "sim/alloc.h"

#define DC_MIGRATIONS "datacenter/migrations"
#define SUMMARY "migration/summary"
#define ROUNDS "migration/rounds"
#define MIN_BAR 6.0      /* pixels: wide enough to show its colour beside a downtime mark */
#define NAMED_ROWS 40    /* up to this many rows, each is labelled by its name */

typedef struct span {
  int row, reason;          /* indices into the row and reason names */
  double start, end;        /* s */
  double down0, down1;      /* the downtime, s */
} span;

static int cmp_span_start(const void *a, const void *b) {
  const span *p = a, *q = b;
  return (p->start > q->start) - (p->start < q->start);
}

/* Tol's muted colours for reasons, in order of first appearance after the
 * two consolidation reasons (which keep theirs in every plot). */
static plot_rgb reason_colour(const char *reason, size_t other) {
  static const plot_rgb more[5] = {{0.867, 0.800, 0.467}, {0.267, 0.667, 0.600},
                                   {0.533, 0.133, 0.333}, {0.600, 0.600, 0.200},
                                   {0.667, 0.267, 0.600}};
  if (!strcmp(reason, "overload")) return (plot_rgb){0.800, 0.400, 0.467}; /* rose #CC6677 */
  if (!strcmp(reason, "underload")) return (plot_rgb){0.533, 0.800, 0.933}; /* cyan #88CCEE */
  return more[other % 5];
}

/* The row key of a migration. */
static void row_key(int by_route, const char *guest, const char *src, const char *dst, char *buf,
                    size_t size) {
  if (by_route) snprintf(buf, size, "%s -> %s", src, dst);
  else snprintf(buf, size, "%s", guest);
}

/* Migrations of a consolidation run. */
static int read_datacenter(plot_ctx *x, sim_result *res, int by_route, plot_names *rows,
                           plot_names *reasons, span **out, size_t *n_out) {
  char **g = NULL, **why = NULL, **src = NULL, **dst = NULL;
  double *start = NULL, *dur = NULL, *down = NULL;
  size_t n = 0, k = 0, ng = 0, nw = 0, ns = 0, nd = 0;
  int rc;
  if ((rc = plot_col_f64(x, res, DC_MIGRATIONS, "start_s", &start, &n)) == 0 &&
      (rc = plot_col_f64(x, res, DC_MIGRATIONS, "duration_s", &dur, &k)) == 0 &&
      (rc = plot_col_f64(x, res, DC_MIGRATIONS, "downtime_s", &down, &k)) == 0 &&
      (rc = plot_col_str(x, res, DC_MIGRATIONS, "guest", &g, &ng)) == 0 &&
      (rc = plot_col_str(x, res, DC_MIGRATIONS, "reason", &why, &nw)) == 0 &&
      (rc = plot_col_str(x, res, DC_MIGRATIONS, "source", &src, &ns)) == 0)
    rc = plot_col_str(x, res, DC_MIGRATIONS, "destination", &dst, &nd);
  *out = rc == 0 ? sim_calloc(n ? n : 1, sizeof **out) : NULL;
  if (rc == 0 && !*out) rc = PLOT_ENOMEM;
  for (size_t i = 0; rc == 0 && i < n && i < ng && i < nw && i < ns && i < nd; i++) {
    double end = start[i] + dur[i];
    int r = plot_names_add(reasons, why[i]);
    if (r < 0) rc = PLOT_ENOMEM;
    /* row: the table's row for now, its key's index once sorted by start */
    (*out)[(*n_out)++] = (span){(int)i, r, start[i], end, end - down[i], end};
  }
  /* rows come in order of first migration */
  if (rc == 0) {
    qsort(*out, *n_out, sizeof **out, cmp_span_start);
    for (size_t i = 0; rc == 0 && i < *n_out; i++) {
      size_t src_row = (size_t)(*out)[i].row;
      char key[160];
      row_key(by_route, g[src_row], src[src_row], dst[src_row], key, sizeof key);
      int r = plot_names_add(rows, key);
      if (r < 0) rc = PLOT_ENOMEM;
      (*out)[i].row = r;
    }
  }
  sim_free(start);
  sim_free(dur);
  sim_free(down);
  if (g) sim_result_free_strings(g, ng);
  if (why) sim_result_free_strings(why, nw);
  if (src) sim_result_free_strings(src, ns);
  if (dst) sim_result_free_strings(dst, nd);
  return rc;
}

/* Scripted migrations (migration/summary and its rounds). */
static int read_scripted(plot_ctx *x, sim_result *res, int by_route, plot_names *rows,
                         plot_names *reasons, span **out, size_t *n_out) {
  char **mig = NULL, **g = NULL, **strat = NULL, **src = NULL, **dst = NULL, **rmig = NULL;
  double *total = NULL, *down = NULL, *rstart = NULL, *rdur = NULL, *resume = NULL;
  size_t n = 0, ng = 0, nst = 0, ns = 0, nd = 0, k = 0, nr = 0, nrm = 0;
  int rc;
  if ((rc = plot_require(x, res, ROUNDS)) == 0 &&
      (rc = plot_col_str(x, res, SUMMARY, "migration", &mig, &n)) == 0 &&
      (rc = plot_col_str(x, res, SUMMARY, "guest", &g, &ng)) == 0 &&
      (rc = plot_col_str(x, res, SUMMARY, "strategy", &strat, &nst)) == 0 &&
      (rc = plot_col_str(x, res, SUMMARY, "source", &src, &ns)) == 0 &&
      (rc = plot_col_str(x, res, SUMMARY, "destination", &dst, &nd)) == 0 &&
      (rc = plot_col_f64(x, res, SUMMARY, "total_time_s", &total, &k)) == 0 &&
      (rc = plot_col_f64(x, res, SUMMARY, "downtime_s", &down, &k)) == 0 &&
      (rc = plot_col_str(x, res, ROUNDS, "migration", &rmig, &nrm)) == 0 &&
      (rc = plot_col_f64(x, res, ROUNDS, "start_s", &rstart, &nr)) == 0)
    rc = plot_col_f64(x, res, ROUNDS, "duration_s", &rdur, &k);
  resume = rc == 0 ? sim_malloc((n ? n : 1) * sizeof *resume) : NULL;
  *out = rc == 0 ? sim_calloc(n ? n : 1, sizeof **out) : NULL;
  if (rc == 0 && (!*out || !resume)) rc = PLOT_ENOMEM;
  if (rc == 0) rc = plot_switchovers(x, res, mig, n, resume);
  for (size_t i = 0; rc == 0 && i < n && i < ng && i < nst && i < ns && i < nd; i++) {
    double first = INFINITY, last = -INFINITY;
    for (size_t j = 0; j < nr && j < nrm; j++)
      if (!strcmp(rmig[j], mig[i])) {
        first = fmin(first, rstart[j]);
        last = fmax(last, rstart[j] + rdur[j]);
      }
    if (!isfinite(first)) continue; /* not begun at the run's end */
    double end = isfinite(total[i]) ? first + total[i] : last;
    double d1 = isfinite(resume[i]) ? resume[i] : end;
    double d = isfinite(down[i]) ? down[i] : 0;
    char reason[96];
    snprintf(reason, sizeof reason, "scripted, %s", strat[i]);
    int ri = plot_names_add(reasons, reason);
    if (ri < 0) {
      rc = PLOT_ENOMEM;
      break;
    }
    (*out)[(*n_out)++] = (span){(int)i, ri, first, end, d1 - d, d1};
  }
  if (rc == 0) qsort(*out, *n_out, sizeof **out, cmp_span_start);
  for (size_t i = 0; rc == 0 && i < *n_out; i++) {
    size_t m = (size_t)(*out)[i].row;
    char key[160];
    row_key(by_route, g[m], src[m], dst[m], key, sizeof key);
    int r = plot_names_add(rows, key);
    if (r < 0) rc = PLOT_ENOMEM;
    (*out)[i].row = r;
  }
  char **strs[] = {mig, g, strat, src, dst, rmig};
  size_t lens[] = {n, ng, nst, ns, nd, nrm};
  for (size_t i = 0; i < 6; i++)
    if (strs[i]) sim_result_free_strings(strs[i], lens[i]);
  sim_free(total);
  sim_free(down);
  sim_free(rstart);
  sim_free(rdur);
  sim_free(resume);
  return rc;
}

int plot_timeline(plot_ctx *x) {
  if (x->n_runs != 1) {
    sim_diag_error(x->diag, x->n_runs ? sim_result_path(x->runs[1]) : NULL, 0, 0,
                   "the timeline plot draws one result, not %zu", x->n_runs);
    return PLOT_EINPUT;
  }
  const char *by = x->o->by ? x->o->by : "guest";
  if (strcmp(by, "guest") && strcmp(by, "route")) {
    sim_diag_error(x->diag, NULL, 0, 0, "--by takes 'guest' or 'route', not '%s'", by);
    return PLOT_EINPUT;
  }
  int by_route = !strcmp(by, "route");
  sim_result *res = x->runs[0];
  plot_names rows = {0}, reasons = {0};
  span *spans = NULL;
  size_t ns = 0;
  plot_legend_entry *e = NULL;
  double *cx = NULL, *cy = NULL;
  int rc;
  if (sim_result_has(res, DC_MIGRATIONS) > 0)
    rc = read_datacenter(x, res, by_route, &rows, &reasons, &spans, &ns);
  else if (sim_result_has(res, SUMMARY) > 0)
    rc = read_scripted(x, res, by_route, &rows, &reasons, &spans, &ns);
  else {
    char who[256];
    plot_run_name(res, who, sizeof who);
    sim_diag_error(x->diag, sim_result_path(res), 0, 0,
                   "no dataset '%s' or '%s' in this result (written by %s); the timeline plot "
                   "reads them: the run made no migration",
                   DC_MIGRATIONS, SUMMARY, who);
    return PLOT_EINPUT;
  }
  if (rc == 0 && ns == 0) {
    sim_diag_error(x->diag, sim_result_path(res), 0, 0, "no migration took place in this run");
    rc = PLOT_EINPUT;
  }
  if (rc) goto out;
  double t_end = 0, run_s;
  if (sim_result_attr_f64(res, "simulated_ns", &run_s) == 0) t_end = run_s * 1e-9;
  for (size_t i = 0; i < ns; i++) t_end = fmax(t_end, spans[i].end);
  double tunit;
  const char *tname;
  plot_ticks xt, yt, ct;
  plot_time_ticks(0, t_end, &tunit, &tname, &xt);
  /* legend: reasons, then the downtime */
  e = sim_calloc(reasons.n + 1, sizeof *e);
  cx = sim_malloc((2 * ns + 2) * sizeof *cx);
  cy = sim_malloc((2 * ns + 2) * sizeof *cy);
  if (!e || !cx || !cy) {
    rc = PLOT_ENOMEM;
    goto out;
  }
  size_t others = 0;
  for (size_t i = 0; i < reasons.n; i++) {
    int named = !strcmp(reasons.names[i], "overload") || !strcmp(reasons.names[i], "underload");
    e[i] = (plot_legend_entry){reasons.names[i], reason_colour(reasons.names[i], named ? 0 : others),
                               PLOT_KEY_BOX, 0};
    if (!named) others++;
  }
  e[reasons.n] = (plot_legend_entry){"downtime", (plot_rgb){0, 0, 0}, PLOT_KEY_BOX, 0};
  size_t ne = reasons.n + 1;
  char title[300], xlabel[64], ylabel[128];
  snprintf(title, sizeof title, "%s: migrations over time", plot_title_text(x, "migrations"));
  plot_box room = plot_frame(x, x->o->title ? x->o->title : title, e, ne);
  /* row names at the left when few */
  int named_rows = rows.n <= NAMED_ROWS;
  double name_w = 0, tick_h;
  plot_text_size(x->c, PLOT_FONT_TICK, "0", NULL, &tick_h);
  for (size_t r = 0; named_rows && r < rows.n; r++) {
    double w;
    plot_text_size(x->c, PLOT_FONT_TICK, rows.names[r], &w, NULL);
    name_w = fmax(name_w, fmin(w, 0.3 * (room.x1 - room.x0)));
  }
  double split = room.y0 + (room.y1 - room.y0) * 0.7;
  plot_nice_ticks(0, (double)rows.n, 6, &yt);
  snprintf(xlabel, sizeof xlabel, "time (%s)", tname);
  snprintf(ylabel, sizeof ylabel, "%s (%zu, in order of first migration)",
           by_route ? "routes" : "guests", rows.n);
  plot_axes_spec top_spec = {NULL, named_rows ? NULL : &yt, NULL, named_rows ? NULL : ylabel, 0};
  plot_axes top, bot;
  plot_axes_layout(x->c, (plot_box){room.x0 + name_w, room.y0, room.x1, split}, &top_spec, &top);
  /* the count of migrations in progress: +1 at each start, -1 at each end */
  size_t nc = 0;
  double *ev_t = cx, *ev_d = cy; /* reused: events first, then the step line */
  for (size_t i = 0; i < ns; i++) {
    ev_t[nc] = spans[i].start, ev_d[nc++] = 1;
    ev_t[nc] = spans[i].end, ev_d[nc++] = -1;
  }
  /* events by time, an end before a start at one instant (insertion sort:
   * nearly sorted already, the spans being in order of start) */
  for (size_t i = 1; i < nc; i++)
    for (size_t j = i; j > 0 && (ev_t[j - 1] > ev_t[j] || (ev_t[j - 1] == ev_t[j] && ev_d[j - 1] > ev_d[j])); j--) {
      double tt = ev_t[j], td = ev_d[j];
      ev_t[j] = ev_t[j - 1], ev_d[j] = ev_d[j - 1];
      ev_t[j - 1] = tt, ev_d[j - 1] = td;
    }
  double level = 0, peak = 0;
  for (size_t i = 0; i < nc; i++) {
    level += ev_d[i];
    peak = fmax(peak, level);
  }
  plot_nice_ticks(0, fmax(peak, 1), 3, &ct);
  if (ct.step < 1) plot_nice_ticks(0, fmax(peak, 2), 2, &ct); /* whole migrations */
  plot_axes_spec bot_spec = {&xt, &ct, xlabel, "in progress (migrations)", 0};
  plot_axes_layout(x->c, (plot_box){room.x0 + name_w, split + 10, room.x1, room.y1}, &bot_spec,
                   &bot);
  /* one left edge for both panels */
  double x0 = fmax(top.area.x0, bot.area.x0);
  top.area.x0 = bot.area.x0 = x0;
  top.area.x1 = bot.area.x1 = fmin(top.area.x1, bot.area.x1);
  top.xmin = xt.lo;
  top.xmax = xt.hi;
  top.ymin = 0;
  top.ymax = (double)rows.n;
  plot_axes_draw(x->c, &top, &top_spec);
  plot_axes_draw(x->c, &bot, &bot_spec);
  plot_report_axes(x, &top);
  cairo_t *cr = plot_canvas_cr(x->c);
  double row_h = (top.area.y1 - top.area.y0) / (double)rows.n;
  double bar_h = fmax(1, fmin(row_h * 0.7, 48)); /* a lone row keeps a bar, not a block */
  if (named_rows) {
    cairo_set_source_rgb(cr, 0, 0, 0);
    for (size_t r = 0; r < rows.n && row_h >= tick_h; r++) {
      char label[160];
      plot_fit_text(x->c, PLOT_FONT_TICK, rows.names[r], name_w, label, sizeof label);
      plot_text(x->c, PLOT_FONT_TICK, top.area.x0 - 8, top.area.y0 + row_h * ((double)r + 0.5), 1,
                0.5, 0, label);
    }
  }
  for (size_t i = 0; i < ns; i++) {
    /* row 0 at the top: the first migration reads first */
    double yc = top.area.y0 + row_h * ((double)spans[i].row + 0.5);
    double bx0 = plot_ax_x(&top, spans[i].start / tunit), bx1 = plot_ax_x(&top, spans[i].end / tunit);
    if (bx1 - bx0 < MIN_BAR) bx0 = bx1 - MIN_BAR; /* widened backwards: the downtime stays at its end */
    plot_set_colour(x->c, e[spans[i].reason].colour);
    cairo_rectangle(cr, bx0, yc - bar_h / 2, bx1 - bx0, bar_h);
    cairo_fill(cr);
    plot_mark(x->c, bx0, yc - bar_h / 2, bx1, yc + bar_h / 2);
    double d0 = plot_ax_x(&top, spans[i].down0 / tunit), d1 = plot_ax_x(&top, spans[i].down1 / tunit);
    if (d1 - d0 < 2) d0 = d1 - 2;
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_rectangle(cr, d0, yc - bar_h / 2, d1 - d0, bar_h);
    cairo_fill(cr);
    x->rep->bars++;
  }
  /* the count as a step line from 0 to the run's end */
  size_t m = 0;
  double *lx = sim_malloc((2 * nc + 2) * sizeof *lx), *ly = sim_malloc((2 * nc + 2) * sizeof *ly);
  if (!lx || !ly) {
    sim_free(lx);
    sim_free(ly);
    rc = PLOT_ENOMEM;
    goto out;
  }
  level = 0;
  lx[m] = 0, ly[m++] = 0;
  for (size_t i = 0; i < nc; i++) {
    lx[m] = ev_t[i] / tunit, ly[m++] = level;
    level += ev_d[i];
    lx[m] = ev_t[i] / tunit, ly[m++] = level;
  }
  lx[m] = t_end / tunit, ly[m++] = level;
  plot_polyline(x, &bot, lx, ly, m, plot_neutral(0), 0, 3);
  sim_free(lx);
  sim_free(ly);
  rc = plot_place_legend(x, &top, e, ne);
out:
  sim_free(e);
  sim_free(cx);
  sim_free(cy);
  sim_free(spans);
  plot_names_free(&rows);
  plot_names_free(&reasons);
  return rc;
}
