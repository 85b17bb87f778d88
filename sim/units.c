/* sim/units.c: quantities with units (see units.h).
 * A quantity is NUMBER [spaces] UNIT.  The number is scanned by hand (digits,
 * '_' separators, fraction, exponent) so that strtod's extras (hex, inf, nan)
 * are refused; whole numbers times whole factors are kept exact in 64 bits,
 * so "16 EiB" overflows visibly instead of rounding. */
#include "sim/units.h"

#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/suggest.h"

typedef struct unit_def {
  const char *name;
  sim_unit_kind kind;
  double factor;     /* canonical units per unit */
  uint64_t ifactor;  /* the same as an integer; 0 when not whole */
} unit_def;

static const unit_def units[] = {
    {"k", SIM_UNIT_NONE, 1e3, 1000ULL},
    {"M", SIM_UNIT_NONE, 1e6, 1000000ULL},
    {"G", SIM_UNIT_NONE, 1e9, 1000000000ULL},
    {"T", SIM_UNIT_NONE, 1e12, 1000000000000ULL},
    {"ns", SIM_UNIT_TIME, 1, 1},
    {"us", SIM_UNIT_TIME, 1e3, 1000ULL},
    {"\xc2\xb5s", SIM_UNIT_TIME, 1e3, 1000ULL},
    {"ms", SIM_UNIT_TIME, 1e6, 1000000ULL},
    {"s", SIM_UNIT_TIME, 1e9, 1000000000ULL},
    {"min", SIM_UNIT_TIME, 60e9, 60000000000ULL},
    {"h", SIM_UNIT_TIME, 3600e9, 3600000000000ULL},
    {"B", SIM_UNIT_SIZE, 1, 1},
    {"KB", SIM_UNIT_SIZE, 1e3, 1000ULL},
    {"kB", SIM_UNIT_SIZE, 1e3, 1000ULL},
    {"MB", SIM_UNIT_SIZE, 1e6, 1000000ULL},
    {"GB", SIM_UNIT_SIZE, 1e9, 1000000000ULL},
    {"TB", SIM_UNIT_SIZE, 1e12, 1000000000000ULL},
    {"KiB", SIM_UNIT_SIZE, 1024.0, 1024ULL},
    {"MiB", SIM_UNIT_SIZE, 1048576.0, 1048576ULL},
    {"GiB", SIM_UNIT_SIZE, 1073741824.0, 1073741824ULL},
    {"TiB", SIM_UNIT_SIZE, 1099511627776.0, 1099511627776ULL},
    {"bit/s", SIM_UNIT_RATE, 1, 1},
    {"kbit/s", SIM_UNIT_RATE, 1e3, 1000ULL},
    {"Mbit/s", SIM_UNIT_RATE, 1e6, 1000000ULL},
    {"Gbit/s", SIM_UNIT_RATE, 1e9, 1000000000ULL},
    {"Tbit/s", SIM_UNIT_RATE, 1e12, 1000000000000ULL},
    {"bps", SIM_UNIT_RATE, 1, 1},
    {"kbps", SIM_UNIT_RATE, 1e3, 1000ULL},
    {"Mbps", SIM_UNIT_RATE, 1e6, 1000000ULL},
    {"Gbps", SIM_UNIT_RATE, 1e9, 1000000000ULL},
    {"B/s", SIM_UNIT_RATE, 8, 8},
    {"KB/s", SIM_UNIT_RATE, 8e3, 8000ULL},
    {"kB/s", SIM_UNIT_RATE, 8e3, 8000ULL},
    {"MB/s", SIM_UNIT_RATE, 8e6, 8000000ULL},
    {"GB/s", SIM_UNIT_RATE, 8e9, 8000000000ULL},
    {"KiB/s", SIM_UNIT_RATE, 8 * 1024.0, 8 * 1024ULL},
    {"MiB/s", SIM_UNIT_RATE, 8 * 1048576.0, 8 * 1048576ULL},
    {"GiB/s", SIM_UNIT_RATE, 8 * 1073741824.0, 8 * 1073741824ULL},
    {"Hz", SIM_UNIT_FREQ, 1, 1},
    {"kHz", SIM_UNIT_FREQ, 1e3, 1000ULL},
    {"MHz", SIM_UNIT_FREQ, 1e6, 1000000ULL},
    {"GHz", SIM_UNIT_FREQ, 1e9, 1000000000ULL},
    {"%", SIM_UNIT_PERCENT, 0.01, 0},
    {"cycles", SIM_UNIT_CYCLES, 1, 1},
    {"cycle", SIM_UNIT_CYCLES, 1, 1},
};
#define N_UNITS (sizeof units / sizeof units[0])

/* Units people write for bits where a size is expected. */
static const char *const bit_units[] = {"b", "bit", "bits", "kb", "Kb", "kbit", "Mb", "Mbit",
                                        "Gb", "Gbit", "Tb", "Tbit"};

const char *sim_unit_kind_name(sim_unit_kind kind) {
  switch (kind) {
    case SIM_UNIT_NONE: return "number";
    case SIM_UNIT_TIME: return "time";
    case SIM_UNIT_SIZE: return "size";
    case SIM_UNIT_RATE: return "rate";
    case SIM_UNIT_FREQ: return "frequency";
    case SIM_UNIT_PERCENT: return "percentage";
    case SIM_UNIT_CYCLES: return "cycle count";
  }
  return "quantity";
}

static const char *kind_example(sim_unit_kind kind) {
  switch (kind) {
    case SIM_UNIT_NONE: return "1000";
    case SIM_UNIT_TIME: return "30 ms";
    case SIM_UNIT_SIZE: return "4 GiB";
    case SIM_UNIT_RATE: return "10 Gbit/s";
    case SIM_UNIT_FREQ: return "2.6 GHz";
    case SIM_UNIT_PERCENT: return "20%";
    case SIM_UNIT_CYCLES: return "200 cycles";
  }
  return "1";
}

static const unit_def *find_unit(const char *name) {
  for (size_t i = 0; i < N_UNITS; i++)
    if (!strcmp(units[i].name, name)) return &units[i];
  return NULL;
}

/* Scans the number at s: 0 and *end past it, or -1 when malformed. */
static int scan_number(const char *s, const char **end, double *value, uint64_t *exact,
                       int *is_exact, int *negative) {
  char buf[128];
  size_t n = 0;
  const char *p = s;
  *negative = 0;
  if (*p == '+' || *p == '-') {
    *negative = *p == '-';
    p++;
  }
  int digits = 0, whole = 1, overflow = 0;
  uint64_t acc = 0;
  while (isdigit((unsigned char)*p) || (*p == '_' && digits)) {
    if (*p != '_') {
      unsigned d = (unsigned)(*p - '0');
      if (acc > (UINT64_MAX - d) / 10) overflow = 1;
      else acc = acc * 10 + d;
      if (n < sizeof buf - 1) buf[n++] = *p;
      digits++;
    }
    p++;
  }
  if (*p == '.') {
    whole = 0;
    if (n < sizeof buf - 1) buf[n++] = *p;
    p++;
    while (isdigit((unsigned char)*p) || (*p == '_' && digits)) {
      if (*p != '_') {
        if (n < sizeof buf - 1) buf[n++] = *p;
        digits++;
      }
      p++;
    }
  }
  if (!digits) return -1;
  if ((*p == 'e' || *p == 'E') &&
      (isdigit((unsigned char)p[1]) ||
       ((p[1] == '+' || p[1] == '-') && isdigit((unsigned char)p[2])))) {
    whole = 0;
    if (n < sizeof buf - 1) buf[n++] = *p;
    p++;
    if (*p == '+' || *p == '-') {
      if (n < sizeof buf - 1) buf[n++] = *p;
      p++;
    }
    while (isdigit((unsigned char)*p)) {
      if (n < sizeof buf - 1) buf[n++] = *p;
      p++;
    }
  }
  if (n >= sizeof buf - 1) return -1;
  buf[n] = '\0';
  *value = strtod(buf, NULL);
  *is_exact = whole && !overflow;
  *exact = acc;
  *end = p;
  return 0;
}

int sim_quantity_parse(const char *text, sim_quantity *q, char *err, size_t errlen) {
  const char *p = text;
  while (isspace((unsigned char)*p)) p++;
  const char *end;
  double v;
  uint64_t ex;
  int is_exact, neg;
  if (scan_number(p, &end, &v, &ex, &is_exact, &neg) < 0) {
    snprintf(err, errlen, "found \"%s\", which does not start with a number", text);
    return -1;
  }
  while (isspace((unsigned char)*end)) end++;
  char unit[32];
  size_t ul = strlen(end);
  while (ul && isspace((unsigned char)end[ul - 1])) ul--;
  if (ul >= sizeof unit) {
    snprintf(err, errlen, "found \"%s\", whose unit is not known", text);
    return -1;
  }
  memcpy(unit, end, ul);
  unit[ul] = '\0';
  const unit_def *u = NULL;
  if (ul) {
    u = find_unit(unit);
    if (!u) {
      const char *names[N_UNITS];
      for (size_t i = 0; i < N_UNITS; i++) names[i] = units[i].name;
      const char *near = sim_suggest(unit, names, N_UNITS);
      if (near)
        snprintf(err, errlen, "found \"%s\": unknown unit '%s'; did you mean '%s'?", text, unit, near);
      else
        snprintf(err, errlen, "found \"%s\": unknown unit '%s'", text, unit);
      return -1;
    }
  }
  if (neg && v != 0) {
    snprintf(err, errlen, "found \"%s\", which is negative", text);
    return -1;
  }
  if (!isfinite(v)) {
    snprintf(err, errlen, "found \"%s\", which is out of range", text);
    return -1;
  }
  q->kind = u ? u->kind : SIM_UNIT_NONE;
  double factor = u ? u->factor : 1.0;
  uint64_t ifactor = u ? u->ifactor : 1;
  q->value = v * factor;
  q->is_exact = 0;
  q->exact = 0;
  if (is_exact && ifactor && !__builtin_mul_overflow(ex, ifactor, &q->exact)) q->is_exact = 1;
  if (!q->is_exact) q->exact = 0;
  if (!isfinite(q->value)) {
    snprintf(err, errlen, "found \"%s\", which is out of range", text);
    return -1;
  }
  return 0;
}

/* The message for a quantity of the wrong kind, with hints for common slips. */
static void wrong_kind(sim_unit_kind want, const char *why, char *err, size_t errlen) {
  snprintf(err, errlen, "expected a %s such as \"%s\", %s", sim_unit_kind_name(want),
           kind_example(want), why);
}

static int parse_kind(const char *text, sim_unit_kind want, sim_quantity *q, char *err,
                      size_t errlen) {
  char why[200];
  /* Bits where bytes are expected: say so instead of "unknown unit". */
  const char *p = text;
  while (*p && (isdigit((unsigned char)*p) || *p == '.' || *p == '_' || *p == ' ' || *p == '+' ||
                *p == '-' || *p == 'e' || *p == 'E'))
    p++;
  if (want == SIM_UNIT_SIZE || want == SIM_UNIT_RATE) {
    for (size_t i = 0; i < sizeof bit_units / sizeof bit_units[0]; i++) {
      if (*p && !strcmp(p, bit_units[i])) {
        static const char *const prefixed[] = {"bit/s", "bit/s", "bit/s", "kbit/s", "kbit/s", "kbit/s",
                                               "Mbit/s", "Mbit/s", "Gbit/s", "Gbit/s", "Tbit/s", "Tbit/s"};
        if (want == SIM_UNIT_SIZE)
          snprintf(why, sizeof why,
                   "found \"%s\" (%s is bits; sizes are in bytes: B, KB, KiB, MB, MiB, GB, GiB, TB, TiB)",
                   text, p);
        else
          snprintf(why, sizeof why, "found \"%s\" (a rate needs '/s': %.*s%s)", text,
                   (int)(p - text), text, prefixed[i]);
        wrong_kind(want, why, err, errlen);
        return -1;
      }
    }
  }
  if (sim_quantity_parse(text, q, why, sizeof why) < 0) {
    wrong_kind(want, why, err, errlen);
    return -1;
  }
  if (q->kind != want) {
    if (q->kind == SIM_UNIT_NONE && want != SIM_UNIT_NONE)
      snprintf(why, sizeof why, "found \"%s\" (the unit is missing)", text);
    else
      snprintf(why, sizeof why, "found \"%s\" (a %s)", text, sim_unit_kind_name(q->kind));
    wrong_kind(want, why, err, errlen);
    return -1;
  }
  return 0;
}

int sim_parse_time(const char *text, sim_time *ns, char *err, size_t errlen) {
  sim_quantity q;
  if (parse_kind(text, SIM_UNIT_TIME, &q, err, errlen) < 0) return -1;
  if (q.is_exact ? q.exact > (uint64_t)INT64_MAX : q.value >= 9.2e18) {
    snprintf(err, errlen, "time \"%s\" is too large (at most about 292 years)", text);
    return -1;
  }
  *ns = q.is_exact ? (sim_time)q.exact : (sim_time)llround(q.value);
  return 0;
}

int sim_parse_size(const char *text, uint64_t *bytes, char *err, size_t errlen) {
  sim_quantity q;
  if (parse_kind(text, SIM_UNIT_SIZE, &q, err, errlen) < 0) return -1;
  if (!q.is_exact && q.value >= 1.8e19) {
    snprintf(err, errlen, "size \"%s\" is too large (at most 16 EiB)", text);
    return -1;
  }
  /* llround stops at INT64_MAX: a larger inexact size converts directly */
  if (q.is_exact) *bytes = q.exact;
  else if (q.value >= 9.2e18) *bytes = (uint64_t)q.value;
  else *bytes = (uint64_t)llround(q.value);
  return 0;
}

int sim_parse_rate(const char *text, double *bps, char *err, size_t errlen) {
  sim_quantity q;
  if (parse_kind(text, SIM_UNIT_RATE, &q, err, errlen) < 0) return -1;
  *bps = q.value;
  return 0;
}

int sim_parse_freq(const char *text, double *hz, char *err, size_t errlen) {
  sim_quantity q;
  if (parse_kind(text, SIM_UNIT_FREQ, &q, err, errlen) < 0) return -1;
  *hz = q.value;
  return 0;
}

int sim_parse_ratio(const char *text, double *ratio, char *err, size_t errlen) {
  sim_quantity q;
  char why[200];
  /* q is only set when the parse succeeds: the unit is checked after */
  bool bad = sim_quantity_parse(text, &q, why, sizeof why) < 0;
  if (!bad && q.kind != SIM_UNIT_PERCENT && q.kind != SIM_UNIT_NONE) {
    snprintf(why, sizeof why, "found \"%s\"", text);
    bad = true;
  }
  if (bad) {
    snprintf(err, errlen, "expected a ratio such as 0.2 or \"20%%\", %s", why);
    return -1;
  }
  *ratio = q.value;
  return 0;
}

int sim_parse_count(const char *text, double *count, char *err, size_t errlen) {
  sim_quantity q;
  if (parse_kind(text, SIM_UNIT_NONE, &q, err, errlen) < 0) return -1;
  *count = q.value;
  return 0;
}

int sim_parse_int(const char *text, int64_t min, int64_t max, int64_t *v, char *err,
                  size_t errlen) {
  const char *p = text;
  while (isspace((unsigned char)*p)) p++;
  const char *end;
  double d;
  uint64_t ex;
  int is_exact, neg;
  if (scan_number(p, &end, &d, &ex, &is_exact, &neg) < 0 || !is_exact) {
    snprintf(err, errlen, "expected a whole number, found \"%s\"", text);
    return -1;
  }
  while (isspace((unsigned char)*end)) end++;
  if (*end) {
    snprintf(err, errlen, "expected a whole number without a unit, found \"%s\"", text);
    return -1;
  }
  int ok;
  int64_t val = 0;
  if (neg) {
    ok = ex <= (uint64_t)INT64_MAX + 1;
    if (ok) val = ex == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)ex;
  } else {
    ok = ex <= (uint64_t)INT64_MAX;
    val = (int64_t)ex;
  }
  if (!ok || val < min || val > max) {
    snprintf(err, errlen, "expected a whole number from %lld to %lld, found %s", (long long)min,
             (long long)max, text);
    return -1;
  }
  *v = val;
  return 0;
}

int sim_parse_uint(const char *text, uint64_t max, uint64_t *v, char *err, size_t errlen) {
  const char *p = text;
  while (isspace((unsigned char)*p)) p++;
  const char *end;
  double d;
  uint64_t ex;
  int is_exact, neg;
  if (scan_number(p, &end, &d, &ex, &is_exact, &neg) < 0 || !is_exact) {
    snprintf(err, errlen, "expected a whole number, found \"%s\"", text);
    return -1;
  }
  while (isspace((unsigned char)*end)) end++;
  if (*end) {
    snprintf(err, errlen, "expected a whole number without a unit, found \"%s\"", text);
    return -1;
  }
  if ((neg && ex != 0) || ex > max) {
    snprintf(err, errlen, "expected a whole number from 0 to %llu, found %s",
             (unsigned long long)max, text);
    return -1;
  }
  *v = ex;
  return 0;
}

/* Largest unit of the kind that divides the value exactly, for readable and
 * exact round trips. */
/* The shortest of %.15g, %.16g, %.17g that reads back as the same double. */
static void fmt_exact(char *buf, size_t len, double v, const char *unit) {
  for (int prec = 15; prec <= 17; prec++) {
    snprintf(buf, len, "%.*g%s%s", prec, v, unit ? " " : "", unit ? unit : "");
    if (strtod(buf, NULL) == v) return;
  }
}

void sim_format_quantity(sim_unit_kind kind, double value, char *buf, size_t len) {
  static const char *const time_u[] = {"h", "min", "s", "ms", "us", "ns"};
  static const char *const size_u[] = {"TiB", "GiB", "MiB", "KiB", "B"};
  static const char *const rate_u[] = {"Gbit/s", "Mbit/s", "kbit/s", "bit/s"};
  static const char *const freq_u[] = {"GHz", "MHz", "kHz", "Hz"};
  const char *const *list = NULL;
  size_t n = 0;
  switch (kind) {
    case SIM_UNIT_TIME: list = time_u; n = 6; break;
    case SIM_UNIT_SIZE: list = size_u; n = 5; break;
    case SIM_UNIT_RATE: list = rate_u; n = 4; break;
    case SIM_UNIT_FREQ: list = freq_u; n = 4; break;
    case SIM_UNIT_CYCLES: fmt_exact(buf, len, value, "cycles"); return;
    case SIM_UNIT_NONE:
    case SIM_UNIT_PERCENT: fmt_exact(buf, len, value, NULL); return;
  }
  for (size_t i = 0; i < n; i++) {
    const unit_def *u = find_unit(list[i]);
    double m = value / u->factor;
    if (value != 0 && m >= 1 && m == floor(m) && m < 9e15) {
      fmt_exact(buf, len, m, u->name);
      return;
    }
  }
  fmt_exact(buf, len, value, list[n - 1]);
}
