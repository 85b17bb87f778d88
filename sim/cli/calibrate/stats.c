/* sim/cli/calibrate/stats.c: clocks and statistics of the calibration.
 * Units: TSC cycles (rdtsc between lfences, so the read is ordered with the
 * work it brackets) and ns (CLOCK_MONOTONIC_RAW, not slewed by NTP).
 * Medians and median absolute deviations, not means and standard deviations:
 * a benchmark sharing its machine sees rare large outliers (an interrupt, a
 * preemption) that should not move the result. */
#define _GNU_SOURCE
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <x86intrin.h>

#include "sim/alloc.h"
#include "sim/cli/calibrate/calibrate.h"

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median_sorted(const double *x, size_t n) {
  return n % 2 ? x[n / 2] : 0.5 * (x[n / 2 - 1] + x[n / 2]);
}

void cal_median_mad(double *x, size_t n, double *median, double *mad) {
  qsort(x, n, sizeof *x, cmp_double);
  double m = median_sorted(x, n);
  for (size_t i = 0; i < n; i++) x[i] = fabs(x[i] - m);
  qsort(x, n, sizeof *x, cmp_double);
  *median = m;
  *mad = median_sorted(x, n);
}

void cal_sample(cal_samples *s, int r, cal_stamp a, cal_stamp b, double ops) {
  s->cyc[r] = (double)(b.tsc - a.tsc) / ops;
  s->ns[r] = (double)(b.ns - a.ns) / ops;
}

/* A stamp whose two clocks were read close together: the TSC is read before
 * and after the clock, and the pair is retried when something (a preemption,
 * an interrupt) came between them, which would skew cycles against ns.  The
 * bound is generous next to a clock read (tens of ns). */
static int tight_stamp(cal_stamp *s) {
  const uint64_t bound = 20000; /* TSC cycles */
  for (int i = 0; i < 1000; i++) {
    struct timespec ts;
    _mm_lfence();
    uint64_t t0 = __rdtsc();
    _mm_lfence();
    clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
    _mm_lfence();
    uint64_t t1 = __rdtsc();
    s->tsc = t0 + (t1 - t0) / 2;
    s->ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
    if (t1 > t0 && t1 - t0 < bound) return 0;
  }
  return -1;
}

cal_stamp cal_now(void) {
  cal_stamp s;
  /* After 1000 disturbed tries the last pair is still the best there is. */
  (void)tight_stamp(&s);
  return s;
}

int cal_measure_tsc(int reps, int64_t window_ns, double *hz, double *spread_hz) {
  double *x = sim_calloc((size_t)reps, sizeof *x);
  if (!x) return -1;
  for (int r = 0; r < reps; r++) {
    cal_stamp a, b = {0, 0};
    bool bad = tight_stamp(&a) < 0;
    do bad = bad || tight_stamp(&b) < 0;
    while (!bad && b.ns - a.ns < window_ns);
    if (bad || b.tsc <= a.tsc) {
      sim_free(x);
      return -1;
    }
    x[r] = (double)(b.tsc - a.tsc) * 1e9 / (double)(b.ns - a.ns);
  }
  cal_median_mad(x, (size_t)reps, hz, spread_hz);
  sim_free(x);
  return 0;
}

void cal_set_time(cal_quantity *q, double *cyc, double *ns, int reps) {
  cal_median_mad(cyc, (size_t)reps, &q->cycles, &q->cycles_spread);
  cal_median_mad(ns, (size_t)reps, &q->ns, &q->ns_spread);
  q->reps = reps;
  q->measured = true;
}

void cal_set_missing(cal_quantity *q, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(q->reason, sizeof q->reason, fmt, ap);
  va_end(ap);
  q->measured = false;
}

void cal_method(cal_quantity *q, const char *fmt, ...) {
  size_t used = strlen(q->method);
  if (used + 1 >= sizeof q->method) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(q->method + used, sizeof q->method - used, fmt, ap);
  va_end(ap);
}

void cal_progress(cal_ctx *ctx, cal_id id) {
  if (!ctx->progress) return;
  const cal_quantity *q = &ctx->q[id];
  if (!q->measured) {
    fprintf(ctx->progress, "calibrate: %-34s not measured: %s\n", cal_key(id), q->reason);
  } else if (q->time_primary) {
    fprintf(ctx->progress, "calibrate: %-34s %12.1f ns  (+- %.1f)  %12.1f cycles\n", cal_key(id),
            q->ns, q->ns_spread, q->cycles);
  } else if (!isnan(q->cycles)) {
    fprintf(ctx->progress, "calibrate: %-34s %12.1f cycles  (+- %.1f)  %12.1f ns\n", cal_key(id),
            q->cycles, q->cycles_spread, q->ns);
  } else {
    fprintf(ctx->progress, "calibrate: %-34s %14.4g %s  (+- %.3g)\n", cal_key(id), q->value,
            cal_unit(id), q->spread);
  }
  fflush(ctx->progress);
}
