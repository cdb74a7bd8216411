/*
 * trace.c - streamed Chrome trace-event JSON; see trace.h.
 */
#include "sim/trace.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void trace_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f); /* UTF-8 passes through unchanged */
		}
	}
	fputc('"', f);
}

/* Integer picoseconds as microseconds with six exact decimals. */
static void put_us(FILE *f, int64_t ps)
{
	if (ps < 0)
		ps = 0;
	fprintf(f, "%" PRId64 ".%06" PRId64, ps / 1000000, ps % 1000000);
}

int trace_open(trace_file *t, const char *path, char *err, size_t errlen)
{
	memset(t, 0, sizeof *t);
	if (afile_open(&t->out, path, err, errlen))
		return -1;
	t->f = t->out.f;
	fputs("{\"traceEvents\":[\n", t->f);
	t->first = true;
	return 0;
}

static void sep(trace_file *t)
{
	if (!t->first)
		fputs(",\n", t->f);
	t->first = false;
}

void trace_process(trace_file *t, int pid, const char *name, int sort_index)
{
	sep(t);
	fprintf(t->f, "{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":%d,\"tid\":0,\"args\":{\"name\":", pid);
	trace_json_string(t->f, name);
	fputs("}},\n", t->f);
	fprintf(t->f, "{\"ph\":\"M\",\"name\":\"process_sort_index\",\"pid\":%d,\"tid\":0,\"args\":{\"sort_index\":%d}}",
		pid, sort_index);
}

void trace_thread(trace_file *t, int pid, int tid, const char *name, int sort_index)
{
	sep(t);
	fprintf(t->f, "{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":%d,\"tid\":%d,\"args\":{\"name\":", pid, tid);
	trace_json_string(t->f, name);
	fputs("}},\n", t->f);
	fprintf(t->f,
		"{\"ph\":\"M\",\"name\":\"thread_sort_index\",\"pid\":%d,\"tid\":%d,\"args\":{\"sort_index\":%d}}",
		pid, tid, sort_index);
}

void trace_span(trace_file *t, int pid, int tid, const char *name, const char *cat, int64_t t0_ps, int64_t t1_ps,
	      int layer, int token, double bytes)
{
	sep(t);
	fputs("{\"ph\":\"X\",\"name\":", t->f);
	trace_json_string(t->f, name);
	fputs(",\"cat\":", t->f);
	trace_json_string(t->f, cat);
	fprintf(t->f, ",\"pid\":%d,\"tid\":%d,\"ts\":", pid, tid);
	put_us(t->f, t0_ps);
	fputs(",\"dur\":", t->f);
	put_us(t->f, t1_ps > t0_ps ? t1_ps - t0_ps : 0);
	if (layer >= 0 || token >= 0 || bytes > 0) {
		const char *c = "";
		fputs(",\"args\":{", t->f);
		if (layer >= 0) {
			fprintf(t->f, "\"layer\":%d", layer);
			c = ",";
		}
		if (token >= 0) {
			fprintf(t->f, "%s\"token\":%d", c, token);
			c = ",";
		}
		if (bytes > 0)
			fprintf(t->f, "%s\"bytes\":%.0f", c, bytes);
		fputc('}', t->f);
	}
	fputc('}', t->f);
	t->spans++;
}

int trace_close(trace_file *t, char *err, size_t errlen)
{
	if (!t->f)
		return 0;
	fputs("\n],\"displayTimeUnit\":\"ns\"}\n", t->f);
	t->f = NULL;
	return afile_commit(&t->out, err, errlen);
}

void trace_abort(trace_file *t)
{
	t->f = NULL;
	afile_abort(&t->out);
}
