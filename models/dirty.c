/* models/dirty.c: the page-group dirty-page model; the derivation of every
 * formula is in dirty.h.  Units: pages, seconds, Hz, bytes.  Invariants: due
 * page counts are >= 0; a round's sent + skipped pages equal its due pages;
 * a group counted by a random process draws from its own stream, created
 * when the group is first set. */
#include "models/dirty.h"

#include <assert.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "sim/alloc.h"
#include "sim/rng.h"

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
  double utilisation;    /* the guest's load, (0, 1]: scales the rates of groups that follow it */
  /* random page writes (SIM_DIRTY_POISSON groups) */
  sim_dirty_process *group_process; /* how each group's dirtied pages are counted */
  double *group_drawn;   /* pages each group dirtied in the planned round (drawn or expected) */
  bool drawn_valid;      /* group_drawn belongs to the current groups' last planned round */
  gsl_rng **streams;     /* by group index: "<guest>/dirty/<index>", NULL until a random group uses it */
  size_t n_streams;      /* length of streams */
  char *guest;           /* whose streams; NULL: dirty_set_streams not called */
  uint64_t seed;         /* scenario seed of the streams */
  uint32_t run_index;    /* run index of the streams */
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
  dm->utilisation = 1.0;
  return dm;
}

void dirty_free(dirty_model *dm) {
  if (!dm) return;
  sim_free(dm->group_pages);
  sim_free(dm->group_rate_hz);
  sim_free(dm->group_due);
  sim_free(dm->group_process);
  sim_free(dm->group_drawn);
  for (size_t i = 0; i < dm->n_streams; i++)
    if (dm->streams[i]) gsl_rng_free(dm->streams[i]);
  sim_free(dm->streams);
  sim_free(dm->guest);
  sim_free(dm);
}

int dirty_set_streams(dirty_model *dm, uint64_t seed, uint32_t run_index, const char *guest) {
  assert(!dm->guest && "the streams are set once");
  size_t len = strlen(guest) + 1;
  if (!(dm->guest = sim_malloc(len))) return -2;
  memcpy(dm->guest, guest, len);
  dm->seed = seed;
  dm->run_index = run_index;
  return 0;
}

/* The stream of group index i, created on first use; NULL when out of memory. */
static gsl_rng *group_stream(dirty_model *dm, size_t i) {
  assert(dm->guest && "a random dirty-page process needs dirty_set_streams");
  if (i >= dm->n_streams) {
    gsl_rng **grown = sim_realloc(dm->streams, (i + 1) * sizeof *grown);
    if (!grown) return NULL;
    for (size_t k = dm->n_streams; k <= i; k++) grown[k] = NULL;
    dm->streams = grown;
    dm->n_streams = i + 1;
  }
  if (!dm->streams[i]) {
    char purpose[48];
    snprintf(purpose, sizeof purpose, "dirty/%zu", i);
    dm->streams[i] = sim_rng_new(dm->seed, dm->run_index, sim_rng_stream_id(dm->guest, purpose));
  }
  return dm->streams[i];
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
           *d = sim_malloc(n * sizeof *d), *drawn = sim_malloc(n * sizeof *drawn);
    sim_dirty_process *proc = sim_malloc(n * sizeof *proc);
    if (!p || !r || !d || !drawn || !proc) {
      sim_free(p);
      sim_free(r);
      sim_free(d);
      sim_free(drawn);
      sim_free(proc);
      return -2;
    }
    sim_free(dm->group_pages);
    sim_free(dm->group_rate_hz);
    sim_free(dm->group_due);
    sim_free(dm->group_drawn);
    sim_free(dm->group_process);
    dm->group_pages = p;
    dm->group_rate_hz = r;
    dm->group_due = d;
    dm->group_drawn = drawn;
    dm->group_process = proc;
    dm->cap_groups = n;
  }
  for (size_t i = 0; i < n; i++)
    if (groups[i].process == SIM_DIRTY_POISSON && !group_stream(dm, i)) return -2;
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
    dm->group_rate_hz[i] = groups[i].follows_utilisation ? groups[i].rate_hz * dm->utilisation : groups[i].rate_hz;
    dm->group_due[i] = dm->group_pages[i] * share;
    dm->group_process[i] = groups[i].process;
    in_groups += dm->group_due[i];
  }
  dm->drawn_valid = false;
  dm->other_due = fmax(0, mem_due - in_groups);
  dm->n_groups = n;
  dm->stream_hz = stream_pages_hz;
  return 0;
}

void dirty_set_utilisation(dirty_model *dm, const sim_dirty_group *groups, size_t n, double utilisation) {
  assert(utilisation > 0 && utilisation <= 1 && n == dm->n_groups);
  if (utilisation == dm->utilisation) return;
  dm->utilisation = utilisation;
  for (size_t i = 0; i < n; i++)
    if (groups[i].follows_utilisation) {
      dm->group_rate_hz[i] = groups[i].rate_hz * utilisation;
      dm->drawn_valid = false; /* a planned round's draw was at the old rate */
    }
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

/* Distinct pages group i dirties in t seconds at the current activity: the
 * expectation (1), or for a Poisson process of writes a draw.  Each page's
 * writes are then independent Poisson counts of mean r t (a thinning of
 * the group's process at rate P r, uniform over its pages), so a page is
 * dirtied with probability 1 - e^{-rt} independently of the others: the
 * count is Binomial(P, 1 - e^{-rt}), whose mean is (1). */
static double group_dirtied(dirty_model *dm, size_t i, double t) {
  double rate = dm->group_rate_hz[i] * dm->activity;
  if (dm->group_process[i] != SIM_DIRTY_POISSON) return dirty_distinct_pages(dm->group_pages[i], rate, t);
  double p = -expm1(-rate * t);
  if (!(p > 0)) return 0;
  gsl_rng *r = dm->streams[i];
  double drawn = 0, left = dm->group_pages[i];
  /* gsl_ran_binomial takes an unsigned int: a larger group is drawn in parts */
  for (; left > 0; left -= UINT_MAX) {
    unsigned int n = left > UINT_MAX ? UINT_MAX : (unsigned int)left;
    drawn += gsl_ran_binomial(r, p, n);
  }
  return drawn;
}

static void fill_dirtied(dirty_model *dm, double t, dirty_round *out) {
  double dirtied = dm->stream_hz * dm->activity * t;
  for (size_t i = 0; i < dm->n_groups; i++) {
    dm->group_drawn[i] = group_dirtied(dm, i, t);
    dirtied += dm->group_drawn[i];
  }
  dm->drawn_valid = true;
  out->pages_dirtied = dirtied;
}

void dirty_plan_round(dirty_model *dm, double rate_Bps, double page_wire_bytes,
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
  /* a random group's count is the one its round was planned with (a draw
   * again only when the groups changed since) */
  for (size_t i = 0; i < dm->n_groups; i++)
    dm->group_due[i] = dm->group_process[i] == SIM_DIRTY_POISSON
                           ? (dm->drawn_valid ? dm->group_drawn[i] : group_dirtied(dm, i, t))
                           : dirty_distinct_pages(dm->group_pages[i], dm->group_rate_hz[i] * dm->activity, t);
  dm->drawn_valid = false;
}
