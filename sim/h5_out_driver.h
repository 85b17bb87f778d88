/* sim/h5_out_driver.h: the HDF5 file driver of the recorder's output.
 * HDF5 1.10 does not survive a write the disk refuses while it closes a file
 * (HDFFV-11052); this driver does plain POSIX I/O like HDF5's sec2 driver but
 * never reports a refused write to HDF5: it keeps the errno where the caller
 * says and drops later writes (sim/h5_out_driver.c). */
#ifndef SIM_H5_OUT_DRIVER_H
#define SIM_H5_OUT_DRIVER_H
#include <hdf5.h>

/* Registers the driver with HDF5: its id (H5FDunregister it when done), or
 * negative on failure. */
hid_t sim_h5_out_driver_register(void);
/* Makes `fapl` use `driver`; the errno of the first write the disk refuses
 * is stored in *io_errno (left 0 while none).  Negative on failure. */
herr_t sim_h5_out_driver_use(hid_t fapl, hid_t driver, int *io_errno);

#endif
