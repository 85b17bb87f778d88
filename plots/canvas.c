/* plots/canvas.c: the drawing layer (see canvas.h): recording canvas, fonts,
 * nice ticks, axes, legends that avoid data, palette, atomic output.
 * Units: pixels at PLOT_DPI; fonts are set in points and converted.
 * Invariants: every text and data mark drawn through this layer has its box
 * recorded; the recording is rendered only by plot_canvas_save/_image.
 * Sources: P. Heckbert, "Nice numbers for graph labels", Graphics Gems (1990);
 * M. Okabe & K. Ito, "Color Universal Design" (2008) for the palette. */
#include "plots/canvas.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/alloc.h"

#define FONT_FACE "DejaVu Sans"
#define PAD 14.0         /* pixels between neighbouring elements */
#define TICK_LEN 10.0    /* pixels */

struct plot_canvas {
  cairo_surface_t *rec;  /* recording surface holding the drawing */
  cairo_t *cr;           /* drawing context on rec */
  double width, height;  /* pixels */
  double font_scale;     /* 1 on canvases of the default size or larger */
  plot_box *texts;       /* boxes of texts drawn, pixels */
  size_t n_texts, cap_texts;
  plot_box *marks;       /* boxes of data marks, pixels */
  size_t n_marks, cap_marks;
  plot_box *legends;     /* boxes of legends drawn (inside, band, column, colour bar), pixels */
  size_t n_legends, cap_legends;
  int failed;            /* a box could not be recorded (out of memory) */
  size_t unitless_axes;  /* numeric axes drawn whose label names no unit */
};

/* Legend swatch width, pixels. */
static double key_w(const plot_canvas *c) { return 44.0 * c->font_scale; }

/* ---- palette ---- */

/* Okabe-Ito, in their published order (black first). */
static const plot_rgb okabe_ito[8] = {
    {0.000, 0.000, 0.000}, /* black */
    {0.902, 0.624, 0.000}, /* orange #E69F00 */
    {0.337, 0.706, 0.914}, /* sky blue #56B4E9 */
    {0.000, 0.620, 0.451}, /* bluish green #009E73 */
    {0.941, 0.894, 0.259}, /* yellow #F0E442 */
    {0.000, 0.447, 0.698}, /* blue #0072B2 */
    {0.835, 0.369, 0.000}, /* vermillion #D55E00 */
    {0.800, 0.475, 0.655}, /* reddish purple #CC79A7 */
};

plot_rgb plot_technique_palette(size_t position) {
  /* Black for the first (native, the reference, the colour of the frame),
   * then the colours that tell bars apart best side by side; with the
   * catalog's order: native, container, bt, pv, hvm, hvm-ept. */
  static const int order[PLOT_TECHNIQUE_COLOURS] = {0, 3, 1, 2, 6, 5, 7, 4};
  if (position >= PLOT_TECHNIQUE_COLOURS) return (plot_rgb){0.6, 0.6, 0.6};
  return okabe_ito[order[position]];
}

plot_rgb plot_mechanism_colour(const char *mechanism) {
  /* The guest's own work is the neutral base of each stack; the overheads
   * take Paul Tol's colour-blind-safe "muted" set, none of which is a
   * technique's colour (techniques keep Okabe-Ito's for every plot). */
  static const struct {
    const char *name;
    plot_rgb colour;
  } mech[] = {
      {"guest", {0.867, 0.867, 0.867}},     /* pale grey #DDDDDD */
      {"trap", {0.800, 0.400, 0.467}},      /* rose #CC6677 */
      {"translate", {0.867, 0.800, 0.467}}, /* sand #DDCC77 */
      {"pagewalk", {0.200, 0.133, 0.533}},  /* indigo #332288 */
      {"hypercall", {0.267, 0.667, 0.600}}, /* teal #44AA99 */
      {"hypervisor", {0.533, 0.133, 0.333}}, /* wine #882255 */
      {"io", {0.600, 0.600, 0.200}},        /* olive #999933 */
  };
  for (size_t i = 0; i < sizeof mech / sizeof mech[0]; i++)
    if (mechanism && !strcmp(mechanism, mech[i].name)) return mech[i].colour;
  return (plot_rgb){0.667, 0.267, 0.600}; /* Tol's purple #AA4499 for an unknown one */
}

plot_rgb plot_palette(size_t i) {
  /* Skips black (reserved for native and the frame) and starts with the
   * colours that read well as thin lines. */
  static const int order[7] = {5, 6, 3, 1, 7, 2, 4};
  return okabe_ito[order[i % 7]];
}

/* ---- nice numbers (Heckbert) ---- */

double plot_nice_num(double x, int round) {
  double expv = floor(log10(x));
  double f = x / pow(10.0, expv); /* 1 <= f < 10 */
  double nf;
  if (round)
    nf = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
  else
    nf = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
  return nf * pow(10.0, expv);
}

void plot_nice_ticks(double min, double max, int target, plot_ticks *t) {
  if (!(max > min)) { /* a single value: open a range around it; 0 alone: 0..1 */
    double span = fabs(min) > 0 ? fabs(min) * 0.5 : 1.0;
    if (min != 0) min -= span;
    max += span;
  }
  if (target < 2) target = 2;
  /* Heckbert nices the range first; stepping the raw range instead keeps
   * the axis from running up to half a decade past the data (0..1.07 gets
   * 0..1.2, not 0..1.5). */
  double d = plot_nice_num((max - min) / (target - 1), 1);
  t->lo = floor(min / d) * d;
  t->hi = ceil(max / d) * d;
  /* floating error: keep hi from sitting a hair below max */
  if (t->hi < max - 1e-9 * d) t->hi += d;
  t->step = d;
  double frac = -floor(log10(d));
  t->decimals = frac > 0 ? (int)frac : 0;
  t->n = (size_t)floor((t->hi - t->lo) / d + 0.5) + 1;
  t->log = 0;
}

void plot_log_ticks(double min, double max, plot_ticks *t) {
  double lo = floor(log10(min) + 1e-9), hi = ceil(log10(max) - 1e-9);
  if (hi <= lo) hi = lo + 1;
  double step = ceil((hi - lo) / 8); /* at most about eight labelled decades */
  hi = lo + ceil((hi - lo) / step) * step;
  t->lo = lo;
  t->hi = hi;
  t->step = step;
  t->decimals = lo < 0 ? (int)-lo : 0;
  t->n = (size_t)((hi - lo) / step + 0.5) + 1;
  t->log = 1;
}

double plot_tick_value(const plot_ticks *t, size_t i) {
  double v = t->lo + (double)i * t->step;
  return t->log ? pow(10, v) : v;
}

void plot_tick_label(const plot_ticks *t, double v, char *buf, size_t size) {
  static const char prefix[] = "kMGTPE";
  if (t->log) { /* a power of ten */
    int e = (int)lround(log10(v));
    if (e >= 4) {
      int k = e / 3 > 6 ? 6 : e / 3;
      snprintf(buf, size, "%.0f%c", pow(10, e - 3 * k), prefix[k - 1]);
    } else {
      snprintf(buf, size, "%.*f", e < 0 ? -e : 0, pow(10, e));
    }
    return;
  }
  if (fabs(v) < t->step * 1e-9) v = 0; /* no "-0" */
  double big = fmax(fabs(t->lo), fabs(t->hi));
  if (v == 0 && big >= 1e4) { /* "0", never "0k" */
    snprintf(buf, size, "0");
    return;
  }
  if (big < 1e4) {
    snprintf(buf, size, "%.*f", t->decimals, v);
    return;
  }
  /* large values with an SI prefix: "2.5G" reads better than "2500000000" */
  int k = (int)floor(log10(big) / 3); /* 1: k, 2: M ... */
  if (k > 6) k = 6;
  double scale = pow(10, 3 * k);
  double frac = -floor(log10(t->step / scale) + 1e-9);
  snprintf(buf, size, "%.*f%c", frac > 0 ? (int)frac : 0, v / scale, prefix[k - 1]);
}

/* ---- canvas ---- */

plot_canvas *plot_canvas_new(double width, double height) {
  plot_canvas *c = sim_calloc(1, sizeof *c);
  if (!c) return NULL;
  c->width = width;
  c->height = height;
  double s = fmin(width / 1200.0, height / 750.0);
  c->font_scale = s < 1 ? (s < 0.5 ? 0.5 : s) : 1;
  cairo_rectangle_t extents = {0, 0, width, height};
  c->rec = cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, &extents);
  c->cr = cairo_create(c->rec);
  if (cairo_status(c->cr) != CAIRO_STATUS_SUCCESS) {
    plot_canvas_free(c);
    return NULL;
  }
  cairo_set_source_rgb(c->cr, 1, 1, 1);
  cairo_paint(c->cr);
  cairo_set_source_rgb(c->cr, 0, 0, 0); /* text and lines are black unless said otherwise */
  cairo_select_font_face(c->cr, FONT_FACE, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  return c;
}

void plot_canvas_free(plot_canvas *c) {
  if (!c) return;
  if (c->cr) cairo_destroy(c->cr);
  if (c->rec) cairo_surface_destroy(c->rec);
  sim_free(c->texts);
  sim_free(c->marks);
  sim_free(c->legends);
  sim_free(c);
}

cairo_t *plot_canvas_cr(plot_canvas *c) { return c->cr; }
double plot_canvas_width(const plot_canvas *c) { return c->width; }
double plot_canvas_height(const plot_canvas *c) { return c->height; }
int plot_canvas_failed(const plot_canvas *c) { return c->failed; }

double plot_font_size(const plot_canvas *c, plot_font font) {
  /* Points at paper size: 11 pt titles, 10 pt labels, 9 pt ticks and
   * legends, 8 pt notes: the sizes journals ask of figure text. */
  static const double pt[PLOT_FONT_COUNT] = {11, 10, 9, 9, 8};
  return pt[font] * PLOT_DPI / 72.0 * c->font_scale;
}

static void set_font(plot_canvas *c, plot_font font) {
  cairo_select_font_face(c->cr, FONT_FACE, CAIRO_FONT_SLANT_NORMAL,
                         font == PLOT_FONT_TITLE ? CAIRO_FONT_WEIGHT_BOLD
                                                 : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(c->cr, plot_font_size(c, font));
}

void plot_text_size(plot_canvas *c, plot_font font, const char *s, double *w, double *h) {
  set_font(c, font);
  cairo_text_extents_t te;
  cairo_font_extents_t fe;
  cairo_text_extents(c->cr, s, &te);
  cairo_font_extents(c->cr, &fe);
  if (w) *w = te.x_advance;
  if (h) *h = fe.ascent + fe.descent;
}

static void push_box(plot_canvas *c, plot_box **arr, size_t *n, size_t *cap, plot_box b) {
  if (sim_grow((void **)arr, cap, *n + 1, sizeof **arr) < 0) {
    c->failed = 1;
    return;
  }
  (*arr)[(*n)++] = b;
}

plot_box plot_text(plot_canvas *c, plot_font font, double x, double y, double ax, double ay,
                   int vertical, const char *s) {
  double w, h;
  plot_text_size(c, font, s, &w, &h);
  cairo_font_extents_t fe;
  cairo_font_extents(c->cr, &fe);
  plot_box b;
  cairo_save(c->cr);
  if (!vertical) {
    b.x0 = x - ax * w;
    b.y0 = y - ay * h;
    b.x1 = b.x0 + w;
    b.y1 = b.y0 + h;
    cairo_move_to(c->cr, b.x0, b.y0 + fe.ascent);
  } else {
    b.x0 = x - ax * h;
    b.y0 = y - ay * w;
    b.x1 = b.x0 + h;
    b.y1 = b.y0 + w;
    cairo_translate(c->cr, b.x0 + fe.ascent, b.y1);
    cairo_rotate(c->cr, -PLOT_PI / 2);
    cairo_move_to(c->cr, 0, 0);
  }
  cairo_show_text(c->cr, s);
  cairo_new_path(c->cr);
  cairo_restore(c->cr);
  push_box(c, &c->texts, &c->n_texts, &c->cap_texts, b);
  return b;
}

void plot_mark(plot_canvas *c, double x0, double y0, double x1, double y1) {
  plot_box b = {fmin(x0, x1), fmin(y0, y1), fmax(x0, x1), fmax(y0, y1)};
  push_box(c, &c->marks, &c->n_marks, &c->cap_marks, b);
}

static int boxes_overlap(plot_box a, plot_box b, double slack) {
  return a.x0 < b.x1 - slack && b.x0 < a.x1 - slack && a.y0 < b.y1 - slack && b.y0 < a.y1 - slack;
}

void plot_legend_record(plot_canvas *c, plot_box b) {
  push_box(c, &c->legends, &c->n_legends, &c->cap_legends, b);
}

size_t plot_canvas_marks(const plot_canvas *c, const plot_box **boxes) {
  *boxes = c->marks;
  return c->n_marks;
}

size_t plot_canvas_legends(const plot_canvas *c, const plot_box **boxes) {
  *boxes = c->legends;
  return c->n_legends;
}

size_t plot_canvas_unitless_axes(const plot_canvas *c) { return c->unitless_axes; }

size_t plot_canvas_legend_covers(const plot_canvas *c) {
  size_t n = 0;
  for (size_t l = 0; l < c->n_legends; l++)
    for (size_t i = 0; i < c->n_marks; i++)
      if (boxes_overlap(c->legends[l], c->marks[i], 0)) n++;
  return n;
}

size_t plot_canvas_text_outside(const plot_canvas *c) {
  size_t n = 0;
  for (size_t i = 0; i < c->n_texts; i++) {
    plot_box b = c->texts[i];
    if (b.x0 < 0 || b.y0 < 0 || b.x1 > c->width || b.y1 > c->height) n++;
  }
  return n;
}

size_t plot_canvas_text_overlaps(const plot_canvas *c) {
  size_t n = 0;
  for (size_t i = 0; i < c->n_texts; i++)
    for (size_t j = i + 1; j < c->n_texts; j++)
      if (boxes_overlap(c->texts[i], c->texts[j], 1.0)) n++;
  return n;
}

void plot_set_colour(plot_canvas *c, plot_rgb colour) {
  cairo_set_source_rgb(c->cr, colour.r, colour.g, colour.b);
}

void plot_set_dash(plot_canvas *c, int style) {
  static const double dashed[2] = {14, 8}, dotted[2] = {3, 7}, dashdot[4] = {14, 6, 3, 6};
  switch (style % 4) {
  case 0: cairo_set_dash(c->cr, NULL, 0, 0); break;
  case 1: cairo_set_dash(c->cr, dashed, 2, 0); break;
  case 2: cairo_set_dash(c->cr, dotted, 2, 0); break;
  default: cairo_set_dash(c->cr, dashdot, 4, 0); break;
  }
}

/* ---- axes ---- */

double plot_ax_x(const plot_axes *a, double x) {
  if (a->xlog) x = x > 0 ? log10(x) : a->xmin - (a->xmax - a->xmin); /* <= 0: off the left */
  return a->area.x0 + (x - a->xmin) / (a->xmax - a->xmin) * (a->area.x1 - a->area.x0);
}

double plot_ax_y(const plot_axes *a, double y) {
  if (a->ylog) y = y > 0 ? log10(y) : a->ymin - (a->ymax - a->ymin); /* <= 0: below */
  return a->area.y1 - (y - a->ymin) / (a->ymax - a->ymin) * (a->area.y1 - a->area.y0);
}

static double max_tick_width(plot_canvas *c, const plot_ticks *t) {
  double wmax = 0;
  char buf[64];
  for (size_t i = 0; i < t->n; i++) {
    double w;
    plot_tick_label(t, plot_tick_value(t, i), buf, sizeof buf);
    plot_text_size(c, PLOT_FONT_TICK, buf, &w, NULL);
    if (w > wmax) wmax = w;
  }
  return wmax;
}

void plot_axes_layout(plot_canvas *c, plot_box room, const plot_axes_spec *spec, plot_axes *out) {
  double th, lh;
  plot_text_size(c, PLOT_FONT_TICK, "0", NULL, &th);
  plot_text_size(c, PLOT_FONT_LABEL, "0", NULL, &lh);
  double left = PAD + TICK_LEN + (spec->yticks ? max_tick_width(c, spec->yticks) : 0);
  if (spec->ylabel) left += lh + PAD;
  double bottom = TICK_LEN + PAD * 0.5;
  if (spec->xticks)
    bottom += th;
  else
    bottom += spec->x_category_rows * th * 1.15;
  if (spec->xlabel) bottom += PAD + lh;
  double right = PAD;
  if (spec->xticks) { /* the last tick label is centred on the right edge */
    char buf[64];
    double w;
    plot_tick_label(spec->xticks, plot_tick_value(spec->xticks, spec->xticks->n - 1), buf,
                    sizeof buf);
    plot_text_size(c, PLOT_FONT_TICK, buf, &w, NULL);
    right = fmax(right, w / 2 + 4);
  }
  out->area.x0 = room.x0 + left;
  out->area.x1 = room.x1 - right;
  out->area.y0 = room.y0 + th / 2 + 4; /* half a tick label fits above the top tick */
  out->area.y1 = room.y1 - bottom;
  /* whole pixels: bars measured from the axis are then exact in the PNG */
  out->area.x0 = round(out->area.x0);
  out->area.x1 = round(out->area.x1);
  out->area.y0 = round(out->area.y0);
  out->area.y1 = round(out->area.y1);
  out->xlog = out->ylog = 0;
  if (spec->yticks) {
    out->ymin = spec->yticks->lo;
    out->ymax = spec->yticks->hi;
    out->ylog = spec->yticks->log;
  }
  if (spec->xticks) {
    out->xmin = spec->xticks->lo;
    out->xmax = spec->xticks->hi;
    out->xlog = spec->xticks->log;
  }
}

/* Whether an axis label names its unit: "time (s)", "relative to native (1)". */
static bool label_has_unit(const char *label) {
  if (!label) return false;
  size_t n = strlen(label);
  return n >= 3 && label[n - 1] == ')' && strchr(label, '(') && strchr(label, '(') < label + n - 2;
}

void plot_axes_draw(plot_canvas *c, const plot_axes *a, const plot_axes_spec *spec) {
  cairo_t *cr = c->cr;
  char buf[64];
  /* an x axis without a label shares the label of the panel below it */
  if (spec->xticks && spec->xlabel && !label_has_unit(spec->xlabel)) c->unitless_axes++;
  if (spec->yticks && !label_has_unit(spec->ylabel)) c->unitless_axes++;
  cairo_save(cr);
  cairo_set_line_width(cr, 1);
  /* light grid under the data, at every tick, one pixel row each */
  cairo_set_source_rgb(cr, 0.88, 0.88, 0.88);
  if (spec->yticks)
    for (size_t i = 0; i < spec->yticks->n; i++) {
      double y = round(plot_ax_y(a, plot_tick_value(spec->yticks, i))) + 0.5;
      cairo_move_to(cr, a->area.x0, y);
      cairo_line_to(cr, a->area.x1, y);
    }
  if (spec->xticks)
    for (size_t i = 0; i < spec->xticks->n; i++) {
      double x = round(plot_ax_x(a, plot_tick_value(spec->xticks, i))) + 0.5;
      cairo_move_to(cr, x, a->area.y0);
      cairo_line_to(cr, x, a->area.y1);
    }
  cairo_stroke(cr);
  /* the axes lie just outside the area (two pixel rows and columns), so
   * they never cover data that starts at the area's edge */
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_set_line_width(cr, 2);
  cairo_move_to(cr, a->area.x0 - 1, a->area.y0);
  cairo_line_to(cr, a->area.x0 - 1, a->area.y1 + 1);
  cairo_line_to(cr, a->area.x1, a->area.y1 + 1);
  cairo_stroke(cr);
  double th;
  plot_text_size(c, PLOT_FONT_TICK, "0", NULL, &th);
  double label_left = a->area.x0;
  if (spec->yticks)
    for (size_t i = 0; i < spec->yticks->n; i++) {
      double v = plot_tick_value(spec->yticks, i);
      double y = plot_ax_y(a, v);
      cairo_set_source_rgb(cr, 0, 0, 0);
      cairo_move_to(cr, a->area.x0 - TICK_LEN, round(y) + (i == 0 ? 1 : 0.5));
      cairo_line_to(cr, a->area.x0, round(y) + (i == 0 ? 1 : 0.5));
      cairo_stroke(cr);
      plot_tick_label(spec->yticks, v, buf, sizeof buf);
      plot_box b = plot_text(c, PLOT_FONT_TICK, a->area.x0 - TICK_LEN - 6, y, 1, 0.5, 0, buf);
      if (b.x0 < label_left) label_left = b.x0;
    }
  if (spec->xticks)
    for (size_t i = 0; i < spec->xticks->n; i++) {
      double v = plot_tick_value(spec->xticks, i);
      double x = plot_ax_x(a, v);
      cairo_set_source_rgb(cr, 0, 0, 0);
      cairo_move_to(cr, round(x), a->area.y1);
      cairo_line_to(cr, round(x), a->area.y1 + TICK_LEN);
      cairo_stroke(cr);
      plot_tick_label(spec->xticks, v, buf, sizeof buf);
      plot_text(c, PLOT_FONT_TICK, x, a->area.y1 + TICK_LEN + 4, 0.5, 0, 0, buf);
    }
  cairo_set_source_rgb(cr, 0, 0, 0);
  if (spec->ylabel)
    plot_text(c, PLOT_FONT_LABEL, label_left - PAD, (a->area.y0 + a->area.y1) / 2, 1, 0.5, 1,
              spec->ylabel);
  if (spec->xlabel) {
    double y = a->area.y1 + TICK_LEN + PAD * 0.5 +
               (spec->xticks ? th : spec->x_category_rows * th * 1.15) + PAD * 0.5;
    plot_text(c, PLOT_FONT_LABEL, (a->area.x0 + a->area.x1) / 2, y, 0.5, 0, 0, spec->xlabel);
  }
  cairo_restore(cr);
}

void plot_fit_text(plot_canvas *c, plot_font font, const char *s, double max_w, char *buf,
                   size_t size) {
  snprintf(buf, size, "%s", s);
  size_t len = strlen(buf);
  double w;
  plot_text_size(c, font, buf, &w, NULL);
  while (w > max_w && len > 0) {
    /* drop one character (and any UTF-8 continuation bytes) before "..." */
    do len--;
    while (len > 0 && ((unsigned char)buf[len] & 0xC0) == 0x80);
    if (len + 4 > size) continue;
    memcpy(buf + len, "...", 4);
    plot_text_size(c, font, buf, &w, NULL);
  }
}

double plot_title(plot_canvas *c, const char *title) {
  if (!title || !*title) return PAD;
  double h;
  char buf[512];
  plot_fit_text(c, PLOT_FONT_TITLE, title, c->width - 2 * PAD, buf, sizeof buf);
  plot_text_size(c, PLOT_FONT_TITLE, buf, NULL, &h);
  cairo_set_source_rgb(c->cr, 0, 0, 0);
  plot_text(c, PLOT_FONT_TITLE, c->width / 2, PAD, 0.5, 0, 0, buf);
  return PAD + h + PAD;
}

/* ---- legends ---- */

static void draw_key(plot_canvas *c, const plot_legend_entry *e, double x, double ymid, double h) {
  cairo_t *cr = c->cr;
  cairo_save(cr);
  plot_set_colour(c, e->colour);
  switch (e->key) {
  case PLOT_KEY_BOX:
    cairo_rectangle(cr, x, ymid - h * 0.35, key_w(c), h * 0.7);
    cairo_fill(cr);
    break;
  case PLOT_KEY_LINE:
  case PLOT_KEY_DASH: {
    cairo_set_line_width(cr, 4);
    plot_set_dash(c, e->key == PLOT_KEY_DASH ? 1 : e->dash);
    cairo_move_to(cr, x, ymid);
    cairo_line_to(cr, x + key_w(c), ymid);
    cairo_stroke(cr);
    break;
  }
  case PLOT_KEY_MARKER:
    cairo_restore(cr);
    plot_marker(c, x + key_w(c) / 2, ymid, h * 0.7);
    return;
  case PLOT_KEY_RANGE:
    cairo_restore(cr);
    plot_range_key(c, x + key_w(c) / 2, ymid + h * 0.4, ymid - h * 0.4, h * 0.6);
    return;
  case PLOT_KEY_SPAN:
    cairo_set_source_rgba(cr, e->colour.r, e->colour.g, e->colour.b, 0.25);
    cairo_rectangle(cr, x, ymid - h * 0.35, key_w(c), h * 0.7);
    cairo_fill(cr);
    break;
  }
  cairo_restore(cr);
}

static void legend_size(plot_canvas *c, const plot_legend_entry *e, size_t n, double *w,
                        double *row) {
  double wmax = 0, h = 0;
  for (size_t i = 0; i < n; i++) {
    double tw;
    plot_text_size(c, PLOT_FONT_LEGEND, e[i].label, &tw, &h);
    if (tw > wmax) wmax = tw;
  }
  *row = h * 1.3;
  *w = PAD + key_w(c) + PAD * 0.7 + wmax + PAD;
}

static void legend_draw_at(plot_canvas *c, plot_box b, const plot_legend_entry *e, size_t n,
                           double row) {
  cairo_t *cr = c->cr;
  cairo_save(cr);
  cairo_set_source_rgba(cr, 1, 1, 1, 0.92);
  cairo_rectangle(cr, b.x0, b.y0, b.x1 - b.x0, b.y1 - b.y0);
  cairo_fill_preserve(cr);
  cairo_set_source_rgb(cr, 0.7, 0.7, 0.7);
  cairo_set_line_width(cr, 1.5);
  cairo_stroke(cr);
  cairo_restore(cr);
  plot_legend_record(c, b);
  for (size_t i = 0; i < n; i++) {
    double ymid = b.y0 + PAD * 0.5 + row * ((double)i + 0.5);
    draw_key(c, &e[i], b.x0 + PAD, ymid, row / 1.3);
    cairo_set_source_rgb(cr, 0, 0, 0);
    plot_text(c, PLOT_FONT_LEGEND, b.x0 + PAD + key_w(c) + PAD * 0.7, ymid, 0, 0.5, 0, e[i].label);
  }
}

int plot_legend_inside(plot_canvas *c, const plot_axes *a, const plot_legend_entry *e, size_t n) {
  if (n == 0) return 0;
  double w, row;
  legend_size(c, e, n, &w, &row);
  double h = row * (double)n + PAD;
  double m = 8; /* gap between the legend and the frame */
  const plot_box area = a->area;
  /* Corners in the order readers look for a legend. */
  double xs[2] = {area.x1 - m - w, area.x0 + m};
  double ys[2] = {area.y0 + m, area.y1 - m - h};
  for (int yi = 0; yi < 2; yi++)
    for (int xi = 0; xi < 2; xi++) {
      plot_box b = {xs[xi], ys[yi], xs[xi] + w, ys[yi] + h};
      if (b.x0 < area.x0 || b.x1 > area.x1 || b.y0 < area.y0 || b.y1 > area.y1) continue;
      int clear = 1;
      for (size_t i = 0; clear && i < c->n_marks; i++)
        if (boxes_overlap(b, c->marks[i], 0)) clear = 0;
      for (size_t i = 0; clear && i < c->n_texts; i++)
        if (boxes_overlap(b, c->texts[i], 0)) clear = 0;
      if (clear) {
        legend_draw_at(c, b, e, n, row);
        return 0;
      }
    }
  return -1;
}

/* Lays the entries out in rows; draws them when `draw`; returns the height. */
static double band(plot_canvas *c, double x0, double y0, double width, const plot_legend_entry *e,
                   size_t n, int draw) {
  double row = 0, h = 0;
  size_t i = 0;
  double y = y0;
  while (i < n) {
    /* how many entries fit on this row */
    size_t j = i;
    double used = 0;
    while (j < n) {
      double tw;
      plot_text_size(c, PLOT_FONT_LEGEND, e[j].label, &tw, &h);
      double ew = key_w(c) + PAD * 0.5 + tw + 2 * PAD;
      if (j > i && used + ew > width) break;
      used += ew;
      j++;
    }
    row = h * 1.3;
    if (draw) {
      double x = x0 + (width - used) / 2;
      for (size_t k = i; k < j; k++) {
        double tw;
        plot_text_size(c, PLOT_FONT_LEGEND, e[k].label, &tw, NULL);
        draw_key(c, &e[k], x, y + row / 2, h);
        cairo_set_source_rgb(c->cr, 0, 0, 0);
        plot_text(c, PLOT_FONT_LEGEND, x + key_w(c) + PAD * 0.5, y + row / 2, 0, 0.5, 0, e[k].label);
        x += key_w(c) + PAD * 0.5 + tw + 2 * PAD;
      }
    }
    y += row;
    i = j;
  }
  return y - y0;
}

double plot_legend_band_height(plot_canvas *c, double width, const plot_legend_entry *e, size_t n) {
  return n ? band(c, 0, 0, width, e, n, 0) + PAD * 0.5 : 0;
}

void plot_legend_band(plot_canvas *c, double x0, double y0, double width,
                      const plot_legend_entry *e, size_t n) {
  double h = band(c, x0, y0, width, e, n, 1);
  if (n) plot_legend_record(c, (plot_box){x0, y0, x0 + width, y0 + h});
}

void plot_legend_column(plot_canvas *c, double x0, double y0, double width,
                        const plot_legend_entry *e, size_t n) {
  double y = y0;
  for (size_t i = 0; i < n; i++) {
    char label[160];
    double h;
    plot_fit_text(c, PLOT_FONT_LEGEND, e[i].label, width - key_w(c) - PAD * 0.5, label,
                  sizeof label);
    plot_text_size(c, PLOT_FONT_LEGEND, label, NULL, &h);
    double row = h * 1.3;
    draw_key(c, &e[i], x0, y + row / 2, h);
    cairo_set_source_rgb(c->cr, 0, 0, 0);
    plot_text(c, PLOT_FONT_LEGEND, x0 + key_w(c) + PAD * 0.5, y + row / 2, 0, 0.5, 0, label);
    y += row;
  }
  if (n) plot_legend_record(c, (plot_box){x0, y0, x0 + width, y});
}

void plot_marker(plot_canvas *c, double x, double y, double size) {
  cairo_t *cr = c->cr;
  double r = size / 2;
  cairo_save(cr);
  cairo_move_to(cr, x, y - r);
  cairo_line_to(cr, x + r, y);
  cairo_line_to(cr, x, y + r);
  cairo_line_to(cr, x - r, y);
  cairo_close_path(cr);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_fill_preserve(cr);
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_set_line_width(cr, 3);
  cairo_stroke(cr);
  cairo_restore(cr);
  plot_mark(c, x - r, y - r, x + r, y + r);
}

void plot_range_key(plot_canvas *c, double x, double y_lo, double y_hi, double width) {
  cairo_t *cr = c->cr;
  double r = width / 2;
  if (y_lo - y_hi < 6) { /* a tolerance too thin to see still reads as a range */
    double mid = (y_lo + y_hi) / 2;
    y_lo = mid + 3;
    y_hi = mid - 3;
  }
  cairo_save(cr);
  cairo_rectangle(cr, x - r, y_hi, width, y_lo - y_hi);
  cairo_set_source_rgba(cr, 1, 1, 1, 0.6);
  cairo_fill_preserve(cr);
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_set_line_width(cr, 2.5);
  double d[2] = {6, 4};
  cairo_set_dash(cr, d, 2, 0);
  cairo_stroke(cr);
  cairo_restore(cr);
  plot_mark(c, x - r, y_hi, x + r, y_lo);
}

/* ---- output ---- */

int plot_format_from_path(const char *path, plot_format *fmt) {
  const char *dot = strrchr(path, '.');
  const char *slash = strrchr(path, '/');
  if (!dot || (slash && dot < slash)) return -1;
  if (!strcasecmp(dot, ".png")) *fmt = PLOT_PNG;
  else if (!strcasecmp(dot, ".svg")) *fmt = PLOT_SVG;
  else if (!strcasecmp(dot, ".pdf")) *fmt = PLOT_PDF;
  else return -1;
  return 0;
}

cairo_surface_t *plot_canvas_image(plot_canvas *c) {
  cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, (int)ceil(c->width),
                                                    (int)ceil(c->height));
  cairo_t *cr = cairo_create(img);
  cairo_set_source_surface(cr, c->rec, 0, 0);
  cairo_paint(cr);
  cairo_destroy(cr);
  return img;
}

static cairo_status_t write_stream(void *closure, const unsigned char *data, unsigned int length) {
  return fwrite(data, 1, length, closure) == length ? CAIRO_STATUS_SUCCESS
                                                    : CAIRO_STATUS_WRITE_ERROR;
}

static cairo_status_t render(plot_canvas *c, plot_format fmt, FILE *f) {
  if (fmt == PLOT_PNG) {
    cairo_surface_t *img = plot_canvas_image(c);
    cairo_status_t st = cairo_surface_status(img);
    if (st == CAIRO_STATUS_SUCCESS) st = cairo_surface_write_to_png_stream(img, write_stream, f);
    cairo_surface_destroy(img);
    return st;
  }
  double k = 72.0 / PLOT_DPI; /* points per pixel */
  cairo_surface_t *s =
      fmt == PLOT_SVG
          ? cairo_svg_surface_create_for_stream(write_stream, f, c->width * k, c->height * k)
          : cairo_pdf_surface_create_for_stream(write_stream, f, c->width * k, c->height * k);
  cairo_t *cr = cairo_create(s);
  cairo_scale(cr, k, k);
  cairo_set_source_surface(cr, c->rec, 0, 0);
  cairo_paint(cr);
  cairo_status_t st = cairo_status(cr);
  cairo_destroy(cr);
  cairo_surface_finish(s);
  if (st == CAIRO_STATUS_SUCCESS) st = cairo_surface_status(s);
  cairo_surface_destroy(s);
  return st;
}

int plot_canvas_save(plot_canvas *c, const char *path, sim_diag *diag) {
  plot_format fmt;
  if (plot_format_from_path(path, &fmt) < 0) {
    sim_diag_error(diag, path, 0, 0, "unknown output format: use .png, .svg or .pdf");
    return -1;
  }
  size_t len = strlen(path);
  char *tmp = sim_malloc(len + 16);
  if (!tmp) {
    sim_diag_error(diag, path, 0, 0, "out of memory");
    return -1;
  }
  snprintf(tmp, len + 16, "%s.tmp-XXXXXX", path);
  int fd = mkstemp(tmp);
  if (fd < 0) {
    sim_diag_error(diag, path, 0, 0, "cannot create output: %s", strerror(errno));
    sim_free(tmp);
    return -1;
  }
  /* mkstemp creates the file private; give it the mode any new file gets */
  mode_t mask = umask(0);
  umask(mask);
  (void)fchmod(fd, 0666 & ~mask); /* best effort: a private plot is still a plot */
  FILE *f = fdopen(fd, "wb");
  if (!f) {
    sim_diag_error(diag, path, 0, 0, "cannot create output: %s", strerror(errno));
    close(fd);
    unlink(tmp);
    sim_free(tmp);
    return -1;
  }
  cairo_status_t st = render(c, fmt, f);
  int closed = fclose(f);
  if (st != CAIRO_STATUS_SUCCESS || closed != 0) {
    sim_diag_error(diag, path, 0, 0, "cannot write output: %s",
                   st != CAIRO_STATUS_SUCCESS ? cairo_status_to_string(st) : strerror(errno));
    unlink(tmp);
    sim_free(tmp);
    return -1;
  }
  if (rename(tmp, path) != 0) {
    sim_diag_error(diag, path, 0, 0, "cannot write output: %s", strerror(errno));
    unlink(tmp);
    sim_free(tmp);
    return -1;
  }
  sim_free(tmp);
  return 0;
}
