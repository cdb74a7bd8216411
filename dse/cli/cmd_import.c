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
#include "cli/opt.h"
#include "import/hwreport.h"
#include "import/import.h"

#define MAX_FILES 8192

static struct {
	bool json;
	const char *files[MAX_FILES];
	int n_files;
} A;

static const opt_def import_opts[] = {
	{.name = "--json", .type = OPT_FLAG, .out = &A.json, .required = true,
	 .help = "print one line of JSON per FILE (required)"},
};

const opt_cmd cmd_import_opts = {
	.name = "import",
	.args = "FILE...",
	.about = "Reads Vitis HLS csynth XML reports (<top>_csynth.xml, csynth.xml; 2019.2 to 2024.2)\n"
		 "and Vivado report_utilization text reports (also -pblocks and -hierarchical) and\n"
		 "prints, for each FILE in order, one line of JSON: file, kind (csynth|utilization),\n"
		 "sha256, tool_version, part, top, design_state, target_clock_ns, estimated_clock_ns,\n"
		 "latency_cycles {best, average, worst}, interval_cycles {min, max},\n"
		 "resources and available {lut, ff, bram18, bram36, dsp, uram}, modules, pblocks,\n"
		 "instances.  A figure the report does not give is null, never 0.\n"
		 "A FILE that cannot be read gives FILE:LINE: message on stderr; then nothing is\n"
		 "printed and the exit code is 2.  At most 8192 files at once.",
	.opts = import_opts,
	.n_opts = (int)(sizeof import_opts / sizeof import_opts[0]),
	.min_pos = 1,
	.max_pos = MAX_FILES,
	.pos = A.files,
	.n_pos = &A.n_files,
};

int cmd_import(int argc, char **argv)
{
	int prc = opt_parse(&cmd_import_opts, argc, argv);
	if (prc)
		return prc > 0 ? EXIT_OK : EXIT_USAGE;
	int rc = EXIT_OK, n_files = A.n_files;
	const char **files = A.files;
	char **lines = calloc((size_t)n_files, sizeof *lines);
	if (!lines) {
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
	return rc;
}
