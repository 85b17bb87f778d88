/* sim/diag.c: collected user diagnostics (see diag.h). */
#include "sim/diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "sim/alloc.h"

void sim_diag_init(sim_diag *d) { memset(d, 0, sizeof *d); }

void sim_diag_clear(sim_diag *d) {
  for (size_t i = 0; i < d->count; i++) {
    sim_free(d->entries[i].file);
    sim_free(d->entries[i].message);
  }
  sim_free(d->entries);
  sim_diag_init(d);
}

void sim_diag_add(sim_diag *d, sim_diag_level level, const char *file, int line, int col,
                  const char *fmt, ...) {
  if (level == SIM_DIAG_ERROR) d->errors++; /* counted even when it cannot be stored */
  va_list ap;
  va_start(ap, fmt);
  char buf[1024];
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (sim_grow((void **)&d->entries, &d->capacity, d->count + 1, sizeof *d->entries) < 0) {
    d->oom = true;
    return;
  }
  sim_diag_entry *e = &d->entries[d->count];
  e->level = level;
  e->file = file ? sim_strdup(file) : NULL;
  e->line = line;
  e->col = col;
  e->message = sim_strdup(buf);
  if ((file && !e->file) || !e->message) {
    sim_free(e->file);
    sim_free(e->message);
    d->oom = true;
    return;
  }
  d->count++;
}

void sim_diag_print(const sim_diag *d, FILE *out) {
  static const char *const level_names[] = {"note", "warning", "error"};
  for (size_t i = 0; i < d->count; i++) {
    const sim_diag_entry *e = &d->entries[i];
    if (e->file && e->line > 0)
      fprintf(out, "%s:%d:%d: %s: %s\n", e->file, e->line, e->col, level_names[e->level], e->message);
    else if (e->file)
      fprintf(out, "%s: %s: %s\n", e->file, level_names[e->level], e->message);
    else
      fprintf(out, "vdcsim: %s: %s\n", level_names[e->level], e->message);
  }
  if (d->oom) fprintf(out, "vdcsim: error: out of memory while reporting errors\n");
}
