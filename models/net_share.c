/* models/net_share.c: weighted max-min fair sharing by progressive filling
 * (Bertsekas & Gallager, "Data Networks", 6.5.2): raise every unfrozen flow's
 * rate in proportion to its weight until a flow meets its demand or a link
 * fills; freeze those flows; repeat.  Units: bit/s.  Invariants: see
 * net_share.h.
 *
 * Why the bookkeeping: a round touches only the flows still unfrozen and the
 * links they cross.  Each solve lists, per link, the flows crossing it (in
 * flow id order, once per crossing); a link's total weight is summed again,
 * over that list in the same order, only in the round after one of its flows
 * froze.  Every rate and load is the same sum of the same terms in the same
 * order as the direct method (scan every link against every flow each round),
 * so the results do not depend on which of the two computes them. */
#include "models/net_share.h"

#include <assert.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "sim/alloc.h"

typedef struct ns_flow {
  double demand_bps; /* wanted rate; INFINITY: unbounded */
  double weight;     /* share weight, > 0 */
  int *links;        /* links crossed */
  size_t n_links;
  double rate_bps;   /* allocation at the last solve */
  bool active;       /* false once removed */
  bool frozen;       /* solve scratch: rate fixed (demand met or a link full) */
} ns_flow;

typedef struct ns_link {
  double capacity_bps; /* line rate available to the flows */
  double load_bps;     /* sum of the flows' rates at the last solve */
  /* solve scratch, valid while `touched`: */
  double weight;       /* total weight of the unfrozen flows crossing it */
  size_t first;        /* its flows: crossing[first .. first + n_crossing) */
  size_t n_crossing;   /* unfrozen flows crossing it (a flow once per crossing) */
  bool touched;        /* crossed by a flow unfrozen when the last solve began */
  bool stale;          /* a flow crossing it froze: weight and list to redo */
} ns_link;

struct net_share {
  ns_link *links;       /* by id */
  size_t n_links, cap_links;
  ns_flow *flows;       /* by id */
  size_t n_flows, cap_flows;
  int *live;            /* ids of flows not removed (and of ones removed since the last solve), increasing */
  size_t n_live, cap_live;
  size_t n_crossings;   /* links crossed, summed over the flows not removed */
  /* solve scratch, allocated when flows and links are added so that solving
   * cannot fail: */
  int *unfrozen;        /* flows still rising, increasing ids; cap_live */
  size_t cap_unfrozen;
  int *crossing;        /* flows by link (see ns_link.first); cap_crossing >= n_crossings */
  size_t cap_crossing;
  int *touched;         /* links with `touched` set, to reset at the next solve */
  size_t n_touched, cap_touched;
  int *rising;          /* links an unfrozen flow may still cross */
  size_t cap_rising;
};

net_share *net_share_new(void) { return sim_calloc(1, sizeof(net_share)); }

void net_share_free(net_share *ns) {
  if (!ns) return;
  for (size_t i = 0; i < ns->n_flows; i++) sim_free(ns->flows[i].links);
  sim_free(ns->flows);
  sim_free(ns->links);
  sim_free(ns->live);
  sim_free(ns->unfrozen);
  sim_free(ns->crossing);
  sim_free(ns->touched);
  sim_free(ns->rising);
  sim_free(ns);
}

int net_share_link(net_share *ns, double capacity_bps) {
  assert(capacity_bps > 0);
  size_t need = ns->n_links + 1;
  if (sim_grow((void **)&ns->links, &ns->cap_links, need, sizeof(ns_link)) ||
      sim_grow((void **)&ns->touched, &ns->cap_touched, need, sizeof(int)) ||
      sim_grow((void **)&ns->rising, &ns->cap_rising, need, sizeof(int)))
    return -1;
  ns->links[ns->n_links] = (ns_link){.capacity_bps = capacity_bps, .load_bps = 0};
  return (int)ns->n_links++;
}

static int copy_links(const int *links, size_t n, int **out) {
  *out = NULL;
  if (n == 0) return 0;
  *out = sim_malloc(n * sizeof **out);
  if (!*out) return -1;
  memcpy(*out, links, n * sizeof **out);
  return 0;
}

int net_share_flow(net_share *ns, double demand_bps, double weight, const int *links,
                   size_t n_links) {
  assert(demand_bps >= 0 && weight > 0);
  for (size_t i = 0; i < n_links; i++) assert(links[i] >= 0 && (size_t)links[i] < ns->n_links);
  if (sim_grow((void **)&ns->flows, &ns->cap_flows, ns->n_flows + 1, sizeof(ns_flow)) ||
      sim_grow((void **)&ns->live, &ns->cap_live, ns->n_live + 1, sizeof(int)) ||
      sim_grow((void **)&ns->unfrozen, &ns->cap_unfrozen, ns->n_live + 1, sizeof(int)) ||
      sim_grow((void **)&ns->crossing, &ns->cap_crossing, ns->n_crossings + n_links, sizeof(int)))
    return -1;
  ns_flow *f = &ns->flows[ns->n_flows];
  if (copy_links(links, n_links, &f->links)) return -1;
  f->demand_bps = demand_bps;
  f->weight = weight;
  f->n_links = n_links;
  f->rate_bps = 0;
  f->active = true;
  ns->live[ns->n_live++] = (int)ns->n_flows;
  ns->n_crossings += n_links;
  return (int)ns->n_flows++;
}

void net_share_set_demand(net_share *ns, int flow, double demand_bps) {
  assert(flow >= 0 && (size_t)flow < ns->n_flows && demand_bps >= 0);
  ns->flows[flow].demand_bps = demand_bps;
}

int net_share_set_links(net_share *ns, int flow, const int *links, size_t n_links) {
  assert(flow >= 0 && (size_t)flow < ns->n_flows);
  for (size_t i = 0; i < n_links; i++) assert(links[i] >= 0 && (size_t)links[i] < ns->n_links);
  ns_flow *f = &ns->flows[flow];
  size_t crossings = f->active ? ns->n_crossings - f->n_links + n_links : ns->n_crossings;
  int *copy;
  if (sim_grow((void **)&ns->crossing, &ns->cap_crossing, crossings, sizeof(int)) ||
      copy_links(links, n_links, &copy))
    return -1;
  sim_free(f->links);
  f->links = copy;
  f->n_links = n_links;
  ns->n_crossings = crossings;
  return 0;
}

void net_share_remove(net_share *ns, int flow) {
  assert(flow >= 0 && (size_t)flow < ns->n_flows);
  ns_flow *f = &ns->flows[flow];
  if (f->active) ns->n_crossings -= f->n_links;
  f->active = false;
  f->rate_bps = 0;
  sim_free(f->links);
  f->links = NULL;
  f->n_links = 0;
}

/* Starts a solve: drops removed flows from the live list, zeroes the links
 * the last solve loaded, gives every flow its starting rate, and lists the
 * unfrozen flows and, per link, the flows crossing it.  The number of
 * unfrozen flows. */
static size_t begin_solve(net_share *ns) {
  size_t n_live = 0;
  for (size_t k = 0; k < ns->n_live; k++)
    if (ns->flows[ns->live[k]].active) ns->live[n_live++] = ns->live[k];
  ns->n_live = n_live;
  for (size_t k = 0; k < ns->n_touched; k++) {
    ns_link *l = &ns->links[ns->touched[k]];
    l->load_bps = 0;
    l->touched = false;
  }
  ns->n_touched = 0;
  size_t n_unfrozen = 0;
  for (size_t k = 0; k < ns->n_live; k++) {
    ns_flow *f = &ns->flows[ns->live[k]];
    f->rate_bps = 0;
    f->frozen = f->demand_bps <= 0;
    /* A flow crossing no link is limited by its demand only. */
    if (!f->frozen && f->n_links == 0) {
      f->rate_bps = f->demand_bps;
      f->frozen = true;
    }
    if (f->frozen) continue;
    ns->unfrozen[n_unfrozen++] = ns->live[k];
    for (size_t j = 0; j < f->n_links; j++) {
      ns_link *l = &ns->links[f->links[j]];
      if (!l->touched) {
        *l = (ns_link){.capacity_bps = l->capacity_bps, .touched = true, .stale = true};
        ns->touched[ns->n_touched++] = f->links[j];
      }
      l->n_crossing++;
    }
  }
  size_t at = 0;
  for (size_t k = 0; k < ns->n_touched; k++) {
    ns_link *l = &ns->links[ns->touched[k]];
    l->first = at;
    at += l->n_crossing;
    l->n_crossing = 0;
    ns->rising[k] = ns->touched[k];
  }
  assert(at <= ns->cap_crossing);
  for (size_t k = 0; k < n_unfrozen; k++) {
    const ns_flow *f = &ns->flows[ns->unfrozen[k]];
    for (size_t j = 0; j < f->n_links; j++) {
      ns_link *l = &ns->links[f->links[j]];
      ns->crossing[l->first + l->n_crossing++] = ns->unfrozen[k];
    }
  }
  return n_unfrozen;
}

/* Drops the frozen flows from a link's list and sums the weights of the rest
 * in flow id order, as the direct method adds them. */
static void reweigh(net_share *ns, ns_link *l) {
  int *list = ns->crossing + l->first;
  size_t n = 0;
  double w = 0;
  for (size_t k = 0; k < l->n_crossing; k++) {
    const ns_flow *f = &ns->flows[list[k]];
    if (f->frozen) continue;
    list[n++] = list[k];
    w += f->weight;
  }
  l->n_crossing = n;
  l->weight = w;
  l->stale = false;
}

void net_share_solve(net_share *ns) {
  size_t n_unfrozen = begin_solve(ns);
  size_t n_rising = ns->n_touched;
  while (n_unfrozen > 0) {
    /* The largest common increment per unit of weight, delta: up to the
     * nearest demand, or until the first link fills (the minimum of the same
     * set of quotients as the direct method takes, in any order). */
    double delta = INFINITY;
    for (size_t k = 0; k < n_unfrozen; k++) {
      const ns_flow *f = &ns->flows[ns->unfrozen[k]];
      delta = fmin(delta, (f->demand_bps - f->rate_bps) / f->weight);
    }
    size_t kept = 0;
    for (size_t k = 0; k < n_rising; k++) {
      ns_link *l = &ns->links[ns->rising[k]];
      if (l->stale) reweigh(ns, l);
      if (l->n_crossing == 0) continue; /* every flow on it frozen */
      ns->rising[kept++] = ns->rising[k];
      delta = fmin(delta, fmax(0, l->capacity_bps - l->load_bps) / l->weight);
    }
    n_rising = kept;
    assert(isfinite(delta)); /* an unfrozen flow crosses a link of finite capacity */
    for (size_t k = 0; k < n_unfrozen; k++) {
      ns_flow *f = &ns->flows[ns->unfrozen[k]];
      double inc = delta * f->weight;
      f->rate_bps += inc;
      for (size_t j = 0; j < f->n_links; j++) ns->links[f->links[j]].load_bps += inc;
    }
    /* Freeze flows that met their demand or cross a full link. */
    kept = 0;
    for (size_t k = 0; k < n_unfrozen; k++) {
      ns_flow *f = &ns->flows[ns->unfrozen[k]];
      if (f->rate_bps >= f->demand_bps * (1 - 1e-12)) f->frozen = true;
      for (size_t j = 0; j < f->n_links; j++) {
        const ns_link *l = &ns->links[f->links[j]];
        if (l->load_bps >= l->capacity_bps * (1 - 1e-12)) f->frozen = true;
      }
      if (!f->frozen) {
        ns->unfrozen[kept++] = ns->unfrozen[k];
        continue;
      }
      for (size_t j = 0; j < f->n_links; j++) ns->links[f->links[j]].stale = true;
    }
    n_unfrozen = kept;
  }
}

double net_share_rate(const net_share *ns, int flow) {
  assert(flow >= 0 && (size_t)flow < ns->n_flows);
  return ns->flows[flow].rate_bps;
}

double net_share_load(const net_share *ns, int link) {
  assert(link >= 0 && (size_t)link < ns->n_links);
  return ns->links[link].load_bps;
}
