/*
 * cmd_main.c - pdswap-dse: dispatch to a command, or run the main job.
 *
 * The first argument names a command (simulate, calibrate, ...), asks for
 * help (`help`, `help COMMAND`, `--help`) or the version; anything else is
 * the main job, whose options may come before or after its CONFIG
 * (`pdswap-dse --threads 2 configs/kv260.yaml`).  Usage texts come from
 * the commands' option tables (cli/opt.h).
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cmd.h"
#include "models/version.h"

static const struct {
	const char *name;
	int (*run)(int, char **);
	const opt_cmd *opts;
} cmds[] = {
	{"simulate", cmd_simulate, &cmd_simulate_opts},    {"session", cmd_session, &cmd_session_opts},
	{"calibrate", cmd_calibrate, &cmd_calibrate_opts}, {"validate", cmd_validate, &cmd_validate_opts},
	{"emit-hls", cmd_emit_hls, &cmd_emit_hls_opts},    {"emit-dfx", cmd_emit_dfx, &cmd_emit_dfx_opts},
	{"report", cmd_report, &cmd_report_opts},
	{"export", cmd_export, &cmd_export_opts},          {"import", cmd_import, &cmd_import_opts},
	{"merge", cmd_merge, &cmd_merge_opts},
};
#define N_CMDS ((int)(sizeof cmds / sizeof cmds[0]))

static void usage(FILE *f)
{
	opt_synopsis(&cmd_run_opts, f, "usage: ");
	for (int i = 0; i < N_CMDS; i++)
		opt_synopsis(cmds[i].opts, f, "       ");
	fputs("       pdswap-dse help [COMMAND]\n"
	      "       pdswap-dse --version\n"
	      "The first form is the main job: explore the design space of CONFIG, store the Pareto\n"
	      "fronts, choose a design and write its HLS headers.\n"
	      "Run 'pdswap-dse help COMMAND' for what a command does and its options\n"
	      "('pdswap-dse help run' for the main job).\n"
	      "Exit codes: 0 ok, 1 runtime failure, 2 usage or config error.\n",
	      f);
}

static int help(int argc, char **argv)
{
	if (argc < 3) {
		usage(stdout);
		return EXIT_OK;
	}
	if (argc > 3) {
		cli_err("help takes one command name");
		return EXIT_USAGE;
	}
	if (strcmp(argv[2], "run") == 0) {
		opt_usage(&cmd_run_opts, stdout);
		return EXIT_OK;
	}
	for (int i = 0; i < N_CMDS; i++)
		if (strcmp(argv[2], cmds[i].name) == 0) {
			opt_usage(cmds[i].opts, stdout);
			return EXIT_OK;
		}
	cli_err("help: no command named '%s'", argv[2]);
	usage(stderr);
	return EXIT_USAGE;
}

int cmd_main(int argc, char **argv, const cmd_run_env *env)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "help") == 0)
		return help(argc, argv);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("pdswap-dse %s (model %s)\n", PDS_VERSION, version_model_fingerprint());
		return EXIT_OK;
	}
	for (int i = 0; i < N_CMDS; i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].run(argc - 1, argv + 1);
	return cmd_run_with(argc, argv, env);
}
