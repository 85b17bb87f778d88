/* models/engine_provision.c: provisioning a guest from its image before it
 * starts (scenarios/SCHEMA.md "images"; sim/image.h).
 * Model.  Each host keeps a layer cache: the layers (by digest) unpacked in
 * its store, shared by every image and guest on it [HS16]; an image's
 * `prepull` hosts hold its layers from the start.  A guest with an image,
 * at its start time, needs each layer of its image on its host:
 *   - a layer in the cache (or being fetched for an earlier guest) is not
 *     pulled again: it waits for it if it is not ready yet;
 *   - a missing layer is pulled from the registry: one request round trip
 *     (registry.latency) and its compressed bytes at the lesser of the
 *     registry's bandwidth and the host's first NIC.  A host's pulls share
 *     one link, served one after another (first come, first served): the
 *     last of n concurrent pulls ends when it would with fair sharing, and
 *     the flows of running guests on that NIC are not slowed (the registry
 *     link is a device of its own, serialised per host);
 *   - then it is unpacked, in order (a layer's parent first), one layer at a
 *     time per host, as the container engine applies layers [OCI-IMG]:
 *     decompressing costs provision.unpack_cycles_per_byte cycles per
 *     unpacked byte on one core of the host's clock, and writing the files
 *     its unpacked bytes at the host's first disk's bandwidth; the two
 *     stream together, so the unpack takes the longer.  A VM image is a file
 *     copied as pulled: its disk write only.
 * A container then mounts its union file system (provision.overlay_mount,
 * each container) and starts: its technique charges the namespace and cgroup
 * set-up at its first slice (technique_container.c).  A VM starts by running
 * its image's boot workload (firmware, kernel, init) through its technique
 * before its own workload: the boot phases are composed in front of the
 * workload's (eng_provision_workload), so each technique charges the boot by
 * its own mechanisms.
 * Reported per guest (summary/provisioning): layers pulled and found, the
 * time its layers spent in transfer and unpacking, its mount, its boot, and
 * ready_s: from its start time to when its workload can begin (the end of
 * its boot for a VM; for a container the end of provisioning plus the
 * namespace/cgroup set-up at the host's clock).
 * The pulls and unpacks are planned at set-up, in order of start time
 * (then guest index): they depend on start times and hosts only, which are
 * known before the run (guests under a datacenter section are placed during
 * the run: an image is refused there).
 * Units: ns, bytes, bit/s, cycles.
 * Invariants: a layer is fetched at most once per host; a guest's workload
 * starts no earlier than its last layer is unpacked. */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/engine_internal.h"
#include "sim/alloc.h"
#include "sim/image.h"

/* A layer in a host's cache. */
typedef struct cached_layer {
  const char *digest;        /* the scenario's */
  sim_time ready_ns;         /* ns: when it is unpacked (0: pre-pulled) */
} cached_layer;

typedef struct host_store {
  cached_layer *layers;      /* the cache */
  size_t n, cap;
  sim_time link_free_ns;     /* ns: when its registry link has finished its last pull */
  sim_time unpack_free_ns;   /* ns: when its last unpack ends */
} host_store;

/* One guest's provisioning. */
typedef struct prov_guest {
  bool has;                  /* it has an image */
  uint32_t pulled, cached;   /* layers pulled for it, layers found in the cache or on their way */
  double pull_s, unpack_s;   /* s: transfer and unpack time of the layers pulled for it */
  double mount_s, setup_s;   /* s: union-fs mount; namespace/cgroup set-up (containers) */
  sim_time provisioned_ns;   /* ns: its workload (or boot) starts */
  sim_time ready_ns;         /* ns: its workload can begin; -1 not yet (a VM booting) */
  size_t boot_phases;        /* VM: phases of its boot in front of its workload's */
  uint32_t vcpus_booted;     /* VM: vCPUs past the boot */
  sim_workload wl;           /* VM with a boot: boot phases then the workload's (phases owned) */
} prov_guest;

struct eng_provision {
  prov_guest *g;             /* sc->n_guests */
  size_t n;                  /* entries of g */
  host_store *stores;        /* sc->n_hosts: each host's cache and queues after the plan, kept for
                              * elastic services' activations during the run */
  size_t n_stores;           /* entries of stores */
  struct eng_elastic *elastic; /* elastic services (engine_elastic.c), owned here; NULL: none */
  bool planned;              /* every guest's start at the run's start is planned */
};

/* A quantity of h's profile in its canonical unit (ns); -1 with an error when missing. */
static double profile_value(eng *e, const eng_host *h, const char *key) {
  double v = 0;
  if (!h->profile || sim_profile_get(h->profile, key, &v, NULL) < 0 || !(v >= 0)) {
    sim_diag_error(e->diag, h->profile ? sim_profile_name(h->profile) : e->sc->path, 0, 0,
                   "calibration profile lacks quantity '%s' (provisioning from an image)", key);
    return -1;
  }
  return v;
}

/* The provisioning quantities are optional in a profile (models/profiles/
 * README.md): without them, these values.  Decompressing a gzip layer
 * (zlib inflate) yields about 300 MB/s of output on one 3 GHz core, 10
 * cycles a byte, and layers are gzip-compressed tar archives ([HS16]
 * sec. 2; [OCI-IMG] layer media types): an estimate.  An overlayfs mount of
 * a few lower layers with the container engine's bookkeeping, 5 ms: an
 * estimate within the about 10 ms that the kernel's part of a container's
 * start measures in all [KH26]. */
#define DEFAULT_UNPACK_CYCLES_PER_BYTE 10.0
#define DEFAULT_OVERLAY_MOUNT_NS 5e6

static cached_layer *find_layer(host_store *st, const char *digest) {
  for (size_t i = 0; i < st->n; i++)
    if (!strcmp(st->layers[i].digest, digest)) return &st->layers[i];
  return NULL;
}

static int cache_add(host_store *st, const char *digest, sim_time ready) {
  if (sim_grow((void **)&st->layers, &st->cap, st->n + 1, sizeof *st->layers) < 0) return -1;
  st->layers[st->n++] = (cached_layer){digest, ready};
  return 0;
}

static sim_time ns_of(double s) { return s >= 9e9 ? SIM_TIME_MAX : (sim_time)llround(s * 1e9); }
static sim_time later(sim_time a, sim_time b) { return a > b ? a : b; }

/* Guest gi's layers on its host's store st, from its start: pulls and
 * unpacks added to the host's queues, p filled. */
static int provision_guest(eng *e, size_t gi, host_store *st, prov_guest *p) {
  const sim_scenario *sc = e->sc;
  const sim_guest *g = e->guest_specs ? &e->guest_specs[gi] : &sc->guests[gi];
  const sim_image *im = &sc->images[g->image - 1];
  const eng_host *h = &e->hosts[g->host];
  const sim_host_type *t = h->type;
  double rate_bps = sc->registry_bandwidth_bps;
  if (t->n_nics && t->nics[0].bandwidth_bps < rate_bps) rate_bps = t->nics[0].bandwidth_bps;
  double disk_Bps = t->n_disks ? t->disks[0].bandwidth_Bps : INFINITY;
  double cpb = 0;
  if (im->kind == SIM_IMAGE_CONTAINER)
    cpb = h->profile ? sim_profile_get_or(h->profile, "provision.unpack_cycles_per_byte",
                                          DEFAULT_UNPACK_CYCLES_PER_BYTE)
                     : DEFAULT_UNPACK_CYCLES_PER_BYTE;
  sim_time start = g->start_ns, ready = start, parent_ready = start;
  for (size_t k = 0; k < im->n_layers; k++) {
    const sim_image_layer *l = &im->layers[k];
    cached_layer *c = find_layer(st, l->digest);
    if (c) {
      p->cached++;
      ready = later(ready, c->ready_ns);
      parent_ready = later(parent_ready, c->ready_ns);
      continue;
    }
    double transfer_s = sim_time_to_s(sc->registry_latency_ns) + (double)l->size_bytes * 8 / rate_bps;
    sim_time pulled = later(st->link_free_ns, start) + ns_of(transfer_s);
    st->link_free_ns = pulled;
    double unpack_s = fmax((double)l->unpacked_bytes * cpb / h->clock_hz, (double)l->unpacked_bytes / disk_Bps);
    sim_time unpacked = later(later(pulled, st->unpack_free_ns), parent_ready) + ns_of(unpack_s);
    st->unpack_free_ns = parent_ready = unpacked;
    ready = later(ready, unpacked);
    p->pulled++;
    p->pull_s += transfer_s;
    p->unpack_s += unpack_s;
    if (cache_add(st, l->digest, unpacked) < 0) return -1;
  }
  if (im->kind == SIM_IMAGE_CONTAINER) {
    double mount_ns = h->profile ? sim_profile_get_or(h->profile, "provision.overlay_mount", DEFAULT_OVERLAY_MOUNT_NS)
                                 : DEFAULT_OVERLAY_MOUNT_NS;
    double ns_create = profile_value(e, h, "container.namespace_create");
    double cg_enter = profile_value(e, h, "container.cgroup_enter");
    if (mount_ns < 0 || ns_create < 0 || cg_enter < 0) return -1;
    p->mount_s = mount_ns * 1e-9;
    p->setup_s = (ns_create + cg_enter) * 1e-9;
    ready += ns_of(p->mount_s);
  }
  p->provisioned_ns = ready;
  p->ready_ns = im->kind == SIM_IMAGE_CONTAINER ? ready + ns_of(p->setup_s) : -1;
  return 0;
}

/* Guests with an image, in order of start time, then index. */
typedef struct start_key {
  sim_time start_ns;
  size_t gi;
} start_key;

static int key_cmp(const void *a, const void *b) {
  const start_key *x = a, *y = b;
  if (x->start_ns != y->start_ns) return x->start_ns < y->start_ns ? -1 : 1;
  return (x->gi > y->gi) - (x->gi < y->gi);
}

/* Plans every guest's provisioning (once, at the first guest's set-up:
 * hosts are set up and arrivals drawn by then). */
/* The provisioning state, made empty at the first need. */
static int prov_alloc(eng *e) {
  if (e->prov) return 0;
  size_t ng = e->sc->n_guests;
  if (!(e->prov = sim_calloc(1, sizeof *e->prov))) return -1;
  if (!(e->prov->g = sim_calloc(ng ? ng : 1, sizeof *e->prov->g))) return -1;
  e->prov->n = ng;
  return 0;
}

int eng_provision_own_elastic(eng *e, struct eng_elastic *el) {
  if (prov_alloc(e) < 0) return -1;
  e->prov->elastic = el;
  return 0;
}

static int plan(eng *e) {
  const sim_scenario *sc = e->sc;
  size_t ng = sc->n_guests, nh = sc->n_hosts;
  if (prov_alloc(e) < 0) return -1;
  e->prov->planned = true;
  /* a service's members not started at first are left out of the plan: a
   * scale-out provisions them during the run (eng_provision_activate) */
  host_store *st = e->prov->stores = sim_calloc(nh ? nh : 1, sizeof *st);
  e->prov->n_stores = st ? nh : 0;
  start_key *keys = sim_malloc((ng ? ng : 1) * sizeof *keys);
  int rc = st && keys ? 0 : -1;
  for (size_t i = 0; rc == 0 && i < sc->n_images; i++)
    for (size_t k = 0; rc == 0 && k < sc->images[i].n_prepull; k++)
      for (size_t j = 0; rc == 0 && j < sc->images[i].n_layers; j++) {
        host_store *hs = &st[sc->images[i].prepull[k]];
        if (!find_layer(hs, sc->images[i].layers[j].digest)) rc = cache_add(hs, sc->images[i].layers[j].digest, 0);
      }
  size_t n = 0;
  for (size_t gi = 0; rc == 0 && gi < ng; gi++) {
    const sim_guest *g = e->guest_specs ? &e->guest_specs[gi] : &sc->guests[gi];
    if (!g->image || eng_elastic_deferred(e, gi)) continue;
    assert(!sc->datacenter.enabled && "the loader refuses images under a datacenter section");
    keys[n++] = (start_key){g->start_ns, gi};
  }
  if (rc == 0 && n > 1) qsort(keys, n, sizeof *keys, key_cmp);
  for (size_t i = 0; rc == 0 && i < n; i++) {
    size_t gi = keys[i].gi;
    const sim_guest *g = e->guest_specs ? &e->guest_specs[gi] : &sc->guests[gi];
    e->prov->g[gi].has = true;
    rc = provision_guest(e, gi, &st[g->host], &e->prov->g[gi]);
  }
  sim_free(keys);
  return rc;
}

int eng_provision_guest(eng *e, size_t gi, sim_time *start_ns) {
  const sim_scenario *sc = e->sc;
  eng_guest *g = &e->guests[gi];
  if (!g->spec->image) return 0;
  if ((!e->prov || !e->prov->planned) && plan(e) < 0) return -1;
  prov_guest *p = &e->prov->g[gi];
  if (eng_elastic_deferred(e, gi)) { /* it waits for a scale-out: it does not start, and is not billed */
    e->guest_specs[gi].start_ns = e->end_ns;
    *start_ns = SIM_TIME_MAX;
  } else {
    *start_ns = p->provisioned_ns;
  }
  const sim_image *im = &sc->images[g->spec->image - 1];
  if (im->kind != SIM_IMAGE_VM || !im->boot) return 0;
  /* the boot's phases in front of the workload's, run through its technique */
  const sim_workload *boot = &sc->workloads[im->boot - 1], *wl = g->wl;
  assert(!wl->trace_mix && !wl->repeat && (!wl->requests || g->rq) &&
         "the loader refuses a VM image's boot in front of a workload that does not end");
  /* a request-driven guest (an elastic service's member) boots, then serves:
   * one hand-over phase after the boot, a millionth of its mean request,
   * where each vCPU turns to its requests (eng_provision_phase) */
  size_t tail = wl->requests ? 1 : wl->n_phases;
  size_t n = boot->n_phases + tail;
  sim_phase *ph = sim_malloc((n ? n : 1) * sizeof *ph);
  if (!ph) return -1;
  if (boot->n_phases) memcpy(ph, boot->phases, boot->n_phases * sizeof *ph);
  if (tail) memcpy(ph + boot->n_phases, wl->phases, tail * sizeof *ph);
  if (wl->requests) ph[boot->n_phases].units = 1e-6 * g->spec->vcpus;
  p->wl = *wl;
  p->wl.phases = ph; /* shallow copies: the phases' arrays are the scenario's */
  p->wl.n_phases = n;
  p->boot_phases = boot->n_phases;
  g->wl = &p->wl;
  return 0;
}

int eng_provision_activate(eng *e, size_t gi, sim_time now, sim_time *start_ns) {
  prov_guest *p = &e->prov->g[gi];
  e->guest_specs[gi].start_ns = now;
  p->has = true;
  if (provision_guest(e, gi, &e->prov->stores[e->guests[gi].spec->host], p) < 0) return -1;
  *start_ns = p->provisioned_ns;
  return 0;
}

void eng_provision_ready(eng *e, size_t gi, sim_time now) {
  prov_guest *p = &e->prov->g[gi];
  if (p->ready_ns < 0) p->ready_ns = now;
}

void eng_provision_phase(eng *e, const eng_vcpu *v, sim_time now) {
  prov_guest *p = &e->prov->g[v->guest];
  if (!p->has || p->ready_ns >= 0 || v->phase < p->boot_phases) return;
  eng_guest *g = &e->guests[v->guest];
  if (g->rq) eng_requests_handover(e, (size_t)(v - e->vcpus)); /* booted: it serves requests from its hand-over phase's end */
  if (++p->vcpus_booted < g->spec->vcpus) return;
  p->ready_ns = now;
  if (g->rq) eng_elastic_ready(e, v->guest, now);
}

bool eng_provision_boots(const eng *e, size_t gi) {
  return e->prov && e->prov->g[gi].has && e->prov->g[gi].boot_phases > 0 && e->prov->g[gi].ready_ns < 0;
}

static const sim_column prov_cols[] = {
    {"name", SIM_COL_STR, "", "guest name"},
    {"image", SIM_COL_STR, "", "the image it is provisioned from"},
    {"host", SIM_COL_STR, "", "its host, whose layer cache it uses"},
    {"layers_pulled", SIM_COL_I64, "1", "layers pulled from the registry for it (cold)"},
    {"layers_cached", SIM_COL_I64, "1", "layers found in the host's cache or already on their way (warm)"},
    {"pull_s", SIM_COL_F64, "s", "transfer time of the layers pulled for it (round trip and bytes)"},
    {"unpack_s", SIM_COL_F64, "s", "unpack time of those layers (decompression or disk write, the longer)"},
    {"mount_s", SIM_COL_F64, "s", "union file system mount (containers)"},
    {"provisioned_s", SIM_COL_F64, "s", "from its start time until its image is ready (queueing included)"},
    {"boot_s", SIM_COL_F64, "s", "VM: its boot phases; container: namespace and cgroup set-up"},
    {"ready_s", SIM_COL_F64, "s", "start-up time: from its start time until its workload begins; NaN: "
                                    "not ready by the run's end"},
};

int eng_provision_write(eng *e, sim_time end) {
  (void)end;
  if (!e->prov) return 0;
  const sim_scenario *sc = e->sc;
  sim_table *t = sim_recorder_table(e->rec, "summary/provisioning",
                                    "per guest with an image: pulls, unpacking, boot and start-up time",
                                    sizeof prov_cols / sizeof prov_cols[0], prov_cols);
  if (!t) return -1;
  int rc = 0;
  for (size_t gi = 0; gi < sc->n_guests && rc >= 0; gi++) {
    const prov_guest *p = &e->prov->g[gi];
    const eng_guest *g = &e->guests[gi];
    if (!p->has) continue;
    sim_time start = g->spec->start_ns;
    double provisioned = sim_time_to_s(p->provisioned_ns - start);
    double ready = p->ready_ns >= 0 ? sim_time_to_s(p->ready_ns - start) : NAN;
    double boot = sc->images[g->spec->image - 1].kind == SIM_IMAGE_CONTAINER ? p->setup_s : ready - provisioned;
    sim_cell row[11];
    row[0].s = g->spec->name;
    row[1].s = sc->images[g->spec->image - 1].name;
    row[2].s = g->host->spec->name;
    row[3].i = p->pulled;
    row[4].i = p->cached;
    row[5].f = p->pull_s;
    row[6].f = p->unpack_s;
    row[7].f = p->mount_s;
    row[8].f = provisioned;
    row[9].f = boot;
    row[10].f = ready;
    rc = sim_table_append(t, row);
  }
  return rc;
}

void eng_provision_free(struct eng_provision *p) {
  if (!p) return;
  for (size_t hi = 0; p->stores && hi < p->n_stores; hi++) sim_free(p->stores[hi].layers);
  sim_free(p->stores);
  eng_elastic_free(p->elastic);
  for (size_t gi = 0; p->g && gi < p->n; gi++) sim_free(p->g[gi].wl.phases); /* NULL: none composed */
  sim_free(p->g);
  sim_free(p);
}
