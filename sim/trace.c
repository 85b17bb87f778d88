/* sim/trace.c: CPU-utilisation trace reader (sim/trace.h).  The file is read
 * whole (traces are small: a PlanetLab day is 288 samples), then split into
 * lines, so a NUL byte or an over-long line is an error at its place and
 * not a silent truncation. */
#include "sim/trace.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/alloc.h"

static bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

/* A number at p (strtod syntax), into *v and *end; false when none. */
static bool number_at(const char *p, const char *line_end, double *v, const char **end) {
  char buf[SIM_TRACE_MAX_LINE + 1];
  size_t n = (size_t)(line_end - p);
  memcpy(buf, p, n);
  buf[n] = '\0';
  char *e;
  *v = strtod(buf, &e);
  *end = p + (e - buf);
  return e != buf && isfinite(*v);
}

/* One line [p, end): 1 with *cpu, 0 blank, -1 malformed with *bad the
 * offending field. */
static int parse_line(const char *p, const char *end, double *cpu, const char **bad) {
  while (p < end && is_blank(*p)) p++;
  if (p == end) return 0;
  const char *q;
  double v, mem;
  *bad = p;
  if (!number_at(p, end, &v, &q) || v < 0) return -1;
  for (int field = 1;; field++) {
    p = q;
    while (p < end && (is_blank(*p) || *p == ',')) p++;
    if (p == end) break;
    *bad = p;
    if (field >= 2 || !number_at(p, end, &mem, &q)) return -1;
  }
  *cpu = v;
  return 1;
}

static int append(double **samples, size_t *n, size_t *cap, double v) {
  if (*n == *cap && sim_grow((void **)samples, cap, *n + 1, sizeof **samples) < 0) return -1;
  (*samples)[(*n)++] = v;
  return 0;
}

int sim_trace_parse(const char *file, const char *workload, const char *text, size_t len,
                    double **samples, size_t *n, sim_diag *diag) {
  *samples = NULL;
  *n = 0;
  size_t cap = 0;
  const char *p = text, *end = text + len;
  for (int lineno = 1; p < end; lineno++) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *le = nl ? nl : end;
    const char *nul = memchr(p, '\0', (size_t)(le - p));
    if ((size_t)(le - p) > SIM_TRACE_MAX_LINE) {
      sim_diag_error(diag, file, lineno, SIM_TRACE_MAX_LINE + 1, "line too long for a trace sample");
      goto fail;
    }
    double cpu;
    const char *bad = p;
    int got = nul ? -1 : parse_line(p, le, &cpu, &bad);
    if (nul && bad < nul) bad = nul;
    if (got < 0) {
      sim_diag_error(diag, file, lineno, (int)(bad - p) + 1,
                     "malformed trace sample: expected CPU %% (a number >= 0), optionally "
                     "followed by memory %%");
      goto fail;
    }
    if (got && append(samples, n, &cap, cpu) < 0) {
      sim_free(*samples);
      *samples = NULL;
      *n = 0;
      return -2;
    }
    p = nl ? nl + 1 : end;
  }
  if (*n == 0) {
    sim_diag_error(diag, file, 0, 0, "trace of workload '%s' has no samples", workload);
    return -1;
  }
  return 0;
fail:
  sim_free(*samples);
  *samples = NULL;
  *n = 0;
  return -1;
}

/* Reads the whole regular file fd into *text; 0, -1 (errno set), -2 out of memory. */
static int read_all(int fd, char **text, size_t *len) {
  size_t cap = 0;
  *text = NULL;
  *len = 0;
  for (;;) {
    if (sim_grow((void **)text, &cap, *len + 4096, 1) < 0) return -2;
    ssize_t got = read(fd, *text + *len, cap - *len);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return -1;
    if (got == 0) return 0;
    *len += (size_t)got;
  }
}

int sim_trace_read(const char *path, const char *workload, double **samples, size_t *n,
                   sim_diag *diag) {
  *samples = NULL;
  *n = 0;
  /* O_NONBLOCK: opening a FIFO without a writer must not wait for one */
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    sim_diag_error(diag, path, 0, 0, "cannot read trace of workload '%s': %s", workload,
                   strerror(errno));
    return -1;
  }
  struct stat st;
  if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
    sim_diag_error(diag, path, 0, 0, "cannot read trace of workload '%s': not a regular file",
                   workload);
    close(fd);
    return -1;
  }
  char *text = NULL;
  size_t len = 0;
  int rc = read_all(fd, &text, &len);
  int saved = errno;
  close(fd);
  if (rc == -1) sim_diag_error(diag, path, 0, 0, "error reading trace: %s", strerror(saved));
  if (rc == 0) rc = sim_trace_parse(path, workload, text, len, samples, n, diag);
  sim_free(text);
  return rc;
}
