/* sim/recorder_output.c: the output file of a run, before HDF5 writes it:
 * whether the target path may be written (a new name or a regular file,
 * never a link, device, FIFO, socket or directory), the lock that makes one
 * run at a time write an output, and the removal of temporaries left by
 * killed runs (sim/recorder_output.h; sim_recorder_check_target is declared
 * in sim/recorder.h). */
#include "sim/recorder_output.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/alloc.h"
#include "sim/recorder.h"

int sim_recorder_check_target(const char *path, sim_diag *diag) {
  const char *slash = strrchr(path, '/');
  if (!*(slash ? slash + 1 : path)) {
    sim_diag_error(diag, path, 0, 0, "output path names a directory, not a file");
    return -1;
  }
  struct stat st;
  if (lstat(path, &st) < 0) {
    if (errno == ENOENT) return 0; /* a new file (its directory may be made later) */
    sim_diag_error(diag, path, 0, 0, "cannot use the output path: %s", strerror(errno));
    return -1;
  }
  const char *what = S_ISREG(st.st_mode)    ? NULL
                     : S_ISLNK(st.st_mode)  ? "a symbolic link"
                     : S_ISDIR(st.st_mode)  ? "a directory"
                     : S_ISCHR(st.st_mode)  ? "a character device"
                     : S_ISBLK(st.st_mode)  ? "a block device"
                     : S_ISFIFO(st.st_mode) ? "a FIFO"
                     : S_ISSOCK(st.st_mode) ? "a socket"
                                            : "not a regular file";
  if (!what) return 0;
  sim_diag_error(diag, path, 0, 0,
                 "the output path is %s, not a regular file: refusing to replace it "
                 "(give the path of a new or a regular file)",
                 what);
  return -1;
}

/* The holder unlinks the lock file before releasing it, so a run that
 * opened the old file re-checks that the name still leads to what it
 * locked, and starts over with the new file otherwise. */
int sim_output_lock(const char *lock_path, int *fd_out, char *err, size_t errlen) {
  for (int attempt = 0; attempt < 16; attempt++) {
    int fd = open(lock_path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0666);
    if (fd < 0) {
      snprintf(err, errlen, "cannot create the lock file %s: %s", lock_path, strerror(errno));
      return -1;
    }
    struct stat held, named;
    if (fstat(fd, &held) < 0 || !S_ISREG(held.st_mode)) {
      close(fd);
      snprintf(err, errlen, "the lock file %s is not a regular file", lock_path);
      return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
      int e = errno;
      close(fd);
      if (e == EWOULDBLOCK)
        snprintf(err, errlen, "another run is writing this output (%s is locked)", lock_path);
      else
        snprintf(err, errlen, "cannot lock %s: %s", lock_path, strerror(e));
      return -1;
    }
    if (lstat(lock_path, &named) == 0 && named.st_dev == held.st_dev &&
        named.st_ino == held.st_ino) {
      *fd_out = fd;
      return 0;
    }
    close(fd); /* released and removed by its holder since we opened it */
  }
  snprintf(err, errlen, "cannot lock %s: it keeps being replaced", lock_path);
  return -1;
}

int sim_output_make_dirs(const char *dir) {
  char *copy = sim_strdup(dir);
  if (!copy) return -1;
  int rc = 0;
  for (char *p = copy + 1;; p++) {
    if (*p == '/' || !*p) {
      char c = *p;
      *p = '\0';
      if (*copy && mkdir(copy, 0777) < 0 && errno != EEXIST) rc = -1;
      *p = c;
      if (!c || rc < 0) break;
    }
  }
  sim_free(copy);
  return rc;
}

void sim_output_unlock(const char *lock_path, int *fd) {
  if (*fd < 0) return;
  unlink(lock_path);
  close(*fd);
  *fd = -1;
}

void sim_output_remove_stale_temps(const char *path, size_t dir_len, const char *base) {
  char *dir = dir_len ? sim_strndup(path, dir_len) : NULL;
  if (dir_len && !dir) return; /* best effort: the run itself does not depend on it */
  DIR *d = opendir(dir ? dir : ".");
  sim_free(dir);
  if (!d) return;
  size_t base_len = strlen(base);
  for (struct dirent *e; (e = readdir(d));) {
    const char *name = e->d_name;
    if (name[0] != '.' || strncmp(name + 1, base, base_len) ||
        strncmp(name + 1 + base_len, ".tmp-", 5))
      continue;
    const char *digits = name + 1 + base_len + 5;
    size_t n_digits = strspn(digits, "0123456789");
    if (n_digits == 0 || n_digits > 9 || digits[n_digits] || digits[0] == '0') continue;
    pid_t pid = (pid_t)strtol(digits, NULL, 10);
    if (pid == getpid() || kill(pid, 0) == 0 || errno != ESRCH) continue;
    struct stat st;
    if (fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
      unlinkat(dirfd(d), name, 0);
  }
  closedir(d);
}
