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

static int container_cost(const char *path, bool nat, const sim_profile *p, io_class cls, uint64_t bytes,
                          iopath_cost *out, sim_diag *diag) {
  *out = (iopath_cost){0, 0, 0};
  if (iopath_native_guest(p, path, cls, bytes, &out->guest_cycles, diag) < 0) return -1;
  if (cls == IO_CLASS_DISK) return 0;
  double seg, br_cpu, br_wait, nat_cpu = 0, nat_wait = 0;
  if (iopath_segments(p, path, bytes, &seg, diag) < 0) return -1;
  if (iopath_quantity(p, path, "io.bridge.per_segment", &br_cpu, diag) < 0 ||
      iopath_quantity(p, path, "io.bridge.latency", &br_wait, diag) < 0)
    return -1;
  if (nat && (iopath_quantity(p, path, "io.nat.per_segment", &nat_cpu, diag) < 0 ||
              iopath_quantity(p, path, "io.nat.latency", &nat_wait, diag) < 0))
    return -1;
  out->backend_ns = seg * (br_cpu + nat_cpu);
  out->latency_ns = seg * (br_wait + nat_wait);
  return 0;
}

static int bridge_cost(const sim_profile *p, io_class cls, uint64_t bytes, iopath_cost *out, sim_diag *diag) {
  return container_cost("bridge", false, p, cls, bytes, out, diag);
}
static int nat_cost(const sim_profile *p, io_class cls, uint64_t bytes, iopath_cost *out, sim_diag *diag) {
  return container_cost("nat", true, p, cls, bytes, out, diag);
}

const iopath_ops iopath_bridge_ops = {"bridge", "container: veth pair and Linux bridge", bridge_cost};
const iopath_ops iopath_nat_ops = {"nat", "container: bridge plus iptables NAT (Docker default)", nat_cost};

bool iopath_in_softirq(const iopath_ops *path) { return path == &iopath_bridge_ops || path == &iopath_nat_ops; }
