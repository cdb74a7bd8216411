/*
 * writeback.h - write a config back with fitted calibration values.
 */
#ifndef PDS_WRITEBACK_H
#define PDS_WRITEBACK_H

#include <stddef.h>

#include "models/cfg.h"

/*
 * Write a copy of the config text with the given slots' values replaced
 * to `out_path`, atomically (temporary file + rename); everything else,
 * comments included, is kept.  Returns 0 or -1 with `err` set.
 */
int writeback_config(const cfg_t *c, const char *out_path, const int *slots, const double *values, int n,
		     char *err, size_t errlen);

#endif
