/*
 * pragma.h - the syntax check of the `#pragma HLS` lines that use the
 * generated headers.
 */
#ifndef PDS_PRAGMA_H
#define PDS_PRAGMA_H

#include <stddef.h>

/* One macro of a header: name and replacement text. */
typedef struct {
	const char *name;
	const char *value;
} pragma_define;

/*
 * Check one pragma line against the Vitis HLS 2024.1 syntax (UG1399) of
 * the pragmas the kernels use: pipeline, unroll, loop_tripcount,
 * loop_flatten, inline, dataflow, stream, array_partition,
 * array_reshape, bind_storage, dependence, interface.  `line` is the
 * text of a `#pragma HLS ...` line (leading `#pragma` optional).  An
 * option value that names a macro of `defs` (n entries, may be 0) is
 * replaced by its value first, repeatedly; in a pragma written directly
 * (not through PDS_PRAGMA) a macro may only stand for an integer.
 * Returns 0 when valid, or -1 with `err` saying which option is wrong
 * and what was expected.
 */
int pragma_check(const char *line, const pragma_define *defs, int ndefs, char *err, size_t errlen);

#endif
