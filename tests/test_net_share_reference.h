/* tests/test_net_share_reference.h: the direct method of weighted max-min
 * fair sharing, the reference models/net_share.c must agree with bit for bit
 * (tests/test_net_share.c) and is measured against (tests/bench/net-share.c).
 * Same API and units (bit/s) as models/net_share.h, prefixed ref_net. */
#ifndef TESTS_TEST_NET_SHARE_REFERENCE_H
#define TESTS_TEST_NET_SHARE_REFERENCE_H
#include <stddef.h>

typedef struct ref_net ref_net;

ref_net *ref_net_new(void);
void ref_net_free(ref_net *ns);
int ref_net_link(ref_net *ns, double capacity_bps);
int ref_net_flow(ref_net *ns, double demand_bps, double weight, const int *links, size_t n_links);
void ref_net_set_demand(ref_net *ns, int flow, double demand_bps);
int ref_net_set_links(ref_net *ns, int flow, const int *links, size_t n_links);
void ref_net_remove(ref_net *ns, int flow);
void ref_net_solve(ref_net *ns);
double ref_net_rate(const ref_net *ns, int flow);
double ref_net_load(const ref_net *ns, int link);

#endif
