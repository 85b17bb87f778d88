/* models/lb_round_robin.c: round-robin load balancing, the default of
 * NGINX's upstream module [NGINX-LB] and of HAProxy ("roundrobin"): each
 * request goes to the next ready instance after the previous one's, in the
 * service's member order, skipping those not ready (provisioning,
 * draining, stopped).  Units: instances.  Invariant: with k ready
 * instances, k consecutive requests reach k different instances. */
#include "models/balancer.h"

static long rr_pick(const lb_instance *inst, size_t n, size_t *cursor) {
  for (size_t k = 0; k < n; k++) {
    size_t i = (*cursor + k) % n;
    if (!inst[i].ready) continue;
    *cursor = (i + 1) % n;
    return (long)i;
  }
  return -1;
}

const balancer_ops lb_round_robin_ops = {"round-robin", rr_pick};
