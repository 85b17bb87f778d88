/* sim/scenario.c: the scenario loader's entry points (sim/scenario.h,
 * scenarios/SCHEMA.md).  Pipeline: read file -> YAML tree (sim/yaml.c:
 * aliases, merge keys, limits) -> --set overrides applied to the tree
 * (scenario_overrides.c) -> schema walk, one file per section (see
 * scenario_internal.h), that converts every quantity to its SI unit
 * (sim/schema.h), expands host and guest templates (name patterns with
 * counters), resolves references through hash indices, checks ranges and
 * over-commitment -> canonical order (hosts, host types, workloads and
 * guests by name, migrations by start: see "canonical order" below) ->
 * resolved YAML text (scenario_resolved.c).
 * Errors are collected, never fatal to the walk (every error of a file is
 * reported), except running out of memory, which stops it.  Names of
 * techniques, I/O paths, schedulers and migration strategies come from the
 * vocabulary the caller passes (sim/vocabulary.h): the core knows no model.
 * Complexity: O(hosts + guests) expected for the walk, name lookups hash
 * (FNV-1a); the canonical order sorts, O(n log n). */
#include "sim/scenario.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/alloc.h"
#include "sim/profile.h"
#include "sim/scenario_instances.h"
#include "sim/scenario_images.h"
#include "sim/scenario_services.h"
#include "sim/scenario_internal.h"

/* Words people use for a key of another name: tried before edit distance. */
static const char *const synonyms[][2] = {
    {"cpus", "cores"}, {"cpu", "cores"},      {"ram", "memory"},   {"mem", "memory"},
    {"freq", "clock"}, {"frequency", "clock"}, {"vcpu", "vcpus"},   {"cpu_count", "vcpus"},
    {"tech", "technique"}, {"virtualization", "technique"}, {"dest", "to"}, {"destination", "to"},
    {"time", "at"},    {"start_time", "start"}, {"seconds", "duration"}, {"bw", "bandwidth"},
};

/* What the vocabulary's kinds are called in messages. */
static const char *const vocab_what[SIM_VOCAB_KINDS] = {
    "technique", "I/O path", "scheduler", "migration strategy", "placement policy", "overload detector",
    "underload detector", "VM selection policy", "power model", "power model", "power model",
    "DVFS governor"};

/* Copies the vocabulary into the context's name lists. */
static void take_vocabulary(ctx *C, const sim_vocabulary *vocab) {
  assert(vocab && vocab->word);
  for (int k = 0; k < SIM_VOCAB_KINDS; k++) {
    size_t n = 0;
    sim_vocab_word word;
    while (vocab->word((sim_vocab_kind)k, n, &word)) {
      assert(n < SIM_VOCAB_MAX_WORDS && word.name);
      C->words[k][n] = word.name;
      if (k == SIM_VOCAB_TECHNIQUE) C->techniques[n] = word;
      n++;
    }
    /* a technique is required and a strategy has a default: they have words;
     * the other kinds may have none (then no scenario may name one) */
    assert(n > 0 || (k != SIM_VOCAB_TECHNIQUE && k != SIM_VOCAB_MIGRATION));
    C->names[k] = (sim_schema_names){C->words[k], n, vocab_what[k]};
  }
  /* the power models of every kind in one list, for `power.model` */
  size_t n = 0;
  for (int k = SIM_VOCAB_POWER_IDLE_MAX; k <= SIM_VOCAB_POWER_SHIPPED; k++)
    for (size_t i = 0; i < C->names[k].n && n < SIM_VOCAB_MAX_WORDS; i++) {
      C->power_kind[n] = (sim_vocab_kind)k;
      C->power_words[n++] = C->words[k][i];
    }
  C->power_names = (sim_schema_names){C->power_words, n, "power model"};
}

/* ---------- helpers the sections share ---------- */

/* Path relative to the scenario's directory (absolute paths kept). */
char *scenario_rel_path(ctx *C, const char *p) {
  if (p[0] == '/' || !C->dir || !*C->dir) return sim_schema_strdup(&C->S, p);
  size_t n = strlen(C->dir) + strlen(p) + 2;
  char *out = sim_malloc(n);
  if (!out) {
    sim_schema_nomem(&C->S);
    return NULL;
  }
  snprintf(out, n, "%s/%s", C->dir, p);
  return out;
}

/* A calibration given as a relative path is relative to the scenario. */
void scenario_resolve_calibration(ctx *C, char **cal) {
  if (!*cal) return;
  size_t n = strlen(*cal);
  bool is_path = strchr(*cal, '/') || (n > 5 && !strcmp(*cal + n - 5, ".yaml"));
  if (!is_path || (*cal)[0] == '/' || !C->dir || !*C->dir) return;
  char *p = scenario_rel_path(C, *cal);
  if (!p) return;
  sim_free(*cal);
  *cal = p;
}

/* Position of a host, guest or host type by name; -1 when absent. */
long scenario_find_host(ctx *C, const char *name) {
  if (!C->s->n_hosts) return -1;
  return sim_name_index_find(&C->host_ix, &C->s->hosts[0].name, sizeof *C->s->hosts, name);
}

long scenario_find_guest(ctx *C, const char *name) {
  if (!C->s->n_guests) return -1;
  return sim_name_index_find(&C->guest_ix, &C->s->guests[0].name, sizeof *C->s->guests, name);
}

long scenario_find_type(ctx *C, const char *name) {
  if (!C->s->n_host_types) return -1;
  return sim_name_index_find(&C->type_ix, &C->s->host_types[0].name, sizeof *C->s->host_types, name);
}

/* `count` of a template entry: instances, 1 by default. */
uint64_t scenario_get_count(ctx *C, const sim_yaml_node *m) {
  uint64_t count = 1;
  sim_schema_uint(&C->S, m, "count", 1, MAX_INSTANCES, &count);
  return count;
}

/* ---------- free ---------- */

static void free_workload(sim_workload *w) {
  sim_free(w->name);
  sim_free(w->trace_path);
  sim_free(w->trace_cpu_percent);
  if (w->trace_template) return; /* the rest is its template's (sim/scenario_traces.c) */
  sim_free(w->description);
  sim_free(w->source);
  scenario_free_requests(w->requests);
  for (size_t k = 0; k < w->n_phases; k++) {
    sim_free(w->phases[k].name);
    sim_free(w->phases[k].access);
    sim_free(w->phases[k].dirty);
    sim_dist_free(&w->phases[k].length);
  }
  sim_free(w->phases);
}

static void free_host_types(sim_scenario *s) {
  for (size_t i = 0; i < s->n_host_types; i++) {
    sim_host_type *t = &s->host_types[i];
    sim_free(t->name);
    sim_free(t->scheduler);
    sim_free(t->fidelity);
    sim_free(t->calibration);
    for (size_t k = 0; k < t->n_nics; k++) {
      sim_free(t->nics[k].name);
      sim_dist_free(&t->nics[k].jitter);
    }
    for (size_t k = 0; k < t->n_disks; k++) {
      sim_free(t->disks[k].name);
      sim_dist_free(&t->disks[k].latency_dist);
    }
    sim_free(t->nics);
    sim_free(t->disks);
  }
  sim_free(s->host_types);
}

void sim_scenario_free(sim_scenario *s) {
  if (!s) return;
  sim_free(s->path);
  sim_free(s->text);
  sim_free(s->resolved_text);
  sim_free(s->name);
  sim_free(s->description);
  sim_free(s->output);
  for (size_t i = 0; i < s->record.n_signals; i++) sim_free(s->record.signals[i]);
  sim_free(s->record.signals);
  sim_free(s->calibration);
  free_host_types(s);
  for (size_t i = 0; i < s->n_hosts; i++) sim_free(s->hosts[i].name);
  sim_free(s->hosts);
  for (size_t i = 0; i < s->n_workloads; i++) free_workload(&s->workloads[i]);
  sim_free(s->workloads);
  for (size_t i = 0; i < s->n_guests; i++) {
    sim_free(s->guests[i].name);
    sim_free(s->guests[i].pinning);
    sim_free(s->guests[i].streams);
  }
  sim_free(s->guests);
  for (size_t i = 0; i < s->n_churns; i++) {
    sim_free(s->churns[i].pattern);
    sim_dist_free(&s->churns[i].lifetime);
  }
  sim_free(s->churns);
  scenario_free_instances(s);
  scenario_free_images(s);
  scenario_free_services(s);
  for (size_t i = 0; i < s->n_migrations; i++) {
    sim_free(s->migrations[i].name);
    sim_free(s->migrations[i].strategy);
  }
  sim_free(s->migrations);
  for (size_t i = 0; i < s->n_sweep_axes; i++) {
    sim_free(s->sweep[i].path);
    for (size_t k = 0; k < s->sweep[i].n_values; k++) sim_free(s->sweep[i].values[k]);
    sim_free(s->sweep[i].values);
  }
  sim_free(s->sweep);
  sim_free(s);
}

/* ---------- canonical order ----------
 * The engine sets entities up, numbers their events, fills run queues and
 * writes result rows in the order of the scenario's arrays, and simultaneous
 * events are ordered by those numbers.  So that no result depends on where an
 * entry stands in the file, the arrays are put in an order of their names:
 * hosts as soon as their section is read (a guest spread over hosts takes
 * them in this order), host types, workloads, guests and migrations once the
 * whole file has loaded without error (messages keep the file's order).
 * Names of hosts, guests, host types and workload keys are unique then, so
 * each order is total.  Names compare byte by byte (strcmp): "web10" comes
 * before "web2"; any fixed order would do. */

typedef struct named_pos {
  const char *name;
  uint32_t pos;              /* position in the file's order */
} named_pos;

static int by_name(const void *a, const void *b) {
  return strcmp(((const named_pos *)a)->name, ((const named_pos *)b)->name);
}

/* The permutation that sorts n >= 1 names, read through (names, stride) as
 * the name index reads them: order[new] = old, then inverse[old] = new in the
 * same allocation (order + n).  NULL out of memory. */
static uint32_t *name_order(char *const *names, size_t stride, size_t n) {
  named_pos *keys = sim_malloc(n * sizeof *keys);
  uint32_t *order = sim_malloc(2 * n * sizeof *order);
  if (!keys || !order) {
    sim_free(keys);
    sim_free(order);
    return NULL;
  }
  for (size_t i = 0; i < n; i++)
    keys[i] = (named_pos){*(char *const *)((const char *)names + i * stride), (uint32_t)i};
  qsort(keys, n, sizeof *keys, by_name);
  for (size_t i = 0; i < n; i++) {
    order[i] = keys[i].pos;
    order[n + keys[i].pos] = (uint32_t)i;
  }
  sim_free(keys);
  return order;
}

/* Rearranges n elements of `size` bytes so that element i is the one that
 * was at order[i]; -1 out of memory (arr unchanged). */
static int permute(void *arr, size_t n, size_t size, const uint32_t *order) {
  char *was = sim_malloc(n * size);
  if (!was) return -1;
  memcpy(was, arr, n * size);
  for (size_t i = 0; i < n; i++) memcpy((char *)arr + i * size, was + (size_t)order[i] * size, size);
  sim_free(was);
  return 0;
}

/* Hosts by name, before guests refer to them: the per-host entries of
 * messages move along, entries' first instances are renumbered and the name
 * index is built anew. */
static void canonical_hosts(ctx *C) {
  sim_scenario *s = C->s;
  size_t n = s->n_hosts;
  if (n < 2) return;
  uint32_t *order = name_order(&s->hosts[0].name, sizeof *s->hosts, n);
  if (!order || permute(s->hosts, n, sizeof *s->hosts, order) < 0 ||
      permute(C->host_entry, n, sizeof *C->host_entry, order) < 0) {
    sim_free(order);
    sim_schema_nomem(&C->S);
    return;
  }
  const uint32_t *inverse = order + n;
  for (size_t i = 0; i < C->n_hrec; i++) C->hrec[i].first = inverse[C->hrec[i].first];
  sim_free(order);
  sim_name_index_free(&C->host_ix);
  if (sim_name_index_init(&C->host_ix, n) < 0) {
    sim_schema_nomem(&C->S);
    return;
  }
  for (size_t i = 0; i < n; i++)
    if (sim_name_index_add(&C->host_ix, &s->hosts[0].name, sizeof *s->hosts, s->hosts[i].name, (uint32_t)i) == -1) {
      sim_schema_nomem(&C->S);
      return;
    }
}

/* Host types by name; hosts and host entries follow. */
static int canonical_host_types(ctx *C) {
  sim_scenario *s = C->s;
  size_t n = s->n_host_types;
  if (n < 2) return 0;
  uint32_t *order = name_order(&s->host_types[0].name, sizeof *s->host_types, n);
  if (!order || permute(s->host_types, n, sizeof *s->host_types, order) < 0) {
    sim_free(order);
    return -1;
  }
  const uint32_t *inverse = order + n;
  for (size_t i = 0; i < s->n_hosts; i++) s->hosts[i].type = inverse[s->hosts[i].type];
  for (size_t i = 0; i < C->n_hrec; i++) C->hrec[i].type = inverse[C->hrec[i].type];
  sim_free(order);
  return 0;
}

/* Workloads by lookup key (the name, or "file:PATH"), which is unique: they
 * are otherwise in the order guests first name shipped workloads and files. */
static int canonical_workloads(ctx *C) {
  sim_scenario *s = C->s;
  size_t n = s->n_workloads;
  if (n < 2) return 0;
  uint32_t *order = name_order(C->wl_key, sizeof *C->wl_key, n);
  if (!order || permute(s->workloads, n, sizeof *s->workloads, order) < 0 ||
      permute(C->wl_key, n, sizeof *C->wl_key, order) < 0) {
    sim_free(order);
    return -1;
  }
  const uint32_t *inverse = order + n;
  for (size_t i = 0; i < s->n_guests; i++) s->guests[i].workload = inverse[s->guests[i].workload];
  scenario_images_renumber_workloads(s, inverse);
  sim_free(order);
  return 0;
}

/* Guests by name; migrations and guest entries follow. */
static int canonical_guests(ctx *C) {
  sim_scenario *s = C->s;
  size_t n = s->n_guests;
  if (n < 2) return 0;
  uint32_t *order = name_order(&s->guests[0].name, sizeof *s->guests, n);
  if (!order || permute(s->guests, n, sizeof *s->guests, order) < 0) {
    sim_free(order);
    return -1;
  }
  const uint32_t *inverse = order + n;
  for (size_t i = 0; i < s->n_migrations; i++) s->migrations[i].guest = inverse[s->migrations[i].guest];
  for (size_t i = 0; i < C->n_grec; i++) C->grec[i].first = inverse[C->grec[i].first];
  sim_free(order);
  return 0;
}

static int cmp_time(sim_time a, sim_time b) { return (a > b) - (a < b); }
static int cmp_real(double a, double b) { return (a > b) - (a < b); }

/* A migration with the names it refers to, for sorting. */
typedef struct migration_key {
  sim_migration_spec m;
  const char *guest, *dest;  /* names of its guest and destination host */
} migration_key;

/* By start time, then guest, destination and name, then every setting:
 * migrations that compare equal are alike in everything, so which comes
 * first cannot matter. */
static int by_start(const void *pa, const void *pb) {
  const migration_key *a = pa, *b = pb;
  int c = cmp_time(a->m.at_ns, b->m.at_ns);
  if (!c) c = strcmp(a->guest, b->guest);
  if (!c) c = strcmp(a->dest, b->dest);
  if (!c) c = strcmp(a->m.name, b->m.name);
  if (!c) c = strcmp(a->m.strategy, b->m.strategy);
  if (!c) c = cmp_real(a->m.min_rate_bps, b->m.min_rate_bps);
  if (!c) c = cmp_real(a->m.max_rate_bps, b->m.max_rate_bps);
  if (!c) c = cmp_time(a->m.max_downtime_ns, b->m.max_downtime_ns);
  if (!c) c = cmp_real(a->m.max_rounds, b->m.max_rounds);
  if (!c) c = cmp_real(a->m.auto_converge, b->m.auto_converge);
  if (!c) c = cmp_real(a->m.compress, b->m.compress);
  if (!c) c = cmp_real(a->m.zero_page_elision, b->m.zero_page_elision);
  if (!c) c = cmp_real(a->m.block_migration, b->m.block_migration);
  return c;
}

static int canonical_migrations(ctx *C) {
  sim_scenario *s = C->s;
  size_t n = s->n_migrations;
  if (n < 2) return 0;
  migration_key *keys = sim_malloc(n * sizeof *keys);
  if (!keys) return -1;
  for (size_t i = 0; i < n; i++)
    keys[i] = (migration_key){s->migrations[i], s->guests[s->migrations[i].guest].name,
                              s->hosts[s->migrations[i].dest_host].name};
  qsort(keys, n, sizeof *keys, by_start);
  for (size_t i = 0; i < n; i++) s->migrations[i] = keys[i].m;
  sim_free(keys);
  return 0;
}

/* Template entries by their first instance, which is unique: the resolved
 * text lists them in this order. */
static int by_first(const void *a, const void *b) {
  size_t x = ((const entry_rec *)a)->first, y = ((const entry_rec *)b)->first;
  return (x > y) - (x < y);
}

/* *arr, of n elements of `size` bytes, without the room it grew by doubling
 * while the file loaded (up to as much again as it holds: a guest entry of
 * count n adds n at once); -1 out of memory (*arr unchanged). */
static int trim_room(void **arr, size_t n, size_t size) {
  if (!n) return 0;
  void *shrunk = sim_realloc(*arr, n * size);
  if (!shrunk) return -1;
  *arr = shrunk;
  return 0;
}

/* The order of a loaded scenario (hosts are in theirs already); the name
 * indices are not read after this.  Its guests and workloads, the arrays
 * that grow with a data center, lose their spare room. */
static void canonical_order(ctx *C) {
  if (canonical_host_types(C) < 0 || canonical_workloads(C) < 0 || canonical_guests(C) < 0 ||
      canonical_migrations(C) < 0 ||
      trim_room((void **)&C->s->guests, C->s->n_guests, sizeof *C->s->guests) < 0 ||
      trim_room((void **)&C->s->workloads, C->s->n_workloads, sizeof *C->s->workloads) < 0) {
    sim_schema_nomem(&C->S);
    return;
  }
  if (C->n_hrec > 1) qsort(C->hrec, C->n_hrec, sizeof *C->hrec, by_first);
  if (C->n_grec > 1) qsort(C->grec, C->n_grec, sizeof *C->grec, by_first);
}

/* ---------- the pipeline ---------- */

static char *dir_of(const char *path) {
  const char *slash = strrchr(path, '/');
  if (!slash) return sim_strdup("");
  if (slash == path) return sim_strdup("/");
  return sim_strndup(path, (size_t)(slash - path));
}

static char *stem_of(const char *path) {
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  size_t n = strlen(base);
  if (n > 5 && !strcmp(base + n - 5, ".yaml")) n -= 5;
  else if (n > 4 && !strcmp(base + n - 4, ".yml")) n -= 4;
  return sim_strndup(base, n);
}

/* The scenario before any key is read: every top-level default. */
static int set_defaults(ctx *C, sim_scenario *s) {
  s->seed = 1;
  s->record.sample_interval_ns = 100 * SIM_MS;
  s->record.events = true;
  s->record.series = true;
  s->record.compression_level = 1; /* level 1 writes files 2-4 % larger than 4 at a fraction of the time (tests/bench/record-cost) */
  s->sweep_replications = 1;
  s->replications = 1;
  if (!(s->path = sim_schema_strdup(&C->S, C->src->name)) ||
      !(s->text = sim_strndup(C->src->text, C->src->len)))
    return -1;
  return 0;
}

/* The root mapping's keys; x- keys hold anchors for the rest of the file:
 * no meaning of their own. */
static void check_top_keys(ctx *C, const sim_yaml_node *root) {
  static const char *const keys[] = {"name", "description", "simulation", "calibration", "host_types",
                                     "hosts", "workloads", "guests", "migrations", "datacenter", "sweep",
                                     "instance_types",
                                     "images", "registry",
                                     "services"};
  sim_schema_set_what(&C->S, "the scenario");
  for (size_t i = 0; i < root->n; i++) {
    const sim_yaml_node *k = root->pairs[i].key;
    if (strncmp(k->text, "x-", 2)) {
      sim_yaml_node probe = *root;
      probe.pairs = &root->pairs[i];
      probe.n = 1;
      SIM_SCHEMA_CHECK_KEYS(&C->S, &probe, keys);
    }
  }
}

/* A guest whose workload never ends needs a duration. */
static void check_endless(ctx *C, const sim_yaml_node *root) {
  const sim_scenario *s = C->s;
  if (s->duration_ns != 0) return;
  for (size_t i = 0; i < s->n_guests; i++) {
    const sim_workload *w = &s->workloads[s->guests[i].workload];
    if (w->repeat || w->trace_path) {
      const sim_yaml_node *sim = sim_schema_opt(root, "simulation");
      sim_schema_error(&C->S, sim ? sim : root,
                       "guest '%s' runs workload '%s', which never ends (%s): set simulation.duration",
                       s->guests[i].name, w->name, w->repeat ? "repeat: true" : "a trace");
      break;
    }
  }
}

/* A run until every guest's work is done must end within the time a scenario
 * may give (SIM_SCHEMA_MAX_TIME).  Each guest's time is bounded from below by
 * its instructions at the host's clock (the fastest a host type may have when
 * the profile gives it) plus its bytes on the host's first NIC and disk at
 * their line rates. */
static void check_work_ends(ctx *C, const sim_yaml_node *root) {
  const sim_scenario *s = C->s;
  if (s->duration_ns != 0) return;
  for (size_t i = 0; i < s->n_guests; i++) {
    const sim_guest *g = &s->guests[i];
    const sim_workload *w = &s->workloads[g->workload];
    const sim_host_type *ht = &s->host_types[s->hosts[g->host].type];
    double hz = ht->clock_hz > 0 ? ht->clock_hz : 100e9; /* the profile's: at most the fastest */
    double net_Bps = ht->n_nics ? ht->nics[0].bandwidth_bps / 8 : INFINITY;
    double disk_Bps = ht->n_disks ? ht->disks[0].bandwidth_Bps : INFINITY;
    double ns = (double)g->start_ns;
    for (size_t k = 0; k < w->n_phases; k++) {
      const sim_phase *ph = &w->phases[k];
      if (ph->duration_ns > 0) {
        ns += (double)ph->duration_ns;
        continue;
      }
      double net_bytes = ph->net_messages * ((double)ph->net_tx_bytes + (double)ph->net_rx_bytes);
      double disk_bytes = (ph->disk_reads + ph->disk_writes) * (double)ph->disk_request_bytes;
      double unit_s = ph->instructions * ph->cycles_per_instruction / hz + net_bytes / net_Bps +
                      disk_bytes / disk_Bps;
      ns += ph->units * unit_s * 1e9;
    }
    if (!(ns <= (double)SIM_SCHEMA_MAX_TIME)) {
      const sim_yaml_node *sim = sim_schema_opt(root, "simulation");
      sim_schema_error(&C->S, sim ? sim : root,
                       "guest '%s' runs workload '%s', whose work takes more than 1e9 s of simulated "
                       "time (about %.3g s): set simulation.duration",
                       g->name, w->name, ns / 1e9);
      return;
    }
  }
}

/* Samples taken over the run, one row per host and guest each: a bound on
 * what the sampler and the result file are asked to hold. */
#define MAX_SAMPLE_ROWS 1e9
static void check_samples(ctx *C, const sim_yaml_node *root) {
  const sim_scenario *s = C->s;
  if (s->duration_ns <= 0 || s->record.sample_interval_ns <= 0) return;
  double samples = (double)(s->duration_ns / s->record.sample_interval_ns);
  double entities = (double)(s->n_hosts + s->n_guests);
  double rows = samples * (entities > 1 ? entities : 1);
  if (rows <= MAX_SAMPLE_ROWS) return;
  const sim_yaml_node *sim = sim_schema_opt(root, "simulation");
  const sim_yaml_node *rec = sim && sim->kind == SIM_YAML_MAP ? sim_schema_opt(sim, "record") : NULL;
  const sim_yaml_node *at = rec && rec->kind == SIM_YAML_MAP ? sim_schema_opt(rec, "sample_interval") : NULL;
  sim_schema_error(&C->S, at ? at : sim ? sim : root,
                   "simulation.record.sample_interval asks for %.3g samples of %.0f hosts and guests "
                   "over the run (more than %.0g rows): sample less often",
                   samples, entities, MAX_SAMPLE_ROWS);
}

/* The schema walk of a parsed, overridden, non-empty root mapping. */
static void load_sections(ctx *C, sim_yaml_node *root, bool sweep_point) {
  sim_scenario *s = C->s;
  check_top_keys(C, root);
  s->name = stem_of(C->src->name);
  s->calibration = sim_strdup("pentium4-2006");
  if (!s->name || !s->calibration) {
    sim_schema_nomem(&C->S);
    return;
  }
  sim_schema_str(&C->S, root, "name", &s->name);
  sim_schema_str(&C->S, root, "description", &s->description);
  sim_schema_str(&C->S, root, "calibration", &s->calibration);
  const sim_yaml_node *cal = sim_schema_opt(root, "calibration");
  if (cal && !cal->origin) {
    s->calibration_line = cal->line;
    s->calibration_col = cal->col;
  }
  scenario_resolve_calibration(C, &s->calibration);
  scenario_load_simulation(C, sim_schema_opt(root, "simulation"));
  if (!C->S.oom) scenario_load_host_types(C, sim_schema_opt(root, "host_types"));
  if (!C->S.oom) scenario_load_hosts(C, sim_schema_opt(root, "hosts"));
  if (!C->S.oom && C->S.diag->errors == C->errors_before) canonical_hosts(C);
  if (!C->S.oom) scenario_load_workloads(C, sim_schema_opt(root, "workloads"));
  if (!C->S.oom) scenario_load_instance_types(C, sim_schema_opt(root, "instance_types"));
  if (!C->S.oom) scenario_load_images(C, sim_schema_opt(root, "registry"), sim_schema_opt(root, "images"));
  if (!C->S.oom) scenario_load_guests(C, sim_schema_opt(root, "guests"));
  if (!C->S.oom) scenario_load_migrations(C, sim_schema_opt(root, "migrations"));
  if (!C->S.oom) scenario_load_datacenter(C, sim_schema_opt(root, "datacenter"));
  if (!C->S.oom) scenario_load_services(C, sim_schema_opt(root, "services"));
  if (!C->S.oom && C->s->replications > 1 && sim_schema_opt(root, "sweep")) {
    /* a sweep runs its own replications of every point: its points are not
     * checked, since every one would repeat this error */
    const sim_yaml_node *sim = sim_schema_opt(root, "simulation");
    sim_schema_error(&C->S, sim ? sim_schema_opt(sim, "replications") : root,
                     "simulation.replications with a sweep section: give the sweep's replications "
                     "(sweep: {replications: N}) instead");
  } else if (!C->S.oom && !sweep_point) {
    scenario_load_sweep(C, sim_schema_opt(root, "sweep"), root);
  }
  if (!C->S.oom) check_endless(C, root);
  if (!C->S.oom) check_samples(C, root);
  if (!C->S.oom) check_work_ends(C, root);
}

/* Parses the text, applies the overrides and walks the tree. */
static void load_tree(ctx *C, bool sweep_point) {
  const scenario_source *src = C->src;
  sim_yaml_node *root = NULL;
  if (sim_yaml_parse(src->name, src->text, src->len, &root, C->S.diag) < 0) {
    if (C->S.diag->oom) C->S.oom = true;
    return;
  }
  for (size_t i = 0; i < src->n_ovs && !C->S.oom; i++) scenario_apply_override(C, &root, &src->ovs[i]);
  if (C->S.oom) {
  } else if (!root || sim_yaml_is_null(root)) {
    sim_schema_error(&C->S, NULL, "the scenario is empty; expected a mapping with host_types, hosts and guests");
  } else if (root->kind != SIM_YAML_MAP) {
    sim_schema_error(&C->S, root, "expected the scenario (a mapping with host_types, hosts and guests), found a %s",
                     sim_yaml_kind_name(root->kind));
  } else {
    load_sections(C, root, sweep_point);
  }
  sim_yaml_free(root);
}

static void free_ctx(ctx *C) {
  sim_name_index_free(&C->type_ix);
  sim_name_index_free(&C->host_ix);
  sim_name_index_free(&C->wl_ix);
  sim_name_index_free(&C->guest_ix);
  sim_free(C->host_entry);
  for (size_t i = 0; i < C->n_hrec; i++) sim_free(C->hrec[i].pattern);
  for (size_t i = 0; i < C->n_grec; i++) {
    sim_free(C->grec[i].pattern);
    sim_free(C->grec[i].host);
    sim_free(C->grec[i].streams);
  }
  sim_free(C->hrec);
  sim_free(C->grec);
  for (size_t i = 0; C->wl_key && i < (C->s ? C->s->n_workloads : 0); i++) sim_free(C->wl_key[i]);
  sim_free(C->wl_key);
  for (size_t i = 0; i < C->n_labels; i++) sim_free(C->labels[i]);
  sim_free(C->labels);
  sim_free(C->dir);
}

int scenario_load_source(const scenario_source *src, bool sweep_point, sim_scenario **out,
                         sim_diag *diag) {
  *out = NULL;
  size_t errors_before = diag->errors;
  ctx context;
  ctx *C = &context;
  memset(C, 0, sizeof *C);
  C->errors_before = errors_before;
  sim_schema_init(&C->S, src->name, diag);
  C->S.synonyms = synonyms;
  C->S.n_synonyms = sizeof synonyms / sizeof synonyms[0];
  C->src = src;
  take_vocabulary(C, src->vocab);
  sim_scenario *s = C->s = sim_calloc(1, sizeof *s);
  C->dir = src->dir ? sim_strdup(src->dir) : NULL;
  if (!s || (src->dir && !C->dir) || set_defaults(C, s) < 0)
    sim_schema_nomem(&C->S);
  else
    load_tree(C, sweep_point);
  if (C->S.suppressed)
    sim_diag_add(diag, SIM_DIAG_NOTE, src->name, 0, 0, "%zu similar errors not shown", C->S.suppressed);
  if (!C->S.oom && diag->errors == errors_before) canonical_order(C);
  if (!C->S.oom && diag->errors == errors_before && scenario_write_resolved(C, s, &s->resolved_text) < 0)
    sim_schema_nomem(&C->S);
  bool failed = C->S.oom || diag->errors > errors_before;
  free_ctx(C);
  if (failed) {
    if (diag->errors == errors_before) sim_diag_error(diag, src->name, 0, 0, "out of memory");
    sim_scenario_free(s);
    return -1;
  }
  *out = s;
  return 0;
}

int sim_scenario_load_text(const char *name, const char *text, size_t len,
                           const sim_vocabulary *vocab, const sim_override *overrides,
                           size_t n_overrides, sim_scenario **out, sim_diag *diag) {
  scenario_source src = {name, NULL, text, len, vocab, overrides, n_overrides};
  return scenario_load_source(&src, false, out, diag);
}

int sim_scenario_load(const char *path, const sim_vocabulary *vocab, const sim_override *overrides,
                      size_t n_overrides, sim_scenario **out, sim_diag *diag) {
  *out = NULL;
  char *text = NULL;
  size_t len = 0;
  char e[400];
  if (sim_read_file(path, &text, &len, e, sizeof e) < 0) {
    sim_diag_error(diag, path, 0, 0, "cannot read the scenario: %s", e);
    return -1;
  }
  char *dir = dir_of(path);
  if (!dir) {
    sim_free(text);
    sim_diag_error(diag, path, 0, 0, "out of memory");
    return -1;
  }
  scenario_source src = {path, dir, text, len, vocab, overrides, n_overrides};
  int rc = scenario_load_source(&src, false, out, diag);
  sim_free(dir);
  sim_free(text);
  return rc;
}
