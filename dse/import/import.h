/*
 * import.h - read the report files `pdswap-dse import` is given.
 *
 * A file is a Vitis HLS csynth XML report (import/csynth.h) or a Vivado
 * report_utilization text report (import/utilrpt.h).  Which one is decided
 * from the file, not from options: a name ending in ".xml" or text whose
 * first character (after a UTF-8 byte-order mark and blanks) is '<' is
 * read as XML, anything else as a utilisation report.  A Vitis HLS csynth
 * text report (csynth.rpt) is recognised and refused with a pointer to the
 * XML written beside it.  The record also gets the SHA-256 of the file's
 * bytes, which names the measurement when it is stored.
 *
 * Files larger than IMPORT_MAX_BYTES are refused.
 */
#ifndef PDS_IMPORT_H
#define PDS_IMPORT_H

#include <stddef.h>

#include "import/hwreport.h"

#define IMPORT_MAX_BYTES (256u << 20)

/*
 * Read `path` into r (hwreport_init'ed).  Returns 0, or PDS_FAIL with
 * "PATH:LINE: message" (or "PATH: cannot read: ..." when it cannot be read)
 * in err.
 */
int import_file(const char *path, hwreport *r, char *err, size_t errlen);

/* The same for the len bytes at buf, named `name`. */
int import_buffer(const char *name, const char *buf, size_t len, hwreport *r, char *err, size_t errlen);

#endif
