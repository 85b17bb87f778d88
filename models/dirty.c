/* models/dirty.c: the page-group dirty-page model; the derivation of every
 * formula is in dirty.h.  Units: pages, seconds, Hz, bytes.  Invariants: due
 * page counts are >= 0; a round's sent + skipped pages equal its due pages. */
#include "models/dirty.h"

#include <assert.h>
#include <math.h>
#include <stdbool.h>

#include "sim/alloc.h"

struct dirty_model {
  double memory_pages;   /* guest memory, pages */
  size_t n_groups;       /* page groups of the current phase */
  double *group_pages;   /* P_g, pages */
  double *group_rate_hz; /* r_g, rewrites of each page per second */
  double *group_due;     /* S_g, pages of the group due now */
  size_t cap_groups;     /* allocated length of the three arrays */
  double stream_hz;      /* w, first-time dirtied pages per second */
  double resident_pages; /* pages ever written (groups included) */
  double other_due;      /* due written pages outside the groups */
  double extra_due;      /* due pages outside memory's groups: stream and disk blocks */
  double zero_due;       /* due pages never written: sent in round 0 only */
  double activity;       /* fraction of time the guest runs, [0, 1] */
};

double dirty_distinct_pages(double pages, double rate_hz, double t_s) {
  /* (1); expm1 keeps P r T exact when r T is tiny (the stream limit). */
  return -pages * expm1(-rate_hz * t_s);
}

double dirty_sent_fraction(double rate_hz, double t_s) {
  double x = rate_hz * t_s;
  if (x <= 0) return 1.0;
  if (x < 1e-8) return 1.0 - x / 2; /* series of (2): avoids 0/0 */
  return -expm1(-x) / x;           /* (2) */
}

dirty_model *dirty_new(double memory_pages, double resident_pages, double extra_pages) {
  assert(memory_pages >= 0 && resident_pages >= 0 && extra_pages >= 0);
  dirty_model *dm = sim_calloc(1, sizeof *dm);
  if (!dm) return NULL;
  if (resident_pages > memory_pages) resident_pages = memory_pages;
  dm->memory_pages = memory_pages;
  dm->resident_pages = resident_pages;
  dm->other_due = resident_pages;
  dm->extra_due = extra_pages;
  dm->zero_due = memory_pages - resident_pages;
  dm->activity = 1.0;
  return dm;
}

void dirty_free(dirty_model *dm) {
  if (!dm) return;
  sim_free(dm->group_pages);
  sim_free(dm->group_rate_hz);
  sim_free(dm->group_due);
  sim_free(dm);
}

int dirty_set_groups(dirty_model *dm, const sim_dirty_group *groups, size_t n,
                     double stream_pages_hz) {
  double total = 0;
  for (size_t i = 0; i < n; i++) {
    if (!isfinite(groups[i].rate_hz) || groups[i].rate_hz < 0) return -1;
    total += (double)groups[i].pages;
  }
  if (total > dm->memory_pages || !isfinite(stream_pages_hz) || stream_pages_hz < 0) return -1;
  if (n > dm->cap_groups) {
    double *p = sim_malloc(n * sizeof *p), *r = sim_malloc(n * sizeof *r),
           *d = sim_malloc(n * sizeof *d);
    if (!p || !r || !d) {
      sim_free(p);
      sim_free(r);
      sim_free(d);
      return -2;
    }
    sim_free(dm->group_pages);
    sim_free(dm->group_rate_hz);
    sim_free(dm->group_due);
    dm->group_pages = p;
    dm->group_rate_hz = r;
    dm->group_due = d;
    dm->cap_groups = n;
  }
  /* Due pages are taken to be spread evenly over the written memory: a new
   * group starts with the due share of its pages (all of them in round 0). */
  double mem_due = dm->other_due;
  for (size_t i = 0; i < dm->n_groups; i++) mem_due += dm->group_due[i];
  if (total > dm->resident_pages) { /* the groups write pages counted as zero */
    double move = fmin(total - dm->resident_pages, dm->zero_due);
    dm->zero_due -= move;
    mem_due += move;
    dm->resident_pages = total;
  }
  double share = dm->resident_pages > 0 ? fmin(1, mem_due / dm->resident_pages) : 0;
  double in_groups = 0;
  for (size_t i = 0; i < n; i++) {
    dm->group_pages[i] = (double)groups[i].pages;
    dm->group_rate_hz[i] = groups[i].rate_hz;
    dm->group_due[i] = dm->group_pages[i] * share;
    in_groups += dm->group_due[i];
  }
  dm->other_due = fmax(0, mem_due - in_groups);
  dm->n_groups = n;
  dm->stream_hz = stream_pages_hz;
  return 0;
}

void dirty_set_activity(dirty_model *dm, double activity) {
  assert(activity >= 0 && activity <= 1);
  dm->activity = activity;
}

double dirty_due_pages(const dirty_model *dm) {
  double due = dm->other_due + dm->extra_due + dm->zero_due;
  for (size_t i = 0; i < dm->n_groups; i++) due += dm->group_due[i];
  return due;
}

double dirty_write_rate(const dirty_model *dm) {
  double w = dm->stream_hz;
  for (size_t i = 0; i < dm->n_groups; i++) w += dm->group_pages[i] * dm->group_rate_hz[i];
  return w * dm->activity;
}

/* Wire bytes of the pages sent in a round of t seconds: right side of (3) times R. */
static double round_bytes(const dirty_model *dm, double t, double page_wire_bytes,
                          double zero_wire_bytes) {
  double pages = dm->other_due + dm->extra_due;
  for (size_t i = 0; i < dm->n_groups; i++)
    pages += dm->group_due[i] * dirty_sent_fraction(dm->group_rate_hz[i] * dm->activity, t);
  return pages * page_wire_bytes + dm->zero_due * zero_wire_bytes;
}

static void fill_dirtied(const dirty_model *dm, double t, dirty_round *out) {
  double dirtied = dm->stream_hz * dm->activity * t;
  for (size_t i = 0; i < dm->n_groups; i++)
    dirtied += dirty_distinct_pages(dm->group_pages[i], dm->group_rate_hz[i] * dm->activity, t);
  out->pages_dirtied = dirtied;
}

void dirty_plan_round(const dirty_model *dm, double rate_Bps, double page_wire_bytes,
                      double zero_wire_bytes, dirty_round *out) {
  assert(rate_Bps > 0 && page_wire_bytes > 0 && zero_wire_bytes >= 0);
  /* (3) by bisection on g(T) = T R - bytes(T), increasing in T; the root lies
   * in [0, bytes(0) / R] since bytes(T) <= bytes(0). */
  double lo = 0, hi = round_bytes(dm, 0, page_wire_bytes, zero_wire_bytes) / rate_Bps;
  bool rewrites = false; /* without a rewritten group, bytes(T) is constant: T = bytes / R */
  for (size_t i = 0; i < dm->n_groups; i++)
    if (dm->group_due[i] > 0 && dm->group_rate_hz[i] * dm->activity > 0) rewrites = true;
  for (int it = 0; rewrites && it < 200 && hi - lo > 1e-15 * hi; it++) {
    double mid = 0.5 * (lo + hi);
    if (mid * rate_Bps - round_bytes(dm, mid, page_wire_bytes, zero_wire_bytes) < 0)
      lo = mid;
    else
      hi = mid;
  }
  double t = hi;
  out->duration_s = t;
  out->pages_due = dirty_due_pages(dm);
  double sent = dm->other_due + dm->extra_due + dm->zero_due;
  for (size_t i = 0; i < dm->n_groups; i++)
    sent += dm->group_due[i] * dirty_sent_fraction(dm->group_rate_hz[i] * dm->activity, t);
  out->pages_sent = sent;
  out->zero_pages_sent = dm->zero_due;
  out->pages_skipped = out->pages_due - sent;
  if (out->pages_skipped < 0) out->pages_skipped = 0;
  out->wire_bytes = round_bytes(dm, t, page_wire_bytes, zero_wire_bytes);
  fill_dirtied(dm, t, out);
}

void dirty_commit_round(dirty_model *dm, const dirty_round *round) {
  /* Everything due was sent or skipped; skipped pages are among the dirtied. */
  double t = round->duration_s;
  dm->other_due = 0;
  dm->extra_due = dm->stream_hz * dm->activity * t;
  dm->zero_due = 0;
  for (size_t i = 0; i < dm->n_groups; i++)
    dm->group_due[i] =
        dirty_distinct_pages(dm->group_pages[i], dm->group_rate_hz[i] * dm->activity, t);
}
