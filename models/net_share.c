/* models/net_share.c: weighted max-min fair sharing by progressive filling
 * (Bertsekas & Gallager, "Data Networks", 6.5.2): raise every unfrozen flow's
 * rate in proportion to its weight until a flow meets its demand or a link
 * fills; freeze those flows; repeat.  Units: bit/s.  Invariants: see
 * net_share.h. */
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
} ns_link;

struct net_share {
  ns_link *links;       /* by id */
  size_t n_links, cap_links;
  ns_flow *flows;
  size_t n_flows, cap_flows;
};

net_share *net_share_new(void) { return sim_calloc(1, sizeof(net_share)); }

void net_share_free(net_share *ns) {
  if (!ns) return;
  for (size_t i = 0; i < ns->n_flows; i++) sim_free(ns->flows[i].links);
  sim_free(ns->flows);
  sim_free(ns->links);
  sim_free(ns);
}

int net_share_link(net_share *ns, double capacity_bps) {
  assert(capacity_bps > 0);
  if (sim_grow((void **)&ns->links, &ns->cap_links, ns->n_links + 1, sizeof(ns_link))) return -1;
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
  if (sim_grow((void **)&ns->flows, &ns->cap_flows, ns->n_flows + 1, sizeof(ns_flow))) return -1;
  ns_flow *f = &ns->flows[ns->n_flows];
  if (copy_links(links, n_links, &f->links)) return -1;
  f->demand_bps = demand_bps;
  f->weight = weight;
  f->n_links = n_links;
  f->rate_bps = 0;
  f->active = true;
  return (int)ns->n_flows++;
}

void net_share_set_demand(net_share *ns, int flow, double demand_bps) {
  assert(flow >= 0 && (size_t)flow < ns->n_flows && demand_bps >= 0);
  ns->flows[flow].demand_bps = demand_bps;
}

int net_share_set_links(net_share *ns, int flow, const int *links, size_t n_links) {
  assert(flow >= 0 && (size_t)flow < ns->n_flows);
  int *copy;
  if (copy_links(links, n_links, &copy)) return -1;
  sim_free(ns->flows[flow].links);
  ns->flows[flow].links = copy;
  ns->flows[flow].n_links = n_links;
  return 0;
}

void net_share_remove(net_share *ns, int flow) {
  assert(flow >= 0 && (size_t)flow < ns->n_flows);
  ns_flow *f = &ns->flows[flow];
  f->active = false;
  f->rate_bps = 0;
  sim_free(f->links);
  f->links = NULL;
  f->n_links = 0;
}

void net_share_solve(net_share *ns) {
  for (size_t i = 0; i < ns->n_flows; i++) {
    ns_flow *f = &ns->flows[i];
    f->rate_bps = 0;
    f->frozen = !f->active || f->demand_bps <= 0;
    /* A flow crossing no link is limited by its demand only. */
    if (!f->frozen && f->n_links == 0) {
      f->rate_bps = f->demand_bps;
      f->frozen = true;
    }
  }
  for (size_t l = 0; l < ns->n_links; l++) ns->links[l].load_bps = 0;
  for (;;) {
    /* The largest common increment per unit of weight, delta: up to the
     * nearest demand, or until the first link fills. */
    double delta = INFINITY;
    bool any = false;
    for (size_t i = 0; i < ns->n_flows; i++) {
      ns_flow *f = &ns->flows[i];
      if (f->frozen) continue;
      any = true;
      delta = fmin(delta, (f->demand_bps - f->rate_bps) / f->weight);
    }
    if (!any) break;
    for (size_t l = 0; l < ns->n_links; l++) {
      double w = 0;
      for (size_t i = 0; i < ns->n_flows; i++) {
        if (ns->flows[i].frozen) continue;
        for (size_t k = 0; k < ns->flows[i].n_links; k++)
          if ((size_t)ns->flows[i].links[k] == l) w += ns->flows[i].weight;
      }
      if (w > 0)
        delta = fmin(delta, fmax(0, ns->links[l].capacity_bps - ns->links[l].load_bps) / w);
    }
    assert(isfinite(delta)); /* an unfrozen flow crosses a link of finite capacity */
    for (size_t i = 0; i < ns->n_flows; i++) {
      ns_flow *f = &ns->flows[i];
      if (f->frozen) continue;
      double inc = delta * f->weight;
      f->rate_bps += inc;
      for (size_t k = 0; k < f->n_links; k++) ns->links[f->links[k]].load_bps += inc;
    }
    /* Freeze flows that met their demand or cross a full link. */
    for (size_t i = 0; i < ns->n_flows; i++) {
      ns_flow *f = &ns->flows[i];
      if (f->frozen) continue;
      if (f->rate_bps >= f->demand_bps * (1 - 1e-12)) f->frozen = true;
      for (size_t k = 0; k < f->n_links; k++) {
        const ns_link *l = &ns->links[f->links[k]];
        if (l->load_bps >= l->capacity_bps * (1 - 1e-12)) f->frozen = true;
      }
    }
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
