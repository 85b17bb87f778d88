/* models/backend.h: I/O back ends as schedulable work on the host's cores.
 * The backend work of a guest's I/O requests (models/io.h, iopath_cost
 * backend_ns) is CPU time of the host that runs the guest, taken from the
 * same cores its vCPUs use, so an I/O-heavy guest steals from CPU-bound
 * neighbours as on real hosts:
 *  - Xen split driver (iopath_in_driver_domain): the driver domain, dom0,
 *    with io.dom0.vcpus vCPUs per host, shared by every guest of the host on
 *    that path; each is a vCPU of the host's scheduler with weight
 *    io.dom0.weight and cap io.dom0.cap, as Xen's credit scheduler treats
 *    dom0 like any domain ([XEN] credit.c; dom0's default weight is 256);
 *  - virtio and emulated devices: QEMU's I/O thread, one per guest, a
 *    thread of the host's scheduler (CFS on a KVM host) beside the vCPU
 *    threads, with the guest's weight and no cap ([QEMU] iothread);
 *  - bridge and NAT (iopath_in_softirq): the host kernel's softirq, one per
 *    core; it runs on the core the packet arrives at ahead of threads: at
 *    fidelity quantum it preempts the vCPU or back end running there and
 *    runs its queue to the end, at fidelity fluid it is a consumer of the
 *    water-filling whose weight (ENG_SOFTIRQ_WEIGHT) dwarfs any thread's,
 *    so it gets up to one CPU per core it has work on before threads share
 *    the rest.
 * Each back-end entity serves its work first come first served; it is
 * runnable while work is queued.  A request's work goes to the entity of
 * its guest's pool (the host's dom0 vCPUs, the host's cores, the guest's
 * I/O thread) whose queue empties first (lowest index on ties), as
 * RSS/RPS spread flows over cores (iopath_container.c); a quantum
 * softirq's ties go to a core running no thread, first the one that last
 * ran the guest (the transmit path runs in the sender's context; Receive
 * Flow Steering, Linux Documentation/networking/scaling.txt).
 * The request's completion waits for its work to be served (models/io.c).
 * A scheduled entity (dom0 vCPU, I/O thread, fluid softirq) is a vCPU of
 * the host's scheduler with an id after the guests' (eng_host.vcpu_of_sched
 * maps it to e->n_vcpus + its index here); while it runs, its pCPU (slot at
 * fidelity fluid) holds ENG_PCPU_BACKEND instead of a vCPU.  Its CPU time
 * counts in the host's busy time (summary/hosts) and in table io/backends.
 * A back end's run is not a switch of context for the world-switch cost of
 * the next vCPU on that pCPU: the paths' latencies (event-channel delivery,
 * notification of a sleeping thread) already include waking the back end
 * and coming back.
 * A guest that migrates keeps its back end on the host it started on,
 * where its devices are (models/io.c).
 * Units: ns (sim_time), rates in CPUs, weights relative, caps in CPUs.
 * Invariants: an entity is queued, running or blocked in its scheduler as
 * it has work (running: on one pCPU); a quantum softirq is never preempted;
 * the CPU time an entity is credited is the work it served. */
#ifndef MODELS_BACKEND_H
#define MODELS_BACKEND_H
#include <stdbool.h>
#include <stdint.h>

#include "models/engine_internal.h"

/* eng_pcpu.vcpu of a pCPU (or fluid slot) a back-end entity occupies. */
#define ENG_PCPU_BACKEND (-2)
/* The fluid softirq's weight: far above any guest's (at most 65535), so
 * the softirq's work is served first, as the kernel runs it before threads. */
#define ENG_SOFTIRQ_WEIGHT (1u << 30)

typedef struct eng_backends eng_backends;

/* The back-end entities of every host with a guest whose I/O path has
 * backend work, registered with the hosts' schedulers, and the I/O model
 * told to hand its backend work to them (after eng_setup_io).  0, or
 * negative with a diagnostic (a profile without io.dom0.*). */
int eng_backend_setup(eng *e);
/* Before pCPU p of h asks its scheduler (eng_dispatch): true when a back
 * end occupies p or takes it now (a quantum softirq with work there), and
 * nothing else may run on it. */
bool eng_backend_claims(eng *e, eng_host *h, uint32_t p);
/* The scheduler picked id pick.vcpu for pCPU p of h: when it is a back-end
 * entity, runs it there and returns true. */
bool eng_backend_picked(eng *e, eng_host *h, uint32_t p, sched_pick pick);
/* The scheduler kicked pCPU p of h, which a back end occupies, at `at`: a
 * scheduled entity's run ends then (a softirq's runs on). */
void eng_backend_kick(eng *e, eng_host *h, uint32_t p, sim_time at);
/* Fluid: ends now the runs of h's back ends whose rate changed. */
void eng_backend_replan(eng *e, eng_host *h);
/* At the time limit `end`: the CPU time of runs in progress up to it. */
void eng_backend_settle(eng *e, sim_time end);
/* Table io/backends (one row per entity) at the run's end `end`. */
int eng_backend_write(eng *e, sim_time end);
void eng_backend_free(struct eng_backends *b);

#endif
