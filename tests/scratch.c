/* tests/scratch.c: the tests' scratch directories (tests/scratch.h). */
#define _XOPEN_SOURCE 700
#include "tests/scratch.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The template mkdtemp and mkstemp fill in (its six X's), for `tag`, in buf;
 * 0, or -1 when it does not fit. */
static int scratch_template(char *buf, size_t size, const char *tag) {
  const char *tmp = getenv("TMPDIR");
  int n = snprintf(buf, size, "%s/vdcsim-%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", tag);
  return n < 0 || (size_t)n >= size ? -1 : 0;
}

int scratch_make(char *buf, size_t size, const char *tag) {
  if (scratch_template(buf, size, tag) < 0) return -1;
  return mkdtemp(buf) ? 0 : -1;
}

int scratch_file(char *buf, size_t size, const char *tag) {
  if (scratch_template(buf, size, tag) < 0) return -1;
  return mkstemp(buf);
}

/* nftw's visit: every entry goes, the deepest first (FTW_DEPTH). */
static int remove_entry(const char *path, const struct stat *st, int kind, struct FTW *at) {
  (void)st;
  (void)kind;
  (void)at;
  return remove(path);
}

int scratch_remove(const char *dir) {
  const char *base = strrchr(dir, '/');
  base = base ? base + 1 : dir;
  if (strncmp(base, "vdcsim-", 7) != 0) return -1;
  return nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : -1;
}
