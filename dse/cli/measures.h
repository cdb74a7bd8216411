/*
 * measures.h - the measurements of a results database that apply to a
 * config, loaded into it before a command evaluates the model
 * (store/measured.h, models/profile.h).  The one place the commands do
 * it, so that each says the same when they apply.
 */
#ifndef PDS_MEASURES_H
#define PDS_MEASURES_H

#include <stdbool.h>

#include "models/cfg.h"

/*
 * Load into c the measurements of database `db` that apply to it.  A
 * database that does not exist holds none.  With `note`, says on stderr
 * how many apply (and how many were passed over) when there are any.
 * Returns EXIT_OK, or EXIT_RUNTIME after printing why the database could
 * not be read.
 */
int measures_load(cfg_t *c, const char *db, bool note);

#endif
