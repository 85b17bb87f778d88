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

int iopath_native_load(const sim_profile *p, const char *path, io_class cls, iopath_table *t, sim_diag *diag) {
  *t = (iopath_table){0};
  if (cls == IO_CLASS_DISK) return iopath_quantity(p, path, "io.native.disk_request", &t->native_cycles, diag);
  if (iopath_quantity(p, path, "io.native.net_segment", &t->native_cycles, diag) < 0 ||
      iopath_quantity(p, path, "net.segment", &t->segment, diag) < 0)
    return -1;
  if (!(t->segment >= 64)) {
    sim_diag_error(diag, NULL, 0, 0, "I/O path '%s': net.segment must be at least 64 bytes, got %g", path,
                   t->segment);
    return -1;
  }
  return 0;
}

double iopath_native_cycles(const iopath_table *t, io_class cls, uint64_t bytes) {
  return cls == IO_CLASS_DISK ? t->native_cycles : t->native_cycles * iopath_table_segments(t, bytes);
}

static int native_load(const sim_profile *p, io_class cls, iopath_table *t, sim_diag *diag) {
  return iopath_native_load(p, "native", cls, t, diag);
}

static void native_price(const iopath_table *t, io_class cls, uint64_t bytes, iopath_cost *out) {
  *out = (iopath_cost){iopath_native_cycles(t, cls, bytes), 0, 0};
}

const iopath_ops iopath_native_ops = {"native", "the host kernel's block layer and TCP/IP stack",
                                      native_load, native_price};
