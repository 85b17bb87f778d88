/* sim/progress.c: a progress bar on a terminal (see progress.h).
 * Units: wall-clock ns (CLOCK_MONOTONIC); progress in the caller's units.
 * Invariants: nothing is written unless enabled and at least
 * SIM_PROGRESS_DELAY_NS have passed since the start; two draws are at least
 * SIM_PROGRESS_INTERVAL_NS apart; `drawn` tells whether a line is on screen
 * and must be erased. */
#include "sim/progress.h"

#include <time.h>
#include <unistd.h>

#include "sim/alloc.h"

/* Cells of the bar: with the percentage and the ETA the line stays within 60
 * columns, narrower than any terminal. */
#define BAR_WIDTH 30

struct sim_progress {
  FILE *out;            /* where the bar is drawn */
  bool enabled;         /* false: draws nothing */
  bool drawn;           /* a line is on screen */
  int64_t start_ns;     /* ns: clock at creation */
  int64_t last_draw_ns; /* ns: clock at the last draw (valid when drawn) */
};

static int64_t monotonic_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

sim_progress *sim_progress_new_at(FILE *out, bool enabled, int64_t start_ns) {
  sim_progress *p = sim_malloc(sizeof *p);
  if (!p) return NULL;
  *p = (sim_progress){out, enabled && out, false, start_ns, 0};
  return p;
}

sim_progress *sim_progress_new(FILE *out, bool enabled) {
  bool tty = enabled && out && isatty(fileno(out));
  return sim_progress_new_at(out, tty, monotonic_ns());
}

/* "1h02m", "3m07s", "12s". */
static int format_duration(char *buf, size_t size, double seconds) {
  long s = seconds < 0 ? 0 : (long)(seconds + 0.5);
  if (s >= 3600) return snprintf(buf, size, "%ldh%02ldm", s / 3600, s / 60 % 60);
  if (s >= 60) return snprintf(buf, size, "%ldm%02lds", s / 60, s % 60);
  return snprintf(buf, size, "%lds", s);
}

int sim_progress_format(char *buf, size_t size, double done, double total, int64_t elapsed_ns,
                        int width) {
  double f = total > 0 && done > 0 ? done / total : 0;
  if (f > 1) f = 1;
  if (width < 1) width = 1;
  if (width > 200) width = 200;
  char bar[201];
  int full = (int)(f * width);
  for (int i = 0; i < width; i++) bar[i] = i < full ? '#' : '.';
  bar[width] = '\0';
  char eta[32] = "--";
  if (f > 0) format_duration(eta, sizeof eta, (double)elapsed_ns * 1e-9 * (1 - f) / f);
  return snprintf(buf, size, "[%s] %5.1f%%  ETA %s", bar, 100 * f, eta);
}

void sim_progress_update_at(sim_progress *p, double done, double total, int64_t now_ns) {
  if (!p || !p->enabled) return;
  int64_t elapsed = now_ns - p->start_ns;
  if (elapsed < SIM_PROGRESS_DELAY_NS) return;
  if (p->drawn && now_ns - p->last_draw_ns < SIM_PROGRESS_INTERVAL_NS) return;
  char line[256];
  sim_progress_format(line, sizeof line, done, total, elapsed, BAR_WIDTH);
  /* carriage return, the line, then erase what a longer previous line left */
  fprintf(p->out, "\r%s\033[K", line);
  fflush(p->out);
  p->drawn = true;
  p->last_draw_ns = now_ns;
}

void sim_progress_update(sim_progress *p, double done, double total) {
  if (!p || !p->enabled) return;
  sim_progress_update_at(p, done, total, monotonic_ns());
}

void sim_progress_finish(sim_progress *p) {
  if (!p) return;
  if (p->drawn) {
    fputs("\r\033[K", p->out);
    fflush(p->out);
  }
  sim_free(p);
}
