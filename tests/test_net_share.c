/* tests/test_net_share.c: bandwidth sharing (models/net_share.h).  Hand
 * computed allocations (a rate-limited migration beside a guest's traffic,
 * weights, a bottleneck two links away); removed flows release their links;
 * and on seeded random networks, with flows added, removed, moved and given
 * new demands between solves, every rate and load equals bit for bit the
 * direct method's (tests/test_net_share_reference.c), including after an
 * allocation failure.  Units: bit/s. */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "models/net_share.h"
#include "sim/alloc.h"
#include "sim/rng.h"
#include "tests/cunit_main.h"
#include "tests/test_net_share_reference.h"

enum { MAX_LINKS_PER_FLOW = 4, RANDOM_NETWORKS = 300, MUTATIONS = 25 };

/* The two solvers side by side on the same network. */
typedef struct pair {
  net_share *ns;
  ref_net *ref;
  size_t n_links, n_flows; /* ids handed out (the same in both) */
  bool *removed;           /* by flow id */
  size_t cap_removed;
  double *capacity_bps;    /* by link id */
  size_t cap_capacity;
} pair;

static bool same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

static int pair_link(pair *p, double capacity_bps) {
  int a = net_share_link(p->ns, capacity_bps), b = ref_net_link(p->ref, capacity_bps);
  CU_ASSERT_FATAL(a >= 0 && a == b);
  CU_ASSERT_FATAL(sim_grow((void **)&p->capacity_bps, &p->cap_capacity, p->n_links + 1, sizeof(double)) == 0);
  p->capacity_bps[p->n_links++] = capacity_bps;
  return a;
}

static int pair_flow(pair *p, double demand_bps, double weight, const int *links, size_t n) {
  int a = net_share_flow(p->ns, demand_bps, weight, links, n);
  int b = ref_net_flow(p->ref, demand_bps, weight, links, n);
  CU_ASSERT_FATAL(a >= 0 && a == b);
  CU_ASSERT_FATAL(sim_grow((void **)&p->removed, &p->cap_removed, p->n_flows + 1, sizeof(bool)) == 0);
  p->removed[p->n_flows++] = false;
  return a;
}

/* Solves both; the number of rates and loads whose bits differ. */
static size_t solve_and_compare(pair *p) {
  net_share_solve(p->ns);
  ref_net_solve(p->ref);
  size_t differ = 0;
  for (size_t f = 0; f < p->n_flows; f++)
    differ += !same_bits(net_share_rate(p->ns, (int)f), ref_net_rate(p->ref, (int)f));
  for (size_t l = 0; l < p->n_links; l++)
    differ += !same_bits(net_share_load(p->ns, (int)l), ref_net_load(p->ref, (int)l));
  return differ;
}

static void pair_free(pair *p) {
  net_share_free(p->ns);
  ref_net_free(p->ref);
  sim_free(p->removed);
  sim_free(p->capacity_bps);
}

static pair pair_new(void) {
  pair p = {net_share_new(), ref_net_new(), 0, 0, NULL, 0, NULL, 0};
  CU_ASSERT_FATAL(p.ns && p.ref);
  return p;
}

/* ---- hand-computed ---- */

/* [CL05] sec. 6.2: a migration limited to 100 Mbit/s beside a guest that
 * takes all it can of a 1 Gbit/s NIC: the guest keeps the other 900. */
static void test_rate_limited_migration(void) {
  net_share *ns = net_share_new();
  int nic = net_share_link(ns, 1e9);
  int mig = net_share_flow(ns, 100e6, 1, &nic, 1);
  int guest = net_share_flow(ns, INFINITY, 1, &nic, 1);
  net_share_solve(ns);
  CU_ASSERT_DOUBLE_EQUAL(net_share_rate(ns, mig), 100e6, 1e-3);
  CU_ASSERT_DOUBLE_EQUAL(net_share_rate(ns, guest), 900e6, 1e-3);
  CU_ASSERT_DOUBLE_EQUAL(net_share_load(ns, nic), 1e9, 1e-3);
  /* a guest wanting less than its share leaves the rest to the migration */
  net_share_set_demand(ns, mig, INFINITY);
  net_share_set_demand(ns, guest, 300e6);
  net_share_solve(ns);
  CU_ASSERT_DOUBLE_EQUAL(net_share_rate(ns, mig), 700e6, 1e-3);
  CU_ASSERT_DOUBLE_EQUAL(net_share_rate(ns, guest), 300e6, 1e-3);
  net_share_free(ns);
}

/* Weights 1 and 3 on 8 bit/s: 2 and 6. */
static void test_weights(void) {
  net_share *ns = net_share_new();
  int l = net_share_link(ns, 8);
  int a = net_share_flow(ns, INFINITY, 1, &l, 1), b = net_share_flow(ns, INFINITY, 3, &l, 1);
  net_share_solve(ns);
  CU_ASSERT_DOUBLE_EQUAL(net_share_rate(ns, a), 2, 1e-12);
  CU_ASSERT_DOUBLE_EQUAL(net_share_rate(ns, b), 6, 1e-12);
  net_share_free(ns);
}

/* a on link 0 (10), b on links 0 and 1 (4), c on link 1: b and c split link 1
 * at 2 each, a takes the 8 b leaves on link 0. */
static void test_bottleneck_elsewhere(void) {
  net_share *ns = net_share_new();
  int l0 = net_share_link(ns, 10), l1 = net_share_link(ns, 4);
  int both[] = {l0, l1};
  int a = net_share_flow(ns, INFINITY, 1, &l0, 1);
  int b = net_share_flow(ns, INFINITY, 1, both, 2);
  int c = net_share_flow(ns, INFINITY, 1, &l1, 1);
  net_share_solve(ns);
  CU_ASSERT_DOUBLE_EQUAL(net_share_rate(ns, a), 8, 1e-12);
  CU_ASSERT_DOUBLE_EQUAL(net_share_rate(ns, b), 2, 1e-12);
  CU_ASSERT_DOUBLE_EQUAL(net_share_rate(ns, c), 2, 1e-12);
  CU_ASSERT_DOUBLE_EQUAL(net_share_load(ns, l0), 10, 1e-12);
  CU_ASSERT_DOUBLE_EQUAL(net_share_load(ns, l1), 4, 1e-12);
  /* c moves onto link 0: three flows there, b still limited to 10/3 */
  CU_ASSERT_EQUAL(net_share_set_links(ns, c, &l0, 1), 0);
  net_share_solve(ns);
  CU_ASSERT_DOUBLE_EQUAL(net_share_rate(ns, a), 10.0 / 3, 1e-12);
  CU_ASSERT_DOUBLE_EQUAL(net_share_rate(ns, b), 10.0 / 3, 1e-12);
  CU_ASSERT_DOUBLE_EQUAL(net_share_load(ns, l1), 10.0 / 3, 1e-12);
  net_share_free(ns);
}

/* A removed flow takes nothing, its links' loads drop at the next solve, and
 * a flow of no link gets its demand. */
static void test_remove_and_linkless(void) {
  net_share *ns = net_share_new();
  int l0 = net_share_link(ns, 10), l1 = net_share_link(ns, 10);
  int a = net_share_flow(ns, INFINITY, 1, &l0, 1);
  int b = net_share_flow(ns, 4, 1, &l1, 1);
  int free_flow = net_share_flow(ns, 7, 1, NULL, 0);
  net_share_solve(ns);
  CU_ASSERT_DOUBLE_EQUAL(net_share_load(ns, l0), 10, 1e-12);
  CU_ASSERT_DOUBLE_EQUAL(net_share_rate(ns, b), 4, 1e-12);
  CU_ASSERT_DOUBLE_EQUAL(net_share_rate(ns, free_flow), 7, 0);
  net_share_remove(ns, a);
  net_share_solve(ns);
  CU_ASSERT_EQUAL(net_share_rate(ns, a), 0);
  CU_ASSERT_EQUAL(net_share_load(ns, l0), 0);
  CU_ASSERT_DOUBLE_EQUAL(net_share_load(ns, l1), 4, 1e-12);
  net_share_free(ns);
}

/* ---- against the direct method ---- */

static double pick(gsl_rng *r, const double *values, size_t n) {
  return values[gsl_rng_uniform_int(r, n)];
}

/* Uniform on [0, 1) with all 53 bits of the significand random (one draw of
 * mt19937 has 32): sums of such weights round, so the order in which a
 * link's weights are added shows in its share. */
static double uniform53(gsl_rng *r) {
  uint64_t high = gsl_rng_get(r) >> 5, low = gsl_rng_get(r) >> 6; /* 27 and 26 bits */
  return (double)(high << 26 | low) / 9007199254740992.0;           /* 2^53 */
}

/* Capacities, demands and weights drawn from a few round values (ties between
 * links and between demands and shares) and from continuous ranges (rounding
 * in every quotient). */
static double random_capacity(gsl_rng *r) {
  static const double round_values[] = {1e9, 1e9, 2.5e9, 10e9};
  return gsl_rng_uniform(r) < 0.7 ? pick(r, round_values, 4) : 1e8 + 1e10 * uniform53(r);
}

static double random_demand(gsl_rng *r) {
  static const double round_values[] = {0, INFINITY, INFINITY, 1e8, 5e8, 1e9};
  return gsl_rng_uniform(r) < 0.6 ? pick(r, round_values, 6) : 2e9 * uniform53(r);
}

static double random_weight(gsl_rng *r) {
  static const double round_values[] = {1, 1, 1, 2, 0.5};
  return gsl_rng_uniform(r) < 0.6 ? pick(r, round_values, 5) : 0.25 + 4 * uniform53(r);
}

/* 0 to MAX_LINKS_PER_FLOW links, a link possibly twice. */
static size_t random_links(gsl_rng *r, size_t n_links, int *links) {
  size_t n = gsl_rng_uniform_int(r, MAX_LINKS_PER_FLOW + 1);
  for (size_t k = 0; k < n; k++) links[k] = (int)gsl_rng_uniform_int(r, n_links);
  return n;
}

/* One random change to both networks. */
static void mutate(pair *p, gsl_rng *r) {
  int links[MAX_LINKS_PER_FLOW];
  int f = (int)gsl_rng_uniform_int(r, p->n_flows);
  switch (gsl_rng_uniform_int(r, 6)) {
    case 0: {
      double d = random_demand(r);
      net_share_set_demand(p->ns, f, d);
      ref_net_set_demand(p->ref, f, d);
      break;
    }
    case 1: {
      size_t n = random_links(r, p->n_links, links);
      CU_ASSERT_FATAL(net_share_set_links(p->ns, f, links, n) == 0);
      CU_ASSERT_FATAL(ref_net_set_links(p->ref, f, links, n) == 0);
      break;
    }
    case 2:
      if (!p->removed[f]) {
        net_share_remove(p->ns, f);
        ref_net_remove(p->ref, f);
        p->removed[f] = true;
      }
      break;
    case 3:
      pair_link(p, random_capacity(r));
      break;
    default: {
      size_t n = random_links(r, p->n_links, links);
      pair_flow(p, random_demand(r), random_weight(r), links, n);
    }
  }
}

/* Loads above capacity: the solver's own invariant, checked apart from the
 * reference (which would share a fault of the method). */
static size_t overloaded_links(const pair *p) {
  size_t n = 0;
  for (size_t l = 0; l < p->n_links; l++) {
    double load = net_share_load(p->ns, (int)l);
    n += !(load >= 0 && load <= p->capacity_bps[l] * (1 + 1e-9));
  }
  return n;
}

/* Random networks of 1-30 links and 1-80 flows, each solved, changed and
 * solved again MUTATIONS times. */
static void test_random_networks_match_reference(void) {
  gsl_rng *r = sim_rng_new(14, 0, sim_rng_stream_id("test", "net_share"));
  CU_ASSERT_FATAL(r != NULL);
  size_t solves = 0, differ = 0, overloaded = 0, busy_links = 0;
  for (int net = 0; net < RANDOM_NETWORKS; net++) {
    pair p = pair_new();
    size_t n_links = 1 + gsl_rng_uniform_int(r, 30), n_flows = 1 + gsl_rng_uniform_int(r, 80);
    for (size_t l = 0; l < n_links; l++) pair_link(&p, random_capacity(r));
    for (size_t f = 0; f < n_flows; f++) {
      int links[MAX_LINKS_PER_FLOW];
      size_t n = random_links(r, p.n_links, links);
      pair_flow(&p, random_demand(r), random_weight(r), links, n);
    }
    for (int m = 0; m <= MUTATIONS; m++) {
      differ += solve_and_compare(&p);
      overloaded += overloaded_links(&p);
      for (size_t l = 0; l < p.n_links; l++) busy_links += net_share_load(p.ns, (int)l) > 0;
      solves++;
      mutate(&p, r);
    }
    pair_free(&p);
  }
  CU_ASSERT_EQUAL(differ, 0);
  CU_ASSERT_EQUAL(overloaded, 0);
  CU_ASSERT_EQUAL(solves, (size_t)RANDOM_NETWORKS * (MUTATIONS + 1));
  CU_ASSERT(busy_links > solves); /* the networks carried traffic */
  gsl_rng_free(r);
}

/* The data center's shape: every host a transmit and a receive link of
 * equal capacity; each migration a stream from its source's transmit link to
 * its destination's receive link, rate-limited or not, beside its guest's
 * own traffic on the source's transmit link; migrations end (flows removed)
 * and start between solves. */
static void test_host_pairs_match_reference(void) {
  gsl_rng *r = sim_rng_new(16, 0, sim_rng_stream_id("test", "net_share_hosts"));
  CU_ASSERT_FATAL(r != NULL);
  static const size_t hosts[] = {2, 10, 50, 100};
  size_t differ = 0, overloaded = 0;
  for (size_t h = 0; h < sizeof hosts / sizeof hosts[0]; h++) {
    pair p = pair_new();
    for (size_t k = 0; k < 2 * hosts[h]; k++) pair_link(&p, 1e9); /* tx 2k, rx 2k+1 */
    for (int step = 0; step < 25; step++) {
      for (int start = 0; start < (int)hosts[h] / 2 + 1; start++) {
        size_t src = gsl_rng_uniform_int(r, hosts[h]), dst = gsl_rng_uniform_int(r, hosts[h]);
        int path[] = {(int)(2 * src), (int)(2 * dst + 1)};
        static const double limits[] = {INFINITY, 100e6, 500e6, 1e9};
        pair_flow(&p, pick(r, limits, 4), 1, path, 2);
        pair_flow(&p, 1e9 * uniform53(r), 1, path, 1);
      }
      differ += solve_and_compare(&p);
      overloaded += overloaded_links(&p);
      for (size_t f = 0; f < p.n_flows; f++)
        if (!p.removed[f] && gsl_rng_uniform(r) < 0.4) {
          net_share_remove(p.ns, (int)f);
          ref_net_remove(p.ref, (int)f);
          p.removed[f] = true;
        }
    }
    pair_free(&p);
  }
  CU_ASSERT_EQUAL(differ, 0);
  CU_ASSERT_EQUAL(overloaded, 0);
  gsl_rng_free(r);
}

/* Adding a flow or a link or moving a flow that runs out of memory leaves the
 * network as it was: the next solve still matches the direct method. */
static void test_out_of_memory_leaves_network_intact(void) {
  size_t differ = 0, failures = 0;
  for (long nth = 1; nth <= 8; nth++) {
    pair p = pair_new();
    int l0 = pair_link(&p, 1e9), l1 = pair_link(&p, 2e9);
    int both[] = {l0, l1};
    pair_flow(&p, INFINITY, 1, both, 2);
    pair_flow(&p, 3e8, 2, &l0, 1);
    differ += solve_and_compare(&p);
    sim_fault_arm(SIM_FAULT_ALLOC, nth);
    int added = net_share_flow(p.ns, INFINITY, 1, both, 2);
    int moved = net_share_set_links(p.ns, 1, both, 2);
    int link = net_share_link(p.ns, 5e8);
    sim_fault_arm(SIM_FAULT_ALLOC, 0);
    failures += (added < 0) + (moved < 0) + (link < 0);
    if (added >= 0) {
      CU_ASSERT_EQUAL(ref_net_flow(p.ref, INFINITY, 1, both, 2), added);
      CU_ASSERT_FATAL(sim_grow((void **)&p.removed, &p.cap_removed, p.n_flows + 1, sizeof(bool)) == 0);
      p.removed[p.n_flows++] = false;
    }
    if (moved == 0) CU_ASSERT_EQUAL(ref_net_set_links(p.ref, 1, both, 2), 0);
    if (link >= 0) {
      CU_ASSERT_EQUAL(ref_net_link(p.ref, 5e8), link);
      CU_ASSERT_FATAL(sim_grow((void **)&p.capacity_bps, &p.cap_capacity, p.n_links + 1, sizeof(double)) == 0);
      p.capacity_bps[p.n_links++] = 5e8;
    }
    differ += solve_and_compare(&p);
    /* and it keeps working afterwards */
    pair_flow(&p, INFINITY, 0.5, &l1, 1);
    differ += solve_and_compare(&p);
    pair_free(&p);
  }
  CU_ASSERT_EQUAL(differ, 0);
  CU_ASSERT(failures > 0); /* some allocation did fail */
}

int register_tests(void) {
  static const test_case tests[] = {
      {"rate-limited migration beside a guest", test_rate_limited_migration},
      {"weights", test_weights},
      {"bottleneck on another link", test_bottleneck_elsewhere},
      {"removed and linkless flows", test_remove_and_linkless},
      {"random networks equal the direct method bit for bit", test_random_networks_match_reference},
      {"host pairs equal the direct method bit for bit", test_host_pairs_match_reference},
      {"out of memory leaves the network intact", test_out_of_memory_leaves_network_intact},
      {NULL, NULL}};
  return add_suite("net_share", tests);
}
