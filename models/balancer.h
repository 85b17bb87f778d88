/* models/balancer.h: load-balancing policies, catalog entries of kind
 * MODEL_BALANCER (models/registry.h), one file each:
 *   lb_round_robin.c        each request to the next ready instance in turn
 *   lb_least_outstanding.c  to the ready instance with the fewest requests in it [NGINX-LB]
 * A policy picks, for one arriving request, one of the service's instances
 * that is ready (in service, not draining).  It keeps a cursor (the next
 * instance in turn) owned by the caller.
 * Units: instances, requests. */
#ifndef MODELS_BALANCER_H
#define MODELS_BALANCER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a balancer sees of one instance. */
typedef struct lb_instance {
  bool ready;                 /* it takes requests */
  int64_t outstanding;        /* requests routed to it and not completed */
} lb_instance;

typedef struct balancer_ops {
  const char *name;
  /* The index (< n) of the instance that gets the request; -1 when none
   * is ready.  *cursor: the next in turn, updated. */
  long (*pick)(const lb_instance *inst, size_t n, size_t *cursor);
} balancer_ops;

extern const balancer_ops lb_round_robin_ops;
extern const balancer_ops lb_least_outstanding_ops;

#endif
