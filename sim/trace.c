/*
 * trace.c - streamed Chrome trace-event JSON; see trace.h.
 */
#include "sim/trace.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
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

void trace_open_log(trace_file *t, trace_log *log)
{
	memset(t, 0, sizeof *t);
	t->log = log;
	t->first = true;
}

static char *copy_str(const char *s, bool *oom)
{
	if (!s)
		return NULL;
	char *d = strdup(s);
	*oom |= d == NULL;
	return d;
}

static void event_free(trace_event *e)
{
	free(e->name);
	free(e->cat);
	free((char *)e->a.phase);
	free((char *)e->a.port);
	free((char *)e->a.stream);
}

void trace_log_add(trace_log *l, const trace_event *e)
{
	if (l->oom)
		return;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 256;
		trace_event *ev = realloc(l->ev, cap * sizeof *ev);
		if (!ev) {
			l->oom = true;
			return;
		}
		l->ev = ev;
		l->cap = cap;
	}
	trace_event *d = &l->ev[l->n];
	bool oom = false;
	*d = *e;
	d->name = copy_str(e->name, &oom);
	d->cat = copy_str(e->cat, &oom);
	d->a.phase = copy_str(e->a.phase, &oom);
	d->a.port = copy_str(e->a.port, &oom);
	d->a.stream = copy_str(e->a.stream, &oom);
	if (oom) {
		event_free(d);
		l->oom = true;
		return;
	}
	l->n++;
}

void trace_log_free(trace_log *l)
{
	for (size_t i = 0; i < l->n; i++)
		event_free(&l->ev[i]);
	free(l->ev);
	memset(l, 0, sizeof *l);
}

int trace_write_log(const trace_log *l, const char *path, char *err, size_t errlen)
{
	trace_file t;
	if (trace_open(&t, path, err, errlen))
		return -1;
	for (size_t i = 0; i < l->n; i++) {
		const trace_event *e = &l->ev[i];
		if (e->kind == 'P')
			trace_process(&t, e->pid, e->name, e->sort_index);
		else if (e->kind == 'T')
			trace_thread(&t, e->pid, e->tid, e->name, e->sort_index);
		else if (e->kind == 'I')
			trace_instant(&t, e->pid, e->tid, e->name, e->cat, e->t0_ps, &e->a);
		else
			trace_span(&t, e->pid, e->tid, e->name, e->cat, e->t0_ps, e->t1_ps, &e->a);
	}
	return trace_close(&t, err, errlen);
}

static void sep(trace_file *t)
{
	if (!t->first)
		fputs(",\n", t->f);
	t->first = false;
}

void trace_process(trace_file *t, int pid, const char *name, int sort_index)
{
	if (t->log) {
		trace_event e = {.kind = 'P', .pid = pid, .sort_index = sort_index, .name = (char *)name,
				 .a = trace_args_none()};
		trace_log_add(t->log, &e);
		return;
	}
	sep(t);
	fprintf(t->f, "{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":%d,\"tid\":0,\"args\":{\"name\":", pid);
	trace_json_string(t->f, name);
	fputs("}},\n", t->f);
	fprintf(t->f, "{\"ph\":\"M\",\"name\":\"process_sort_index\",\"pid\":%d,\"tid\":0,\"args\":{\"sort_index\":%d}}",
		pid, sort_index);
}

void trace_thread(trace_file *t, int pid, int tid, const char *name, int sort_index)
{
	if (t->log) {
		trace_event e = {.kind = 'T', .pid = pid, .tid = tid, .sort_index = sort_index, .name = (char *)name,
				 .a = trace_args_none()};
		trace_log_add(t->log, &e);
		return;
	}
	sep(t);
	fprintf(t->f, "{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":%d,\"tid\":%d,\"args\":{\"name\":", pid, tid);
	trace_json_string(t->f, name);
	fputs("}},\n", t->f);
	fprintf(t->f,
		"{\"ph\":\"M\",\"name\":\"thread_sort_index\",\"pid\":%d,\"tid\":%d,\"args\":{\"sort_index\":%d}}",
		pid, tid, sort_index);
}

const char *const trace_unit_names[TRACE_UNITS] = {"pass", "tlmm", "rp", "pcap", "arm", "port"};
const char *const trace_module_names[TRACE_MODULES] = {"prefill_rm", "reconfiguring", "decode_rm", "static"};
const char *const trace_part_names[TRACE_PARTS] = {"ps_path", "pcap_setup", "bitstream", "swap"};

trace_args trace_args_none(void)
{
	return (trace_args){.layer = -1, .token = -1, .unit = -1, .module = -1, .part = -1};
}

/* One "key": value pair of the args object; *c is the separator so far. */
static void arg_str(trace_file *t, const char **c, const char *key, const char *v)
{
	fprintf(t->f, "%s\"%s\":", *c, key);
	trace_json_string(t->f, v);
	*c = ",";
}

/* The args object of an event, its fields as trace.h lists them. */
static void put_args(trace_file *t, const trace_args *a)
{
	const char *c = "";
	fputs(",\"args\":{", t->f);
	if (a->layer >= 0) {
		fprintf(t->f, "\"layer\":%d", a->layer);
		c = ",";
	}
	if (a->token >= 0) {
		fprintf(t->f, "%s\"token\":%d", c, a->token);
		c = ",";
	}
	if (a->bytes > 0) {
		fprintf(t->f, "%s\"bytes\":%.0f", c, a->bytes);
		c = ",";
	}
	if (a->unit >= 0 && a->unit < TRACE_UNITS)
		arg_str(t, &c, "unit", trace_unit_names[a->unit]);
	if (a->phase)
		arg_str(t, &c, "phase", a->phase);
	if (a->port)
		arg_str(t, &c, "port", a->port);
	if (a->stream)
		arg_str(t, &c, "stream", a->stream);
	if (a->module >= 0 && a->module < TRACE_MODULES)
		arg_str(t, &c, "module", trace_module_names[a->module]);
	if (a->part >= 0 && a->part < TRACE_PARTS)
		arg_str(t, &c, "part", trace_part_names[a->part]);
	fputs("}}", t->f);
}

void trace_span(trace_file *t, int pid, int tid, const char *name, const char *cat, int64_t t0_ps, int64_t t1_ps,
		const trace_args *a)
{
	if (t->log) {
		trace_event e = {.kind = 'X', .pid = pid, .tid = tid, .name = (char *)name, .cat = (char *)cat,
				 .t0_ps = t0_ps, .t1_ps = t1_ps, .a = *a};
		trace_log_add(t->log, &e);
		t->spans++;
		return;
	}
	sep(t);
	fputs("{\"ph\":\"X\",\"name\":", t->f);
	trace_json_string(t->f, name);
	fputs(",\"cat\":", t->f);
	trace_json_string(t->f, cat);
	fprintf(t->f, ",\"pid\":%d,\"tid\":%d,\"ts\":", pid, tid);
	put_us(t->f, t0_ps);
	fputs(",\"dur\":", t->f);
	put_us(t->f, t1_ps > t0_ps ? t1_ps - t0_ps : 0);
	put_args(t, a);
	t->spans++;
}

const char *const trace_milestone_names[TRACE_MILESTONES] = {"swap_trigger", "decode_rm_loaded", "first_token"};

void trace_instant(trace_file *t, int pid, int tid, const char *name, const char *cat, int64_t t_ps,
		   const trace_args *a)
{
	if (t->log) {
		trace_event e = {.kind = 'I', .pid = pid, .tid = tid, .name = (char *)name, .cat = (char *)cat,
				 .t0_ps = t_ps, .t1_ps = t_ps, .a = *a};
		trace_log_add(t->log, &e);
		return;
	}
	sep(t);
	fputs("{\"ph\":\"i\",\"s\":\"g\",\"name\":", t->f);
	trace_json_string(t->f, name);
	fputs(",\"cat\":", t->f);
	trace_json_string(t->f, cat);
	fprintf(t->f, ",\"pid\":%d,\"tid\":%d,\"ts\":", pid, tid);
	put_us(t->f, t_ps);
	put_args(t, a);
}

int trace_close(trace_file *t, char *err, size_t errlen)
{
	if (t->log) {
		bool oom = t->log->oom;
		t->log = NULL;
		if (oom)
			snprintf(err, errlen, "out of memory keeping a trace");
		return oom ? -1 : 0;
	}
	if (!t->f)
		return 0;
	fputs("\n],\"displayTimeUnit\":\"ns\"}\n", t->f);
	t->f = NULL;
	return afile_commit(&t->out, err, errlen);
}

void trace_abort(trace_file *t)
{
	t->log = NULL;
	t->f = NULL;
	afile_abort(&t->out);
}
