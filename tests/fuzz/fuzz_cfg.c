/*
 * fuzz_cfg.c - libFuzzer harness for the config loader.
 *
 * Each input is a whole config file.  The loader must refuse it with a
 * positioned error or load it into a config on which the analytic model
 * stays finite (fz_oracle.h); anything else aborts, and ASan/UBSan catch
 * memory and arithmetic errors on the way.  Seeds: the .yaml files of configs/ and
 * tests/fuzz/seeds/ (one file per class of user error).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "fz_oracle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why[1024];
	if (fz_check_text("fuzz.yaml", (const char *)data, size, NULL, why, sizeof why)) {
		fprintf(stderr, "fuzz_cfg: %s\n", why);
		abort();
	}
	return 0;
}
