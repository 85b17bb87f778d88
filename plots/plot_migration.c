/* plots/plot_migration.c: the migration kind: the timeline of one live
 * migration, drawn as [CL05] Fig. 8 shows it: the guest's throughput over
 * time with the first pre-copy round, the further rounds and the downtime
 * marked (upper panel), and per round the migration's wire rate and the
 * guest's dirty rate, with the bytes each round sent (lower panel).
 * Units: time in seconds from the run's start; rates in Mbit/s (stored
 * bit/s); bytes shown in MB (10^6 bytes).
 * Invariants: both panels share the time axis; the downtime span is drawn at
 * least 3 pixels wide so a 165 ms stop stays visible on a minute-long plot.
 * Reads (models/migration.h documents them): migration/summary (migration,
 * guest, strategy, downtime_s), migration/rounds (migration, round, start_s,
 * duration_s, bytes, rate_bps, dirty_rate_bps) and the series
 * migration_guest_throughput_bps (or --signal) of the guest, when recorded. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "plots/plot_internal.h"
#include "sim/alloc.h"

/* The guest's throughput: black, as the frame; it stands for no technique. */
static const plot_rgb THROUGHPUT_COLOUR = {0, 0, 0};

#define SUMMARY "migration/summary"
#define ROUNDS "migration/rounds"
#define THROUGHPUT "migration_guest_throughput_bps"

/* Phases and rates in Paul Tol's colour-blind-safe sets, none of them a
 * technique's colour (those mean techniques in every plot). */
static const plot_rgb span_first = {0.600, 0.867, 1.000};  /* light cyan #99DDFF */
static const plot_rgb span_rest = {0.933, 0.867, 0.533};   /* light yellow #EEDD88 */
static const plot_rgb span_down = {0.800, 0.400, 0.467};   /* rose #CC6677 */
static const plot_rgb rate_colour = {0.200, 0.133, 0.533}; /* indigo #332288: migration rate */
static const plot_rgb dirty_colour = {0.533, 0.133, 0.333}; /* wine #882255: dirty rate */
static const plot_rgb progress_colour = {0.267, 0.667, 0.600}; /* teal #44AA99: data sent */

#define SERVICE "migration_guest_service"
#define MIN_SPAN_PX 8.0 /* a phase is never narrower than this: the downtime is visible */

static void shade(plot_ctx *x, const plot_axes *a, double t0, double t1, plot_rgb c, double alpha) {
  cairo_t *cr = plot_canvas_cr(x->c);
  double x0 = fmax(plot_ax_x(a, t0), a->area.x0), x1 = fmin(plot_ax_x(a, t1), a->area.x1);
  if (x1 - x0 < MIN_SPAN_PX) x1 = x0 + MIN_SPAN_PX;
  cairo_set_source_rgba(cr, c.r, c.g, c.b, alpha);
  cairo_rectangle(cr, x0, a->area.y0, x1 - x0, a->area.y1 - a->area.y0);
  cairo_fill(cr);
}

/* The boxes of the phase notes placed so far, so that none covers another. */
typedef struct notes {
  plot_box box[4];
  size_t n;
} notes;

/* A phase name and its length at the top of the panel: centred over its
 * span when it fits inside it; beside a span too narrow for it (right of it
 * when there is room, else left), so it sits over no other phase when it
 * can; a row lower when it would cover a note already placed. */
static void span_note(plot_ctx *x, const plot_axes *a, double t0, double t1, const char *text,
                      notes *placed) {
  double w, h;
  plot_text_size(x->c, PLOT_FONT_NOTE, text, &w, &h);
  double x0 = fmax(plot_ax_x(a, t0), a->area.x0), x1 = fmin(plot_ax_x(a, t1), a->area.x1);
  if (x1 - x0 < MIN_SPAN_PX) x1 = x0 + MIN_SPAN_PX;
  double cx = (x0 + x1) / 2;
  if (x1 - x0 < w + 8) /* beside the span */
    cx = x1 + 6 + w + 4 <= a->area.x1 ? x1 + 6 + w / 2 : x0 - 6 - w / 2;
  if (cx - w / 2 < a->area.x0 + 4) cx = a->area.x0 + 4 + w / 2;
  if (cx + w / 2 > a->area.x1 - 4) cx = a->area.x1 - 4 - w / 2;
  double y = a->area.y0 + 6;
  for (int row = 0; row < 4; row++) {
    y = a->area.y0 + 6 + row * h * 1.25;
    int clear = 1;
    for (size_t i = 0; i < placed->n; i++) {
      plot_box b = placed->box[i];
      if (cx + w / 2 > b.x0 - 4 && cx - w / 2 < b.x1 + 4 && y + h > b.y0 && y < b.y1) clear = 0;
    }
    if (clear) break;
  }
  cairo_set_source_rgb(plot_canvas_cr(x->c), 0, 0, 0);
  plot_box b = plot_text(x->c, PLOT_FONT_NOTE, cx, y, 0.5, 0, 0, text);
  plot_mark(x->c, b.x0, b.y0, b.x1, b.y1);
  if (placed->n < 4) placed->box[placed->n++] = b;
}

static void fmt_duration(double s, char *buf, size_t size) {
  if (s < 1)
    snprintf(buf, size, "%.0f ms", s * 1e3);
  else
    snprintf(buf, size, "%.1f s", s);
}

int plot_migration(plot_ctx *x) {
  if (x->n_runs != 1) {
    sim_diag_error(x->diag, NULL, 0, 0, "the migration plot draws one result, not %zu",
                   x->n_runs);
    return PLOT_EINPUT;
  }
  sim_result *res = x->runs[0];
  char **mig = NULL, **guest = NULL, **strategy = NULL, **rmig = NULL;
  size_t nm = 0, ng = 0, ns = 0, nrm = 0, nd = 0;
  double *down = NULL, *start = NULL, *dur = NULL, *bytes = NULL, *rate = NULL, *dirty = NULL;
  double *tt = NULL, *tv = NULL;
  size_t n_start = 0, n_dur = 0, n_bytes = 0, n_rate = 0, n_dirty = 0, nt = 0;
  int rc = 0;
  if ((rc = plot_require(x, res, SUMMARY)) == 0 && (rc = plot_require(x, res, ROUNDS)) == 0 &&
      (rc = plot_col_str(x, res, SUMMARY, "migration", &mig, &nm)) == 0 &&
      (rc = plot_col_str(x, res, SUMMARY, "guest", &guest, &ng)) == 0 &&
      (rc = plot_col_str(x, res, SUMMARY, "strategy", &strategy, &ns)) == 0 &&
      (rc = plot_col_f64(x, res, SUMMARY, "downtime_s", &down, &nd)) == 0 &&
      (rc = plot_col_str(x, res, ROUNDS, "migration", &rmig, &nrm)) == 0 &&
      (rc = plot_col_f64(x, res, ROUNDS, "start_s", &start, &n_start)) == 0 &&
      (rc = plot_col_f64(x, res, ROUNDS, "duration_s", &dur, &n_dur)) == 0 &&
      (rc = plot_col_f64(x, res, ROUNDS, "bytes", &bytes, &n_bytes)) == 0 &&
      (rc = plot_col_f64(x, res, ROUNDS, "rate_bps", &rate, &n_rate)) == 0)
    rc = plot_col_f64(x, res, ROUNDS, "dirty_rate_bps", &dirty, &n_dirty);
  if (rc) goto out;
  /* the migration: the first one, or the first of a guest named by --guests */
  size_t m = nm;
  for (size_t i = 0; i < nm && i < ng && m == nm; i++)
    if (plot_list_has(x->o->guests, guest[i])) m = i;
  if (m == nm || m >= ns || m >= nd) {
    sim_diag_error(x->diag, sim_result_path(res), 0, 0,
                   x->o->guests ? "no migration of a guest named in --guests in '%s'"
                                : "no migration in '%s'",
                   SUMMARY);
    rc = PLOT_EINPUT;
    goto out;
  }
  size_t nr = nrm;
  if (n_start < nr) nr = n_start;
  if (n_dur < nr) nr = n_dur;
  if (n_bytes < nr) nr = n_bytes;
  if (n_rate < nr) nr = n_rate;
  if (n_dirty < nr) nr = n_dirty;
  size_t first = nr, last = nr, count = 0;
  for (size_t i = 0; i < nr; i++)
    if (!strcmp(rmig[i], mig[m])) {
      if (first == nr) first = i;
      last = i;
      count++;
    }
  if (count == 0) {
    sim_diag_error(x->diag, sim_result_path(res), 0, 0, "migration '%s' has no rows in '%s'",
                   mig[m], ROUNDS);
    rc = PLOT_EINPUT;
    goto out;
  }
  /* the guest's throughput, when the run recorded it */
  const char *sig = x->o->signal ? x->o->signal : THROUGHPUT;
  char spath[128];
  snprintf(spath, sizeof spath, "series/%s", sig);
  int32_t gid;
  int have_series = sim_result_has(res, spath) > 0 && sim_result_entity(res, guest[m], &gid) == 0 &&
                    sim_result_series(res, sig, gid, &tt, &tv, &nt) == 0 && nt > 0;
  if (x->o->signal && !have_series) {
    rc = plot_require(x, res, spath);
    if (rc == 0) {
      sim_diag_error(x->diag, sim_result_path(res), 0, 0, "guest '%s' has no samples of '%s'",
                     guest[m], sig);
      rc = PLOT_EINPUT;
    }
    goto out;
  }
  const char *sunit = have_series ? sim_result_column_unit(res, spath, "value") : NULL;
  int series_bps = !sunit || !strcmp(sunit, "bit/s");
  double smax_raw = 0;
  for (size_t i = 0; i < nt; i++)
    if (isfinite(tv[i])) smax_raw = fmax(smax_raw, tv[i]);
  /* a guest without network I/O has a throughput of nothing to show: the
   * upper panel shows the migration's progress, the data it has sent */
  int progress = !x->o->signal && (!have_series || smax_raw <= 0);
  if (progress) {
    have_series = 0;
    sim_free(tt);
    sim_free(tv);
    tt = tv = NULL;
    nt = 0;
  }
  /* the throughput before the migration: the models sample the guest's
   * throughput only while it migrates, with its share of the unimpeded rate
   * (migration_guest_service); the first sample over that share is the rate
   * the guest had before, drawn as a level up to the migration's start */
  double before = NAN;
  if (have_series && !x->o->signal) {
    double *st_ = NULL, *sv = NULL;
    size_t ns_ = 0;
    if (sim_result_series(res, SERVICE, gid, &st_, &sv, &ns_) == 0)
      for (size_t i = 0, j = 0; i < nt && j < ns_ && isnan(before); i++) {
        while (j < ns_ && st_[j] < tt[i]) j++;
        if (j < ns_ && st_[j] == tt[i] && sv[j] > 0.05 && isfinite(tv[i])) before = tv[i] / sv[j];
      }
    sim_free(st_);
    sim_free(sv);
  }

  /* time range: from before the migration (its start is the drop [CL05]
   * Fig. 8 shows) to a little after it, room for the notes beside it */
  double t0 = start[first], t1 = start[last] + dur[last];
  double t_down1 = start[last] + down[m];
  t1 = fmax(t1, t_down1);
  double span = t1 - t0 > 0 ? t1 - t0 : 1;
  t0 = fmax(0, t0 - 0.12 * span);
  t1 += 0.15 * span;
  double rmax = 0, smax = 0;
  for (size_t i = first; i <= last; i++) {
    if (strcmp(rmig[i], mig[m])) continue;
    if (isfinite(rate[i])) rmax = fmax(rmax, rate[i]);
    if (isfinite(dirty[i])) rmax = fmax(rmax, dirty[i]);
  }
  for (size_t i = 0; i < nt; i++) {
    t0 = fmin(t0, tt[i]);
    t1 = fmax(t1, tt[i]);
    if (isfinite(tv[i])) smax = fmax(smax, tv[i]);
  }
  if (isfinite(before)) smax = fmax(smax, before);
  if (series_bps)
    for (size_t i = 0; i < nt; i++) tv[i] *= 1e-6;
  if (series_bps) smax *= 1e-6, before *= 1e-6;
  /* progress: the data sent by the end of each round, MB */
  double sent_total = 0;
  for (size_t i = first; i <= last; i++)
    if (!strcmp(rmig[i], mig[m]) && isfinite(bytes[i])) sent_total += bytes[i];
  if (progress) smax = sent_total * 1e-6;

  plot_legend_entry e[8];
  size_t ne = 0, ne_top;
  if (have_series)
    e[ne++] = (plot_legend_entry){series_bps ? "guest throughput" : sig,
                                  THROUGHPUT_COLOUR, PLOT_KEY_LINE, 0};
  if (have_series && isfinite(before))
    e[ne++] = (plot_legend_entry){"before (unimpeded rate)", THROUGHPUT_COLOUR, PLOT_KEY_LINE, 2};
  if (progress)
    e[ne++] = (plot_legend_entry){"data sent", progress_colour, PLOT_KEY_LINE, 0};
  e[ne++] = (plot_legend_entry){"first round", span_first, PLOT_KEY_SPAN, 0};
  if (count > 2) e[ne++] = (plot_legend_entry){"further rounds", span_rest, PLOT_KEY_SPAN, 0};
  e[ne++] = (plot_legend_entry){"downtime", span_down, PLOT_KEY_SPAN, 0};
  ne_top = ne;
  e[ne++] = (plot_legend_entry){"migration rate", rate_colour, PLOT_KEY_LINE, 0};
  e[ne++] = (plot_legend_entry){"dirty rate", dirty_colour, PLOT_KEY_DASH, 0};

  char title[256];
  snprintf(title, sizeof title, "%s: %s migration of %s", plot_title_text(x, "migration"),
           strategy[m], guest[m]);
  plot_box room = plot_frame(x, x->o->title ? x->o->title : title, e, ne);
  plot_ticks xt, yt_top, yt_bot;
  plot_nice_ticks(t0, t1, 8, &xt);
  plot_nice_ticks(0, (have_series || progress ? smax : 1) * 1.25, 5, &yt_top);
  plot_nice_ticks(0, rmax * 1e-6 * 1.3, 4, &yt_bot);
  /* without the guest's throughput the phases go on the rate panel, alone */
  int top_panel = have_series || progress;
  double split = top_panel ? room.y0 + (room.y1 - room.y0) * 0.55 : room.y0;
  char top_label[128];
  if (progress)
    snprintf(top_label, sizeof top_label, "data sent (MB)");
  else if (series_bps)
    snprintf(top_label, sizeof top_label, "throughput (Mbit/s)");
  else if (sunit && *sunit && strcmp(sunit, "1"))
    snprintf(top_label, sizeof top_label, "%s (%s)", sig, sunit);
  else
    snprintf(top_label, sizeof top_label, "%s (1)", sig);
  plot_axes_spec top_spec = {&xt, &yt_top, NULL, top_label, 0};
  plot_axes_spec bot_spec = {&xt, &yt_bot, "time (s)", "rate (Mbit/s)", 0};
  plot_axes top, bot;
  plot_axes_layout(x->c, (plot_box){room.x0, room.y0, room.x1, split}, &top_spec, &top);
  plot_axes_layout(x->c, (plot_box){room.x0, split, room.x1, room.y1}, &bot_spec, &bot);
  if (!top_panel) top = bot;
  /* one left edge for both panels, so their time axes line up */
  double left = fmax(top.area.x0, bot.area.x0);
  top.area.x0 = bot.area.x0 = left;

  /* phases first, under everything else */
  double first_end = start[first] + dur[first];
  shade(x, &top, start[first], first_end, span_first, 0.22);
  if (count > 2) shade(x, &top, first_end, start[last], span_rest, 0.22);
  shade(x, &top, start[last], t_down1, span_down, 0.55);
  if (top_panel) plot_axes_draw(x->c, &top, &top_spec);
  plot_axes_draw(x->c, &bot, &bot_spec);
  plot_report_axes(x, &bot);

  char buf[96], d1[32];
  notes placed = {0};
  fmt_duration(dur[first], d1, sizeof d1);
  snprintf(buf, sizeof buf, "first round %s", d1);
  span_note(x, &top, start[first], first_end, buf, &placed);
  if (count > 2) {
    fmt_duration(start[last] - first_end, d1, sizeof d1);
    snprintf(buf, sizeof buf, "further rounds %s", d1);
    span_note(x, &top, first_end, start[last], buf, &placed);
  }
  fmt_duration(down[m], d1, sizeof d1);
  snprintf(buf, sizeof buf, "downtime %s", d1);
  span_note(x, &top, start[last], t_down1, buf, &placed);
  if (have_series) plot_polyline(x, &top, tt, tv, nt, THROUGHPUT_COLOUR, 0, 3);
  if (have_series && isfinite(before)) {
    double bx[2] = {t0, start[first]}, by[2] = {before, before};
    plot_polyline(x, &top, bx, by, 2, THROUGHPUT_COLOUR, 2, 3);
  }

  /* the rounds as one step line each for the rate and the dirty rate, so
   * that short late rounds read as the end of the line, not as dots; and
   * the data sent as a line rising over each round */
  size_t cap_pts = 2 * count + 2, np = 0, nd_ = 0, npr = 0;
  double *rx = sim_calloc(cap_pts, sizeof *rx), *ry = sim_calloc(cap_pts, sizeof *ry);
  double *dx = sim_calloc(cap_pts, sizeof *dx), *dy = sim_calloc(cap_pts, sizeof *dy);
  double *px = sim_calloc(cap_pts, sizeof *px), *py = sim_calloc(cap_pts, sizeof *py);
  if (!rx || !ry || !dx || !dy || !px || !py) {
    sim_free(rx), sim_free(ry), sim_free(dx), sim_free(dy), sim_free(px), sim_free(py);
    rc = PLOT_ENOMEM;
    goto out;
  }
  double cum = 0;
  px[npr] = start[first];
  py[npr++] = 0;
  for (size_t i = first; i <= last; i++) {
    if (strcmp(rmig[i], mig[m])) continue;
    double a0 = start[i], a1 = start[i] + dur[i];
    rx[np] = a0, ry[np++] = rate[i] * 1e-6;
    rx[np] = a1, ry[np++] = rate[i] * 1e-6;
    dx[nd_] = a0, dy[nd_++] = dirty[i] * 1e-6;
    dx[nd_] = a1, dy[nd_++] = dirty[i] * 1e-6;
    if (isfinite(bytes[i])) cum += bytes[i];
    px[npr] = a1, py[npr++] = cum * 1e-6;
  }
  plot_polyline(x, &bot, rx, ry, np, rate_colour, 0, 4);
  plot_polyline(x, &bot, dx, dy, nd_, dirty_colour, 1, 3);
  if (progress) plot_polyline(x, &top, px, py, npr, progress_colour, 0, 4);
  sim_free(rx), sim_free(ry), sim_free(dx), sim_free(dy), sim_free(px), sim_free(py);
  /* bytes of a round above it, where they fit */
  for (size_t i = first; i <= last; i++) {
    if (strcmp(rmig[i], mig[m])) continue;
    double xs[2] = {start[i], start[i] + dur[i]};
    double r[2] = {rate[i] * 1e-6, rate[i] * 1e-6};
    snprintf(buf, sizeof buf, "%.0f MB", bytes[i] * 1e-6);
    double w;
    plot_text_size(x->c, PLOT_FONT_NOTE, buf, &w, NULL);
    double px0 = plot_ax_x(&bot, xs[0]), px1 = plot_ax_x(&bot, xs[1]);
    if (px1 - px0 > w + 8 && isfinite(r[0])) {
      cairo_set_source_rgb(plot_canvas_cr(x->c), 0, 0, 0);
      plot_box b = plot_text(x->c, PLOT_FONT_NOTE, (px0 + px1) / 2, plot_ax_y(&bot, r[0]) - 6,
                             0.5, 1, 0, buf);
      plot_mark(x->c, b.x0, b.y0, b.x1, b.y1);
    }
  }
  if (top_panel) {
    rc = plot_place_legend(x, &top, e, ne_top);
    if (rc == 0) rc = plot_place_legend(x, &bot, e + ne_top, ne - ne_top);
  } else {
    rc = plot_place_legend(x, &bot, e, ne);
  }

out:
  if (mig) sim_result_free_strings(mig, nm);
  if (guest) sim_result_free_strings(guest, ng);
  if (strategy) sim_result_free_strings(strategy, ns);
  if (rmig) sim_result_free_strings(rmig, nrm);
  sim_free(down);
  sim_free(start);
  sim_free(dur);
  sim_free(bytes);
  sim_free(rate);
  sim_free(dirty);
  sim_free(tt);
  sim_free(tv);
  return rc;
}
