/* plots/canvas.h: the small drawing layer every plot kind draws through.
 * A canvas is a cairo recording surface measured in pixels at PLOT_DPI; it is
 * rendered at the end to PNG (pixels as drawn) or to SVG/PDF (scaled to points,
 * 72/PLOT_DPI), so one drawing serves every format.  The canvas remembers the
 * box of every text it drew and of every data mark, so that a legend can be
 * put where it covers no data and tests can check that no text leaves the
 * canvas.  Ticks follow Heckbert's "nice numbers" (Graphics Gems, 1990); the
 * palette is Okabe & Ito's colour-blind-safe set (2008); a technique's colour
 * follows its position in the catalog order, so it is the same in every plot.
 * Units: every coordinate and size here is in pixels, y growing downwards. */
#ifndef PLOTS_CANVAS_H
#define PLOTS_CANVAS_H
#include <cairo.h>
#include <stddef.h>

#include "sim/diag.h"

#define PLOT_DPI 200.0 /* pixels per inch of the PNG; vector output is scaled to match */
#define PLOT_PI 3.14159265358979323846 /* M_PI is not C11 */

typedef struct plot_rgb {
  double r, g, b; /* each 0..1 */
} plot_rgb;

/* The colour of the technique at `position` in the techniques' order (the
 * catalog order a result records, plots/README.md): a fixed sequence of the
 * palette, black first for the reference technique; a neutral grey past its
 * end (PLOT_TECHNIQUE_COLOURS). */
#define PLOT_TECHNIQUE_COLOURS 8
plot_rgb plot_technique_palette(size_t position);
/* The colour of a mechanism of models/technique.h (guest, trap ...). */
plot_rgb plot_mechanism_colour(const char *mechanism);
/* The i-th Okabe-Ito colour (cycling), for series that are not techniques. */
plot_rgb plot_palette(size_t i);

/* Heckbert's nice number: the 1, 2 or 5 times a power of ten closest to x
 * (round) or just above it (!round); x > 0. */
double plot_nice_num(double x, int round);

typedef struct plot_ticks {
  double lo, hi; /* axis range, multiples of step (data units) */
  double step;   /* distance between ticks (data units) */
  int decimals;  /* digits after the point that tell ticks apart */
  size_t n;      /* ticks from lo to hi inclusive */
  int log;       /* logarithmic: lo, hi and step are powers of ten (exponents) */
} plot_ticks;
/* Loose labelling of [min, max] with about `target` ticks (Heckbert). */
void plot_nice_ticks(double min, double max, int target, plot_ticks *t);
/* Decades covering [min, max] (both > 0) for a logarithmic axis, a tick
 * at each decade (every second or more when there are many). */
void plot_log_ticks(double min, double max, plot_ticks *t);
/* The data value of tick i (10^exponent on a logarithmic axis). */
double plot_tick_value(const plot_ticks *t, size_t i);
/* The label of tick value v (a data value): "0.25", "5000"; from 10^4 on
 * with an SI prefix ("20k", "2.5G"); 0 is always "0", never "0k". */
void plot_tick_label(const plot_ticks *t, double v, char *buf, size_t size);

typedef enum plot_font {
  PLOT_FONT_TITLE,  /* the plot's title */
  PLOT_FONT_LABEL,  /* axis labels */
  PLOT_FONT_TICK,   /* tick labels and category names */
  PLOT_FONT_LEGEND, /* legend entries */
  PLOT_FONT_NOTE,   /* annotations inside the plot */
  PLOT_FONT_COUNT
} plot_font;

typedef struct plot_box {
  double x0, y0, x1, y1; /* pixels, x0 <= x1, y0 <= y1 */
} plot_box;

typedef struct plot_canvas plot_canvas;

/* A white canvas of width x height pixels; NULL when out of memory. */
plot_canvas *plot_canvas_new(double width, double height);
void plot_canvas_free(plot_canvas *c);
cairo_t *plot_canvas_cr(plot_canvas *c);
double plot_canvas_width(const plot_canvas *c);
double plot_canvas_height(const plot_canvas *c);
/* Pixel size of a font; scales with the canvas so small canvases stay legible. */
double plot_font_size(const plot_canvas *c, plot_font font);

/* Text extents in pixels (ascent + descent for the height). */
void plot_text_size(plot_canvas *c, plot_font font, const char *s, double *w, double *h);
/* Draws s anchored at (x, y): ax 0 left, 0.5 centre, 1 right of the text box;
 * ay 0 top, 0.5 middle, 1 bottom.  vertical: rotated a quarter turn
 * anticlockwise (reading upwards), anchors then refer to the rotated box.
 * Returns the box it covers, which the canvas also records. */
plot_box plot_text(plot_canvas *c, plot_font font, double x, double y, double ax, double ay,
                   int vertical, const char *s);
/* s shortened with "..." until it is at most max_w pixels wide, into buf. */
void plot_fit_text(plot_canvas *c, plot_font font, const char *s, double max_w, char *buf,
                   size_t size);
/* Records a data mark (bar, point, line segment box) for legend placement. */
void plot_mark(plot_canvas *c, double x0, double y0, double x1, double y1);
/* Text boxes that reach outside the canvas, and pairs of text boxes that
 * overlap (both should be 0 in a readable plot). */
size_t plot_canvas_text_outside(const plot_canvas *c);
size_t plot_canvas_text_overlaps(const plot_canvas *c);
/* The recorded boxes of data marks and of legends (every legend this layer
 * draws, and colour bars a kind records with plot_legend_record); owned by
 * the canvas, valid until the next drawing call.  For tests of layout. */
size_t plot_canvas_marks(const plot_canvas *c, const plot_box **boxes);
size_t plot_canvas_legends(const plot_canvas *c, const plot_box **boxes);
/* Pairs (legend box, data mark box) that overlap: 0 when no legend covers data. */
size_t plot_canvas_legend_covers(const plot_canvas *c);
/* Numeric axes drawn whose label does not end in its unit in parentheses
 * ("time (s)", "share (1)"), or y axes with no label (an x axis may have
 * none: stacked panels share the bottom one's): 0 in a readable plot. */
size_t plot_canvas_unitless_axes(const plot_canvas *c);
/* Records a legend's box (a key drawn by a kind itself, such as a colour bar). */
void plot_legend_record(plot_canvas *c, plot_box b);
/* Whether the canvas ran out of memory while recording boxes. */
int plot_canvas_failed(const plot_canvas *c);

/* An axes rectangle and the data ranges it maps. */
typedef struct plot_axes {
  plot_box area;      /* the plot area, pixels */
  double xmin, xmax;  /* data range along x (data units) */
  double ymin, ymax;  /* data range along y (data units; log10 of them on a log axis) */
  int xlog, ylog;     /* logarithmic axes (set by plot_axes_layout from the ticks) */
} plot_axes;
double plot_ax_x(const plot_axes *a, double x);
double plot_ax_y(const plot_axes *a, double y);

/* What surrounds an axes: tick labels, axis labels. */
typedef struct plot_axes_spec {
  const plot_ticks *xticks; /* NULL: categorical x axis (the caller labels it) */
  const plot_ticks *yticks;
  const char *xlabel;       /* with its unit, "time (s)"; NULL: none */
  const char *ylabel;
  double x_category_rows;   /* lines of category labels under a categorical x axis */
} plot_axes_spec;
/* Lays out axes inside `room` leaving space for tick and axis labels. */
void plot_axes_layout(plot_canvas *c, plot_box room, const plot_axes_spec *spec, plot_axes *out);
/* Draws grid, frame, ticks, tick labels and axis labels. */
void plot_axes_draw(plot_canvas *c, const plot_axes *a, const plot_axes_spec *spec);

/* Title across the top; returns the y below it. */
double plot_title(plot_canvas *c, const char *title);

typedef enum plot_key {
  PLOT_KEY_BOX,    /* filled box: bars */
  PLOT_KEY_LINE,   /* solid line */
  PLOT_KEY_DASH,   /* dashed line */
  PLOT_KEY_MARKER, /* a published-value marker */
  PLOT_KEY_SPAN,   /* a shaded span of time */
  PLOT_KEY_RANGE   /* a published range without a point (plot_range_key) */
} plot_key;
typedef struct plot_legend_entry {
  const char *label; /* text, not owned */
  plot_rgb colour;   /* of the key */
  plot_key key;      /* how the key is drawn */
  int dash; /* PLOT_KEY_LINE: the line's dash style (plot_set_dash) */
} plot_legend_entry;

/* Puts the legend in the first corner of the axes where it covers no data
 * mark and no text; 0 when drawn, -1 when no corner is free (nothing drawn:
 * the caller lays out again with a legend band, plot_legend_band). */
int plot_legend_inside(plot_canvas *c, const plot_axes *a, const plot_legend_entry *e, size_t n);
/* Height of a legend laid out in rows across `width`. */
double plot_legend_band_height(plot_canvas *c, double width, const plot_legend_entry *e, size_t n);
/* Draws a legend in rows inside [x0, x0+width] from y0 down. */
void plot_legend_band(plot_canvas *c, double x0, double y0, double width,
                      const plot_legend_entry *e, size_t n);

/* Draws a legend as a column, one entry per row, left-aligned from (x0, y0),
 * labels shortened with "..." to fit `width`. */
void plot_legend_column(plot_canvas *c, double x0, double y0, double width,
                        const plot_legend_entry *e, size_t n);
/* Draws the published-value marker (a hollow diamond) centred at (x, y). */
void plot_marker(plot_canvas *c, double x, double y, double size);
/* Draws a published range with no point (a qualitative source): a hollow
 * bracket from y_lo to y_hi (pixels, y_lo below) centred on x, `width` wide. */
void plot_range_key(plot_canvas *c, double x, double y_lo, double y_hi, double width);
void plot_set_colour(plot_canvas *c, plot_rgb colour);
/* Line dash styles that tell apart lines of one colour: 0 solid, 1 dashed,
 * 2 dotted, 3 dash-dot (cycling). */
void plot_set_dash(plot_canvas *c, int style);

/* The output format an extension names: .png, .svg or .pdf; -1 otherwise. */
typedef enum plot_format { PLOT_PNG, PLOT_SVG, PLOT_PDF } plot_format;
int plot_format_from_path(const char *path, plot_format *fmt);
/* Writes the canvas to `path` atomically (a temporary file in the same
 * directory, renamed on success); 0, or -1 with a diagnostic naming path. */
int plot_canvas_save(plot_canvas *c, const char *path, sim_diag *diag);
/* The canvas rasterised as PNG would be (caller destroys); for tests. */
cairo_surface_t *plot_canvas_image(plot_canvas *c);

#endif
