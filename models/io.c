/* models/io.c: shared disks and NICs with FCFS or start-time fair queueing
 * (the model is described in models/io.h).
 * Units: ns, bytes; a NIC's bandwidth in bit/s, a disk's in bytes/s.
 * Invariants: a request is in exactly one place: the host queue (waiting),
 * the disk's positioning stage (admitted, at most queue_depth with the
 * transfer stage), the transfer stage (one at a time, FIFO) or done; the
 * SFQ virtual time never decreases.  Every choice is tie-broken by the
 * submission sequence, so runs are deterministic; a random access time or
 * jitter draws from the device's own stream (io_device_seed), in the order
 * the device serves requests.  Selecting from the host
 * queue is O(waiting requests).  A guest may have several issues (io_unit)
 * in flight at once, each completing on its own: the engine bounds them by
 * the phase's io_window (models/io.h).  A request's backend work is handed
 * to the engine's back-end entities (io_model_set_backend, models/backend.h),
 * which serve it on the host's cores; the request waits for it.  A guest's
 * path costs are priced from tables read from its profile once
 * (iopath_ops.load), never from the profile per request. */
#include "models/io.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>

#include "sim/alloc.h"
#include "sim/rng.h"

typedef enum io_type { IO_DISK, IO_NIC } io_type;

typedef struct io_req {
  uint32_t flow;     /* guest */
  uint64_t bytes;    /* size */
  bool random;       /* disk: random access */
  double start_tag;  /* SFQ start tag, virtual bytes */
  uint64_t seq;      /* submission order */
  io_done_fn fn;     /* completion callback */
  void *ctx;         /* its context */
  uint64_t tag;      /* the caller's tag */
  int32_t next;      /* free list / transfer FIFO link, -1 */
} io_req;

typedef struct io_flow {
  uint32_t flow;     /* guest */
  double finish_tag; /* SFQ finish tag of its last request, virtual bytes */
} io_flow;

struct io_device {
  io_type type;          /* disk or NIC */
  sim_loop *loop;        /* where its events go */
  int32_t prio;          /* their priority */
  io_queueing q;         /* host queue discipline */
  double bw_Bps;         /* bytes/s of the transfer stage or the wire */
  double iops;           /* disk: random operations per second at full queue; 0: none */
  sim_time latency_ns;   /* disk: positioning; NIC: wire latency */
  sim_dist delay;        /* disk: positioning time, NIC: jitter added to the wire latency, drawn per
                          * request or message when `random` (tables borrowed from the spec) */
  bool random;           /* delay is a distribution, not a constant: draws from `rng` */
  gsl_rng *rng;          /* its stream (io_device_seed); NULL until seeded */
  uint32_t depth;        /* disk: requests admitted at once; NIC: 1 */
  io_req *reqs;          /* pool of requests */
  size_t n_reqs, cap_reqs; /* pool size used, capacity */
  int32_t free_req;      /* free list head, -1 */
  int32_t *waiting;      /* host queue: request ids, unordered */
  size_t n_waiting, cap_waiting; /* count, capacity */
  io_flow *flows;        /* SFQ state per flow */
  size_t n_flows, cap_flows; /* count, capacity */
  double vtime;          /* SFQ virtual time: start tag of the last request served */
  uint32_t admitted;     /* disk: requests past the host queue, not yet done */
  int32_t xfer_head, xfer_tail; /* transfer stage FIFO (disk) or wire FIFO (NIC) */
  bool xfer_busy;        /* the transfer stage or the wire is busy */
  uint64_t seq;          /* submissions */
  size_t outstanding;    /* submitted, not done */
  int failed;            /* an event could not be scheduled (out of memory): -1, else 0 */
};

static io_device *dev_new(sim_loop *loop, io_type type, io_queueing q, int32_t prio) {
  io_device *d = sim_calloc(1, sizeof *d);
  if (!d) return NULL;
  d->type = type;
  d->loop = loop;
  d->q = q;
  d->prio = prio;
  d->free_req = -1;
  d->xfer_head = d->xfer_tail = -1;
  return d;
}

io_device *io_disk_new(sim_loop *loop, const sim_disk_spec *spec, io_queueing q, int32_t prio) {
  io_device *d = dev_new(loop, IO_DISK, q, prio);
  if (!d) return NULL;
  d->bw_Bps = spec->bandwidth_Bps > 0 ? spec->bandwidth_Bps : INFINITY;
  d->iops = spec->iops > 0 ? spec->iops : 0;
  d->latency_ns = spec->latency_ns > 0 ? spec->latency_ns : 0;
  d->depth = spec->queue_depth ? spec->queue_depth : 1;
  d->delay = spec->latency_dist;
  d->random = spec->latency_dist.family != SIM_DIST_DETERMINISTIC;
  return d;
}

io_device *io_nic_new(sim_loop *loop, const sim_nic_spec *spec, io_queueing q, int32_t prio) {
  io_device *d = dev_new(loop, IO_NIC, q, prio);
  if (!d) return NULL;
  d->bw_Bps = spec->bandwidth_bps > 0 ? spec->bandwidth_bps / 8 : INFINITY;
  d->latency_ns = spec->latency_ns > 0 ? spec->latency_ns : 0;
  d->depth = 1;
  d->delay = spec->jitter;
  d->random = spec->jitter.family != SIM_DIST_DETERMINISTIC || spec->jitter.a > 0;
  return d;
}

int io_device_seed(io_device *d, uint64_t seed, uint32_t run_index, const char *host, const char *device) {
  if (!d->random || d->rng) return 0;
  char purpose[256];
  snprintf(purpose, sizeof purpose, "%s/%s", device, d->type == IO_DISK ? "access" : "jitter");
  d->rng = sim_rng_new(seed, run_index, sim_rng_stream_id(host, purpose));
  return d->rng ? 0 : -1;
}

/* The device's delay for one request (disk: positioning) or message (NIC:
 * jitter), ns: a draw when it is random, rounded to the nearest ns so the
 * mean is kept (a heavy tail's rare draw beyond the clock's range held
 * within it, as ns_of does). */
static sim_time delay_ns(io_device *d) {
  if (!d->random) return d->type == IO_DISK ? d->latency_ns : 0;
  assert(d->rng && "a random device delay needs io_device_seed");
  double ns = sim_dist_sample(&d->delay, d->rng);
  return ns >= 9e18 ? SIM_TIME_MAX / 4 : (sim_time)llround(ns);
}

void io_device_free(io_device *d) {
  if (!d) return;
  if (d->rng) gsl_rng_free(d->rng);
  sim_free(d->reqs);
  sim_free(d->waiting);
  sim_free(d->flows);
  sim_free(d);
}

size_t io_outstanding(const io_device *d) { return d->outstanding; }

int io_device_error(const io_device *d) { return d->failed; }

static io_flow *flow_of(io_device *d, uint32_t flow) {
  for (size_t i = 0; i < d->n_flows; i++)
    if (d->flows[i].flow == flow) return &d->flows[i];
  if (sim_grow((void **)&d->flows, &d->cap_flows, d->n_flows + 1, sizeof *d->flows)) return NULL;
  d->flows[d->n_flows] = (io_flow){flow, 0};
  return &d->flows[d->n_flows++];
}

static sim_time ns_of(double ns) { return ns >= 9e18 ? SIM_TIME_MAX / 4 : (sim_time)ceil(ns - 1e-9); }

/* Service time of the transfer stage (disk) or the wire (NIC), ns. */
static sim_time xfer_ns(const io_device *d, const io_req *r) {
  double t = (double)r->bytes * 1e9 / d->bw_Bps;
  if (d->type == IO_DISK && r->random && d->iops > 0 && 1e9 / d->iops > t) t = 1e9 / d->iops;
  return ns_of(t);
}

static void start_next(io_device *d);

static void done_handler(sim_loop *loop, void *ctx, uint64_t arg) {
  io_device *d = ctx;
  io_req *r = &d->reqs[arg];
  io_done_fn fn = r->fn;
  void *fctx = r->ctx;
  uint64_t tag = r->tag;
  r->next = d->free_req;
  d->free_req = (int32_t)arg;
  d->outstanding--;
  if (d->type == IO_DISK) {
    d->admitted--;
    start_next(d); /* a queue-depth slot is free */
  }
  fn(fctx, tag, sim_loop_now(loop));
}

static void xfer_start(io_device *d);

/* The transfer stage (or the wire) finished its request. */
static void xfer_handler(sim_loop *loop, void *ctx, uint64_t arg) {
  io_device *d = ctx;
  d->xfer_busy = false;
  if (d->type == IO_NIC) {
    /* The last bit is on the wire: it arrives one latency (and its jitter)
     * later; the wire takes the next frame now. */
    if (!sim_schedule(loop, sim_loop_now(loop) + d->latency_ns + delay_ns(d), d->prio, done_handler, d, arg)) {
      d->failed = -1; /* out of memory: reported; the request completes without the latency */
      done_handler(loop, d, arg);
    }
    start_next(d);
  } else {
    done_handler(loop, d, arg);
  }
  xfer_start(d);
}

static void xfer_start(io_device *d) {
  if (d->xfer_busy || d->xfer_head < 0) return;
  int32_t id = d->xfer_head;
  d->xfer_head = d->reqs[id].next;
  if (d->xfer_head < 0) d->xfer_tail = -1;
  d->xfer_busy = true;
  sim_time at = sim_loop_now(d->loop) + xfer_ns(d, &d->reqs[id]);
  if (!sim_schedule(d->loop, at, d->prio, xfer_handler, d, (uint64_t)id)) {
    d->failed = -1; /* out of memory: reported; the request is served at once */
    d->xfer_busy = false;
    xfer_handler(d->loop, d, (uint64_t)id);
  }
}

static void xfer_push(io_device *d, int32_t id) {
  d->reqs[id].next = -1;
  if (d->xfer_tail >= 0)
    d->reqs[d->xfer_tail].next = id;
  else
    d->xfer_head = id;
  d->xfer_tail = id;
  xfer_start(d);
}

/* The disk's positioning ended: on to the transfer stage. */
static void positioned_handler(sim_loop *loop, void *ctx, uint64_t arg) {
  (void)loop;
  xfer_push(ctx, (int32_t)arg);
}

/* Moves requests from the host queue to the device while it has room. */
static void start_next(io_device *d) {
  for (;;) {
    if (!d->n_waiting) return;
    if (d->type == IO_DISK ? d->admitted >= d->depth : (d->xfer_busy || d->xfer_head >= 0)) return;
    size_t best = 0;
    for (size_t i = 1; i < d->n_waiting; i++) {
      const io_req *a = &d->reqs[d->waiting[i]], *b = &d->reqs[d->waiting[best]];
      bool better = d->q == IO_FAIR ? a->start_tag < b->start_tag || (a->start_tag == b->start_tag && a->seq < b->seq)
                                    : a->seq < b->seq;
      if (better) best = i;
    }
    int32_t id = d->waiting[best];
    d->waiting[best] = d->waiting[--d->n_waiting];
    if (d->reqs[id].start_tag > d->vtime) d->vtime = d->reqs[id].start_tag;
    if (d->type == IO_NIC) {
      xfer_push(d, id);
      continue;
    }
    d->admitted++;
    sim_time positioning = delay_ns(d);
    if (positioning <= 0) {
      xfer_push(d, id);
    } else if (!sim_schedule(d->loop, sim_loop_now(d->loop) + positioning, d->prio, positioned_handler, d,
                             (uint64_t)id)) {
      d->failed = -1; /* out of memory: reported; positioned at once */
      xfer_push(d, id);
    }
  }
}

int io_submit(io_device *d, uint32_t flow, double weight, uint64_t bytes, bool random, io_done_fn fn,
              void *ctx, uint64_t tag) {
  io_flow *f = flow_of(d, flow);
  if (!f) return -1;
  if (d->n_waiting == d->cap_waiting &&
      sim_grow((void **)&d->waiting, &d->cap_waiting, d->n_waiting + 1, sizeof *d->waiting))
    return -1;
  int32_t id = d->free_req;
  if (id < 0) {
    if (sim_grow((void **)&d->reqs, &d->cap_reqs, d->n_reqs + 1, sizeof *d->reqs)) return -1;
    id = (int32_t)d->n_reqs++;
  } else {
    d->free_req = d->reqs[id].next;
  }
  /* SFQ: start = max(virtual time, the flow's last finish); finish = start +
   * size / weight (a request counts at least one byte). */
  double start = d->vtime > f->finish_tag ? d->vtime : f->finish_tag;
  f->finish_tag = start + (double)(bytes ? bytes : 1) / (weight > 0 ? weight : 1);
  d->reqs[id] = (io_req){flow, bytes, random, start, ++d->seq, fn, ctx, tag, -1};
  d->waiting[d->n_waiting++] = id;
  d->outstanding++;
  start_next(d);
  return 0;
}

/* ---- helpers of the I/O paths ---- */

int iopath_quantity(const sim_profile *profile, const char *path, const char *key, double *value,
                    sim_diag *diag) {
  if (!profile) {
    sim_diag_error(diag, NULL, 0, 0, "I/O path '%s': no calibration profile to read '%s' from", path, key);
    return -1;
  }
  if (sim_profile_get(profile, key, value, NULL) == 0) return 0;
  sim_diag_error(diag, NULL, 0, 0, "I/O path '%s': calibration profile '%s' has no '%s'", path,
                 sim_profile_name(profile), key);
  return -1;
}

int iopath_cost_from_profile(const iopath_ops *path, const sim_profile *profile, io_class cls, uint64_t bytes,
                             iopath_cost *out, sim_diag *diag) {
  iopath_table t;
  *out = (iopath_cost){0, 0, 0};
  if (path->load(profile, cls, &t, diag) < 0) return -1;
  path->price(&t, cls, bytes, out);
  return 0;
}

double iopath_table_segments(const iopath_table *t, uint64_t bytes) {
  double n = ceil((double)bytes / t->segment);
  return n < 1 ? 1 : n;
}

/* ---- a scenario's I/O (io_model, for the engine) ---- */

enum { RQ_READ = 0, RQ_WRITE = 1, RQ_NET = 2 };
static const char *const rq_kind_names[] = {"read", "write", "net"};

/* Whether an io_gstate's table was read from its profile.  Registration
 * reads the classes its workload's phases use; a request-driven workload's
 * drawn I/O may use a class its mean request lacks, read at its first
 * request, when the profile used to be read for it (so the profile's record
 * of keys taken from a fallback is the same). */
enum { TABLE_UNREAD = 0, TABLE_READ = 1, TABLE_MISSING = 2 };

typedef struct io_gstate {
  bool used;             /* registered */
  uint32_t host;         /* host index */
  const sim_guest *spec; /* from the scenario */
  const iopath_ops *path, *native; /* its path, the native reference */
  const sim_profile *profile; /* its host's profile */
  iopath_table table[2][2]; /* [native][io_class]: the path's (or the native path's) quantities */
  uint8_t table_state[2][2]; /* [native][io_class]: TABLE_UNREAD, TABLE_READ or TABLE_MISSING */
  int32_t entity;        /* recorder entity */
  double acc[3];         /* requests owed by kind (read, write, net), fractions carried over */
  bool softirq;          /* its path's backend is the host's softirq (iopath_in_softirq) */
  double backend_ns;     /* ns: backend CPU time served for its requests, total */
  int64_t requests;      /* completed */
  double bytes;          /* bytes moved by completed requests */
  double latency_ns;     /* ns: latencies summed */
  sim_time first_ns, last_ns; /* ns: first issue, last completion (-1: none) */
} io_gstate;

typedef struct io_unit {
  io_unit_done_fn done; /* callback */
  void *ctx;            /* its context */
  uint64_t arg;         /* its argument */
  uint32_t pending;     /* requests not complete */
  int32_t next;         /* free list */
} io_unit;

typedef struct io_rq {
  uint32_t guest;     /* scenario index */
  int32_t unit;       /* io_unit index */
  int kind;           /* RQ_READ, RQ_WRITE, RQ_NET */
  int stage;          /* 1 device (net: request), 2 net response, 3 the response's softirq work (when
                       * rx_softirq_ns) and the path latency, 4 complete */
  uint64_t bytes;     /* disk: request size; net: request bytes */
  uint64_t rx;        /* net: response bytes */
  bool random;        /* disk: random access */
  sim_time start_ns;  /* ns: issue */
  sim_time extra_ns;  /* ns: the path's added latency */
  sim_time rx_softirq_ns; /* ns: softirq work of the response, still to do once it arrives (0: none) */
  int32_t next;       /* free list */
  sim_time backend_ns; /* ns: backend work handed to its back end and not yet served (0: none) */
} io_rq;

typedef struct io_hdev {
  io_device *disk, *nic; /* the host's first disk and NIC, NULL when absent or not yet made */
  bool made;             /* created */
} io_hdev;

struct io_model {
  sim_loop *loop;        /* the event loop */
  const sim_scenario *sc; /* the scenario */
  sim_recorder *rec;     /* where results go */
  int32_t prio;          /* event priority */
  io_hdev *hosts;        /* sc->n_hosts entries */
  io_gstate *guests;     /* sc->n_guests entries */
  io_unit *units;        /* pool */
  size_t n_units, cap_units; /* used, capacity */
  int32_t free_unit;     /* free list head */
  io_rq *rqs;            /* pool */
  size_t n_rqs, cap_rqs; /* used, capacity */
  int32_t free_rq;       /* free list head */
  sim_table *req_table;  /* io/requests, NULL until the first completion (or not recorded) */
  int failed;            /* a recorder or allocation failure: negative */
  io_backend_submit_fn backend; /* where backend work is served (io_model_set_backend) */
  void *backend_ctx;     /* its context */
};

io_model *io_model_new(sim_loop *loop, const sim_scenario *sc, sim_recorder *rec, int32_t prio) {
  io_model *m = sim_calloc(1, sizeof *m);
  if (!m) return NULL;
  m->loop = loop;
  m->sc = sc;
  m->rec = rec;
  m->prio = prio;
  m->free_unit = m->free_rq = -1;
  m->hosts = sim_calloc(sc->n_hosts ? sc->n_hosts : 1, sizeof *m->hosts);
  m->guests = sim_calloc(sc->n_guests ? sc->n_guests : 1, sizeof *m->guests);
  if (!m->hosts || !m->guests) {
    io_model_free(m);
    return NULL;
  }
  return m;
}

void io_model_free(io_model *m) {
  if (!m) return;
  for (size_t h = 0; m->hosts && h < m->sc->n_hosts; h++) {
    io_device_free(m->hosts[h].disk);
    io_device_free(m->hosts[h].nic);
  }
  sim_free(m->hosts);
  sim_free(m->guests);
  sim_free(m->units);
  sim_free(m->rqs);
  sim_free(m);
}

/* Exchanges of a phase the I/O model simulates: those with a response.  A
 * one-way stream (no response bytes) is a bandwidth demand on the NIC, which
 * the network sharing model serves (models/net_share.h). */
static double exchanges(const sim_phase *ph) { return ph->net_rx_bytes > 0 ? ph->net_messages : 0; }

bool io_phase_has_io(const sim_phase *ph) {
  return ph->disk_reads > 0 || ph->disk_writes > 0 || exchanges(ph) > 0;
}

int io_model_add_guest(io_model *m, uint32_t guest, const sim_profile *profile, const iopath_ops *path,
                       const iopath_ops *native, int32_t entity, sim_diag *diag) {
  const sim_guest *spec = &m->sc->guests[guest];
  const sim_workload *wl = &m->sc->workloads[spec->workload];
  const sim_host_type *type = &m->sc->host_types[m->sc->hosts[spec->host].type];
  bool disk = false, net = false;
  for (size_t k = 0; k < sim_workload_n_phases(wl); k++) {
    const sim_phase *ph = sim_workload_phase_body(wl, k);
    disk |= ph->disk_reads > 0 || ph->disk_writes > 0;
    net |= exchanges(ph) > 0;
  }
  if ((disk && !type->n_disks) || (net && !type->n_nics)) {
    sim_diag_error(diag, m->sc->path, 0, 0, "guest '%s': workload '%s' does %s I/O but host type '%s' has no %s",
                   spec->name, wl->name, disk && !type->n_disks ? "disk" : "network", type->name,
                   disk && !type->n_disks ? "disk" : "NIC");
    return -1;
  }
  io_hdev *hd = &m->hosts[spec->host];
  if (!hd->made && (disk || net)) {
    double fair;
    if (iopath_quantity(profile, path->name, "io.fair_queueing", &fair, diag) < 0) return -1;
    io_queueing q = fair < 0.5 ? IO_FCFS : IO_FAIR;
    /* a device's random delays draw from the stream of its host and name */
    const char *host = m->sc->hosts[spec->host].name;
    uint64_t seed = m->sc->seed;
    uint32_t run = m->sc->run_index;
    if (type->n_disks && (!(hd->disk = io_disk_new(m->loop, &type->disks[0], q, m->prio)) ||
                          io_device_seed(hd->disk, seed, run, host, type->disks[0].name) < 0))
      return -1;
    if (type->n_nics && (!(hd->nic = io_nic_new(m->loop, &type->nics[0], q, m->prio)) ||
                         io_device_seed(hd->nic, seed, run, host, type->nics[0].name) < 0))
      return -1;
    hd->made = true;
  }
  bool softirq = iopath_in_softirq(path);
  io_gstate *g = &m->guests[guest];
  *g = (io_gstate){.used = true, .host = spec->host, .spec = spec, .path = path, .native = native,
                   .profile = profile, .entity = entity, .softirq = softirq, .first_ns = -1, .last_ns = -1};
  /* Every quantity the workload's requests need, read once: a missing one
   * fails now, not mid-run, and the requests read no profile. */
  if (disk && (path->load(profile, IO_CLASS_DISK, &g->table[0][IO_CLASS_DISK], diag) < 0 ||
               native->load(profile, IO_CLASS_DISK, &g->table[1][IO_CLASS_DISK], diag) < 0))
    return -1;
  if (net && (path->load(profile, IO_CLASS_NET, &g->table[0][IO_CLASS_NET], diag) < 0 ||
              native->load(profile, IO_CLASS_NET, &g->table[1][IO_CLASS_NET], diag) < 0))
    return -1;
  for (int native_path = 0; native_path < 2; native_path++) {
    if (disk) g->table_state[native_path][IO_CLASS_DISK] = TABLE_READ;
    if (net) g->table_state[native_path][IO_CLASS_NET] = TABLE_READ;
  }
  return 0;
}

/* The cost of one request of kind `kind` of phase ph through the guest's
 * path, or the native path when `native`, from the tables read at
 * registration; an exchange's response's backend work alone into
 * *rx_backend_ns (0 for a disk request), which the total includes. */
static iopath_cost rq_cost2(io_gstate *g, bool native, const sim_phase *ph, int kind,
                            double *rx_backend_ns) {
  const iopath_ops *path = native ? g->native : g->path;
  io_class cls = kind == RQ_NET ? IO_CLASS_NET : IO_CLASS_DISK;
  const iopath_table *t = &g->table[native][cls];
  if (g->table_state[native][cls] == TABLE_UNREAD) {
    /* a class registration did not need (see TABLE_UNREAD): read now, once */
    sim_diag quiet = {0};
    g->table_state[native][cls] = path->load(g->profile, cls, &g->table[native][cls], &quiet) < 0
                                      ? TABLE_MISSING
                                      : TABLE_READ;
    sim_diag_clear(&quiet);
  }
  /* a class without its quantities costs nothing, as it has no price */
  if (g->table_state[native][cls] == TABLE_MISSING) {
    *rx_backend_ns = 0;
    return (iopath_cost){0, 0, 0};
  }
  iopath_cost c = {0, 0, 0}, c2 = {0, 0, 0};
  if (kind == RQ_NET) {
    /* the request out and the response back */
    path->price(t, IO_CLASS_NET, ph->net_tx_bytes, &c);
    path->price(t, IO_CLASS_NET, ph->net_rx_bytes, &c2);
    c.guest_cycles += c2.guest_cycles;
    c.backend_ns += c2.backend_ns;
    c.latency_ns += c2.latency_ns;
  } else {
    path->price(t, IO_CLASS_DISK, ph->disk_request_bytes, &c);
  }
  *rx_backend_ns = c2.backend_ns;
  return c;
}

/* The cost of one request of kind `kind` of phase ph through the guest's
 * path, or the native path when `native`. */
static iopath_cost rq_cost(io_gstate *g, bool native, const sim_phase *ph, int kind) {
  double rx;
  return rq_cost2(g, native, ph, kind, &rx);
}

double io_unit_cycles(const io_model *m, uint32_t guest, const sim_phase *ph, bool native) {
  io_gstate *g = &m->guests[guest]; /* not const: its tables may be read here (TABLE_UNREAD) */
  if (!g->used || !io_phase_has_io(ph)) return 0;
  double counts[3] = {ph->disk_reads, ph->disk_writes, exchanges(ph)}, cyc = 0;
  for (int k = 0; k < 3; k++)
    if (counts[k] > 0) cyc += counts[k] * rq_cost(g, native, ph, k).guest_cycles;
  return cyc;
}

double io_units_to_next(const io_model *m, uint32_t guest, const sim_phase *ph) {
  const io_gstate *g = &m->guests[guest];
  double counts[3] = {ph->disk_reads, ph->disk_writes, exchanges(ph)}, best = INFINITY;
  for (int k = 0; k < 3; k++) {
    if (!(counts[k] > 0)) continue;
    double u = ceil((1 - g->acc[k]) / counts[k] - 1e-9);
    if (u < best) best = u;
  }
  return best < 1 ? 1 : best;
}

static void rq_step(io_model *m, int32_t id);

static void rq_event(sim_loop *loop, void *ctx, uint64_t arg) {
  (void)loop;
  rq_step(ctx, (int32_t)arg);
}

/* Hands `work` ns of request id's backend work to its guest's back end;
 * rq_backend_done continues the request when it has been served.  0, or -1
 * when out of memory. */
static void rq_backend_done(void *ctx, uint64_t arg);
static int backend_submit(io_model *m, int32_t id, sim_time work) {
  assert(m->backend);
  m->rqs[id].backend_ns = work;
  return m->backend(m->backend_ctx, m->rqs[id].guest, work, rq_backend_done, m, (uint64_t)id);
}

static void rq_backend_done(void *ctx, uint64_t arg) {
  io_model *m = ctx;
  io_rq *r = &m->rqs[arg];
  m->guests[r->guest].backend_ns += (double)r->backend_ns;
  r->backend_ns = 0;
  rq_step(m, (int32_t)arg);
}

static void rq_device_done(void *ctx, uint64_t tag, sim_time now) {
  (void)now;
  io_model *m = ctx;
  m->rqs[tag].stage++;
  rq_step(m, (int32_t)tag);
}

static int record_request(io_model *m, const io_rq *r, sim_time now) {
  if (!m->sc->record.request_latencies) return 0;
  if (!m->req_table) {
    static const sim_column cols[] = {
        {"guest", SIM_COL_STR, "", "guest name"},
        {"device", SIM_COL_STR, "", "disk or NIC name"},
        {"kind", SIM_COL_STR, "", "read, write or net (an exchange: request out, response back)"},
        {"start_s", SIM_COL_F64, "s", "when the request was issued"},
        {"latency_s", SIM_COL_F64, "s", "from issue to completion, through the I/O path"},
        {"bytes", SIM_COL_I64, "bytes", "bytes moved (net: request + response)"},
    };
    m->req_table = sim_recorder_table(m->rec, "io/requests", "every I/O request and its latency",
                                      sizeof cols / sizeof cols[0], cols);
    if (!m->req_table) return -1;
  }
  const io_gstate *g = &m->guests[r->guest];
  const sim_host_type *t = &m->sc->host_types[m->sc->hosts[g->host].type];
  sim_cell row[6];
  row[0].s = g->spec->name;
  row[1].s = r->kind == RQ_NET ? t->nics[0].name : t->disks[0].name;
  row[2].s = rq_kind_names[r->kind];
  row[3].f = sim_time_to_s(r->start_ns);
  row[4].f = sim_time_to_s(now - r->start_ns);
  row[5].i = (int64_t)(r->bytes + r->rx);
  return sim_table_append(m->req_table, row);
}

/* Advances request id through its stages. */
static void rq_step(io_model *m, int32_t id) {
  io_rq *r = &m->rqs[id];
  io_gstate *g = &m->guests[r->guest];
  io_hdev *hd = &m->hosts[g->host];
  sim_time now = sim_loop_now(m->loop);
  int rc = 0;
  if (r->stage == 1 || (r->stage == 2 && r->kind == RQ_NET)) {
    /* to the device; an exchange's response comes back through the NIC */
    io_device *d = r->kind == RQ_NET ? hd->nic : hd->disk;
    uint64_t bytes = r->stage == 2 ? r->rx : r->bytes;
    rc = io_submit(d, r->guest, g->spec->weight, bytes, r->random && r->kind != RQ_NET, rq_device_done, m,
                   (uint64_t)id);
    if (rc == 0) return;
  } else if (r->stage == 3 && r->rx_softirq_ns > 0) {
    /* the response arrived: the host's softirq processes it first */
    sim_time work = r->rx_softirq_ns;
    r->rx_softirq_ns = 0;
    if (backend_submit(m, id, work) == 0) return;
  } else if (r->stage <= 3 && r->extra_ns > 0) {
    /* the path's added latency */
    r->stage = 4;
    if (sim_schedule(m->loop, now + r->extra_ns, m->prio, rq_event, m, (uint64_t)id)) return;
  } else {
    /* complete */
    io_unit *u = &m->units[r->unit];
    g->requests++;
    g->bytes += (double)(r->bytes + r->rx);
    g->latency_ns += (double)(now - r->start_ns);
    g->last_ns = now;
    if (record_request(m, r, now) < 0 && !m->failed) m->failed = -1;
    int32_t uid = r->unit;
    r->next = m->free_rq;
    m->free_rq = id;
    if (--u->pending == 0) {
      io_unit_done_fn done = u->done;
      void *ctx = u->ctx;
      uint64_t arg = u->arg;
      u->next = m->free_unit;
      m->free_unit = uid;
      done(ctx, arg, now);
    }
    return;
  }
  if (!m->failed) m->failed = -1; /* out of memory: the request is lost, the failure reported */
}

int io_issue_units(io_model *m, uint32_t guest, const sim_phase *ph, double units, io_unit_done_fn done,
                   void *ctx, uint64_t arg) {
  io_gstate *g = &m->guests[guest];
  if (!g->used || !io_phase_has_io(ph)) return 0;
  if (m->failed) return m->failed;
  double counts[3] = {ph->disk_reads, ph->disk_writes, exchanges(ph)};
  uint32_t n[3], total = 0;
  for (int k = 0; k < 3; k++) {
    g->acc[k] += counts[k] * units;
    double whole = floor(g->acc[k] + 1e-9);
    n[k] = whole > 0 ? (uint32_t)whole : 0;
    g->acc[k] -= n[k];
    total += n[k];
  }
  if (!total) return 0;
  int32_t uid = m->free_unit;
  if (uid < 0) {
    if (sim_grow((void **)&m->units, &m->cap_units, m->n_units + 1, sizeof *m->units)) return -1;
    uid = (int32_t)m->n_units++;
  } else {
    m->free_unit = m->units[uid].next;
  }
  m->units[uid] = (io_unit){done, ctx, arg, total, -1};
  sim_time now = sim_loop_now(m->loop);
  if (g->first_ns < 0) g->first_ns = now;
  for (int k = 0; k < 3; k++) {
    if (!n[k]) continue;
    double rx_ns;
    iopath_cost c = rq_cost2(g, false, ph, k, &rx_ns);
    /* a softirq path: the request's share before the NIC, the response's after it */
    sim_time rx_softirq = g->softirq ? (sim_time)llround(rx_ns) : 0;
    sim_time tx_softirq = g->softirq ? (sim_time)llround(c.backend_ns - rx_ns) : 0;
    for (uint32_t i = 0; i < n[k]; i++) {
      int32_t id = m->free_rq;
      if (id < 0) {
        if (sim_grow((void **)&m->rqs, &m->cap_rqs, m->n_rqs + 1, sizeof *m->rqs)) return -1;
        id = (int32_t)m->n_rqs++;
      } else {
        m->free_rq = m->rqs[id].next;
      }
      bool net = k == RQ_NET;
      m->rqs[id] = (io_rq){guest, uid, k, 1, net ? ph->net_tx_bytes : ph->disk_request_bytes,
                           net ? ph->net_rx_bytes : 0, ph->disk_random, now,
                           (sim_time)llround(c.latency_ns), rx_softirq, -1, 0};
      /* its backend work before the device: all of it, or on a softirq path
       * the request's share (the response's comes after the NIC) */
      sim_time bk = g->softirq ? tx_softirq : (sim_time)llround(c.backend_ns);
      if (bk > 0) {
        if (backend_submit(m, id, bk) < 0) return -1;
      } else {
        rq_step(m, id);
      }
    }
  }
  return (int)total;
}

int io_model_write(io_model *m, sim_time end) {
  (void)end;
  for (size_t h = 0; h < m->sc->n_hosts; h++) {
    if (m->hosts[h].disk && io_device_error(m->hosts[h].disk)) m->failed = -1;
    if (m->hosts[h].nic && io_device_error(m->hosts[h].nic)) m->failed = -1;
  }
  if (m->failed) return m->failed;
  static const sim_column cols[] = {
      {"name", SIM_COL_STR, "", "guest name"},
      {"io_path", SIM_COL_STR, "", "its I/O path"},
      {"requests", SIM_COL_I64, "1", "I/O requests completed"},
      {"bytes", SIM_COL_F64, "bytes", "bytes moved by them"},
      {"requests_per_s", SIM_COL_F64, "1/s", "requests completed per second of I/O activity"},
      {"bits_per_s", SIM_COL_F64, "bit/s", "bytes moved per second of I/O activity, in bits"},
      {"mean_latency_s", SIM_COL_F64, "s", "mean latency of a request"},
      {"backend_cpu_s", SIM_COL_F64, "s", "CPU time its requests' backend work took on the host's cores "
                                            "(driver domain, I/O thread, softirq), served by the run's end"},
  };
  sim_table *t = NULL;
  for (size_t i = 0; i < m->sc->n_guests; i++) {
    const io_gstate *g = &m->guests[i];
    if (!g->used || g->first_ns < 0) continue;
    if (!t && !(t = sim_recorder_table(m->rec, "io/guests", "per guest: I/O throughput and latency",
                                       sizeof cols / sizeof cols[0], cols)))
      return -1;
    double span = g->last_ns > g->first_ns ? sim_time_to_s(g->last_ns - g->first_ns) : 0;
    sim_cell row[8];
    row[0].s = g->spec->name;
    row[1].s = g->path->name;
    row[2].i = g->requests;
    row[3].f = g->bytes;
    row[4].f = span > 0 ? (double)g->requests / span : NAN;
    row[5].f = span > 0 ? g->bytes * 8 / span : NAN;
    row[6].f = g->requests ? g->latency_ns * 1e-9 / (double)g->requests : NAN;
    row[7].f = g->backend_ns * 1e-9;
    int rc = sim_table_append(t, row);
    if (rc < 0) return rc;
  }
  return 0;
}

/* ---- the native twin's I/O (models/io.h) ---- */

double io_unit_path_ns(const io_model *m, uint32_t guest, const sim_phase *ph, bool native) {
  io_gstate *g = &m->guests[guest]; /* not const: its tables may be read here (TABLE_UNREAD) */
  if (!g->used || !io_phase_has_io(ph)) return 0;
  double counts[3] = {ph->disk_reads, ph->disk_writes, exchanges(ph)}, ns = 0;
  for (int k = 0; k < 3; k++) {
    if (!(counts[k] > 0)) continue;
    iopath_cost c = rq_cost(g, native, ph, k);
    /* as io_issue_units schedules them: whole ns */
    ns += counts[k] * (double)(llround(c.backend_ns) + llround(c.latency_ns));
  }
  return ns;
}

double io_guest_latency_ns(const io_model *m, uint32_t guest) {
  const io_gstate *g = &m->guests[guest];
  return g->used ? g->latency_ns : 0;
}

const iopath_ops *io_guest_path(const io_model *m, uint32_t guest) {
  return m->guests[guest].used ? m->guests[guest].path : NULL;
}

void io_model_set_backend(io_model *m, io_backend_submit_fn submit, void *ctx) {
  m->backend = submit;
  m->backend_ctx = ctx;
}
