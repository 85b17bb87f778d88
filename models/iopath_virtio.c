/* models/iopath_virtio.c: virtio under KVM ("virtio").
 * Models virtio-blk / virtio-net with QEMU as the backend ([FE14]: QEMU/KVM
 * 1.5, untuned): the guest's driver adds requests to a virtqueue and kicks
 * the host (one VM exit per batch of requests); QEMU's I/O thread does the
 * I/O one request at a time per guest, a thread the host schedules beside
 * the vCPUs (models/backend.h); completion is an injected interrupt.
 * Cost per request: native driver work + (exit round trip + interrupt) per
 * batch on the guest's CPU; QEMU's time as backend (disk requests and
 * network segments priced apart); a notification latency each way.
 * Units: cycles (guest), ns (backend, latency).  Profile quantities:
 * io.virtio.batch (requests per kick), io.virtio.disk_backend,
 * io.virtio.net_backend, io.virtio.notify_latency (ns), hvm.exit.roundtrip,
 * hvm.exit.interrupt (cycles), plus the native ones.
 * Sources: [FE14] sec. IV.C-D (KVM adds about 30 us to a TCP round trip;
 * random-read IOPS about half of native with 2-3x the latency);
 * models/profiles/README.md. */
#include "models/io.h"

static int virtio_cost(const sim_profile *p, io_class cls, uint64_t bytes, iopath_cost *out, sim_diag *diag) {
  *out = (iopath_cost){0, 0, 0};
  double batch, back, lat, rt, irq;
  const char *bk = cls == IO_CLASS_DISK ? "io.virtio.disk_backend" : "io.virtio.net_backend";
  if (iopath_native_guest(p, "virtio", cls, bytes, &out->guest_cycles, diag) < 0 ||
      iopath_quantity(p, "virtio", "io.virtio.batch", &batch, diag) < 0 ||
      iopath_quantity(p, "virtio", bk, &back, diag) < 0 ||
      iopath_quantity(p, "virtio", "io.virtio.notify_latency", &lat, diag) < 0 ||
      iopath_quantity(p, "virtio", "hvm.exit.roundtrip", &rt, diag) < 0 ||
      iopath_quantity(p, "virtio", "hvm.exit.interrupt", &irq, diag) < 0)
    return -1;
  if (!(batch >= 1)) batch = 1;
  double n = 1;
  if (cls == IO_CLASS_NET && iopath_segments(p, "virtio", bytes, &n, diag) < 0) return -1;
  out->guest_cycles += n * (rt + irq) / batch;
  out->backend_ns = n * back;
  out->latency_ns = 2 * lat;
  return 0;
}

const iopath_ops iopath_virtio_ops = {"virtio", "virtio: virtqueue, a kick exit per batch, QEMU backend", virtio_cost};
