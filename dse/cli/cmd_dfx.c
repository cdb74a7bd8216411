/*
 * cmd_dfx.c - `pdswap-dse emit-dfx`: the DFX floorplan of one dpr design
 * (hls/dfx.h) into DIR, and what it implies for the swap on stdout.
 *
 * The design is picked as emit-hls picks it (cli/pick.h): a named design,
 * a stored point (--point), or the point the latest complete sweep chose
 * (the default).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cmd.h"
#include "cli/opt.h"
#include "cli/pick.h"
#include "config/config.h"
#include "hls/dfx.h"
#include "models/cfg.h"

#define DEFAULT_OUT "results/dfx"

static struct {
	const char *path, *out, *cell, *module;
	pick_opts pick;
} A = {.out = DEFAULT_OUT, .cell = DFX_DEFAULT_CELL, .module = DFX_DEFAULT_MODULE, .pick = PICK_OPTS_INIT};

static const opt_def dfx_opts[] = {
	PICK_OPT_ROWS(A.pick, "dpr design"),
	{.name = "--out", .type = OPT_STRING, .value = "DIR", .out = &A.out,
	 .help = "where the files go (default " DEFAULT_OUT ")"},
	{.name = "--rp-cell", .type = OPT_STRING, .value = "CELL", .out = &A.cell,
	 .help = "the partition's hierarchical cell (default " DFX_DEFAULT_CELL ")"},
	{.name = "--rp-module", .type = OPT_STRING, .value = "MODULE", .out = &A.module,
	 .help = "its module, the top of both RMs (default " DFX_DEFAULT_MODULE ")"},
};

const opt_cmd cmd_emit_dfx_opts = {
	.name = "emit-dfx",
	.args = "CONFIG",
	.about = "Writes the Vivado DFX floorplan of a dpr design into DIR: pds_floorplan.xdc\n"
		 "(create_pblock, add_cells_to_pblock of the partition, resize_pblock -add with the\n"
		 "pblock's site ranges snapped to whole clock-region rows, SNAPPING_MODE ON),\n"
		 "pds_dfx_project.tcl (the project-mode skeleton: create_partition_def,\n"
		 "create_reconfig_module for the prefill and the decode RM, create_pr_configuration\n"
		 "for each) and pds_dfx.json, and prints the pblock, what it holds against the RMs\n"
		 "and the partial bitstream estimated from the frames it covers, the size the PCAP\n"
		 "model uses.  Needs the device's clock-region grid; a static design, or one whose\n"
		 "RMs do not fit the pblock, is refused.",
	.opts = dfx_opts,
	.n_opts = (int)(sizeof dfx_opts / sizeof dfx_opts[0]),
	.min_pos = 1,
	.max_pos = 1,
	.pos = &A.path,
};

/* Vivado names: letters, digits, '_', and '/' between cell names. */
static bool vivado_name(const char *s, bool hier)
{
	if (!*s || *s == '/')
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' ||
		      (hier && *p == '/' && p[1] && p[1] != '/')))
			return false;
	return true;
}

int cmd_emit_dfx(int argc, char **argv)
{
	int prc = opt_parse(&cmd_emit_dfx_opts, argc, argv);
	if (prc)
		return prc > 0 ? EXIT_OK : EXIT_USAGE;
	if ((prc = pick_opts_check("emit-dfx", &A.pick)))
		return prc;
	if (!vivado_name(A.cell, true) || !vivado_name(A.module, false)) {
		cli_err("emit-dfx: --rp-cell must be a hierarchical cell name (a/b/c) and --rp-module a module name, "
			"letters, digits and '_'; got '%s' and '%s'",
			A.cell, A.module);
		return EXIT_USAGE;
	}
	cfg_t c;
	char err[2048];
	if (config_load(&c, A.path, err, sizeof err)) {
		fprintf(stderr, "%s\n", err);
		return EXIT_USAGE;
	}
	pick_result pk;
	int rc = pick_opts_design(&c, &A.pick, &pk);
	if (rc)
		goto out;
	char what[160];
	if (pk.point_id >= 0)
		snprintf(what, sizeof what, "point %lld of run %lld", (long long)pk.point_id, (long long)pk.run_id);
	else
		snprintf(what, sizeof what, "design '%s'", pk.name);
	char dname[160];
	snprintf(dname, sizeof dname, "%s", pk.point_id >= 0 ? what : pk.name);
	dfx_plan p;
	int prc2 = dfx_plan_of(&c, &pk.d, &p, err, sizeof err);
	if (prc2) {
		cli_err("%s: %s", what, err);
		rc = cli_exit_code(prc2);
		goto out;
	}
	dfx_names nm = {A.cell, A.module};
	if (dfx_write(&c, &pk.d, dname, &p, &nm, A.out, err, sizeof err)) {
		cli_err("%s", err);
		rc = EXIT_RUNTIME;
		goto out;
	}
	const cfg_pblock *pb = p.pb;
	printf("%s: pblock %s, clock regions X%dY%d:X%dY%d, %d site ranges\n", what, pb->name, p.c0, p.r0, p.c1, p.r1,
	       pb->n_ranges);
	static const char *const unit[RES_N] = {"LUT", "FF", "BRAM36", "URAM", "DSP"};
	printf("  %-7s %10s %10s %11s %11s\n", "", "holds", "usable", "prefill RM", "decode RM");
	for (int t = 0; t < RES_N; t++)
		printf("  %-7s %10.0f %10.1f %11.1f %11.1f\n", unit[t], p.cap.v[t], p.usable.v[t], p.r_pre.v[t],
		       p.r_dec.v[t]);
	printf("  frames: %lld CLB + %lld DSP + %lld BRAM + %lld URAM + %lld interconnect = %lld\n",
	       (long long)p.frames_clb, (long long)p.frames_dsp, (long long)p.frames_bram, (long long)p.frames_uram,
	       (long long)p.frames_int, (long long)p.frames);
	printf("  partial bitstream: %.0f bytes; PCAP at idle DDR %.3f ms; swap after a %d-token prompt %.3f ms "
	       "(%.3f ms exposed)\n",
	       p.bitstream_bytes, p.pcap_idle_s * 1e3, p.prompt, p.swap_s * 1e3, p.swap_exposed_s * 1e3);
	for (int i = 0; i < DFX_N_FILES; i++)
		printf("%s/%s\n", A.out, dfx_file_names[i]);
	rc = fflush(stdout) ? EXIT_RUNTIME : EXIT_OK;
out:
	cfg_release(&c);
	return rc;
}
