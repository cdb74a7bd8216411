/*
 * config.h - a pdswap YAML config loaded into the typed form of
 * models/cfg.h.
 *
 * The YAML text becomes a positioned node tree (ytree.h); config.c walks
 * it section by section with typed getters that name the file, line and
 * column, the dotted key and what was expected, and then checks what
 * spans sections.  The result is all or nothing.
 */
#ifndef PDS_CONFIG_H
#define PDS_CONFIG_H

#include <stddef.h>

#include "models/cfg.h"

/*
 * Load and validate PATH.  Returns 0 and fills *c, or returns -1 with the
 * first error written to `err` (size errlen) as "PATH:LINE:COL: message".
 * On failure *c holds nothing that needs releasing (cfg_release() frees a
 * loaded one).
 */
int config_load(cfg_t *c, const char *path, char *err, size_t errlen);

/* Same, from a buffer; `name` is used in messages. */
int config_load_buffer(cfg_t *c, const char *name, const char *buf, size_t len, char *err, size_t errlen);

#endif
