/* sim/scenario_hosts.c: the `host_types` and `hosts` sections
 * (scenarios/SCHEMA.md): machine types with their NICs, disks and power
 * model, and host template entries, each expanded into `count` hosts named
 * by its pattern.  Scheduler and power-model names come from the vocabulary
 * (sim/vocabulary.h), with the keys each power model takes.  A disk's
 * latency (its access time) and a NIC's jitter may be distributions
 * (sim/dist.h), drawn per request or message by models/io.c.  A type's
 * `dvfs` lists its P-states (frequency, core voltage) and names a governor
 * from the vocabulary (models/dvfs.h).  Power in W, times in ns, frequencies
 * in Hz, voltages in V.  A host entry may name the availability zone of its
 * hosts (`zone`): a service's traffic across zones is charged
 * (models/engine_elastic.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/alloc.h"
#include "sim/scenario_internal.h"
#include "sim/suggest.h"
#include "sim/units.h"

static const char *const fidelities[] = {"quantum", "fluid"};
static const sim_schema_names fidelity_list = {fidelities, 2, "fidelity"};

/* NIC i of a host type, described by m; `of` is the host type, for messages. */
static void load_nic(ctx *C, const sim_yaml_node *m, size_t i, const char *of, sim_nic_spec *nic) {
  nic->latency_ns = 50 * SIM_US;
  nic->jitter = sim_dist_constant(SIM_UNIT_TIME, 0);
  char dflt[32];
  snprintf(dflt, sizeof dflt, "eth%zu", i);
  nic->name = sim_schema_strdup(&C->S, dflt);
  if (!sim_schema_is_map(&C->S, m, "a NIC")) return;
  static const char *const keys[] = {"name", "bandwidth", "latency", "jitter"};
  sim_schema_set_what(&C->S, "NIC %zu of %.200s", i, of);
  SIM_SCHEMA_CHECK_KEYS(&C->S, m, keys);
  sim_schema_str(&C->S, m, "name", &nic->name);
  if (sim_schema_need(&C->S, m, "bandwidth"))
    sim_schema_real(&C->S, m, "bandwidth", &nic->bandwidth_bps, SIM_UNIT_RATE, 1, SIM_SCHEMA_HUGE);
  sim_schema_time(&C->S, m, "latency", &nic->latency_ns, 0);
  /* a delay: sim_dist_parse accepts no negative time */
  sim_dist_parse(&C->S, m, "jitter", SIM_UNIT_TIME, C->dir, &nic->jitter);
}

static void load_disk(ctx *C, const sim_yaml_node *m, size_t i, const char *of, sim_disk_spec *d) {
  d->latency_ns = 5 * SIM_MS;
  d->queue_depth = 32;
  char dflt[32];
  snprintf(dflt, sizeof dflt, "disk%zu", i);
  d->name = sim_schema_strdup(&C->S, dflt);
  if (!sim_schema_is_map(&C->S, m, "a disk")) return;
  static const char *const keys[] = {"name", "iops", "bandwidth", "latency", "queue_depth"};
  sim_schema_set_what(&C->S, "disk %zu of %.200s", i, of);
  SIM_SCHEMA_CHECK_KEYS(&C->S, m, keys);
  sim_schema_str(&C->S, m, "name", &d->name);
  if (sim_schema_need(&C->S, m, "iops"))
    sim_schema_real(&C->S, m, "iops", &d->iops, SIM_UNIT_NONE, 1e-9, SIM_SCHEMA_HUGE);
  double bps = 0;
  if (sim_schema_need(&C->S, m, "bandwidth"))
    sim_schema_real(&C->S, m, "bandwidth", &bps, SIM_UNIT_RATE, 1, SIM_SCHEMA_HUGE);
  d->bandwidth_Bps = bps / 8;
  /* a scalar latency is read as before; a mapping is a distribution of the
   * access time, drawn per request, its mean the nominal latency */
  const sim_yaml_node *lat = sim_schema_opt(m, "latency");
  if (lat && lat->kind == SIM_YAML_MAP) {
    if (sim_dist_parse(&C->S, m, "latency", SIM_UNIT_TIME, C->dir, &d->latency_dist))
      d->latency_ns = (sim_time)llround(sim_dist_mean(&d->latency_dist));
  } else {
    sim_schema_time(&C->S, m, "latency", &d->latency_ns, 0);
  }
  sim_schema_u32(&C->S, m, "queue_depth", 1, 65536, &d->queue_depth);
}

static void load_nics_disks(ctx *C, const sim_yaml_node *ht, sim_host_type *t) {
  const sim_yaml_node *nics = sim_schema_opt(ht, "nics");
  char saved[sizeof C->S.what];
  memcpy(saved, C->S.what, sizeof saved);
  if (nics && sim_schema_is_seq(&C->S, nics, "a list of NICs")) {
    t->nics = sim_calloc(nics->n, sizeof *t->nics);
    if (!t->nics) { sim_schema_nomem(&C->S); return; }
    t->n_nics = nics->n;
    for (size_t i = 0; i < nics->n && !C->S.oom; i++) load_nic(C, nics->items[i], i, saved, &t->nics[i]);
  }
  const sim_yaml_node *disks = sim_schema_opt(ht, "disks");
  if (disks && sim_schema_is_seq(&C->S, disks, "a list of disks")) {
    t->disks = sim_calloc(disks->n, sizeof *t->disks);
    if (!t->disks) { sim_schema_nomem(&C->S); return; }
    t->n_disks = disks->n;
    for (size_t i = 0; i < disks->n && !C->S.oom; i++) load_disk(C, disks->items[i], i, saved, &t->disks[i]);
  }
  memcpy(C->S.what, saved, sizeof saved);
}

/* The MMU keys: 0 (and tlb_tagged "profile") leave the profile's value. */
static void load_mmu(ctx *C, const sim_yaml_node *m, sim_host_type *t) {
  sim_schema_u32(&C->S, m, "tlb_entries_4k", 0, 1000000, &t->tlb_entries_4k);
  sim_schema_u32(&C->S, m, "tlb_entries_2m", 0, 1000000, &t->tlb_entries_2m);
  sim_schema_u32(&C->S, m, "page_walk_levels", 0, 5, &t->page_walk_levels);
  if (t->page_walk_levels == 1)
    sim_schema_error(&C->S, sim_schema_opt(m, "page_walk_levels"),
                     "'page_walk_levels' in %s must be 0 (from the profile) or 2 to 5, found 1", C->S.what);
  sim_schema_u32(&C->S, m, "pwc_entries", 0, 1000000, &t->pwc_entries);
  const sim_yaml_node *tag = sim_schema_opt(m, "tlb_tagged");
  if (tag) {
    bool b;
    if (tag->kind == SIM_YAML_SCALAR && !strcmp(tag->text, "profile"))
      t->tlb_tagged = -1;
    else if (sim_schema_parse_bool(&C->S, tag, "tlb_tagged", &b))
      t->tlb_tagged = b;
  }
}

/* A power, "86" or "86 W", into *out (W, >= 0); false with an error otherwise. */
static bool parse_watts(ctx *C, const sim_yaml_node *v, const char *key, double *out) {
  const char *t = sim_schema_scalar(&C->S, v, key, "a power such as \"86 W\"");
  if (!t) return false;
  char *end;
  double w = strtod(t, &end);
  while (*end == ' ') end++;
  if (*end == 'W' && end[1] == '\0') end++;
  if (end == t || *end || !isfinite(w) || w < 0) {
    sim_schema_error(&C->S, v, "'%s' in %s must be a power in W such as \"86 W\", found '%s'", key, C->S.what, t);
    return false;
  }
  *out = w;
  return true;
}

/* table: SIM_POWER_TABLE_POINTS powers, none below the one before. */
static void load_power_table(ctx *C, const sim_yaml_node *tn, sim_power_spec *p) {
  if (!sim_schema_is_seq(&C->S, tn, "a list of powers at 0 %, 10 %, ... 100 % load")) return;
  if (tn->n != SIM_POWER_TABLE_POINTS) {
    sim_schema_error(&C->S, tn,
                     "'table' in %s must have %d values (power at 0 %%, 10 %%, ... 100 %% load), found %zu",
                     C->S.what, SIM_POWER_TABLE_POINTS, tn->n);
    return;
  }
  for (size_t i = 0; i < tn->n; i++) {
    if (!parse_watts(C, tn->items[i], "table", &p->table_w[i])) return;
    if (!(p->table_w[i] > 0)) {
      sim_schema_error(&C->S, tn->items[i], "value %zu of 'table' in %s must be above 0 W", i, C->S.what);
      return;
    }
    /* a server draws no less under more load: a falling curve is a typo */
    if (i > 0 && p->table_w[i] < p->table_w[i - 1]) {
      sim_schema_error(&C->S, tn->items[i],
                       "value %zu of 'table' in %s (%g W at %zu %%) is below the one before (%g W): "
                       "the table must not decrease",
                       i, C->S.what, p->table_w[i], i * 10, p->table_w[i - 1]);
      return;
    }
  }
}

/* power: {model, idle, max | table, boot_time}: the keys the model takes. */
static void load_power(ctx *C, const sim_yaml_node *ht, sim_host_type *t) {
  const sim_yaml_node *m = sim_schema_opt(ht, "power");
  if (!m) return;
  char saved[sizeof C->S.what];
  memcpy(saved, C->S.what, sizeof saved);
  sim_schema_set_what(&C->S, "power of %.200s", saved);
  if (sim_schema_is_map(&C->S, m, "a power model {model, ...}")) {
    static const char *const keys[] = {"model", "idle", "max", "table", "boot_time"};
    SIM_SCHEMA_CHECK_KEYS(&C->S, m, keys);
    size_t i;
    if (sim_schema_need(&C->S, m, "model") && sim_schema_enum(&C->S, m, "model", &C->power_names, &i)) {
      sim_power_spec *p = &t->power;
      p->model = C->power_words[i];
      sim_vocab_kind takes = C->power_kind[i];
      static const char *const param_keys[] = {"idle", "max", "table"};
      for (size_t k = 0; k < 3; k++) {
        const sim_yaml_node *v = sim_schema_opt(m, param_keys[k]);
        bool wanted = k < 2 ? takes == SIM_VOCAB_POWER_IDLE_MAX : takes == SIM_VOCAB_POWER_TABLE;
        if (v && !wanted)
          sim_schema_error(&C->S, v, "'%s' in %s: the power model '%s' takes %s", param_keys[k], C->S.what,
                           p->model,
                           takes == SIM_VOCAB_POWER_SHIPPED       ? "no parameters (its measured table is built in)"
                           : takes == SIM_VOCAB_POWER_TABLE    ? "'table', not idle/max"
                                                         : "'idle' and 'max', not a table");
      }
      if (takes == SIM_VOCAB_POWER_IDLE_MAX) {
        const sim_yaml_node *idle = sim_schema_need(&C->S, m, "idle"), *max = sim_schema_need(&C->S, m, "max");
        if (idle && max && parse_watts(C, idle, "idle", &p->idle_w) && parse_watts(C, max, "max", &p->max_w) &&
            p->max_w < p->idle_w)
          sim_schema_error(&C->S, max, "'max' in %s (%g W) is below 'idle' (%g W)", C->S.what, p->max_w, p->idle_w);
      } else if (takes == SIM_VOCAB_POWER_TABLE) {
        const sim_yaml_node *tn = sim_schema_need(&C->S, m, "table");
        if (tn) load_power_table(C, tn, p);
      }
      sim_schema_time(&C->S, m, "boot_time", &p->boot_time_ns, 0);
    }
  }
  memcpy(C->S.what, saved, sizeof saved);
}

/* A core voltage, "1.2" or "1.2 V", into *out (V, in (0, 10]); false with an error otherwise. */
static bool parse_volts(ctx *C, const sim_yaml_node *v, const char *key, double *out) {
  const char *t = sim_schema_scalar(&C->S, v, key, "a voltage such as \"1.2 V\"");
  if (!t) return false;
  char *end;
  double x = strtod(t, &end);
  while (*end == ' ') end++;
  if (*end == 'V' && end[1] == '\0') end++;
  /* a CMOS core runs at about a volt: tens of volts is a unit slip */
  if (end == t || *end || !isfinite(x) || !(x > 0) || x > 10) {
    sim_schema_error(&C->S, v, "'%s' in %s must be a voltage above 0 V and at most 10 V such as \"1.2 V\", found '%s'",
                     key, C->S.what, t);
    return false;
  }
  *out = x;
  return true;
}

/* pstates: 1 to SIM_DVFS_MAX_PSTATES {frequency, voltage}, by strictly
 * increasing frequency, none above the type's clock. */
static void load_pstates(ctx *C, const sim_yaml_node *ps, sim_host_type *t) {
  if (!sim_schema_is_seq(&C->S, ps, "a list of P-states {frequency, voltage}")) return;
  if (ps->n == 0 || ps->n > SIM_DVFS_MAX_PSTATES) {
    sim_schema_error(&C->S, ps, "'pstates' in %s must list 1 to %d P-states, found %zu", C->S.what,
                     SIM_DVFS_MAX_PSTATES, ps->n);
    return;
  }
  char saved[sizeof C->S.what];
  memcpy(saved, C->S.what, sizeof saved);
  for (size_t i = 0; i < ps->n; i++) {
    const sim_yaml_node *p = ps->items[i];
    sim_schema_set_what(&C->S, "P-state %zu of %.200s", i, saved);
    if (!sim_schema_is_map(&C->S, p, "a P-state {frequency, voltage}")) break;
    static const char *const keys[] = {"frequency", "voltage"};
    SIM_SCHEMA_CHECK_KEYS(&C->S, p, keys);
    double hz = 0, volts = 0;
    const sim_yaml_node *fn = sim_schema_need(&C->S, p, "frequency"), *vn = sim_schema_need(&C->S, p, "voltage");
    if (fn) sim_schema_real(&C->S, p, "frequency", &hz, SIM_UNIT_FREQ, 1e6, 100e9);
    if (vn) parse_volts(C, vn, "voltage", &volts);
    if (!(hz > 0) || !(volts > 0)) break;
    char f[48], g[48];
    sim_format_quantity(SIM_UNIT_FREQ, hz, f, sizeof f);
    if (i > 0 && hz <= t->pstate_hz[i - 1]) {
      sim_format_quantity(SIM_UNIT_FREQ, t->pstate_hz[i - 1], g, sizeof g);
      sim_schema_error(&C->S, fn,
                       "'frequency' in %s (%s) is not above the one before (%s): P-states are listed by "
                       "strictly increasing frequency",
                       C->S.what, f, g);
      break;
    }
    /* the type's clock is its hosts' top speed: a P-state above it is a typo */
    if (t->clock_hz > 0 && hz > t->clock_hz) {
      sim_format_quantity(SIM_UNIT_FREQ, t->clock_hz, g, sizeof g);
      sim_schema_error(&C->S, fn, "'frequency' in %s (%s) is above the host type's clock (%s)", C->S.what, f, g);
      break;
    }
    t->pstate_hz[i] = hz;
    t->pstate_volts[i] = volts;
    t->n_pstates = i + 1;
  }
  memcpy(C->S.what, saved, sizeof saved);
}

/* dvfs: {governor, pstates, sampling_period, up_threshold, down_differential,
 * down_threshold, freq_step}; the defaults are cpufreq's [CPUFREQ]: a 10 ms
 * period, 80 % and 10 points (ondemand), 20 % and steps of 5 %
 * (conservative).  Every governor takes every key; each reads its own. */
static void load_dvfs(ctx *C, const sim_yaml_node *ht, sim_host_type *t) {
  const sim_yaml_node *m = sim_schema_opt(ht, "dvfs");
  if (!m) return;
  char saved[sizeof C->S.what];
  memcpy(saved, C->S.what, sizeof saved);
  sim_schema_set_what(&C->S, "dvfs of %.200s", saved);
  if (sim_schema_is_map(&C->S, m, "DVFS settings {governor, pstates, ...}")) {
    static const char *const keys[] = {"governor",          "pstates",        "sampling_period", "up_threshold",
                                       "down_differential", "down_threshold", "freq_step"};
    SIM_SCHEMA_CHECK_KEYS(&C->S, m, keys);
    size_t i;
    if (sim_schema_need(&C->S, m, "governor") &&
        sim_schema_enum(&C->S, m, "governor", &C->names[SIM_VOCAB_GOVERNOR], &i))
      t->dvfs_governor = C->words[SIM_VOCAB_GOVERNOR][i];
    const sim_yaml_node *ps = sim_schema_need(&C->S, m, "pstates");
    if (ps) load_pstates(C, ps, t);
    t->dvfs_period_ns = 10 * SIM_MS;
    sim_schema_time(&C->S, m, "sampling_period", &t->dvfs_period_ns, SIM_US);
    t->dvfs_up_threshold = 0.8;
    t->dvfs_down_differential = 0.1;
    /* (0, 1]: a share of the cores' time; above 1 the clock would never rise */
    sim_schema_real(&C->S, m, "up_threshold", &t->dvfs_up_threshold, SIM_UNIT_PERCENT, 1e-9, 1);
    sim_schema_real(&C->S, m, "down_differential", &t->dvfs_down_differential, SIM_UNIT_PERCENT, 0, 1);
    t->dvfs_down_threshold = 0.2;
    t->dvfs_freq_step = 0.05;
    sim_schema_real(&C->S, m, "down_threshold", &t->dvfs_down_threshold, SIM_UNIT_PERCENT, 0, 1);
    sim_schema_real(&C->S, m, "freq_step", &t->dvfs_freq_step, SIM_UNIT_PERCENT, 1e-9, 1);
    /* both aim under the threshold: at or above it the clock would go up and down at once */
    static const char *const under_up[] = {"down_differential", "down_threshold"};
    const double under_value[] = {t->dvfs_down_differential, t->dvfs_down_threshold};
    for (size_t k = 0; k < 2; k++) {
      if (under_value[k] < t->dvfs_up_threshold) continue;
      const sim_yaml_node *at = sim_schema_opt(m, under_up[k]);
      sim_schema_error(&C->S, at ? at : sim_schema_opt(m, "up_threshold"),
                       "'%s' in %s (%g) must be below 'up_threshold' (%g)", under_up[k], C->S.what,
                       under_value[k], t->dvfs_up_threshold);
    }
  }
  memcpy(C->S.what, saved, sizeof saved);
}

static void load_host_type(ctx *C, const sim_yaml_node *key, const sim_yaml_node *m, sim_host_type *t) {
  t->tlb_tagged = -1;
  t->fidelity = sim_schema_strdup(&C->S, "quantum");
  sim_schema_set_what(&C->S, "host type '%.200s'", key->text);
  if (!sim_schema_is_map(&C->S, m, "a host type")) return;
  static const char *const keys[] = {"cores", "clock", "memory", "tlb_entries_4k", "tlb_entries_2m",
                                     "page_walk_levels", "pwc_entries", "tlb_tagged", "scheduler",
                                     "fidelity", "allow_overcommit", "calibration", "nics", "disks", "power",
                                     "dvfs"};
  SIM_SCHEMA_CHECK_KEYS(&C->S, m, keys);
  if (sim_schema_need(&C->S, m, "cores")) sim_schema_u32(&C->S, m, "cores", 1, 65536, &t->cores);
  if (sim_schema_need(&C->S, m, "clock"))
    sim_schema_real(&C->S, m, "clock", &t->clock_hz, SIM_UNIT_FREQ, 1e6, 100e9);
  if (sim_schema_need(&C->S, m, "memory")) sim_schema_size(&C->S, m, "memory", &t->memory_bytes, 1 << 20);
  load_mmu(C, m, t);
  sim_schema_enum_str(&C->S, m, "scheduler", &C->names[SIM_VOCAB_SCHEDULER], &t->scheduler);
  sim_schema_enum_str(&C->S, m, "fidelity", &fidelity_list, &t->fidelity);
  sim_schema_bool(&C->S, m, "allow_overcommit", &t->allow_overcommit);
  sim_schema_str(&C->S, m, "calibration", &t->calibration);
  scenario_resolve_calibration(C, &t->calibration);
  load_nics_disks(C, m, t);
  load_power(C, m, t);
  load_dvfs(C, m, t);
}

void scenario_load_host_types(ctx *C, const sim_yaml_node *types) {
  sim_scenario *s = C->s;
  if (!types) {
    sim_schema_error(&C->S, NULL, "missing section 'host_types'");
    return;
  }
  if (!sim_schema_is_map(&C->S, types, "host types (a mapping from type name to its description)")) return;
  s->host_types = sim_calloc(types->n, sizeof *s->host_types);
  if (!s->host_types || sim_name_index_init(&C->type_ix, types->n) < 0) { sim_schema_nomem(&C->S); return; }
  for (size_t i = 0; i < types->n && !C->S.oom; i++) {
    const sim_yaml_node *key = types->pairs[i].key;
    sim_host_type *t = &s->host_types[s->n_host_types];
    t->name = sim_schema_strdup(&C->S, key->text);
    if (!t->name) return;
    s->n_host_types++;
    if (sim_name_index_add(&C->type_ix, &s->host_types[0].name, sizeof *t, t->name,
                           (uint32_t)(s->n_host_types - 1)) == -1) {
      sim_schema_nomem(&C->S);
      return;
    }
    load_host_type(C, key, types->pairs[i].value, t);
  }
}

static int grow_hosts(ctx *C, size_t need_n) {
  if (sim_grow((void **)&C->s->hosts, &C->cap_hosts, need_n, sizeof *C->s->hosts) < 0) return -1;
  return sim_grow((void **)&C->host_entry, &C->cap_entries, need_n, sizeof *C->host_entry);
}

/* The host type a host entry names; -1 (with an error) when it is unknown. */
static long host_type_of(ctx *C, const sim_yaml_node *tn, const char *tname) {
  sim_scenario *s = C->s;
  long type = scenario_find_type(C, tname);
  if (type >= 0) return type;
  const char **names = sim_malloc((s->n_host_types + 1) * sizeof *names);
  if (!names) {
    sim_schema_nomem(&C->S);
    return -1;
  }
  for (size_t i = 0; i < s->n_host_types; i++) names[i] = s->host_types[i].name;
  const char *near = sim_suggest(tname, names, s->n_host_types);
  if (near)
    sim_schema_error(&C->S, tn, "%s has type '%s', which is not in host_types; did you mean '%s'?",
                     C->S.what, tname, near);
  else
    sim_schema_error(&C->S, tn, "%s has type '%s', which is not in host_types", C->S.what, tname);
  sim_free(names);
  return -1;
}

/* Adds the `count` hosts of entry m (name node nn); -1 when loading must stop. */
static int expand_hosts(ctx *C, const sim_yaml_node *m, const sim_yaml_node *nn, const char *pattern,
                        uint64_t count, uint32_t type, const char *zone) {
  sim_scenario *s = C->s;
  if (s->n_hosts + count > MAX_INSTANCES) {
    sim_schema_error(&C->S, m, "too many hosts: more than %llu in total", (unsigned long long)MAX_INSTANCES);
    return -1;
  }
  if (grow_hosts(C, s->n_hosts + count) < 0) { sim_schema_nomem(&C->S); return -1; }
  for (uint64_t i = 0; i < count && !C->S.oom; i++) {
    char name[NAME_MAX_LEN], e2[400];
    if (sim_name_expand(pattern, i, name, sizeof name, e2, sizeof e2) < 0) {
      sim_schema_error(&C->S, nn, "%s", e2);
      break;
    }
    if (!name[0]) {
      sim_schema_error(&C->S, nn, "a host name must not be empty");
      break;
    }
    sim_host *h = &s->hosts[s->n_hosts];
    h->name = sim_schema_strdup(&C->S, name);
    if (!h->name) return -1;
    h->type = type;
    snprintf(h->zone, sizeof h->zone, "%s", zone);
    C->host_entry[s->n_hosts] = m;
    long other = sim_name_index_add(&C->host_ix, &s->hosts[0].name, sizeof *h, name, (uint32_t)s->n_hosts);
    if (other == -1) {
      sim_free(h->name);
      sim_schema_nomem(&C->S);
      return -1;
    }
    if (other >= 0) {
      const sim_yaml_node *o = C->host_entry[other];
      sim_schema_error_capped(&C->S, CAPPED_NAME_CLASH, nn,
                              "host name '%s' is already used by the host entry at line %d", name, o->line);
      sim_free(h->name);
      continue;
    }
    s->n_hosts++;
  }
  return 0;
}

/* The `zone` of host entry m, every host of the entry in it; NULL: none
 * (or an error, reported). */
static const char *host_zone(ctx *C, const sim_yaml_node *m) {
  const sim_yaml_node *zn = sim_schema_opt(m, "zone");
  const char *zone = zn ? sim_schema_scalar(&C->S, zn, "zone", "an availability zone name") : NULL;
  if (!zone) return NULL;
  if (!zone[0]) {
    sim_schema_error(&C->S, zn, "'zone' of %s must not be empty", C->S.what);
    return NULL;
  }
  if (strlen(zone) >= SIM_ZONE_MAX) {
    sim_schema_error(&C->S, zn, "'zone' of %s is longer than %d characters", C->S.what, SIM_ZONE_MAX - 1);
    return NULL;
  }
  return zone;
}

/* One entry of hosts: {name, type, count, zone}; -1 when loading must stop. */
static int load_host_entry(ctx *C, const sim_yaml_node *m, size_t e) {
  sim_schema_set_what(&C->S, "host entry %zu", e);
  if (!sim_schema_is_map(&C->S, m, "a host entry {name, type, count}")) return 0;
  const sim_yaml_node *nn = sim_schema_opt(m, "name");
  if (nn && nn->kind == SIM_YAML_SCALAR) sim_schema_set_what(&C->S, "host '%.200s'", nn->text);
  static const char *const keys[] = {"name", "type", "count", "zone"};
  SIM_SCHEMA_CHECK_KEYS(&C->S, m, keys);
  uint64_t count = scenario_get_count(C, m);
  const char *zone = host_zone(C, m);
  const char *pattern = nn ? sim_schema_scalar(&C->S, nn, "name", "a host name") : NULL;
  if (!nn) sim_schema_need(&C->S, m, "name");
  const sim_yaml_node *tn = sim_schema_need(&C->S, m, "type");
  const char *tname = tn ? sim_schema_scalar(&C->S, tn, "type", "a host type name") : NULL;
  long type = tname ? host_type_of(C, tn, tname) : -1;
  if (C->S.oom) return -1;
  if (!pattern || type < 0) {
    C->hosts_incomplete = true;
    return 0;
  }
  if (sim_grow((void **)&C->hrec, &C->cap_hrec, C->n_hrec + 1, sizeof *C->hrec) < 0) {
    sim_schema_nomem(&C->S);
    return -1;
  }
  entry_rec *rec = &C->hrec[C->n_hrec];
  memset(rec, 0, sizeof *rec);
  if (!(rec->pattern = sim_schema_strdup(&C->S, pattern))) return -1;
  rec->count = count;
  rec->first = C->s->n_hosts;
  rec->type = (uint32_t)type;
  C->n_hrec++;
  return expand_hosts(C, m, nn, pattern, count, (uint32_t)type, zone ? zone : "");
}

void scenario_load_hosts(ctx *C, const sim_yaml_node *hosts) {
  if (!hosts) {
    sim_schema_error(&C->S, NULL, "missing section 'hosts'");
    return;
  }
  if (!sim_schema_is_seq(&C->S, hosts, "a list of hosts")) return;
  if (sim_name_index_init(&C->host_ix, 64) < 0) { sim_schema_nomem(&C->S); return; }
  for (size_t e = 0; e < hosts->n && !C->S.oom; e++)
    if (load_host_entry(C, hosts->items[e], e) < 0) return;
  if (C->s->n_hosts == 0 && hosts->n == 0) sim_schema_error(&C->S, hosts, "the scenario has no hosts");
}
