/* models/iopath_virtio.c: virtio under KVM ("virtio").
 * Models virtio-blk / virtio-net with QEMU as the backend ([FE14]: QEMU/KVM
 * 1.5, untuned): the guest's driver adds requests to a virtqueue and kicks
 * the host (one VM exit per batch of requests); QEMU's I/O thread does the
 * I/O one request at a time per guest, a thread the host schedules beside
 * the vCPUs (models/backend.h); completion is an injected interrupt.
 * Cost per request: native driver work + (exit round trip + interrupt) per
 * batch on the guest's CPU; QEMU's time as backend (disk requests and
 * network segments priced apart); a notification latency each way.
 * KVM is a type I hypervisor: a kick that reaches QEMU in user space returns
 * to a host process, but that cost is already in the backend and exit
 * costs measured on KVM ([FE14]), so nothing is added for it.  Under a hosted
 * (type II) hypervisor (hypervisor.hosted 1: VirtualBox's virtio-net
 * [SUG01]) the backend is a process of the host OS the VMM leaves for by a
 * world switch: each kick, and each completion the host takes and hands
 * back to the VMM, costs hypervisor.world_switch, both per batch.
 * Units: cycles (guest), ns (backend, latency).  Profile quantities:
 * io.virtio.batch (requests per kick), io.virtio.disk_backend,
 * io.virtio.net_backend, io.virtio.notify_latency (ns), hvm.exit.roundtrip,
 * hvm.exit.interrupt (cycles), hypervisor.hosted (flag),
 * hypervisor.world_switch (cycles), plus the native ones.
 * Sources: [FE14] sec. IV.C-D (KVM adds about 30 us to a TCP round trip;
 * random-read IOPS about half of native with 2-3x the latency); [SUG01]
 * (the hosted I/O path); models/profiles/README.md. */
#include "models/guest_ops.h"
#include "models/io.h"

/* Its quantities in iopath_table.q; BACKEND is the class's own. */
enum { BATCH, BACKEND, NOTIFY_LATENCY, ROUNDTRIP, INTERRUPT, WORLD };

static int virtio_load(const sim_profile *p, io_class cls, iopath_table *t, sim_diag *diag) {
  const char *bk = cls == IO_CLASS_DISK ? "io.virtio.disk_backend" : "io.virtio.net_backend";
  if (iopath_native_load(p, "virtio", cls, t, diag) < 0 ||
      iopath_quantity(p, "virtio", "io.virtio.batch", &t->q[BATCH], diag) < 0 ||
      iopath_quantity(p, "virtio", bk, &t->q[BACKEND], diag) < 0 ||
      iopath_quantity(p, "virtio", "io.virtio.notify_latency", &t->q[NOTIFY_LATENCY], diag) < 0 ||
      iopath_quantity(p, "virtio", "hvm.exit.roundtrip", &t->q[ROUNDTRIP], diag) < 0 ||
      iopath_quantity(p, "virtio", "hvm.exit.interrupt", &t->q[INTERRUPT], diag) < 0 ||
      hosted_io_exit_cycles(p, "virtio", &t->q[WORLD], diag) < 0)
    return -1;
  if (!(t->q[BATCH] >= 1)) t->q[BATCH] = 1;
  return 0;
}

static void virtio_price(const iopath_table *t, io_class cls, uint64_t bytes, iopath_cost *out) {
  const double *q = t->q;
  double n = cls == IO_CLASS_NET ? iopath_table_segments(t, bytes) : 1;
  *out = (iopath_cost){iopath_native_cycles(t, cls, bytes), 0, 0};
  out->guest_cycles += n * (q[ROUNDTRIP] + q[INTERRUPT]) / q[BATCH];
  /* type II: the kick and the completion leave for the host, once per batch */
  out->guest_cycles += n * 2 * q[WORLD] / q[BATCH];
  out->backend_ns = n * q[BACKEND];
  out->latency_ns = 2 * q[NOTIFY_LATENCY];
}

const iopath_ops iopath_virtio_ops = {"virtio", "virtio: virtqueue, a kick exit per batch, QEMU backend",
                                      virtio_load, virtio_price};
