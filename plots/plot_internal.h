/* plots/plot_internal.h: what the plot kinds share (internal to plots/).
 * A kind is a function drawing onto a fresh canvas; when its legend finds no
 * corner free of data it returns PLOT_RETRY_BAND and is drawn once more with
 * the legend in a band under the title, so a legend never covers data.
 * Units: pixels for geometry; data in the units of their columns. */
#ifndef PLOTS_PLOT_INTERNAL_H
#define PLOTS_PLOT_INTERNAL_H
#include <stddef.h>

#include "plots/canvas.h"
#include "plots/plot.h"

#define PLOT_RETRY_BAND 1 /* a kind's return: draw again with a legend band */

/* ---- a set of names, in insertion order ---- */
typedef struct plot_names {
  char **names; /* owned copies */
  size_t n, cap; /* names held, slots allocated */
} plot_names;

typedef struct plot_ctx {
  plot_kind kind;              /* what is drawn, for messages */
  plot_names *techniques;      /* the techniques' order (plot_technique_rank) */
  plot_canvas *c;              /* the canvas being drawn */
  sim_result *const *runs;     /* the results, in command-line order */
  size_t n_runs;
  const plot_options *o;
  int band;                    /* legend goes in a band above the axes */
  plot_report *rep;            /* filled as the kind draws */
  plot_rgb line_colour[64];    /* the styles of the first lines drawn, to count clashes */
  int line_dash[64];
  size_t n_line_styles;
  sim_diag *diag;
} plot_ctx;

int plot_compare(plot_ctx *x);
int plot_breakdown(plot_ctx *x);
int plot_migration(plot_ctx *x);
int plot_series(plot_ctx *x);
int plot_cdf(plot_ctx *x);
int plot_sweep(plot_ctx *x);
int plot_latency(plot_ctx *x);
int plot_heatmap(plot_ctx *x);
int plot_energy(plot_ctx *x);
int plot_timeline(plot_ctx *x);

/* ---- reading results, with messages naming what is missing and where ---- */

/* "run 2 of scenario 'flagship'" or the file name when those are absent. */
void plot_run_name(sim_result *r, char *buf, size_t size);
/* 0 when the dataset exists; PLOT_EINPUT with a diagnostic otherwise. */
int plot_require(plot_ctx *x, sim_result *r, const char *path);
/* A column (0), or PLOT_EINPUT/PLOT_ENOMEM with a diagnostic. */
int plot_col_f64(plot_ctx *x, sim_result *r, const char *table, const char *col, double **v,
                 size_t *n);
int plot_col_str(plot_ctx *x, sim_result *r, const char *table, const char *col, char ***v,
                 size_t *n);
/* A root string attribute: 1 and *value set, 0 when absent, PLOT_ENOMEM
 * with a diagnostic when it cannot be read. */
int plot_attr(plot_ctx *x, sim_result *r, const char *name, const char **value);
/* 0 when the runs are replications of one scenario (same scenario_name,
 * calibration_name and resolved text apart from seed and run_index);
 * PLOT_EINPUT with a diagnostic naming the first difference otherwise. */
int plot_require_replications(plot_ctx *x);
/* The times (s) at which migrations, by name (migration/summary's
 * `migration`), resumed their guest at the destination: their
 * migration_switchover events in /events (entities name the migration);
 * NaN for a migration without one or when the run kept no events.  at has
 * n slots.  0, or PLOT_EINPUT/PLOT_ENOMEM with a diagnostic. */
int plot_switchovers(plot_ctx *x, sim_result *r, char **migrations, size_t n, double *at);
/* The title: --title, else the first run's scenario_name, else `fallback`. */
const char *plot_title_text(plot_ctx *x, const char *fallback);
/* Whether a comma-separated list holds name (a NULL list holds everything). */
int plot_list_has(const char *list, const char *name);

/* ---- statistics ---- */

/* Mean and the half-width of its 95% Student-t confidence interval (0 when
 * n < 2): t_{0.975, n-1} * s / sqrt(n). */
void plot_mean_ci95(const double *v, size_t n, double *mean, double *half);

/* ---- names ---- */
/* Index of name, adding it when new; -1 when out of memory. */
int plot_names_add(plot_names *s, const char *name);
int plot_names_find(const plot_names *s, const char *name);
/* Orders technique names by their rank, noting them first
 * (plot_techniques_note).  0, or PLOT_ENOMEM. */
int plot_names_sort_techniques(plot_ctx *x, plot_names *s);

/* ---- techniques: order and colour ---- */

/* The order of legends, groups and bars starts with the techniques a result
 * lists in its root attribute `techniques` (the catalog order of the models,
 * written by every run): read here.  0, or PLOT_ENOMEM. */
int plot_techniques_read(sim_result *const *runs, size_t n_runs, plot_names *order);
/* Appends to the order the techniques of `met` it lacks, by name, so that a
 * kind gives every technique it draws a place (and a colour) before drawing.
 * 0, or PLOT_ENOMEM. */
int plot_techniques_note(plot_ctx *x, const plot_names *met);
/* A technique's position in that order; a name not noted comes after all. */
size_t plot_technique_rank(const plot_ctx *x, const char *technique);
/* Its colour: plot_technique_palette at its rank; grey when not noted. */
plot_rgb plot_technique_colour(const plot_ctx *x, const char *technique);
void plot_names_free(plot_names *s);
/* The j-th curve of one colour (several guests of one technique): the
 * colour, then darker and lighter shades of it, each with its own dash
 * style, so no two curves of a plot look alike (up to 12 of one colour). */
void plot_variant(plot_rgb base, size_t j, plot_rgb *colour, int *dash);
/* The colour of curves that stand for no technique (a guest whose technique
 * is unknown): greys, which no technique or mechanism uses. */
plot_rgb plot_neutral(size_t i);

/* ---- a growable array of doubles ---- */
typedef struct plot_vec {
  double *v;     /* values */
  size_t n, cap; /* values held, slots allocated */
} plot_vec;
int plot_vec_push(plot_vec *a, double value);
void plot_vec_free(plot_vec *a);

/* ---- layout ---- */

/* Draws the title and, in band mode, the legend under it; returns the room
 * left for axes. */
plot_box plot_frame(plot_ctx *x, const char *title, const plot_legend_entry *e, size_t n);
/* After the data: the legend inside a free corner (0), nothing in band mode
 * (0, already drawn), or PLOT_RETRY_BAND. */
int plot_place_legend(plot_ctx *x, const plot_axes *a, const plot_legend_entry *e, size_t n);
/* A time axis over [t0_s, t1_s] seconds: its display unit (*unit_s seconds
 * per unit, *name "s", "min" or "h", by the span's length) and ticks on
 * steps a clock reads (hours by 1, 2, 3, 6, 12 or 24; minutes by 1, 2, 5,
 * 10, 15 or 30; seconds by nice numbers), about seven of them. */
void plot_time_ticks(double t0_s, double t1_s, double *unit_s, const char **name, plot_ticks *t);
/* Records the main axes' mapping in the report. */
void plot_report_axes(plot_ctx *x, const plot_axes *a);
/* Draws a polyline of n points in data coordinates, recording its marks;
 * `dash` is a dash style of plot_set_dash. */
void plot_polyline(plot_ctx *x, const plot_axes *a, const double *xs, const double *ys, size_t n,
                   plot_rgb colour, int dash, double width);

#endif
