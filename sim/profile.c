/* sim/profile.c: calibration profiles (see profile.h; format in
 * scenarios/SCHEMA.md, "Calibration profiles").
 * A profile holds its quantities sorted by key (binary search), each in its
 * canonical unit (cycles, ns, bytes, Hz, bit/s, 1) with its unit kind, so a
 * time can be turned into cycles at `cpu.clock`.  A fallback chain is loaded
 * eagerly (at most MAX_CHAIN profiles, no cycles).  The record of keys read
 * from a fallback is the one piece of state a const getter updates: it is a
 * log for the run's warning, not part of the profile's value.  Shipped
 * profiles are found along a search path the program installs (profile.h):
 * the core names no directory of its own. */
#include "sim/profile.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/alloc.h"
#include "sim/schema.h"
#include "sim/units.h"
#include "sim/yaml.h"

#define MAX_CHAIN 16
#define MAX_FILE_BYTES (16u << 20)

typedef struct quantity {
  char *key;            /* dotted name: "syscall.native" */
  double value;         /* in the canonical unit of kind */
  sim_unit_kind kind;   /* what the value measures */
  bool representative;  /* false: measured where it cannot stand for the real machine */
} quantity;

struct sim_profile {
  char *name;             /* profile.name */
  char *path;             /* file it was read from */
  char *text;             /* its YAML, then its fallbacks' (documents separated by ---) */
  quantity *q;            /* sorted by key */
  size_t n;               /* quantities */
  sim_profile *fallback;  /* NULL: none */
  const char **fb_keys;   /* keys supplied by a fallback so far (point into fallback q) */
  size_t n_fb_keys, cap_fb_keys;
};

int sim_read_file(const char *path, char **text, size_t *len, char *err, size_t errlen) {
  *text = NULL;
  *len = 0;
  /* O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below */
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  FILE *f = fd < 0 ? NULL : fdopen(fd, "rb");
  if (!f) {
    snprintf(err, errlen, "%s", strerror(errno));
    if (fd >= 0) close(fd);
    return -1;
  }
  struct stat st;
  if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode)) {
    snprintf(err, errlen, "not a regular file");
    fclose(f);
    return -1;
  }
  if (st.st_size > (off_t)MAX_FILE_BYTES) {
    snprintf(err, errlen, "larger than %u MiB", MAX_FILE_BYTES >> 20);
    fclose(f);
    return -1;
  }
  size_t size = (size_t)st.st_size;
  char *buf = sim_malloc(size + 1);
  if (!buf) {
    snprintf(err, errlen, "out of memory");
    fclose(f);
    return -1;
  }
  size_t got = fread(buf, 1, size, f);
  int bad = ferror(f);
  fclose(f);
  if (bad) {
    snprintf(err, errlen, "read error");
    sim_free(buf);
    return -1;
  }
  buf[got] = '\0';
  *text = buf;
  *len = got;
  return 0;
}

sim_data_path sim_data_path_from_env(void) {
  sim_data_path env = {{NULL}, 0};
  const char *dir = getenv("VDCSIM_DATADIR");
  if (dir && *dir) env.dirs[env.n++] = dir;
  return env;
}

static int try_path(const char *dir, const char *subdir, const char *name, char **path) {
  if (!dir || !*dir) return -1;
  size_t n = strlen(dir) + strlen(subdir) + strlen(name) + 8;
  char *p = sim_malloc(n);
  if (!p) return -2;
  snprintf(p, n, "%s/%s/%s.yaml", dir, subdir, name);
  if (access(p, R_OK) == 0) {
    *path = p;
    return 0;
  }
  sim_free(p);
  return -1;
}

int sim_data_find(const sim_data_path *search, const char *subdir, const char *name, char **path) {
  *path = NULL;
  if (!*name || strchr(name, '/') || name[0] == '.') return -1;
  for (size_t i = 0; i < search->n; i++) {
    int rc = try_path(search->dirs[i], subdir, name, path);
    if (rc != -1) return rc;
  }
  return -1;
}

/* "A/profiles, B/profiles and C/profiles": where a shipped profile was looked for. */
static void not_found(const sim_data_path *search, const char *name, sim_diag *diag) {
  char places[2048] = "";
  size_t used = 0;
  for (size_t i = 0; i < search->n && used < sizeof places; i++) {
    const char *sep = i == 0 ? "" : i + 1 == search->n ? " and " : ", ";
    int w = snprintf(places + used, sizeof places - used, "%s%s/profiles", sep,
                     search->dirs[i] ? search->dirs[i] : "");
    if (w > 0) used += (size_t)w;
  }
  if (search->n)
    sim_diag_error(diag, NULL, 0, 0, "calibration profile '%s' not found (looked in %s)", name,
                   places);
  else
    sim_diag_error(diag, NULL, 0, 0,
                   "calibration profile '%s' not found (no data directory given: set VDCSIM_DATADIR)",
                   name);
}

void sim_profile_free(sim_profile *p) {
  while (p) {
    sim_profile *next = p->fallback;
    for (size_t i = 0; i < p->n; i++) sim_free(p->q[i].key);
    sim_free(p->q);
    sim_free(p->name);
    sim_free(p->path);
    sim_free(p->text);
    sim_free(p->fb_keys);
    sim_free(p);
    p = next;
  }
}

static int cmp_q(const void *a, const void *b) {
  return strcmp(((const quantity *)a)->key, ((const quantity *)b)->key);
}

/* Quantities the models divide by or step with, which no model checks when
 * it reads them: 0 would stall a run or divide by zero
 * (models/profiles/README.md lists what each means).  The schedulers,
 * I/O paths and techniques check their own (sched_param, iopath_quantity,
 * the technique's cost table). */
static const char *const positive_keys[] = {
    "cpu.clock", "mem.line", "mem.bandwidth", "tlb.walk.levels", "tlb.pte_bytes",
    "bt.bytes_per_instr", "migration.page_size"};

/* The quantities above are greater than 0 (no quantity is negative: the
 * unit parser refuses a negative value). */
static void check_range(sim_schema *S, const sim_yaml_node *k, const sim_yaml_node *val,
                        const quantity *q) {
  for (size_t i = 0; i < sizeof positive_keys / sizeof *positive_keys; i++)
    if (!strcmp(k->text, positive_keys[i])) {
      if (!(q->value > 0))
        sim_schema_error(S, val, "quantity '%s' must be greater than 0, found \"%s\"", k->text,
                         val->text);
      return;
    }
}

/* Reads one quantity entry into q: a bare value, or a mapping with one.
 * The value keeps its own unit (any kind sim_quantity_parse knows), so no
 * typed getter of the schema helper applies to it. */
static void read_quantity(sim_schema *S, const sim_yaml_node *k, const sim_yaml_node *v,
                          quantity *q) {
  q->representative = true;
  const sim_yaml_node *val = v;
  if (v->kind == SIM_YAML_MAP) {
    static const char *const keys[] = {"value", "spread", "method", "source", "representative"};
    sim_schema_set_what(S, "quantity '%.200s'", k->text);
    SIM_SCHEMA_CHECK_KEYS(S, v, keys);
    val = sim_schema_opt(v, "value");
    if (!val) {
      sim_schema_error(S, v, "quantity '%s' has no 'value'", k->text);
      return;
    }
    const sim_yaml_node *rep = sim_schema_opt(v, "representative");
    if (rep) sim_schema_parse_bool(S, rep, "representative", &q->representative);
    const sim_yaml_node *spread = sim_schema_opt(v, "spread");
    if (spread) sim_schema_scalar(S, spread, "spread", "a quantity");
  }
  if (val->kind != SIM_YAML_SCALAR) {
    sim_schema_error(S, val, "quantity '%s': expected a value such as \"200 cycles\", found a %s",
                     k->text, sim_yaml_kind_name(val->kind));
    return;
  }
  sim_quantity sq;
  char e[300];
  if (sim_quantity_parse(val->text, &sq, e, sizeof e) < 0) {
    sim_schema_error(S, val, "quantity '%s': expected a value such as \"200 cycles\", %s", k->text, e);
    return;
  }
  q->value = sq.value;
  q->kind = sq.kind;
  check_range(S, k, val, q);
}

static int load_chain(const sim_data_path *search, const char *name_or_path, int depth,
                      const char **chain, sim_profile **out, sim_diag *diag) {
  *out = NULL;
  char *path = NULL;
  size_t nl = strlen(name_or_path);
  bool is_path = strchr(name_or_path, '/') || (nl > 5 && !strcmp(name_or_path + nl - 5, ".yaml"));
  if (is_path) {
    path = sim_strdup(name_or_path);
    if (!path) {
      sim_diag_error(diag, NULL, 0, 0, "out of memory");
      return -1;
    }
  } else {
    int rc = sim_data_find(search, "profiles", name_or_path, &path);
    if (rc == -2) {
      sim_diag_error(diag, NULL, 0, 0, "out of memory");
      return -1;
    }
    if (rc < 0) {
      not_found(search, name_or_path, diag);
      return -1;
    }
  }
  size_t errors_before = diag->errors;
  sim_schema S; /* messages name the file read; path, then p->path, outlive S */
  sim_schema_init(&S, path, diag);
  char *text = NULL;
  size_t len = 0;
  char e[300];
  sim_yaml_node *root = NULL;
  sim_profile *p = NULL;
  if (sim_read_file(path, &text, &len, e, sizeof e) < 0) {
    sim_diag_error(diag, path, 0, 0, "cannot read calibration profile: %s", e);
    goto fail;
  }
  if (sim_yaml_parse(path, text, len, &root, diag) < 0) goto fail;
  if (!root || root->kind != SIM_YAML_MAP) {
    sim_schema_error(&S, root, "expected a calibration profile (a mapping with profile and quantities)");
    goto fail;
  }
  static const char *const top[] = {"profile", "environment", "quantities"};
  sim_schema_set_what(&S, "the calibration profile");
  SIM_SCHEMA_CHECK_KEYS(&S, root, top);
  p = sim_calloc(1, sizeof *p);
  if (!p) goto oom;
  p->path = path;
  path = NULL;
  p->text = text;
  text = NULL;
  const sim_yaml_node *meta = sim_schema_opt(root, "profile");
  if (meta && !sim_schema_is_map(&S, meta, "'profile'")) {
    meta = NULL;
  } else {
    static const char *const mkeys[] = {"name", "description", "fallback"};
    sim_schema_set_what(&S, "'profile'");
    if (meta) SIM_SCHEMA_CHECK_KEYS(&S, meta, mkeys);
    const sim_yaml_node *nm = meta ? sim_schema_opt(meta, "name") : NULL;
    const char *name = nm ? sim_schema_scalar(&S, nm, "name", "a profile name") : NULL;
    if (!nm)
      sim_schema_error(&S, meta ? meta : root, "the calibration profile needs 'profile: {name: ...}'");
    else if (name && !(p->name = sim_strdup(name)))
      goto oom;
  }
  const sim_yaml_node *env = sim_schema_opt(root, "environment");
  if (env) sim_schema_is_map(&S, env, "'environment'");
  const sim_yaml_node *qs = sim_schema_opt(root, "quantities");
  if (!qs) {
    sim_schema_error(&S, root, "the calibration profile needs 'quantities' (a mapping)");
  } else if (sim_schema_is_map(&S, qs, "'quantities'")) {
    p->q = sim_calloc(qs->n, sizeof *p->q);
    if (!p->q) goto oom;
    for (size_t i = 0; i < qs->n; i++) {
      quantity *q = &p->q[p->n];
      if (!(q->key = sim_strdup(qs->pairs[i].key->text))) goto oom;
      p->n++;
      read_quantity(&S, qs->pairs[i].key, qs->pairs[i].value, q);
    }
    qsort(p->q, p->n, sizeof *p->q, cmp_q);
  }
  const sim_yaml_node *fb = meta ? sim_schema_opt(meta, "fallback") : NULL;
  if (fb && diag->errors == errors_before) {
    sim_schema_set_what(&S, "'profile'");
    if (!sim_schema_scalar(&S, fb, "fallback", "a profile name or path")) goto fail;
    for (int i = 0; i < depth; i++)
      if (!strcmp(chain[i], fb->text)) {
        sim_schema_error(&S, fb, "fallback '%s' makes a cycle", fb->text);
        goto fail;
      }
    if (depth + 1 >= MAX_CHAIN) {
      sim_schema_error(&S, fb, "more than %d fallback profiles", MAX_CHAIN);
      goto fail;
    }
    chain[depth] = fb->text;
    /* a fallback given as a relative path is relative to this profile's file */
    size_t fl = strlen(fb->text);
    bool fb_path = strchr(fb->text, '/') || (fl > 5 && !strcmp(fb->text + fl - 5, ".yaml"));
    const char *slash = strrchr(p->path, '/');
    char *fb_name = NULL;
    if (fb_path && fb->text[0] != '/' && slash) {
      size_t dl = (size_t)(slash - p->path);
      if (!(fb_name = sim_malloc(dl + fl + 2))) goto oom;
      snprintf(fb_name, dl + fl + 2, "%.*s/%s", (int)dl, p->path, fb->text);
    }
    int fb_rc = load_chain(search, fb_name ? fb_name : fb->text, depth + 1, chain, &p->fallback, diag);
    sim_free(fb_name);
    if (fb_rc < 0) goto fail;
    size_t tl = strlen(p->text) + strlen(p->fallback->text) + 8;
    char *joined = sim_malloc(tl);
    if (!joined) goto oom;
    snprintf(joined, tl, "%s\n---\n%s", p->text, p->fallback->text);
    sim_free(p->text);
    p->text = joined;
  }
  if (diag->errors > errors_before) goto fail;
  sim_yaml_free(root);
  *out = p;
  return 0;
oom:
  sim_diag_error(diag, NULL, 0, 0, "out of memory while reading a calibration profile");
fail:
  sim_yaml_free(root);
  sim_free(text);
  sim_free(path);
  sim_profile_free(p);
  return -1;
}

static const quantity *find_q(const sim_profile *p, const char *key, const sim_profile **owner);

/* Whether every cost in cycles the profile gives (its own or its
 * fallbacks') is 0: a machine on which no operation takes time. */
static bool all_costs_zero(const sim_profile *p) {
  size_t costs = 0;
  for (const sim_profile *cur = p; cur; cur = cur->fallback)
    for (size_t i = 0; i < cur->n; i++) {
      const sim_profile *owner;
      const quantity *q = &cur->q[i];
      if (q->kind != SIM_UNIT_CYCLES) continue;
      if (find_q(p, q->key, &owner) != q) continue; /* hidden by an earlier profile */
      costs++;
      if (q->value != 0) return false;
    }
  return costs > 0;
}

int sim_profile_load(const sim_data_path *path, const char *name_or_path, sim_profile **out,
                     sim_diag *diag) {
  const char *chain[MAX_CHAIN];
  chain[0] = name_or_path;
  int rc = load_chain(path, name_or_path, 1, chain, out, diag);
  if (rc == 0 && all_costs_zero(*out)) {
    sim_diag_error(diag, (*out)->path, 0, 0,
                   "calibration profile '%s': every cost in cycles is 0, so no operation would "
                   "take any time",
                   (*out)->name ? (*out)->name : "?");
    sim_profile_free(*out);
    *out = NULL;
    return -1;
  }
  return rc;
}

const char *sim_profile_name(const sim_profile *p) { return p->name; }
const char *sim_profile_text(const sim_profile *p) { return p->text; }
size_t sim_profile_count(const sim_profile *p) { return p->n; }

static const quantity *find_q(const sim_profile *p, const char *key, const sim_profile **owner) {
  for (const sim_profile *cur = p; cur; cur = cur->fallback) {
    quantity probe = {.key = (char *)key};
    const quantity *q = cur->n ? bsearch(&probe, cur->q, cur->n, sizeof *cur->q, cmp_q) : NULL;
    if (q) {
      *owner = cur;
      return q;
    }
  }
  return NULL;
}

int sim_profile_get(const sim_profile *p, const char *key, double *value, bool *from_fallback) {
  const sim_profile *owner;
  const quantity *q = find_q(p, key, &owner);
  if (!q) return -1;
  *value = q->value;
  if (from_fallback) *from_fallback = owner != p;
  if (owner != p) {
    sim_profile *log = (sim_profile *)p; /* see the file comment */
    size_t i;
    for (i = 0; i < log->n_fb_keys; i++)
      if (!strcmp(log->fb_keys[i], q->key)) break;
    if (i == log->n_fb_keys &&
        sim_grow((void **)&log->fb_keys, &log->cap_fb_keys, log->n_fb_keys + 1, sizeof *log->fb_keys) == 0)
      log->fb_keys[log->n_fb_keys++] = q->key;
  }
  return 0;
}

double sim_profile_get_or(const sim_profile *p, const char *key, double dflt) {
  double v;
  return sim_profile_get(p, key, &v, NULL) == 0 ? v : dflt;
}

bool sim_profile_representative(const sim_profile *p, const char *key) {
  const sim_profile *owner;
  const quantity *q = find_q(p, key, &owner);
  return q ? q->representative : true;
}

size_t sim_profile_fallback_keys(const sim_profile *p, const char ***keys) {
  *keys = p->fb_keys;
  return p->n_fb_keys;
}

int sim_profile_get_cycles(const sim_profile *p, const char *key, double *cycles) {
  const sim_profile *owner;
  const quantity *q = find_q(p, key, &owner);
  if (!q) return -1;
  double v;
  sim_profile_get(p, key, &v, NULL); /* logs a fallback read */
  if (q->kind == SIM_UNIT_CYCLES) {
    *cycles = v;
    return 0;
  }
  if (q->kind != SIM_UNIT_TIME) return -2;
  const quantity *clock = find_q(p, "cpu.clock", &owner);
  if (!clock || clock->kind != SIM_UNIT_FREQ || clock->value <= 0) return -3;
  double hz;
  sim_profile_get(p, "cpu.clock", &hz, NULL);
  *cycles = v * 1e-9 * hz; /* ns x cycles/ns */
  return 0;
}
