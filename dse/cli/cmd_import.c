/*
 * cmd_import.c - `pdswap-dse import FILE... --json`: read Vitis HLS csynth
 * XML and Vivado report_utilization reports and print what each says, one
 * compact JSON object per line, in the order of the files (the keys are in
 * import/hwreport.h and README.md).  No config and no database.
 *
 * All or nothing: every file is read before anything is printed; when any
 * file cannot be read, each bad file's "FILE:LINE: message" goes to
 * standard error, nothing to standard output, and the exit code is 2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cmd.h"
#include "import/hwreport.h"
#include "import/import.h"

static void usage(FILE *f)
{
	fputs("usage: pdswap-dse import FILE... --json\n"
	      "  Reads Vitis HLS csynth XML reports (<top>_csynth.xml, csynth.xml; 2019.2 to 2024.2)\n"
	      "  and Vivado report_utilization text reports (also -pblocks and -hierarchical) and\n"
	      "  prints, for each FILE in order, one line of JSON: file, kind (csynth|utilization),\n"
	      "  sha256, tool_version, part, top, design_state, target_clock_ns, estimated_clock_ns,\n"
	      "  latency_cycles {best, average, worst}, interval_cycles {min, max},\n"
	      "  resources and available {lut, ff, bram18, bram36, dsp, uram}, modules, pblocks,\n"
	      "  instances.  A figure the report does not give is null, never 0.\n"
	      "  --json  print the JSON lines (required)\n"
	      "  A file that cannot be read gives FILE:LINE: message, nothing is printed, exit 2.\n",
	      f);
}

int cmd_import(int argc, char **argv)
{
	bool json = false;
	int n_files = 0;
	const char **files = calloc((size_t)argc, sizeof *files);
	if (!files) {
		cli_err("out of memory");
		return EXIT_RUNTIME;
	}
	int rc = EXIT_OK;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			free(files);
			return EXIT_OK;
		} else if (strcmp(argv[i], "--json") == 0) {
			json = true;
		} else if (strcmp(argv[i], "--") == 0) {
			while (++i < argc)
				files[n_files++] = argv[i];
		} else if (argv[i][0] == '-' && argv[i][1]) {
			cli_err("import: unexpected argument '%s'", argv[i]);
			usage(stderr);
			free(files);
			return EXIT_USAGE;
		} else {
			files[n_files++] = argv[i];
		}
	}
	if (rc == EXIT_OK && n_files == 0) {
		cli_err("import needs at least one report FILE");
		usage(stderr);
		rc = EXIT_USAGE;
	}
	if (rc == EXIT_OK && !json) {
		cli_err("import FILE... needs --json");
		usage(stderr);
		rc = EXIT_USAGE;
	}
	if (rc != EXIT_OK) {
		free(files);
		return rc;
	}

	char **lines = calloc((size_t)n_files, sizeof *lines);
	if (!lines) {
		free(files);
		cli_err("out of memory");
		return EXIT_RUNTIME;
	}
	for (int i = 0; i < n_files; i++) {
		char err[2048];
		hwreport r;
		hwreport_init(&r);
		if (import_file(files[i], &r, err, sizeof err)) {
			fprintf(stderr, "%s\n", err);
			rc = EXIT_USAGE;
		} else if (rc == EXIT_OK && !(lines[i] = hwreport_json_line(&r))) {
			cli_err("out of memory");
			rc = EXIT_RUNTIME;
		}
		hwreport_release(&r);
	}
	if (rc == EXIT_OK) {
		for (int i = 0; i < n_files; i++)
			if (fputs(lines[i], stdout) == EOF || fputc('\n', stdout) == EOF)
				rc = EXIT_RUNTIME;
		if (fflush(stdout))
			rc = EXIT_RUNTIME;
		if (rc != EXIT_OK)
			cli_err("import: cannot write the output");
	}
	for (int i = 0; i < n_files; i++)
		free(lines[i]);
	free(lines);
	free(files);
	return rc;
}
