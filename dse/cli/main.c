/*
 * main.c - pdswap-dse: dispatch to a subcommand, or run the main job when
 * the first argument is a config file.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cmd.h"
#include "cli/cli.h"
#include "models/version.h"

static void usage(FILE *f)
{
	fputs("usage: pdswap-dse CONFIG [options]            explore the design space (main job)\n"
	      "       pdswap-dse simulate CONFIG --design NAME --prompt L --gen N [--model M] [--json]\n"
	      "       pdswap-dse calibrate CONFIG [--write FILE]\n"
	      "       pdswap-dse validate CONFIG [--tol X]\n"
	      "       pdswap-dse emit-hls CONFIG [--design NAME | --point ID [--run RUN]] [--db FILE] [--out DIR]\n"
	      "       pdswap-dse report [--db FILE] [--run ID] [--out DIR]\n"
	      "       pdswap-dse export [--db FILE] [--run ID] --format csv|json [--what points|metrics|pareto]\n"
	      "       pdswap-dse import FILE... --json\n"
	      "       pdswap-dse --version\n"
	      "Run 'pdswap-dse SUBCOMMAND --help' for the options of each.\n"
	      "Exit codes: 0 ok, 1 runtime failure, 2 usage or config error.\n",
	      f);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} cmds[] = {{"simulate", cmd_simulate}, {"calibrate", cmd_calibrate}, {"validate", cmd_validate},
		     {"emit-hls", cmd_emit_hls}, {"report", cmd_report}, {"export", cmd_export},
		     {"import", cmd_import}};

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("pdswap-dse %s\n", PDS_VERSION);
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].fn(argc - 1, argv + 1);
	if (argv[1][0] == '-') {
		cli_err("unknown option '%s'", argv[1]);
		usage(stderr);
		return EXIT_USAGE;
	}
	return cmd_run(argc, argv);
}
