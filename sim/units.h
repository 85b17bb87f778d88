/* sim/units.h: quantities with units, as people write them in scenarios and
 * calibration profiles ("4 GiB", "10 Gbit/s", "30 ms", "2.6 GHz", "20%").
 * Each parser returns the value in the canonical unit of its kind:
 *   time ns (int64), size bytes (uint64), rate bit/s, frequency Hz,
 *   percent a ratio (20% -> 0.2), cycles, count (plain number, SI suffix).
 * KB, MB, GB, TB are decimal (1 KB = 1000 B); KiB, MiB, GiB, TiB binary.
 * "Gb", "Mb" are bits and refused for sizes, with a message saying so.
 * Invariants: a missing or unknown unit, a negative value, NaN/inf, and a
 * value that overflows its stored type are errors; the error text (written
 * to err, at most errlen bytes) says what was expected and what was found. */
#ifndef SIM_UNITS_H
#define SIM_UNITS_H
#include <stddef.h>
#include <stdint.h>

#include "sim/time.h"

typedef enum sim_unit_kind {
  SIM_UNIT_NONE,    /* a plain number (count or ratio) */
  SIM_UNIT_TIME,    /* canonical: ns */
  SIM_UNIT_SIZE,    /* canonical: bytes */
  SIM_UNIT_RATE,    /* canonical: bit/s */
  SIM_UNIT_FREQ,    /* canonical: Hz */
  SIM_UNIT_PERCENT, /* canonical: ratio (1 = 100%) */
  SIM_UNIT_CYCLES   /* canonical: cycles */
} sim_unit_kind;

/* A parsed quantity. */
typedef struct sim_quantity {
  sim_unit_kind kind;
  double value;      /* in the canonical unit of kind */
  uint64_t exact;    /* the same, exactly, when is_exact (integers times integer factors) */
  int is_exact;      /* 1 when `exact` holds the value without rounding */
} sim_quantity;

/* Name of a kind for messages: "time", "size", "rate" ... */
const char *sim_unit_kind_name(sim_unit_kind kind);

/* Parses any quantity; 0, or -1 with a message in err. */
int sim_quantity_parse(const char *text, sim_quantity *q, char *err, size_t errlen);

/* Typed parsers: 0, or -1 with a message naming the expected kind. */
int sim_parse_time(const char *text, sim_time *ns, char *err, size_t errlen);
int sim_parse_size(const char *text, uint64_t *bytes, char *err, size_t errlen);
int sim_parse_rate(const char *text, double *bps, char *err, size_t errlen);
int sim_parse_freq(const char *text, double *hz, char *err, size_t errlen);
/* "20%" or a plain number: a ratio (0.2). */
int sim_parse_ratio(const char *text, double *ratio, char *err, size_t errlen);
/* A plain number with an optional SI suffix k, M, G, T ("1.5M" = 1.5e6). */
int sim_parse_count(const char *text, double *count, char *err, size_t errlen);
/* A whole number (no unit, no fraction) in [0, max]. */
int sim_parse_uint(const char *text, uint64_t max, uint64_t *v, char *err, size_t errlen);
/* A whole number that may be negative, in [min, max]. */
int sim_parse_int(const char *text, int64_t min, int64_t max, int64_t *v, char *err, size_t errlen);

/* Formats a value of a kind back into text that parses to the same value
 * ("4 GiB", "30 ms", "2.6 GHz"), into buf (at least 48 bytes). */
void sim_format_quantity(sim_unit_kind kind, double value, char *buf, size_t len);

#endif
