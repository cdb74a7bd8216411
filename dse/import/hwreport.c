/*
 * hwreport.c - the record of one report, its JSON form and back (see
 * hwreport.h).
 *
 * JSON is built as a jansson tree with every key present (null where the
 * report gives nothing), in a fixed order, so that the text of a record is
 * always the same bytes.  Figures that are whole numbers (counts, cycles)
 * become JSON integers; the others (periods, fractional BRAM tiles) reals.
 * The line is printed with 15 significant digits, which is exact for every
 * figure a report writes in decimal with at most 15 digits; the text is
 * parsed back and compared with the tree, and printed with 17 digits in
 * the rare case it did not round-trip.
 */
#include "import/hwreport.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/cfg.h"
#include "models/common.h"

const char *const hwreport_res_names[HWR_N] = {"lut", "ff", "bram18", "bram36", "dsp", "uram"};

/* The five columns of pblock and instance rows (no bram18). */
static const int row_cols[] = {HWR_LUT, HWR_FF, HWR_BRAM36, HWR_DSP, HWR_URAM};
#define N_ROW_COLS (sizeof row_cols / sizeof row_cols[0])

void hwreport_init(hwreport *r)
{
	memset(r, 0, sizeof *r);
}

void hwreport_release(hwreport *r)
{
	free(r->file);
	free(r->tool_version);
	free(r->part);
	free(r->top);
	free(r->design_state);
	for (size_t i = 0; i < r->n_modules; i++)
		free(r->modules[i].name);
	free(r->modules);
	for (size_t i = 0; i < r->n_pblocks; i++)
		free(r->pblocks[i].name);
	free(r->pblocks);
	for (size_t i = 0; i < r->n_instances; i++) {
		free(r->instances[i].name);
		free(r->instances[i].module);
	}
	free(r->instances);
	hwreport_init(r);
}

const char *hwreport_kind_name(hwreport_kind k)
{
	return k == HWREPORT_CSYNTH ? "csynth" : "utilization";
}

/* Grow *list of n elements of size sz by one zeroed element. */
static void *grow(void **list, size_t *n, size_t sz)
{
	if (*n >= ((size_t)-1 / 2) / sz)
		return NULL;
	/* the capacity is n rounded up to a power of two: grow when n is one */
	if ((*n & (*n - 1)) == 0) {
		void *p = realloc(*list, (*n ? 2 * *n : 1) * sz);
		if (!p)
			return NULL;
		*list = p;
	}
	char *e = (char *)*list + *n * sz;
	memset(e, 0, sz);
	(*n)++;
	return e;
}

hwreport_module *hwreport_add_module(hwreport *r)
{
	r->has_modules = true;
	return grow((void **)&r->modules, &r->n_modules, sizeof *r->modules);
}

hwreport_pblock *hwreport_add_pblock(hwreport *r)
{
	r->has_pblocks = true;
	return grow((void **)&r->pblocks, &r->n_pblocks, sizeof *r->pblocks);
}

hwreport_instance *hwreport_add_instance(hwreport *r)
{
	r->has_instances = true;
	return grow((void **)&r->instances, &r->n_instances, sizeof *r->instances);
}

int hwreport_set_str(char **dst, const char *s, size_t n)
{
	char *p = malloc(n + 1);
	if (!p)
		return -1;
	memcpy(p, s, n);
	p[n] = '\0';
	free(*dst);
	*dst = p;
	return 0;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int hwreport_number(const char *s, size_t n, double *v)
{
	while (n && blank(*s))
		s++, n--;
	while (n && blank(s[n - 1]))
		n--;
	if (n == 0 || n >= 64)
		return -1;
	char buf[64];
	memcpy(buf, s, n);
	buf[n] = '\0';
	/* digits first: refuse "inf", "nan", "0x10", signs */
	if (!(buf[0] >= '0' && buf[0] <= '9') && buf[0] != '.')
		return -1;
	for (size_t i = 0; i < n; i++)
		if (buf[i] == 'x' || buf[i] == 'X')
			return -1;
	char *end;
	double d = strtod(buf, &end);
	if (*end || !isfinite(d) || d < 0)
		return -1;
	*v = d;
	return 0;
}

/* ------------------------------------------------------------ to JSON */

static json_t *jval(hwreport_val v)
{
	if (!v.set)
		return json_null();
	if (v.v == floor(v.v) && fabs(v.v) < 9007199254740992.0)
		return json_integer((json_int_t)v.v);
	return json_real(v.v);
}

static json_t *jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *jres(const hwreport_res *r)
{
	json_t *o = json_object();
	for (int i = 0; i < HWR_N; i++)
		json_object_set_new(o, hwreport_res_names[i], jval(r->r[i]));
	return o;
}

/* The five row columns of r, into object o. */
static json_t *jrow(json_t *o, const hwreport_res *r)
{
	for (size_t i = 0; i < N_ROW_COLS; i++)
		json_object_set_new(o, hwreport_res_names[row_cols[i]], jval(r->r[row_cols[i]]));
	return o;
}

static json_t *jlat(const hwreport_latency *l)
{
	json_t *o = json_object();
	json_object_set_new(o, "best", jval(l->best));
	json_object_set_new(o, "average", jval(l->average));
	json_object_set_new(o, "worst", jval(l->worst));
	return o;
}

static json_t *jintv(const hwreport_interval *l)
{
	json_t *o = json_object();
	json_object_set_new(o, "min", jval(l->min));
	json_object_set_new(o, "max", jval(l->max));
	return o;
}

json_t *hwreport_to_json(const hwreport *r)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	json_object_set_new(o, "file", jstr(r->file));
	json_object_set_new(o, "kind", json_string(hwreport_kind_name(r->kind)));
	json_object_set_new(o, "sha256", r->sha256[0] ? json_string(r->sha256) : json_null());
	json_object_set_new(o, "tool_version", jstr(r->tool_version));
	json_object_set_new(o, "part", jstr(r->part));
	json_object_set_new(o, "top", jstr(r->top));
	json_object_set_new(o, "design_state", jstr(r->design_state));
	json_object_set_new(o, "target_clock_ns", jval(r->target_clock_ns));
	json_object_set_new(o, "estimated_clock_ns", jval(r->estimated_clock_ns));
	json_object_set_new(o, "latency_cycles", jlat(&r->latency));
	json_object_set_new(o, "interval_cycles", jintv(&r->interval));
	json_object_set_new(o, "resources", jres(&r->res));
	json_object_set_new(o, "available", jres(&r->avail));

	json_t *l = json_null();
	if (r->has_modules) {
		l = json_array();
		for (size_t i = 0; i < r->n_modules; i++) {
			const hwreport_module *m = &r->modules[i];
			json_t *e = json_object();
			json_object_set_new(e, "name", jstr(m->name));
			json_object_set_new(e, "estimated_clock_ns", jval(m->estimated_clock_ns));
			json_object_set_new(e, "latency_cycles", jlat(&m->latency));
			json_object_set_new(e, "interval_cycles", jintv(&m->interval));
			json_object_set_new(e, "resources", jres(&m->res));
			json_array_append_new(l, e);
		}
	}
	json_object_set_new(o, "modules", l);

	l = json_null();
	if (r->has_pblocks) {
		l = json_array();
		for (size_t i = 0; i < r->n_pblocks; i++) {
			const hwreport_pblock *p = &r->pblocks[i];
			json_t *e = json_object();
			json_object_set_new(e, "name", jstr(p->name));
			jrow(e, &p->parent);
			json_object_set_new(e, "child", jrow(json_object(), &p->child));
			json_object_set_new(e, "non_assigned", jrow(json_object(), &p->non_assigned));
			json_array_append_new(l, e);
		}
	}
	json_object_set_new(o, "pblocks", l);

	l = json_null();
	if (r->has_instances) {
		l = json_array();
		for (size_t i = 0; i < r->n_instances; i++) {
			const hwreport_instance *h = &r->instances[i];
			json_t *e = json_object();
			json_object_set_new(e, "name", jstr(h->name));
			json_object_set_new(e, "module", jstr(h->module));
			json_object_set_new(e, "depth", json_integer(h->depth));
			jrow(e, &h->res);
			json_array_append_new(l, e);
		}
	}
	json_object_set_new(o, "instances", l);
	return o;
}

char *hwreport_json_line(const hwreport *r)
{
	json_t *o = hwreport_to_json(r);
	if (!o)
		return NULL;
	char *text = json_dumps(o, JSON_PRESERVE_ORDER | JSON_COMPACT | JSON_REAL_PRECISION(15));
	if (text) {
		json_t *back = json_loads(text, 0, NULL);
		bool same = back && json_equal(back, o);
		json_decref(back);
		if (!same) {
			free(text);
			text = json_dumps(o, JSON_PRESERVE_ORDER | JSON_COMPACT | JSON_REAL_PRECISION(17));
		}
	}
	json_decref(o);
	return text;
}

/* ---------------------------------------------------------- from JSON */

typedef struct {
	char *err;
	size_t errlen;
} jctx;

static int jfail(jctx *c, const char *what, const char *key, const char *expected)
{
	snprintf(c->err, c->errlen, "JSON: '%s%s%s' must be %s", what, *what ? "." : "", key, expected);
	return PDS_FAIL;
}

/* The member `key` of o; missing keys fail (every key is written). */
static int jget(jctx *c, const json_t *o, const char *what, const char *key, json_t **v)
{
	*v = json_object_get(o, key);
	if (!*v) {
		snprintf(c->err, c->errlen, "JSON: '%s%s%s' is missing", what, *what ? "." : "", key);
		return PDS_FAIL;
	}
	return 0;
}

static int rval(jctx *c, const json_t *o, const char *what, const char *key, hwreport_val *v)
{
	json_t *j;
	if (jget(c, o, what, key, &j))
		return PDS_FAIL;
	v->set = !json_is_null(j);
	v->v = 0;
	if (!v->set)
		return 0;
	if (!json_is_number(j))
		return jfail(c, what, key, "a number or null");
	v->v = json_number_value(j);
	return 0;
}

static int rstr(jctx *c, const json_t *o, const char *what, const char *key, char **s)
{
	json_t *j;
	if (jget(c, o, what, key, &j))
		return PDS_FAIL;
	if (json_is_null(j))
		return 0;
	if (!json_is_string(j))
		return jfail(c, what, key, "a string or null");
	if (hwreport_set_str(s, json_string_value(j), json_string_length(j))) {
		snprintf(c->err, c->errlen, "out of memory");
		return PDS_FAIL;
	}
	return 0;
}

static int robj(jctx *c, const json_t *o, const char *what, const char *key, json_t **v)
{
	if (jget(c, o, what, key, v))
		return PDS_FAIL;
	if (!json_is_object(*v))
		return jfail(c, what, key, "an object");
	return 0;
}

static int rres(jctx *c, const json_t *o, const char *what, const char *key, hwreport_res *r)
{
	json_t *j;
	if (robj(c, o, what, key, &j))
		return PDS_FAIL;
	for (int i = 0; i < HWR_N; i++)
		if (rval(c, j, key, hwreport_res_names[i], &r->r[i]))
			return PDS_FAIL;
	return 0;
}

static int rrow(jctx *c, const json_t *j, const char *what, hwreport_res *r)
{
	for (size_t i = 0; i < N_ROW_COLS; i++)
		if (rval(c, j, what, hwreport_res_names[row_cols[i]], &r->r[row_cols[i]]))
			return PDS_FAIL;
	return 0;
}

static int rlat(jctx *c, const json_t *o, const char *key, hwreport_latency *l)
{
	json_t *j;
	return robj(c, o, "", key, &j) || rval(c, j, key, "best", &l->best) ||
			       rval(c, j, key, "average", &l->average) || rval(c, j, key, "worst", &l->worst)
		       ? PDS_FAIL
		       : 0;
}

static int rintv(jctx *c, const json_t *o, const char *key, hwreport_interval *l)
{
	json_t *j;
	return robj(c, o, "", key, &j) || rval(c, j, key, "min", &l->min) || rval(c, j, key, "max", &l->max)
		       ? PDS_FAIL
		       : 0;
}

/* The list `key` of o: *arr is NULL for JSON null. */
static int rlist(jctx *c, const json_t *o, const char *key, json_t **arr)
{
	if (jget(c, o, "", key, arr))
		return PDS_FAIL;
	if (json_is_null(*arr)) {
		*arr = NULL;
		return 0;
	}
	if (!json_is_array(*arr))
		return jfail(c, "", key, "a list or null");
	return 0;
}

static int oom(jctx *c)
{
	snprintf(c->err, c->errlen, "out of memory");
	return PDS_FAIL;
}

int hwreport_from_json(const json_t *o, hwreport *r, char *err, size_t errlen)
{
	jctx c = {err, errlen};
	json_t *j, *arr;
	if (!json_is_object(o)) {
		snprintf(err, errlen, "JSON: a report record must be an object");
		return PDS_FAIL;
	}
	if (jget(&c, o, "", "kind", &j))
		return PDS_FAIL;
	if (json_is_string(j) && strcmp(json_string_value(j), "csynth") == 0)
		r->kind = HWREPORT_CSYNTH;
	else if (json_is_string(j) && strcmp(json_string_value(j), "utilization") == 0)
		r->kind = HWREPORT_UTILIZATION;
	else
		return jfail(&c, "", "kind", "\"csynth\" or \"utilization\"");
	if (jget(&c, o, "", "sha256", &j))
		return PDS_FAIL;
	if (json_is_string(j) && json_string_length(j) == 64)
		memcpy(r->sha256, json_string_value(j), 65);
	else if (!json_is_null(j))
		return jfail(&c, "", "sha256", "64 hex digits or null");
	if (rstr(&c, o, "", "file", &r->file) || rstr(&c, o, "", "tool_version", &r->tool_version) ||
	    rstr(&c, o, "", "part", &r->part) || rstr(&c, o, "", "top", &r->top) ||
	    rstr(&c, o, "", "design_state", &r->design_state) ||
	    rval(&c, o, "", "target_clock_ns", &r->target_clock_ns) ||
	    rval(&c, o, "", "estimated_clock_ns", &r->estimated_clock_ns) ||
	    rlat(&c, o, "latency_cycles", &r->latency) || rintv(&c, o, "interval_cycles", &r->interval) ||
	    rres(&c, o, "", "resources", &r->res) || rres(&c, o, "", "available", &r->avail))
		return PDS_FAIL;

	if (rlist(&c, o, "modules", &arr))
		return PDS_FAIL;
	if (arr) {
		r->has_modules = true;
		for (size_t i = 0; i < json_array_size(arr); i++) {
			json_t *e = json_array_get(arr, i);
			hwreport_module *m = hwreport_add_module(r);
			if (!m)
				return oom(&c);
			if (!json_is_object(e))
				return jfail(&c, "", "modules", "a list of objects");
			if (rstr(&c, e, "modules", "name", &m->name) ||
			    rval(&c, e, "modules", "estimated_clock_ns", &m->estimated_clock_ns) ||
			    rlat(&c, e, "latency_cycles", &m->latency) ||
			    rintv(&c, e, "interval_cycles", &m->interval) ||
			    rres(&c, e, "modules", "resources", &m->res))
				return PDS_FAIL;
		}
	}

	if (rlist(&c, o, "pblocks", &arr))
		return PDS_FAIL;
	if (arr) {
		r->has_pblocks = true;
		for (size_t i = 0; i < json_array_size(arr); i++) {
			json_t *e = json_array_get(arr, i), *ch, *na;
			hwreport_pblock *p = hwreport_add_pblock(r);
			if (!p)
				return oom(&c);
			if (!json_is_object(e))
				return jfail(&c, "", "pblocks", "a list of objects");
			if (rstr(&c, e, "pblocks", "name", &p->name) || rrow(&c, e, "pblocks", &p->parent) ||
			    robj(&c, e, "pblocks", "child", &ch) || rrow(&c, ch, "child", &p->child) ||
			    robj(&c, e, "pblocks", "non_assigned", &na) ||
			    rrow(&c, na, "non_assigned", &p->non_assigned))
				return PDS_FAIL;
		}
	}

	if (rlist(&c, o, "instances", &arr))
		return PDS_FAIL;
	if (arr) {
		r->has_instances = true;
		for (size_t i = 0; i < json_array_size(arr); i++) {
			json_t *e = json_array_get(arr, i);
			hwreport_instance *h = hwreport_add_instance(r);
			if (!h)
				return oom(&c);
			if (!json_is_object(e))
				return jfail(&c, "", "instances", "a list of objects");
			if (rstr(&c, e, "instances", "name", &h->name) ||
			    rstr(&c, e, "instances", "module", &h->module) || jget(&c, e, "instances", "depth", &j))
				return PDS_FAIL;
			if (!json_is_integer(j) || json_integer_value(j) < 0 || json_integer_value(j) > 1000000)
				return jfail(&c, "instances", "depth", "a non-negative integer");
			h->depth = (int)json_integer_value(j);
			if (rrow(&c, e, "instances", &h->res))
				return PDS_FAIL;
		}
	}
	return 0;
}

/* ------------------------------------------------------------ equality */

static bool veq(hwreport_val a, hwreport_val b)
{
	return a.set == b.set && (!a.set || a.v == b.v);
}

static bool seq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool reseq(const hwreport_res *a, const hwreport_res *b)
{
	for (int i = 0; i < HWR_N; i++)
		if (!veq(a->r[i], b->r[i]))
			return false;
	return true;
}

static bool lateq(const hwreport_latency *a, const hwreport_latency *b)
{
	return veq(a->best, b->best) && veq(a->average, b->average) && veq(a->worst, b->worst);
}

static bool inteq(const hwreport_interval *a, const hwreport_interval *b)
{
	return veq(a->min, b->min) && veq(a->max, b->max);
}

bool hwreport_equal(const hwreport *a, const hwreport *b)
{
	if (a->kind != b->kind || strcmp(a->sha256, b->sha256) != 0 || !seq(a->file, b->file) ||
	    !seq(a->tool_version, b->tool_version) || !seq(a->part, b->part) || !seq(a->top, b->top) ||
	    !seq(a->design_state, b->design_state) || !veq(a->target_clock_ns, b->target_clock_ns) ||
	    !veq(a->estimated_clock_ns, b->estimated_clock_ns) || !lateq(&a->latency, &b->latency) ||
	    !inteq(&a->interval, &b->interval) || !reseq(&a->res, &b->res) || !reseq(&a->avail, &b->avail))
		return false;
	if (a->has_modules != b->has_modules || a->n_modules != b->n_modules ||
	    a->has_pblocks != b->has_pblocks || a->n_pblocks != b->n_pblocks ||
	    a->has_instances != b->has_instances || a->n_instances != b->n_instances)
		return false;
	for (size_t i = 0; i < a->n_modules; i++) {
		const hwreport_module *x = &a->modules[i], *y = &b->modules[i];
		if (!seq(x->name, y->name) || !veq(x->estimated_clock_ns, y->estimated_clock_ns) ||
		    !lateq(&x->latency, &y->latency) || !inteq(&x->interval, &y->interval) ||
		    !reseq(&x->res, &y->res))
			return false;
	}
	for (size_t i = 0; i < a->n_pblocks; i++) {
		const hwreport_pblock *x = &a->pblocks[i], *y = &b->pblocks[i];
		if (!seq(x->name, y->name) || !reseq(&x->parent, &y->parent) || !reseq(&x->child, &y->child) ||
		    !reseq(&x->non_assigned, &y->non_assigned))
			return false;
	}
	for (size_t i = 0; i < a->n_instances; i++) {
		const hwreport_instance *x = &a->instances[i], *y = &b->instances[i];
		if (!seq(x->name, y->name) || !seq(x->module, y->module) || x->depth != y->depth ||
		    !reseq(&x->res, &y->res))
			return false;
	}
	return true;
}

/* ------------------------------------------------------------ comparing */

hwreport_val hwreport_bram36_equiv(const hwreport_res *r)
{
	if (r->r[HWR_BRAM36].set)
		return r->r[HWR_BRAM36];
	if (r->r[HWR_BRAM18].set)
		return (hwreport_val){true, r->r[HWR_BRAM18].v / 2};
	return (hwreport_val){false, 0};
}

bool hwreport_same_part(const char *a, const char *b)
{
	char ka[128], kb[128];
	cfg_part_key(a, ka, sizeof ka);
	cfg_part_key(b, kb, sizeof kb);
	return ka[0] && strcmp(ka, kb) == 0;
}
