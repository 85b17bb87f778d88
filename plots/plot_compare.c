/* plots/plot_compare.c: the compare kind: grouped bars, one group per
 * workload, one bar per technique, the mean over replications with its 95%
 * t-interval as an error bar, and the published value as a marker where a
 * validation case names that workload and technique.
 * Units: the metric's unit (relative_to_native is dimensionless, native = 1).
 * Invariants: bars start at 0; bar edges are snapped to whole pixels so a
 * bar's height in the PNG is its value times the axis scale, within a pixel.
 * Reads: summary/guests (workload, technique, <metric>) of every result;
 * validation/cases/NAME.yaml (see read_case: which cases mark which bar). */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "plots/plot_internal.h"
#include "sim/alloc.h"

#define GUESTS "summary/guests"
#define DEFAULT_METRIC "relative_to_native"

/* One published value that marks a bar. */
typedef struct published {
  char *workload, *technique; /* the bar it marks; NULL until resolved from `guest` */
  char *guest;                /* the summary/guests row the case reads; NULL: explicit bar */
  double lo, hi;              /* the published value (lo == hi) or range, metric's unit */
} published;

typedef struct published_set {
  published *p;
  size_t n, cap;
} published_set;

static void published_free(published_set *s) {
  for (size_t i = 0; i < s->n; i++) {
    sim_free(s->p[i].workload);
    sim_free(s->p[i].technique);
    sim_free(s->p[i].guest);
  }
  sim_free(s->p);
}

static const char *scalar(yaml_document_t *doc, yaml_node_t *n) {
  (void)doc;
  return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* The value of `key` in mapping node m, NULL when absent. */
static yaml_node_t *map_get(yaml_document_t *doc, yaml_node_t *m, const char *key) {
  if (!m || m->type != YAML_MAPPING_NODE) return NULL;
  for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
    const char *k = scalar(doc, yaml_document_get_node(doc, p->key));
    if (k && !strcmp(k, key)) return yaml_document_get_node(doc, p->value);
  }
  return NULL;
}

static int parse_num(const char *s, double *v) {
  char *end = NULL;
  if (!s) return -1;
  *v = strtod(s, &end);
  return end != s && !*end && isfinite(*v) ? 0 : -1;
}

/* A case marks a bar when it reads the plotted metric of one guest row
 * straight from summary/guests (validation/validate.h: quantity {table,
 * column, row}, no divide_by; the guest's workload and technique then name
 * the bar), or when it names the bar itself with `workload` and `technique`
 * keys (`metric` giving the column, relative_to_native when absent).  Its
 * `published` is a value or a range [lo, hi].  Other cases are skipped: not
 * every case is a bar of this plot, and a broken case is `vdcsim
 * validate`'s to report. */
static int read_case(const char *path, const char *metric, published_set *s) {
  FILE *f = fopen(path, "rb");
  if (!f) return 0;
  yaml_parser_t parser;
  yaml_document_t doc;
  if (!yaml_parser_initialize(&parser)) {
    fclose(f);
    return -1;
  }
  yaml_parser_set_input_file(&parser, f);
  if (!yaml_parser_load(&parser, &doc)) {
    yaml_parser_delete(&parser);
    fclose(f);
    return 0;
  }
  int rc = 0;
  yaml_node_t *root = yaml_document_get_root_node(&doc);
  const char *workload = scalar(&doc, map_get(&doc, root, "workload"));
  const char *technique = scalar(&doc, map_get(&doc, root, "technique"));
  const char *case_metric = scalar(&doc, map_get(&doc, root, "metric"));
  yaml_node_t *q = map_get(&doc, root, "quantity");
  const char *q_table = scalar(&doc, map_get(&doc, q, "table"));
  const char *q_column = scalar(&doc, map_get(&doc, q, "column"));
  const char *q_row = scalar(&doc, map_get(&doc, q, "row"));
  const char *q_key = scalar(&doc, map_get(&doc, q, "key"));
  yaml_node_t *pub = map_get(&doc, root, "published");
  double lo = NAN, hi = NAN;
  if (pub && pub->type == YAML_SCALAR_NODE && parse_num(scalar(&doc, pub), &lo) == 0) {
    hi = lo;
  } else if (pub && pub->type == YAML_SEQUENCE_NODE &&
             pub->data.sequence.items.top - pub->data.sequence.items.start == 2) {
    yaml_node_t *a = yaml_document_get_node(&doc, pub->data.sequence.items.start[0]);
    yaml_node_t *b = yaml_document_get_node(&doc, pub->data.sequence.items.start[1]);
    if (parse_num(scalar(&doc, a), &lo) < 0 || parse_num(scalar(&doc, b), &hi) < 0) lo = NAN;
  }
  const char *guest = NULL;
  int explicit_bar = workload && technique &&
                     !strcmp(case_metric ? case_metric : DEFAULT_METRIC, metric);
  if (!explicit_bar && q_table && !strcmp(q_table, GUESTS) && q_column &&
      !strcmp(q_column, metric) && q_row && (!q_key || !strcmp(q_key, "name")) &&
      !map_get(&doc, root, "divide_by"))
    guest = q_row;
  if (isfinite(lo) && isfinite(hi) && (explicit_bar || guest)) {
    if (sim_grow((void **)&s->p, &s->cap, s->n + 1, sizeof *s->p) < 0) {
      rc = -1;
    } else {
      published *e = &s->p[s->n];
      memset(e, 0, sizeof *e);
      e->lo = fmin(lo, hi);
      e->hi = fmax(lo, hi);
      if (explicit_bar) {
        e->workload = sim_strdup(workload);
        e->technique = sim_strdup(technique);
      } else {
        e->guest = sim_strdup(guest);
      }
      s->n++; /* freed by published_free even when a copy failed */
      if (explicit_bar ? !e->workload || !e->technique : !e->guest) rc = -1;
    }
  }
  yaml_document_delete(&doc);
  yaml_parser_delete(&parser);
  fclose(f);
  return rc;
}

static int ends_with(const char *s, const char *suffix) {
  size_t a = strlen(s), b = strlen(suffix);
  return a >= b && !strcmp(s + a - b, suffix);
}

static int compare_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Every case of dir, in name order (so markers do not depend on readdir). */
static int read_cases(const char *dir, const char *metric, published_set *s) {
  DIR *d = opendir(dir);
  if (!d) return 0; /* no cases: no markers */
  plot_names files = {0};
  int rc = 0;
  struct dirent *ent;
  while (rc == 0 && (ent = readdir(d)))
    if (ends_with(ent->d_name, ".yaml") && plot_names_add(&files, ent->d_name) < 0) rc = -1;
  closedir(d);
  if (files.n) qsort(files.names, files.n, sizeof *files.names, compare_str);
  for (size_t i = 0; rc == 0 && i < files.n; i++) {
    size_t len = strlen(dir) + strlen(files.names[i]) + 2;
    char *path = sim_malloc(len);
    if (!path) {
      rc = -1;
      break;
    }
    snprintf(path, len, "%s/%s", dir, files.names[i]);
    rc = read_case(path, metric, s);
    sim_free(path);
  }
  plot_names_free(&files);
  return rc;
}

/* The values of one bar: every row with that workload and technique. */
typedef struct cell {
  plot_vec values; /* metric values, one per guest row over all results */
} cell;

int plot_compare(plot_ctx *x) {
  const char *metric = x->o->metric ? x->o->metric : DEFAULT_METRIC;
  int relative = !strcmp(metric, DEFAULT_METRIC);
  plot_names workloads = {0}, techs = {0}, guests = {0};
  plot_vec rows_w = {0}, rows_t = {0}, rows_v = {0}, rows_g = {0}; /* one entry per guest row */
  published_set pub = {0};
  cell *cells = NULL;
  const char *unit = NULL;
  int rc = 0;

  for (size_t r = 0; r < x->n_runs && rc == 0; r++) {
    sim_result *res = x->runs[r];
    char **w = NULL, **t = NULL, **g = NULL;
    double *v = NULL;
    size_t nw = 0, nt = 0, nv = 0, ng = 0;
    if ((rc = plot_require(x, res, GUESTS)) == 0 &&
        (rc = plot_col_str(x, res, GUESTS, "name", &g, &ng)) == 0 &&
        (rc = plot_col_str(x, res, GUESTS, "workload", &w, &nw)) == 0 &&
        (rc = plot_col_str(x, res, GUESTS, "technique", &t, &nt)) == 0 &&
        (rc = plot_col_f64(x, res, GUESTS, metric, &v, &nv)) == 0) {
      if (!unit) unit = sim_result_column_unit(res, GUESTS, metric);
      for (size_t i = 0; i < nv && i < nw && i < nt && i < ng && rc == 0; i++) {
        if (relative && !strcmp(t[i], "native")) continue; /* the reference line */
        if (!isfinite(v[i])) continue;                     /* a guest that did not finish */
        int wi = plot_names_add(&workloads, w[i]), ti = plot_names_add(&techs, t[i]);
        int gi = plot_names_add(&guests, g[i]);
        if (wi < 0 || ti < 0 || gi < 0 || plot_vec_push(&rows_w, wi) ||
            plot_vec_push(&rows_t, ti) || plot_vec_push(&rows_v, v[i]) ||
            plot_vec_push(&rows_g, gi))
          rc = PLOT_ENOMEM;
      }
    }
    if (w) sim_result_free_strings(w, nw);
    if (t) sim_result_free_strings(t, nt);
    if (g) sim_result_free_strings(g, ng);
    sim_free(v);
  }
  if (rc == 0 && rows_v.n == 0) {
    sim_diag_error(x->diag, x->n_runs ? sim_result_path(x->runs[0]) : NULL, 0, 0,
                   "no guest rows with a finite '%s' to compare", metric);
    rc = PLOT_EINPUT;
  }
  if (rc == 0 && x->o->cases_dir && read_cases(x->o->cases_dir, metric, &pub) < 0)
    rc = PLOT_ENOMEM;
  /* a case that reads a guest's row marks that guest's bar */
  for (size_t p = 0; p < pub.n && rc == 0; p++) {
    if (!pub.p[p].guest) continue;
    int gi = plot_names_find(&guests, pub.p[p].guest);
    for (size_t i = 0; gi >= 0 && i < rows_g.n && !pub.p[p].workload; i++)
      if ((int)rows_g.v[i] == gi) {
        pub.p[p].workload = sim_strdup(workloads.names[(size_t)rows_w.v[i]]);
        pub.p[p].technique = sim_strdup(techs.names[(size_t)rows_t.v[i]]);
        if (!pub.p[p].workload || !pub.p[p].technique) rc = PLOT_ENOMEM;
      }
  }
  size_t nw = workloads.n, nt = techs.n;
  /* techniques in their fixed order: remap row indices after sorting */
  int *tmap = NULL;
  if (rc == 0) {
    plot_names sorted = {0};
    for (size_t i = 0; i < nt && rc == 0; i++)
      if (plot_names_add(&sorted, techs.names[i]) < 0) rc = PLOT_ENOMEM;
    plot_names_sort_techniques(&sorted);
    tmap = sim_calloc(nt ? nt : 1, sizeof *tmap);
    cells = sim_calloc(nw * nt > 0 ? nw * nt : 1, sizeof *cells);
    if (!tmap || !cells) rc = PLOT_ENOMEM;
    for (size_t i = 0; i < nt && rc == 0; i++) tmap[i] = plot_names_find(&sorted, techs.names[i]);
    plot_names_free(&techs);
    techs = sorted;
  }
  for (size_t i = 0; i < rows_v.n && rc == 0; i++) {
    cell *c = &cells[(size_t)rows_w.v[i] * nt + (size_t)tmap[(size_t)rows_t.v[i]]];
    if (plot_vec_push(&c->values, rows_v.v[i])) rc = PLOT_ENOMEM;
  }
  if (rc) goto out;

  /* statistics and the y range */
  double ymax = relative ? 1.0 : 0.0;
  for (size_t i = 0; i < nw * nt; i++) {
    double m, h;
    if (!cells[i].values.n) continue;
    plot_mean_ci95(cells[i].values.v, cells[i].values.n, &m, &h);
    ymax = fmax(ymax, m + h);
  }
  for (size_t i = 0; i < pub.n; i++)
    if (pub.p[i].workload && plot_names_find(&workloads, pub.p[i].workload) >= 0 &&
        plot_names_find(&techs, pub.p[i].technique) >= 0)
      ymax = fmax(ymax, pub.p[i].hi);
  plot_ticks yt;
  plot_nice_ticks(0, ymax * 1.04, 6, &yt);

  /* legend: techniques, then the reference and the markers when shown */
  plot_legend_entry *e = sim_calloc(nt + 2, sizeof *e);
  if (!e) {
    rc = PLOT_ENOMEM;
    goto out;
  }
  size_t ne = 0;
  for (size_t i = 0; i < nt; i++)
    e[ne++] = (plot_legend_entry){techs.names[i], plot_technique_colour(techs.names[i]),
                                  PLOT_KEY_BOX, 0};
  int any_marker = 0;
  for (size_t i = 0; i < pub.n; i++)
    if (pub.p[i].workload && plot_names_find(&workloads, pub.p[i].workload) >= 0 &&
        plot_names_find(&techs, pub.p[i].technique) >= 0)
      any_marker = 1;
  if (relative)
    e[ne++] = (plot_legend_entry){"native = 1", plot_technique_colour("native"), PLOT_KEY_DASH, 0};
  if (any_marker)
    e[ne++] = (plot_legend_entry){"published", (plot_rgb){0, 0, 0}, PLOT_KEY_MARKER, 0};

  char ylabel[160];
  if (relative)
    snprintf(ylabel, sizeof ylabel, "performance relative to native");
  else if (unit && strcmp(unit, "1"))
    snprintf(ylabel, sizeof ylabel, "%s (%s)", metric, unit);
  else
    snprintf(ylabel, sizeof ylabel, "%s", metric);
  plot_box room = plot_frame(x, plot_title_text(x, "virtualization techniques compared"), e, ne);
  plot_axes_spec spec = {NULL, &yt, "workload", ylabel, 1};
  plot_axes a;
  plot_axes_layout(x->c, room, &spec, &a);
  a.xmin = 0;
  a.xmax = (double)nw;
  plot_axes_draw(x->c, &a, &spec);
  plot_report_axes(x, &a);

  cairo_t *cr = plot_canvas_cr(x->c);
  double gw = (a.area.x1 - a.area.x0) / (double)nw; /* group width, pixels */
  double bw = gw * 0.8 / (double)nt;                 /* bar width, pixels */
  double y0 = round(plot_ax_y(&a, 0));
  for (size_t wi = 0; wi < nw; wi++) {
    double gx = a.area.x0 + gw * (double)wi + gw * 0.1;
    for (size_t ti = 0; ti < nt; ti++) {
      cell *c = &cells[wi * nt + ti];
      if (!c->values.n) continue;
      double m, h;
      plot_mean_ci95(c->values.v, c->values.n, &m, &h);
      double bx0 = round(gx + bw * (double)ti), bx1 = round(gx + bw * (double)(ti + 1)) - 2;
      double by = round(plot_ax_y(&a, m));
      plot_set_colour(x->c, plot_technique_colour(techs.names[ti]));
      cairo_rectangle(cr, bx0, by, bx1 - bx0, y0 - by);
      cairo_fill(cr);
      plot_mark(x->c, bx0, by, bx1, y0);
      x->rep->bars++;
      double cx = (bx0 + bx1) / 2;
      if (h > 0) { /* 95% confidence interval of the mean */
        double lo = plot_ax_y(&a, m - h), hi = plot_ax_y(&a, m + h), cap = bw * 0.2;
        cairo_set_source_rgb(cr, 0, 0, 0);
        cairo_set_line_width(cr, 2.5);
        cairo_move_to(cr, cx, lo);
        cairo_line_to(cr, cx, hi);
        cairo_move_to(cr, cx - cap, lo);
        cairo_line_to(cr, cx + cap, lo);
        cairo_move_to(cr, cx - cap, hi);
        cairo_line_to(cr, cx + cap, hi);
        cairo_stroke(cr);
        plot_mark(x->c, cx - cap, hi, cx + cap, lo);
      }
      for (size_t p = 0; p < pub.n; p++)
        if (pub.p[p].workload && !strcmp(pub.p[p].workload, workloads.names[wi]) &&
            !strcmp(pub.p[p].technique, techs.names[ti])) {
          double size = fmin(bw * 0.6, 30);
          if (pub.p[p].hi > pub.p[p].lo) { /* a published range: its span, then the diamond */
            double ylo = plot_ax_y(&a, pub.p[p].lo), yhi = plot_ax_y(&a, pub.p[p].hi);
            cairo_set_source_rgb(cr, 1, 1, 1);
            cairo_set_line_width(cr, 7);
            cairo_move_to(cr, cx, ylo);
            cairo_line_to(cr, cx, yhi);
            cairo_stroke(cr);
            cairo_set_source_rgb(cr, 0, 0, 0);
            cairo_set_line_width(cr, 3);
            cairo_move_to(cr, cx, ylo);
            cairo_line_to(cr, cx, yhi);
            cairo_stroke(cr);
            plot_mark(x->c, cx - 4, yhi, cx + 4, ylo);
          }
          plot_marker(x->c, cx, plot_ax_y(&a, (pub.p[p].lo + pub.p[p].hi) / 2), size);
          x->rep->markers++;
        }
    }
    cairo_set_source_rgb(cr, 0, 0, 0);
    char label[128];
    plot_fit_text(x->c, PLOT_FONT_TICK, workloads.names[wi], gw * 0.95, label, sizeof label);
    plot_text(x->c, PLOT_FONT_TICK, a.area.x0 + gw * ((double)wi + 0.5), a.area.y1 + 14, 0.5, 0,
              0, label);
  }
  if (relative) { /* native's level, over the bars so it reads as the reference */
    double y1 = round(plot_ax_y(&a, 1)) + 0.5;
    double d[2] = {14, 8};
    cairo_save(cr);
    cairo_set_dash(cr, d, 2, 0);
    cairo_set_line_width(cr, 2.5);
    plot_set_colour(x->c, plot_technique_colour("native"));
    cairo_move_to(cr, a.area.x0, y1);
    cairo_line_to(cr, a.area.x1, y1);
    cairo_stroke(cr);
    cairo_restore(cr);
    plot_mark(x->c, a.area.x0, y1 - 2, a.area.x1, y1 + 2);
  }
  rc = plot_place_legend(x, &a, e, ne);
  sim_free(e);

out:
  for (size_t i = 0; cells && i < nw * nt; i++) plot_vec_free(&cells[i].values);
  sim_free(cells);
  sim_free(tmap);
  published_free(&pub);
  plot_vec_free(&rows_w);
  plot_vec_free(&rows_t);
  plot_vec_free(&rows_v);
  plot_vec_free(&rows_g);
  plot_names_free(&guests);
  plot_names_free(&workloads);
  plot_names_free(&techs);
  return rc;
}
