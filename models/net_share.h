/* models/net_share.h: bandwidth sharing between flows on network links.
 *
 * What it models: a set of links (one direction of a host's NIC, or a switch
 * link) of fixed capacity, and flows (a migration stream, a guest's own
 * traffic) that each cross some links and want some rate.  Rates are the
 * weighted max-min fair allocation (progressive filling): every flow gets
 * min(its demand, its weighted share of its most loaded link), and capacity
 * a flow leaves unused goes to the others.  A rate-limited migration stream
 * thus takes its limit from a guest's traffic when the link is full: [CL05]
 * sec. 6.2, a web server's 870 Mbit/s fell to 765 Mbit/s while a migration
 * took 100 Mbit/s of the same NIC.
 *
 * Units: bit/s.  Invariants: after net_share_solve, no link carries more than
 * its capacity (up to rounding), no flow gets more than its demand, and every
 * flow below its demand crosses a saturated link on which no flow of larger
 * rate/weight exists (max-min optimality).
 * Complexity: a filling round costs O(K) per flow still unfrozen (flows of K
 * links each), nothing per removed flow or per link no unfrozen flow crosses;
 * a solve is at most F rounds for F flows, O(F^2 K), and far fewer when many
 * flows share a bottleneck or a demand. */
#ifndef MODELS_NET_SHARE_H
#define MODELS_NET_SHARE_H
#include <stddef.h>

typedef struct net_share net_share;

/* NULL when out of memory. */
net_share *net_share_new(void);
void net_share_free(net_share *ns);

/* Adds a link of capacity_bps (> 0); its id (>= 0) or -1 when out of memory. */
int net_share_link(net_share *ns, double capacity_bps);
/* Adds a flow of demand_bps (>= 0, INFINITY: as much as it can get) and
 * weight (> 0) over n_links links; its id (>= 0) or -1 when out of memory. */
int net_share_flow(net_share *ns, double demand_bps, double weight, const int *links,
                   size_t n_links);
void net_share_set_demand(net_share *ns, int flow, double demand_bps);
/* Moves a flow onto other links (a guest resumed on another host). -1 when
 * out of memory, the flow unchanged. */
int net_share_set_links(net_share *ns, int flow, const int *links, size_t n_links);
/* Removes a flow; its id is not reused. */
void net_share_remove(net_share *ns, int flow);

/* Computes every flow's rate. */
void net_share_solve(net_share *ns);
/* Rate of a flow at the last solve, bit/s. */
double net_share_rate(const net_share *ns, int flow);
/* Load of a link at the last solve, bit/s. */
double net_share_load(const net_share *ns, int link);

#endif
