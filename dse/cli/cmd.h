/*
 * cmd.h - the commands of pdswap-dse.  Each takes its arguments with its
 * own name as argv[0], parses them against its option table (cli/opt.h)
 * and returns an exit code (cli/cli.h).  The tables are exported so that
 * `pdswap-dse help` prints every command's synopsis from the parser's own
 * description.
 */
#ifndef PDS_CMD_H
#define PDS_CMD_H

#include <stdbool.h>

#include "cli/opt.h"
#include "explore/sweep.h"
#include "models/cfg.h"
#include "models/workload.h"
#include "store/store.h"

int cmd_run(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_simulate(int argc, char **argv);
int cmd_calibrate(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_emit_hls(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_session(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_emit_dfx(int argc, char **argv);

extern const opt_cmd cmd_run_opts, cmd_simulate_opts, cmd_calibrate_opts, cmd_validate_opts,
	cmd_emit_hls_opts, cmd_report_opts, cmd_export_opts, cmd_session_opts, cmd_import_opts, cmd_merge_opts,
	cmd_emit_dfx_opts;

/* How the main job is run by a launcher of several processes (dse/mpi). */
typedef struct {
	const sweep_source *src; /* the other processes' work; NULL: none */
	const char *launcher;    /* what precedes argv in the command that resumes
				  * a run ("mpirun -np 4"); NULL: nothing */
} cmd_run_env;

/* pdswap-dse: the command argv[1] names, help, the version, or the main
 * job with env (NULL: none).  Returns the exit code. */
int cmd_main(int argc, char **argv, const cmd_run_env *env);

/* The main job (cmd_run) with env (NULL: none). */
int cmd_run_with(int argc, char **argv, const cmd_run_env *env);

/*
 * How the main job ends, for it and for `merge`: sweep_run()'s return
 * value rc and message err into what the user sees (where a stopped run
 * stands and the command `cmd` that resumes it; or the summary, the
 * chosen design against the best static one, its headers into hls_out
 * and, with report, the report beside db).  Returns the exit code.
 */
int cmd_run_finish(const cfg_t *c, const workload_t *w, store *s, const char *db, const sweep_result *r, int rc,
		   const char *err, const char *cmd, const char *hls_out, bool report);
/* argv as one shell command line (arguments quoted where they need it). */
void cmd_command_line(int argc, char **argv, char *buf, size_t len);

#endif
