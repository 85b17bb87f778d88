/* models/io.h: disks and NICs as shared, queueing resources, and the cost of
 * each I/O path.
 * A device serves the requests of several guests (flows).  Requests wait in
 * the host's queue, served first come first served (IO_FCFS) or by
 * start-time fair queueing (IO_FAIR: Goyal, Vin, Cheng, "Start-time Fair
 * Queueing", SIGCOMM 1996; each flow gets bandwidth in proportion to its
 * weight whatever the others submit), then by the device:
 *  - a disk admits up to queue_depth requests at once; each spends the
 *    device latency in parallel with the others (positioning, flash access),
 *    then passes one at a time through the transfer stage, which takes
 *    max(1/iops, bytes/bandwidth) for a random request and bytes/bandwidth
 *    for a sequential one.  Unloaded, a random 4 KiB read takes latency +
 *    1/iops; at full queue the disk sustains min(iops, queue_depth/latency);
 *  - a NIC transmits one frame at a time at its line rate, and the bytes
 *    arrive one wire latency after their last bit left.
 * A disk's latency may be a distribution (sim/dist.h): each request's
 * positioning time is then drawn as it is admitted, from the stream
 * "<host>/<disk>/access"; a NIC's jitter, drawn for each message it carries
 * (an exchange's request and its response are two), is added to its wire
 * latency, from the stream "<host>/<nic>/jitter".  The devices are the
 * host's, shared by its guests, so the streams are the host's too.
 * An I/O path (iopath_*.c, one per technique's way of doing I/O) says what a
 * request costs on the way: CPU cycles of the guest's vCPU (exits, ring
 * updates, interrupts), CPU time of a backend, and latency added besides.
 * The backend's work is CPU time on the host's cores, taken from the same
 * cores the vCPUs run on (models/backend.h): the driver domain's vCPUs for
 * the Xen split driver (iopath_in_driver_domain), the host kernel's softirq
 * for the container paths, which handles each message's packets on one of
 * the host's cores, any core (iopath_in_softirq), and for the others a QEMU
 * I/O thread of the guest's own.  Every cost comes from the calibration
 * profile.
 * Units: time ns, sizes bytes, rates per second, CPU costs in cycles (guest)
 * and ns (backend).  Devices never touch files; completions are callbacks. */
#ifndef MODELS_IO_H
#define MODELS_IO_H
#include <stdbool.h>
#include <stdint.h>

#include "sim/diag.h"
#include "sim/loop.h"
#include "sim/profile.h"
#include "sim/recorder.h"
#include "sim/scenario.h"

typedef enum io_queueing { IO_FCFS = 0, IO_FAIR = 1 } io_queueing;

typedef struct io_device io_device;

/* Called when a request completes, at `now`; `tag` as submitted. */
typedef void (*io_done_fn)(void *ctx, uint64_t tag, sim_time now);

/* A device on `loop`, its events at priority `prio`.  NULL when out of
 * memory.  The spec is copied. */
io_device *io_disk_new(sim_loop *loop, const sim_disk_spec *spec, io_queueing q, int32_t prio);
io_device *io_nic_new(sim_loop *loop, const sim_nic_spec *spec, io_queueing q, int32_t prio);
void io_device_free(io_device *d);
/* Gives device d its random stream, for `device` (its name) on `host`,
 * when its delay (a disk's access time, a NIC's jitter) is a distribution;
 * a device with random delays must have one before its first request.  The
 * distribution's tables are borrowed from the spec given to io_*_new,
 * which must outlive d.  0, or -1 when out of memory. */
int io_device_seed(io_device *d, uint64_t seed, uint32_t run_index, const char *host, const char *device);

/* Submits a request of `bytes` for flow `flow` (a guest) of weight `weight`
 * (> 0, used by IO_FAIR); `random` for a disk's random access.  0, or
 * negative when out of memory (nothing was queued then). */
int io_submit(io_device *d, uint32_t flow, double weight, uint64_t bytes, bool random, io_done_fn fn,
              void *ctx, uint64_t tag);
/* Requests submitted and not yet complete. */
size_t io_outstanding(const io_device *d);
/* 0, or -1 once an event could not be scheduled (out of memory): the
 * device went on without that delay, and its results are not to be trusted. */
int io_device_error(const io_device *d);

/* ---- I/O paths ---- */

typedef enum io_class { IO_CLASS_DISK = 0, IO_CLASS_NET = 1 } io_class;

/* What one request costs on its way through a path. */
typedef struct iopath_cost {
  double guest_cycles; /* cycles of the guest's vCPU (driver, exits, interrupts) */
  double backend_ns;   /* ns of backend CPU on the host's cores (driver domain, I/O thread, or the
                        * host's softirq when iopath_in_softirq: models/backend.h) */
  double latency_ns;   /* ns added to the request besides the backend's work */
} iopath_cost;

/* The most quantities of its own a path reads for one class of request. */
#define IOPATH_MAX_QUANTITIES 8

/* A path's calibration for one class of request, read from the profile once
 * (iopath_ops.load) so that pricing a request reads no profile. */
typedef struct iopath_table {
  double native_cycles; /* io.native.disk_request (disk) or io.native.net_segment (net, per segment),
                         * cycles */
  double segment;       /* net.segment, bytes, at least 64 (net); 0 for a disk */
  double q[IOPATH_MAX_QUANTITIES]; /* the path's own quantities, in the order its load reads them */
} iopath_table;

typedef struct iopath_ops {
  const char *name;    /* as written in scenarios (guests[].io_path) */
  const char *summary; /* one line */
  /* Reads the quantities a request of class `cls` needs from the profile
   * into *t, always in the same order (the profile's record of keys taken
   * from a fallback follows it); 0, or negative with a diagnostic naming the
   * path, the key and the profile when one is missing. */
  int (*load)(const sim_profile *profile, io_class cls, iopath_table *t, sim_diag *diag);
  /* The cost of one request of class `cls` and `bytes` (a network request
   * counts its segments from the bytes) from a table `load` filled for that
   * class. */
  void (*price)(const iopath_table *t, io_class cls, uint64_t bytes, iopath_cost *out);
} iopath_ops;

/* The cost of one request of `bytes` through `path`, read from the profile
 * on every call (path->load then path->price): for set-up and tests; a run
 * prices its requests from tables loaded once.  0, or negative with the
 * diagnostic of load. */
int iopath_cost_from_profile(const iopath_ops *path, const sim_profile *profile, io_class cls, uint64_t bytes,
                             iopath_cost *out, sim_diag *diag);

/* A new path is one iopath_<name>.c defining its iopath_ops (every cost
 * read by its load through iopath_quantity, so a missing key is an error,
 * and priced by its price from the table alone), its extern below,
 * its line in models/CMakeLists.txt, one MODEL_IO_PATH row in
 * models/registry.c, and its keys in models/profiles/README.md ("I/O
 * paths") and generic-x86-2020. */
extern const iopath_ops iopath_emulated_ops;   /* models/iopath_emulated.c */
extern const iopath_ops iopath_pv_ops;         /* models/iopath_pv.c */
extern const iopath_ops iopath_virtio_ops;     /* models/iopath_virtio.c */
extern const iopath_ops iopath_passthrough_ops; /* models/iopath_passthrough.c */
extern const iopath_ops iopath_bridge_ops;     /* models/iopath_container.c */
extern const iopath_ops iopath_nat_ops;        /* models/iopath_container.c */
extern const iopath_ops iopath_native_ops;     /* models/iopath_native.c */

/* Whether `path`'s backend work is the host kernel's softirq (the container
 * paths: veth, bridge, NAT) rather than a backend thread: it is then done
 * per message (a request, a response), each on one of the host's cores
 * (models/backend.h), so it is parallel across cores and shared by all the
 * host's guests; otherwise a request's backend work is done whole before it
 * reaches the device. */
bool iopath_in_softirq(const iopath_ops *path);
/* Whether `path`'s backend runs in the host's driver domain (dom0, shared by
 * the host's guests on that path) rather than in a thread of the guest's
 * own (QEMU's I/O thread) or the softirq (iopath_pv.c). */
bool iopath_in_driver_domain(const iopath_ops *path);

/* For the paths: a profile quantity, with a diagnostic naming the path when
 * it is missing.  0 or negative. */
int iopath_quantity(const sim_profile *profile, const char *path, const char *key, double *value,
                    sim_diag *diag);
/* The native stack's quantities for a request of class `cls`
 * (iopath_native.c) into t->native_cycles and t->segment, the rest of *t
 * zeroed; every path's load starts from it.  The stack and the backends
 * handle up to `net.segment` bytes of a network request at once
 * (TSO/GSO/GRO, 64 KiB in the shipped profiles).  0, or negative with a
 * diagnostic naming `path` when a key is missing or net.segment is under 64
 * bytes. */
int iopath_native_load(const sim_profile *profile, const char *path, io_class cls, iopath_table *t,
                       sim_diag *diag);
/* Segments of a network request of `bytes` at t->segment bytes each (at
 * least 1), as iopath_segments counts them. */
double iopath_table_segments(const iopath_table *t, uint64_t bytes);
/* The native stack's guest cycles for one request priced from *t. */
double iopath_native_cycles(const iopath_table *t, io_class cls, uint64_t bytes);

/* ---- a host's I/O, for the engine ----
 * The engine runs the I/O of a workload phase at the end of the units of
 * work that owe a request (a run ends there): their disk reads and writes and network exchanges that expect
 * a response (rx > 0; a one-way stream is a bandwidth demand served by
 * models/net_share.h, as migrations use it) (fractions
 * carry over from unit to unit) are issued through the guest's I/O path, one
 * io_unit per issue with its own completion callback.  The vCPU runs on
 * while at most the phase's io_window issues are incomplete and waits when
 * one more is, and at the end of the phase until all are (models/engine.c):
 * window 0, the default, serialises CPU work and I/O (request/response, one
 * exchange at a time); a bulk stream's window is its socket buffer in units,
 * so the sender's protocol work overlaps the wire and it blocks only when
 * the buffer is full.  A request passes through the
 * guest's backend (its backend work served by a back-end entity on the
 * host's cores, models/backend.h), then the host's first disk or NIC (an
 * exchange sends its request bytes and receives its response bytes, one
 * wire latency each), then the path's added latency.  On a softirq path
 * (iopath_in_softirq) an exchange's request is processed by the host's
 * softirq before the NIC sends it and its response after the NIC delivers
 * it.  The path's guest cycles are CPU work of
 * the unit (mechanism io).  Recorded: table io/requests (one row per request,
 * when record.request_latencies) and io/guests (per guest). */
typedef struct io_model io_model;
/* Called when all the requests of one issue (io_issue_units) completed;
 * a guest may have several issues in flight. */
typedef void (*io_unit_done_fn)(void *ctx, uint64_t arg, sim_time now);

/* The I/O of a scenario's hosts; their events at priority `prio`; requests
 * recorded one by one when the scenario's record.request_latencies is set.
 * NULL when out of memory. */
io_model *io_model_new(sim_loop *loop, const sim_scenario *sc, sim_recorder *rec, int32_t prio);
void io_model_free(io_model *m);
/* Registers guest `guest` (scenario index) with its path (and the native
 * path, the reference), its host's calibration profile and its recorder
 * entity; creates its host's devices on first use (queued fairly unless the
 * profile's io.fair_queueing, required, is 0: FCFS) and checks that the devices its
 * workload uses exist.  0 or negative with a diagnostic. */
int io_model_add_guest(io_model *m, uint32_t guest, const sim_profile *profile, const iopath_ops *path,
                       const iopath_ops *native, int32_t entity, sim_diag *diag);
/* Whether a phase does I/O. */
bool io_phase_has_io(const sim_phase *ph);
/* Guest cycles of the I/O of one unit of `ph`: through the guest's path, or
 * through the native path (the reference) when `native`. */
double io_unit_cycles(const io_model *m, uint32_t guest, const sim_phase *ph, bool native);
/* Whole units of `ph` after which guest `guest` next issues a request (>= 1:
 * its fractions carried over count). */
double io_units_to_next(const io_model *m, uint32_t guest, const sim_phase *ph);
/* Issues the I/O of `units` whole units of `ph` for guest `guest`;
 * done(ctx, arg, now) when all complete.  Returns the requests issued (0:
 * none, and done is not called) or a negative error. */
int io_issue_units(io_model *m, uint32_t guest, const sim_phase *ph, double units, io_unit_done_fn done,
                   void *ctx, uint64_t arg);
/* Called when backend work handed over by io_backend_submit_fn has been
 * served, with the `ctx` and `arg` given there. */
typedef void (*io_backend_done_fn)(void *ctx, uint64_t arg);
/* Serves `work_ns` (> 0) ns of guest `guest`'s backend work on its back end
 * and calls done(done_ctx, arg) when it has been served.  0, or negative
 * when out of memory. */
typedef int (*io_backend_submit_fn)(void *ctx, uint32_t guest, sim_time work_ns, io_backend_done_fn done,
                                    void *done_ctx, uint64_t arg);
/* Where the backend work of m's requests is served (models/backend.h); set
 * before the first request is issued. */
void io_model_set_backend(io_model *m, io_backend_submit_fn submit, void *ctx);
/* The path guest `guest`'s I/O takes, NULL when it was not registered. */
const iopath_ops *io_guest_path(const io_model *m, uint32_t guest);
/* Writes io/guests (the guests that did I/O) at the end of the run.  0 or
 * negative. */
int io_model_write(io_model *m, sim_time end);

/* ---- the native twin's I/O (engine_report.c relative_to_native) ---- */

/* ns of the I/O path's own work on one unit of `ph`'s requests: each
 * request's backend time and added latency through the guest's path, or
 * through the native path when `native`, summed over the unit's requests
 * (fractions as they are owed).  The devices' time is not in it. */
double io_unit_path_ns(const io_model *m, uint32_t guest, const sim_phase *ph, bool native);
/* ns: the latencies of guest `guest`'s completed requests, summed (issue to
 * completion: backend, devices with their queues, the path's latency). */
double io_guest_latency_ns(const io_model *m, uint32_t guest);

#endif
