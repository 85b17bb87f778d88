/* models/iopath_container.c: container I/O ("bridge" and "nat").
 * Models a container's I/O as [FE14] describes it: disk I/O goes through
 * the host kernel as for a native process (no measurable overhead, [FE14]
 * sec. IV.D); network traffic crosses a veth pair and the Linux bridge
 * ("bridge"), and with Docker's default NAT ("nat") also iptables
 * connection tracking and address translation on a forwarded (routed)
 * packet.  Each costs a segment two things:
 *  - CPU work (io.bridge.per_segment, io.nat.per_segment): the host
 *    kernel's packet processing (NET_RX/NET_TX softirq, or process context
 *    on the sender's core), not a thread of the container's: the veth
 *    transfer and the second pass through the receive path, the bridge's
 *    forwarding lookup, the conntrack lookup, the NAT rewrite and the
 *    forwarding decision.  It runs on whichever core the packet's flow is
 *    steered to.  Receive Side Scaling (the NIC hashing each flow to one
 *    of several queues, each with its own core's interrupt) and Receive
 *    Packet Steering (the kernel doing the same hash in software) spread
 *    the flows of many connections over the host's cores (Linux
 *    Documentation/networking/scaling.txt, "RSS", "RPS"); the model assumes
 *    enough connections that every core takes packets, so a message's
 *    segments go to the core whose softirq frees first, ahead of the
 *    threads running there (models/backend.h), and a message's segments,
 *    one flow, stay on one core;
 *  - a latency without CPU (io.bridge.latency, io.nat.latency): the wait
 *    between the extra hops (the veth's backlog queue, a second softirq
 *    pass for the routed packet, the wakeups between them), added to the
 *    request once per segment.  [FE14] sec. IV.C's doubled TCP_RR round
 *    trip is mostly this wait: io.nat.latency is fitted to it, while the
 *    CPU parts are estimates of the kernel's work (the profiles' sources).
 * Units: cycles (guest CPU), ns (host softirq, latency).  Profile
 * quantities: io.bridge.per_segment, io.bridge.latency, io.nat.per_segment,
 * io.nat.latency (ns), plus the native ones.
 * Invariant: disk requests cost no backend work and no added latency.
 * Sources: [FE14] sec. IV.C (NAT roughly doubles the TCP round trip);
 * models/profiles/README.md. */
#include "models/io.h"

/* Its quantities in iopath_table.q (network only; the NAT ones 0 on the
 * bridge). */
enum { BRIDGE_CPU, BRIDGE_WAIT, NAT_CPU, NAT_WAIT };

static int container_load(const char *path, bool nat, const sim_profile *p, io_class cls, iopath_table *t,
                          sim_diag *diag) {
  if (iopath_native_load(p, path, cls, t, diag) < 0) return -1;
  if (cls == IO_CLASS_DISK) return 0;
  if (iopath_quantity(p, path, "io.bridge.per_segment", &t->q[BRIDGE_CPU], diag) < 0 ||
      iopath_quantity(p, path, "io.bridge.latency", &t->q[BRIDGE_WAIT], diag) < 0)
    return -1;
  if (nat && (iopath_quantity(p, path, "io.nat.per_segment", &t->q[NAT_CPU], diag) < 0 ||
              iopath_quantity(p, path, "io.nat.latency", &t->q[NAT_WAIT], diag) < 0))
    return -1;
  return 0;
}

static void container_price(const iopath_table *t, io_class cls, uint64_t bytes, iopath_cost *out) {
  const double *q = t->q;
  *out = (iopath_cost){iopath_native_cycles(t, cls, bytes), 0, 0};
  if (cls == IO_CLASS_DISK) return;
  double seg = iopath_table_segments(t, bytes);
  out->backend_ns = seg * (q[BRIDGE_CPU] + q[NAT_CPU]);
  out->latency_ns = seg * (q[BRIDGE_WAIT] + q[NAT_WAIT]);
}

static int bridge_load(const sim_profile *p, io_class cls, iopath_table *t, sim_diag *diag) {
  return container_load("bridge", false, p, cls, t, diag);
}
static int nat_load(const sim_profile *p, io_class cls, iopath_table *t, sim_diag *diag) {
  return container_load("nat", true, p, cls, t, diag);
}
const iopath_ops iopath_bridge_ops = {"bridge", "container: veth pair and Linux bridge", bridge_load,
                                      container_price};
const iopath_ops iopath_nat_ops = {"nat", "container: bridge plus iptables NAT (Docker default)", nat_load,
                                   container_price};

bool iopath_in_softirq(const iopath_ops *path) { return path == &iopath_bridge_ops || path == &iopath_nat_ops; }
