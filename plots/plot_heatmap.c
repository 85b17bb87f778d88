/* plots/plot_heatmap.c: the heatmap kind: every host's CPU utilisation over
 * time, hosts on y, time on x, colour the utilisation (a colour bar with its
 * unit at the right).  A host's utilisation in a sample interval is the CPUs
 * its guests obtained (their cpu_share samples, summed) over its cores; a
 * guest counts on the host it was placed on at the middle of the interval.
 * Units: time in s, min or h by the run's length (plot_time_ticks); utilisation in % of the
 * host's cores (0..100).
 * Invariants: at most one image row per pixel row and one column per pixel
 * column: many hosts (10,000) are binned into rows of consecutive hosts (in
 * summary/hosts order) and many samples into columns, a bin's utilisation
 * being its CPUs obtained over its cores and time (capacity-weighted, so a
 * binned row is the utilisation of its hosts together).  Colours follow
 * viridis (van der Walt & Smith, 2015: perceptually uniform, readable by
 * colour-blind readers and in grey).
 * Reads: summary/hosts (name, cores); series/cpu_share (time_ns, entity,
 * value); entities (id, kind, name, parent); datacenter/placement (time_s,
 * guest, host) when present, else the host each guest started on and, for
 * scripted migrations, migration/summary (migration, guest, source,
 * destination) with the migration_switchover events of /events (the guest
 * counts on its destination from then on; without events it stays on its
 * first host).  A guest started on its parent in entities (the host it ran
 * on last) unless a migration resumed it elsewhere: then on the source of
 * the first such migration.  The sample interval: the series' attribute
 * on_change_interval_ns when it is written on change (a value then holds for
 * every sample until its guest's next row, a guest's last row until the
 * series' end on_change_end_ns when it has one), else the root attribute
 * sample_interval_ns. */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plots/plot_internal.h"
#include "sim/alloc.h"

#define HOSTS "summary/hosts"
#define SHARE "series/cpu_share"
#define ENTITIES "entities"
#define PLACEMENT "datacenter/placement"
#define MIGRATIONS "migration/summary"
#define NAMED_ROWS 40 /* up to this many hosts, each row is labelled by its host's name */

/* A name and where it came from, for lookups by name. */
typedef struct named {
  const char *name; /* not owned */
  size_t index;     /* row in its table */
} named;

static int cmp_named(const void *a, const void *b) {
  return strcmp(((const named *)a)->name, ((const named *)b)->name);
}

/* The index of name in a sorted array; -1 when absent. */
static long find_named(const named *v, size_t n, const char *name) {
  named key = {name, 0};
  const named *hit = bsearch(&key, v, n, sizeof *v, cmp_named);
  return hit ? (long)hit->index : -1;
}

/* One move of a guest: from time_s on it ran on host. */
typedef struct move {
  int32_t guest;  /* entity id */
  double time_s;  /* s */
  long host;      /* index into summary/hosts, -1 unknown */
} move;

static int cmp_move(const void *a, const void *b) {
  const move *p = a, *q = b;
  if (p->guest != q->guest) return p->guest < q->guest ? -1 : 1;
  return (p->time_s > q->time_s) - (p->time_s < q->time_s);
}

/* viridis at 0, 1/8, ..., 1 (matplotlib's table, every 32nd entry). */
static plot_rgb viridis(double v) {
  static const plot_rgb stop[9] = {
      {0.267, 0.005, 0.329}, {0.279, 0.175, 0.483}, {0.230, 0.322, 0.546},
      {0.173, 0.449, 0.558}, {0.128, 0.567, 0.551}, {0.153, 0.680, 0.504},
      {0.360, 0.785, 0.388}, {0.678, 0.864, 0.190}, {0.993, 0.906, 0.144}};
  v = v < 0 ? 0 : v > 1 ? 1 : v;
  double f = v * 8;
  int i = f >= 8 ? 7 : (int)f;
  double t = f - i;
  return (plot_rgb){stop[i].r + (stop[i + 1].r - stop[i].r) * t,
                    stop[i].g + (stop[i + 1].g - stop[i].g) * t,
                    stop[i].b + (stop[i + 1].b - stop[i].b) * t};
}

int plot_heatmap(plot_ctx *x) {
  if (x->n_runs != 1) {
    sim_diag_error(x->diag, x->n_runs ? sim_result_path(x->runs[1]) : NULL, 0, 0,
                   "the heatmap plot draws one result, not %zu", x->n_runs);
    return PLOT_EINPUT;
  }
  sim_result *res = x->runs[0];
  char **hname = NULL, **ename = NULL, **ekind = NULL, **pguest = NULL, **phost = NULL;
  char **mname = NULL, **mguest = NULL, **msrc = NULL, **mdest = NULL; /* scripted migrations */
  size_t nmig = 0;
  double *resumed = NULL; /* s: when each scripted migration resumed its guest */
  double *cores = NULL, *eid = NULL, *eparent = NULL, *pt = NULL, *st = NULL, *se = NULL,
         *sv = NULL;
  size_t nh = 0, ne = 0, nk = 0, np = 0, npg = 0, nph = 0, ns = 0, nse = 0, nsv = 0, tmp = 0;
  named *hosts = NULL, *guests = NULL;
  move *moves = NULL;
  size_t *first_move = NULL; /* per entity id: its first move; n_moves when none */
  double *acc = NULL, *cap = NULL, *colw = NULL;
  cairo_surface_t *img = NULL;
  int rc = 0;
  if (sim_result_has(res, SHARE) <= 0) {
    char who[256];
    plot_run_name(res, who, sizeof who);
    sim_diag_error(x->diag, sim_result_path(res), 0, 0,
                   "no dataset '%s' in this result (written by %s); the heatmap plot reads the "
                   "guests' CPU shares: record them (simulation.record.series: true, signal "
                   "cpu_share)",
                   SHARE, who);
    return PLOT_EINPUT;
  }
  double dt_ns;
  int64_t change_ns = 0, end_ns = -1; /* end_ns: the series' last sample, -1: not said */
  int on_change = sim_result_series_on_change(res, SHARE, &change_ns) == 1;
  if (on_change && sim_result_series_end(res, SHARE, &end_ns) < 0) end_ns = -1;
  long long *until = NULL; /* on change: per row, the sample index its value holds until */
  if (on_change) {
    dt_ns = (double)change_ns;
  } else if (sim_result_attr_f64(res, "sample_interval_ns", &dt_ns) < 0 || !(dt_ns > 0)) {
    sim_diag_error(x->diag, sim_result_path(res), 0, 0,
                   "no root attribute 'sample_interval_ns': the sampling interval is unknown");
    return PLOT_EINPUT;
  }
  if ((rc = plot_require(x, res, HOSTS)) || (rc = plot_col_str(x, res, HOSTS, "name", &hname, &nh)) ||
      (rc = plot_col_f64(x, res, HOSTS, "cores", &cores, &tmp)) ||
      (rc = plot_col_str(x, res, ENTITIES, "name", &ename, &ne)) ||
      (rc = plot_col_str(x, res, ENTITIES, "kind", &ekind, &nk)) ||
      (rc = plot_col_f64(x, res, ENTITIES, "id", &eid, &tmp)) ||
      (rc = plot_col_f64(x, res, ENTITIES, "parent", &eparent, &tmp)) ||
      (rc = plot_col_f64(x, res, SHARE, "time_ns", &st, &ns)) ||
      (rc = plot_col_f64(x, res, SHARE, "entity", &se, &nse)) ||
      (rc = plot_col_f64(x, res, SHARE, "value", &sv, &nsv)))
    goto out;
  if (nh == 0 || ns == 0) {
    sim_diag_error(x->diag, sim_result_path(res), 0, 0,
                   nh == 0 ? "no host in '%s' to draw" : "no sample in '%s' to draw",
                   nh == 0 ? HOSTS : SHARE);
    rc = PLOT_EINPUT;
    goto out;
  }
  hosts = sim_malloc(nh * sizeof *hosts);
  guests = sim_malloc((ne ? ne : 1) * sizeof *guests);
  first_move = sim_malloc((ne ? ne : 1) * sizeof *first_move);
  if (!hosts || !guests || !first_move) {
    rc = PLOT_ENOMEM;
    goto out;
  }
  for (size_t i = 0; i < nh; i++) hosts[i] = (named){hname[i], i};
  qsort(hosts, nh, sizeof *hosts, cmp_named);
  size_t ng = 0;
  for (size_t i = 0; i < ne && i < nk; i++)
    if (!strcmp(ekind[i], "guest")) guests[ng++] = (named){ename[i], (size_t)eid[i]};
  qsort(guests, ng, sizeof *guests, cmp_named);
  /* the moves: the placement table, or each guest's first host */
  size_t nm = 0;
  if (sim_result_has(res, PLACEMENT) > 0) {
    if ((rc = plot_col_f64(x, res, PLACEMENT, "time_s", &pt, &np)) ||
        (rc = plot_col_str(x, res, PLACEMENT, "guest", &pguest, &npg)) ||
        (rc = plot_col_str(x, res, PLACEMENT, "host", &phost, &nph)))
      goto out;
    moves = sim_malloc((np ? np : 1) * sizeof *moves);
    if (!moves) {
      rc = PLOT_ENOMEM;
      goto out;
    }
    for (size_t i = 0; i < np && i < npg && i < nph; i++) {
      long g = find_named(guests, ng, pguest[i]);
      if (g >= 0) moves[nm++] = (move){(int32_t)g, pt[i], find_named(hosts, nh, phost[i])};
    }
  } else {
    /* each guest's first host, then the destination of each scripted
     * migration from the moment it resumed the guest there */
    if (sim_result_has(res, MIGRATIONS) > 0 &&
        ((rc = plot_col_str(x, res, MIGRATIONS, "migration", &mname, &nmig)) ||
         (rc = plot_col_str(x, res, MIGRATIONS, "guest", &mguest, &tmp)) ||
         (rc = plot_col_str(x, res, MIGRATIONS, "source", &msrc, &tmp)) ||
         (rc = plot_col_str(x, res, MIGRATIONS, "destination", &mdest, &tmp))))
      goto out;
    moves = sim_malloc((ne + nmig + 1) * sizeof *moves);
    resumed = sim_malloc((nmig + 1) * sizeof *resumed);
    if (!moves || !resumed) {
      rc = PLOT_ENOMEM;
      goto out;
    }
    /* a guest's parent is the host it ran on last: one that moved started
     * on the source of its first migration to resume it */
    if (nmig && (rc = plot_switchovers(x, res, mname, nmig, resumed))) goto out;
    for (size_t i = 0; i < ne && i < nk; i++) {
      if (strcmp(ekind[i], "guest") || eparent[i] < 0 || (size_t)eparent[i] >= ne) continue;
      long first = -1;
      for (size_t m = 0; m < nmig; m++)
        if (isfinite(resumed[m]) && !strcmp(mguest[m], ename[i]) &&
            (first < 0 || resumed[m] < resumed[first]))
          first = (long)m;
      moves[nm++] = (move){(int32_t)eid[i], -INFINITY,
                           find_named(hosts, nh, first >= 0 ? msrc[first] : ename[(size_t)eparent[i]])};
    }
    for (size_t i = 0; i < nmig; i++) {
      long g = find_named(guests, ng, mguest[i]);
      if (g >= 0 && isfinite(resumed[i]))
        moves[nm++] = (move){(int32_t)g, resumed[i], find_named(hosts, nh, mdest[i])};
    }
  }
  qsort(moves, nm, sizeof *moves, cmp_move);
  for (size_t i = 0; i < ne; i++) first_move[i] = nm;
  for (size_t i = nm; i-- > 0;)
    if (moves[i].guest >= 0 && (size_t)moves[i].guest < ne) first_move[moves[i].guest] = i;

  /* the time axis: sample k covers ((k - 1) dt, k dt] */
  long long kmin = LLONG_MAX, kmax = LLONG_MIN;
  for (size_t i = 0; i < ns; i++) {
    long long k = llround(st[i] / dt_ns);
    if (k < kmin) kmin = k;
    if (k > kmax) kmax = k;
  }
  long long kend = end_ns >= 0 ? llround((double)end_ns / dt_ns) : LLONG_MIN;
  if (kend > kmax) kmax = kend; /* no row need lie at the series' end */
  size_t n_samples = (size_t)(kmax - kmin + 1);
  double t0 = (double)(kmin - 1) * dt_ns * 1e-9, t1 = (double)kmax * dt_ns * 1e-9;
  double tunit;
  const char *tname;
  plot_ticks xt, yt;
  plot_time_ticks(t0, t1, &tunit, &tname, &xt);

  /* layout: names at the left when few hosts, the colour bar at the right */
  double name_w = 0;
  if (nh <= NAMED_ROWS)
    for (size_t i = 0; i < nh; i++) {
      double w;
      plot_text_size(x->c, PLOT_FONT_TICK, hname[i], &w, NULL);
      name_w = fmax(name_w, w);
    }
  char title[300], xlabel[64], ylabel[128];
  snprintf(title, sizeof title, "%s: host CPU utilisation", plot_title_text(x, "hosts"));
  plot_box room = plot_frame(x, x->o->title ? x->o->title : title, NULL, 0);
  double tick_h, bar_label_w;
  plot_text_size(x->c, PLOT_FONT_TICK, "100", &bar_label_w, &tick_h);
  double bar_w = 36, bar_room = 14 + bar_w + 10 + 10 + bar_label_w + 14 + tick_h * 1.4;
  room.x1 -= bar_room;
  room.x0 += name_w;
  plot_nice_ticks(0, (double)nh, 6, &yt);
  snprintf(xlabel, sizeof xlabel, "time (%s)", tname);
  /* named rows need no axis label: the names say what a row is */
  plot_axes_spec spec = {&xt, nh <= NAMED_ROWS ? NULL : &yt, xlabel, nh <= NAMED_ROWS ? NULL : ylabel, 0};
  plot_axes a;
  plot_axes_layout(x->c, room, &spec, &a);
  a.ymin = 0;
  a.ymax = (double)nh;
  /* bins: one image row per pixel row at most, one column per pixel column */
  size_t per_row = (size_t)ceil((double)nh / fmax(1, floor(a.area.y1 - a.area.y0)));
  size_t per_col = (size_t)ceil((double)n_samples /
                                fmax(1, floor(plot_ax_x(&a, t1 / tunit) - plot_ax_x(&a, t0 / tunit))));
  size_t rows = (nh + per_row - 1) / per_row, cols = (n_samples + per_col - 1) / per_col;
  if (nh <= NAMED_ROWS)
    snprintf(ylabel, sizeof ylabel, "host");
  else if (per_row > 1)
    snprintf(ylabel, sizeof ylabel, "hosts (%zu, in rows of %zu)", nh, per_row);
  else
    snprintf(ylabel, sizeof ylabel, "host (index in summary/hosts)");
  acc = sim_calloc(rows * cols, sizeof *acc);
  cap = sim_calloc(rows, sizeof *cap);
  colw = sim_calloc(cols, sizeof *colw);
  if (!acc || !cap || !colw) {
    rc = PLOT_ENOMEM;
    goto out;
  }
  for (size_t h = 0; h < nh; h++) cap[h / per_row] += cores[h];
  for (size_t k = 0; k < n_samples; k++) colw[k / per_col] += 1;
  /* a series written on change: a row's value holds for every sample until
   * its guest's next row (found scanning backwards), a guest's last row to
   * the series' end, else for its own */
  if (on_change && !(until = sim_malloc((ns ? ns : 1) * sizeof *until))) {
    rc = PLOT_ENOMEM;
    goto out;
  }
  if (on_change) {
    long long *later = sim_malloc((ne ? ne : 1) * sizeof *later);
    if (!later) {
      rc = PLOT_ENOMEM;
      goto out;
    }
    for (size_t i = 0; i < ne; i++) later[i] = LLONG_MIN;
    for (size_t i = ns; i-- > 0;) {
      long long id = i < nse ? llround(se[i]) : -1, k = llround(st[i] / dt_ns);
      bool known = id >= 0 && (size_t)id < ne;
      until[i] = known && later[id] > k ? later[id] : (kend > k ? kend : k) + 1;
      if (known) later[id] = k;
    }
    sim_free(later);
  }
  for (size_t i = 0; i < ns && i < nse && i < nsv; i++) {
    long long id = llround(se[i]);
    if (id < 0 || (size_t)id >= ne || !isfinite(sv[i])) continue;
    if (first_move[id] == nm) continue; /* a guest never placed, or not a guest */
    long long k0 = llround(st[i] / dt_ns), k1 = until ? until[i] : k0 + 1;
    for (long long k = k0; k < k1; k++) {
      double mid = ((double)k - 0.5) * dt_ns * 1e-9;
      long host = -1;
      for (size_t m = first_move[id]; m < nm && moves[m].guest == id && moves[m].time_s <= mid; m++)
        host = moves[m].host;
      if (host < 0) continue;
      size_t col = (size_t)(k - kmin) / per_col;
      acc[((size_t)host / per_row) * cols + col] += sv[i];
    }
  }
  img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)cols, (int)rows);
  if (cairo_surface_status(img) != CAIRO_STATUS_SUCCESS) {
    rc = PLOT_ENOMEM;
    goto out;
  }
  cairo_surface_flush(img);
  unsigned char *px = cairo_image_surface_get_data(img);
  int stride = cairo_image_surface_get_stride(img);
  for (size_t r = 0; r < rows; r++)
    for (size_t c = 0; c < cols; c++) {
      double denom = cap[r] * colw[c];
      plot_rgb v = viridis(denom > 0 ? acc[r * cols + c] / denom : 0);
      /* host 0 at the bottom, as the y axis counts: the first bin is the last image row */
      uint32_t *p = (uint32_t *)(void *)(px + (rows - 1 - r) * (size_t)stride) + c;
      *p = (uint32_t)lround(v.r * 255) << 16 | (uint32_t)lround(v.g * 255) << 8 |
           (uint32_t)lround(v.b * 255);
    }
  cairo_surface_mark_dirty(img);
  plot_axes_draw(x->c, &a, &spec);
  plot_report_axes(x, &a);
  cairo_t *cr = plot_canvas_cr(x->c);
  /* the samples span [t0, t1] of the axis, whose ticks may reach past it */
  double ix0 = plot_ax_x(&a, t0 / tunit), ix1 = plot_ax_x(&a, t1 / tunit);
  cairo_save(cr);
  cairo_translate(cr, ix0, a.area.y0);
  cairo_scale(cr, (ix1 - ix0) / (double)cols, (a.area.y1 - a.area.y0) / (double)rows);
  cairo_set_source_surface(cr, img, 0, 0);
  cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
  cairo_rectangle(cr, 0, 0, (double)cols, (double)rows);
  cairo_fill(cr);
  cairo_restore(cr);
  plot_mark(x->c, ix0, a.area.y0, ix1, a.area.y1);
  if (nh <= NAMED_ROWS) { /* each host's name at its row */
    double row_h = (a.area.y1 - a.area.y0) / (double)nh;
    cairo_set_source_rgb(cr, 0, 0, 0);
    for (size_t h = 0; h < nh && row_h >= tick_h; h++)
      plot_text(x->c, PLOT_FONT_TICK, a.area.x0 - 8, a.area.y1 - row_h * ((double)h + 0.5), 1,
                0.5, 0, hname[h]);
  }
  /* the colour bar, with its unit */
  double bx0 = a.area.x1 + 14 + 10, bx1 = bx0 + bar_w;
  double by0 = a.area.y0, by1 = a.area.y1;
  for (int i = 0; i < 256; i++) {
    plot_rgb v = viridis(i / 255.0);
    double y = by1 - (by1 - by0) * (i + 1) / 256.0;
    plot_set_colour(x->c, v);
    cairo_rectangle(cr, bx0, y, bar_w, (by1 - by0) / 256.0 + 0.5);
    cairo_fill(cr);
  }
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_set_line_width(cr, 1.5);
  cairo_rectangle(cr, bx0, by0, bar_w, by1 - by0);
  cairo_stroke(cr);
  double label_x = bx1 + 10 + bar_label_w;
  for (int pct = 0; pct <= 100; pct += 20) {
    char buf[8];
    double y = by1 - (by1 - by0) * pct / 100.0;
    snprintf(buf, sizeof buf, "%d", pct);
    cairo_move_to(cr, bx1, y);
    cairo_line_to(cr, bx1 + 8, y);
    cairo_stroke(cr);
    plot_text(x->c, PLOT_FONT_TICK, label_x, y, 1, 0.5, 0, buf);
  }
  plot_text(x->c, PLOT_FONT_LABEL, label_x + 10, (by0 + by1) / 2, 0, 0.5, 1,
            "CPU utilisation (%)");
  plot_legend_record(x->c, (plot_box){bx0, by0, bx1, by1});
out:
  if (img) cairo_surface_destroy(img);
  if (hname) sim_result_free_strings(hname, nh);
  if (ename) sim_result_free_strings(ename, ne);
  if (ekind) sim_result_free_strings(ekind, nk);
  if (pguest) sim_result_free_strings(pguest, npg);
  if (phost) sim_result_free_strings(phost, nph);
  if (mname) sim_result_free_strings(mname, nmig);
  if (mguest) sim_result_free_strings(mguest, nmig);
  if (msrc) sim_result_free_strings(msrc, nmig);
  if (mdest) sim_result_free_strings(mdest, nmig);
  sim_free(resumed);
  sim_free(cores);
  sim_free(eid);
  sim_free(eparent);
  sim_free(until);
  sim_free(pt);
  sim_free(st);
  sim_free(se);
  sim_free(sv);
  sim_free(hosts);
  sim_free(guests);
  sim_free(moves);
  sim_free(first_move);
  sim_free(acc);
  sim_free(cap);
  sim_free(colw);
  return rc;
}
