/*
 * models_link.c - the models and the simulator link alone: this program is
 * linked from the objects of models/ and sim/ with GSL and libm only (no
 * libyaml, no SQLite, nothing of dse/), which `make check` does; a model
 * that reached for the YAML loader or the store would not link.  It
 * refers to every module's entry points so that the linker pulls them in.
 */
#include <stdio.h>

#include "models/calib.h"
#include "models/engine.h"
#include "models/figures.h"
#include "models/perf.h"
#include "models/platform.h"
#include "models/version.h"
#include "models/workload.h"
#include "sim/afile.h"
#include "sim/ddr.h"
#include "sim/des.h"
#include "models/floorplan.h"
#include "models/limits.h"
#include "models/profile.h"
#include "sim/evq.h"
#include "sim/pcap.h"
#include "sim/phases.h"
#include "sim/reqgen.h"
#include "sim/session.h"
#include "sim/trace.h"

int main(void)
{
	void (*const fns[])(void) = {
		(void (*)(void))perf_prepare,    (void (*)(void))perf_run_eval,   (void (*)(void))calib_fit,
		(void (*)(void))calib_rows,      (void (*)(void))des_run,         (void (*)(void))des_objective,
		(void (*)(void))engine_bitstream_bytes, (void (*)(void))workload_init, (void (*)(void))cfg_check_design,
		(void (*)(void))platform_ddr_b_per_s, (void (*)(void))trace_write_log, (void (*)(void))afile_write,
		(void (*)(void))evq_run,         (void (*)(void))ddr_start,       (void (*)(void))pcap_start,
		(void (*)(void))figures_len_none, (void (*)(void))figures_dist_of, (void (*)(void))reqgen_make,
		(void (*)(void))phases_new,       (void (*)(void))session_run,     (void (*)(void))session_capacity,
		(void (*)(void))profile_value,    (void (*)(void))floorplan_derive, (void (*)(void))floorplan_place,
		(void (*)(void))limits_from_imports,
	};
	int n = 0;
	for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++)
		n += fns[i] != NULL;
	printf("models and sim link with GSL and libm alone (model %s, %d entry points)\n",
	       version_model_fingerprint(), n);
	return 0;
}
