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
	const char *path, *design, *db, *out;
	int point, run;
	bool have_db, have_run;
} A = {.db = "results/results.db", .out = DEFAULT_OUT, .point = -1, .run = -1};

static const opt_def emit_opts[] = {
	{.name = "--design", .type = OPT_STRING, .value = "NAME", .out = &A.design,
	 .help = "a design of CONFIG, or 'best': the point the latest complete\n"
		 "sweep of CONFIG chose (the default)"},
	{.name = "--point", .type = OPT_INT, .value = "ID", .out = &A.point, .lo = 0, .hi = 2147483647.0,
	 .help = "point ID of a run stored in FILE"},
	{.name = "--run", .type = OPT_INT, .value = "RUN", .out = &A.run, .lo = 1, .hi = 2147483647.0,
	 .given = &A.have_run, .help = "the run to read (default: the latest complete run of CONFIG)"},
	{.name = "--db", .type = OPT_STRING, .value = "FILE", .out = &A.db, .given = &A.have_db,
	 .help = "results database (default results/results.db), opened read-only:\n"
		 "the run of --point or best, or the measurements that apply to a\n"
		 "named design"},
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
	const char *path = A.path, *design = A.design, *db = A.db, *out = A.out;
	int point = A.point, run = A.run;
	bool have_run = A.have_run;
	if (design && point >= 0) {
		cli_err("emit-hls: give --design or --point, not both");
		return EXIT_USAGE;
	}
	if (!design && point < 0)
		design = "best";
	bool best = design && strcmp(design, "best") == 0;
	if (have_run && !best && point < 0) {
		cli_err("emit-hls: --run selects the run of --point or of --design best, not of a named design");
		return EXIT_USAGE;
	}

	cfg_t c;
	char err[1024];
	if (config_load(&c, path, err, sizeof err)) {
		fprintf(stderr, "%s\n", err);
		return EXIT_USAGE;
	}
	pick_result pk;
	int rc = pick_design(&c, design, point, run, db, &pk);
	if (rc || (rc = pick_measured(&c, &pk, db)))
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
