/*
 * writeback.c - a config written back with new calibration values.
 *
 * The loader records where each calibration value sits in the file (the
 * byte span of its scalar, cfg_t.cal_span); a write-back copies the text
 * and replaces exactly those spans, so comments, layout and every other
 * number stay as the user wrote them.
 */
#include "config/writeback.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
		return -1;
	}
	for (int i = 0; i < n; i++) {
		if (slots[i] < 0 || slots[i] >= CAL_N_SLOTS || !isfinite(values[i])) {
			snprintf(err, errlen, "internal: bad write-back slot or value");
			free(ed);
			return -1;
		}
		ed[i].start = c->cal_span[slots[i]].start;
		ed[i].end = c->cal_span[slots[i]].end;
		snprintf(ed[i].text, sizeof ed[i].text, "%.6g", values[i]);
	}
	qsort(ed, (size_t)n, sizeof *ed, edit_cmp);
	char tmp[1100];
	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", out_path, (long)getpid());
	FILE *f = fopen(tmp, "wb");
	if (!f) {
		snprintf(err, errlen, "%s: cannot write: %s", tmp, strerror(errno));
		free(ed);
		return -1;
	}
	size_t pos = 0;
	int bad = 0;
	for (int i = 0; i < n; i++) {
		if (ed[i].start < pos || ed[i].end > c->text_len) {
			bad = 1;
			break;
		}
		bad |= fwrite(c->text + pos, 1, ed[i].start - pos, f) != ed[i].start - pos;
		bad |= fputs(ed[i].text, f) < 0;
		pos = ed[i].end;
	}
	if (!bad)
		bad |= fwrite(c->text + pos, 1, c->text_len - pos, f) != c->text_len - pos;
	bad |= fflush(f) != 0;
	bad |= fsync(fileno(f)) != 0;
	bad |= fclose(f) != 0;
	free(ed);
	if (bad || rename(tmp, out_path) != 0) {
		snprintf(err, errlen, "%s: cannot write: %s", out_path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}
