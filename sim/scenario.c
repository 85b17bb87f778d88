/* sim/scenario.c: the scenario loader (sim/scenario.h, scenarios/SCHEMA.md).
 * Pipeline: read file -> YAML tree (sim/yaml.c: aliases, merge keys, limits)
 * -> --set overrides applied to the tree -> schema walk that converts every
 * quantity to its SI unit (sim/units.c), expands host and guest templates
 * (name patterns with counters), resolves references through hash indices,
 * checks ranges and over-commitment -> resolved YAML text.
 * Errors are collected, never fatal to the walk (every error of a file is
 * reported), except running out of memory, which stops it.  Names of
 * techniques, I/O paths, schedulers and strategies are the fixed lists below,
 * documented in SCHEMA.md: the core does not depend on the models.
 * Complexity: O(hosts + guests) expected; name lookups hash (FNV-1a). */
#include "sim/scenario.h"

#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/alloc.h"
#include "sim/profile.h"
#include "sim/scenario_names.h"
#include "sim/suggest.h"
#include "sim/units.h"
#include "sim/yaml.h"

#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION /* smaller limits keep each input fast */
#define MAX_INSTANCES 20000ULL
#define MAX_SWEEP_CHECKS 4
#else
#define MAX_INSTANCES 10000000ULL /* per template entry, and in total */
#define MAX_SWEEP_CHECKS 256      /* sweep points loaded to check them, per file */
#endif
#define MAX_SIMILAR_ERRORS 20     /* errors of one kind reported per file before "and N more" */
#define NAME_MAX_LEN 256

typedef struct name_list {
  const char *const *names;
  size_t n;
  const char *what; /* "technique", "I/O path" ... */
} name_list;

#define LIST(arr, what) \
  { arr, sizeof arr / sizeof arr[0], what }
static const char *const techniques[] = {"native", "container", "bt", "pv", "hvm", "hvm-ept"};
static const char *const io_paths[] = {"emulated", "pv", "virtio", "passthrough", "bridge", "nat", "native"};
static const char *const schedulers[] = {"rr", "credit", "credit2", "cfs"};
static const char *const fidelities[] = {"quantum", "fluid"};
static const char *const strategies[] = {"precopy", "stop-and-copy", "postcopy", "container"};
static const char *const patterns[] = {"sequential", "strided", "random"};
static const char *const kinds[] = {"vm", "container", "native"};
static const name_list technique_list = LIST(techniques, "technique");
static const name_list io_path_list = LIST(io_paths, "I/O path");
static const name_list scheduler_list = LIST(schedulers, "scheduler");
static const name_list fidelity_list = LIST(fidelities, "fidelity");
static const name_list strategy_list = LIST(strategies, "migration strategy");
static const name_list pattern_list = LIST(patterns, "access pattern");
static const name_list kind_list = LIST(kinds, "guest kind");

/* Words people use for a key of another name: tried before edit distance. */
static const char *const synonyms[][2] = {
    {"cpus", "cores"}, {"cpu", "cores"},      {"ram", "memory"},   {"mem", "memory"},
    {"freq", "clock"}, {"frequency", "clock"}, {"vcpu", "vcpus"},   {"cpu_count", "vcpus"},
    {"tech", "technique"}, {"virtualization", "technique"}, {"dest", "to"}, {"destination", "to"},
    {"time", "at"},    {"start_time", "start"}, {"seconds", "duration"}, {"bw", "bandwidth"},
};

/* A host or guest template entry as resolved: the resolved text writes
 * entries, not instances, so it stays as short as the file. */
typedef struct entry_rec {
  char *pattern;      /* name pattern */
  uint64_t count;     /* instances */
  size_t first;       /* index of the first instance in hosts or guests */
  uint32_t type;      /* hosts: host type index */
  char *host;         /* guests: host pattern, or the glob when spread */
  bool spread;        /* guests: host is {spread: GLOB} */
} entry_rec;

typedef struct ctx {
  const char *file;          /* file being read, for messages */
  sim_diag *diag;
  sim_scenario *s;
  char *dir;                 /* directory of the scenario, for relative paths ("" = cwd) */
  bool oom;                  /* out of memory: stop */
  char what[NAME_MAX_LEN + 64]; /* what is being read, for messages: "host type 'std'" */
  sim_name_index type_ix, host_ix, wl_ix, guest_ix;
  size_t cap_hosts, cap_guests, cap_workloads;
  const sim_yaml_node **host_entry;  /* per host: its entry in hosts: (messages) */
  char **wl_key;             /* per workload: lookup key (name or "file:PATH") */
  const char *text;          /* the file's text, to load sweep points */
  size_t len;                /* its length, bytes */
  const sim_override *ovs;   /* the overrides given */
  size_t n_ovs;
  size_t sweep_checks;       /* sweep points checked so far */
  bool hosts_incomplete;     /* a host entry had an error: missing hosts are not news */
  size_t similar_errors[4];  /* capped error kinds: 0 name clash, 1 bad host, 2 overcommit */
  size_t suppressed;         /* errors not printed because of the caps */
  char **labels;             /* --set labels the tree's nodes point to */
  size_t n_labels, cap_labels;
  size_t cap_entries;        /* allocated host_entry */
  entry_rec *hrec, *grec;    /* host and guest template entries, for the resolved text */
  size_t n_hrec, cap_hrec, n_grec, cap_grec;
} ctx;

/* ---------- messages ---------- */

static void verr(ctx *C, const sim_yaml_node *n, const char *fmt, va_list ap) {
  char buf[900];
  vsnprintf(buf, sizeof buf, fmt, ap);
  const char *file = n && n->origin ? n->origin : C->file;
  sim_diag_error(C->diag, file, n ? n->line : 0, n ? n->col : 0, "%s", buf);
  if (C->diag->oom) C->oom = true;
}

static void err(ctx *C, const sim_yaml_node *n, const char *fmt, ...) SIM_PRINTF(3, 4);
static void err(ctx *C, const sim_yaml_node *n, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  verr(C, n, fmt, ap);
  va_end(ap);
}

/* An error of a kind that may repeat per instance: at most MAX_SIMILAR_ERRORS. */
static void err_capped(ctx *C, int kind, const sim_yaml_node *n, const char *fmt, ...) SIM_PRINTF(4, 5);
static void err_capped(ctx *C, int kind, const sim_yaml_node *n, const char *fmt, ...) {
  if (C->similar_errors[kind]++ >= MAX_SIMILAR_ERRORS) {
    C->suppressed++;
    C->diag->errors++; /* still an error, just not printed */
    return;
  }
  va_list ap;
  va_start(ap, fmt);
  verr(C, n, fmt, ap);
  va_end(ap);
}

static void nomem(ctx *C) {
  if (!C->oom) sim_diag_error(C->diag, C->file, 0, 0, "out of memory while loading the scenario");
  C->oom = true;
}

static char *dup_or_oom(ctx *C, const char *s) {
  if (!s) return NULL;
  char *d = sim_strdup(s);
  if (!d) nomem(C);
  return d;
}

static const char *found_desc(const sim_yaml_node *n, char *buf, size_t len) {
  if (n->kind == SIM_YAML_SCALAR)
    snprintf(buf, len, "\"%.200s\"", n->text);
  else
    snprintf(buf, len, "a %s", sim_yaml_kind_name(n->kind));
  return buf;
}

/* ---------- schema helpers ---------- */

static void check_keys(ctx *C, const sim_yaml_node *map, const char *const *allowed, size_t n) {
  for (size_t i = 0; i < map->n; i++) {
    const sim_yaml_node *k = map->pairs[i].key;
    size_t j;
    for (j = 0; j < n; j++)
      if (!strcmp(k->text, allowed[j])) break;
    if (j < n) continue;
    const char *near = NULL;
    for (size_t s = 0; s < sizeof synonyms / sizeof synonyms[0] && !near; s++)
      if (!strcmp(k->text, synonyms[s][0]))
        for (j = 0; j < n; j++)
          if (!strcmp(allowed[j], synonyms[s][1])) near = allowed[j];
    if (!near) near = sim_suggest(k->text, allowed, n);
    if (near)
      err(C, k, "unknown key '%s' in %s; did you mean '%s'?", k->text, C->what, near);
    else
      err(C, k, "unknown key '%s' in %s", k->text, C->what);
  }
}
#define CHECK_KEYS(C, map, arr) check_keys(C, map, arr, sizeof arr / sizeof arr[0])

/* The value of key, NULL when absent or null. */
static const sim_yaml_node *opt(const sim_yaml_node *map, const char *key) {
  const sim_yaml_node *v = sim_yaml_get(map, key);
  return v && !sim_yaml_is_null(v) ? v : NULL;
}

static const sim_yaml_node *need(ctx *C, const sim_yaml_node *map, const char *key) {
  const sim_yaml_node *v = opt(map, key);
  if (!v) err(C, map, "missing key '%s' in %s", key, C->what);
  return v;
}

static bool is_map(ctx *C, const sim_yaml_node *n, const char *expected) {
  if (n->kind == SIM_YAML_MAP) return true;
  char f[256];
  err(C, n, "expected %s (a mapping), found %s", expected, found_desc(n, f, sizeof f));
  return false;
}

static bool is_seq(ctx *C, const sim_yaml_node *n, const char *expected) {
  if (n->kind == SIM_YAML_SEQ) return true;
  char f[256];
  err(C, n, "expected %s (a sequence), found %s", expected, found_desc(n, f, sizeof f));
  return false;
}

static const char *scalar(ctx *C, const sim_yaml_node *n, const char *key, const char *expected) {
  if (n->kind == SIM_YAML_SCALAR) return n->text;
  err(C, n, "'%s' in %s: expected %s, found a %s", key, C->what, expected, sim_yaml_kind_name(n->kind));
  return NULL;
}

static bool parse_with(ctx *C, const sim_yaml_node *v, const char *key, const char *expected,
                       int rc, const char *e) {
  (void)expected;
  if (rc == 0) return true;
  err(C, v, "'%s' in %s: %s", key, C->what, e);
  return false;
}

static void get_time(ctx *C, const sim_yaml_node *map, const char *key, sim_time *out, sim_time min) {
  const sim_yaml_node *v = opt(map, key);
  if (!v) return;
  const char *t = scalar(C, v, key, "a time such as \"30 ms\"");
  if (!t) return;
  char e[400];
  sim_time x;
  if (!parse_with(C, v, key, "time", sim_parse_time(t, &x, e, sizeof e), e)) return;
  if (x < min) {
    char m[48];
    sim_format_quantity(SIM_UNIT_TIME, (double)min, m, sizeof m);
    err(C, v, "'%s' in %s must be at least %s, found \"%s\"", key, C->what, m, t);
    return;
  }
  *out = x;
}

static void get_size(ctx *C, const sim_yaml_node *map, const char *key, uint64_t *out, uint64_t min) {
  const sim_yaml_node *v = opt(map, key);
  if (!v) return;
  const char *t = scalar(C, v, key, "a size such as \"4 GiB\"");
  if (!t) return;
  char e[400];
  uint64_t x;
  if (!parse_with(C, v, key, "size", sim_parse_size(t, &x, e, sizeof e), e)) return;
  if (x < min) {
    char m[48];
    sim_format_quantity(SIM_UNIT_SIZE, (double)min, m, sizeof m);
    err(C, v, "'%s' in %s must be at least %s, found \"%s\"", key, C->what, m, t);
    return;
  }
  *out = x;
}

/* Rates and frequencies: strictly positive when `positive`. */
static void get_real(ctx *C, const sim_yaml_node *map, const char *key, double *out,
                     sim_unit_kind kind, double lo, double hi) {
  const sim_yaml_node *v = opt(map, key);
  if (!v) return;
  const char *t = scalar(C, v, key, "a quantity");
  if (!t) return;
  char e[400];
  double x = 0;
  int rc;
  switch (kind) {
    case SIM_UNIT_RATE: rc = sim_parse_rate(t, &x, e, sizeof e); break;
    case SIM_UNIT_FREQ: rc = sim_parse_freq(t, &x, e, sizeof e); break;
    case SIM_UNIT_PERCENT: rc = sim_parse_ratio(t, &x, e, sizeof e); break;
    default: rc = sim_parse_count(t, &x, e, sizeof e); break;
  }
  if (!parse_with(C, v, key, "", rc, e)) return;
  if (x < lo || x > hi) {
    char a[48], b[48];
    sim_format_quantity(kind, lo, a, sizeof a);
    sim_format_quantity(kind, hi, b, sizeof b);
    if (lo > 0 && lo < 1e-6) /* "strictly positive" */
      err(C, v, "'%s' in %s must be greater than 0 and at most %s, found \"%s\"", key, C->what, b, t);
    else if (hi >= 1e300)
      err(C, v, "'%s' in %s must be at least %s, found \"%s\"", key, C->what, a, t);
    else
      err(C, v, "'%s' in %s must be from %s to %s, found \"%s\"", key, C->what, a, b, t);
    return;
  }
  *out = x;
}
#define HUGE_MAX 1e301

static void get_count(ctx *C, const sim_yaml_node *map, const char *key, double *out) {
  get_real(C, map, key, out, SIM_UNIT_NONE, 0, HUGE_MAX);
}

static void get_uint(ctx *C, const sim_yaml_node *map, const char *key, uint64_t lo, uint64_t hi,
                     uint64_t *out) {
  const sim_yaml_node *v = opt(map, key);
  if (!v) return;
  const char *t = scalar(C, v, key, "a whole number");
  if (!t) return;
  char e[400];
  uint64_t x;
  if (sim_parse_uint(t, UINT64_MAX, &x, e, sizeof e) < 0) {
    err(C, v, "'%s' in %s: %s", key, C->what, e);
    return;
  }
  if (x < lo || x > hi) {
    err(C, v, "'%s' in %s must be from %llu to %llu, found %s", key, C->what,
        (unsigned long long)lo, (unsigned long long)hi, t);
    return;
  }
  *out = x;
}

static void get_u32(ctx *C, const sim_yaml_node *map, const char *key, uint64_t lo, uint64_t hi,
                    uint32_t *out) {
  uint64_t x = *out;
  get_uint(C, map, key, lo, hi, &x);
  *out = (uint32_t)x;
}

static bool parse_bool(ctx *C, const sim_yaml_node *v, const char *key, bool *out) {
  if (v->kind == SIM_YAML_SCALAR && !v->quoted) {
    if (!strcmp(v->text, "true") || !strcmp(v->text, "True") || !strcmp(v->text, "TRUE")) {
      *out = true;
      return true;
    }
    if (!strcmp(v->text, "false") || !strcmp(v->text, "False") || !strcmp(v->text, "FALSE")) {
      *out = false;
      return true;
    }
  }
  char f[256];
  err(C, v, "'%s' in %s: expected true or false, found %s", key, C->what, found_desc(v, f, sizeof f));
  return false;
}

static void get_bool(ctx *C, const sim_yaml_node *map, const char *key, bool *out) {
  const sim_yaml_node *v = opt(map, key);
  if (v) parse_bool(C, v, key, out);
}

static void get_str(ctx *C, const sim_yaml_node *map, const char *key, char **out) {
  const sim_yaml_node *v = opt(map, key);
  if (!v) return;
  const char *t = scalar(C, v, key, "a string");
  if (!t) return;
  char *d = dup_or_oom(C, t);
  if (!d) return;
  sim_free(*out);
  *out = d;
}

/* A name from a fixed list; *out is the index.  false when absent or wrong. */
static bool get_enum(ctx *C, const sim_yaml_node *map, const char *key, const name_list *list,
                     size_t *out) {
  const sim_yaml_node *v = opt(map, key);
  if (!v) return false;
  const char *t = scalar(C, v, key, "a name");
  if (!t) return false;
  for (size_t i = 0; i < list->n; i++)
    if (!strcmp(t, list->names[i])) {
      *out = i;
      return true;
    }
  char known[300] = "";
  for (size_t i = 0; i < list->n; i++) {
    strncat(known, list->names[i], sizeof known - strlen(known) - 1);
    if (i + 1 < list->n) strncat(known, ", ", sizeof known - strlen(known) - 1);
  }
  const char *near = sim_suggest(t, list->names, list->n);
  if (near)
    err(C, v, "unknown %s '%s' in %s; did you mean '%s'? (known: %s)", list->what, t, C->what, near, known);
  else
    err(C, v, "unknown %s '%s' in %s (known: %s)", list->what, t, C->what, known);
  return false;
}

static void get_enum_str(ctx *C, const sim_yaml_node *map, const char *key, const name_list *list,
                         char **out) {
  size_t i;
  if (!get_enum(C, map, key, list, &i)) return;
  char *d = dup_or_oom(C, list->names[i]);
  if (!d) return;
  sim_free(*out);
  *out = d;
}

static void set_what(ctx *C, const char *fmt, ...) SIM_PRINTF(2, 3);
static void set_what(ctx *C, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(C->what, sizeof C->what, fmt, ap);
  va_end(ap);
}

/* Path relative to the scenario's directory (absolute paths kept). */
static char *rel_path(ctx *C, const char *p) {
  if (p[0] == '/' || !C->dir || !*C->dir) return dup_or_oom(C, p);
  size_t n = strlen(C->dir) + strlen(p) + 2;
  char *out = sim_malloc(n);
  if (!out) {
    nomem(C);
    return NULL;
  }
  snprintf(out, n, "%s/%s", C->dir, p);
  return out;
}

/* A calibration given as a relative path is relative to the scenario. */
static void resolve_calibration(ctx *C, char **cal) {
  if (!*cal) return;
  size_t n = strlen(*cal);
  bool is_path = strchr(*cal, '/') || (n > 5 && !strcmp(*cal + n - 5, ".yaml"));
  if (!is_path || (*cal)[0] == '/' || !C->dir || !*C->dir) return;
  char *p = rel_path(C, *cal);
  if (!p) return;
  sim_free(*cal);
  *cal = p;
}

/* ---------- simulation ---------- */

static void load_simulation(ctx *C, const sim_yaml_node *sim) {
  sim_scenario *s = C->s;
  if (!sim || !is_map(C, sim, "the simulation section")) return;
  static const char *const keys[] = {"duration", "seed", "run_index", "output", "record"};
  set_what(C, "simulation");
  CHECK_KEYS(C, sim, keys);
  get_time(C, sim, "duration", &s->duration_ns, 0);
  get_uint(C, sim, "seed", 0, UINT64_MAX, &s->seed);
  get_u32(C, sim, "run_index", 0, UINT32_MAX, &s->run_index);
  get_str(C, sim, "output", &s->output);
  const sim_yaml_node *rec = opt(sim, "record");
  if (!rec || !is_map(C, rec, "the record section")) return;
  static const char *const rkeys[] = {"sample_interval", "events", "series", "signals",
                                      "request_latencies", "compression"};
  set_what(C, "simulation.record");
  CHECK_KEYS(C, rec, rkeys);
  get_time(C, rec, "sample_interval", &s->record.sample_interval_ns, 1);
  get_bool(C, rec, "events", &s->record.events);
  get_bool(C, rec, "series", &s->record.series);
  get_bool(C, rec, "request_latencies", &s->record.request_latencies);
  uint64_t level = (uint64_t)s->record.compression_level;
  get_uint(C, rec, "compression", 0, 9, &level);
  s->record.compression_level = (int)level;
  const sim_yaml_node *sig = opt(rec, "signals");
  if (sig && is_seq(C, sig, "a list of signal names")) {
    s->record.signals = sim_calloc(sig->n, sizeof *s->record.signals);
    if (!s->record.signals) {
      nomem(C);
      return;
    }
    for (size_t i = 0; i < sig->n && !C->oom; i++) {
      const char *t = scalar(C, sig->items[i], "signals", "a signal name");
      if (!t) continue;
      s->record.signals[s->record.n_signals] = dup_or_oom(C, t);
      if (s->record.signals[s->record.n_signals]) s->record.n_signals++;
    }
  }
}

/* ---------- host types ---------- */

static void load_nics_disks(ctx *C, const sim_yaml_node *ht, sim_host_type *t) {
  const sim_yaml_node *nics = opt(ht, "nics");
  char saved[sizeof C->what];
  memcpy(saved, C->what, sizeof saved);
  if (nics && is_seq(C, nics, "a list of NICs")) {
    t->nics = sim_calloc(nics->n, sizeof *t->nics);
    if (!t->nics) { nomem(C); return; }
    t->n_nics = nics->n;
    for (size_t i = 0; i < nics->n && !C->oom; i++) {
      const sim_yaml_node *m = nics->items[i];
      sim_nic_spec *nic = &t->nics[i];
      nic->latency_ns = 50 * SIM_US;
      char dflt[32];
      snprintf(dflt, sizeof dflt, "eth%zu", i);
      nic->name = dup_or_oom(C, dflt);
      if (!is_map(C, m, "a NIC")) continue;
      static const char *const keys[] = {"name", "bandwidth", "latency"};
      set_what(C, "NIC %zu of %.200s", i, saved);
      CHECK_KEYS(C, m, keys);
      get_str(C, m, "name", &nic->name);
      if (need(C, m, "bandwidth")) get_real(C, m, "bandwidth", &nic->bandwidth_bps, SIM_UNIT_RATE, 1, HUGE_MAX);
      get_time(C, m, "latency", &nic->latency_ns, 0);
    }
  }
  const sim_yaml_node *disks = opt(ht, "disks");
  if (disks && is_seq(C, disks, "a list of disks")) {
    t->disks = sim_calloc(disks->n, sizeof *t->disks);
    if (!t->disks) { nomem(C); return; }
    t->n_disks = disks->n;
    for (size_t i = 0; i < disks->n && !C->oom; i++) {
      const sim_yaml_node *m = disks->items[i];
      sim_disk_spec *d = &t->disks[i];
      d->latency_ns = 5 * SIM_MS;
      d->queue_depth = 32;
      char dflt[32];
      snprintf(dflt, sizeof dflt, "disk%zu", i);
      d->name = dup_or_oom(C, dflt);
      if (!is_map(C, m, "a disk")) continue;
      static const char *const keys[] = {"name", "iops", "bandwidth", "latency", "queue_depth"};
      set_what(C, "disk %zu of %.200s", i, saved);
      CHECK_KEYS(C, m, keys);
      get_str(C, m, "name", &d->name);
      if (need(C, m, "iops")) get_real(C, m, "iops", &d->iops, SIM_UNIT_NONE, 1e-9, HUGE_MAX);
      double bps = 0;
      if (need(C, m, "bandwidth")) get_real(C, m, "bandwidth", &bps, SIM_UNIT_RATE, 1, HUGE_MAX);
      d->bandwidth_Bps = bps / 8;
      get_time(C, m, "latency", &d->latency_ns, 0);
      get_u32(C, m, "queue_depth", 1, 65536, &d->queue_depth);
    }
  }
  memcpy(C->what, saved, sizeof saved);
}

static void load_host_types(ctx *C, const sim_yaml_node *types) {
  sim_scenario *s = C->s;
  if (!types) {
    err(C, NULL, "missing section 'host_types'");
    return;
  }
  if (!is_map(C, types, "host types (a mapping from type name to its description)")) return;
  s->host_types = sim_calloc(types->n, sizeof *s->host_types);
  if (!s->host_types || sim_name_index_init(&C->type_ix, types->n) < 0) { nomem(C); return; }
  for (size_t i = 0; i < types->n && !C->oom; i++) {
    const sim_yaml_node *key = types->pairs[i].key, *m = types->pairs[i].value;
    sim_host_type *t = &s->host_types[s->n_host_types];
    t->name = dup_or_oom(C, key->text);
    if (!t->name) return;
    s->n_host_types++;
    if (sim_name_index_add(&C->type_ix, &s->host_types[0].name, sizeof *t, t->name,
                           (uint32_t)(s->n_host_types - 1)) == -1) {
      nomem(C);
      return;
    }
    t->tlb_tagged = -1;
    t->fidelity = dup_or_oom(C, "quantum");
    set_what(C, "host type '%.200s'", key->text);
    if (!is_map(C, m, "a host type")) continue;
    static const char *const keys[] = {"cores", "clock", "memory", "tlb_entries_4k", "tlb_entries_2m",
                                       "page_walk_levels", "pwc_entries", "tlb_tagged", "scheduler",
                                       "fidelity", "allow_overcommit", "calibration", "nics", "disks"};
    CHECK_KEYS(C, m, keys);
    if (need(C, m, "cores")) get_u32(C, m, "cores", 1, 65536, &t->cores);
    if (need(C, m, "clock")) get_real(C, m, "clock", &t->clock_hz, SIM_UNIT_FREQ, 1e6, 100e9);
    if (need(C, m, "memory")) get_size(C, m, "memory", &t->memory_bytes, 1 << 20);
    get_u32(C, m, "tlb_entries_4k", 0, 1000000, &t->tlb_entries_4k);
    get_u32(C, m, "tlb_entries_2m", 0, 1000000, &t->tlb_entries_2m);
    get_u32(C, m, "page_walk_levels", 0, 5, &t->page_walk_levels);
    if (t->page_walk_levels == 1) err(C, opt(m, "page_walk_levels"), "'page_walk_levels' in %s must be 0 (from the profile) or 2 to 5, found 1", C->what);
    get_u32(C, m, "pwc_entries", 0, 1000000, &t->pwc_entries);
    const sim_yaml_node *tag = opt(m, "tlb_tagged");
    if (tag) {
      bool b;
      if (tag->kind == SIM_YAML_SCALAR && !strcmp(tag->text, "profile"))
        t->tlb_tagged = -1;
      else if (parse_bool(C, tag, "tlb_tagged", &b))
        t->tlb_tagged = b;
    }
    get_enum_str(C, m, "scheduler", &scheduler_list, &t->scheduler);
    get_enum_str(C, m, "fidelity", &fidelity_list, &t->fidelity);
    get_bool(C, m, "allow_overcommit", &t->allow_overcommit);
    get_str(C, m, "calibration", &t->calibration);
    resolve_calibration(C, &t->calibration);
    load_nics_disks(C, m, t);
  }
}

/* ---------- hosts ---------- */

static int grow_hosts(ctx *C, size_t need_n) {
  if (sim_grow((void **)&C->s->hosts, &C->cap_hosts, need_n, sizeof *C->s->hosts) < 0) return -1;
  return sim_grow((void **)&C->host_entry, &C->cap_entries, need_n, sizeof *C->host_entry);
}

/* Position of a host, guest or host type by name; -1 when absent. */
static long find_host(ctx *C, const char *name) {
  if (!C->s->n_hosts) return -1;
  return sim_name_index_find(&C->host_ix, &C->s->hosts[0].name, sizeof *C->s->hosts, name);
}

static long find_guest(ctx *C, const char *name) {
  if (!C->s->n_guests) return -1;
  return sim_name_index_find(&C->guest_ix, &C->s->guests[0].name, sizeof *C->s->guests, name);
}

static long find_type(ctx *C, const char *name) {
  if (!C->s->n_host_types) return -1;
  return sim_name_index_find(&C->type_ix, &C->s->host_types[0].name, sizeof *C->s->host_types, name);
}

static uint64_t get_count_field(ctx *C, const sim_yaml_node *m) {
  uint64_t count = 1;
  get_uint(C, m, "count", 1, MAX_INSTANCES, &count);
  return count;
}

static void load_hosts(ctx *C, const sim_yaml_node *hosts) {
  sim_scenario *s = C->s;
  if (!hosts) {
    err(C, NULL, "missing section 'hosts'");
    return;
  }
  if (!is_seq(C, hosts, "a list of hosts")) return;
  if (sim_name_index_init(&C->host_ix, 64) < 0) { nomem(C); return; }
  for (size_t e = 0; e < hosts->n && !C->oom; e++) {
    const sim_yaml_node *m = hosts->items[e];
    set_what(C, "host entry %zu", e);
    if (!is_map(C, m, "a host entry {name, type, count}")) continue;
    const sim_yaml_node *nn = opt(m, "name");
    if (nn && nn->kind == SIM_YAML_SCALAR) set_what(C, "host '%.200s'", nn->text);
    static const char *const keys[] = {"name", "type", "count"};
    CHECK_KEYS(C, m, keys);
    uint64_t count = get_count_field(C, m);
    const char *pattern = nn ? scalar(C, nn, "name", "a host name") : NULL;
    if (!nn) need(C, m, "name");
    const sim_yaml_node *tn = need(C, m, "type");
    const char *tname = tn ? scalar(C, tn, "type", "a host type name") : NULL;
    long type = -1;
    if (tname) {
      type = find_type(C, tname);
      if (type < 0) {
        const char **names = sim_malloc((s->n_host_types + 1) * sizeof *names);
        if (!names) { nomem(C); return; }
        for (size_t i = 0; i < s->n_host_types; i++) names[i] = s->host_types[i].name;
        const char *near = sim_suggest(tname, names, s->n_host_types);
        if (near)
          err(C, tn, "%s has type '%s', which is not in host_types; did you mean '%s'?", C->what, tname, near);
        else
          err(C, tn, "%s has type '%s', which is not in host_types", C->what, tname);
        sim_free(names);
      }
    }
    if (!pattern || type < 0) {
      C->hosts_incomplete = true;
      continue;
    }
    if (sim_grow((void **)&C->hrec, &C->cap_hrec, C->n_hrec + 1, sizeof *C->hrec) < 0) { nomem(C); return; }
    entry_rec *rec = &C->hrec[C->n_hrec];
    memset(rec, 0, sizeof *rec);
    if (!(rec->pattern = dup_or_oom(C, pattern))) return;
    rec->count = count;
    rec->first = s->n_hosts;
    rec->type = (uint32_t)type;
    C->n_hrec++;
    if (s->n_hosts + count > MAX_INSTANCES) {
      err(C, m, "too many hosts: more than %llu in total", (unsigned long long)MAX_INSTANCES);
      return;
    }
    if (grow_hosts(C, s->n_hosts + count) < 0) { nomem(C); return; }
    for (uint64_t i = 0; i < count && !C->oom; i++) {
      char name[NAME_MAX_LEN], e2[400];
      if (sim_name_expand(pattern, i, name, sizeof name, e2, sizeof e2) < 0) {
        err(C, nn, "%s", e2);
        break;
      }
      if (!name[0]) {
        err(C, nn, "a host name must not be empty");
        break;
      }
      sim_host *h = &s->hosts[s->n_hosts];
      h->name = dup_or_oom(C, name);
      if (!h->name) return;
      h->type = (uint32_t)type;
      C->host_entry[s->n_hosts] = m;
      long other = sim_name_index_add(&C->host_ix, &s->hosts[0].name, sizeof *h, name, (uint32_t)s->n_hosts);
      if (other == -1) {
        sim_free(h->name);
        { nomem(C); return; }
      }
      if (other >= 0) {
        const sim_yaml_node *o = C->host_entry[other];
        err_capped(C, 0, nn, "host name '%s' is already used by the host entry at line %d", name, o->line);
        sim_free(h->name);
        continue;
      }
      s->n_hosts++;
    }
  }
  if (s->n_hosts == 0 && hosts->n == 0) err(C, hosts, "the scenario has no hosts");
}

/* ---------- workloads ---------- */

static void load_ops(ctx *C, const sim_yaml_node *ops, sim_phase *ph) {
  static const char *const keys[] = {"instructions", "cpi", "syscalls", "rdtsc", "cli", "cr8_writes",
                                     "port_io", "pte_updates", "page_faults", "process_creations",
                                     "call_ret", "divide_faults", "new_code_bytes", "memory", "disk", "net"};
  CHECK_KEYS(C, ops, keys);
  get_count(C, ops, "instructions", &ph->instructions);
  get_real(C, ops, "cpi", &ph->cycles_per_instruction, SIM_UNIT_NONE, 1e-6, 1e6);
  get_count(C, ops, "syscalls", &ph->syscalls);
  get_count(C, ops, "rdtsc", &ph->rdtsc);
  get_count(C, ops, "cli", &ph->cli);
  get_count(C, ops, "cr8_writes", &ph->cr8_writes);
  get_count(C, ops, "port_io", &ph->port_io);
  get_count(C, ops, "pte_updates", &ph->pte_updates);
  get_count(C, ops, "page_faults", &ph->page_faults);
  get_count(C, ops, "process_creations", &ph->process_creations);
  get_count(C, ops, "call_ret", &ph->call_ret);
  get_count(C, ops, "divide_faults", &ph->divide_faults);
  const sim_yaml_node *ncb = opt(ops, "new_code_bytes");
  if (ncb) {
    const char *t = scalar(C, ncb, "new_code_bytes", "a size or a number of bytes");
    sim_quantity q;
    char e[400];
    if (t) {
      if (sim_quantity_parse(t, &q, e, sizeof e) < 0)
        err(C, ncb, "'new_code_bytes' in %s: expected a size such as \"4 KiB\" or a number of bytes, %s", C->what, e);
      else if (q.kind != SIM_UNIT_SIZE && q.kind != SIM_UNIT_NONE)
        err(C, ncb, "'new_code_bytes' in %s: expected a size such as \"4 KiB\" or a number of bytes, found \"%s\" (a %s)",
            C->what, t, sim_unit_kind_name(q.kind));
      else
        ph->new_code_bytes = q.value;
    }
  }
  char saved[sizeof C->what];
  memcpy(saved, C->what, sizeof saved);
  const sim_yaml_node *mem = opt(ops, "memory");
  if (mem && is_seq(C, mem, "a list of memory access streams")) {
    ph->access = sim_calloc(mem->n, sizeof *ph->access);
    if (!ph->access) { nomem(C); return; }
    ph->n_access = mem->n;
    for (size_t i = 0; i < mem->n; i++) {
      const sim_yaml_node *m = mem->items[i];
      sim_access_spec *a = &ph->access[i];
      a->pattern = SIM_ACCESS_RANDOM;
      a->stride_bytes = 64;
      a->page_bytes = 4096;
      set_what(C, "memory stream %zu of %.200s", i, saved);
      if (!is_map(C, m, "a memory access stream")) continue;
      static const char *const mkeys[] = {"count", "working_set", "pattern", "stride", "page_size", "write_fraction"};
      CHECK_KEYS(C, m, mkeys);
      get_count(C, m, "count", &a->count);
      if (need(C, m, "working_set")) get_size(C, m, "working_set", &a->working_set_bytes, 1);
      size_t p;
      if (get_enum(C, m, "pattern", &pattern_list, &p)) a->pattern = (sim_access_pattern)p;
      get_size(C, m, "stride", &a->stride_bytes, 1);
      get_size(C, m, "page_size", &a->page_bytes, 1);
      if (a->page_bytes != 4096 && a->page_bytes != 2097152)
        err(C, opt(m, "page_size"), "'page_size' in %s must be 4 KiB or 2 MiB", C->what);
      get_real(C, m, "write_fraction", &a->write_fraction, SIM_UNIT_PERCENT, 0, 1);
    }
  }
  const sim_yaml_node *disk = opt(ops, "disk");
  ph->disk_request_bytes = 4096;
  ph->disk_random = true;
  if (disk && is_map(C, disk, "disk requests {reads, writes, request_size, random}")) {
    set_what(C, "disk requests of %.200s", saved);
    static const char *const dkeys[] = {"reads", "writes", "request_size", "random"};
    CHECK_KEYS(C, disk, dkeys);
    get_count(C, disk, "reads", &ph->disk_reads);
    get_count(C, disk, "writes", &ph->disk_writes);
    get_size(C, disk, "request_size", &ph->disk_request_bytes, 1);
    get_bool(C, disk, "random", &ph->disk_random);
  }
  const sim_yaml_node *net = opt(ops, "net");
  if (net && is_map(C, net, "network exchanges {messages, tx, rx}")) {
    set_what(C, "network exchanges of %.200s", saved);
    static const char *const nkeys[] = {"messages", "tx", "rx"};
    CHECK_KEYS(C, net, nkeys);
    get_count(C, net, "messages", &ph->net_messages);
    get_size(C, net, "tx", &ph->net_tx_bytes, 0);
    get_size(C, net, "rx", &ph->net_rx_bytes, 0);
  }
  memcpy(C->what, saved, sizeof saved);
}

/* Parses a workload mapping into w (zeroed by the caller); `key` is its
 * name in the scenario, or NULL for a workload file (then `name` is required). */
static void load_workload(ctx *C, const sim_yaml_node *m, const char *key, sim_workload *w) {
  set_what(C, "workload '%.200s'", key ? key : "?");
  if (!is_map(C, m, "a workload")) return;
  static const char *const keys[] = {"name", "description", "source", "repeat", "trace", "phases"};
  const sim_yaml_node *nn = key ? opt(m, "name") : need(C, m, "name");
  const char *name = nn ? scalar(C, nn, "name", "a workload name") : key;
  if (!name) name = "?";
  if (key && nn && strcmp(name, key))
    err(C, nn, "workload '%s' is named '%s'; the name must match its key", key, name);
  set_what(C, "workload '%.200s'", name);
  CHECK_KEYS(C, m, keys);
  w->name = dup_or_oom(C, key ? key : name);
  get_str(C, m, "description", &w->description);
  get_str(C, m, "source", &w->source);
  get_bool(C, m, "repeat", &w->repeat);
  const sim_yaml_node *tr = opt(m, "trace");
  if (tr && is_map(C, tr, "a trace {file, interval}")) {
    static const char *const tkeys[] = {"file", "interval"};
    CHECK_KEYS(C, tr, tkeys);
    w->trace_interval_ns = 300 * SIM_S;
    get_time(C, tr, "interval", &w->trace_interval_ns, 1);
    const sim_yaml_node *f = need(C, tr, "file");
    const char *t = f ? scalar(C, f, "file", "a path") : NULL;
    if (t) {
      w->trace_path = rel_path(C, t);
      if (w->trace_path && access(w->trace_path, R_OK) != 0)
        err(C, f, "trace file '%s' of %s cannot be read", w->trace_path, C->what);
    }
  }
  const sim_yaml_node *ph = opt(m, "phases");
  if (!ph && !tr) {
    err(C, m, "%s has neither 'phases' nor 'trace'", C->what);
    return;
  }
  if (!ph || !is_seq(C, ph, "a list of phases")) return;
  if (ph->n == 0) err(C, ph, "%s has an empty list of phases", C->what);
  w->phases = sim_calloc(ph->n, sizeof *w->phases);
  if (!w->phases) { nomem(C); return; }
  w->n_phases = ph->n;
  char saved[sizeof C->what];
  memcpy(saved, C->what, sizeof saved);
  for (size_t i = 0; i < ph->n && !C->oom; i++) {
    const sim_yaml_node *p = ph->items[i];
    sim_phase *f = &w->phases[i];
    f->cycles_per_instruction = 1;
    f->cpu_demand = 1;
    f->disk_request_bytes = 4096;
    f->disk_random = true;
    char dflt[32];
    snprintf(dflt, sizeof dflt, "phase%zu", i);
    f->name = dup_or_oom(C, dflt);
    set_what(C, "phase %zu of %.200s", i, saved);
    if (!is_map(C, p, "a phase")) continue;
    static const char *const pkeys[] = {"name", "units", "duration", "cpu_demand", "io_window", "ops", "dirty"};
    CHECK_KEYS(C, p, pkeys);
    get_str(C, p, "name", &f->name);
    set_what(C, "phase '%.100s' of %.200s", f->name ? f->name : "?", saved);
    get_count(C, p, "units", &f->units);
    get_time(C, p, "duration", &f->duration_ns, 0);
    if ((f->units > 0) == (f->duration_ns > 0) && !C->oom)
      err(C, p, "%s needs exactly one of 'units' and 'duration' greater than 0", C->what);
    get_real(C, p, "cpu_demand", &f->cpu_demand, SIM_UNIT_PERCENT, 1e-9, 1);
    /* a window beyond a million units is no longer a buffer but a mistake */
    get_u32(C, p, "io_window", 0, 1000000, &f->io_window);
    const sim_yaml_node *ops = opt(p, "ops");
    if (ops && is_map(C, ops, "an operation mix")) load_ops(C, ops, f);
    const sim_yaml_node *dirty = opt(p, "dirty");
    if (dirty && is_seq(C, dirty, "a list of dirty page groups {pages, rate}")) {
      f->dirty = sim_calloc(dirty->n, sizeof *f->dirty);
      if (!f->dirty) { nomem(C); return; }
      f->n_dirty = dirty->n;
      for (size_t d = 0; d < dirty->n; d++) {
        const sim_yaml_node *g = dirty->items[d];
        if (!is_map(C, g, "a dirty page group {pages, rate}")) continue;
        static const char *const gkeys[] = {"pages", "rate"};
        CHECK_KEYS(C, g, gkeys);
        double pages = 0;
        if (need(C, g, "pages")) get_real(C, g, "pages", &pages, SIM_UNIT_NONE, 0, 1e15);
        f->dirty[d].pages = (uint64_t)pages;
        if (need(C, g, "rate")) get_real(C, g, "rate", &f->dirty[d].rate_hz, SIM_UNIT_FREQ, 0, 1e12);
      }
    }
  }
  memcpy(C->what, saved, sizeof saved);
}

static long add_workload_slot(ctx *C, const char *lookup_key) {
  sim_scenario *s = C->s;
  size_t cap = C->cap_workloads;
  if (sim_grow((void **)&s->workloads, &C->cap_workloads, s->n_workloads + 1, sizeof *s->workloads) < 0)
    return -1;
  if (sim_grow((void **)&C->wl_key, &cap, s->n_workloads + 1, sizeof *C->wl_key) < 0) return -1;
  if (cap != C->cap_workloads) {
    void *p = sim_realloc(C->wl_key, C->cap_workloads * sizeof *C->wl_key);
    if (!p) return -1;
    C->wl_key = p;
  }
  size_t i = s->n_workloads;
  memset(&s->workloads[i], 0, sizeof s->workloads[i]);
  C->wl_key[i] = sim_strdup(lookup_key);
  if (!C->wl_key[i]) return -1;
  s->n_workloads++;
  if (sim_name_index_add(&C->wl_ix, C->wl_key, sizeof *C->wl_key, C->wl_key[i], (uint32_t)i) == -1)
    return -1;
  return (long)i;
}

static void load_workloads(ctx *C, const sim_yaml_node *wls) {
  if (sim_name_index_init(&C->wl_ix, 16) < 0) { nomem(C); return; }
  if (!wls || !is_map(C, wls, "workloads (a mapping from workload name to its description)")) return;
  for (size_t i = 0; i < wls->n && !C->oom; i++) {
    long k = add_workload_slot(C, wls->pairs[i].key->text);
    if (k < 0) { nomem(C); return; }
    load_workload(C, wls->pairs[i].value, wls->pairs[i].key->text, &C->s->workloads[k]);
  }
}

/* Loads a workload file into a new slot under `lookup`; -1 on error. */
static long load_workload_file(ctx *C, const sim_yaml_node *at, const char *path, const char *lookup) {
  char *text = NULL;
  size_t len = 0;
  char e[400];
  if (sim_read_file(path, &text, &len, e, sizeof e) < 0) {
    if (!text && strstr(e, "memory")) nomem(C);
    err(C, at, "cannot read workload file '%s': %s", path, e);
    return -1;
  }
  sim_yaml_node *root = NULL;
  int rc = sim_yaml_parse(path, text, len, &root, C->diag);
  sim_free(text);
  if (rc < 0) return -1;
  long k = add_workload_slot(C, lookup);
  if (k < 0) {
    sim_yaml_free(root);
    nomem(C);
    return -1;
  }
  const char *saved_file = C->file;
  char saved_what[sizeof C->what];
  memcpy(saved_what, C->what, sizeof saved_what);
  C->file = path;
  if (!root)
    err(C, NULL, "empty workload file");
  else
    load_workload(C, root, NULL, &C->s->workloads[k]);
  C->file = saved_file;
  memcpy(C->what, saved_what, sizeof saved_what);
  sim_yaml_free(root);
  return k;
}

/* The workload a guest entry names; -1 when it cannot be resolved. */
static long resolve_workload(ctx *C, const sim_yaml_node *v) {
  sim_scenario *s = C->s;
  if (v->kind == SIM_YAML_MAP) {
    static const char *const keys[] = {"file"};
    CHECK_KEYS(C, v, keys);
    const sim_yaml_node *f = need(C, v, "file");
    const char *t = f ? scalar(C, f, "file", "a path") : NULL;
    if (!t) return -1;
    char *path = rel_path(C, t);
    if (!path) return -1;
    size_t kl = strlen(path) + 6;
    char *lookup = sim_malloc(kl);
    if (!lookup) {
      sim_free(path);
      nomem(C);
      return -1;
    }
    snprintf(lookup, kl, "file:%s", path);
    long k = sim_name_index_find(&C->wl_ix, C->wl_key, sizeof *C->wl_key, lookup);
    if (k < 0) k = load_workload_file(C, f, path, lookup);
    sim_free(lookup);
    sim_free(path);
    return k;
  }
  const char *name = scalar(C, v, "workload", "a workload name or {file: PATH}");
  if (!name) return -1;
  long k = sim_name_index_find(&C->wl_ix, C->wl_key, sizeof *C->wl_key, name);
  if (k >= 0) return k;
  char *path = NULL;
  int rc = strchr(name, '/') ? -1 : sim_data_find("workloads", name, &path);
  if (rc == -2) {
    nomem(C);
    return -1;
  }
  if (rc == 0) {
    k = load_workload_file(C, v, path, name);
    sim_free(path);
    return k;
  }
  const char **names = sim_malloc((s->n_workloads + 1) * sizeof *names);
  if (!names) {
    nomem(C);
    return -1;
  }
  size_t n = 0;
  for (size_t i = 0; i < s->n_workloads; i++)
    if (strncmp(C->wl_key[i], "file:", 5)) names[n++] = C->wl_key[i];
  const char *near = sim_suggest(name, names, n);
  if (near)
    err(C, v, "%s uses workload '%s', which is neither in workloads nor shipped; did you mean '%s'?", C->what, name, near);
  else
    err(C, v, "%s uses workload '%s', which is neither in workloads nor shipped", C->what, name);
  sim_free(names);
  return -1;
}

/* ---------- guests ---------- */

static int grow_guests(ctx *C, size_t need_n) {
  return sim_grow((void **)&C->s->guests, &C->cap_guests, need_n, sizeof *C->s->guests);
}

static const char *const default_io[] = {"native", "bridge", "emulated", "pv", "emulated", "virtio"};

static void load_guests(ctx *C, const sim_yaml_node *guests) {
  sim_scenario *s = C->s;
  if (sim_name_index_init(&C->guest_ix, 64) < 0) { nomem(C); return; }
  if (!guests || !is_seq(C, guests, "a list of guests")) return;
  uint64_t *vcpus_on = NULL;
  uint64_t *mem_on = NULL;
  for (size_t e = 0; e < guests->n && !C->oom; e++) {
    const sim_yaml_node *m = guests->items[e];
    set_what(C, "guest entry %zu", e);
    if (!is_map(C, m, "a guest entry")) continue;
    const sim_yaml_node *nn = opt(m, "name");
    if (nn && nn->kind == SIM_YAML_SCALAR) set_what(C, "guest '%.200s'", nn->text);
    static const char *const keys[] = {"name", "count", "technique", "kind", "io_path", "host", "vcpus",
                                       "memory", "pinning", "weight", "cap", "huge_pages", "workload",
                                       "start", "replications", "disk", "zero_fraction"};
    CHECK_KEYS(C, m, keys);
    const char *pattern = nn ? scalar(C, nn, "name", "a guest name") : NULL;
    if (!nn) need(C, m, "name");
    uint64_t count = get_count_field(C, m);
    sim_guest g;
    memset(&g, 0, sizeof g);
    g.vcpus = 1;
    g.memory_bytes = 1ULL << 30;
    g.weight = 256;
    g.replications = 1;
    size_t tech = 0;
    bool ok = true;
    if (!need(C, m, "technique") || !get_enum(C, m, "technique", &technique_list, &tech)) ok = false;
    g.kind = tech == 0 ? SIM_GUEST_NATIVE : tech == 1 ? SIM_GUEST_CONTAINER : SIM_GUEST_VM;
    size_t kind;
    if (ok && get_enum(C, m, "kind", &kind_list, &kind)) {
      sim_guest_kind want = kind == 0 ? SIM_GUEST_VM : kind == 1 ? SIM_GUEST_CONTAINER : SIM_GUEST_NATIVE;
      if (want != g.kind)
        err(C, opt(m, "kind"), "%s is of kind '%s' but uses technique '%s'", C->what, kinds[kind], techniques[tech]);
    }
    const char *io = default_io[tech];
    size_t io_i;
    if (get_enum(C, m, "io_path", &io_path_list, &io_i)) io = io_paths[io_i];
    get_u32(C, m, "vcpus", 1, 4096, &g.vcpus);
    get_size(C, m, "memory", &g.memory_bytes, 1 << 20);
    get_u32(C, m, "weight", 1, 65535, &g.weight);
    get_real(C, m, "cap", &g.cap, SIM_UNIT_PERCENT, 0, 4096);
    if (g.cap > g.vcpus) {
      err(C, opt(m, "cap"), "'cap' in %s is %g CPUs, more than its %u vCPUs", C->what, g.cap, g.vcpus);
      ok = false;
    }
    get_bool(C, m, "huge_pages", &g.huge_pages);
    get_time(C, m, "start", &g.start_ns, 0);
    get_u32(C, m, "replications", 1, 1000, &g.replications);
    /* migration: the disk image block migration copies, and the memory share
     * of zero pages that zero-page elision sends as headers only */
    get_size(C, m, "disk", &g.disk_bytes, 0);
    get_real(C, m, "zero_fraction", &g.zero_fraction, SIM_UNIT_PERCENT, 0, 0.999);
    const sim_yaml_node *pin = opt(m, "pinning");
    int32_t *pinning = NULL;
    if (pin && is_seq(C, pin, "a list of physical CPUs, one per vCPU")) {
      if (pin->n != g.vcpus) {
        err(C, pin, "'pinning' in %s lists %zu CPU%s for %u vCPU%s; it needs one per vCPU", C->what,
            pin->n, pin->n == 1 ? "" : "s", g.vcpus, g.vcpus == 1 ? "" : "s");
        ok = false;
      } else {
        pinning = sim_calloc(pin->n, sizeof *pinning);
        if (!pinning) { nomem(C); return; }
        for (size_t i = 0; i < pin->n; i++) {
          const char *t = scalar(C, pin->items[i], "pinning", "a CPU number");
          int64_t v;
          char e2[300];
          if (!t) ok = false;
          else if (sim_parse_int(t, -1, 65535, &v, e2, sizeof e2) < 0) {
            err(C, pin->items[i], "'pinning' in %s: %s", C->what, e2);
            ok = false;
          } else
            pinning[i] = (int32_t)v;
        }
      }
    }
    long wl = -1;
    const sim_yaml_node *wv = need(C, m, "workload");
    if (wv) wl = resolve_workload(C, wv);
    if (C->oom) {
      sim_free(pinning);
      break;
    }
    /* host assignment */
    const sim_yaml_node *hv = need(C, m, "host");
    const char *host_pattern = NULL;
    uint32_t *spread = NULL;
    size_t n_spread = 0;
    if (hv && hv->kind == SIM_YAML_MAP) {
      static const char *const hkeys[] = {"spread"};
      CHECK_KEYS(C, hv, hkeys);
      const sim_yaml_node *gv = need(C, hv, "spread");
      const char *glob = gv ? scalar(C, gv, "spread", "a glob of host names") : NULL;
      if (glob) {
        spread = sim_malloc((s->n_hosts + 1) * sizeof *spread);
        if (!spread) {
          sim_free(pinning);
          { nomem(C); return; }
        }
        for (size_t h = 0; h < s->n_hosts; h++)
          if (fnmatch(glob, s->hosts[h].name, 0) == 0) spread[n_spread++] = (uint32_t)h;
        if (!n_spread) {
          err(C, gv, "%s is spread over hosts matching '%s', but no host matches", C->what, glob);
          ok = false;
        }
      } else
        ok = false;
    } else if (hv) {
      host_pattern = scalar(C, hv, "host", "a host name or {spread: GLOB}");
      if (!host_pattern) ok = false;
    } else
      ok = false;
    if (!pattern || wl < 0 || !ok) {
      sim_free(pinning);
      sim_free(spread);
      continue;
    }
    g.workload = (uint32_t)wl;
    if (sim_grow((void **)&C->grec, &C->cap_grec, C->n_grec + 1, sizeof *C->grec) < 0) {
      sim_free(pinning);
      sim_free(spread);
      nomem(C);
      return;
    }
    entry_rec *rec = &C->grec[C->n_grec];
    memset(rec, 0, sizeof *rec);
    rec->pattern = dup_or_oom(C, pattern);
    rec->host = dup_or_oom(C, spread ? scalar(C, sim_yaml_get(hv, "spread"), "spread", "a glob") : host_pattern);
    rec->spread = spread != NULL;
    rec->count = count;
    rec->first = s->n_guests;
    C->n_grec++;
    if (!rec->pattern || !rec->host) {
      sim_free(pinning);
      sim_free(spread);
      return;
    }
    if (s->n_guests + count > MAX_INSTANCES || grow_guests(C, s->n_guests + count) < 0) {
      sim_free(pinning);
      sim_free(spread);
      if (s->n_guests + count > MAX_INSTANCES)
        err(C, m, "too many guests: more than %llu in total", (unsigned long long)MAX_INSTANCES);
      else
        nomem(C);
      return;
    }
    for (uint64_t i = 0; i < count && !C->oom; i++) {
      char name[NAME_MAX_LEN], hname[NAME_MAX_LEN], e2[400];
      if (sim_name_expand(pattern, i, name, sizeof name, e2, sizeof e2) < 0) {
        err(C, nn, "%s", e2);
        break;
      }
      if (!name[0]) {
        err(C, nn, "a guest name must not be empty");
        break;
      }
      long host;
      if (spread) {
        host = spread[i % n_spread];
      } else {
        if (sim_name_expand(host_pattern, i, hname, sizeof hname, e2, sizeof e2) < 0) {
          err(C, hv, "%s", e2);
          break;
        }
        host = find_host(C, hname);
        if (host < 0) {
          if (!C->hosts_incomplete)
            err_capped(C, 1, hv, "guest '%s' is on host '%s', which does not exist", name, hname);
          else
            C->diag->errors++; /* the broken host entry is already reported */
          continue;
        }
      }
      const sim_host_type *ht = &s->host_types[s->hosts[host].type];
      sim_guest *gi = &s->guests[s->n_guests];
      *gi = g;
      gi->host = (uint32_t)host;
      gi->name = dup_or_oom(C, name);
      gi->technique = dup_or_oom(C, techniques[tech]);
      gi->io_path = dup_or_oom(C, io);
      if (pinning && (gi->pinning = sim_malloc(g.vcpus * sizeof *pinning)))
        memcpy(gi->pinning, pinning, g.vcpus * sizeof *pinning);
      if (!gi->name || !gi->technique || !gi->io_path || (pinning && !gi->pinning)) {
        sim_free(gi->name);
        sim_free(gi->technique);
        sim_free(gi->io_path);
        sim_free(gi->pinning);
        nomem(C);
        break;
      }
      s->n_guests++;
      for (uint32_t v = 0; pinning && v < g.vcpus; v++)
        if (pinning[v] >= (int32_t)ht->cores) {
          err_capped(C, 3, pin, "guest '%s' is pinned to CPU %d, but host '%s' has %u cores", name,
                     pinning[v], s->hosts[host].name, ht->cores);
          break;
        }
      long other = sim_name_index_add(&C->guest_ix, &s->guests[0].name, sizeof *gi, name,
                                      (uint32_t)(s->n_guests - 1));
      if (other == -1) {
        nomem(C);
        break;
      }
      if (other >= 0) err_capped(C, 0, nn, "guest name '%s' is used twice", name);
    }
    sim_free(pinning);
    sim_free(spread);
  }
  if (C->oom) return;
  /* over-commitment, per host */
  vcpus_on = sim_calloc(s->n_hosts, sizeof *vcpus_on);
  mem_on = sim_calloc(s->n_hosts, sizeof *mem_on);
  if (!vcpus_on || !mem_on) {
    sim_free(vcpus_on);
    sim_free(mem_on);
    { nomem(C); return; }
  }
  for (size_t i = 0; i < s->n_guests; i++) {
    vcpus_on[s->guests[i].host] += s->guests[i].vcpus;
    mem_on[s->guests[i].host] += s->guests[i].memory_bytes;
  }
  for (size_t h = 0; h < s->n_hosts; h++) {
    const sim_host_type *ht = &s->host_types[s->hosts[h].type];
    if (ht->allow_overcommit) continue;
    if (vcpus_on[h] > ht->cores && ht->cores)
      err_capped(C, 2, C->host_entry[h],
                 "host '%s' is over-committed: its guests have %llu vCPUs for %u cores "
                 "(allow_overcommit is false in host type '%s')",
                 s->hosts[h].name, (unsigned long long)vcpus_on[h], ht->cores, ht->name);
    if (mem_on[h] > ht->memory_bytes && ht->memory_bytes) {
      char a[48], b[48];
      sim_format_quantity(SIM_UNIT_SIZE, (double)mem_on[h], a, sizeof a);
      sim_format_quantity(SIM_UNIT_SIZE, (double)ht->memory_bytes, b, sizeof b);
      err_capped(C, 2, C->host_entry[h],
                 "host '%s' is over-committed: its guests have %s of memory, the host %s "
                 "(allow_overcommit is false in host type '%s')",
                 s->hosts[h].name, a, b, ht->name);
    }
  }
  sim_free(vcpus_on);
  sim_free(mem_on);
}

/* ---------- migrations and sweep ---------- */

static void load_migrations(ctx *C, const sim_yaml_node *migs) {
  sim_scenario *s = C->s;
  if (!migs || !is_seq(C, migs, "a list of migrations")) return;
  s->migrations = sim_calloc(migs->n, sizeof *s->migrations);
  if (!s->migrations) { nomem(C); return; }
  for (size_t i = 0; i < migs->n && !C->oom; i++) {
    const sim_yaml_node *m = migs->items[i];
    sim_migration_spec mg;
    memset(&mg, 0, sizeof mg);
    mg.min_rate_bps = 100e6; /* [CL05] 5.3 */
    mg.max_rate_bps = 500e6; /* [CL05] 5.3 */
    mg.max_rounds = 30;      /* [XEN] xc_domain_save.c */
    set_what(C, "migration %zu", i);
    if (!is_map(C, m, "a migration")) continue;
    static const char *const keys[] = {"name", "at", "guest", "to", "strategy", "min_rate", "max_rate",
                                       "max_downtime", "max_rounds", "auto_converge", "compress",
                                       "zero_page_elision", "block_migration"};
    CHECK_KEYS(C, m, keys);
    bool ok = true;
    if (!need(C, m, "at")) ok = false;
    get_time(C, m, "at", &mg.at_ns, 0);
    const char *strategy = "precopy";
    size_t si;
    if (get_enum(C, m, "strategy", &strategy_list, &si)) strategy = strategies[si];
    get_real(C, m, "min_rate", &mg.min_rate_bps, SIM_UNIT_RATE, 1, HUGE_MAX);
    get_real(C, m, "max_rate", &mg.max_rate_bps, SIM_UNIT_RATE, 1, HUGE_MAX);
    if (mg.max_rate_bps < mg.min_rate_bps) {
      err(C, m, "%s: max_rate is below min_rate", C->what);
      ok = false;
    }
    get_time(C, m, "max_downtime", &mg.max_downtime_ns, 0);
    get_u32(C, m, "max_rounds", 1, 1000, &mg.max_rounds);
    get_bool(C, m, "auto_converge", &mg.auto_converge);
    get_bool(C, m, "compress", &mg.compress);
    get_bool(C, m, "zero_page_elision", &mg.zero_page_elision);
    get_bool(C, m, "block_migration", &mg.block_migration);
    const sim_yaml_node *gv = need(C, m, "guest"), *tv = need(C, m, "to");
    const char *gname = gv ? scalar(C, gv, "guest", "a guest name") : NULL;
    const char *tname = tv ? scalar(C, tv, "to", "a host name") : NULL;
    long g = gname ? find_guest(C, gname) : -1;
    long h = tname ? find_host(C, tname) : -1;
    if (gname && g < 0) err(C, gv, "%s moves guest '%s', which does not exist", C->what, gname);
    if (tname && h < 0 && !C->hosts_incomplete)
      err(C, tv, "%s moves to host '%s', which does not exist", C->what, tname);
    if (g >= 0 && h >= 0 && s->guests[g].host == (uint32_t)h) {
      err(C, tv, "%s moves guest '%s' to host '%s', where it already is", C->what, gname, tname);
      ok = false;
    }
    if (!ok || g < 0 || h < 0) continue;
    mg.guest = (uint32_t)g;
    mg.dest_host = (uint32_t)h;
    char dflt[2 * NAME_MAX_LEN + 8];
    snprintf(dflt, sizeof dflt, "%s-to-%s", gname, tname);
    mg.name = dup_or_oom(C, dflt);
    get_str(C, m, "name", &mg.name);
    mg.strategy = dup_or_oom(C, strategy);
    s->migrations[s->n_migrations++] = mg;
  }
}

static const sim_yaml_node *find_path(ctx *C, sim_yaml_node *root, const char *path,
                                      sim_yaml_node **parent, char *last, size_t last_len,
                                      const char *create);

static int load(const char *name, const char *dir, const char *text, size_t len,
                const sim_override *ovs, size_t n_ovs, bool sweep_point, sim_scenario **out,
                sim_diag *diag);

/* Loads the scenario with `path=value` added to the overrides; the first
 * error goes to *msg.  0 valid, -1 invalid, -2 out of memory. */
static int check_sweep_point(ctx *C, const char *path, const char *value, char *msg, size_t len) {
  sim_override *ovs = sim_malloc((C->n_ovs + 1) * sizeof *ovs);
  if (!ovs) return -2;
  if (C->n_ovs) memcpy(ovs, C->ovs, C->n_ovs * sizeof *ovs);
  ovs[C->n_ovs].path = path;
  ovs[C->n_ovs].value = value;
  sim_diag d;
  sim_diag_init(&d);
  sim_scenario *s = NULL;
  int rc = load(C->file, C->dir, C->text, C->len, ovs, C->n_ovs + 1, true, &s, &d);
  sim_free(ovs);
  sim_scenario_free(s);
  if (rc < 0) {
    rc = d.oom ? -2 : -1;
    msg[0] = '\0';
    for (size_t i = 0; i < d.count; i++)
      if (d.entries[i].level == SIM_DIAG_ERROR) {
        snprintf(msg, len, "%s", d.entries[i].message);
        if (!strcmp(msg, "out of memory") || strstr(msg, "out of memory while")) rc = -2;
        break;
      }
  }
  sim_diag_clear(&d);
  return rc;
}

static void load_sweep(ctx *C, const sim_yaml_node *sw, sim_yaml_node *root) {
  sim_scenario *s = C->s;
  if (!sw || !is_map(C, sw, "a sweep {replications, axes}")) return;
  set_what(C, "sweep");
  static const char *const keys[] = {"replications", "axes"};
  CHECK_KEYS(C, sw, keys);
  get_u32(C, sw, "replications", 1, 100000, &s->sweep_replications);
  const sim_yaml_node *axes = need(C, sw, "axes");
  if (!axes || !is_seq(C, axes, "a list of axes {path, values}")) return;
  s->sweep = sim_calloc(axes->n, sizeof *s->sweep);
  if (!s->sweep) { nomem(C); return; }
  for (size_t i = 0; i < axes->n && !C->oom; i++) {
    const sim_yaml_node *a = axes->items[i];
    set_what(C, "sweep axis %zu", i);
    if (!is_map(C, a, "a sweep axis {path, values}")) continue;
    static const char *const akeys[] = {"path", "values"};
    CHECK_KEYS(C, a, akeys);
    const sim_yaml_node *pv = need(C, a, "path"), *vv = need(C, a, "values");
    const char *path = pv ? scalar(C, pv, "path", "a key path such as guests.web.vcpus") : NULL;
    if (!path || !vv || !is_seq(C, vv, "a list of values")) continue;
    sim_yaml_node *parent;
    char last[NAME_MAX_LEN];
    const sim_yaml_node *target = find_path(C, root, path, &parent, last, sizeof last, NULL);
    if (!parent || (!target && parent->kind != SIM_YAML_MAP)) {
      err(C, pv, "sweep path '%s' names no key of the scenario", path);
      continue;
    }
    sim_sweep_axis *ax = &s->sweep[s->n_sweep_axes++];
    ax->path = dup_or_oom(C, path);
    ax->values = sim_calloc(vv->n, sizeof *ax->values);
    if (!ax->values) { nomem(C); return; }
    for (size_t k = 0; k < vv->n && !C->oom; k++) {
      const char *t = scalar(C, vv->items[k], "values", "a value");
      if (!t) continue;
      /* every point of the sweep must be a valid scenario */
      char msg[900];
      int rc = C->sweep_checks++ < MAX_SWEEP_CHECKS ? check_sweep_point(C, path, t, msg, sizeof msg) : 0;
      if (rc == -2) {
        nomem(C);
        return;
      }
      if (rc < 0) err(C, vv->items[k], "sweep value %s of '%s' gives an invalid scenario: %s", t, path, msg);
      ax->values[ax->n_values] = dup_or_oom(C, t);
      if (ax->values[ax->n_values]) ax->n_values++;
    }
  }
}

/* ---------- overrides ---------- */

/* Walks the dotted path.  Returns the node at the full path (NULL when the
 * last component is absent) and sets *parent and last; *parent is NULL when
 * an inner component is missing.  With `create` (an origin label), missing
 * keys of mappings on the way are added as empty mappings, so
 * `--set simulation.seed=7` works on a file without a simulation section. */
static const sim_yaml_node *find_path(ctx *C, sim_yaml_node *root, const char *path,
                                      sim_yaml_node **parent, char *last, size_t last_len,
                                      const char *create) {
  *parent = NULL;
  sim_yaml_node *cur = root;
  const char *p = path;
  for (;;) {
    const char *dot = strchr(p, '.');
    size_t len = dot ? (size_t)(dot - p) : strlen(p);
    if (len == 0 || len >= last_len || !cur) return NULL;
    memcpy(last, p, len);
    last[len] = '\0';
    sim_yaml_node *next = NULL;
    if (cur->kind == SIM_YAML_MAP) {
      sim_yaml_pair *pair = sim_yaml_get_pair(cur, last);
      if (pair && dot && create && sim_yaml_is_null(pair->value)) {
        sim_yaml_node *m = sim_calloc(1, sizeof *m);
        if (!m) {
          nomem(C);
          return NULL;
        }
        m->kind = SIM_YAML_MAP;
        m->origin = create;
        sim_yaml_free(pair->value);
        pair->value = m;
      }
      next = pair ? pair->value : NULL;
      if (!next && dot && create) {
        sim_yaml_node *k = sim_yaml_new_scalar(last, 0, 0);
        sim_yaml_node *m = sim_calloc(1, sizeof *m);
        if (!k || !m || sim_yaml_map_add(cur, k, m) < 0) {
          sim_yaml_free(k);
          sim_free(m);
          nomem(C);
          return NULL;
        }
        k->origin = m->origin = create;
        m->kind = SIM_YAML_MAP;
        next = m;
      }
    } else if (cur->kind == SIM_YAML_SEQ) {
      char *end;
      unsigned long idx = strtoul(last, &end, 10);
      if (*end == '\0' && last[0] >= '0' && last[0] <= '9') {
        if (idx < cur->n) next = cur->items[idx];
      } else {
        for (size_t i = 0; i < cur->n && !next; i++) {
          const sim_yaml_node *nm = sim_yaml_get(cur->items[i], "name");
          if (nm && nm->kind == SIM_YAML_SCALAR && !strcmp(nm->text, last)) next = cur->items[i];
        }
      }
    }
    if (!dot) {
      *parent = cur;
      return next;
    }
    cur = next;
    p = dot + 1;
  }
}

static void set_origin(sim_yaml_node *n, const char *origin) {
  n->origin = origin;
  n->line = n->col = 0;
  for (size_t i = 0; n->kind == SIM_YAML_SEQ && i < n->n; i++) set_origin(n->items[i], origin);
  for (size_t i = 0; n->kind == SIM_YAML_MAP && i < n->n; i++) {
    set_origin(n->pairs[i].key, origin);
    set_origin(n->pairs[i].value, origin);
  }
}

static void apply_override(ctx *C, sim_yaml_node **root, const sim_override *ov) {
  size_t ll = strlen(ov->path) + strlen(ov->value) + 8;
  char *label = sim_malloc(ll);
  if (!label || sim_grow((void **)&C->labels, &C->cap_labels, C->n_labels + 1, sizeof *C->labels) < 0) {
    sim_free(label);
    { nomem(C); return; }
  }
  snprintf(label, ll, "--set %s=%s", ov->path, ov->value);
  C->labels[C->n_labels++] = label;
  if (!*root) {
    sim_diag_error(C->diag, label, 0, 0, "the scenario is empty");
    return;
  }
  sim_yaml_node *parent;
  char last[NAME_MAX_LEN];
  const sim_yaml_node *target = find_path(C, *root, ov->path, &parent, last, sizeof last, label);
  if (C->oom) return;
  if (!parent || (!target && parent->kind != SIM_YAML_MAP)) {
    sim_diag_error(C->diag, label, 0, 0, "no key '%s' in the scenario", ov->path);
    return;
  }
  sim_yaml_node *value = NULL;
  if (sim_yaml_parse(label, ov->value, strlen(ov->value), &value, C->diag) < 0) {
    if (C->diag->oom) nomem(C);
    return;
  }
  if (!value && !(value = sim_yaml_new_scalar("", 0, 0))) { nomem(C); return; }
  set_origin(value, label);
  if (parent->kind == SIM_YAML_MAP) {
    sim_yaml_pair *pair = sim_yaml_get_pair(parent, last);
    if (pair) {
      sim_yaml_free(pair->value);
      pair->value = value;
    } else {
      sim_yaml_node *key = sim_yaml_new_scalar(last, 0, 0);
      if (!key || sim_yaml_map_add(parent, key, value) < 0) {
        sim_yaml_free(key);
        sim_yaml_free(value);
        { nomem(C); return; }
      }
      key->origin = label;
    }
  } else {
    for (size_t i = 0; i < parent->n; i++)
      if (parent->items[i] == target) {
        sim_yaml_free(parent->items[i]);
        parent->items[i] = value;
      }
  }
}

/* ---------- resolved text ---------- */

static void wq(sim_yaml_writer *w, const char *key, sim_unit_kind kind, double v) {
  char buf[64];
  sim_format_quantity(kind, v, buf, sizeof buf);
  sim_yaml_write_kv(w, key, buf);
}

static void wu(sim_yaml_writer *w, const char *key, unsigned long long v) {
  char buf[32];
  snprintf(buf, sizeof buf, "%llu", v);
  sim_yaml_write_kv(w, key, buf);
}

static void wb(sim_yaml_writer *w, const char *key, bool v) { sim_yaml_write_kv(w, key, v ? "true" : "false"); }

static void write_phase(sim_yaml_writer *w, const sim_phase *f) {
  sim_yaml_write_map_start(w, false);
  sim_yaml_write_kv(w, "name", f->name);
  if (f->units > 0) wq(w, "units", SIM_UNIT_NONE, f->units);
  if (f->duration_ns > 0) wq(w, "duration", SIM_UNIT_TIME, (double)f->duration_ns);
  wq(w, "cpu_demand", SIM_UNIT_NONE, f->cpu_demand);
  wu(w, "io_window", f->io_window);
  sim_yaml_write_scalar(w, "ops");
  sim_yaml_write_map_start(w, false);
  wq(w, "instructions", SIM_UNIT_NONE, f->instructions);
  wq(w, "cpi", SIM_UNIT_NONE, f->cycles_per_instruction);
  wq(w, "syscalls", SIM_UNIT_NONE, f->syscalls);
  wq(w, "rdtsc", SIM_UNIT_NONE, f->rdtsc);
  wq(w, "cli", SIM_UNIT_NONE, f->cli);
  wq(w, "cr8_writes", SIM_UNIT_NONE, f->cr8_writes);
  wq(w, "port_io", SIM_UNIT_NONE, f->port_io);
  wq(w, "pte_updates", SIM_UNIT_NONE, f->pte_updates);
  wq(w, "page_faults", SIM_UNIT_NONE, f->page_faults);
  wq(w, "process_creations", SIM_UNIT_NONE, f->process_creations);
  wq(w, "call_ret", SIM_UNIT_NONE, f->call_ret);
  wq(w, "divide_faults", SIM_UNIT_NONE, f->divide_faults);
  wq(w, "new_code_bytes", SIM_UNIT_NONE, f->new_code_bytes);
  if (f->n_access) {
    sim_yaml_write_scalar(w, "memory");
    sim_yaml_write_seq_start(w, false);
    for (size_t i = 0; i < f->n_access; i++) {
      const sim_access_spec *a = &f->access[i];
      sim_yaml_write_map_start(w, true);
      wq(w, "count", SIM_UNIT_NONE, a->count);
      wq(w, "working_set", SIM_UNIT_SIZE, (double)a->working_set_bytes);
      sim_yaml_write_kv(w, "pattern", patterns[a->pattern]);
      wq(w, "stride", SIM_UNIT_SIZE, (double)a->stride_bytes);
      wq(w, "page_size", SIM_UNIT_SIZE, (double)a->page_bytes);
      wq(w, "write_fraction", SIM_UNIT_NONE, a->write_fraction);
      sim_yaml_write_map_end(w);
    }
    sim_yaml_write_seq_end(w);
  }
  sim_yaml_write_scalar(w, "disk");
  sim_yaml_write_map_start(w, true);
  wq(w, "reads", SIM_UNIT_NONE, f->disk_reads);
  wq(w, "writes", SIM_UNIT_NONE, f->disk_writes);
  wq(w, "request_size", SIM_UNIT_SIZE, (double)f->disk_request_bytes);
  wb(w, "random", f->disk_random);
  sim_yaml_write_map_end(w);
  sim_yaml_write_scalar(w, "net");
  sim_yaml_write_map_start(w, true);
  wq(w, "messages", SIM_UNIT_NONE, f->net_messages);
  wq(w, "tx", SIM_UNIT_SIZE, (double)f->net_tx_bytes);
  wq(w, "rx", SIM_UNIT_SIZE, (double)f->net_rx_bytes);
  sim_yaml_write_map_end(w);
  sim_yaml_write_map_end(w);
  if (f->n_dirty) {
    sim_yaml_write_scalar(w, "dirty");
    sim_yaml_write_seq_start(w, false);
    for (size_t i = 0; i < f->n_dirty; i++) {
      sim_yaml_write_map_start(w, true);
      wu(w, "pages", f->dirty[i].pages);
      wq(w, "rate", SIM_UNIT_FREQ, f->dirty[i].rate_hz);
      sim_yaml_write_map_end(w);
    }
    sim_yaml_write_seq_end(w);
  }
  sim_yaml_write_map_end(w);
}

static int write_resolved(const ctx *C, const sim_scenario *s, char **out) {
  sim_yaml_writer *w = sim_yaml_writer_new();
  if (!w) return -1;
  sim_yaml_write_map_start(w, false);
  sim_yaml_write_kv(w, "name", s->name);
  if (s->description) sim_yaml_write_kv(w, "description", s->description);
  sim_yaml_write_scalar(w, "simulation");
  sim_yaml_write_map_start(w, false);
  wq(w, "duration", SIM_UNIT_TIME, (double)s->duration_ns);
  wu(w, "seed", s->seed);
  wu(w, "run_index", s->run_index);
  if (s->output) sim_yaml_write_kv(w, "output", s->output);
  sim_yaml_write_scalar(w, "record");
  sim_yaml_write_map_start(w, false);
  wq(w, "sample_interval", SIM_UNIT_TIME, (double)s->record.sample_interval_ns);
  wb(w, "events", s->record.events);
  wb(w, "series", s->record.series);
  if (s->record.signals) {
    sim_yaml_write_scalar(w, "signals");
    sim_yaml_write_seq_start(w, true);
    for (size_t i = 0; i < s->record.n_signals; i++) sim_yaml_write_scalar(w, s->record.signals[i]);
    sim_yaml_write_seq_end(w);
  }
  wb(w, "request_latencies", s->record.request_latencies);
  wu(w, "compression", (unsigned long long)s->record.compression_level);
  sim_yaml_write_map_end(w);
  sim_yaml_write_map_end(w);
  sim_yaml_write_kv(w, "calibration", s->calibration);
  sim_yaml_write_scalar(w, "host_types");
  sim_yaml_write_map_start(w, false);
  for (size_t i = 0; i < s->n_host_types; i++) {
    const sim_host_type *t = &s->host_types[i];
    sim_yaml_write_scalar(w, t->name);
    sim_yaml_write_map_start(w, false);
    wu(w, "cores", t->cores);
    wq(w, "clock", SIM_UNIT_FREQ, t->clock_hz);
    wq(w, "memory", SIM_UNIT_SIZE, (double)t->memory_bytes);
    wu(w, "tlb_entries_4k", t->tlb_entries_4k);
    wu(w, "tlb_entries_2m", t->tlb_entries_2m);
    wu(w, "page_walk_levels", t->page_walk_levels);
    wu(w, "pwc_entries", t->pwc_entries);
    sim_yaml_write_kv(w, "tlb_tagged", t->tlb_tagged < 0 ? "profile" : t->tlb_tagged ? "true" : "false");
    if (t->scheduler) sim_yaml_write_kv(w, "scheduler", t->scheduler);
    sim_yaml_write_kv(w, "fidelity", t->fidelity);
    wb(w, "allow_overcommit", t->allow_overcommit);
    if (t->calibration) sim_yaml_write_kv(w, "calibration", t->calibration);
    if (t->n_nics) {
      sim_yaml_write_scalar(w, "nics");
      sim_yaml_write_seq_start(w, false);
      for (size_t k = 0; k < t->n_nics; k++) {
        sim_yaml_write_map_start(w, true);
        sim_yaml_write_kv(w, "name", t->nics[k].name);
        wq(w, "bandwidth", SIM_UNIT_RATE, t->nics[k].bandwidth_bps);
        wq(w, "latency", SIM_UNIT_TIME, (double)t->nics[k].latency_ns);
        sim_yaml_write_map_end(w);
      }
      sim_yaml_write_seq_end(w);
    }
    if (t->n_disks) {
      sim_yaml_write_scalar(w, "disks");
      sim_yaml_write_seq_start(w, false);
      for (size_t k = 0; k < t->n_disks; k++) {
        const sim_disk_spec *d = &t->disks[k];
        sim_yaml_write_map_start(w, true);
        sim_yaml_write_kv(w, "name", d->name);
        wq(w, "iops", SIM_UNIT_NONE, d->iops);
        wq(w, "bandwidth", SIM_UNIT_RATE, d->bandwidth_Bps * 8);
        wq(w, "latency", SIM_UNIT_TIME, (double)d->latency_ns);
        wu(w, "queue_depth", d->queue_depth);
        sim_yaml_write_map_end(w);
      }
      sim_yaml_write_seq_end(w);
    }
    sim_yaml_write_map_end(w);
  }
  sim_yaml_write_map_end(w);
  sim_yaml_write_scalar(w, "hosts");
  sim_yaml_write_seq_start(w, false);
  for (size_t i = 0; i < C->n_hrec; i++) {
    const entry_rec *r = &C->hrec[i];
    sim_yaml_write_map_start(w, true);
    sim_yaml_write_kv(w, "name", r->pattern);
    sim_yaml_write_kv(w, "type", s->host_types[r->type].name);
    wu(w, "count", r->count);
    sim_yaml_write_map_end(w);
  }
  sim_yaml_write_seq_end(w);
  sim_yaml_write_scalar(w, "workloads");
  sim_yaml_write_map_start(w, false);
  for (size_t i = 0; i < s->n_workloads; i++) {
    const sim_workload *wl = &s->workloads[i];
    sim_yaml_write_scalar(w, wl->name);
    sim_yaml_write_map_start(w, false);
    if (wl->description) sim_yaml_write_kv(w, "description", wl->description);
    if (wl->source) sim_yaml_write_kv(w, "source", wl->source);
    wb(w, "repeat", wl->repeat);
    if (wl->trace_path) {
      sim_yaml_write_scalar(w, "trace");
      sim_yaml_write_map_start(w, true);
      sim_yaml_write_kv(w, "file", wl->trace_path);
      wq(w, "interval", SIM_UNIT_TIME, (double)wl->trace_interval_ns);
      sim_yaml_write_map_end(w);
    }
    if (wl->n_phases) {
      sim_yaml_write_scalar(w, "phases");
      sim_yaml_write_seq_start(w, false);
      for (size_t k = 0; k < wl->n_phases; k++) write_phase(w, &wl->phases[k]);
      sim_yaml_write_seq_end(w);
    }
    sim_yaml_write_map_end(w);
  }
  sim_yaml_write_map_end(w);
  sim_yaml_write_scalar(w, "guests");
  sim_yaml_write_seq_start(w, false);
  for (size_t i = 0; i < C->n_grec; i++) {
    const entry_rec *r = &C->grec[i];
    const sim_guest *g = &s->guests[r->first];
    sim_yaml_write_map_start(w, true);
    sim_yaml_write_kv(w, "name", r->pattern);
    wu(w, "count", r->count);
    sim_yaml_write_kv(w, "technique", g->technique);
    sim_yaml_write_kv(w, "io_path", g->io_path);
    sim_yaml_write_scalar(w, "host");
    if (r->spread) {
      sim_yaml_write_map_start(w, true);
      sim_yaml_write_kv(w, "spread", r->host);
      sim_yaml_write_map_end(w);
    } else
      sim_yaml_write_scalar(w, r->host);
    wu(w, "vcpus", g->vcpus);
    wq(w, "memory", SIM_UNIT_SIZE, (double)g->memory_bytes);
    if (g->pinning) {
      sim_yaml_write_scalar(w, "pinning");
      sim_yaml_write_seq_start(w, true);
      for (uint32_t v = 0; v < g->vcpus; v++) {
        char buf[16];
        snprintf(buf, sizeof buf, "%d", g->pinning[v]);
        sim_yaml_write_scalar(w, buf);
      }
      sim_yaml_write_seq_end(w);
    }
    wu(w, "weight", g->weight);
    wq(w, "cap", SIM_UNIT_NONE, g->cap);
    wb(w, "huge_pages", g->huge_pages);
    sim_yaml_write_kv(w, "workload", s->workloads[g->workload].name);
    wq(w, "start", SIM_UNIT_TIME, (double)g->start_ns);
    wu(w, "replications", g->replications);
    if (g->disk_bytes) wq(w, "disk", SIM_UNIT_SIZE, (double)g->disk_bytes);
    if (g->zero_fraction > 0) wq(w, "zero_fraction", SIM_UNIT_NONE, g->zero_fraction);
    sim_yaml_write_map_end(w);
  }
  sim_yaml_write_seq_end(w);
  if (s->n_migrations) {
    sim_yaml_write_scalar(w, "migrations");
    sim_yaml_write_seq_start(w, false);
    for (size_t i = 0; i < s->n_migrations; i++) {
      const sim_migration_spec *m = &s->migrations[i];
      sim_yaml_write_map_start(w, false);
      sim_yaml_write_kv(w, "name", m->name);
      wq(w, "at", SIM_UNIT_TIME, (double)m->at_ns);
      sim_yaml_write_kv(w, "guest", s->guests[m->guest].name);
      sim_yaml_write_kv(w, "to", s->hosts[m->dest_host].name);
      sim_yaml_write_kv(w, "strategy", m->strategy);
      wq(w, "min_rate", SIM_UNIT_RATE, m->min_rate_bps);
      wq(w, "max_rate", SIM_UNIT_RATE, m->max_rate_bps);
      wq(w, "max_downtime", SIM_UNIT_TIME, (double)m->max_downtime_ns);
      wu(w, "max_rounds", m->max_rounds);
      wb(w, "auto_converge", m->auto_converge);
      wb(w, "compress", m->compress);
      wb(w, "zero_page_elision", m->zero_page_elision);
      wb(w, "block_migration", m->block_migration);
      sim_yaml_write_map_end(w);
    }
    sim_yaml_write_seq_end(w);
  }
  if (s->n_sweep_axes) {
    sim_yaml_write_scalar(w, "sweep");
    sim_yaml_write_map_start(w, false);
    wu(w, "replications", s->sweep_replications);
    sim_yaml_write_scalar(w, "axes");
    sim_yaml_write_seq_start(w, false);
    for (size_t i = 0; i < s->n_sweep_axes; i++) {
      sim_yaml_write_map_start(w, true);
      sim_yaml_write_kv(w, "path", s->sweep[i].path);
      sim_yaml_write_scalar(w, "values");
      sim_yaml_write_seq_start(w, true);
      for (size_t k = 0; k < s->sweep[i].n_values; k++) sim_yaml_write_scalar(w, s->sweep[i].values[k]);
      sim_yaml_write_seq_end(w);
      sim_yaml_write_map_end(w);
    }
    sim_yaml_write_seq_end(w);
    sim_yaml_write_map_end(w);
  }
  sim_yaml_write_map_end(w);
  int rc = sim_yaml_writer_finish(w, out);
  sim_yaml_writer_free(w);
  return rc;
}

size_t sim_scenario_known_names(sim_name_kind kind, const char *const **names) {
  const name_list *l = kind == SIM_NAMES_TECHNIQUE ? &technique_list
                       : kind == SIM_NAMES_IO_PATH ? &io_path_list
                       : kind == SIM_NAMES_SCHEDULER ? &scheduler_list
                                                     : &strategy_list;
  *names = l->names;
  return l->n;
}

/* ---------- free ---------- */

static void free_phase(sim_phase *f) {
  sim_free(f->name);
  sim_free(f->access);
  sim_free(f->dirty);
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
  for (size_t i = 0; i < s->n_host_types; i++) {
    sim_host_type *t = &s->host_types[i];
    sim_free(t->name);
    sim_free(t->scheduler);
    sim_free(t->fidelity);
    sim_free(t->calibration);
    for (size_t k = 0; k < t->n_nics; k++) sim_free(t->nics[k].name);
    for (size_t k = 0; k < t->n_disks; k++) sim_free(t->disks[k].name);
    sim_free(t->nics);
    sim_free(t->disks);
  }
  sim_free(s->host_types);
  for (size_t i = 0; i < s->n_hosts; i++) sim_free(s->hosts[i].name);
  sim_free(s->hosts);
  for (size_t i = 0; i < s->n_workloads; i++) {
    sim_workload *w = &s->workloads[i];
    sim_free(w->name);
    sim_free(w->description);
    sim_free(w->source);
    sim_free(w->trace_path);
    for (size_t k = 0; k < w->n_phases; k++) free_phase(&w->phases[k]);
    sim_free(w->phases);
  }
  sim_free(s->workloads);
  for (size_t i = 0; i < s->n_guests; i++) {
    sim_free(s->guests[i].name);
    sim_free(s->guests[i].technique);
    sim_free(s->guests[i].io_path);
    sim_free(s->guests[i].pinning);
  }
  sim_free(s->guests);
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

/* ---------- entry points ---------- */

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

static int load(const char *name, const char *dir, const char *text, size_t len,
                const sim_override *ovs, size_t n_ovs, bool sweep_point, sim_scenario **out,
                sim_diag *diag) {
  *out = NULL;
  size_t errors_before = diag->errors;
  ctx C;
  memset(&C, 0, sizeof C);
  C.file = name;
  C.diag = diag;
  C.text = text;
  C.len = len;
  C.ovs = ovs;
  C.n_ovs = n_ovs;
  sim_scenario *s = sim_calloc(1, sizeof *s);
  C.s = s;
  C.dir = dir ? sim_strdup(dir) : NULL;
  sim_yaml_node *root = NULL;
  if (!s || (dir && !C.dir)) {
    nomem(&C);
    goto done;
  }
  s->seed = 1;
  s->record.sample_interval_ns = 100 * SIM_MS;
  s->record.events = true;
  s->record.series = true;
  s->record.compression_level = 4;
  s->sweep_replications = 1;
  if (!(s->path = dup_or_oom(&C, name)) || !(s->text = sim_strndup(text, len))) {
    nomem(&C);
    goto done;
  }
  if (sim_yaml_parse(name, text, len, &root, diag) < 0) {
    if (diag->oom) C.oom = true;
    goto done;
  }
  for (size_t i = 0; i < n_ovs && !C.oom; i++) apply_override(&C, &root, &ovs[i]);
  if (C.oom) goto done;
  if (!root || sim_yaml_is_null(root)) {
    err(&C, NULL, "the scenario is empty; expected a mapping with host_types, hosts and guests");
    goto done;
  }
  if (root->kind != SIM_YAML_MAP) {
    err(&C, root, "expected the scenario (a mapping with host_types, hosts and guests), found a %s",
        sim_yaml_kind_name(root->kind));
    goto done;
  }
  static const char *const keys[] = {"name", "description", "simulation", "calibration", "host_types",
                                     "hosts", "workloads", "guests", "migrations", "sweep"};
  set_what(&C, "the scenario");
  /* x- keys hold anchors for the rest of the file: no meaning of their own */
  for (size_t i = 0; i < root->n; i++) {
    const sim_yaml_node *k = root->pairs[i].key;
    if (strncmp(k->text, "x-", 2)) {
      sim_yaml_node probe = *root;
      probe.pairs = &root->pairs[i];
      probe.n = 1;
      CHECK_KEYS(&C, &probe, keys);
    }
  }
  s->name = stem_of(name);
  s->calibration = sim_strdup("pentium4-2006");
  if (!s->name || !s->calibration) {
    nomem(&C);
    goto done;
  }
  get_str(&C, root, "name", &s->name);
  get_str(&C, root, "description", &s->description);
  get_str(&C, root, "calibration", &s->calibration);
  resolve_calibration(&C, &s->calibration);
  load_simulation(&C, opt(root, "simulation"));
  if (!C.oom) load_host_types(&C, opt(root, "host_types"));
  if (!C.oom) load_hosts(&C, opt(root, "hosts"));
  if (!C.oom) load_workloads(&C, opt(root, "workloads"));
  if (!C.oom) load_guests(&C, opt(root, "guests"));
  if (!C.oom) load_migrations(&C, opt(root, "migrations"));
  if (!C.oom && !sweep_point) load_sweep(&C, opt(root, "sweep"), root);
  if (!C.oom && s->duration_ns == 0) {
    for (size_t i = 0; i < s->n_guests; i++) {
      const sim_workload *w = &s->workloads[s->guests[i].workload];
      if (w->repeat || w->trace_path) {
        err(&C, opt(root, "simulation") ? opt(root, "simulation") : root,
            "guest '%s' runs workload '%s', which never ends (%s): set simulation.duration",
            s->guests[i].name, w->name, w->repeat ? "repeat: true" : "a trace");
        break;
      }
    }
  }
  if (C.suppressed)
    sim_diag_add(diag, SIM_DIAG_NOTE, name, 0, 0, "%zu similar errors not shown", C.suppressed);
  if (!C.oom && diag->errors == errors_before && write_resolved(&C, s, &s->resolved_text) < 0) nomem(&C);
done:
  sim_yaml_free(root);
  sim_name_index_free(&C.type_ix);
  sim_name_index_free(&C.host_ix);
  sim_name_index_free(&C.wl_ix);
  sim_name_index_free(&C.guest_ix);
  sim_free(C.host_entry);
  for (size_t i = 0; i < C.n_hrec; i++) sim_free(C.hrec[i].pattern);
  for (size_t i = 0; i < C.n_grec; i++) {
    sim_free(C.grec[i].pattern);
    sim_free(C.grec[i].host);
  }
  sim_free(C.hrec);
  sim_free(C.grec);
  for (size_t i = 0; C.wl_key && i < (s ? s->n_workloads : 0); i++) sim_free(C.wl_key[i]);
  sim_free(C.wl_key);
  for (size_t i = 0; i < C.n_labels; i++) sim_free(C.labels[i]);
  sim_free(C.labels);
  sim_free(C.dir);
  if (C.oom || diag->errors > errors_before) {
    if (diag->errors == errors_before) sim_diag_error(diag, name, 0, 0, "out of memory");
    sim_scenario_free(s);
    return -1;
  }
  *out = s;
  return 0;
}

int sim_scenario_load_text(const char *name, const char *text, size_t len,
                           const sim_override *overrides, size_t n_overrides, sim_scenario **out,
                           sim_diag *diag) {
  return load(name, NULL, text, len, overrides, n_overrides, false, out, diag);
}

int sim_scenario_load(const char *path, const sim_override *overrides, size_t n_overrides,
                      sim_scenario **out, sim_diag *diag) {
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
  int rc = load(path, dir, text, len, overrides, n_overrides, false, out, diag);
  sim_free(dir);
  sim_free(text);
  return rc;
}
