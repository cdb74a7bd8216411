/*
 * cmd_merge.c - `pdswap-dse merge OUT.db SHARD.db...`: the shards of one
 * sweep (`pdswap-dse CONFIG --shard I/N --db SHARD.db`, run apart, e.g.
 * as the tasks of a batch scheduler's array job) combined into one run in
 * OUT.db that holds the rows of a run of the whole space
 * (explore/shards.h), then ended as the main job ends: the summary, the
 * chosen design against the best static one, its HLS headers and, with
 * --report, the report.  The shards are only read.  An interrupted merge
 * resumes like the main job (the same command again, or the main job of
 * the same config into OUT.db).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cmd.h"
#include "cli/opt.h"
#include "explore/shards.h"
#include "explore/sweep.h"
#include "models/common.h"
#include "models/workload.h"
#include "store/store.h"

#define HLS_OUT "sim/hw/generated"

static struct {
	const char *pos[1 + SHARDS_MAX];
	int n_pos;
	const char *hls_out;
	bool report, no_progress;
	double lock_timeout;
} A = {.hls_out = HLS_OUT, .lock_timeout = STORE_LOCK_TIMEOUT_S};

static const opt_def merge_opts[] = {
	{.name = "--no-progress", .type = OPT_FLAG, .out = &A.no_progress,
	 .help = "no progress bar (it is drawn only when stderr is a terminal)"},
	{.name = "--hls-out", .type = OPT_STRING, .value = "DIR", .out = &A.hls_out,
	 .help = "where the chosen design's headers go (default " HLS_OUT ")"},
	{.name = "--report", .type = OPT_FLAG, .out = &A.report,
	 .help = "then write the run's report into the directory 'report' beside OUT"},
	{.name = "--lock-timeout", .type = OPT_REAL, .value = "SECONDS", .out = &A.lock_timeout, .lo = 0, .hi = 1e6,
	 .help = "how long to wait for OUT while another process keeps it locked (default 10)"},
};

const opt_cmd cmd_merge_opts = {
	.name = "merge",
	.args = "OUT SHARD...",
	.about = "Combines the shards of one sweep (each SHARD the database of one\n"
		 "'pdswap-dse CONFIG --shard I/N --db SHARD') into one run in the database OUT that\n"
		 "holds the same rows as a run of the whole space: the fronts, the DES figures, the\n"
		 "choice and what the report draws.  Then it ends as the main job does: the chosen\n"
		 "design against the best static one and its HLS headers in DIR.  Refused (exit 2,\n"
		 "OUT untouched): a shard of another config or another model (fingerprint) than this\n"
		 "build's, one that is not complete, one given twice, and a missing shard of 1..N,\n"
		 "each named.  The shards are only read; an interrupted merge resumes.",
	.opts = merge_opts,
	.n_opts = (int)(sizeof merge_opts / sizeof merge_opts[0]),
	.min_pos = 2,
	.max_pos = 1 + SHARDS_MAX,
	.pos = A.pos,
	.n_pos = &A.n_pos,
};

int cmd_merge(int argc, char **argv)
{
	int prc = opt_parse(&cmd_merge_opts, argc, argv);
	if (prc)
		return prc > 0 ? EXIT_OK : EXIT_USAGE;
	const char *out = A.pos[0];
	char err[4096];
	shards *sh;
	int rc = shards_open(&sh, A.pos + 1, A.n_pos - 1, err, sizeof err);
	if (rc) {
		cli_err("%s", err);
		return cli_exit_code(rc);
	}
	struct stat so, si;
	bool have_out = stat(out, &so) == 0;
	for (int i = 1; i < A.n_pos; i++)
		if (strcmp(A.pos[i], out) == 0 ||
		    (have_out && stat(A.pos[i], &si) == 0 && si.st_dev == so.st_dev && si.st_ino == so.st_ino)) {
			cli_err("%s: the output is one of the shards; merge into another database", out);
			shards_close(sh);
			return EXIT_USAGE;
		}
	const cfg_t *c = shards_cfg(sh);
	workload_t w;
	workload_init(&w, &c->model);
	char cmd[8192];
	cmd_command_line(argc + 1, argv - 1, cmd, sizeof cmd); /* with the program's name */
	sweep_source src;
	shards_source(sh, &src);
	sweep_opts o = {.threads = 1, .all_points = shards_all_points(sh),
			.progress = !A.no_progress && isatty(STDERR_FILENO) == 1, .resume_cmd = cmd, .src = &src};
	store *s;
	if (store_open_wait(&s, out, A.lock_timeout, err, sizeof err)) {
		cli_err("%s", err);
		shards_close(sh);
		return EXIT_RUNTIME;
	}
	if (store_migrated_from(s))
		cli_err("%s: migrated from schema version %d to %d", out, store_migrated_from(s), STORE_SCHEMA_VERSION);
	printf("merging %d shards of %s into %s\n", shards_count(sh), c->path, out);
	sweep_result r;
	rc = sweep_run(c, &w, s, &o, &r, err, sizeof err);
	rc = cmd_run_finish(c, &w, s, out, &r, rc, err, cmd, A.hls_out, A.report);
	store_close(s);
	shards_close(sh);
	return rc;
}
