/* plots/plot_heatmap.c: the heatmap kind: every host's CPU utilisation over
 * time, hosts on y, time on x, colour the utilisation (a colour bar with its
 * unit at the right); with --signal naming a signal of hosts (host_power_w,
 * W) each host's own series instead, a cell being the time-weighted mean of
 * its hosts' values over its column (plot_heatmap_grid), coloured from 0 to
 * the largest cell.  A host's utilisation in a sample interval is the CPUs
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

/* A cell without a value (no host of its row had one over its column: a
 * host without a power model): light grey, outside viridis. */
static const plot_rgb no_value = {0.85, 0.85, 0.85};

/* Draws rows x cols cells (colour, row-major, row 0 at the bottom, as the
 * y axis counts) over [ix0, ix1] pixels of the axes, the first drawn_cols
 * columns of them (the last may be cut short), and records them as data up
 * to mark_x1.  0, or PLOT_ENOMEM. */
static int draw_cells(plot_ctx *x, const plot_axes *a, double ix0, double ix1, double mark_x1,
                      size_t rows, size_t cols, double drawn_cols, const plot_rgb *colour) {
  cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)cols, (int)rows);
  if (cairo_surface_status(img) != CAIRO_STATUS_SUCCESS) {
    cairo_surface_destroy(img);
    return PLOT_ENOMEM;
  }
  cairo_surface_flush(img);
  unsigned char *px = cairo_image_surface_get_data(img);
  int stride = cairo_image_surface_get_stride(img);
  for (size_t r = 0; r < rows; r++)
    for (size_t c = 0; c < cols; c++) {
      plot_rgb v = colour[r * cols + c];
      /* the first bin is the last image row */
      uint32_t *p = (uint32_t *)(void *)(px + (rows - 1 - r) * (size_t)stride) + c;
      *p = (uint32_t)lround(v.r * 255) << 16 | (uint32_t)lround(v.g * 255) << 8 |
           (uint32_t)lround(v.b * 255);
    }
  cairo_surface_mark_dirty(img);
  cairo_t *cr = plot_canvas_cr(x->c);
  cairo_save(cr);
  cairo_translate(cr, ix0, a->area.y0);
  cairo_scale(cr, (ix1 - ix0) / (double)cols, (a->area.y1 - a->area.y0) / (double)rows);
  cairo_set_source_surface(cr, img, 0, 0);
  cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
  cairo_rectangle(cr, 0, 0, drawn_cols, (double)rows);
  cairo_fill(cr);
  cairo_restore(cr);
  cairo_surface_destroy(img);
  plot_mark(x->c, ix0, a->area.y0, mark_x1, a->area.y1);
  return 0;
}

/* Each host's name at its row (when the rows are tall enough for them). */
static void draw_host_names(plot_ctx *x, const plot_axes *a, char **hname, size_t nh,
                            double tick_h) {
  double row_h = (a->area.y1 - a->area.y0) / (double)nh;
  cairo_set_source_rgb(plot_canvas_cr(x->c), 0, 0, 0);
  for (size_t h = 0; h < nh && row_h >= tick_h; h++)
    plot_text(x->c, PLOT_FONT_TICK, a->area.x0 - 8, a->area.y1 - row_h * ((double)h + 0.5), 1,
              0.5, 0, hname[h]);
}

/* The colour bar at the right of the axes: viridis from 0 (bottom) to top,
 * n ticks at values (0..top) with their labels, and its title (the
 * quantity and its unit) beside it; recorded as a legend. */
static void draw_colour_bar(plot_ctx *x, const plot_axes *a, double bar_w, double bar_label_w,
                            size_t n, const double *values, double top,
                            const char *const *labels, const char *title) {
  cairo_t *cr = plot_canvas_cr(x->c);
  double bx0 = a->area.x1 + 14 + 10, bx1 = bx0 + bar_w;
  double by0 = a->area.y0, by1 = a->area.y1;
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
  for (size_t i = 0; i < n; i++) {
    double y = by1 - (by1 - by0) * values[i] / top;
    cairo_move_to(cr, bx1, y);
    cairo_line_to(cr, bx1 + 8, y);
    cairo_stroke(cr);
    plot_text(x->c, PLOT_FONT_TICK, label_x, y, 1, 0.5, 0, labels[i]);
  }
  plot_text(x->c, PLOT_FONT_LABEL, label_x + 10, (by0 + by1) / 2, 0, 0.5, 1, title);
  plot_legend_record(x->c, (plot_box){bx0, by0, bx1, by1});
}

/* ---- a signal of hosts (host_power_w): each host's own series ---- */

/* The rows of series/<signal>, each on its host's row of summary/hosts. */
typedef struct host_signal {
  char **hname;    /* summary/hosts names, nh of them */
  size_t nh;
  size_t n;        /* rows of the series */
  long *host;      /* per row: index into summary/hosts; -1 a host not in it */
  double *from_s;  /* s: per row, when its value starts to hold */
  double *until_s; /* s: per row, when it stops (its host's next row, or the series' end) */
  double *value;   /* per row, in unit */
  double t0_s, t1_s, dt_s; /* s: the first row, the series' end, the sample interval */
  double max;      /* largest finite value, in unit; 0 when none */
  const char *unit; /* the values' unit, owned by the result; "" when none */
} host_signal;

static void host_signal_free(host_signal *s) {
  if (s->hname) sim_result_free_strings(s->hname, s->nh);
  sim_free(s->host);
  sim_free(s->from_s);
  sim_free(s->until_s);
  sim_free(s->value);
  memset(s, 0, sizeof *s);
}

/* Reads series/<signal> of a result whose entities must be hosts.  0, or
 * PLOT_EINPUT/PLOT_ENOMEM with a diagnostic. */
static int host_signal_read(plot_ctx *x, sim_result *res, const char *signal, host_signal *s) {
  memset(s, 0, sizeof *s);
  char path[200], who[256];
  snprintf(path, sizeof path, "series/%s", signal);
  plot_run_name(res, who, sizeof who);
  if (sim_result_has(res, path) <= 0) {
    sim_diag_error(x->diag, sim_result_path(res), 0, 0,
                   "no dataset '%s' in this result (written by %s); the heatmap plot draws "
                   "--signal cpu_share (the default) or a signal of hosts such as host_power_w "
                   "(a run with a datacenter section records it when its signals name it)",
                   path, who);
    return PLOT_EINPUT;
  }
  char **ename = NULL, **ekind = NULL;
  double *eid = NULL, *st = NULL, *se = NULL, *sv = NULL;
  size_t ne = 0, nk = 0, ni = 0, ns = 0, nse = 0, nsv = 0;
  named *hosts = NULL;
  long *host_of = NULL, *later = NULL; /* per entity id */
  int64_t change_ns = 0, end_ns = -1;
  int rc;
  if ((rc = plot_require(x, res, HOSTS)) ||
      (rc = plot_col_str(x, res, HOSTS, "name", &s->hname, &s->nh)) ||
      (rc = plot_col_str(x, res, ENTITIES, "name", &ename, &ne)) ||
      (rc = plot_col_str(x, res, ENTITIES, "kind", &ekind, &nk)) ||
      (rc = plot_col_f64(x, res, ENTITIES, "id", &eid, &ni)) ||
      (rc = plot_col_f64(x, res, path, "time_ns", &st, &ns)) ||
      (rc = plot_col_f64(x, res, path, "entity", &se, &nse)) ||
      (rc = plot_col_f64(x, res, path, "value", &sv, &nsv)))
    goto out;
  if (ns > nse) ns = nse;
  if (ns > nsv) ns = nsv;
  if (s->nh == 0 || ns == 0) {
    sim_diag_error(x->diag, sim_result_path(res), 0, 0,
                   s->nh == 0 ? "no host in '%s' to draw" : "no sample in '%s' to draw",
                   s->nh == 0 ? HOSTS : path);
    rc = PLOT_EINPUT;
    goto out;
  }
  if (sim_result_series_on_change(res, path, &change_ns) == 1 && change_ns > 0) {
    s->dt_s = (double)change_ns * 1e-9;
    if (sim_result_series_end(res, path, &end_ns) < 0) end_ns = -1;
  } else {
    double dt_ns;
    if (sim_result_attr_f64(res, "sample_interval_ns", &dt_ns) < 0 || !(dt_ns > 0)) {
      sim_diag_error(x->diag, sim_result_path(res), 0, 0,
                     "no root attribute 'sample_interval_ns': the sampling interval is unknown");
      rc = PLOT_EINPUT;
      goto out;
    }
    s->dt_s = dt_ns * 1e-9;
  }
  const char *unit = sim_result_column_unit(res, path, "value");
  s->unit = unit ? unit : "";
  hosts = sim_malloc(s->nh * sizeof *hosts);
  host_of = sim_malloc((ne ? ne : 1) * sizeof *host_of);
  later = sim_malloc((ne ? ne : 1) * sizeof *later);
  s->host = sim_malloc(ns * sizeof *s->host);
  s->from_s = sim_malloc(ns * sizeof *s->from_s);
  s->until_s = sim_malloc(ns * sizeof *s->until_s);
  s->value = sim_malloc(ns * sizeof *s->value);
  if (!hosts || !host_of || !later || !s->host || !s->from_s || !s->until_s || !s->value) {
    rc = PLOT_ENOMEM;
    goto out;
  }
  s->n = ns;
  for (size_t i = 0; i < s->nh; i++) hosts[i] = (named){s->hname[i], i};
  qsort(hosts, s->nh, sizeof *hosts, cmp_named);
  for (size_t i = 0; i < ne; i++) host_of[i] = -2; /* -2: not a host */
  for (size_t i = 0; i < ne && i < nk && i < ni; i++)
    if (!strcmp(ekind[i], "host") && eid[i] >= 0 && (size_t)eid[i] < ne)
      host_of[(size_t)eid[i]] = find_named(hosts, s->nh, ename[i]);
  /* the span: the first row to the series' end (declared, else its last row) */
  double first_ns = INFINITY, last_ns = -INFINITY;
  for (size_t i = 0; i < ns; i++) {
    long long id = llround(se[i]);
    if (id < 0 || (size_t)id >= ne || host_of[id] == -2) {
      const char *kind = "unknown entity";
      for (size_t e = 0; e < ne && e < nk && e < ni; e++)
        if (llround(eid[e]) == id) kind = ekind[e];
      sim_diag_error(x->diag, sim_result_path(res), 0, 0,
                     "'%s' is not a signal of hosts: its entity %lld is a %s; the heatmap plot "
                     "draws cpu_share or a signal of hosts such as host_power_w",
                     path, id, kind);
      rc = PLOT_EINPUT;
      goto out;
    }
    first_ns = fmin(first_ns, st[i]);
    last_ns = fmax(last_ns, st[i]);
  }
  double stop_ns = end_ns >= 0 ? fmax((double)end_ns, last_ns) : last_ns;
  s->t0_s = first_ns * 1e-9;
  s->t1_s = stop_ns * 1e-9;
  /* a row holds until its host's next row (found scanning backwards); a
   * host's last row until the declared end, or for no time without one */
  for (size_t i = 0; i < ne; i++) later[i] = -1;
  for (size_t i = ns; i-- > 0;) {
    long long id = llround(se[i]);
    s->host[i] = host_of[id];
    s->from_s[i] = st[i] * 1e-9;
    s->until_s[i] = later[id] >= 0 ? st[later[id]] * 1e-9 : end_ns >= 0 ? s->t1_s : s->from_s[i];
    s->value[i] = sv[i];
    later[id] = (long)i;
    if (isfinite(sv[i]) && sv[i] > s->max) s->max = sv[i];
  }
  rc = 0;
out:
  if (ename) sim_result_free_strings(ename, ne);
  if (ekind) sim_result_free_strings(ekind, nk);
  sim_free(eid);
  sim_free(st);
  sim_free(se);
  sim_free(sv);
  sim_free(hosts);
  sim_free(host_of);
  sim_free(later);
  if (rc) host_signal_free(s);
  return rc;
}

/* Bins the rows of s into at most max_rows x max_cols cells (g, filled). */
static int host_signal_grid(const host_signal *s, size_t max_rows, size_t max_cols,
                            plot_heat_grid *g) {
  memset(g, 0, sizeof *g);
  size_t per_row = (s->nh + (max_rows ? max_rows : 1) - 1) / (max_rows ? max_rows : 1);
  double span = s->t1_s - s->t0_s;
  size_t steps = span > 0 ? (size_t)ceil(span / s->dt_s - 1e-9) : 1;
  if (steps == 0) steps = 1;
  size_t per_col = (steps + (max_cols ? max_cols : 1) - 1) / (max_cols ? max_cols : 1);
  g->hosts_per_row = per_row;
  g->n_hosts = s->nh;
  g->rows = (s->nh + per_row - 1) / per_row;
  g->cols = (steps + per_col - 1) / per_col;
  g->t0_s = s->t0_s;
  g->col_s = (double)per_col * s->dt_s;
  g->t1_s = span > 0 ? s->t1_s : s->t0_s + g->col_s;
  g->value = sim_calloc(g->rows * g->cols, sizeof *g->value);
  double *held = sim_calloc(g->rows * g->cols, sizeof *held); /* s: host-time with a value */
  if (!g->value || !held) {
    sim_free(held);
    plot_heat_grid_free(g);
    return PLOT_ENOMEM;
  }
  for (size_t i = 0; i < s->n; i++) {
    if (s->host[i] < 0 || !isfinite(s->value[i]) || !(s->until_s[i] > s->from_s[i])) continue;
    double a = s->from_s[i], b = fmin(s->until_s[i], g->t1_s);
    size_t row = (size_t)s->host[i] / per_row;
    size_t c0 = (size_t)floor((a - g->t0_s) / g->col_s);
    for (size_t c = c0; c < g->cols; c++) {
      double lo = g->t0_s + (double)c * g->col_s, hi = fmin(g->t1_s, lo + g->col_s);
      if (lo >= b) break;
      double overlap = fmin(b, hi) - fmax(a, lo);
      if (overlap <= 0) continue;
      g->value[row * g->cols + c] += s->value[i] * overlap;
      held[row * g->cols + c] += overlap;
    }
  }
  for (size_t k = 0; k < g->rows * g->cols; k++)
    g->value[k] = held[k] > 0 ? g->value[k] / held[k] : NAN;
  sim_free(held);
  return 0;
}

void plot_heat_grid_free(plot_heat_grid *g) {
  sim_free(g->value);
  memset(g, 0, sizeof *g);
}

int plot_heatmap_grid(sim_result *r, const char *signal, size_t max_rows, size_t max_cols,
                      plot_heat_grid *g, sim_diag *diag) {
  plot_options o;
  plot_options_init(&o);
  plot_ctx x = {.kind = PLOT_HEATMAP, .runs = &r, .n_runs = 1, .o = &o, .diag = diag};
  host_signal s;
  memset(g, 0, sizeof *g);
  int rc = host_signal_read(&x, r, signal, &s);
  if (rc) return rc;
  rc = host_signal_grid(&s, max_rows, max_cols, g);
  host_signal_free(&s);
  return rc;
}

/* The width of the widest label of the colour bar's ticks over [0, top]. */
static double bar_labels_width(plot_ctx *x, double top) {
  plot_ticks t;
  plot_nice_ticks(0, top, 5, &t);
  double widest = 0;
  for (size_t i = 0; i < t.n; i++) {
    char buf[32];
    double w;
    plot_tick_label(&t, plot_tick_value(&t, i), buf, sizeof buf);
    plot_text_size(x->c, PLOT_FONT_TICK, buf, &w, NULL);
    widest = fmax(widest, w);
  }
  return widest;
}

/* The heatmap of a signal of hosts: each cell the time-weighted mean of its
 * hosts' values over its column, coloured from 0 to the largest cell. */
static int host_heatmap(plot_ctx *x, const char *signal) {
  sim_result *res = x->runs[0];
  host_signal s;
  plot_heat_grid g = {0};
  plot_rgb *colour = NULL;
  int rc = host_signal_read(x, res, signal, &s);
  if (rc) return rc;
  /* a quantity in W is a power; another is named by its signal */
  char quantity[160], title[300], xlabel[64], ylabel[128] = "", bar_title[200];
  snprintf(quantity, sizeof quantity, "%s", !strcmp(s.unit, "W") ? "power" : signal);
  snprintf(bar_title, sizeof bar_title, "%s (%s)", quantity, *s.unit ? s.unit : "1");
  snprintf(title, sizeof title, "%s: host %s", plot_title_text(x, "hosts"), quantity);
  double tunit;
  const char *tname;
  plot_ticks xt, yt;
  plot_time_ticks(s.t0_s, s.t1_s, &tunit, &tname, &xt);
  double name_w = 0;
  if (s.nh <= NAMED_ROWS)
    for (size_t i = 0; i < s.nh; i++) {
      double w;
      plot_text_size(x->c, PLOT_FONT_TICK, s.hname[i], &w, NULL);
      name_w = fmax(name_w, w);
    }
  plot_box room0 = plot_frame(x, x->o->title ? x->o->title : title, NULL, 0);
  double tick_h;
  plot_text_size(x->c, PLOT_FONT_TICK, "0", NULL, &tick_h);
  double bar_w = 36, label_w = bar_labels_width(x, s.max > 0 ? s.max : 1);
  plot_nice_ticks(0, (double)s.nh, 6, &yt);
  snprintf(xlabel, sizeof xlabel, "time (%s)", tname);
  plot_axes_spec spec = {&xt, s.nh <= NAMED_ROWS ? NULL : &yt, xlabel,
                         s.nh <= NAMED_ROWS ? NULL : ylabel, 0};
  plot_axes a;
  double top = 1;
  plot_ticks bt;
  /* the bar's labels follow the largest cell, which follows the layout:
   * laid out again once when they need more room than the largest value's */
  for (int pass = 0; pass < 2; pass++) {
    plot_box room = room0;
    room.x1 -= 14 + bar_w + 10 + 10 + label_w + 14 + tick_h * 1.4;
    room.x0 += name_w;
    plot_axes_layout(x->c, room, &spec, &a);
    a.ymin = 0;
    a.ymax = (double)s.nh;
    plot_heat_grid_free(&g);
    size_t max_rows = (size_t)fmax(1, floor(a.area.y1 - a.area.y0));
    size_t max_cols =
        (size_t)fmax(1, floor(plot_ax_x(&a, s.t1_s / tunit) - plot_ax_x(&a, s.t0_s / tunit)));
    if ((rc = host_signal_grid(&s, max_rows, max_cols, &g))) goto out;
    top = 0;
    for (size_t k = 0; k < g.rows * g.cols; k++)
      if (isfinite(g.value[k]) && g.value[k] > top) top = g.value[k];
    if (!(top > 0)) top = 1; /* every cell 0: a bar over [0, 1] */
    double need = bar_labels_width(x, top);
    if (need <= label_w) break;
    label_w = need;
  }
  if (s.nh <= NAMED_ROWS)
    snprintf(ylabel, sizeof ylabel, "host");
  else if (g.hosts_per_row > 1)
    snprintf(ylabel, sizeof ylabel, "hosts (%zu, in rows of %zu)", s.nh, g.hosts_per_row);
  else
    snprintf(ylabel, sizeof ylabel, "host (index in summary/hosts)");
  colour = sim_malloc(g.rows * g.cols * sizeof *colour);
  if (!colour) {
    rc = PLOT_ENOMEM;
    goto out;
  }
  for (size_t k = 0; k < g.rows * g.cols; k++)
    colour[k] = isfinite(g.value[k]) ? viridis(g.value[k] / top) : no_value;
  plot_axes_draw(x->c, &a, &spec);
  plot_report_axes(x, &a);
  double ix0 = plot_ax_x(&a, g.t0_s / tunit);
  double ix1 = plot_ax_x(&a, (g.t0_s + (double)g.cols * g.col_s) / tunit);
  double drawn = (g.t1_s - g.t0_s) / g.col_s; /* the last column may end early */
  if ((rc = draw_cells(x, &a, ix0, ix1, plot_ax_x(&a, g.t1_s / tunit), g.rows, g.cols, drawn,
                       colour)))
    goto out;
  if (s.nh <= NAMED_ROWS) draw_host_names(x, &a, s.hname, s.nh, tick_h);
  /* ticks on nice values up to the largest cell, the bar's top */
  plot_nice_ticks(0, top, 5, &bt);
  double values[64];
  char labels[64][32];
  const char *label_of[64];
  size_t n = 0;
  for (size_t i = 0; i < bt.n && n < 64; i++) {
    double v = plot_tick_value(&bt, i);
    if (v > top * (1 + 1e-9)) break;
    values[n] = v;
    plot_tick_label(&bt, v, labels[n], sizeof labels[n]);
    label_of[n] = labels[n];
    n++;
  }
  draw_colour_bar(x, &a, bar_w, label_w, n, values, top, label_of, bar_title);
out:
  sim_free(colour);
  plot_heat_grid_free(&g);
  host_signal_free(&s);
  return rc;
}

int plot_heatmap(plot_ctx *x) {
  if (x->n_runs != 1) {
    sim_diag_error(x->diag, x->n_runs ? sim_result_path(x->runs[1]) : NULL, 0, 0,
                   "the heatmap plot draws one result, not %zu", x->n_runs);
    return PLOT_EINPUT;
  }
  if (x->o->signal && strcmp(x->o->signal, "cpu_share")) return host_heatmap(x, x->o->signal);
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
  plot_rgb *colour = NULL; /* per cell */
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
  colour = sim_malloc(rows * cols * sizeof *colour);
  if (!colour) {
    rc = PLOT_ENOMEM;
    goto out;
  }
  for (size_t r = 0; r < rows; r++)
    for (size_t c = 0; c < cols; c++) {
      double denom = cap[r] * colw[c];
      colour[r * cols + c] = viridis(denom > 0 ? acc[r * cols + c] / denom : 0);
    }
  plot_axes_draw(x->c, &a, &spec);
  plot_report_axes(x, &a);
  /* the samples span [t0, t1] of the axis, whose ticks may reach past it */
  double ix0 = plot_ax_x(&a, t0 / tunit), ix1 = plot_ax_x(&a, t1 / tunit);
  if ((rc = draw_cells(x, &a, ix0, ix1, ix1, rows, cols, (double)cols, colour))) goto out;
  if (nh <= NAMED_ROWS) draw_host_names(x, &a, hname, nh, tick_h);
  double pct[6];
  char labels[6][8];
  const char *label_of[6];
  for (int i = 0; i < 6; i++) {
    pct[i] = i * 20;
    snprintf(labels[i], sizeof labels[i], "%d", i * 20);
    label_of[i] = labels[i];
  }
  draw_colour_bar(x, &a, bar_w, bar_label_w, 6, pct, 100.0, label_of, "CPU utilisation (%)");
out:
  sim_free(colour);
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
