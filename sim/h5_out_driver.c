/* sim/h5_out_driver.c: the HDF5 file driver of the recorder's output
 * (sim/h5_out_driver.h).
 * HDF5 1.10 does not survive a write the disk refuses while it closes a file:
 * H5Fclose fails, leaves the file's identifier half destroyed, and the
 * library crashes when it closes it again at exit (HDF5 issue HDFFV-11052).
 * So the recorder's file goes through this driver: plain POSIX I/O like
 * HDF5's own sec2 driver (same feature flags, same file layout), except that
 * a write never fails as far as HDF5 can tell.  The first refused write's
 * errno is kept in the recorder (io_errno), later writes are dropped, and the
 * recorder checks io_errno after every step: the run fails with the cause
 * (ENOSPC, EIO ...) and the file is discarded, never renamed. */
#include "sim/h5_out_driver.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/alloc.h"


/* What the file access property list carries to out_open. */
typedef struct out_driver_info {
  int *io_errno; /* the recorder's io_errno */
} out_driver_info;

typedef struct out_file {
  H5FD_t pub;    /* HDF5's part of every driver's file; must come first */
  int fd;        /* the temporary file */
  haddr_t eoa;   /* end of the address space HDF5 allocated, bytes */
  haddr_t eof;   /* end of the data written (or dropped after a failure), bytes */
  dev_t dev;     /* identity of the file, for out_cmp */
  ino_t ino;     /* ditto */
  int *io_errno; /* the recorder's: errno of the first refused write, 0 while none */
} out_file;

/* Largest address an off_t reaches, as sec2 allows. */
#define OUT_MAXADDR ((((haddr_t)1) << (8 * sizeof(off_t) - 1)) - 1)

static void out_refused(out_file *f, int err) {
  if (!*f->io_errno) *f->io_errno = err ? err : EIO;
}

static H5FD_t *out_open(const char *name, unsigned flags, hid_t fapl, haddr_t maxaddr) {
  const out_driver_info *info = H5Pget_driver_info(fapl);
  if (!info || !name || !*name || maxaddr == 0 || maxaddr == HADDR_UNDEF) return NULL;
  /* never through a symbolic link; a new file is always a new inode (the
   * recorder removed its own stale temporary first) */
  int oflags = O_RDWR | O_NOFOLLOW | O_CLOEXEC;
  if (flags & H5F_ACC_CREAT) oflags |= O_CREAT | O_EXCL;
  if (flags & H5F_ACC_TRUNC) oflags |= O_TRUNC;
  int fd = open(name, oflags, 0666);
  if (fd < 0) {
    /* HDF5 first tries to open an existing file: ENOENT there is expected */
    if (flags & H5F_ACC_CREAT) *info->io_errno = errno;
    return NULL;
  }
  struct stat st;
  out_file *f = NULL;
  if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !(f = sim_calloc(1, sizeof *f))) {
    if (flags & H5F_ACC_CREAT) *info->io_errno = f ? errno : ENOMEM;
    close(fd);
    return NULL;
  }
  f->fd = fd;
  f->eof = (haddr_t)st.st_size;
  f->dev = st.st_dev;
  f->ino = st.st_ino;
  f->io_errno = info->io_errno;
  return &f->pub;
}

static herr_t out_close(H5FD_t *file) {
  out_file *f = (out_file *)file;
  if (close(f->fd) < 0) out_refused(f, errno); /* NFS reports late write errors here */
  sim_free(f);
  return 0;
}

static int out_cmp(const H5FD_t *a, const H5FD_t *b) {
  const out_file *f = (const out_file *)a, *g = (const out_file *)b;
  if (f->dev != g->dev) return f->dev < g->dev ? -1 : 1;
  if (f->ino != g->ino) return f->ino < g->ino ? -1 : 1;
  return 0;
}

static herr_t out_query(const H5FD_t *file, unsigned long *flags) {
  (void)file;
  /* sec2's optimisations: the same allocation pattern, the same layout */
  if (flags)
    *flags = H5FD_FEAT_AGGREGATE_METADATA | H5FD_FEAT_ACCUMULATE_METADATA | H5FD_FEAT_DATA_SIEVE |
             H5FD_FEAT_AGGREGATE_SMALLDATA | H5FD_FEAT_DEFAULT_VFD_COMPATIBLE;
  return 0;
}

static haddr_t out_get_eoa(const H5FD_t *file, H5FD_mem_t type) {
  (void)type;
  return ((const out_file *)file)->eoa;
}

static herr_t out_set_eoa(H5FD_t *file, H5FD_mem_t type, haddr_t addr) {
  (void)type;
  ((out_file *)file)->eoa = addr;
  return 0;
}

static haddr_t out_get_eof(const H5FD_t *file, H5FD_mem_t type) {
  (void)type;
  return ((const out_file *)file)->eof;
}

/* Reads what is there; past the end of the file, or once the disk failed (the
 * file is lost anyway), zeros. */
static herr_t out_read(H5FD_t *file, H5FD_mem_t type, hid_t dxpl, haddr_t addr, size_t size,
                       void *buffer) {
  (void)type;
  (void)dxpl;
  out_file *f = (out_file *)file;
  unsigned char *p = buffer;
  while (size > 0) {
    ssize_t n = pread(f->fd, p, size, (off_t)addr);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) out_refused(f, errno);
    if (n <= 0) {
      memset(p, 0, size);
      break;
    }
    p += n;
    addr += (haddr_t)n;
    size -= (size_t)n;
  }
  return 0;
}

static herr_t out_write(H5FD_t *file, H5FD_mem_t type, hid_t dxpl, haddr_t addr, size_t size,
                        const void *buffer) {
  (void)type;
  (void)dxpl;
  out_file *f = (out_file *)file;
  if (addr + size > f->eof) f->eof = addr + size;
  const unsigned char *p = buffer;
  while (size > 0 && !*f->io_errno) {
    ssize_t n = pwrite(f->fd, p, size, (off_t)addr);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      out_refused(f, n < 0 ? errno : ENOSPC);
      break;
    }
    p += n;
    addr += (haddr_t)n;
    size -= (size_t)n;
  }
  return 0;
}

/* At flush and close: the file ends where HDF5's address space ends. */
static herr_t out_truncate(H5FD_t *file, hid_t dxpl, hbool_t closing) {
  (void)dxpl;
  (void)closing;
  out_file *f = (out_file *)file;
  if (f->eoa != f->eof) {
    if (!*f->io_errno && ftruncate(f->fd, (off_t)f->eoa) < 0) out_refused(f, errno);
    f->eof = f->eoa;
  }
  return 0;
}

static const H5FD_class_t out_class = {
    .name = "vdcsim_output",
    .maxaddr = OUT_MAXADDR,
    .fc_degree = H5F_CLOSE_WEAK,
    .fapl_size = sizeof(out_driver_info), /* copied and freed by HDF5 */
    .open = out_open,
    .close = out_close,
    .cmp = out_cmp,
    .query = out_query,
    .get_eoa = out_get_eoa,
    .set_eoa = out_set_eoa,
    .get_eof = out_get_eof,
    .read = out_read,
    .write = out_write,
    .truncate = out_truncate,
    .fl_map = H5FD_FLMAP_DICHOTOMY,
};


hid_t sim_h5_out_driver_register(void) { return H5FDregister(&out_class); }

herr_t sim_h5_out_driver_use(hid_t fapl, hid_t driver, int *io_errno) {
  out_driver_info info = {.io_errno = io_errno};
  return H5Pset_driver(fapl, driver, &info);
}
