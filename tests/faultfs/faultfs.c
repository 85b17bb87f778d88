/* tests/faultfs/faultfs.c: a disk that fails on demand, for the output tests.
 * Preloaded into the real binary (LD_PRELOAD), it makes the Nth write to a
 * chosen file fail as a full or broken disk does, below HDF5 and the recorder:
 * every write(), pwrite(), writev(), pwritev(), fsync() and fdatasync() on a
 * descriptor whose path contains FAULTFS_MATCH is counted, and
 *   FAULTFS_NTH=N        the Nth counted call fails (0 or unset: none fails);
 *   FAULTFS_ERRNO=E      with ENOSPC (the default) or EIO;
 *   FAULTFS_STICKY=1     and every counted call after it (a disk that stays
 *                        full), instead of that call only (a transient error);
 *   FAULTFS_COUNT_FILE=F at exit, "CALLS INJECTED" is written to F: the calls
 *                        counted and how many were made to fail.
 * A failing call writes nothing and returns -1 with errno set.
 * The counters are process-wide by nature: the fault plan belongs to the
 * process under test, as with VDCSIM_FAULT_* (sim/alloc.h). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static long calls;    /* counted calls so far */
static long injected; /* calls made to fail */

/* Whether this call on fd is counted, and whether it must fail (errno set). */
static int must_fail(int fd) {
  const char *match = getenv("FAULTFS_MATCH");
  if (!match || !*match) return 0;
  char link[64], path[4096];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  int saved = errno;
  ssize_t n = readlink(link, path, sizeof path - 1);
  errno = saved;
  if (n < 0) return 0;
  path[n] = '\0';
  if (!strstr(path, match)) return 0;
  calls++;
  const char *nth_text = getenv("FAULTFS_NTH");
  long nth = nth_text ? strtol(nth_text, NULL, 10) : 0;
  const char *sticky = getenv("FAULTFS_STICKY");
  int fails = nth > 0 && (calls == nth || (sticky && !strcmp(sticky, "1") && calls > nth));
  if (!fails) return 0;
  const char *e = getenv("FAULTFS_ERRNO");
  injected++;
  errno = e && !strcmp(e, "EIO") ? EIO : ENOSPC;
  return 1;
}

#define REAL(name, type) ((type)dlsym(RTLD_NEXT, name))

ssize_t write(int fd, const void *buf, size_t count) {
  if (must_fail(fd)) return -1;
  return REAL("write", ssize_t (*)(int, const void *, size_t))(fd, buf, count);
}

ssize_t pwrite(int fd, const void *buf, size_t count, off_t offset) {
  if (must_fail(fd)) return -1;
  return REAL("pwrite", ssize_t (*)(int, const void *, size_t, off_t))(fd, buf, count, offset);
}

ssize_t pwrite64(int fd, const void *buf, size_t count, off64_t offset) {
  if (must_fail(fd)) return -1;
  return REAL("pwrite64", ssize_t (*)(int, const void *, size_t, off64_t))(fd, buf, count, offset);
}

ssize_t writev(int fd, const struct iovec *iov, int n) {
  if (must_fail(fd)) return -1;
  return REAL("writev", ssize_t (*)(int, const struct iovec *, int))(fd, iov, n);
}

ssize_t pwritev(int fd, const struct iovec *iov, int n, off_t offset) {
  if (must_fail(fd)) return -1;
  return REAL("pwritev", ssize_t (*)(int, const struct iovec *, int, off_t))(fd, iov, n, offset);
}

int fsync(int fd) {
  if (must_fail(fd)) return -1;
  return REAL("fsync", int (*)(int))(fd);
}

int fdatasync(int fd) {
  if (must_fail(fd)) return -1;
  return REAL("fdatasync", int (*)(int))(fd);
}

__attribute__((destructor)) static void report(void) {
  const char *file = getenv("FAULTFS_COUNT_FILE");
  if (!file || !*file) return;
  int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return;
  char line[64];
  int len = snprintf(line, sizeof line, "%ld %ld\n", calls, injected);
  /* the real write: this file is not under test */
  REAL("write", ssize_t (*)(int, const void *, size_t))(fd, line, (size_t)len);
  close(fd);
}
