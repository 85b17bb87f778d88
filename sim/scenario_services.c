/* sim/scenario_services.c: the `services` section (scenarios/SCHEMA.md
 * "services"; sim/scenario_services.h): elastic services of member guests
 * behind a load balancer, with an autoscaling policy.
 * A service's members are guests already loaded (the glob `guests`); the
 * section checks that they can be one: each has an image to be provisioned
 * from when a scale-out activates it (its entry's, or the service's
 * `image`, which the engine gives it), and all run one request-driven
 * open-loop workload, whose arrivals become the service's.  The policy's
 * keys are read by what it needs: target tracking a metric and a target,
 * step scaling also its steps, scheduled its actions ([AWS-ASG]).
 * Defaults follow Amazon EC2 Auto Scaling [AWS-ASG]: metrics every 60 s,
 * 300 s of instance warm-up and of cooldown before a scale-in.
 * A service may put its balancer in a zone some host is in (`zone`) and
 * price the bytes that cross zones (`inter_zone_per_gb`, USD per GB).
 * Units: ns, shares, s (a latency target is read as a time, kept in s).  Services are kept
 * in file order. */
#include "sim/scenario_services.h"

#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/alloc.h"
#include "sim/image.h"
#include "sim/scenario_images.h"
#include "sim/scenario_internal.h"

static const char *const metric_words[] = {"cpu", "latency-mean", "latency-p95"}; /* by sim_scale_metric */
static const sim_schema_names metric_list = {metric_words, 3, "scaling metric"};

#define DEFAULT_PERIOD_NS (60 * SIM_S)         /* [AWS-ASG]: one-minute metrics */
#define DEFAULT_WARMUP_NS (300 * SIM_S)        /* [AWS-ASG]: default instance warm-up */
#define DEFAULT_SCALE_IN_COOLDOWN_NS (300 * SIM_S) /* [AWS-ASG]: default cooldown */

/* The vocabulary's words of kind k, into names (at most SIM_VOCAB_MAX_WORDS); their count. */
static size_t vocab_words(ctx *C, sim_vocab_kind k, const char **names) {
  size_t n = 0;
  sim_vocab_word w;
  while (n < SIM_VOCAB_MAX_WORDS && C->src->vocab->word(k, n, &w)) names[n++] = w.name;
  return n;
}

/* The word `key` of map names among kind k's; absent: the first word, or
 * NULL when there is none; NULL with an error when it names none. */
static const char *word(ctx *C, const sim_yaml_node *map, const char *key, sim_vocab_kind k, const char *what) {
  const char *names[SIM_VOCAB_MAX_WORDS];
  size_t n = vocab_words(C, k, names), i = 0;
  if (!sim_schema_opt(map, key)) return n ? names[0] : NULL;
  return sim_schema_enum(&C->S, map, key, &(sim_schema_names){names, n, what}, &i) ? names[i] : NULL;
}

/* The target: a share for CPU ("60 %", 0.6), a time for a latency ("100 ms"), kept in s. */
static void load_target(ctx *C, const sim_yaml_node *as, sim_service *sv) {
  if (sv->metric == SIM_SCALE_CPU) {
    sim_schema_real(&C->S, as, "target", &sv->target, SIM_UNIT_PERCENT, 1e-9, 1);
    return;
  }
  sim_time ns = 0;
  sim_schema_time(&C->S, as, "target", &ns, 1);
  sv->target = (double)ns * 1e-9;
}

/* The plain number, of either sign, of `key` in map, when present. */
static void signed_number(ctx *C, const sim_yaml_node *map, const char *key, double *out) {
  const sim_yaml_node *v = sim_schema_opt(map, key);
  const char *text = v ? sim_schema_scalar(&C->S, v, key, "a number such as \"-0.2\"") : NULL;
  if (!text) return;
  char *end = NULL;
  double x = strtod(text, &end);
  if (end == text || *end || !isfinite(x)) {
    sim_schema_error(&C->S, v, "'%s' in %s: expected a number such as \"-0.2\" (in the metric's unit: a share, or "
                     "s), found \"%s\"", key, C->S.what, text);
    return;
  }
  *out = x;
}

/* steps: [{lower, upper, change}], bounds relative to the target. */
static void load_steps(ctx *C, const sim_yaml_node *steps, sim_service *sv) {
  if (!sim_schema_is_seq(&C->S, steps, "a list of steps [{lower: 0, upper: 0.2, change: 1}]")) return;
  if (!(sv->steps = sim_calloc(steps->n ? steps->n : 1, sizeof *sv->steps))) {
    sim_schema_nomem(&C->S);
    return;
  }
  for (size_t i = 0; i < steps->n; i++) {
    const sim_yaml_node *m = steps->items[i];
    if (!sim_schema_is_map(&C->S, m, "a step {lower, upper, change}")) continue;
    static const char *const keys[] = {"lower", "upper", "change"};
    SIM_SCHEMA_CHECK_KEYS(&C->S, m, keys);
    sim_scale_step *st = &sv->steps[sv->n_steps++];
    st->lower = -HUGE_VAL;
    st->upper = HUGE_VAL;
    /* plain numbers in the metric's unit (a share, or s): a scale-in step's bounds are negative */
    signed_number(C, m, "lower", &st->lower);
    signed_number(C, m, "upper", &st->upper);
    const sim_yaml_node *ch = sim_schema_need(&C->S, m, "change");
    double change = 0;
    signed_number(C, m, "change", &change);
    if (ch && (change == 0 || change != floor(change) || fabs(change) > 1e6))
      sim_schema_error(&C->S, ch, "'change' in %s must be a whole number of instances, not 0", C->S.what);
    st->change = (int32_t)change;
    if (!(st->lower < st->upper))
      sim_schema_error(&C->S, m, "step %zu of %s: 'lower' must be below 'upper'", i + 1, C->S.what);
    for (size_t k = 0; k + 1 < sv->n_steps; k++)
      if (st->lower < sv->steps[k].upper && sv->steps[k].lower < st->upper) {
        sim_schema_error(&C->S, m, "step %zu of %s overlaps step %zu", i + 1, C->S.what, k + 1);
        break;
      }
  }
}

/* schedule: [{at, capacity}], at strictly increasing. */
static void load_schedule(ctx *C, const sim_yaml_node *sched, sim_service *sv) {
  if (!sim_schema_is_seq(&C->S, sched, "a list of actions [{at: 60 s, capacity: 4}]")) return;
  if (!(sv->schedule = sim_calloc(sched->n ? sched->n : 1, sizeof *sv->schedule))) {
    sim_schema_nomem(&C->S);
    return;
  }
  for (size_t i = 0; i < sched->n; i++) {
    const sim_yaml_node *m = sched->items[i];
    if (!sim_schema_is_map(&C->S, m, "an action {at, capacity}")) continue;
    static const char *const keys[] = {"at", "capacity"};
    SIM_SCHEMA_CHECK_KEYS(&C->S, m, keys);
    sim_scheduled_capacity *a = &sv->schedule[sv->n_schedule++];
    sim_schema_need(&C->S, m, "at");
    sim_schema_need(&C->S, m, "capacity");
    sim_schema_time(&C->S, m, "at", &a->at_ns, 0);
    sim_schema_u32(&C->S, m, "capacity", 0, 1000000, &a->capacity);
    if (sv->n_schedule > 1 && a->at_ns <= sv->schedule[sv->n_schedule - 2].at_ns)
      sim_schema_error(&C->S, sim_schema_opt(m, "at"), "action %zu of %s: 'at' must come after the previous action's",
                       i + 1, C->S.what);
  }
}

static void load_autoscaling(ctx *C, const sim_yaml_node *as, sim_service *sv) {
  if (!sim_schema_is_map(&C->S, as, "an autoscaling policy {policy: target-tracking, metric: cpu, target: 60 %}"))
    return;
  static const char *const keys[] = {"policy", "metric", "target", "period", "warmup", "scale_out_cooldown",
                                     "scale_in_cooldown", "steps", "schedule"};
  SIM_SCHEMA_CHECK_KEYS(&C->S, as, keys);
  sim_schema_need(&C->S, as, "policy");
  /* the policies of every kind in one list, each with its kind */
  const char *names[3 * SIM_VOCAB_MAX_WORDS];
  sim_vocab_kind kind_of[3 * SIM_VOCAB_MAX_WORDS];
  size_t n = 0, pi = 0;
  for (sim_vocab_kind k = SIM_VOCAB_AUTOSCALE_TARGET; k <= SIM_VOCAB_AUTOSCALE_SCHEDULE; k++) {
    size_t got = vocab_words(C, k, names + n);
    for (size_t i = 0; i < got; i++) kind_of[n + i] = k;
    n += got;
  }
  sim_vocab_kind kind = SIM_VOCAB_AUTOSCALE_TARGET;
  if (sim_schema_enum(&C->S, as, "policy", &(sim_schema_names){names, n, "autoscaling policy"}, &pi)) {
    sv->policy = names[pi];
    kind = kind_of[pi];
  }
  size_t m = 0;
  if (sim_schema_opt(as, "metric") && sim_schema_enum(&C->S, as, "metric", &metric_list, &m))
    sv->metric = (sim_scale_metric)m;
  sim_schema_time(&C->S, as, "period", &sv->period_ns, 1 * SIM_MS);
  sim_schema_time(&C->S, as, "warmup", &sv->warmup_ns, 0);
  sim_schema_time(&C->S, as, "scale_out_cooldown", &sv->scale_out_cooldown_ns, 0);
  sim_schema_time(&C->S, as, "scale_in_cooldown", &sv->scale_in_cooldown_ns, 0);
  const sim_yaml_node *steps = sim_schema_opt(as, "steps"), *sched = sim_schema_opt(as, "schedule");
  bool scheduled = sv->policy && kind == SIM_VOCAB_AUTOSCALE_SCHEDULE;
  if (scheduled) {
    if (sim_schema_need(&C->S, as, "schedule")) load_schedule(C, sched, sv);
  } else if (sv->policy) {
    sim_schema_need(&C->S, as, "target");
    load_target(C, as, sv);
    bool stepped = kind == SIM_VOCAB_AUTOSCALE_STEPS;
    if (stepped && sim_schema_need(&C->S, as, "steps")) load_steps(C, steps, sv);
    if (!stepped && steps)
      sim_schema_error(&C->S, steps, "'steps' in %s has no effect with policy '%s'", C->S.what, sv->policy);
  }
  if (!scheduled && sched)
    sim_schema_error(&C->S, sched, "'schedule' in %s has no effect with policy '%s'", C->S.what,
                     sv->policy ? sv->policy : "?");
}

/* Its members: every guest the glob matches, checked; their count. */
static size_t check_members(ctx *C, const sim_yaml_node *gn, const sim_service *sv, bool *taken) {
  const sim_scenario *s = C->s;
  size_t n = 0;
  long wl = -1;
  for (size_t gi = 0; gi < s->n_guests; gi++) {
    const sim_guest *g = &s->guests[gi];
    if (fnmatch(sv->guests, g->name, 0)) continue;
    n++;
    const sim_workload *w = &s->workloads[g->workload];
    if (taken[gi]) {
      sim_schema_error(&C->S, gn, "guest '%s' of %s is a member of an earlier service too", g->name, C->S.what);
      return 0;
    }
    taken[gi] = true;
    if (g->churn) {
      sim_schema_error(&C->S, gn, "guest '%s' of %s has an 'arrival' or a 'lifetime': its service starts and "
                       "stops it", g->name, C->S.what);
      return 0;
    }
    if (sv->image && g->image) {
      sim_schema_error(&C->S, gn, "guest '%s' of %s has an image of its own, and the service names one: "
                       "give one or the other", g->name, C->S.what);
      return 0;
    }
    if (sv->image) { /* the engine gives it the service's image (models/engine_elastic.c) */
      const sim_image *im = &s->images[sv->image - 1];
      if (g->kind == SIM_GUEST_NATIVE || (g->kind == SIM_GUEST_CONTAINER) != (im->kind == SIM_IMAGE_CONTAINER)) {
        sim_schema_error(&C->S, gn, "guest '%s' of %s is a %s guest, but the service's image '%s' is not for one",
                         g->name, C->S.what, g->kind == SIM_GUEST_VM ? "VM" : g->kind == SIM_GUEST_CONTAINER ? "container" : "native",
                         im->name);
        return 0;
      }
    }
    if (!g->image && !sv->image) {
      sim_schema_error(&C->S, gn, "guest '%s' of %s has no image: a member is provisioned from one when a "
                       "scale-out starts it", g->name, C->S.what);
      return 0;
    }
    if (!w->requests || w->requests->process == SIM_ARRIVALS_CLOSED) {
      sim_schema_error(&C->S, gn, "guest '%s' of %s runs workload '%s', which has no open-loop requests "
                       "(requests.arrivals with a process): the service's arrivals are its members' workload's",
                       g->name, C->S.what, w->name);
      return 0;
    }
    if (w->requests->count > 0) {
      sim_schema_error(&C->S, gn, "guest '%s' of %s runs workload '%s', whose requests have a count: a service "
                       "takes requests until the run's end, leave requests.count out", g->name, C->S.what, w->name);
      return 0;
    }
    if (wl >= 0 && (size_t)wl != g->workload) {
      sim_schema_error(&C->S, gn, "the members of %s run different workloads ('%s' and '%s'): they must share one",
                       C->S.what, s->workloads[wl].name, w->name);
      return 0;
    }
    wl = (long)g->workload;
  }
  if (!n) sim_schema_error(&C->S, gn, "'guests' of %s matches no guest", C->S.what);
  return n;
}

/* The balancer's `zone` (a zone some host is in) and the price of crossing it. */
static void load_zone(ctx *C, const sim_yaml_node *m, sim_service *sv) {
  const sim_yaml_node *zn = sim_schema_opt(m, "zone"), *pn = sim_schema_opt(m, "inter_zone_per_gb");
  sim_schema_real(&C->S, m, "inter_zone_per_gb", &sv->inter_zone_per_gb, SIM_UNIT_NONE, 0, 1e6);
  if (!zn) {
    if (pn)
      sim_schema_error(&C->S, pn, "'inter_zone_per_gb' of %s has no effect without its balancer's 'zone'",
                       C->S.what);
    return;
  }
  const char *zone = sim_schema_scalar(&C->S, zn, "zone", "an availability zone name");
  if (!zone) return;
  if (!zone[0]) {
    sim_schema_error(&C->S, zn, "'zone' of %s must not be empty", C->S.what);
    return;
  }
  bool known = false;
  for (size_t h = 0; h < C->s->n_hosts && !known; h++) known = !strcmp(C->s->hosts[h].zone, zone);
  if (!known) {
    sim_schema_error(&C->S, zn, "'zone' of %s is '%.100s', but no host is in that zone (a host entry's 'zone')",
                     C->S.what, zone);
    return;
  }
  snprintf(sv->zone, sizeof sv->zone, "%s", zone); /* a host's zone: it fits */
}

static void load_service(ctx *C, const sim_yaml_node *m, sim_service *sv, bool *taken) {
  static const char *const keys[] = {"guests", "streams", "min", "max", "initial", "balancer", "autoscaling",
                                     "slo", "image", "zone", "inter_zone_per_gb"};
  SIM_SCHEMA_CHECK_KEYS(&C->S, m, keys);
  const sim_yaml_node *gn = sim_schema_need(&C->S, m, "guests");
  sim_schema_need(&C->S, m, "slo");
  sim_schema_str(&C->S, m, "guests", &sv->guests);
  sim_schema_str(&C->S, m, "streams", &sv->streams);
  sim_schema_time(&C->S, m, "slo", &sv->slo_ns, 1);
  size_t image = 0;
  if (sim_schema_opt(m, "image")) {
    if (!scenario_image_by_name(C, m, &image)) return;
    sv->image = (uint32_t)image + 1;
  }
  sv->balancer = word(C, m, "balancer", SIM_VOCAB_BALANCER, "load balancer");
  sv->period_ns = DEFAULT_PERIOD_NS;
  sv->warmup_ns = DEFAULT_WARMUP_NS;
  sv->scale_in_cooldown_ns = DEFAULT_SCALE_IN_COOLDOWN_NS;
  const sim_yaml_node *as = sim_schema_opt(m, "autoscaling");
  if (as) load_autoscaling(C, as, sv);
  size_t n = gn && sv->guests ? check_members(C, gn, sv, taken) : 0;
  if (!n) return;
  sv->min = 1;
  sv->max = n > 1000000 ? 1000000 : (uint32_t)n;
  sim_schema_u32(&C->S, m, "min", 1, 1000000, &sv->min);
  sim_schema_u32(&C->S, m, "max", 1, 1000000, &sv->max);
  sv->initial = sv->min;
  sim_schema_u32(&C->S, m, "initial", 1, 1000000, &sv->initial);
  if (sv->max > n)
    sim_schema_error(&C->S, sim_schema_opt(m, "max"), "'max' of %s is %u, but 'guests' matches %zu guest%s",
                     C->S.what, sv->max, n, n == 1 ? "" : "s");
  else if (sv->min > sv->max)
    sim_schema_error(&C->S, sim_schema_opt(m, "min"), "'min' of %s is %u, above its 'max' %u", C->S.what, sv->min,
                     sv->max);
  else if (sv->initial < sv->min || sv->initial > sv->max)
    sim_schema_error(&C->S, sim_schema_opt(m, "initial"), "'initial' of %s is %u, outside 'min' .. 'max' (%u .. %u)",
                     C->S.what, sv->initial, sv->min, sv->max);
  load_zone(C, m, sv);
  if (C->s->duration_ns == 0)
    sim_schema_error(&C->S, m, "%s takes requests until the run's end: set simulation.duration", C->S.what);
}

void scenario_load_services(ctx *C, const sim_yaml_node *services) {
  sim_scenario *s = C->s;
  if (!services || !sim_schema_is_map(&C->S, services, "a mapping from service names to services")) return;
  bool *taken = sim_calloc(s->n_guests ? s->n_guests : 1, sizeof *taken);
  s->services = sim_calloc(services->n ? services->n : 1, sizeof *s->services);
  if (!taken || !s->services) {
    sim_free(taken);
    sim_schema_nomem(&C->S);
    return;
  }
  for (size_t i = 0; i < services->n && !C->S.oom; i++) {
    const sim_yaml_node *k = services->pairs[i].key, *v = services->pairs[i].value;
    sim_schema_set_what(&C->S, "service '%.200s'", k->text);
    if (!sim_schema_is_map(&C->S, v, "a service {guests, slo, autoscaling}")) continue;
    sim_service *sv = &s->services[s->n_services++];
    if (!(sv->name = sim_schema_strdup(&C->S, k->text))) break;
    load_service(C, v, sv, taken);
  }
  sim_free(taken);
}

/* A number in the fewest digits that read back to it exactly. */
static void write_exact(sim_yaml_writer *w, const char *key, double v) {
  char buf[40];
  for (int digits = 15; digits <= 17; digits++) {
    snprintf(buf, sizeof buf, "%.*g", digits, v);
    if (strtod(buf, NULL) == v) break;
  }
  sim_yaml_write_kv(w, key, buf);
}

static void write_time(sim_yaml_writer *w, const char *key, sim_time ns) {
  char buf[64];
  sim_format_quantity(SIM_UNIT_TIME, (double)ns, buf, sizeof buf);
  sim_yaml_write_kv(w, key, buf);
}

static void write_autoscaling(sim_yaml_writer *w, const sim_service *sv) {
  sim_yaml_write_scalar(w, "autoscaling");
  sim_yaml_write_map_start(w, false);
  sim_yaml_write_kv(w, "policy", sv->policy);
  sim_yaml_write_kv(w, "metric", metric_words[sv->metric]);
  if (sv->n_schedule) {
    sim_yaml_write_scalar(w, "schedule");
    sim_yaml_write_seq_start(w, false);
    for (size_t k = 0; k < sv->n_schedule; k++) {
      sim_yaml_write_map_start(w, true);
      write_time(w, "at", sv->schedule[k].at_ns);
      write_exact(w, "capacity", sv->schedule[k].capacity);
      sim_yaml_write_map_end(w);
    }
    sim_yaml_write_seq_end(w);
  } else if (sv->metric == SIM_SCALE_CPU) {
    write_exact(w, "target", sv->target);
  } else {
    write_time(w, "target", (sim_time)llround(sv->target * 1e9));
  }
  if (sv->n_steps) {
    sim_yaml_write_scalar(w, "steps");
    sim_yaml_write_seq_start(w, false);
    for (size_t k = 0; k < sv->n_steps; k++) {
      sim_yaml_write_map_start(w, true);
      if (isfinite(sv->steps[k].lower)) write_exact(w, "lower", sv->steps[k].lower);
      if (isfinite(sv->steps[k].upper)) write_exact(w, "upper", sv->steps[k].upper);
      write_exact(w, "change", sv->steps[k].change);
      sim_yaml_write_map_end(w);
    }
    sim_yaml_write_seq_end(w);
  }
  write_time(w, "period", sv->period_ns);
  write_time(w, "warmup", sv->warmup_ns);
  write_time(w, "scale_out_cooldown", sv->scale_out_cooldown_ns);
  write_time(w, "scale_in_cooldown", sv->scale_in_cooldown_ns);
  sim_yaml_write_map_end(w);
}

void scenario_write_services(sim_yaml_writer *w, const sim_scenario *s) {
  if (!s->n_services) return;
  sim_yaml_write_scalar(w, "services");
  sim_yaml_write_map_start(w, false);
  for (size_t i = 0; i < s->n_services; i++) {
    const sim_service *sv = &s->services[i];
    sim_yaml_write_scalar(w, sv->name);
    sim_yaml_write_map_start(w, false);
    sim_yaml_write_kv(w, "guests", sv->guests);
    if (sv->streams) sim_yaml_write_kv(w, "streams", sv->streams);
    write_exact(w, "min", sv->min);
    write_exact(w, "max", sv->max);
    write_exact(w, "initial", sv->initial);
    sim_yaml_write_kv(w, "balancer", sv->balancer);
    write_time(w, "slo", sv->slo_ns);
    if (sv->image) sim_yaml_write_kv(w, "image", s->images[sv->image - 1].name);
    if (sv->zone[0]) {
      sim_yaml_write_kv(w, "zone", sv->zone);
      write_exact(w, "inter_zone_per_gb", sv->inter_zone_per_gb);
    }
    if (sv->policy) write_autoscaling(w, sv);
    sim_yaml_write_map_end(w);
  }
  sim_yaml_write_map_end(w);
}

void scenario_free_services(sim_scenario *s) {
  for (size_t i = 0; i < s->n_services; i++) {
    sim_free(s->services[i].name);
    sim_free(s->services[i].guests);
    sim_free(s->services[i].streams);
    sim_free(s->services[i].steps);
    sim_free(s->services[i].schedule);
  }
  sim_free(s->services);
}
