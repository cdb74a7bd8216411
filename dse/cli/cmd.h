/*
 * cmd.h - the commands of pdswap-dse.  Each takes its arguments with its
 * own name as argv[0], parses them against its option table (cli/opt.h)
 * and returns an exit code (cli/cli.h).  The tables are exported so that
 * `pdswap-dse help` prints every command's synopsis from the parser's own
 * description.
 */
#ifndef PDS_CMD_H
#define PDS_CMD_H

#include "cli/opt.h"

int cmd_run(int argc, char **argv);
int cmd_simulate(int argc, char **argv);
int cmd_calibrate(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_emit_hls(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_session(int argc, char **argv);
int cmd_import(int argc, char **argv);

extern const opt_cmd cmd_run_opts, cmd_simulate_opts, cmd_calibrate_opts, cmd_validate_opts,
	cmd_emit_hls_opts, cmd_report_opts, cmd_export_opts, cmd_session_opts, cmd_import_opts;

#endif
