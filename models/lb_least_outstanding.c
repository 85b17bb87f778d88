/* models/lb_least_outstanding.c: least outstanding requests, NGINX's
 * least_conn [NGINX-LB] (an ALB's "least outstanding requests"): a request
 * goes to the ready instance with the fewest requests routed to it and not
 * yet completed; among instances tied at the least, NGINX tries them in
 * turn (round robin), so the tie goes to the first at or after the cursor
 * in member order, and the cursor moves past it.  Units: instances,
 * requests.  Invariant: the pick has the least outstanding count of the
 * ready instances. */
#include "models/balancer.h"

static long lor_pick(const lb_instance *inst, size_t n, size_t *cursor) {
  long best = -1;
  for (size_t k = 0; k < n; k++) {
    size_t i = (*cursor + k) % n;
    if (inst[i].ready && (best < 0 || inst[i].outstanding < inst[best].outstanding)) best = (long)i;
  }
  if (best >= 0) *cursor = ((size_t)best + 1) % n;
  return best;
}

const balancer_ops lb_least_outstanding_ops = {"least-outstanding", lor_pick};
