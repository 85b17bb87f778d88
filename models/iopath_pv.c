/* models/iopath_pv.c: the Xen paravirtual split driver ("pv").
 * Models blkfront/netfront in the guest and blkback/netback in the driver
 * domain (dom0): the guest puts requests on a shared ring and notifies the
 * backend through an event channel (a hypercall) once per batch of
 * requests; the backend, in the driver domain, maps the granted pages and
 * does the I/O on the driver domain's vCPUs, which the host's scheduler
 * runs beside the guests' (models/backend.h); the response comes back by ring and event channel.
 * Cost per request: native driver work + ring work + a hypercall per batch
 * on the guest's CPU; backend time in the driver domain; two event-channel
 * deliveries of latency (notify, respond).
 * Units: cycles (guest), ns (backend, latency).  Profile quantities:
 * io.pv.ring_per_request (cycles), io.pv.batch (requests per notification),
 * io.pv.backend_per_request (ns), io.pv.event_latency (ns), pv.hypercall
 * (cycles), plus the native ones.
 * Sources: [LECT] (paravirtualized I/O: split drivers, shared rings, event
 * channels); [CL05] testbed (XenLinux); models/profiles/README.md. */
#include "models/io.h"

/* Its quantities in iopath_table.q. */
enum { RING, BATCH, BACKEND, EVENT_LATENCY, HYPERCALL };

static int pv_load(const sim_profile *p, io_class cls, iopath_table *t, sim_diag *diag) {
  if (iopath_native_load(p, "pv", cls, t, diag) < 0 ||
      iopath_quantity(p, "pv", "io.pv.ring_per_request", &t->q[RING], diag) < 0 ||
      iopath_quantity(p, "pv", "io.pv.batch", &t->q[BATCH], diag) < 0 ||
      iopath_quantity(p, "pv", "io.pv.backend_per_request", &t->q[BACKEND], diag) < 0 ||
      iopath_quantity(p, "pv", "io.pv.event_latency", &t->q[EVENT_LATENCY], diag) < 0 ||
      iopath_quantity(p, "pv", "pv.hypercall", &t->q[HYPERCALL], diag) < 0)
    return -1;
  if (!(t->q[BATCH] >= 1)) t->q[BATCH] = 1;
  return 0;
}

static void pv_price(const iopath_table *t, io_class cls, uint64_t bytes, iopath_cost *out) {
  const double *q = t->q;
  double n = cls == IO_CLASS_NET ? iopath_table_segments(t, bytes) : 1;
  *out = (iopath_cost){iopath_native_cycles(t, cls, bytes), 0, 0};
  out->guest_cycles += n * (q[RING] + q[HYPERCALL] / q[BATCH]);
  out->backend_ns = n * q[BACKEND];
  out->latency_ns = 2 * q[EVENT_LATENCY];
}

const iopath_ops iopath_pv_ops = {"pv", "Xen split driver: shared ring, event channel, backend in the driver domain",
                                  pv_load, pv_price};

bool iopath_in_driver_domain(const iopath_ops *path) { return path == &iopath_pv_ops; }
