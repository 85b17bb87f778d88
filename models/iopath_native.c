/* models/iopath_native.c: the native I/O path ("native").
 * Models a process on the host (or a container, whose disk I/O is native)
 * doing I/O through the kernel's own stack: the block layer and driver with
 * one completion interrupt per disk request, the TCP/IP stack once per
 * network segment (TSO/GRO hand the NIC up to net.segment bytes at once).
 * No backend, no added latency: the reference the other paths add to.
 * Units: cycles (guest CPU).  Profile quantities: io.native.disk_request,
 * io.native.net_segment (cycles), net.segment (bytes).
 * Sources: models/profiles/README.md ("I/O paths"). */
#include "models/io.h"

int iopath_native_guest(const sim_profile *p, const char *path, io_class cls, uint64_t bytes,
                        double *cycles, sim_diag *diag) {
  double c;
  if (cls == IO_CLASS_DISK) {
    if (iopath_quantity(p, path, "io.native.disk_request", &c, diag) < 0) return -1;
    *cycles = c;
  } else {
    double n;
    if (iopath_quantity(p, path, "io.native.net_segment", &c, diag) < 0 ||
        iopath_segments(p, path, bytes, &n, diag) < 0)
      return -1;
    *cycles = c * n;
  }
  return 0;
}

static int native_cost(const sim_profile *p, io_class cls, uint64_t bytes, iopath_cost *out, sim_diag *diag) {
  *out = (iopath_cost){0, 0, 0};
  return iopath_native_guest(p, "native", cls, bytes, &out->guest_cycles, diag);
}

const iopath_ops iopath_native_ops = {"native", "the host kernel's block layer and TCP/IP stack", native_cost};
