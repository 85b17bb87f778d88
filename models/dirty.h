/* models/dirty.h: the page-group dirty-page model (live migration).
 *
 * What it models: which of a guest's pages are dirty, round after round, while
 * a pre-copy migration sends them ([CL05] sec. 4 and 5.3).  Memory is split
 * into page groups (sim_dirty_group): P pages each rewritten at r times a
 * second, as independent Poisson processes; a hot writable working set is a
 * small group with a high r, colder data larger groups with lower r, and the
 * memory outside every group is never rewritten.  A "stream" of w pages/s
 * dirtied for the first time each (a sequential writer over a region larger
 * than one round's writes, or disk blocks written during block migration) is
 * the constant-dirty-rate component.
 *
 * Derivation (expected values, fluid in pages):
 *  - distinct pages of a group dirtied in a round of T seconds: each page is
 *    clean at the round's start (the bitmap was just read and cleared) and
 *    stays clean with probability e^{-rT}, so
 *        D(T) = P (1 - e^{-rT})                                   (1)
 *  - pages skipped ([CL05] 5.4, Xen's to_skip bitmap in [XEN]
 *    xc_domain_save.c): a page due at time t of the round is not sent when it
 *    was dirtied again since the round began (it goes out next round anyway),
 *    with probability 1 - e^{-rt}.  Sending is spread evenly over the round
 *    and independent of which group a page belongs to, so t is uniform on
 *    [0, T] and the sent fraction of a group's due pages is
 *        u(rT) = (1/T) Int_0^T e^{-rt} dt = (1 - e^{-rT}) / (rT)  (2)
 *    Skipped pages are dirty at the round's end, so (1) already counts them
 *    in the next round's set.
 *  - the round lasts as long as its sent bytes take at the wire rate R:
 *        T = (Sum_g S_g u(r_g T) + S_other) c / R                  (3)
 *    with S_g a group's due pages and c the wire bytes of a page.  The
 *    right-hand side decreases in T and the left increases, so (3) has one
 *    root in (0, S c / R], found by bisection.
 *  - a stream dirties w T distinct pages and never rewrites one within a
 *    round: it is the limit P -> inf, r -> 0, P r = w of (1) and (2)
 *    (P(1 - e^{-rT}) -> wT, u -> 1).  With a stream alone and a constant rate
 *    R the rounds send V_k = V_0 (w c / R)^k: the closed-form geometric
 *    series of pre-copy with a constant dirty rate D = w c.
 * The guest's activity a in [0, 1] (1 running, 1 - throttle when throttled,
 * 0 paused) scales every rate.
 * Random writes: a group may instead count its dirtied pages as a random
 * process (SIM_DIRTY_POISSON: its writes arrive as a Poisson process of rate
 * P r, each picking a page uniformly in the group).  The pages then get
 * independent Poisson write counts of mean r T, so the distinct pages of a
 * round are Binomial(P, 1 - e^{-rT}): random, with mean (1).  The round's
 * length (3) and skipped pages (2) stay expected values; only the set left
 * for the next round is drawn, from the group's stream
 * "<guest>/dirty/<index>" (index in the phase's list), so round sizes vary
 * from seed to seed around the deterministic ones.
 *
 * Units: pages (4 KiB unless the caller says otherwise), seconds, Hz, bytes.
 * Invariants: every count is >= 0; the groups' pages sum to at most the
 * memory (checked when groups are set). */
#ifndef MODELS_DIRTY_H
#define MODELS_DIRTY_H
#include <stddef.h>
#include <stdint.h>

#include "sim/scenario.h"

/* Expected distinct pages of a group of `pages` pages, each rewritten at
 * rate_hz, dirtied within t_s seconds: formula (1). */
double dirty_distinct_pages(double pages, double rate_hz, double t_s);
/* Expected fraction of a group's due pages still clean when their turn comes
 * in a round of t_s seconds (sent, not skipped): formula (2); 1 when
 * rate_hz * t_s is 0. */
double dirty_sent_fraction(double rate_hz, double t_s);

typedef struct dirty_model dirty_model;

/* What a round sends and leaves behind (expected values). */
typedef struct dirty_round {
  double duration_s;     /* T of formula (3), seconds */
  double pages_due;      /* pages dirty at the round's start (its send set) */
  double pages_sent;     /* due pages actually sent (zero pages included) */
  double zero_pages_sent;/* of pages_sent, pages never written (elided when asked) */
  double pages_skipped;  /* due pages dirtied again before their turn */
  double pages_dirtied;  /* distinct pages dirty at the round's end: next round's set */
  double wire_bytes;     /* bytes on the wire for the sent pages */
} dirty_round;

/* A model of `memory_pages` pages of which `resident_pages` were ever
 * written (the rest are zero pages), with `extra_pages` more to send once
 * (disk blocks in block migration); every page is due (round 0).  NULL when
 * out of memory. */
dirty_model *dirty_new(double memory_pages, double resident_pages, double extra_pages);
void dirty_free(dirty_model *dm);

/* Names the random streams of groups counted by a random process: those of
 * guest `guest` (copied) under (seed, run_index), sim/rng.h.  Needed, once,
 * before any such group is set.  0, or -2 when out of memory. */
int dirty_set_streams(dirty_model *dm, uint64_t seed, uint32_t run_index, const char *guest);

/* Sets the page groups of the current workload phase and the stream rate
 * (pages/s).  0, -1 when the groups hold more pages than memory
 * or a value is negative or not finite, -2 when out of memory.  Due pages
 * are taken to be spread evenly over the written memory: a new group starts
 * with that share of its pages due (all of them before round 0), and due
 * pages of earlier groups stay due, with no rate of their own. */
int dirty_set_groups(dirty_model *dm, const sim_dirty_group *groups, size_t n,
                     double stream_pages_hz);
/* The guest's utilisation now, (0, 1] (a trace sample's share of its vCPUs'
 * time): a group with follows_utilisation rewrites at utilisation x its
 * rate, the rate it states being at full load.  The model ("utilisation"):
 * a guest's page writes are part of its work, so at a share u of the CPU
 * it does u of its full-load work and u of its writes [CL05] 4 (the
 * writable working set grows with the load served).  Groups set later by
 * dirty_set_groups take the last utilisation given (1 before any).  Due
 * pages are unchanged. */
void dirty_set_utilisation(dirty_model *dm, const sim_dirty_group *groups, size_t n, double utilisation);
/* Fraction of time the guest runs, [0, 1]: scales every rate. */
void dirty_set_activity(dirty_model *dm, double activity);

/* Pages due now (dirty, not yet sent since). */
double dirty_due_pages(const dirty_model *dm);
/* Raw rate at which the guest writes to pages, pages/s (sum of P r + w, times
 * the activity): the dirty rate of a vanishing round. */
double dirty_write_rate(const dirty_model *dm);

/* Plans the next round at a wire rate of rate_Bps bytes/s, each page costing
 * page_wire_bytes and each zero page zero_wire_bytes on the wire.  Changes
 * nothing the model counts; a group counted by a random process draws its
 * dirtied pages here, kept for dirty_commit_round. */
void dirty_plan_round(dirty_model *dm, double rate_Bps, double page_wire_bytes,
                      double zero_wire_bytes, dirty_round *out);
/* Applies a planned round: the pages dirtied in it become due (for a random
 * group, the count drawn when the round was planned). */
void dirty_commit_round(dirty_model *dm, const dirty_round *round);

#endif
