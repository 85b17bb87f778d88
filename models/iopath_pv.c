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

static int pv_cost(const sim_profile *p, io_class cls, uint64_t bytes, iopath_cost *out, sim_diag *diag) {
  *out = (iopath_cost){0, 0, 0};
  double ring, batch, back, ev, hc;
  if (iopath_native_guest(p, "pv", cls, bytes, &out->guest_cycles, diag) < 0 ||
      iopath_quantity(p, "pv", "io.pv.ring_per_request", &ring, diag) < 0 ||
      iopath_quantity(p, "pv", "io.pv.batch", &batch, diag) < 0 ||
      iopath_quantity(p, "pv", "io.pv.backend_per_request", &back, diag) < 0 ||
      iopath_quantity(p, "pv", "io.pv.event_latency", &ev, diag) < 0 ||
      iopath_quantity(p, "pv", "pv.hypercall", &hc, diag) < 0)
    return -1;
  if (!(batch >= 1)) batch = 1;
  double n = 1;
  if (cls == IO_CLASS_NET && iopath_segments(p, "pv", bytes, &n, diag) < 0) return -1;
  out->guest_cycles += n * (ring + hc / batch);
  out->backend_ns = n * back;
  out->latency_ns = 2 * ev;
  return 0;
}

const iopath_ops iopath_pv_ops = {"pv", "Xen split driver: shared ring, event channel, backend in the driver domain",
                                  pv_cost};

bool iopath_in_driver_domain(const iopath_ops *path) { return path == &iopath_pv_ops; }
