/* suites.h - one Suite constructor per tests/check_<module>.c. */
#ifndef PDS_SUITES_H
#define PDS_SUITES_H

#include <check.h>

Suite *cfg_suite(void);
Suite *workload_suite(void);
Suite *engine_suite(void);
Suite *perf_suite(void);
Suite *calib_suite(void);
Suite *interval_suite(void);
Suite *store_suite(void);
Suite *des_suite(void);
Suite *pareto_suite(void);
Suite *space_suite(void);
Suite *factor_suite(void);
Suite *sweep_suite(void);
Suite *emit_suite(void);
Suite *report_suite(void);
Suite *configs_suite(void);
Suite *fuzz_suite(void);
Suite *faults_suite(void);
Suite *session_suite(void);
Suite *import_suite(void);
Suite *shards_suite(void);
Suite *kvcache_suite(void);
Suite *floorplan_suite(void);
Suite *dfx_suite(void);
Suite *profile_suite(void);
Suite *measured_suite(void);
Suite *limits_suite(void);
Suite *rms_suite(void);

#endif
