/* sim/diag.h: diagnostics for the user.
 * Input errors are collected, not thrown: a loader reports every error of a
 * file (`FILE:LINE:COL: error: message`) before giving up, and the caller
 * decides the exit code.  Lines and columns are 1-based, as editors show them;
 * 0 means unknown and is left out of the message. */
#ifndef SIM_DIAG_H
#define SIM_DIAG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef enum sim_diag_level { SIM_DIAG_NOTE, SIM_DIAG_WARNING, SIM_DIAG_ERROR } sim_diag_level;

typedef struct sim_diag_entry {
  sim_diag_level level;
  char *file;    /* NULL: not tied to a file */
  int line, col; /* 1-based; 0 unknown */
  char *message;
} sim_diag_entry;

typedef struct sim_diag {
  sim_diag_entry *entries;
  size_t count, capacity;
  size_t errors;   /* entries of level SIM_DIAG_ERROR */
  bool oom;        /* an entry could not be stored: out of memory */
} sim_diag;

void sim_diag_init(sim_diag *d);
void sim_diag_clear(sim_diag *d);
#if defined(__GNUC__)
#define SIM_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define SIM_PRINTF(fmt, args)
#endif
void sim_diag_add(sim_diag *d, sim_diag_level level, const char *file, int line, int col,
                  const char *fmt, ...) SIM_PRINTF(6, 7);
#define sim_diag_error(d, file, line, col, ...) \
  sim_diag_add((d), SIM_DIAG_ERROR, (file), (line), (col), __VA_ARGS__)
#define sim_diag_warning(d, file, line, col, ...) \
  sim_diag_add((d), SIM_DIAG_WARNING, (file), (line), (col), __VA_ARGS__)
/* Prints every entry, one per line: `file:line:col: error: message`. */
void sim_diag_print(const sim_diag *d, FILE *out);

#endif
