/* tests/test_net_share_reference.c: weighted max-min fair sharing by
 * progressive filling done the direct way (Bertsekas & Gallager, "Data
 * Networks", 6.5.2): each round scans every flow for the nearest demand and
 * every link against every flow for its weight and remaining capacity, raises
 * every unfrozen flow by the smallest increment, and freezes the flows that
 * met their demand or cross a full link.  O(F L K) per round: too slow for a
 * data center, plain enough to check models/net_share.c against.
 * Units: bit/s.  Invariants: as models/net_share.h. */
#include "test_net_share_reference.h"

#include <assert.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

typedef struct ref_flow {
  double demand_bps; /* wanted rate; INFINITY: unbounded */
  double weight;     /* share weight, > 0 */
  int *links;        /* links crossed */
  size_t n_links;
  double rate_bps;   /* allocation at the last solve */
  bool active;       /* false once removed */
  bool frozen;       /* solve scratch: rate fixed */
} ref_flow;

typedef struct ref_link {
  double capacity_bps; /* line rate */
  double load_bps;     /* sum of the flows' rates at the last solve */
} ref_link;

struct ref_net {
  ref_link *links;
  size_t n_links;
  ref_flow *flows;
  size_t n_flows;
};

ref_net *ref_net_new(void) { return calloc(1, sizeof(ref_net)); }

void ref_net_free(ref_net *ns) {
  if (!ns) return;
  for (size_t i = 0; i < ns->n_flows; i++) free(ns->flows[i].links);
  free(ns->flows);
  free(ns->links);
  free(ns);
}

int ref_net_link(ref_net *ns, double capacity_bps) {
  ref_link *grown = realloc(ns->links, (ns->n_links + 1) * sizeof *grown);
  if (!grown) return -1;
  ns->links = grown;
  ns->links[ns->n_links] = (ref_link){capacity_bps, 0};
  return (int)ns->n_links++;
}

static int copy_links(const int *links, size_t n, int **out) {
  *out = NULL;
  if (n == 0) return 0;
  if (!(*out = malloc(n * sizeof **out))) return -1;
  memcpy(*out, links, n * sizeof **out);
  return 0;
}

int ref_net_flow(ref_net *ns, double demand_bps, double weight, const int *links, size_t n_links) {
  ref_flow *grown = realloc(ns->flows, (ns->n_flows + 1) * sizeof *grown);
  if (!grown) return -1;
  ns->flows = grown;
  ref_flow *f = &ns->flows[ns->n_flows];
  if (copy_links(links, n_links, &f->links)) return -1;
  *f = (ref_flow){demand_bps, weight, f->links, n_links, 0, true, false};
  return (int)ns->n_flows++;
}

void ref_net_set_demand(ref_net *ns, int flow, double demand_bps) {
  ns->flows[flow].demand_bps = demand_bps;
}

int ref_net_set_links(ref_net *ns, int flow, const int *links, size_t n_links) {
  int *copy;
  if (copy_links(links, n_links, &copy)) return -1;
  free(ns->flows[flow].links);
  ns->flows[flow].links = copy;
  ns->flows[flow].n_links = n_links;
  return 0;
}

void ref_net_remove(ref_net *ns, int flow) {
  ref_flow *f = &ns->flows[flow];
  f->active = false;
  f->rate_bps = 0;
  free(f->links);
  f->links = NULL;
  f->n_links = 0;
}

void ref_net_solve(ref_net *ns) {
  for (size_t i = 0; i < ns->n_flows; i++) {
    ref_flow *f = &ns->flows[i];
    f->rate_bps = 0;
    f->frozen = !f->active || f->demand_bps <= 0;
    if (!f->frozen && f->n_links == 0) { /* limited by its demand only */
      f->rate_bps = f->demand_bps;
      f->frozen = true;
    }
  }
  for (size_t l = 0; l < ns->n_links; l++) ns->links[l].load_bps = 0;
  for (;;) {
    double delta = INFINITY;
    bool any = false;
    for (size_t i = 0; i < ns->n_flows; i++) {
      ref_flow *f = &ns->flows[i];
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
    assert(isfinite(delta));
    for (size_t i = 0; i < ns->n_flows; i++) {
      ref_flow *f = &ns->flows[i];
      if (f->frozen) continue;
      double inc = delta * f->weight;
      f->rate_bps += inc;
      for (size_t k = 0; k < f->n_links; k++) ns->links[f->links[k]].load_bps += inc;
    }
    for (size_t i = 0; i < ns->n_flows; i++) {
      ref_flow *f = &ns->flows[i];
      if (f->frozen) continue;
      if (f->rate_bps >= f->demand_bps * (1 - 1e-12)) f->frozen = true;
      for (size_t k = 0; k < f->n_links; k++) {
        const ref_link *l = &ns->links[f->links[k]];
        if (l->load_bps >= l->capacity_bps * (1 - 1e-12)) f->frozen = true;
      }
    }
  }
}

double ref_net_rate(const ref_net *ns, int flow) { return ns->flows[flow].rate_bps; }

double ref_net_load(const ref_net *ns, int link) { return ns->links[link].load_bps; }
