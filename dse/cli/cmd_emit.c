/*
 * cmd_emit.c - `pdswap-dse emit-hls`: write the HLS config headers of one
 * design point (dse/emit.h).
 *
 * The point is a named design of the config (--design NAME), a stored
 * point of results.db (--point ID, from the latest complete run of this
 * config unless --run says which), or, by default and with --design best,
 * the point the latest complete sweep of this config chose.  The
 * database is opened read-only: emitting never changes stored results.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cmd.h"
#include "cli/opt.h"
#include "cli/pick.h"
#include "config/config.h"
#include "hls/emit.h"
#include "models/cfg.h"
#include "store/rdb.h"
#include "store/store.h"

#define DEFAULT_OUT "sim/hw/generated"

static struct {
	const char *path, *out;
	pick_opts pick;
} A = {.out = DEFAULT_OUT, .pick = PICK_OPTS_INIT};

static const opt_def emit_opts[] = {
	PICK_OPT_ROWS(A.pick, "design"),
	{.name = "--out", .type = OPT_STRING, .value = "DIR", .out = &A.out,
	 .help = "where the headers go (default " DEFAULT_OUT ")"},
};

const opt_cmd cmd_emit_hls_opts = {
	.name = "emit-hls",
	.args = "CONFIG",
	.about = "Writes pds_common.h, pds_static.h, pds_prefill.h and pds_decode.h, the Vitis HLS\n"
		 "config headers of one design point, into DIR, and for a design whose partition holds\n"
		 "a set of modules pds_rm0.h ... one per module.  A point that violates a constraint\n"
		 "of CONFIG is refused (exit 1).",
	.opts = emit_opts,
	.n_opts = (int)(sizeof emit_opts / sizeof emit_opts[0]),
	.min_pos = 1,
	.max_pos = 1,
	.pos = &A.path,
};

int cmd_emit_hls(int argc, char **argv)
{
	int prc = opt_parse(&cmd_emit_hls_opts, argc, argv);
	if (prc)
		return prc > 0 ? EXIT_OK : EXIT_USAGE;
	if ((prc = pick_opts_check("emit-hls", &A.pick)))
		return prc;
	const char *path = A.path, *out = A.out;
	cfg_t c;
	char err[1024];
	if (config_load(&c, path, err, sizeof err)) {
		fprintf(stderr, "%s\n", err);
		return EXIT_USAGE;
	}
	pick_result pk;
	int rc = pick_opts_design(&c, &A.pick, &pk);
	if (rc)
		goto out;
	design_t d = pk.d;
	const char *name = pk.name;
	int64_t run_id = pk.run_id, point_id = pk.point_id;
	emit_meta meta;
	emit_meta_init(&meta, &c, &d, name, run_id, point_id);
	if (emit_write(&c, &d, &meta, out, err, sizeof err)) {
		if (point_id >= 0)
			cli_err("point %lld of run %lld: %s", (long long)point_id, (long long)run_id, err);
		else
			cli_err("design '%s': %s", name, err);
		rc = EXIT_RUNTIME;
		goto out;
	}
	for (int i = 0; i < emit_headers(&d); i++) {
		char hn[32];
		emit_header_name(&d, i, hn, sizeof hn);
		printf("%s/%s\n", out, hn);
	}
	rc = fflush(stdout) ? EXIT_RUNTIME : EXIT_OK;
out:
	cfg_release(&c);
	return rc;
}
