/* sim/progress.h: a progress bar on a terminal.
 * One line, redrawn in place: a bar, the percentage done and the estimated
 * time left.  It appears only when it is enabled (the CLI's --quiet disables
 * it), its stream is a terminal, and the run has lasted more than a second
 * (short runs stay silent); it is redrawn at most ten times a second, so
 * updating it on every event costs one clock read; the line is erased when
 * the run finishes, so nothing is left between the program's other output.
 * Units: wall-clock times in ns from CLOCK_MONOTONIC; progress as two
 * numbers of the caller's choice (done <= total, e.g. simulated ns).
 * The ETA assumes the rest runs at the mean rate so far:
 *   eta = elapsed * (total - done) / done. */
#ifndef SIM_PROGRESS_H
#define SIM_PROGRESS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct sim_progress sim_progress;

/* Delay before the bar first appears, and least interval between redraws. */
#define SIM_PROGRESS_DELAY_NS ((int64_t)1000000000)
#define SIM_PROGRESS_INTERVAL_NS ((int64_t)100000000)

/* A bar drawn on `out` when `enabled` and `out` is a terminal (isatty);
 * otherwise a bar that draws nothing.  NULL when out of memory; every
 * function accepts NULL and then does nothing, so a caller may ignore it. */
sim_progress *sim_progress_new(FILE *out, bool enabled);
/* Reports progress; redraws when due.  Reads CLOCK_MONOTONIC. */
void sim_progress_update(sim_progress *p, double done, double total);
/* Erases the bar if it was drawn, and frees p. */
void sim_progress_finish(sim_progress *p);

/* The same with the clock passed in (ns, any monotonic origin), for tests
 * and for callers that already read the clock.  sim_progress_new_at draws
 * whatever `out` is, when `enabled`: the terminal check is the caller's. */
sim_progress *sim_progress_new_at(FILE *out, bool enabled, int64_t start_ns);
void sim_progress_update_at(sim_progress *p, double done, double total, int64_t now_ns);

/* Formats the line (without the leading carriage return) into buf:
 *   "[#########...........]  42.0%  ETA 1m23s"
 * `width` is the number of cells of the bar.  The ETA reads "--" until some
 * progress is made.  Returns the length snprintf would write. */
int sim_progress_format(char *buf, size_t size, double done, double total, int64_t elapsed_ns,
                        int width);

#endif
