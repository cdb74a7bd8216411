/*
 * runner.c - runs every Check suite of pdswap.  Set CK_RUN_SUITE=name to
 * run one suite, CK_FORK=no to debug in gdb.  Test data paths are relative
 * to the repository root, where `make check` runs this binary.
 */
#include <check.h>
#include <stdlib.h>

#include "suites.h"

int main(void)
{
	Suite *(*const suites[])(void) = {
		cfg_suite, workload_suite, engine_suite, perf_suite, calib_suite, interval_suite, store_suite, des_suite,
		pareto_suite, space_suite, factor_suite, sweep_suite,
		emit_suite, report_suite, configs_suite, fuzz_suite, faults_suite, import_suite, shards_suite, session_suite,
		kvcache_suite,
		floorplan_suite, dfx_suite, profile_suite, measured_suite, limits_suite,
		rms_suite,
	};
	SRunner *sr = srunner_create(NULL);
	for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++)
		srunner_add_suite(sr, suites[i]());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
