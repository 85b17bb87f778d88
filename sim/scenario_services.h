/* sim/scenario_services.h: elastic services as the loader reads them
 * (the `services` section; its keys are documented in scenarios/SCHEMA.md
 * "services").  A service is a pool of member guests (the guests whose
 * names match its `guests` glob, in name order) behind one load balancer:
 * one open-loop arrival process for the whole service (its members'
 * workload's `requests.arrivals`, drawn from the stream
 * "<streams>/arrivals"), dispatched request by request to a ready member;
 * an autoscaling policy sets how many members are in service, between min
 * and max.  A member not among the first `initial` waits, unstarted, until
 * a scale-out activates it; it then pays its provisioning from its image
 * (models/engine_provision.c) before it serves.  Policy and balancer names
 * are catalog words (models/registry.c), handed to the loader through the
 * vocabulary kinds below.
 * Units: ns, CPU share (0, 1], s for latency targets as the field says.
 * Invariants (the loader checks them): 1 <= min <= initial <= max <= the
 * members matched; the members share one request-driven open-loop workload
 * and each has an image (its entry's, or the service's: a VM image's boot
 * runs before requests, which a guest entry may not ask); steps do not
 * overlap.  A service may place its balancer in an availability zone
 * (`zone`, a zone some host is in) and price the traffic that crosses to a
 * member on a host of another zone (`inter_zone_per_gb`, only with a zone). */
#ifndef SIM_SCENARIO_SERVICES_H
#define SIM_SCENARIO_SERVICES_H
#include <stddef.h>
#include <stdint.h>

#include "sim/scenario.h"
#include "sim/time.h"
#include "sim/vocabulary.h"

/* Vocabulary kinds of the services section, after sim/vocabulary.h's own
 * (the catalog answers them in models/registry.c).  Autoscaling policies
 * are split by the keys they take, as power models are. */
#define SIM_VOCAB_BALANCER ((sim_vocab_kind)(SIM_VOCAB_KINDS + 0))        /* services.*.balancer */
#define SIM_VOCAB_AUTOSCALE_TARGET ((sim_vocab_kind)(SIM_VOCAB_KINDS + 1)) /* policies taking metric, target */
#define SIM_VOCAB_AUTOSCALE_STEPS ((sim_vocab_kind)(SIM_VOCAB_KINDS + 2))  /* and steps */
#define SIM_VOCAB_AUTOSCALE_SCHEDULE ((sim_vocab_kind)(SIM_VOCAB_KINDS + 3)) /* policies taking a schedule */
#define SIM_VOCAB_SERVICE_KINDS 4

/* What an autoscaling policy measures over each evaluation period. */
typedef enum sim_scale_metric {
  SIM_SCALE_CPU = 0,          /* mean CPU utilisation of the ready members past warm-up, share (0, 1] */
  SIM_SCALE_LATENCY_MEAN,     /* mean response time of the requests completed in the period, s */
  SIM_SCALE_LATENCY_P95       /* their 95th percentile (nearest rank), s */
} sim_scale_metric;

/* A step adjustment [AWS-ASG]: when lower <= metric - target < upper, the
 * capacity changes by `change` instances (negative: scale in). */
typedef struct sim_scale_step {
  double lower;               /* metric units; -HUGE_VAL: no lower bound */
  double upper;               /* metric units; HUGE_VAL: no upper bound */
  int32_t change;             /* instances, != 0 */
} sim_scale_step;

/* A scheduled action: from at_ns on, the desired capacity is `capacity`. */
typedef struct sim_scheduled_capacity {
  sim_time at_ns;             /* ns from the run's start; strictly increasing in the list */
  uint32_t capacity;          /* instances (clamped to min .. max) */
} sim_scheduled_capacity;

typedef struct sim_service {
  char *name;
  char *guests;               /* glob naming its members (fnmatch) */
  char *streams;              /* its arrivals' stream name; NULL: its own name */
  uint32_t min, max, initial; /* instances in service: bounds, and at the start */
  const char *balancer;       /* load-balancing policy, a vocabulary word (static, not owned) */
  const char *policy;         /* autoscaling policy, a vocabulary word (static); NULL: none (fixed at initial) */
  sim_scale_metric metric;    /* what target tracking and step scaling measure */
  double target;              /* CPU share (0, 1], or s for a latency metric */
  sim_time period_ns;         /* ns: evaluation period (and the timeline's interval) */
  sim_time scale_out_cooldown_ns; /* ns: after a scale-out, no other scale-out before it ends */
  sim_time scale_in_cooldown_ns;  /* ns: after any scaling action, no scale-in before it ends */
  sim_time warmup_ns;         /* ns: a member newly ready does not count in the CPU metric this long */
  size_t n_steps;
  sim_scale_step *steps;      /* step scaling: its adjustments */
  size_t n_schedule;
  sim_scheduled_capacity *schedule; /* scheduled: its actions */
  sim_time slo_ns;            /* ns: a response slower than this violates the service level objective */
  uint32_t image;             /* 1 + index into images: the image its members are provisioned from
                               * (the engine sets it on its copies of their specs); 0: their entries
                               * name theirs */
  char zone[SIM_ZONE_MAX];    /* availability zone of its load balancer; "": none (no transfer fees) */
  double inter_zone_per_gb;   /* USD per GB (1e9 bytes) of request and response bytes between the
                               * balancer and a member on a host of another zone, each way [AWS-EC2-DT] */
} sim_service;

/* The loader's part (sim/scenario_services.c), after guests are loaded. */
struct ctx;
struct sim_yaml_node;
struct sim_scenario;
/* Reads the `services` section (NULL: none) into s->services, checking its
 * members against the guests. */
void scenario_load_services(struct ctx *C, const struct sim_yaml_node *services);
/* `services: {...}` for the resolved text (nothing when there are none). */
struct sim_yaml_writer;
void scenario_write_services(struct sim_yaml_writer *w, const struct sim_scenario *s);
/* Frees the services of s (sim_scenario_free's part). */
void scenario_free_services(struct sim_scenario *s);

#endif
