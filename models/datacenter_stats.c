/* models/datacenter_stats.c: the statistics of utilisation histories the
 * consolidation policies share [BB12, Sections 6-7]: median, median absolute
 * deviation, interquartile range, local regression (plain and robust) and
 * the R^2 of a multiple regression.  Pure functions; histories are short
 * (at most DC_HISTORY_MAX samples), so sorting copies on the stack. */
#include <assert.h>
#include <gsl/gsl_multifit.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/datacenter.h"

static int cmp_double(const void *pa, const void *pb) {
  double a = *(const double *)pa, b = *(const double *)pb;
  return (a > b) - (a < b);
}

static void sorted_copy(const double *x, size_t n, double *out) {
  assert(n >= 1 && n <= DC_HISTORY_MAX);
  memcpy(out, x, n * sizeof *out);
  qsort(out, n, sizeof *out, cmp_double);
}

double dc_median(const double *x, size_t n) {
  double s[DC_HISTORY_MAX];
  sorted_copy(x, n, s);
  return n % 2 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
}

double dc_mad(const double *x, size_t n) {
  double med = dc_median(x, n), dev[DC_HISTORY_MAX];
  for (size_t i = 0; i < n; i++) dev[i] = fabs(x[i] - med);
  return dc_median(dev, n);
}

/* The sample of rank round(q (n + 1)) (1-based, halves rounded up, kept in
 * 1..n): the quartile estimate the paper's reference implementation uses
 * [BB12, Section 6.2]. */
static double order_statistic(const double *sorted, size_t n, double q) {
  long rank = (long)floor(q * (double)(n + 1) + 0.5);
  if (rank < 1) rank = 1;
  if (rank > (long)n) rank = (long)n;
  return sorted[rank - 1];
}

double dc_iqr(const double *x, size_t n) {
  double s[DC_HISTORY_MAX];
  sorted_copy(x, n, s);
  return order_statistic(s, n, 0.75) - order_statistic(s, n, 0.25);
}

/* Weighted least squares of y on x = 1..n; -1 when singular. */
static int weighted_line(const double *y, const double *w, size_t n, double *a, double *b) {
  double sw = 0, sx = 0, sy = 0;
  for (size_t i = 0; i < n; i++) {
    sw += w[i];
    sx += w[i] * (double)(i + 1);
    sy += w[i] * y[i];
  }
  if (!(sw > 0)) return -1;
  double mx = sx / sw, my = sy / sw, sxx = 0, sxy = 0;
  for (size_t i = 0; i < n; i++) {
    double dx = (double)(i + 1) - mx;
    sxx += w[i] * dx * dx;
    sxy += w[i] * dx * (y[i] - my);
  }
  if (!(sxx > 0)) return -1;
  *b = sxy / sxx;
  *a = my - *b * mx;
  return 0;
}

/* Tricube T(u) = (1 - |u|^3)^3 for |u| < 1, else 0 [BB12, eq. (7)]. */
static double tricube(double u) {
  u = fabs(u);
  if (u >= 1) return 0;
  double t = 1 - u * u * u;
  return t * t * t;
}

/* Bisquare B(u) = (1 - u^2)^2 for |u| < 1, else 0 [BB12, eq. (9)]. */
static double bisquare(double u) {
  u = fabs(u);
  if (u >= 1) return 0;
  double t = 1 - u * u;
  return t * t;
}

int dc_local_regression(const double *y, size_t n, bool robust, double *a, double *b) {
  assert(n >= 3 && n <= DC_HISTORY_MAX);
  /* the fit is made for the newest point x_n, its neighbourhood the whole
   * window: w_i = T((x_n - x_i) / (x_n - x_1)) [BB12, Section 6.3] */
  double w[DC_HISTORY_MAX];
  for (size_t i = 0; i < n; i++) w[i] = tricube((double)(n - 1 - i) / (double)(n - 1));
  if (weighted_line(y, w, n, a, b) < 0) return -1;
  if (!robust) return 0;
  /* LRR: residuals e_i, s = median |e_i|, robustness weights
   * delta_i = B(e_i / 6s), refit with delta_i w_i [BB12, eqs. (8)-(9)] */
  double e[DC_HISTORY_MAX] = {0}, ae[DC_HISTORY_MAX] = {0};
  for (size_t i = 0; i < n; i++) {
    e[i] = y[i] - (*a + *b * (double)(i + 1));
    ae[i] = fabs(e[i]);
  }
  double s = dc_median(ae, n);
  if (!(s > 0)) return 0; /* the line fits (at least half) the points exactly: nothing to down-weight */
  double w2[DC_HISTORY_MAX];
  for (size_t i = 0; i < n; i++) w2[i] = bisquare(e[i] / (6 * s)) * w[i];
  double a2, b2;
  if (weighted_line(y, w2, n, &a2, &b2) < 0) return 0; /* too few points kept: the plain fit stands */
  *a = a2;
  *b = b2;
  return 0;
}

int dc_multiple_r2(const double *y, const double *const *x, size_t k, size_t n, double *r2) {
  if (n <= k + 1) return -1;
  gsl_matrix *X = gsl_matrix_alloc(n, k + 1), *cov = gsl_matrix_alloc(k + 1, k + 1);
  gsl_vector *Y = gsl_vector_alloc(n), *c = gsl_vector_alloc(k + 1);
  gsl_multifit_linear_workspace *ws = gsl_multifit_linear_alloc(n, k + 1);
  int rc = -1;
  if (X && cov && Y && c && ws) {
    double mean = 0;
    for (size_t i = 0; i < n; i++) {
      gsl_matrix_set(X, i, 0, 1.0);
      for (size_t j = 0; j < k; j++) gsl_matrix_set(X, i, j + 1, x[j][i]);
      gsl_vector_set(Y, i, y[i]);
      mean += y[i];
    }
    mean /= (double)n;
    double chisq, total = 0;
    for (size_t i = 0; i < n; i++) total += (y[i] - mean) * (y[i] - mean);
    if (total > 0 && gsl_multifit_linear(X, Y, c, cov, &chisq, ws) == 0) {
      *r2 = 1 - chisq / total;
      rc = 0;
    }
  }
  gsl_multifit_linear_free(ws);
  gsl_vector_free(c);
  gsl_vector_free(Y);
  gsl_matrix_free(cov);
  gsl_matrix_free(X);
  return rc;
}
