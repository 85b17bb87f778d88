/* sim/scenario_instances.c: the `instance_types` section and a guest entry's
 * `instance_type` and `tenant` (scenarios/SCHEMA.md "instance_types").
 * An instance type is a size and a price, as an IaaS provider sells them
 * ([LECT] "EC2 Instance Types", "EC2 Per-Hour Pricing Model"): a guest that
 * names one takes its vCPUs, memory and local storage from it (writing them
 * again is allowed when they agree, so the resolved text loads back), and is
 * billed at its price (models/billing.c); a burstable type carries a CPU
 * credit account ([AWS-BURST]; models/credits.c), and a type with compute
 * units is capped to them on its host (models/engine_instances.c), so both
 * leave the guest's `cap` to the engine.
 * Units: bytes, USD, ns, credits.  The types are kept in name order. */
#include "sim/scenario_instances.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/alloc.h"

static const char *const billings[] = {"per-hour", "per-second"}; /* by sim_billing value */
static const char *const credit_modes[] = {"standard", "unlimited"};

/* Per-second billing's least billed time unless given: EC2's one minute
 * for Linux instances [AWS-BILL]. */
#define DEFAULT_MINIMUM_NS (60 * SIM_S)

/* burstable: {credits_per_hour, max_credits, initial_credits, mode, surplus_price} */
static void read_burstable(ctx *C, const sim_yaml_node *b, sim_instance_type *t) {
  if (!sim_schema_is_map(&C->S, b, "a credit account {credits_per_hour: 12, max_credits: 288}")) return;
  static const char *const keys[] = {"credits_per_hour", "max_credits", "initial_credits", "mode",
                                     "surplus_price"};
  SIM_SCHEMA_CHECK_KEYS(&C->S, b, keys);
  t->burstable = true;
  sim_schema_need(&C->S, b, "credits_per_hour");
  sim_schema_need(&C->S, b, "max_credits");
  sim_schema_real(&C->S, b, "credits_per_hour", &t->credits_per_hour, SIM_UNIT_NONE, 1e-9, 1e9);
  sim_schema_real(&C->S, b, "max_credits", &t->max_credits, SIM_UNIT_NONE, 1e-9, 1e12);
  sim_schema_real(&C->S, b, "initial_credits", &t->initial_credits, SIM_UNIT_NONE, 0, 1e12);
  size_t mode = 0;
  if (sim_schema_enum(&C->S, b, "mode", &(sim_schema_names){credit_modes, 2, "credit mode"}, &mode))
    t->unlimited = mode == 1;
  /* EC2's price of surplus credits of Linux t2/t3 instances, USD per vCPU-hour [AWS-BURST] */
  if (t->unlimited) t->surplus_price = 0.05;
  const sim_yaml_node *sp = sim_schema_opt(b, "surplus_price");
  if (sp && !t->unlimited)
    sim_schema_error(&C->S, sp, "'surplus_price' in %s has no effect in mode 'standard' (only "
                     "'unlimited' pays for surplus credits)", C->S.what);
  sim_schema_real(&C->S, b, "surplus_price", &t->surplus_price, SIM_UNIT_NONE, 0, 1e6);
  /* a baseline above 100 % of every vCPU cannot be spent */
  const sim_yaml_node *rate = sim_schema_opt(b, "credits_per_hour");
  if (t->credits_per_hour > 60.0 * t->vcpus)
    sim_schema_error(&C->S, rate, "'credits_per_hour' in %s is %g, more than its %u vCPU%s can spend "
                     "(60 credits per vCPU-hour: a baseline above 100 %%)",
                     C->S.what, t->credits_per_hour, t->vcpus, t->vcpus == 1 ? "" : "s");
  else if (t->max_credits > 0 && t->credits_per_hour > t->max_credits)
    sim_schema_error(&C->S, rate, "'credits_per_hour' in %s is %g, above its 'max_credits' %g: an "
                     "hour's credits would not fit the balance", C->S.what, t->credits_per_hour,
                     t->max_credits);
  if (t->initial_credits > t->max_credits && t->max_credits > 0)
    sim_schema_error(&C->S, sim_schema_opt(b, "initial_credits"),
                     "'initial_credits' in %s is %g, above its 'max_credits' %g", C->S.what,
                     t->initial_credits, t->max_credits);
}

static void read_type(ctx *C, const sim_yaml_node *m, sim_instance_type *t) {
  static const char *const keys[] = {"vcpus", "memory", "compute_units", "local_storage", "price_per_hour",
                                     "billing", "billing_minimum", "burstable", "source"};
  SIM_SCHEMA_CHECK_KEYS(&C->S, m, keys);
  t->vcpus = 1;
  sim_schema_need(&C->S, m, "vcpus");
  sim_schema_need(&C->S, m, "memory");
  sim_schema_need(&C->S, m, "price_per_hour");
  sim_schema_u32(&C->S, m, "vcpus", 1, 4096, &t->vcpus);
  sim_schema_size(&C->S, m, "memory", &t->memory_bytes, 1 << 20);
  sim_schema_size(&C->S, m, "local_storage", &t->local_storage_bytes, 0);
  sim_schema_real(&C->S, m, "compute_units", &t->compute_units, SIM_UNIT_NONE, 1e-9, 1e6);
  sim_schema_real(&C->S, m, "price_per_hour", &t->price_per_hour, SIM_UNIT_NONE, 0, 1e6);
  size_t b = 0;
  if (sim_schema_enum(&C->S, m, "billing", &(sim_schema_names){billings, 2, "billing granularity"}, &b))
    t->billing = (sim_billing)b;
  if (t->billing == SIM_BILL_PER_SECOND) t->minimum_ns = DEFAULT_MINIMUM_NS;
  const sim_yaml_node *min = sim_schema_opt(m, "billing_minimum");
  if (min && t->billing != SIM_BILL_PER_SECOND)
    sim_schema_error(&C->S, min, "'billing_minimum' in %s has no effect with billing 'per-hour'", C->S.what);
  sim_schema_time(&C->S, m, "billing_minimum", &t->minimum_ns, 0);
  sim_schema_str(&C->S, m, "source", &t->source);
  const sim_yaml_node *burst = sim_schema_opt(m, "burstable");
  if (burst) read_burstable(C, burst, t);
}

/* An error at type t's `compute_units` (entry m) when no host type can give
 * them: U compute units are U x SIM_COMPUTE_UNIT_HZ cycles a second, which
 * the type's vCPUs can run only on a host whose clock x vCPUs reaches that;
 * on a slower host the instance runs uncapped, below what it is sold as, and
 * on none would it ever get its units.  The host types are loaded before the
 * instance types. */
static void check_compute_units(ctx *C, const sim_yaml_node *m, const sim_instance_type *t) {
  const sim_scenario *s = C->s;
  if (t->compute_units <= 0 || s->n_host_types == 0) return;
  const sim_host_type *fastest = &s->host_types[0];
  for (size_t i = 1; i < s->n_host_types; i++)
    if (s->host_types[i].clock_hz > fastest->clock_hz) fastest = &s->host_types[i];
  double need_hz = t->compute_units * SIM_COMPUTE_UNIT_HZ, most_hz = t->vcpus * fastest->clock_hz;
  if (need_hz <= most_hz) return;
  char need[64], most[64];
  sim_format_quantity(SIM_UNIT_FREQ, need_hz, need, sizeof need);
  sim_format_quantity(SIM_UNIT_FREQ, most_hz, most, sizeof most);
  sim_schema_error(&C->S, sim_schema_opt(m, "compute_units"),
                   "'compute_units' in %s is %g, %s of cycles a second, more than any host type gives its "
                   "%u vCPU%s (at most %s, host type '%s'): no host can give them", C->S.what,
                   t->compute_units, need, t->vcpus, t->vcpus == 1 ? "" : "s", most, fastest->name);
}

static int by_name(const void *a, const void *b) {
  return strcmp(((const sim_instance_type *)a)->name, ((const sim_instance_type *)b)->name);
}

void scenario_load_instance_types(ctx *C, const sim_yaml_node *types) {
  sim_scenario *s = C->s;
  if (!types || !sim_schema_is_map(&C->S, types, "a mapping from instance type names to instance types"))
    return;
  s->instance_types = sim_calloc(types->n ? types->n : 1, sizeof *s->instance_types);
  if (!s->instance_types) {
    sim_schema_nomem(&C->S);
    return;
  }
  for (size_t i = 0; i < types->n && !C->S.oom; i++) {
    const sim_yaml_node *k = types->pairs[i].key, *v = types->pairs[i].value;
    sim_schema_set_what(&C->S, "instance type '%.200s'", k->text);
    if (!k->text[0]) {
      sim_schema_error(&C->S, k, "an instance type name must not be empty");
      continue;
    }
    if (!sim_schema_is_map(&C->S, v, "an instance type {vcpus, memory, price_per_hour}")) continue;
    sim_instance_type *t = &s->instance_types[s->n_instance_types++];
    if (!(t->name = sim_schema_strdup(&C->S, k->text))) return;
    read_type(C, v, t);
    check_compute_units(C, v, t);
  }
  /* the YAML parser refuses a key given twice, so names are unique */
  if (s->n_instance_types > 1) qsort(s->instance_types, s->n_instance_types, sizeof *s->instance_types, by_name);
}

/* The index of tenant `name` in s->tenants, added when new; -1 out of memory. */
static long tenant_index(ctx *C, const char *name) {
  sim_scenario *s = C->s;
  for (size_t i = 0; i < s->n_tenants; i++)
    if (!strcmp(s->tenants[i], name)) return (long)i;
  char **grown = sim_realloc(s->tenants, (s->n_tenants + 1) * sizeof *grown);
  if (!grown) {
    sim_schema_nomem(&C->S);
    return -1;
  }
  s->tenants = grown;
  if (!(s->tenants[s->n_tenants] = sim_schema_strdup(&C->S, name))) return -1;
  return (long)s->n_tenants++;
}

/* The instance type entry m names (its index), or -1 with an error. */
static long find_type(ctx *C, const sim_yaml_node *m) {
  const sim_scenario *s = C->s;
  if (!s->n_instance_types) {
    const sim_yaml_node *v = sim_schema_opt(m, "instance_type");
    sim_schema_error(&C->S, v, "%s names instance type '%s', but the scenario has no instance_types section",
                     C->S.what, v->kind == SIM_YAML_SCALAR ? v->text : "?");
    return -1;
  }
  const char **names = sim_malloc(s->n_instance_types * sizeof *names);
  if (!names) {
    sim_schema_nomem(&C->S);
    return -1;
  }
  for (size_t i = 0; i < s->n_instance_types; i++) names[i] = s->instance_types[i].name;
  size_t k = 0;
  bool found = sim_schema_enum(&C->S, m, "instance_type",
                               &(sim_schema_names){names, s->n_instance_types, "instance type"}, &k);
  sim_free(names);
  return found ? (long)k : -1;
}

/* A size as a type's table gives it: decimal GB when it is a whole number
 * of MB that binary units do not divide ("7.5 GB", "850 GB"), else in
 * binary units ("1 GiB"). */
static void format_size(uint64_t bytes, char *buf, size_t len) {
  if (bytes % 1000000 == 0 && bytes % (1 << 20) != 0)
    snprintf(buf, len, "%.15g GB", (double)bytes / 1e9);
  else
    sim_format_quantity(SIM_UNIT_SIZE, (double)bytes, buf, len);
}

/* An error when key `key` of entry m is given and its value differs from
 * the instance type's. */
static bool agrees(ctx *C, const sim_yaml_node *m, const char *key, bool same, const char *type,
                   const char *has) {
  const sim_yaml_node *v = sim_schema_opt(m, key);
  if (!v || same) return true;
  sim_schema_error(&C->S, v, "'%s' in %s disagrees with its instance type '%s', which has %s: leave "
                   "it out", key, C->S.what, type, has);
  return false;
}

bool scenario_guest_instance(ctx *C, const sim_yaml_node *m, sim_guest *g) {
  bool ok = true;
  const sim_yaml_node *tn = sim_schema_opt(m, "tenant");
  if (tn) {
    const char *name = sim_schema_scalar(&C->S, tn, "tenant", "a tenant name");
    if (name && !name[0]) sim_schema_error(&C->S, tn, "'tenant' in %s must not be empty", C->S.what);
    long ti = name && name[0] ? tenant_index(C, name) : -1;
    if (ti < 0) ok = false;
    else g->tenant = (uint32_t)ti + 1;
  }
  if (!sim_schema_opt(m, "instance_type")) return ok;
  long k = find_type(C, m);
  if (k < 0) return false;
  const sim_instance_type *t = &C->s->instance_types[k];
  char has[64];
  snprintf(has, sizeof has, "%u vCPUs", t->vcpus);
  ok &= agrees(C, m, "vcpus", g->vcpus == t->vcpus, t->name, has);
  format_size(t->memory_bytes, has, sizeof has);
  ok &= agrees(C, m, "memory", g->memory_bytes == t->memory_bytes, t->name, has);
  if (t->local_storage_bytes) {
    format_size(t->local_storage_bytes, has, sizeof has);
    ok &= agrees(C, m, "disk", g->disk_bytes == t->local_storage_bytes, t->name, has);
    g->disk_bytes = t->local_storage_bytes;
  }
  /* the engine caps a burstable instance by its credits and any instance by
   * its compute units: a cap of the entry's own would fight them */
  if (t->burstable || t->compute_units > 0)
    ok &= agrees(C, m, "cap", g->cap == 0, t->name,
                 t->burstable ? "a CPU cap that follows its credits" : "a CPU cap from its compute units");
  /* the accounting step that keeps the cap runs until the run's end */
  if ((t->burstable || t->compute_units > 0) && C->s->duration_ns == 0) {
    sim_schema_error(&C->S, sim_schema_opt(m, "instance_type"),
                     "%s is of instance type '%s', whose CPU cap the engine keeps (%s): set "
                     "simulation.duration", C->S.what, t->name, t->burstable ? "burstable" : "compute units");
    ok = false;
  }
  g->vcpus = t->vcpus;
  g->memory_bytes = t->memory_bytes;
  g->instance_type = (uint32_t)k + 1;
  return ok;
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

static void write_quantity(sim_yaml_writer *w, const char *key, sim_unit_kind kind, double v) {
  char buf[64];
  sim_format_quantity(kind, v, buf, sizeof buf);
  sim_yaml_write_kv(w, key, buf);
}

void scenario_write_instance_types(sim_yaml_writer *w, const sim_scenario *s) {
  if (!s->n_instance_types) return;
  sim_yaml_write_scalar(w, "instance_types");
  sim_yaml_write_map_start(w, false);
  for (size_t i = 0; i < s->n_instance_types; i++) {
    const sim_instance_type *t = &s->instance_types[i];
    sim_yaml_write_scalar(w, t->name);
    sim_yaml_write_map_start(w, false);
    write_exact(w, "vcpus", t->vcpus);
    write_quantity(w, "memory", SIM_UNIT_SIZE, (double)t->memory_bytes);
    if (t->local_storage_bytes) write_quantity(w, "local_storage", SIM_UNIT_SIZE, (double)t->local_storage_bytes);
    if (t->compute_units > 0) write_exact(w, "compute_units", t->compute_units);
    write_exact(w, "price_per_hour", t->price_per_hour);
    sim_yaml_write_kv(w, "billing", billings[t->billing]);
    if (t->billing == SIM_BILL_PER_SECOND) write_quantity(w, "billing_minimum", SIM_UNIT_TIME, (double)t->minimum_ns);
    if (t->burstable) {
      sim_yaml_write_scalar(w, "burstable");
      sim_yaml_write_map_start(w, true);
      write_exact(w, "credits_per_hour", t->credits_per_hour);
      write_exact(w, "max_credits", t->max_credits);
      write_exact(w, "initial_credits", t->initial_credits);
      sim_yaml_write_kv(w, "mode", credit_modes[t->unlimited]);
      if (t->unlimited) write_exact(w, "surplus_price", t->surplus_price);
      sim_yaml_write_map_end(w);
    }
    if (t->source) sim_yaml_write_kv(w, "source", t->source);
    sim_yaml_write_map_end(w);
  }
  sim_yaml_write_map_end(w);
}

void scenario_write_guest_instance(sim_yaml_writer *w, const sim_guest *g, const sim_scenario *s) {
  if (g->instance_type) sim_yaml_write_kv(w, "instance_type", s->instance_types[g->instance_type - 1].name);
  if (g->tenant) sim_yaml_write_kv(w, "tenant", s->tenants[g->tenant - 1]);
}

void scenario_free_instances(sim_scenario *s) {
  for (size_t i = 0; i < s->n_instance_types; i++) {
    sim_free(s->instance_types[i].name);
    sim_free(s->instance_types[i].source);
  }
  sim_free(s->instance_types);
  for (size_t i = 0; i < s->n_tenants; i++) sim_free(s->tenants[i]);
  sim_free(s->tenants);
}
