/*
 * writeback.c - a config written back with new calibration values.
 *
 * The loader records where each calibration value sits in the file (the
 * byte span of its scalar, cfg_t.cal_span); a write-back copies the text
 * and replaces exactly those spans, so comments, layout and every other
 * number stay as the user wrote them.
 */
#include "config/writeback.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/common.h"
#include "sim/afile.h"

typedef struct {
	size_t start, end;
	char text[64];
} edit_t;

static int edit_cmp(const void *a, const void *b)
{
	const edit_t *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

int writeback_config(const cfg_t *c, const char *out_path, const int *slots, const double *values, int n,
		     char *err, size_t errlen)
{
	edit_t *ed = calloc((size_t)(n > 0 ? n : 1), sizeof *ed);
	if (!ed) {
		snprintf(err, errlen, "out of memory");
		return PDS_FAIL;
	}
	for (int i = 0; i < n; i++) {
		if (slots[i] < 0 || slots[i] >= CAL_N_SLOTS || !isfinite(values[i]))
			BUG("write-back of slot %d with value %g", slots[i], values[i]);
		ed[i].start = c->cal_span[slots[i]].start;
		ed[i].end = c->cal_span[slots[i]].end;
		snprintf(ed[i].text, sizeof ed[i].text, "%.6g", values[i]);
	}
	qsort(ed, (size_t)n, sizeof *ed, edit_cmp);
	afile out;
	if (afile_open(&out, out_path, err, errlen)) {
		free(ed);
		return PDS_FAIL;
	}
	size_t pos = 0;
	for (int i = 0; i < n; i++) {
		if (ed[i].start < pos || ed[i].end > c->text_len)
			BUG("write-back spans overlap or leave the text (%zu..%zu)", ed[i].start, ed[i].end);
		fwrite(c->text + pos, 1, ed[i].start - pos, out.f);
		fputs(ed[i].text, out.f);
		pos = ed[i].end;
	}
	fwrite(c->text + pos, 1, c->text_len - pos, out.f);
	free(ed);
	return afile_commit(&out, err, errlen); /* a write error surfaces here */
}
