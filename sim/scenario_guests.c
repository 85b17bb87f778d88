/* sim/scenario_guests.c: the `guests` section (scenarios/SCHEMA.md "guests"):
 * template entries expanded into `count` guests, each on a host named by a
 * pattern or spread round-robin over hosts matching a glob (the round-robin
 * of a glob goes on from entry to entry); technique and
 * I/O path names from the vocabulary (sim/vocabulary.h), whose technique
 * words give the guest's kind and default I/O path; pinning; a trace-driven
 * guest's rated speed; over-commitment per host; arrivals and departures
 * (`arrival`, `lifetime`: the entry's sim_guest_churn, whose times the
 * engine draws); an IaaS instance type and tenant (sim/scenario_instances.c). */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/alloc.h"
#include "sim/scenario_instances.h"
#include "sim/scenario_images.h"
#include "sim/scenario_internal.h"

static const char *const kinds[] = {"vm", "container", "native"}; /* by sim_guest_kind value */
static const sim_schema_names kind_list = {kinds, 3, "guest kind"};

/* One guest entry while it is read: what every instance shares. */
typedef struct guest_entry {
  const sim_yaml_node *m, *nn;   /* the entry, its name */
  const char *pattern;           /* name pattern; NULL: missing or wrong */
  uint64_t count;
  sim_guest g;                   /* the settings every instance copies */
  const char *technique, *io;    /* names from the vocabulary */
  const sim_yaml_node *pin;      /* pinning, for messages */
  int32_t *pinning;              /* g.vcpus entries, or NULL */
  const sim_yaml_node *hv;       /* host: a pattern or {spread: GLOB} */
  const char *host_pattern;      /* or: */
  const char *streams;           /* `streams` pattern; NULL: none */
  const sim_yaml_node *sn;       /* `streams`, for messages */
  const char *glob;
  uint32_t *spread;              /* hosts matching the glob */
  size_t n_spread;
  uint64_t spread_from;          /* where its round-robin starts: instances earlier entries
                                  * spread over the same glob */
  bool ok;                       /* no error in the entry so far */
  bool churned;                  /* it has `arrival` or `lifetime`: churn holds them */
  sim_guest_churn churn;         /* owned by the entry until add_entry hands it to the scenario */
} guest_entry;

/* technique, kind and io_path; the technique's word gives the guest's kind
 * and default I/O path. */
static void read_technique(ctx *C, guest_entry *ge) {
  const sim_yaml_node *m = ge->m;
  size_t tech = 0;
  if (!sim_schema_need(&C->S, m, "technique") ||
      !sim_schema_enum(&C->S, m, "technique", &C->names[SIM_VOCAB_TECHNIQUE], &tech))
    ge->ok = false;
  const sim_vocab_word *word = &C->techniques[tech];
  ge->technique = word->name;
  ge->g.kind = word->guest_kind;
  size_t kind;
  if (ge->ok && sim_schema_enum(&C->S, m, "kind", &kind_list, &kind) && (sim_guest_kind)kind != ge->g.kind)
    sim_schema_error(&C->S, sim_schema_opt(m, "kind"), "%s is of kind '%s' but uses technique '%s'",
                     C->S.what, kinds[kind], word->name);
  ge->io = word->default_io_path;
  size_t io_i;
  if (sim_schema_enum(&C->S, m, "io_path", &C->names[SIM_VOCAB_IO_PATH], &io_i))
    ge->io = C->words[SIM_VOCAB_IO_PATH][io_i];
}

/* rated: "N MIPS", the instruction rate a trace-driven guest's 100 % stands
 * for, as CloudSim rates a VM [BB12, Section 7.1]: a trace sample u then asks
 * u x N x 1e6 instructions/s of its vCPU (models/engine_setup.c). */
static void read_rated(ctx *C, guest_entry *ge) {
  const sim_yaml_node *n = sim_schema_opt(ge->m, "rated");
  if (!n) return;
  const char *t = sim_schema_scalar(&C->S, n, "rated", "an instruction rate such as '2500 MIPS'");
  if (!t) {
    ge->ok = false;
    return;
  }
  char *end;
  double v = strtod(t, &end);
  while (*end == ' ') end++;
  if (end == t || strcmp(end, "MIPS") || !(v > 0) || !(v <= 1e9)) {
    sim_schema_error(&C->S, n, "'rated' in %s must be an instruction rate in MIPS greater than 0 "
                     "(e.g. '2500 MIPS'), not '%s'", C->S.what, t);
    ge->ok = false;
    return;
  }
  ge->g.rated_ips = v * 1e6;
}

static void read_settings(ctx *C, guest_entry *ge) {
  const sim_yaml_node *m = ge->m;
  sim_guest *g = &ge->g;
  g->vcpus = 1;
  g->memory_bytes = 1ULL << 30;
  g->weight = 256;
  read_technique(C, ge);
  sim_schema_u32(&C->S, m, "vcpus", 1, 4096, &g->vcpus);
  sim_schema_size(&C->S, m, "memory", &g->memory_bytes, 1 << 20);
  sim_schema_u32(&C->S, m, "weight", 1, 65535, &g->weight);
  sim_schema_real(&C->S, m, "cap", &g->cap, SIM_UNIT_PERCENT, 0, 4096);
  sim_schema_bool(&C->S, m, "huge_pages", &g->huge_pages);
  sim_schema_time(&C->S, m, "start", &g->start_ns, 0);
  /* replications are runs of the whole scenario, not guests */
  const sim_yaml_node *reps = sim_schema_opt(m, "replications");
  if (reps)
    sim_schema_error(&C->S, reps,
                     "'replications' of %s is not a guest setting: replications are runs of the whole "
                     "scenario: use simulation.replications, sweep: {replications: N} or vdcsim run "
                     "--replications N",
                     C->S.what);
  /* migration: the disk image block migration copies, and the memory share
   * of zero pages that zero-page elision sends as headers only */
  sim_schema_size(&C->S, m, "disk", &g->disk_bytes, 0);
  sim_schema_real(&C->S, m, "zero_fraction", &g->zero_fraction, SIM_UNIT_PERCENT, 0, 0.999);
  read_rated(C, ge);
  /* an instance type supplies vCPUs, memory and disk (sim/scenario_instances.c) */
  if (!scenario_guest_instance(C, m, g)) ge->ok = false;
  /* the image it is provisioned from (sim/scenario_images.c) */
  if (!scenario_guest_image(C, m, g)) ge->ok = false;
  if (g->cap > g->vcpus) {
    sim_schema_error(&C->S, sim_schema_opt(m, "cap"), "'cap' in %s is %g CPUs, more than its %u vCPUs",
                     C->S.what, g->cap, g->vcpus);
    ge->ok = false;
  }
}

static const char *const arrival_processes[] = {"poisson", "deterministic"}; /* by sim_guest_arrival - 1 */

/* arrival: {process: poisson | deterministic, rate: R}: instance i arrives
 * at the (i + 1)-th arrival of the process from the entry's `start`, as a
 * workload's open-loop requests do (engine_requests.c). */
static void read_arrival(ctx *C, guest_entry *ge) {
  const sim_yaml_node *a = sim_schema_opt(ge->m, "arrival");
  if (!a) return;
  ge->churned = true;
  if (!sim_schema_is_map(&C->S, a, "an arrival process {process: poisson, rate: 10/h}")) {
    ge->ok = false;
    return;
  }
  static const char *const keys[] = {"process", "rate"};
  SIM_SCHEMA_CHECK_KEYS(&C->S, a, keys);
  static const sim_schema_names list = {arrival_processes, 2, "guest arrival process"};
  size_t p;
  if (!sim_schema_need(&C->S, a, "process") || !sim_schema_enum(&C->S, a, "process", &list, &p)) {
    ge->ok = false;
    return;
  }
  ge->churn.process = (sim_guest_arrival)(p + 1);
  const sim_yaml_node *r = sim_schema_need(&C->S, a, "rate");
  const char *t = r ? sim_schema_scalar(&C->S, r, "rate", "a rate such as \"10/h\"") : NULL;
  char e[300];
  if (!t) {
    ge->ok = false;
  } else if (sim_parse_per_second(t, &ge->churn.rate_per_s, e, sizeof e) < 0) {
    sim_schema_error(&C->S, r, "'rate' of the arrivals of %s (a rate such as \"10/h\"): %s",
                     C->S.what, e);
    ge->ok = false;
  } else if (!(ge->churn.rate_per_s > 0) || !(ge->churn.rate_per_s <= 1e12)) {
    sim_schema_error(&C->S, r, "'rate' of the arrivals of %s must be greater than 0 (and at most "
                     "1e12/s), not '%s'", C->S.what, t);
    ge->ok = false;
  }
}

/* lifetime: a distribution of a time (sim/dist.h); each instance departs
 * that long after its arrival. */
static void read_lifetime(ctx *C, guest_entry *ge) {
  if (!sim_schema_opt(ge->m, "lifetime")) return;
  ge->churned = true;
  if (sim_dist_parse(&C->S, ge->m, "lifetime", SIM_UNIT_TIME, C->dir, &ge->churn.lifetime))
    ge->churn.has_lifetime = true;
  else
    ge->ok = false;
}

/* pinning: one physical CPU (or -1) per vCPU; -1 when out of memory. */
static int read_pinning(ctx *C, guest_entry *ge) {
  const sim_yaml_node *pin = ge->pin = sim_schema_opt(ge->m, "pinning");
  uint32_t vcpus = ge->g.vcpus;
  if (!pin || !sim_schema_is_seq(&C->S, pin, "a list of physical CPUs, one per vCPU")) return 0;
  if (pin->n != vcpus) {
    sim_schema_error(&C->S, pin, "'pinning' in %s lists %zu CPU%s for %u vCPU%s; it needs one per vCPU",
                     C->S.what, pin->n, pin->n == 1 ? "" : "s", vcpus, vcpus == 1 ? "" : "s");
    ge->ok = false;
    return 0;
  }
  ge->pinning = sim_calloc(pin->n, sizeof *ge->pinning);
  if (!ge->pinning) { sim_schema_nomem(&C->S); return -1; }
  for (size_t i = 0; i < pin->n; i++) {
    const char *t = sim_schema_scalar(&C->S, pin->items[i], "pinning", "a CPU number");
    int64_t v;
    char e2[300];
    if (!t) ge->ok = false;
    else if (sim_parse_int(t, -1, 65535, &v, e2, sizeof e2) < 0) {
      sim_schema_error(&C->S, pin->items[i], "'pinning' in %s: %s", C->S.what, e2);
      ge->ok = false;
    } else
      ge->pinning[i] = (int32_t)v;
  }
  return 0;
}

/* host: a host name pattern, or {spread: GLOB}; -1 when out of memory. */
static int read_host(ctx *C, guest_entry *ge) {
  sim_scenario *s = C->s;
  const sim_yaml_node *hv = ge->hv = sim_schema_need(&C->S, ge->m, "host");
  if (!hv) {
    ge->ok = false;
  } else if (hv->kind == SIM_YAML_MAP) {
    static const char *const keys[] = {"spread"};
    SIM_SCHEMA_CHECK_KEYS(&C->S, hv, keys);
    const sim_yaml_node *gv = sim_schema_need(&C->S, hv, "spread");
    ge->glob = gv ? sim_schema_scalar(&C->S, gv, "spread", "a glob of host names") : NULL;
    if (!ge->glob) {
      ge->ok = false;
      return 0;
    }
    ge->spread = sim_malloc((s->n_hosts + 1) * sizeof *ge->spread);
    if (!ge->spread) { sim_schema_nomem(&C->S); return -1; }
    for (size_t h = 0; h < s->n_hosts; h++)
      if (fnmatch(ge->glob, s->hosts[h].name, 0) == 0) ge->spread[ge->n_spread++] = (uint32_t)h;
    if (!ge->n_spread) {
      sim_schema_error(&C->S, gv, "%s is spread over hosts matching '%s', but no host matches", C->S.what,
                       ge->glob);
      ge->ok = false;
    }
    /* the round-robin goes on where the entries before left it, so that
     * entries of one guest each (a template merged into every entry) are
     * spread too, not all put on the first host */
    for (size_t e = 0; e < C->n_grec; e++)
      if (C->grec[e].spread && !strcmp(C->grec[e].host, ge->glob)) ge->spread_from += C->grec[e].count;
  } else {
    ge->host_pattern = sim_schema_scalar(&C->S, hv, "host", "a host name or {spread: GLOB}");
    if (!ge->host_pattern) ge->ok = false;
  }
  return 0;
}

/* The host of instance i; -1 when it has none (reported), -2 to stop expanding. */
static long host_of(ctx *C, const guest_entry *ge, uint64_t i, const char *name) {
  if (ge->spread) return ge->spread[(ge->spread_from + i) % ge->n_spread];
  char hname[NAME_MAX_LEN], e2[400];
  if (sim_name_expand(ge->host_pattern, i, hname, sizeof hname, e2, sizeof e2) < 0) {
    sim_schema_error(&C->S, ge->hv, "%s", e2);
    return -2;
  }
  long host = scenario_find_host(C, hname);
  if (host >= 0) return host;
  if (!C->hosts_incomplete)
    sim_schema_error_capped(&C->S, CAPPED_BAD_HOST, ge->hv, "guest '%s' is on host '%s', which does not exist",
                            name, hname);
  else
    C->S.diag->errors++; /* the broken host entry is already reported */
  return -1;
}

/* A guest whose workload reads or writes a disk, or exchanges messages,
 * needs a host type with a disk, or a NIC (models/io.h). */
static void check_devices(ctx *C, const guest_entry *ge, const char *name, long host) {
  const sim_scenario *s = C->s;
  const sim_workload *w = &s->workloads[ge->g.workload];
  const sim_host_type *ht = &s->host_types[s->hosts[host].type];
  bool disk = false, net = false;
  for (size_t k = 0; k < w->n_phases; k++) {
    const sim_phase *ph = &w->phases[k];
    disk |= ph->disk_reads > 0 || ph->disk_writes > 0;
    net |= ph->net_messages > 0 && ph->net_rx_bytes > 0; /* an exchange has a response */
  }
  bool no_disk = disk && !ht->n_disks, no_nic = net && !ht->n_nics;
  if (no_disk || no_nic)
    sim_schema_error_capped(&C->S, CAPPED_NO_DEVICE, ge->hv,
                            "guest '%s' runs workload '%s', which does %s I/O, on host '%s', whose type '%s' has no %s",
                            name, w->name, no_disk ? "disk" : "network", s->hosts[host].name, ht->name,
                            no_disk ? "disk" : "NIC");
}

/* Every dirty page group of a phase lies in the guest's memory (4 KiB pages,
 * models/dirty.h). */
static void check_dirty_fit(ctx *C, const guest_entry *ge, const sim_yaml_node *wv) {
  const sim_workload *w = &C->s->workloads[ge->g.workload];
  uint64_t memory_pages = ge->g.memory_bytes / 4096;
  for (size_t k = 0; k < w->n_phases; k++) {
    uint64_t pages = 0;
    for (size_t d = 0; d < w->phases[k].n_dirty; d++)
      if (__builtin_add_overflow(pages, w->phases[k].dirty[d].pages, &pages)) pages = UINT64_MAX;
    if (pages > memory_pages) {
      sim_schema_error(&C->S, wv,
                       "%s runs workload '%s', whose phase '%s' dirties %llu pages, more than the "
                       "guest's memory holds (%llu pages of 4 KiB)",
                       C->S.what, w->name, w->phases[k].name ? w->phases[k].name : "?",
                       (unsigned long long)pages, (unsigned long long)memory_pages);
      return;
    }
  }
}

/* Adds instance number `instance`, `name`, on `host`; -1 when out of memory. */
static int add_guest(ctx *C, const guest_entry *ge, uint64_t instance, const char *name, long host) {
  sim_scenario *s = C->s;
  const sim_host_type *ht = &s->host_types[s->hosts[host].type];
  uint32_t vcpus = ge->g.vcpus;
  sim_guest *gi = &s->guests[s->n_guests];
  *gi = ge->g;
  gi->host = (uint32_t)host;
  gi->name = sim_schema_strdup(&C->S, name);
  gi->technique = ge->technique; /* vocabulary words: every guest points to them */
  gi->io_path = ge->io;
  if (ge->pinning && (gi->pinning = sim_malloc(vcpus * sizeof *ge->pinning)))
    memcpy(gi->pinning, ge->pinning, vcpus * sizeof *ge->pinning);
  if (!gi->name || (ge->pinning && !gi->pinning)) {
    sim_free(gi->name);
    sim_free(gi->pinning);
    sim_schema_nomem(&C->S);
    return -1;
  }
  gi->instance = instance;
  if (ge->streams) {
    char sname[NAME_MAX_LEN], e2[400];
    if (sim_name_expand(ge->streams, instance, sname, sizeof sname, e2, sizeof e2) < 0) {
      sim_schema_error(&C->S, ge->sn, "%s", e2);
    } else if (!sname[0]) {
      sim_schema_error(&C->S, ge->sn, "%s: 'streams' must not be empty", C->S.what);
    } else if (!(gi->streams = sim_schema_strdup(&C->S, sname))) {
      sim_free(gi->name);
      sim_free(gi->pinning);
      return -1;
    }
  }
  s->n_guests++;
  check_devices(C, ge, name, host);
  for (uint32_t v = 0; ge->pinning && v < vcpus; v++)
    if (ge->pinning[v] >= (int32_t)ht->cores) {
      sim_schema_error_capped(&C->S, CAPPED_PINNING, ge->pin, "guest '%s' is pinned to CPU %d, but host '%s' has %u cores",
                              name, ge->pinning[v], s->hosts[host].name, ht->cores);
      break;
    }
  long other = sim_name_index_add(&C->guest_ix, &s->guests[0].name, sizeof *gi, name, (uint32_t)(s->n_guests - 1));
  if (other == -1) {
    sim_schema_nomem(&C->S);
    return -1;
  }
  if (other >= 0) sim_schema_error_capped(&C->S, CAPPED_NAME_CLASH, ge->nn, "guest name '%s' is used twice", name);
  return 0;
}

static void expand_guests(ctx *C, const guest_entry *ge) {
  for (uint64_t i = 0; i < ge->count && !C->S.oom; i++) {
    char name[NAME_MAX_LEN], e2[400];
    if (sim_name_expand(ge->pattern, i, name, sizeof name, e2, sizeof e2) < 0) {
      sim_schema_error(&C->S, ge->nn, "%s", e2);
      break;
    }
    if (!name[0]) {
      sim_schema_error(&C->S, ge->nn, "a guest name must not be empty");
      break;
    }
    long host = host_of(C, ge, i, name);
    if (host == -2) break;
    if (host < 0) continue;
    if (add_guest(C, ge, i, name, host) < 0) break;
  }
}

/* Hands the entry's arrivals and lifetime to the scenario (its guests name
 * them by ge->g.churn); -1 when out of memory. */
static int add_churn(ctx *C, guest_entry *ge) {
  sim_scenario *s = C->s;
  if (!ge->churned) return 0;
  sim_guest_churn *grown = sim_realloc(s->churns, (s->n_churns + 1) * sizeof *s->churns);
  if (!grown) {
    sim_schema_nomem(&C->S);
    return -1;
  }
  s->churns = grown;
  sim_guest_churn *c = &s->churns[s->n_churns++];
  *c = ge->churn;
  ge->churned = false; /* the scenario owns its lifetime now */
  ge->g.churn = (uint32_t)s->n_churns;
  if (!(c->pattern = sim_schema_strdup(&C->S, ge->pattern))) return -1;
  return 0;
}

/* Records the entry for the resolved text and makes room for its guests;
 * -1 when loading must stop. */
static int add_entry(ctx *C, guest_entry *ge) {
  sim_scenario *s = C->s;
  if (add_churn(C, ge) < 0) return -1;
  if (sim_grow((void **)&C->grec, &C->cap_grec, C->n_grec + 1, sizeof *C->grec) < 0) {
    sim_schema_nomem(&C->S);
    return -1;
  }
  entry_rec *rec = &C->grec[C->n_grec];
  memset(rec, 0, sizeof *rec);
  rec->pattern = sim_schema_strdup(&C->S, ge->pattern);
  rec->host = sim_schema_strdup(&C->S, ge->spread ? ge->glob : ge->host_pattern);
  rec->spread = ge->spread != NULL;
  if (ge->streams && !(rec->streams = sim_schema_strdup(&C->S, ge->streams))) return -1;
  rec->count = ge->count;
  rec->first = s->n_guests;
  C->n_grec++;
  if (!rec->pattern || !rec->host) return -1;
  if (s->n_guests + ge->count > MAX_INSTANCES) {
    sim_schema_error(&C->S, ge->m, "too many guests: more than %llu in total", (unsigned long long)MAX_INSTANCES);
    return -1;
  }
  if (sim_grow((void **)&s->guests, &C->cap_guests, s->n_guests + ge->count, sizeof *s->guests) < 0) {
    sim_schema_nomem(&C->S);
    return -1;
  }
  return 0;
}

/* Reads entry m and adds its guests; -1 when loading must stop. */
static int load_guest_entry(ctx *C, guest_entry *ge) {
  const sim_yaml_node *m = ge->m;
  ge->nn = sim_schema_opt(m, "name");
  if (ge->nn && ge->nn->kind == SIM_YAML_SCALAR) sim_schema_set_what(&C->S, "guest '%.200s'", ge->nn->text);
  static const char *const keys[] = {"name", "count", "technique", "kind", "io_path", "host", "vcpus",
                                     "memory", "pinning", "weight", "cap", "huge_pages", "workload",
                                     "start", "replications", "disk", "zero_fraction", "rated", "trace",
                                     "arrival", "lifetime", "instance_type", "tenant", "streams",
                                     "image"};
  SIM_SCHEMA_CHECK_KEYS(&C->S, m, keys);
  ge->pattern = ge->nn ? sim_schema_scalar(&C->S, ge->nn, "name", "a guest name") : NULL;
  if (!ge->nn) sim_schema_need(&C->S, m, "name");
  ge->count = scenario_get_count(C, m);
  ge->ok = true;
  if ((ge->sn = sim_schema_opt(m, "streams")) &&
      !(ge->streams = sim_schema_scalar(&C->S, ge->sn, "streams", "a name pattern")))
    ge->ok = false;
  read_settings(C, ge);
  read_arrival(C, ge);
  read_lifetime(C, ge);
  if (read_pinning(C, ge) < 0) return -1;
  long wl = -1;
  const sim_yaml_node *wv = sim_schema_need(&C->S, m, "workload");
  if (wv) wl = scenario_resolve_workload(C, wv);
  if (C->S.oom || read_host(C, ge) < 0) return -1;
  if (!ge->pattern || wl < 0 || !ge->ok) return 0;
  ge->g.workload = (uint32_t)wl;
  if (ge->g.image) {
    const sim_workload *w = &C->s->workloads[wl];
    const sim_image *im = &C->s->images[ge->g.image - 1];
    bool plays = w->trace_path || sim_schema_opt(m, "trace");
    if (im->kind == SIM_IMAGE_VM && im->boot && (plays || w->requests || w->repeat)) {
      /* the boot's phases run before the workload's (models/engine_provision.c) */
      sim_schema_error(&C->S, sim_schema_opt(m, "image"),
                       "%s: the boot of image '%s' runs before its workload's phases, and workload '%s' %s: "
                       "give the image no boot, or the guest a workload of phases that ends",
                       C->S.what, im->name, w->name, plays ? "plays a trace" : w->requests ? "serves requests" : "repeats");
      return 0;
    }
  }
  if (ge->g.rated_ips > 0 && !C->s->workloads[wl].trace_path && !sim_schema_opt(m, "trace")) {
    sim_schema_error(&C->S, sim_schema_opt(m, "rated"),
                     "%s has 'rated', which rates a trace: its workload '%s' has no trace", C->S.what,
                     C->s->workloads[wl].name);
    return 0;
  }
  check_dirty_fit(C, ge, wv);
  if (add_entry(C, ge) < 0) return -1;
  expand_guests(C, ge);
  scenario_load_guest_trace(C, m);
  return 0;
}

/* Reports hosts whose guests want more vCPUs or memory than they have,
 * unless their type allows over-commitment. */
static void check_overcommit(ctx *C) {
  sim_scenario *s = C->s;
  uint64_t *vcpus_on = sim_calloc(s->n_hosts, sizeof *vcpus_on);
  uint64_t *mem_on = sim_calloc(s->n_hosts, sizeof *mem_on);
  if (!vcpus_on || !mem_on) {
    sim_free(vcpus_on);
    sim_free(mem_on);
    sim_schema_nomem(&C->S);
    return;
  }
  /* sums saturate: a total past 2^64 is over any host's size all the same.
   * Guests that arrive come and go: a datacenter section places each where
   * it fits at its arrival (or rejects it), and without one it shares its
   * host as it finds it, so they are not counted here. */
  for (size_t i = 0; i < s->n_guests; i++) {
    if (s->guests[i].churn && s->churns[s->guests[i].churn - 1].process != SIM_GUEST_AT_START) continue;
    uint32_t h = s->guests[i].host;
    if (__builtin_add_overflow(vcpus_on[h], s->guests[i].vcpus, &vcpus_on[h])) vcpus_on[h] = UINT64_MAX;
    if (__builtin_add_overflow(mem_on[h], s->guests[i].memory_bytes, &mem_on[h])) mem_on[h] = UINT64_MAX;
  }
  for (size_t h = 0; h < s->n_hosts; h++) {
    const sim_host_type *ht = &s->host_types[s->hosts[h].type];
    if (ht->allow_overcommit) continue;
    if (vcpus_on[h] > ht->cores && ht->cores)
      sim_schema_error_capped(&C->S, CAPPED_OVERCOMMIT, C->host_entry[h],
                              "host '%s' is over-committed: its guests have %llu vCPUs for %u cores "
                              "(allow_overcommit is false in host type '%s')",
                              s->hosts[h].name, (unsigned long long)vcpus_on[h], ht->cores, ht->name);
    if (mem_on[h] > ht->memory_bytes && ht->memory_bytes) {
      char a[48], b[48];
      sim_format_quantity(SIM_UNIT_SIZE, (double)mem_on[h], a, sizeof a);
      sim_format_quantity(SIM_UNIT_SIZE, (double)ht->memory_bytes, b, sizeof b);
      sim_schema_error_capped(&C->S, CAPPED_OVERCOMMIT, C->host_entry[h],
                              "host '%s' is over-committed: its guests have %s of memory, the host %s "
                              "(allow_overcommit is false in host type '%s')",
                              s->hosts[h].name, a, b, ht->name);
    }
  }
  sim_free(vcpus_on);
  sim_free(mem_on);
}

void scenario_load_guests(ctx *C, const sim_yaml_node *guests) {
  if (sim_name_index_init(&C->guest_ix, 64) < 0) { sim_schema_nomem(&C->S); return; }
  if (!guests || !sim_schema_is_seq(&C->S, guests, "a list of guests")) return;
  for (size_t e = 0; e < guests->n && !C->S.oom; e++) {
    guest_entry ge = {.m = guests->items[e]};
    sim_schema_set_what(&C->S, "guest entry %zu", e);
    if (!sim_schema_is_map(&C->S, ge.m, "a guest entry")) continue;
    int rc = load_guest_entry(C, &ge);
    sim_free(ge.pinning);
    sim_free(ge.spread);
    if (ge.churned) sim_dist_free(&ge.churn.lifetime); /* not handed to the scenario */
    if (rc < 0) return;
  }
  if (!C->S.oom) check_overcommit(C);
}
