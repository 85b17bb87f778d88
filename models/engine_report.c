/* models/engine_report.c: what the engine records: its signals and event
 * types, the periodic samples of every guest, and the summary tables at the
 * run's end.
 *
 * Outputs (to the recorder; DATASETS.md): tables summary/guests (time to
 * complete, units, throughput, relative_to_native, steal, switches, cycles
 * by mechanism, arrival and departure), summary/hosts (busy time, utilisation) and summary/mmu (1D
 * and 2D page walks of each guest's memory streams); per guest, sampled at
 * the record interval only when series are kept: progress, cpu_share, steal
 * and cycles_<mechanism> rates, and per vCPU vcpu_steal (its share of the
 * interval spent runnable but not running), each written on change (a value
 * holds until the entity's next row, the last until the series' end, the
 * run's last sample; a sample's rows written a batch per signal, each
 * guest's vCPUs read once); events guest_start, guest_finish, phase and
 * context_switch.  relative_to_native is the native twin's time per unit
 * of work over the guest's: the same work on the host's native technique and
 * native I/O path, on the same devices under the I/O load the guest saw
 * (guest_relative_to_native).  Live
 * migrations not finished by the run's end get their migration/summary row
 * here (status unfinished; models/migration.h).
 * Units: as in each column's and signal's declaration.
 * Invariants: sampling schedules nothing but itself, so results are the same
 * with or without series. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "models/engine_internal.h"
#include "models/mmu.h"
#include "sim/alloc.h"

/* min(x, 1) and max(x, 0), as fmin(1.0, x) and fmax(0.0, x) give them for
 * the values sampled here (a NaN gives the bound; the sums they enter do not
 * tell a zero's sign), without a call into libm per vCPU per sample: the
 * guests still running are sampled every interval. */
static inline double at_most_one(double x) { return x < 1.0 ? x : 1.0; }
static inline double at_least_zero(double x) { return x > 0.0 ? x : 0.0; }

/* Two mechanisms' cycles (or rates), added, multiplied and divided lane by
 * lane: each lane's operation is the one a scalar would do, so the values
 * are the same bits, at half the instructions (MECH_COUNT is odd: the last
 * mechanism goes alone).  Loaded and stored with memcpy: the arrays are
 * 8-byte aligned only. */
typedef double mech_pair __attribute__((vector_size(2 * sizeof(double))));
enum { MECH_PAIRS = MECH_COUNT / 2, MECH_LAST = MECH_COUNT - 1 };
_Static_assert(MECH_COUNT == 2 * MECH_PAIRS + 1, "one mechanism after the pairs");
static inline mech_pair mech_pair_load(const double *x) {
  mech_pair p;
  memcpy(&p, x, sizeof p);
  return p;
}
static inline void mech_pair_store(double *x, mech_pair p) { memcpy(x, &p, sizeof p); }
/* Bit i set when lane i of p differs bitwise from x[i] (the written-on-change
 * test of two rates at once).  With SSE2 the four 32-bit halves are compared
 * at once and their mask (bit h: half h equal) mapped to the lanes' by a
 * table: a lane is equal when both its halves are.  Otherwise the lanes are
 * compared as 64-bit integers. */
#ifdef __SSE2__
static const unsigned char lanes_differ_of_halves_equal[16] = {3, 3, 3, 2, 3, 3, 3, 2,
                                                               3, 3, 3, 2, 1, 1, 1, 0};
static inline unsigned mech_pair_differs(mech_pair p, const double *x) {
  __m128i halves_equal = _mm_cmpeq_epi32(_mm_castpd_si128((__m128d)p), _mm_loadu_si128((const __m128i *)x));
  return lanes_differ_of_halves_equal[_mm_movemask_ps(_mm_castsi128_ps(halves_equal))];
}
#else
typedef uint64_t mech_pair_bits __attribute__((vector_size(2 * sizeof(uint64_t))));
static inline unsigned mech_pair_differs(mech_pair p, const double *x) {
  mech_pair_bits a, b;
  memcpy(&a, &p, sizeof a);
  memcpy(&b, x, sizeof b);
  mech_pair_bits differs = a != b; /* all ones in a lane that differs */
  return (unsigned)(differs[0] & 1) | (unsigned)(differs[1] & 1) << 1;
}
#endif

/* The rows of one sample not written yet, in guest order: per sampled
 * signal (BATCH_PROGRESS ... BATCH_CYCLES + MECH_COUNT - 1) its entities and
 * values, written together (sim_emit_batch) when BATCH_ROWS are waiting and
 * at the sample's end.  On the stack of the sample: a row costs a few
 * stores until then. */
enum { BATCH_PROGRESS, BATCH_SHARE, BATCH_STEAL, BATCH_VSTEAL, BATCH_CYCLES,
       BATCH_SIGNALS = BATCH_CYCLES + MECH_COUNT, BATCH_ROWS = 128 };
typedef struct sample_batch {
  sim_time now;                             /* ns: the sample's time */
  double dt, dt_s;                          /* ns, s: the sample interval, converted once a sample */
  unsigned cycles_kept;                     /* bit m: cycles_<mechanism m> is kept */
  int signal[BATCH_SIGNALS];                /* the signal of each */
  size_t n[BATCH_SIGNALS];                  /* rows waiting */
  int32_t entity[BATCH_SIGNALS][BATCH_ROWS]; /* recorder entity ids */
  double value[BATCH_SIGNALS][BATCH_ROWS];  /* as the signal's unit */
} sample_batch;

/* Writes the rows waiting for signal `slot` of b. */
static void batch_flush(eng *e, sample_batch *b, int slot) {
  if (!b->n[slot]) return;
  eng_note_rec(e, sim_emit_batch(e->rec, b->signal[slot], b->now, b->n[slot], b->entity[slot],
                                 b->value[slot]));
  b->n[slot] = 0;
}

/* Adds the row (entity, value) of signal `slot` to b, writing its rows
 * first when BATCH_ROWS are waiting. */
static inline void batch_append(eng *e, sample_batch *b, int slot, int32_t entity, double value) {
  if (b->n[slot] == BATCH_ROWS) batch_flush(e, b, slot);
  b->entity[slot][b->n[slot]] = entity;
  b->value[slot][b->n[slot]++] = value;
}

/* Writes `value` of (signal `slot`, entity) when it differs bitwise from
 * *last, the value last written for the pair, or when `always` (an
 * entity's first sample): the series is written on change (sim_recorder.h),
 * a value holding until the entity's next row, the last until the series'
 * end. */
static inline void emit_on_change(eng *e, sample_batch *b, int slot, int32_t entity, double value,
                                  double *last, bool always) {
  if (!always && !memcmp(&value, last, sizeof value)) return;
  *last = value;
  batch_append(e, b, slot, entity, value);
}

/* What one sample of a guest computes, its vCPUs read in one pass: the
 * fraction of its phases done, vCPUs averaged (a request-driven guest's:
 * engine_requests.c), and its cumulative run time, steal and cycles with
 * runs in progress counted pro rata. */
typedef struct guest_sample {
  double progress;             /* 1 */
  double run_ns, steal_ns;     /* ns */
  double cycles[MECH_COUNT];   /* cycles */
  bool quiet;                  /* nothing can change its signals any more */
} guest_sample;

/* Guest g's sample at `now` (progress when `progress`, the cumulative
 * values when `cumulative`); each vCPU's vcpu_steal, when kept, written on
 * change (or when `always`) in the same pass.  Each sum adds its terms in
 * vCPU order, as the series have always been computed.  Quiet: every vCPU
 * done (a terminal state, engine.c) with no I/O in flight whose completion
 * could charge it, and not request-driven (its progress counts requests). */
static inline __attribute__((always_inline)) void guest_sample_take(eng *e, sample_batch *b, const eng_guest *g,
                                                                    sim_time now, bool progress, bool cumulative,
                                                                    bool vsteal_kept, bool always,
                                                                    guest_sample *out) {
  const uint32_t n_vcpus = g->spec->vcpus;
  bool quiet = !g->rq && g->vcpus_done >= n_vcpus;
  progress &= !g->rq;
  size_t n_phases = sim_workload_n_phases(g->wl);
  if (!n_phases) n_phases = 1;
  const double n = (double)n_phases;
  const bool before_start = g->finish_ns < 0 && now < g->spec->start_ns;
  const double dt = b->dt;
  double psum = 0, run_ns = 0, steal_ns = 0;
  mech_pair cycles[MECH_PAIRS];
#pragma GCC unroll 4
  for (int p = 0; p < MECH_PAIRS; p++) cycles[p] = mech_pair_load(&g->cycles.cycles[2 * p]);
  double cycles_last = g->cycles.cycles[MECH_LAST];
  eng_vcpu *v = &e->vcpus[g->first_vcpu];
  eng_sampled_steal *vs = vsteal_kept ? &e->sampled_vsteal[g->first_vcpu] : NULL;
  for (uint32_t i = 0; i < n_vcpus; i++, v++) {
    quiet &= !v->io_inflight;
    /* a running vCPU's share of its current run's work done, computed once
     * for its progress and its cycles: 0 before the run's work starts or
     * when the run holds none (the two tests are the same comparisons) */
    const bool running = v->state == V_RUNNING;
    const bool in_work = running && now > v->work_start_ns && v->run_end_ns > v->work_start_ns;
    const double f = in_work ? at_most_one((double)(now - v->work_start_ns) /
                                           (double)(v->run_end_ns - v->work_start_ns))
                             : 0.0;
    if (progress) {
      if (v->state == V_DONE) {
        psum += 1;
      } else if (!before_start) {
        double frac = 0;
        if (v->units_phase > 0) {
          double left = v->units_left;
          if (in_work) left -= v->run_units * f;
          frac = 1 - left / v->units_phase;
        } else if (v->phase_end_ns > v->phase_start_ns && v->phase_end_ns != SIM_TIME_MAX) {
          frac = (double)(now - v->phase_start_ns) / (double)(v->phase_end_ns - v->phase_start_ns);
        }
        double within = (double)(v->phase % n_phases) + at_most_one(at_least_zero(frac));
        psum += within / n;
      }
    }
    if (!cumulative) continue;
    /* the time it waited (runnable, or running below its want) */
    double waited = v->state == V_RUNNABLE ? (double)(now - v->runnable_since) : 0;
    run_ns += (double)v->run_ns;
    steal_ns += (double)v->steal_ns;
    if (v->state == V_RUNNABLE) steal_ns += waited;
    if (running) {
      double ran = (double)(now - v->run_start_ns);
      run_ns += ran * at_most_one(v->rate);
      waited = ran * at_least_zero(v->want - v->rate);
      steal_ns += waited;
      const mech_pair f2 = {f, f};
#pragma GCC unroll 4
      for (int p = 0; p < MECH_PAIRS; p++) cycles[p] += mech_pair_load(&v->run_cycles.cycles[2 * p]) * f2;
      cycles_last += v->run_cycles.cycles[MECH_LAST] * f;
    }
    if (!vsteal_kept) continue; /* vs is held only when vcpu_steal is recorded */
    double st = (double)v->steal_ns + waited;
    emit_on_change(e, b, BATCH_VSTEAL, v->entity, (st - vs->prev_ns) / dt, &vs->last, always);
    vs->prev_ns = st;
    vs++;
  }
  out->progress = g->rq ? eng_requests_progress(e, g, now) : psum / n_vcpus;
  out->run_ns = run_ns;
  out->steal_ns = steal_ns;
#pragma GCC unroll 4
  for (int p = 0; p < MECH_PAIRS; p++) mech_pair_store(&out->cycles[2 * p], cycles[p]);
  out->cycles[MECH_LAST] = cycles_last;
  out->quiet = quiet;
}

/* The sampled signals kept (bits of a mask): what a sample computes and
 * writes.  A vCPU's or guest's steal is kept exactly when its
 * eng_sampled_steal array is held, the cycle rates when eng_sampled_cycles
 * is (eng_declare_records). */
enum { KEEP_PROGRESS = 1, KEEP_SHARE = 2, KEEP_STEAL = 4, KEEP_VSTEAL = 8, KEEP_CYCLES = 16,
       KEEP_ALL = 31 };
static inline void sample_guest(eng *e, sample_batch *b, uint32_t gi, unsigned keep, bool always);

/* One sample of the guests chained from e->first_unsettled (those settled
 * unchained), with the signals `keep` holds.  Inlined at each call: a
 * constant `keep` and `always` leave out the tests of what is not kept, per
 * guest and per vCPU. */
static inline __attribute__((always_inline)) void sample_chain(eng *e, sample_batch *b, unsigned keep,
                                                               bool always) {
  for (uint32_t *link = &e->first_unsettled; *link != ENG_NO_GUEST;) {
    eng_guest *g = &e->guests[*link];
    sample_guest(e, b, *link, keep, always);
    if (g->sampled.settled)
      *link = g->sampled.next;
    else
      link = &g->sampled.next;
  }
}
static void declare_series_end(eng *e, sim_time end);

/* One sample of every guest's kept signals, written on change.  A guest
 * whose values can no longer change (eng_sampled.settled) is left out of
 * every later sample, the last one included (its series declare their end,
 * to which its last row holds): the guests not settled are chained in
 * guest order from e->first_unsettled, so that a sample costs per guest
 * still running, not per guest. */
void eng_sample_handler(sim_loop *loop, void *ctx, uint64_t arg) {
  (void)arg;
  eng *e = ctx;
  sim_time now = sim_loop_now(loop);
  bool more = e->end_ns != SIM_TIME_MAX ? now + e->sample_ns <= e->end_ns
                                        : e->guests_done < e->sc->n_guests;
  /* what the kept signals need (a signal not kept costs nothing) */
  unsigned keep = (e->sig_progress >= 0 ? KEEP_PROGRESS : 0) | (e->sig_share >= 0 ? KEEP_SHARE : 0) |
                  (e->sampled_steal ? KEEP_STEAL : 0) | (e->sampled_vsteal ? KEEP_VSTEAL : 0) |
                  (e->sampled_cycles ? KEEP_CYCLES : 0);
  if (!e->sampled) { /* none is settled before its second sample */
    e->first_unsettled = e->sc->n_guests ? 0 : ENG_NO_GUEST;
    for (size_t gi = 0; gi < e->sc->n_guests; gi++)
      e->guests[gi].sampled.next = gi + 1 < e->sc->n_guests ? (uint32_t)gi + 1 : ENG_NO_GUEST;
  }
  sample_batch b;
  b.now = now;
  b.dt = (double)e->sample_ns;
  b.dt_s = b.dt * 1e-9;
  int sigs[BATCH_SIGNALS] = {e->sig_progress, e->sig_share, e->sig_steal, e->sig_vsteal};
  for (int m = 0; m < MECH_COUNT; m++) sigs[BATCH_CYCLES + m] = e->sig_cycles[m];
  for (int k = 0; k < BATCH_SIGNALS; k++) b.signal[k] = sigs[k], b.n[k] = 0;
  b.cycles_kept = 0;
  for (int m = 0; m < MECH_COUNT; m++) b.cycles_kept |= (unsigned)(e->sig_cycles[m] >= 0) << m;
  /* every series starts at the first sample, of every guest in order (the
   * chain holds them all then) */
  const bool always = !e->sampled;
  if (!always && keep == KEEP_ALL) /* the usual sample: every signal kept, rows on change */
    sample_chain(e, &b, KEEP_ALL, false);
  else
    sample_chain(e, &b, keep, always);
  for (int k = 0; k < BATCH_SIGNALS; k++) batch_flush(e, &b, k);
  e->sampled = true;
  if (!more) declare_series_end(e, now); /* every series reaches the last sample */
  if (more && !sim_schedule_in(loop, e->sample_ns, PRIO_SAMPLE, eng_sample_handler, e, 0))
    eng_note_rec(e, -1);
}

/* Guest gi's kept signals at the sample's time, each written when it
 * changed or when `always`; then whether it is settled.  Inlined in the
 * loop over the guests: a call per guest still running per sample. */
static inline __attribute__((always_inline)) void sample_guest(eng *e, sample_batch *b, uint32_t gi, unsigned keep, bool always) {
  eng_guest *g = &e->guests[gi];
  const double dt = b->dt;
  eng_sampled *last = &g->sampled;
  guest_sample s;
  guest_sample_take(e, b, g, b->now, keep & KEEP_PROGRESS, keep & ~KEEP_PROGRESS, keep & KEEP_VSTEAL, always,
                    &s);
  if (keep & KEEP_PROGRESS)
    emit_on_change(e, b, BATCH_PROGRESS, g->entity, s.progress, &last->progress, always);
  if (keep & KEEP_SHARE)
    emit_on_change(e, b, BATCH_SHARE, g->entity, (s.run_ns - g->prev_run_ns) / dt, &last->share, always);
  eng_sampled_steal *gs = keep & KEEP_STEAL ? &e->sampled_steal[gi] : NULL;
  if (gs) {
    emit_on_change(e, b, BATCH_STEAL, g->entity, (s.steal_ns - gs->prev_ns) / dt, &gs->last, always);
    gs->prev_ns = s.steal_ns;
  }
  eng_sampled_cycles *cs = keep & KEEP_CYCLES ? &e->sampled_cycles[gi] : NULL;
  if (cs) { /* the rates first, then the rows of those that changed and are kept */
    const double dt_s = b->dt_s;
    double rate[MECH_COUNT];
    const mech_pair dt2 = {dt_s, dt_s};
    unsigned changed = 0;
#pragma GCC unroll 4
    for (int p = 0; p < MECH_PAIRS; p++) {
      mech_pair now2 = mech_pair_load(&s.cycles[2 * p]);
      mech_pair rate2 = (now2 - mech_pair_load(&cs->prev[2 * p])) / dt2;
      mech_pair_store(&rate[2 * p], rate2);
      mech_pair_store(&cs->prev[2 * p], now2);
      changed |= mech_pair_differs(rate2, &cs->last[2 * p]) << 2 * p;
    }
    rate[MECH_LAST] = (s.cycles[MECH_LAST] - cs->prev[MECH_LAST]) / dt_s;
    cs->prev[MECH_LAST] = s.cycles[MECH_LAST];
    changed |= (unsigned)(memcmp(&rate[MECH_LAST], &cs->last[MECH_LAST], sizeof rate[0]) != 0) << MECH_LAST;
    for (changed = (always ? ~0u : changed) & b->cycles_kept; changed; changed &= changed - 1) {
      int m = __builtin_ctz(changed);
      cs->last[m] = rate[m];
      batch_append(e, b, BATCH_CYCLES + m, g->entity, rate[m]);
    }
  }
  g->prev_run_ns = s.run_ns;
  /* quiet at the previous sample: nothing changed since, so these values
   * are the same at every later sample (progress 1, every rate 0) */
  last->settled = last->quiet;
  last->quiet = s.quiet;
}

/* The run's last sample was taken at `end`: every kept series holds each
 * guest's (and vCPU's) last row until then. */
static void declare_series_end(eng *e, sim_time end) {
  int sigs[4] = {e->sig_progress, e->sig_share, e->sig_steal, e->sig_vsteal};
  for (int i = 0; i < 4; i++) eng_note_rec(e, sim_recorder_signal_end(e->rec, sigs[i], end));
  for (int m = 0; m < MECH_COUNT; m++)
    eng_note_rec(e, sim_recorder_signal_end(e->rec, e->sig_cycles[m], end));
}

int eng_declare_records(eng *e) {
  sim_recorder *r = e->rec;
  e->sig_progress = sim_recorder_signal(r, "progress", "1",
                                        "fraction of the guest's work done (of the current pass when it repeats)");
  e->sig_share = sim_recorder_signal(r, "cpu_share", "1",
                                     "CPUs obtained in the interval (1 = one full CPU)");
  e->sig_steal = sim_recorder_signal(r, "steal", "1",
                                     "vCPUs runnable but not running, averaged over the interval");
  e->sig_vsteal = sim_recorder_signal(r, "vcpu_steal", "1",
                                      "share of the interval the vCPU was runnable but not running");
  bool any = false;
  int sigs[4] = {e->sig_progress, e->sig_share, e->sig_steal, e->sig_vsteal};
  for (int i = 0; i < 4; i++) {
    if (sigs[i] < 0 && sigs[i] != SIM_SIGNAL_OFF) return sigs[i];
    any |= sigs[i] >= 0;
  }
  for (int m = 0; m < MECH_COUNT; m++) {
    char name[64], doc[128];
    snprintf(name, sizeof name, "cycles_%s", mechanism_names[m]);
    snprintf(doc, sizeof doc, "rate of cycles spent on %s in the interval", mechanism_names[m]);
    e->sig_cycles[m] = sim_recorder_signal(r, name, "cycles/s", doc);
    if (e->sig_cycles[m] < 0 && e->sig_cycles[m] != SIM_SIGNAL_OFF) return e->sig_cycles[m];
    any |= e->sig_cycles[m] >= 0;
  }
  e->sample_ns = any ? sim_recorder_sample_interval(r) : 0;
  if (e->sample_ns < 0) e->sample_ns = 0;
  bool rates = false;
  for (int m = 0; m < MECH_COUNT; m++) rates |= e->sig_cycles[m] >= 0;
  size_t ng = e->sc->n_guests ? e->sc->n_guests : 1, nv = e->n_vcpus ? e->n_vcpus : 1;
  if (rates && e->sample_ns > 0 && !(e->sampled_cycles = sim_calloc(ng, sizeof *e->sampled_cycles)))
    return -1;
  if (e->sig_steal >= 0 && e->sample_ns > 0 && !(e->sampled_steal = sim_calloc(ng, sizeof *e->sampled_steal)))
    return -1;
  if (e->sig_vsteal >= 0 && e->sample_ns > 0 && !(e->sampled_vsteal = sim_calloc(nv, sizeof *e->sampled_vsteal)))
    return -1;
  /* eng_sample_handler writes them on change */
  for (int i = 0; i < 4 && e->sample_ns > 0; i++) {
    int rc = sim_recorder_signal_on_change(r, sigs[i]);
    if (rc < 0) return rc;
  }
  for (int m = 0; m < MECH_COUNT && e->sample_ns > 0; m++) {
    int rc = sim_recorder_signal_on_change(r, e->sig_cycles[m]);
    if (rc < 0) return rc;
  }
  e->ev_start = sim_recorder_event_type(r, "guest_start", "a guest starts its workload");
  e->ev_finish = sim_recorder_event_type(r, "guest_finish",
                                         "a guest completes its work; value0 = time taken, s");
  e->ev_phase = sim_recorder_event_type(r, "phase", "a vCPU enters a phase; value0 = phase index");
  e->ev_switch = sim_recorder_event_type(
      r, "context_switch", "a pCPU switches to this vCPU's guest; value0 = pCPU, value1 = previous guest or -1");
  if (e->ev_start < 0) return e->ev_start;
  if (e->ev_finish < 0) return e->ev_finish;
  if (e->ev_phase < 0) return e->ev_phase;
  return e->ev_switch < 0 ? e->ev_switch : 0;
}

/* ---- summary tables ---- */

/* Guest g's relative_to_native, its run stopping at `stop`: the native
 * twin's time per unit of work over g's own, both summed over its vCPUs
 * (each does its share of the units, so the sums are per unit of work).
 * The twin serves the same arrivals on the same crowded host, devices and
 * I/O load: only what g's technique and I/O path cost beyond native sets
 * the ratio, so a native guest reports 1 whatever its workload and load.
 * A vCPU's own time runs from the guest's start to its last phase's end (or
 * `stop`, or the end of a demand sleep `stop` cut short: the twin's time has
 * it whole), less the time it waited for a CPU and, request-driven, the time
 * it held no request: the twin waits as long for both, so neither is
 * anyone's cost.  Waiting for a CPU is the time it was runnable but not
 * running: steal (another vCPU held the core) or held back by a cap (a
 * scheduler's, a burstable instance's spent credits, compute units), in
 * the fluid fidelity its rate's shortfall from its demand over that demand
 * (steal_ns plus steal_slept_ns: at a partial demand d, work delayed by s
 * CPU-ns of steal ends s / d later).  A slower clock (DVFS) is not waiting:
 * the twin runs at the clock each run of g ran at (v->run_clock_hz).
 * The twin's time: the native CPU time of the work done, the native I/O
 * path's cycles included, with the idle shares of a partial cpu_demand, and
 * a native context switch wherever g was switched in (v->native_ns), plus
 * the vCPU's waits for its I/O scaled by what the same requests take
 * natively: the devices as g's requests found them (their service, latency
 * and queues under the load g actually saw) without what g's I/O path
 * added beyond the native path's (backend time, added latency;
 * io_unit_path_ns).  NaN when g did nothing (rejected, or no time). */
static double guest_relative_to_native(const eng *e, const eng_guest *g, sim_time stop) {
  double io_scale = 1; /* the twin's I/O latency over g's */
  if (e->io) {
    double lat = io_guest_latency_ns(e->io, (uint32_t)(g - e->guests));
    if (lat > 0) io_scale = at_least_zero(lat - g->io_path_excess_ns) / lat;
  }
  double own = 0, twin = 0;
  for (uint32_t i = 0; i < g->spec->vcpus; i++) {
    const eng_vcpu *v = &e->vcpus[g->first_vcpu + i];
    sim_time until = v->done_noted && v->done_ns < stop ? v->done_ns : stop;
    double idle = 0, stall = 0; /* no vCPU waits without waits to keep */
    double cpu_wait = (double)v->steal_ns + v->steal_slept_ns;
    if (e->waits) {
      const eng_vcpu_waits *w = &e->waits[g->first_vcpu + i];
      idle = w->idle_ns + (v->req_idle && until > w->idle_since ? (double)(until - w->idle_since) : 0);
      stall = w->io_stall_ns;
      if (v->io_wait) { /* still waiting at the run's end */
        sim_time from = w->io_stall_since > v->sleep_until_ns ? w->io_stall_since : v->sleep_until_ns;
        if (until > from) stall += (double)(until - from);
      }
    }
    /* a demand sleep the run's end cut short: the twin's time has it whole */
    sim_time slept = !v->done_noted && v->sleep_until_ns > until ? v->sleep_until_ns - until : 0;
    own += at_least_zero((double)(until + slept - g->spec->start_ns) - idle - cpu_wait);
    twin += v->native_ns + stall * io_scale;
  }
  return own > 0 ? twin / own : NAN;
}

int eng_write_summary(eng *e, sim_time end) {
  /* a live migration still running at the end keeps its row (status
   * unfinished) beside its completed rounds */
  int mig_rc = migration_set_record_unfinished(e->migrations, end);
  if (mig_rc < 0) return mig_rc;
  enum { FIXED = 12, CHURN = 2 }; /* CHURN: arrival_s, departure_s, after the cycles */
  sim_column all[FIXED + MECH_COUNT + 1 + CHURN];
  static const sim_column fixed[FIXED] = {
      {"name", SIM_COL_STR, "", "guest name"},
      {"host", SIM_COL_STR, "", "host it ran on last (a migration's destination once moved)"},
      {"technique", SIM_COL_STR, "", "virtualization technique"},
      {"workload", SIM_COL_STR, "", "workload name"},
      {"vcpus", SIM_COL_I64, "1", "virtual CPUs"},
      {"time_to_complete_s", SIM_COL_F64, "s",
       "from start to completion; NaN if unfinished (or departed or rejected first)"},
      {"units", SIM_COL_F64, "1", "units of work done"},
      {"throughput_units_per_s", SIM_COL_F64, "1/s", "units done per second since start"},
      {"relative_to_native", SIM_COL_F64, "1",
       "native time per unit of work over the guest's, time waiting for a CPU left out of both: "
       "the same work natively on the same host, devices, CPU and I/O load"},
      {"native_time_s", SIM_COL_F64, "s",
       "time the work done would take natively: time_to_complete (or run) x relative_to_native"},
      {"steal_s", SIM_COL_F64, "s", "time vCPUs were runnable but not running, summed"},
      {"switches", SIM_COL_I64, "1", "context switches onto a pCPU"},
  };
  char names[MECH_COUNT][48];
  char docs[MECH_COUNT][96];
  memcpy(all, fixed, sizeof fixed);
  for (int m = 0; m < MECH_COUNT; m++) {
    snprintf(names[m], sizeof names[m], "cycles_%s", mechanism_names[m]);
    snprintf(docs[m], sizeof docs[m], "cycles spent on %s", mechanism_names[m]);
    all[FIXED + m] = (sim_column){names[m], SIM_COL_F64, "cycles", docs[m]};
  }
  all[FIXED + MECH_COUNT] = (sim_column){"cycles_total", SIM_COL_F64, "cycles", "all cycles spent"};
  all[FIXED + MECH_COUNT + 1] =
      (sim_column){"arrival_s", SIM_COL_F64, "s", "when it arrived (its start; drawn with `arrival`)"};
  all[FIXED + MECH_COUNT + 2] = (sim_column){
      "departure_s", SIM_COL_F64, "s", "when its lifetime ended and it left its host; NaN: it did not"};
  sim_table *t = sim_recorder_table(e->rec, "summary/guests",
                                    "per guest: completion, throughput, cycles by mechanism, arrival and departure",
                                    FIXED + MECH_COUNT + 1 + CHURN, all);
  if (!t) return -1;
  for (size_t gi = 0; gi < e->sc->n_guests; gi++) {
    eng_guest *g = &e->guests[gi];
    double units = 0;
    sim_time steal = 0;
    sim_time stop = g->finish_ns >= 0 ? g->finish_ns : end;
    double elapsed = stop > g->spec->start_ns ? (double)(stop - g->spec->start_ns) : 0;
    double relative = guest_relative_to_native(e, g, stop);
    for (uint32_t i = 0; i < g->spec->vcpus; i++) {
      const eng_vcpu *v = &e->vcpus[g->first_vcpu + i];
      units += v->units_done;
      steal += v->steal_ns;
    }
    sim_cell row[FIXED + MECH_COUNT + 1 + CHURN];
    bool completed = g->finish_ns >= 0 && !g->departed && !g->rejected;
    row[0].s = g->spec->name;
    row[1].s = g->rejected ? "" : g->host->spec->name; /* a rejected guest ran nowhere */
    row[2].s = g->tech->name;
    row[3].s = g->wl->name;
    row[4].i = g->spec->vcpus;
    row[5].f = completed ? (double)(g->finish_ns - g->spec->start_ns) * 1e-9 : NAN;
    row[6].f = units;
    row[7].f = elapsed > 0 ? units / (elapsed * 1e-9) : NAN;
    row[8].f = relative;
    row[9].f = isfinite(relative) ? relative * elapsed * 1e-9 : 0;
    row[10].f = (double)steal * 1e-9;
    row[11].i = g->switches;
    for (int m = 0; m < MECH_COUNT; m++) row[FIXED + m].f = g->cycles.cycles[m];
    row[FIXED + MECH_COUNT].f = cycles_total(&g->cycles);
    row[FIXED + MECH_COUNT + 1].f = (double)g->spec->start_ns * 1e-9;
    row[FIXED + MECH_COUNT + 2].f = g->departure_ns >= 0 ? (double)g->departure_ns * 1e-9 : NAN;
    int rc = sim_table_append(t, row);
    if (rc < 0) return rc;
  }
  static const sim_column hcols[] = {
      {"name", SIM_COL_STR, "", "host name"},
      {"cores", SIM_COL_I64, "1", "physical CPUs"},
      {"clock_hz", SIM_COL_F64, "Hz", "core clock"},
      {"busy_s", SIM_COL_F64, "s", "CPU time spent running vCPUs and I/O back ends (io/backends), all cores"},
      {"utilisation", SIM_COL_F64, "1", "busy_s / (cores x simulated time)"},
  };
  sim_table *ht = sim_recorder_table(e->rec, "summary/hosts", "per host: CPU use",
                                     sizeof hcols / sizeof hcols[0], hcols);
  if (!ht) return -1;
  for (size_t hi = 0; hi < e->sc->n_hosts; hi++) {
    eng_host *h = &e->hosts[hi];
    sim_cell row[5];
    row[0].s = h->spec->name;
    row[1].i = h->type->cores;
    row[2].f = h->clock_hz;
    row[3].f = (double)h->busy_ns * 1e-9;
    row[4].f = end > 0 ? (double)h->busy_ns / ((double)end * h->type->cores) : 0;
    int rc = sim_table_append(ht, row);
    if (rc < 0) return rc;
  }
  return 0;
}

/* summary/mmu: for each guest whose workload accesses memory, one page walk
 * of the MMU model (models/mmu.h) on its host, natively (1D) and nested (2D,
 * EPT/NPT), averaged over its access streams weighted by their TLB misses, so
 * that [BH08]'s walk lengths and latencies can be read whatever technique
 * the guest runs. */
int eng_write_mmu_table(eng *e) {
  static const sim_column cols[] = {
      {"name", SIM_COL_STR, "", "guest name"},
      {"tlb_misses", SIM_COL_F64, "1", "TLB misses of all the guest's work (4 KiB or its page size)"},
      {"walk_refs_1d", SIM_COL_F64, "1", "memory references of one native (1D) walk, uncached"},
      {"walk_refs_2d", SIM_COL_F64, "1", "memory references of one nested (2D) walk, uncached"},
      {"walk_memory_refs_2d", SIM_COL_F64, "1",
       "references of one 2D walk not absorbed by the page-walk cache or nested TLB"},
      {"walk_cycles_1d", SIM_COL_F64, "cycles", "expected cycles of one 1D walk"},
      {"walk_cycles_2d", SIM_COL_F64, "cycles", "expected cycles of one 2D walk"},
  };
  sim_table *t = NULL;
  /* A row depends on the workload, the host type (and its profile) and the
   * guest's page size only: the guests of a template share it, so a few
   * remembered rows spare the walk model thousands of re-evaluations. */
  enum { REMEMBERED = 8 };
  struct mmu_row {
    const sim_workload *wl;
    const sim_host_type *type;
    const sim_profile *profile;
    bool huge_pages;
    double misses, r1, r2, m2, c1, c2;
  } rows[REMEMBERED];
  size_t n_rows = 0, next_row = 0;
  for (size_t gi = 0; gi < e->sc->n_guests; gi++) {
    eng_guest *g = &e->guests[gi];
    bool any = false;
    for (size_t k = 0; k < sim_workload_n_phases(g->wl); k++) any |= sim_workload_phase_body(g->wl, k)->n_access > 0;
    if (!any || !g->host->profile) continue;
    const struct mmu_row *known = NULL;
    for (size_t r = 0; r < n_rows && !known; r++)
      if (rows[r].wl == g->wl && rows[r].type == g->host->type && rows[r].profile == g->host->profile &&
          rows[r].huge_pages == g->spec->huge_pages)
        known = &rows[r];
    double misses = 0, r1 = 0, r2 = 0, m2 = 0, c1 = 0, c2 = 0;
    if (known) {
      misses = known->misses, r1 = known->r1, r2 = known->r2, m2 = known->m2, c1 = known->c1, c2 = known->c2;
    } else {
      mmu_params mmu;
      if (mmu_params_load(g->host->profile, g->host->type, g->host->clock_hz, &mmu, e->diag) < 0)
        return -1;
      for (size_t k = 0; k < sim_workload_n_phases(g->wl); k++) {
        const sim_phase *ph = sim_workload_phase_body(g->wl, k);
        double units = ph->units > 0 ? ph->units : 1;
        for (size_t a = 0; a < ph->n_access; a++) {
          /* pages as the techniques charge them (vcost_charge_memory) */
          sim_access_spec as = ph->access[a];
          uint64_t page = mmu_guest_page_bytes(as.page_bytes, g->spec->huge_pages);
          as.page_bytes = page;
          double rate = mmu_tlb_miss_rate(&mmu, &as, page);
          double w = as.count * units * rate;
          if (!(w > 0)) continue;
          mmu_walk w1 = mmu_walk_1d(&mmu, &as, page, rate);
          mmu_walk w2 = mmu_walk_2d(&mmu, &as, page, page, rate);
          misses += w;
          r1 += w * w1.refs;
          r2 += w * w2.refs;
          m2 += w * (w2.refs - w2.refs_cached);
          c1 += w * w1.cycles;
          c2 += w * w2.cycles;
        }
      }
      rows[next_row] = (struct mmu_row){g->wl, g->host->type, g->host->profile, g->spec->huge_pages,
                                        misses, r1, r2, m2, c1, c2};
      next_row = (next_row + 1) % REMEMBERED;
      if (n_rows < REMEMBERED) n_rows++;
    }
    if (!t && !(t = sim_recorder_table(e->rec, "summary/mmu",
                                       "per guest: page walks of the MMU model, 1D and 2D",
                                       sizeof cols / sizeof cols[0], cols)))
      return -1;
    sim_cell row[7];
    row[0].s = g->spec->name;
    row[1].f = misses;
    row[2].f = misses > 0 ? r1 / misses : NAN;
    row[3].f = misses > 0 ? r2 / misses : NAN;
    row[4].f = misses > 0 ? m2 / misses : NAN;
    row[5].f = misses > 0 ? c1 / misses : NAN;
    row[6].f = misses > 0 ? c2 / misses : NAN;
    int rc = sim_table_append(t, row);
    if (rc < 0) return rc;
  }
  return 0;
}
