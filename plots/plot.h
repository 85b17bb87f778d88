/* plots/plot.h: the plot kinds of `vdcsim plot`, drawn from HDF5 results.
 * Every kind reads results only through sim/results.h (what a plot shows is
 * what the file holds) and draws through plots/canvas.h.  What each kind reads
 * is documented in plots/README.md.
 * Units: canvas sizes in pixels at PLOT_DPI; data keep the units of their
 * columns, converted for display where named (bit/s -> Mbit/s, s -> ms). */
#ifndef PLOTS_PLOT_H
#define PLOTS_PLOT_H
#include <stddef.h>

#include "plots/canvas.h"
#include "sim/diag.h"
#include "sim/results.h"

typedef enum plot_kind {
  PLOT_COMPARE,   /* grouped bars: workloads x techniques, relative to native */
  PLOT_BREAKDOWN, /* stacked bars of cycles by mechanism */
  PLOT_MIGRATION, /* one migration's timeline ([CL05] Fig. 8) */
  PLOT_SERIES,    /* per-guest time series */
  PLOT_CDF,       /* request-latency distributions */
  PLOT_SWEEP,     /* a metric against a swept parameter */
  PLOT_LATENCY,   /* response-time percentiles against offered load (a sweep summary) */
  PLOT_HEATMAP,   /* host CPU utilisation over time, hosts by rows */
  PLOT_ENERGY,    /* energy and SLA metrics per consolidation policy */
  PLOT_TIMELINE,  /* every migration as a bar over time, downtime marked */
  PLOT_KIND_COUNT
} plot_kind;

/* 0 and *kind set, or -1 for an unknown name. */
int plot_kind_from_name(const char *name, plot_kind *kind);
const char *plot_kind_name(plot_kind kind);

/* A published value the compare kind marks: on the bar of the guest row
 * (summary/guests, by name) it was measured for, when the plotted metric is
 * its column.  Plots take these from their caller (the plot verb reads them
 * from validation cases): a plot reads results only. */
typedef struct plot_published {
  const char *guest;  /* summary/guests row, by its name column */
  const char *metric; /* summary/guests column the value is of */
  const char *calibration; /* the testbed: calibration profile the case's guest ran with;
                            * marked only on runs whose calibration_name is this */
  double lo, hi;      /* the value (lo == hi) or range [lo, hi], in the metric's unit */
  int qualitative;    /* the source gives no precise number: [lo, hi] is the value
                       * within its tolerance, drawn as a range without a point */
} plot_published;

typedef struct plot_options {
  const char *title;     /* NULL: from the scenario's name */
  double width, height;  /* canvas, pixels */
  const char *guests;    /* series/cdf: comma-separated guest names; NULL: all */
  const char *signal;    /* series: signal name; migration: guest throughput signal;
                          * heatmap: cpu_share (NULL too) or a signal of hosts (host_power_w) */
  const char *metric;    /* compare/sweep: summary/guests column; cdf: latency column */
  const char *param;     /* sweep: root attribute holding the swept value */
  const char *by;        /* cdf: "guest" or "technique" */
  const char *group;     /* series: "technique", "workload" or "none" (NULL: by the count) */
  int log;               /* breakdown: logarithmic y axis; cdf: logarithmic x axis */
  const plot_published *published; /* compare: published values to mark; NULL: none */
  size_t n_published;
} plot_options;

/* Defaults: 1600 x 1000 pixels (8 x 5 in at 200 dpi), everything else NULL. */
void plot_options_init(plot_options *o);

/* What a drawn plot measured, for tests and for checking a layout. */
typedef struct plot_report {
  plot_box area;         /* the (main) plot area, pixels */
  double y_zero_px;      /* pixel row of y = 0 in the main axes */
  double y_px_per_unit;  /* pixels per data unit along y (positive upwards) */
  size_t bars;           /* bars drawn (compare, breakdown) */
  size_t markers;        /* published-value markers drawn (compare) */
  size_t lines;          /* lines drawn (series, cdf, sweep, migration) */
  size_t style_clashes;  /* pairs of lines drawn in the same colour and dash style */
  int legend_band;       /* the legend had to go in a band above the plot */
  size_t text_outside;   /* texts reaching outside the canvas */
  size_t text_overlaps;  /* pairs of overlapping texts */
  size_t legend_covers;  /* pairs (legend box, data mark) that overlap (plot_canvas_legend_covers) */
} plot_report;

enum {
  PLOT_EIO = -1,    /* output could not be written */
  PLOT_EINPUT = -2, /* a result, dataset or option is missing or wrong */
  PLOT_ENOMEM = -3  /* out of memory */
};

/* Draws `kind` from the open results onto a new canvas (*out, freed by the
 * caller).  0, or a negative PLOT_E* with diagnostics. */
int plot_draw(plot_kind kind, sim_result *const *runs, size_t n_runs, const plot_options *o,
              plot_canvas **out, plot_report *report, sim_diag *diag);

/* Opens the result files, draws, writes `out` atomically (format by its
 * extension).  0, or a negative PLOT_E* with diagnostics. */
int plot_files(plot_kind kind, const char *const *paths, size_t n_paths, const plot_options *o,
               const char *out, plot_report *report, sim_diag *diag);

/* The cells of a heatmap of a signal of hosts (series/<signal> whose entities
 * are hosts, such as host_power_w), computed without drawing: what the
 * heatmap kind colours.  Rows are bins of hosts_per_row consecutive hosts
 * of summary/hosts (row 0 holds host 0), columns bins of col_s seconds from
 * t0_s, the last one ending at t1_s (the series' end).  A row of the series
 * holds from its time until its host's next row (the last until the
 * series' end, on_change_end_ns, when it declares one); a cell is the
 * time-weighted mean of its hosts' values over its column, over the time
 * they have a value (NaN: none has one). */
typedef struct plot_heat_grid {
  size_t rows, cols;      /* cells: rows of hosts x columns of time */
  size_t hosts_per_row;   /* consecutive hosts in a row */
  size_t n_hosts;         /* hosts in summary/hosts */
  double t0_s, t1_s;      /* s: the span the columns cover */
  double col_s;           /* s: a column's length (the last may be shorter) */
  double *value;          /* rows x cols, row-major, in the signal's unit; NaN: no value */
} plot_heat_grid;

/* The cells of the heatmap of `signal` of result r in at most max_rows x
 * max_cols bins (at least one sample interval a column).  0, or a negative
 * PLOT_E* with a diagnostic (no such series, or not a signal of hosts). */
int plot_heatmap_grid(sim_result *r, const char *signal, size_t max_rows, size_t max_cols,
                      plot_heat_grid *g, sim_diag *diag);
void plot_heat_grid_free(plot_heat_grid *g);

#endif
