/*
 * timeline.c - the swap timeline figure from a DES Chrome trace (see
 * timeline.h).
 *
 * The trace is read with jansson: metadata events ("ph": "M") name the
 * processes and threads (the rows' labels), complete events ("ph": "X")
 * are the spans, with ts and dur in microseconds.  What a span is comes
 * only from its category and args, the vocabulary sim/trace.h declares
 * (unit, stream, module, part), never from a name, so a board whose ports
 * or designs are called otherwise draws the same figure.  Each span is given a row (its track) and a
 * class (its colour and key entry), clipped to the window, and written as
 * a box (boxxyerror) in the datablock of its class.  Classes are drawn in a
 * fixed order, so a span nested in another of a later class shows on top
 * (the PS software path over the whole swap, an attention pass over the
 * partition's residency).
 */
#include "report/timeline.h"

#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "report/plot.h"
#include "sim/trace.h"

#define TL_MAX_TRACKS 128
#define TL_MAX_ROWS 32
#define TL_LEAD 0.2 /* window before the trigger, as a share of the time after it */

enum {
	C_RP_PRE, C_RP_REC, C_RP_DEC, C_PRE, C_DEC, C_SWAP, C_PS, C_LM,
	C_WEIGHTS, C_K, C_V, C_Q, C_O, C_OTHER, C_N
};

static const struct {
	const char *title;
	const char *color;
} cls[C_N] = {
	{"RP holds the prefill RM", "#CFE8F7"}, {"RP reconfiguring", "#8B0000"},
	{"RP holds the decode RM", "#F8DFA8"},  {"prefill work", "#56B4E9"},
	{"decode work", "#E69F00"},             {"swap: PCAP setup and bitstream", "#CC0000"},
	{"swap: PS software path", "#F4A6A6"},   {"LM head on the ARM", "#CC79A7"},
	{"weights (port)", "#7F7F7F"},           {"K (port)", "#009E73"},
	{"V (port)", "#0072B2"},                 {"Q (port)", "#D4C400"},
	{"O (port)", "#8C510A"},                 {"other", "#BBBBBB"},
};

typedef struct {
	int pid, tid;
	char proc[96], thread[96];
} track;

typedef struct {
	int pid, sub; /* order of rows */
	char label[96];
} row;

typedef struct {
	int row, cls;
	double t0_us, t1_us;
} span;

typedef struct {
	track tr[TL_MAX_TRACKS];
	int n_tr;
	row rows[TL_MAX_ROWS];
	int n_rows;
	span *sp;
	size_t n_sp, cap_sp;
} timeline_data;

static track *find_track(timeline_data *D, int pid, int tid, bool add)
{
	for (int i = 0; i < D->n_tr; i++)
		if (D->tr[i].pid == pid && D->tr[i].tid == tid)
			return &D->tr[i];
	if (!add || D->n_tr == TL_MAX_TRACKS)
		return NULL;
	track *t = &D->tr[D->n_tr++];
	memset(t, 0, sizeof *t);
	t->pid = pid;
	t->tid = tid;
	return t;
}

static const char *proc_name(const timeline_data *D, int pid)
{
	for (int i = 0; i < D->n_tr; i++)
		if (D->tr[i].pid == pid && D->tr[i].proc[0])
			return D->tr[i].proc;
	return "";
}

/* The row of a span (added on first use), or -1 when the rows are full.
 * A port is one row (its process); an accelerator track is two, the
 * partition's residency (module) above the work. */
static int row_of(timeline_data *D, int pid, int tid, const char *thread, bool port, bool module)
{
	int sub = port ? 0 : 2 * tid + (module ? 0 : 1);
	for (int i = 0; i < D->n_rows; i++)
		if (D->rows[i].pid == pid && D->rows[i].sub == sub)
			return i;
	if (D->n_rows == TL_MAX_ROWS)
		return -1;
	row *r = &D->rows[D->n_rows];
	r->pid = pid;
	r->sub = sub;
	if (port)
		snprintf(r->label, sizeof r->label, "%s", proc_name(D, pid));
	else if (module) /* "RP (attention partition)" -> "RP holds" */
		snprintf(r->label, sizeof r->label, "%.*s holds", (int)strcspn(thread, " ("), thread);
	else
		snprintf(r->label, sizeof r->label, "%s", thread);
	return D->n_rows++;
}

static int index_of(const char *v, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (strcmp(v, names[i]) == 0)
			return i;
	return -1;
}

/* A span's class from its category and args (the vocabulary of sim/trace.h). */
static int class_of(const char *cat, const char *unit, const char *stream, const char *module, const char *part)
{
	static const char *const streams[] = {"weights", "K", "V", "Q", "O"};
	if (strcmp(unit, trace_unit_names[TRACE_UNIT_PORT]) == 0) {
		int k = index_of(stream, streams, 5);
		return k < 0 ? C_OTHER : C_WEIGHTS + k;
	}
	if (strcmp(cat, TRACE_CAT_RP) == 0) {
		switch (index_of(module, trace_module_names, TRACE_MODULES)) {
		case TRACE_MODULE_PREFILL: return C_RP_PRE;
		case TRACE_MODULE_RECONF: return C_RP_REC;
		case TRACE_MODULE_DECODE: return C_RP_DEC;
		default: return C_OTHER;
		}
	}
	if (strcmp(cat, TRACE_CAT_SWAP) == 0)
		return strcmp(part, trace_part_names[TRACE_PART_PS]) == 0 ? C_PS : C_SWAP;
	if (strcmp(unit, trace_unit_names[TRACE_UNIT_ARM]) == 0)
		return C_LM;
	if (strcmp(cat, TRACE_CAT_PREFILL) == 0)
		return C_PRE;
	if (strcmp(cat, TRACE_CAT_DECODE) == 0)
		return C_DEC;
	return C_OTHER;
}

static const char *str_of(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

static int load(timeline_data *D, const char *path, char *err, size_t errlen)
{
	json_error_t je;
	json_t *root = json_load_file(path, 0, &je);
	if (!root) {
		snprintf(err, errlen, "%s:%d:%d: not a JSON trace: %s", path, je.line, je.column, je.text);
		return -1;
	}
	json_t *ev = json_object_get(root, "traceEvents");
	if (!json_is_array(ev)) {
		json_decref(root);
		snprintf(err, errlen, "%s: no 'traceEvents' array", path);
		return -1;
	}
	size_t i;
	json_t *e;
	/* names first: metadata may follow the spans it names */
	json_array_foreach(ev, i, e) {
		if (strcmp(str_of(e, "ph"), "M") != 0)
			continue;
		int pid = (int)json_integer_value(json_object_get(e, "pid"));
		int tid = (int)json_integer_value(json_object_get(e, "tid"));
		const char *nm = str_of(json_object_get(e, "args"), "name");
		track *t = find_track(D, pid, tid, true);
		if (!t)
			continue;
		if (strcmp(str_of(e, "name"), "process_name") == 0)
			snprintf(t->proc, sizeof t->proc, "%s", nm);
		else if (strcmp(str_of(e, "name"), "thread_name") == 0)
			snprintf(t->thread, sizeof t->thread, "%s", nm);
	}
	/* rows in the order of the tracks: accelerator first, then the ports */
	json_array_foreach(ev, i, e) {
		if (strcmp(str_of(e, "ph"), "X") != 0)
			continue;
		int pid = (int)json_integer_value(json_object_get(e, "pid"));
		int tid = (int)json_integer_value(json_object_get(e, "tid"));
		double ts = json_number_value(json_object_get(e, "ts"));
		double dur = json_number_value(json_object_get(e, "dur"));
		if (!isfinite(ts) || !isfinite(dur) || dur < 0)
			continue;
		const track *t = find_track(D, pid, tid, false);
		const char *thread = t ? t->thread : "";
		const char *cat = str_of(e, "cat");
		json_t *args = json_object_get(e, "args");
		const char *unit = str_of(args, "unit");
		bool port = strcmp(unit, trace_unit_names[TRACE_UNIT_PORT]) == 0;
		if (D->n_sp == D->cap_sp) {
			size_t cap = D->cap_sp ? 2 * D->cap_sp : 1024;
			span *q = realloc(D->sp, cap * sizeof *q);
			if (!q) {
				json_decref(root);
				snprintf(err, errlen, "%s: out of memory", path);
				return -1;
			}
			D->sp = q;
			D->cap_sp = cap;
		}
		span *s = &D->sp[D->n_sp];
		s->cls = class_of(cat, unit, str_of(args, "stream"), str_of(args, "module"), str_of(args, "part"));
		s->row = row_of(D, pid, tid, thread, port, strcmp(cat, TRACE_CAT_RP) == 0);
		s->t0_us = ts;
		s->t1_us = ts + dur;
		if (s->row >= 0)
			D->n_sp++;
	}
	json_decref(root);
	return 0;
}

static int cmp_row(const void *a, const void *b)
{
	const row *x = a, *y = b;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->sub < y->sub ? -1 : x->sub > y->sub;
}

int timeline_write(const char *trace_path, FILE *f, const timeline_marks *m, const char *title, char *err, size_t errlen)
{
	timeline_data *D = calloc(1, sizeof *D);
	if (!D) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	int ret = -1;
	if (load(D, trace_path, err, errlen))
		goto out;
	double trig_us = m->trigger_s * 1e6, end_us = trig_us;
	for (size_t i = 0; i < D->n_sp; i++)
		end_us = fmax(end_us, D->sp[i].t1_us);
	if (D->n_sp == 0 || end_us <= trig_us) {
		snprintf(err, errlen, "%s: no span after the swap trigger at %.6f s", trace_path, m->trigger_s);
		goto out;
	}
	double w0 = trig_us - TL_LEAD * (end_us - trig_us), w1 = end_us;
	/* rows sorted by track; spans renumbered to match, first row on top */
	int order[TL_MAX_ROWS], rank[TL_MAX_ROWS];
	row sorted[TL_MAX_ROWS];
	memcpy(sorted, D->rows, sizeof sorted);
	for (int i = 0; i < D->n_rows; i++)
		order[i] = i;
	for (int i = 1; i < D->n_rows; i++) /* insertion sort of indices, stable */
		for (int j = i; j > 0 && cmp_row(&D->rows[order[j]], &D->rows[order[j - 1]]) < 0; j--) {
			int t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	for (int i = 0; i < D->n_rows; i++) {
		rank[order[i]] = i;
		sorted[i] = D->rows[order[i]];
	}
	int n = D->n_rows;
	bool used[C_N] = {false};
	double min_ms = 0.0008 * (w1 - w0) / 1e3; /* the shortest box drawn, so a burst stays visible */
	for (int c = 0; c < C_N; c++) {
		fprintf(f, "$c%d << EOD\n# mid_ms row lo_ms hi_ms row_lo row_hi\n", c);
		for (size_t i = 0; i < D->n_sp; i++) {
			const span *s = &D->sp[i];
			if (s->cls != c || s->t1_us < w0 || s->t0_us > w1)
				continue;
			double lo = (fmax(s->t0_us, w0) - trig_us) / 1e3, hi = (fmin(s->t1_us, w1) - trig_us) / 1e3;
			if (hi - lo < min_ms)
				hi = lo + min_ms;
			if (fabs(lo) < 5e-7) /* no "-0.000000" */
				lo = 0;
			double y = n - 1 - rank[s->row];
			double h = c <= C_RP_DEC ? 0.42 : 0.32;
			fprintf(f, "%.6f %.3f %.6f %.6f %.3f %.3f\n", (lo + hi) / 2, y, lo, hi, y - h, y + h);
			used[c] = true;
		}
		fputs("EOD\n", f);
	}
	fputs("set title ", f);
	plot_quote(f, title);
	fputs("\nset xlabel \"time from the swap trigger (ms)\"\n", f);
	fprintf(f, "set xrange [%.6f:%.6f]\nset yrange [-0.7:%.3f]\n", (w0 - trig_us) / 1e3, (w1 - trig_us) / 1e3,
		n - 0.3);
	fputs("set ytics scale 0 (", f);
	for (int i = 0; i < n; i++) {
		fputs(i ? ", " : "", f);
		plot_quote(f, sorted[i].label);
		fprintf(f, " %d", n - 1 - i);
	}
	fputs(")\nset grid xtics noytics\nset border 1\nset tmargin 6\nset bmargin 10\n"
	      "set title offset 0,1.5\n"
	      "set key at screen 0.5, screen 0.01 center bottom horizontal maxcols 4 width -1 font ',11'\n"
	      "set style fill solid 1.0 noborder\n",
	      f);
	/* the instants, labels staggered when they would collide */
	const double at[3] = {m->trigger_s, m->rm_ready_s, m->first_token_s};
	static const char *const what[3] = {"swap trigger", "decode RM loaded", "first token"};
	double last = -INFINITY;
	int level = 0;
	for (int k = 0; k < 3; k++) {
		if (!isfinite(at[k]))
			continue;
		double x = (at[k] * 1e6 - trig_us) / 1e3;
		level = fabs(x - last) < 0.25 * (w1 - w0) / 1e3 ? level + 1 : 0;
		last = x;
		fprintf(f, "set arrow %d from %.6f, graph 0 to %.6f, graph 1 nohead dt 2 lw 1.5 lc rgb '#333333' front\n",
			k + 1, x, x);
		fprintf(f, "set label %d \"%s (%+.1f ms)\" at %.6f, graph %.3f center font ',10'\n", k + 1, what[k], x, x,
			1.025 + 0.045 * level);
	}
	fputs("plot ", f);
	bool first = true;
	for (int c = 0; c < C_N; c++) {
		if (!used[c])
			continue;
		fprintf(f, "%s$c%d using 1:2:3:4:5:6 with boxxyerror lc rgb '%s' title \"%s\"", first ? "" : ", \\\n     ",
			c, cls[c].color, cls[c].title);
		first = false;
	}
	fputc('\n', f);
	ret = 0;
out:
	free(D->sp);
	free(D);
	return ret;
}
