/*
 * measures.c - load the measurements that apply to a config (measures.h).
 */
#include "cli/measures.h"

#include <sqlite3.h>
#include <unistd.h>

#include "cli/cli.h"
#include "store/measured.h"
#include "store/rdb.h"

int measures_load(cfg_t *c, const char *db, bool note)
{
	c->n_imports = 0;
	if (access(db, F_OK) != 0)
		return EXIT_OK;
	sqlite3 *h;
	char err[4096];
	if (rdb_open(db, &h, err, sizeof err)) {
		cli_err("%s", err);
		return EXIT_RUNTIME;
	}
	int passed = 0;
	int rc = measured_load(h, db, c, &passed, err, sizeof err);
	sqlite3_close(h);
	if (rc) {
		cli_err("%s", err);
		return EXIT_RUNTIME;
	}
	if (note && (c->n_imports || passed))
		cli_err("%s: %d measurement%s of part %s apply (measured profiles replace the parametric figures)%s", db,
			c->n_imports, c->n_imports == 1 ? "" : "s", c->dev.part,
			passed ? "; some name pblocks or port maps this config does not define and are passed over" : "");
	return EXIT_OK;
}
