/*
 * cfg.c - load a pdswap YAML config into typed structs.
 *
 * The YAML text becomes a positioned node tree (ytree.c); this file walks
 * it section by section with small typed getters.  Each getter checks the
 * node's kind, its text and its range and, on the first problem, writes
 * "FILE:LINE:COL: 'dotted.key' must be ..., got '...'" and returns -1.
 * Every mapping's keys are checked against the list of keys it may hold,
 * so a misspelt key is an error, not a silently ignored setting.  After
 * the walk, cross-references (port names, pblocks, designs) and limits
 * that span sections are checked.  The result is all or nothing.
 *
 * Numbers are plain decimal scalars: integers without a fraction, an
 * exponent or leading zeros (YAML 1.1 would read 010 as octal); reals in
 * C's strtod form.  Quoted numbers, null, .nan, .inf and values that
 * overflow a double or an int are refused with the key and the expected
 * range.  An explicit tag must fit both its value (ytree.c) and what the
 * key takes: !!float on an integer key and a number tag on a text key are
 * refused.  A missing key is reported at the key that holds the mapping.
 * The file must be a regular file: it is opened without blocking and a
 * FIFO, device or directory is refused before anything is read.
 *
 * model.heads x model.head_dim may differ from model.hidden: the Q/O
 * projections are hidden x (heads x head_dim), K/V hidden x (kv_heads x
 * head_dim) (workload.c), so a model whose attention width is not its
 * residual width is described as it is; kv_heads must divide heads.
 * The `measurements` section is optional: a board without published
 * measurements loads, and only calibrate/validate need it.
 */
#include "config/config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/sha256.h"
#include "config/ytree.h"
#include "models/engine.h"
#include "models/floorplan.h"
#include "models/infer.h"
#include "models/kvcache.h"
#include "sim/reqgen.h"

/* Largest config file accepted: far above any real one, small enough to
 * keep a hostile input from exhausting memory. */
#define CFG_MAX_BYTES (4u << 20)

typedef struct {
	const char *file;
	char *err;
	size_t errlen;
	cfg_t *c;
} ld_t;

/* ---------------------------------------------------------------- errors */

/* Where to report a key missing from `map`: the key that holds the map. */
static const ytree_node *holder(const ytree_node *map)
{
	return map->key ? map->key : map;
}

/*
 * Write "FILE:LINE:COL: message" for node n.  An empty value has no text
 * of its own (libyaml places it at the next token), so it is reported at
 * its key.
 */
static int fail(ld_t *L, const ytree_node *n, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	if (n && n->kind == YTREE_SCALAR && n->len == 0 && !n->quoted && n->key)
		n = n->key;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	snprintf(L->err, L->errlen, "%s:%d:%d: %s", L->file, n ? n->line : 1, n ? n->col : 1, msg);
	return -1;
}

/* A scalar's text, shortened and made printable, for messages. */
static const char *shown(const ytree_node *n, char *buf, size_t sz)
{
	if (!n)
		return "";
	if (n->kind == YTREE_MAP)
		return "a mapping";
	if (n->kind == YTREE_SEQ)
		return "a sequence";
	size_t j = 0;
	for (size_t i = 0; i < n->len && j + 4 < sz; i++) {
		unsigned char ch = (unsigned char)n->str[i];
		buf[j++] = (ch >= 32 && ch < 127) ? (char)ch : '?';
		if (i == 40 && n->len > 44) {
			buf[j++] = '.';
			buf[j++] = '.';
			buf[j++] = '.';
			break;
		}
	}
	buf[j] = '\0';
	return buf;
}

static const char *kind_name(const ytree_node *n)
{
	return n->kind == YTREE_MAP ? "a mapping" : n->kind == YTREE_SEQ ? "a sequence" : "a scalar";
}

static void kpath(char *out, size_t n, const char *path, const char *key)
{
	if (path && *path)
		snprintf(out, n, "%s.%s", path, key);
	else
		snprintf(out, n, "%s", key);
}

static bool is_null(const ytree_node *n)
{
	if (n->kind != YTREE_SCALAR)
		return false;
	if (n->null_tag)
		return true;
	if (n->quoted)
		return false;
	return n->len == 0 || strcmp(n->str, "~") == 0 || strcmp(n->str, "null") == 0 ||
	       strcmp(n->str, "Null") == 0 || strcmp(n->str, "NULL") == 0;
}

/* ------------------------------------------------------------- structure */

static int want_map(ld_t *L, const ytree_node *n, const char *path)
{
	char b[64];
	if (n->kind != YTREE_MAP)
		return fail(L, n, "'%s' must be a mapping, got %s%s%s%s", path, kind_name(n),
			    n->kind == YTREE_SCALAR ? " '" : "", n->kind == YTREE_SCALAR ? shown(n, b, sizeof b) : "",
			    n->kind == YTREE_SCALAR ? "'" : "");
	return 0;
}

static int want_seq(ld_t *L, const ytree_node *n, const char *path)
{
	char b[64];
	if (n->kind != YTREE_SEQ)
		return fail(L, n, "'%s' must be a sequence, got %s%s%s%s", path, kind_name(n),
			    n->kind == YTREE_SCALAR ? " '" : "", n->kind == YTREE_SCALAR ? shown(n, b, sizeof b) : "",
			    n->kind == YTREE_SCALAR ? "'" : "");
	return 0;
}

/* Refuse keys not in `allowed` (NULL-terminated). */
static int check_keys(ld_t *L, const ytree_node *map, const char *path, const char *const *allowed)
{
	for (size_t i = 0; i < map->n; i++) {
		const ytree_node *k = map->keys[i];
		bool ok = false;
		for (const char *const *a = allowed; *a; a++)
			if (strlen(*a) == k->len && memcmp(*a, k->str, k->len) == 0)
				ok = true;
		if (!ok) {
			char list[512] = "", b[64];
			for (const char *const *a = allowed; *a; a++) {
				if (a != allowed)
					strncat(list, ", ", sizeof list - strlen(list) - 1);
				strncat(list, *a, sizeof list - strlen(list) - 1);
			}
			return fail(L, k, "unknown key '%s' in '%s'; expected one of: %s",
				    shown(k, b, sizeof b), *path ? path : "the top level", list);
		}
	}
	return 0;
}

/* The value of a required key, or an error at the mapping. */
static const ytree_node *req(ld_t *L, const ytree_node *map, const char *path, const char *key)
{
	const ytree_node *v = ytree_get(map, key);
	if (!v) {
		char p[256];
		kpath(p, sizeof p, path, key);
		fail(L, holder(map), "missing required key '%s'", p);
	}
	return v;
}

/* ---------------------------------------------------------------- scalars */

static int scalar_num(ld_t *L, const ytree_node *n, const char *p, double *out)
{
	char b[64];
	if (n->kind != YTREE_SCALAR)
		return fail(L, n, "'%s' must be a number, got %s", p, kind_name(n));
	if (is_null(n))
		return fail(L, n, "'%s' must be a number, got null", p);
	if (n->quoted)
		return fail(L, n, "'%s' must be a number, got the string \"%s\"", p, shown(n, b, sizeof b));
	const char *t = n->str + (n->len && (n->str[0] == '+' || n->str[0] == '-'));
	if (strcmp(t, ".nan") == 0 || strcmp(t, ".NaN") == 0 || strcmp(t, ".NAN") == 0 ||
	    strcmp(t, ".inf") == 0 || strcmp(t, ".Inf") == 0 || strcmp(t, ".INF") == 0)
		return fail(L, n, "'%s' must be a finite number, got '%s'", p, shown(n, b, sizeof b));
	bool digit = false;
	for (size_t i = 0; i < n->len; i++) {
		char ch = n->str[i];
		digit |= isdigit((unsigned char)ch) != 0;
		if (!(isdigit((unsigned char)ch) || ch == '+' || ch == '-' || ch == '.' || ch == 'e' ||
		      ch == 'E'))
			return fail(L, n, "'%s' must be a number, got '%s'", p, shown(n, b, sizeof b));
	}
	char *end;
	errno = 0;
	double v = strtod(n->str, &end);
	if (!digit || end != n->str + n->len || end == n->str)
		return fail(L, n, "'%s' must be a number, got '%s'", p, shown(n, b, sizeof b));
	if (!isfinite(v) || (errno == ERANGE && fabs(v) > 1))
		return fail(L, n, "'%s' must be a finite number, got '%s' (beyond the range of a double)", p,
			    shown(n, b, sizeof b));
	if (errno == ERANGE)
		return fail(L, n, "'%s' is too small to represent, got '%s'", p, shown(n, b, sizeof b));
	*out = v;
	return 0;
}

/* A decimal integer; *overflow is set when it does not fit a long long. */
static int scalar_int(ld_t *L, const ytree_node *n, const char *p, long long *out, bool *overflow)
{
	char b[64];
	*overflow = false;
	if (n->kind != YTREE_SCALAR)
		return fail(L, n, "'%s' must be an integer, got %s", p, kind_name(n));
	if (is_null(n))
		return fail(L, n, "'%s' must be an integer, got null", p);
	if (n->quoted)
		return fail(L, n, "'%s' must be an integer, got the string \"%s\"", p, shown(n, b, sizeof b));
	if (n->tag == YTREE_TAG_FLOAT)
		return fail(L, n, "'%s' must be an integer, got '%s' tagged !!float", p, shown(n, b, sizeof b));
	size_t i = (n->len && (n->str[0] == '-' || n->str[0] == '+')) ? 1 : 0;
	if (i == n->len)
		return fail(L, n, "'%s' must be an integer, got '%s'", p, shown(n, b, sizeof b));
	for (size_t j = i; j < n->len; j++)
		if (!isdigit((unsigned char)n->str[j]))
			return fail(L, n, "'%s' must be an integer, got '%s'", p, shown(n, b, sizeof b));
	if (n->str[i] == '0' && i + 1 < n->len)
		return fail(L, n, "'%s' must be a decimal integer without leading zeros, got '%s'", p,
			    shown(n, b, sizeof b));
	errno = 0;
	long long v = strtoll(n->str, NULL, 10);
	*overflow = errno == ERANGE;
	*out = v;
	return 0;
}

/* Range: lo_open means v > lo, else v >= lo; always v <= hi. */
static int num_node(ld_t *L, const ytree_node *n, const char *p, double lo, bool lo_open, double hi,
		    double *out)
{
	double v = 0;
	char b[64];
	if (scalar_num(L, n, p, &v))
		return -1;
	if ((lo_open ? !(v > lo) : !(v >= lo)) || v > hi)
		return fail(L, n, "'%s' must be a number in %s%g, %g], got '%s'", p, lo_open ? "(" : "[",
			    lo, hi, shown(n, b, sizeof b));
	*out = v;
	return 0;
}

static int int_node(ld_t *L, const ytree_node *n, const char *p, long long lo, long long hi, int *out)
{
	long long v = 0;
	bool overflow;
	char b[64];
	if (scalar_int(L, n, p, &v, &overflow))
		return -1;
	if (overflow || v < lo || v > hi)
		return fail(L, n, "'%s' must be an integer in [%lld, %lld], got '%s'", p, lo, hi,
			    shown(n, b, sizeof b));
	*out = (int)v;
	return 0;
}

static int get_num(ld_t *L, const ytree_node *map, const char *path, const char *key, double lo,
		   bool lo_open, double hi, double *out)
{
	char p[256];
	const ytree_node *n = req(L, map, path, key);
	if (!n)
		return -1;
	kpath(p, sizeof p, path, key);
	return num_node(L, n, p, lo, lo_open, hi, out);
}

static int get_int(ld_t *L, const ytree_node *map, const char *path, const char *key, long long lo,
		   long long hi, int *out)
{
	char p[256];
	const ytree_node *n = req(L, map, path, key);
	if (!n)
		return -1;
	kpath(p, sizeof p, path, key);
	return int_node(L, n, p, lo, hi, out);
}

static int get_bool(ld_t *L, const ytree_node *map, const char *path, const char *key, bool def,
		    bool *out)
{
	char p[256], b[64];
	const ytree_node *n = ytree_get(map, key);
	*out = def;
	if (!n)
		return 0;
	kpath(p, sizeof p, path, key);
	if (n->kind != YTREE_SCALAR)
		return fail(L, n, "'%s' must be true or false, got %s", p, kind_name(n));
	if (is_null(n))
		return fail(L, n, "'%s' must be true or false, got null", p);
	if (n->quoted)
		return fail(L, n, "'%s' must be true or false, got the string \"%s\"", p, shown(n, b, sizeof b));
	if (strcmp(n->str, "true") == 0)
		*out = true;
	else if (strcmp(n->str, "false") == 0)
		*out = false;
	else
		return fail(L, n, "'%s' must be true or false, got '%s'", p, shown(n, b, sizeof b));
	return 0;
}

static int str_node(ld_t *L, const ytree_node *n, const char *p, char *out, size_t outsz)
{
	if (n->kind != YTREE_SCALAR)
		return fail(L, n, "'%s' must be text, got %s", p, kind_name(n));
	if (is_null(n))
		return fail(L, n, "'%s' must be non-empty text, got null", p);
	if (n->tag == YTREE_TAG_INT || n->tag == YTREE_TAG_FLOAT || n->tag == YTREE_TAG_BOOL)
		return fail(L, n, "'%s' must be text, got '%.60s' tagged !!%s", p, n->str,
			    n->tag == YTREE_TAG_INT ? "int" : n->tag == YTREE_TAG_FLOAT ? "float" : "bool");
	if (n->len == 0)
		return fail(L, n, "'%s' must be non-empty text, got an empty string", p);
	if (memchr(n->str, '\0', n->len))
		return fail(L, n, "'%s' must not contain NUL characters", p);
	if (n->len >= outsz)
		return fail(L, n, "'%s' is longer than %zu characters", p, outsz - 1);
	memcpy(out, n->str, n->len + 1);
	return 0;
}

static int get_str(ld_t *L, const ytree_node *map, const char *path, const char *key, char *out,
		   size_t outsz)
{
	char p[256];
	const ytree_node *n = req(L, map, path, key);
	if (!n)
		return -1;
	kpath(p, sizeof p, path, key);
	return str_node(L, n, p, out, outsz);
}

/* A name that ends up in C identifiers, SQL and file names. */
static int ident_node(ld_t *L, const ytree_node *n, const char *p, char *out, size_t outsz)
{
	char b[64];
	if (str_node(L, n, p, out, outsz))
		return -1;
	bool ok = isalpha((unsigned char)out[0]) || out[0] == '_';
	for (const char *s = out; *s && ok; s++)
		ok = isalnum((unsigned char)*s) || *s == '_';
	if (!ok)
		return fail(L, n, "'%s' must be an identifier (a letter or '_', then letters, digits or '_'), got '%s'",
			    p, shown(n, b, sizeof b));
	return 0;
}

/* ------------------------------------------------------------- sequences */

/* A non-empty list of distinct integers in [lo, hi]. */
static int get_int_list(ld_t *L, const ytree_node *map, const char *path, const char *key,
			long long lo, long long hi, int *out, int *n_out)
{
	char p[256], ip[300], b[64];
	const ytree_node *s = req(L, map, path, key);
	if (!s)
		return -1;
	kpath(p, sizeof p, path, key);
	if (want_seq(L, s, p))
		return -1;
	if (s->n == 0)
		return fail(L, s, "'%s' must list at least one value", p);
	if (s->n > CFG_MAX_LIST)
		return fail(L, s, "'%s' lists %zu values; at most %d are allowed", p, s->n, CFG_MAX_LIST);
	for (size_t i = 0; i < s->n; i++) {
		snprintf(ip, sizeof ip, "%s[%zu]", p, i);
		if (int_node(L, s->items[i], ip, lo, hi, &out[i]))
			return -1;
		for (size_t j = 0; j < i; j++)
			if (out[j] == out[i])
				return fail(L, s->items[i], "'%s' repeats the value %s", p,
					    shown(s->items[i], b, sizeof b));
	}
	*n_out = (int)s->n;
	return 0;
}

/* ------------------------------------------------------------ calibration */

static int prov_node(ld_t *L, const ytree_node *n, const char *p, prov_t *out)
{
	const ytree_node *pv = req(L, n, p, "prov");
	char b[64], pp[300];
	if (!pv)
		return -1;
	snprintf(pp, sizeof pp, "%s.prov", p);
	int k = -1;
	for (int i = 0; i < 4; i++)
		if (pv->kind == YTREE_SCALAR && strcmp(pv->str, prov_names[i]) == 0)
			k = i;
	if (k < 0)
		return fail(L, pv, "'%s' must be one of measured, fitted, derived, assumed; got '%s'", pp,
			    shown(pv, b, sizeof b));
	*out = (prov_t)k;
	return 0;
}

/*
 * The `range: [lo, hi]` of a coefficient: required for an assumed one,
 * allowed for a measured one (its uncertainty), refused otherwise (a
 * fitted coefficient's spread comes from its fit, a derived one's from
 * what it is derived from).  `value` must lie in it; for a resource
 * vector the range is a factor on the vector and must hold 1.
 */
static int range_node(ld_t *L, const ytree_node *n, const char *p, prov_t prov, double value, double lo,
		      bool lo_open, double hi, bool *has, double *rlo, double *rhi)
{
	char pp[300];
	const ytree_node *r = ytree_get(n, "range");
	snprintf(pp, sizeof pp, "%s.range", p);
	*has = false;
	if (!r) {
		if (prov == PROV_ASSUMED)
			return fail(L, holder(n), "missing required key '%s' (an assumed coefficient states the range "
				    "it may lie in: [lo, hi])", pp);
		return 0;
	}
	if (prov != PROV_ASSUMED && prov != PROV_MEASURED)
		return fail(L, r, "'%s' is for assumed or measured coefficients; a %s one's spread comes from %s", pp,
			    prov_names[prov], prov == PROV_FITTED ? "its fit" : "what it is derived from");
	if (want_seq(L, r, pp))
		return -1;
	if (r->n != 2)
		return fail(L, r, "'%s' must be [lo, hi], got %zu values", pp, r->n);
	char ip[320];
	snprintf(ip, sizeof ip, "%s[0]", pp);
	if (num_node(L, r->items[0], ip, lo, lo_open, hi, rlo))
		return -1;
	snprintf(ip, sizeof ip, "%s[1]", pp);
	if (num_node(L, r->items[1], ip, lo, lo_open, hi, rhi))
		return -1;
	if (!(*rlo <= value && value <= *rhi))
		return fail(L, r, "'%s' [%g, %g] must hold the value %g", pp, *rlo, *rhi, value);
	*has = true;
	return 0;
}

static int coef_node(ld_t *L, const ytree_node *n, const char *p, coef_t *c, double lo, bool lo_open,
		     double hi, cfg_span *span)
{
	static const char *const keys[] = {"value", "prov", "source", "range", NULL};
	char pp[300];
	if (want_map(L, n, p) || check_keys(L, n, p, keys))
		return -1;
	const ytree_node *v = req(L, n, p, "value");
	if (!v)
		return -1;
	snprintf(pp, sizeof pp, "%s.value", p);
	if (num_node(L, v, pp, lo, lo_open, hi, &c->value))
		return -1;
	if (span) {
		span->start = v->start;
		span->end = v->end;
	}
	if (prov_node(L, n, p, &c->prov) ||
	    range_node(L, n, p, c->prov, c->value, lo, lo_open, hi, &c->has_range, &c->range_lo, &c->range_hi))
		return -1;
	return get_str(L, n, p, "source", c->source, sizeof c->source);
}

static int res_fields(ld_t *L, const ytree_node *n, const char *p, res_t *r, cfg_span *spans)
{
	for (int i = 0; i < RES_N; i++) {
		const ytree_node *v = req(L, n, p, res_names[i]);
		char pp[300];
		if (!v)
			return -1;
		snprintf(pp, sizeof pp, "%s.%s", p, res_names[i]);
		if (num_node(L, v, pp, 0, false, 1e8, &r->v[i]))
			return -1;
		if (spans) {
			spans[i].start = v->start;
			spans[i].end = v->end;
		}
	}
	return 0;
}

static int get_res(ld_t *L, const ytree_node *map, const char *path, const char *key, res_t *r,
		   char *source, size_t srcsz)
{
	static const char *const keys[] = {"lut", "ff", "bram36", "uram", "dsp", NULL};
	static const char *const skeys[] = {"lut", "ff", "bram36", "uram", "dsp", "source", NULL};
	char p[256];
	const ytree_node *n = req(L, map, path, key);
	if (!n)
		return -1;
	kpath(p, sizeof p, path, key);
	if (want_map(L, n, p) || check_keys(L, n, p, source ? skeys : keys))
		return -1;
	if (res_fields(L, n, p, r, NULL))
		return -1;
	if (source)
		return get_str(L, n, p, "source", source, srcsz);
	return 0;
}

static int rcoef_node(ld_t *L, const ytree_node *n, const char *p, rcoef_t *c, cfg_span *spans)
{
	static const char *const keys[] = {"lut", "ff", "bram36", "uram", "dsp", "prov", "source", "range", NULL};
	if (want_map(L, n, p) || check_keys(L, n, p, keys))
		return -1;
	if (res_fields(L, n, p, &c->r, spans))
		return -1;
	if (prov_node(L, n, p, &c->prov) ||
	    range_node(L, n, p, c->prov, 1.0, 0, false, 100, &c->has_range, &c->range_lo, &c->range_hi))
		return -1;
	return get_str(L, n, p, "source", c->source, sizeof c->source);
}

static int load_calibration(ld_t *L, const ytree_node *n)
{
	const char *keys[CAL_N_SCALARS + CAL_N_RESOURCES + 1];
	int k = 0;
	for (int i = 0; i < CAL_N_SCALARS; i++)
		keys[k++] = cfg_cal_scalars[i].name;
	for (int i = 0; i < CAL_N_RESOURCES; i++)
		keys[k++] = cfg_cal_resources[i].name;
	keys[k] = NULL;
	if (want_map(L, n, "calibration") || check_keys(L, n, "calibration", keys))
		return -1;
	for (int i = 0; i < CAL_N_SCALARS; i++) {
		const cfg_cal_scalar *s = &cfg_cal_scalars[i];
		char p[128];
		const ytree_node *v = req(L, n, "calibration", s->name);
		if (!v)
			return -1;
		snprintf(p, sizeof p, "calibration.%s", s->name);
		if (coef_node(L, v, p, (coef_t *)((char *)&L->c->cal + s->offset), s->lo, s->lo_open, s->hi,
			      &L->c->cal_span[i]))
			return -1;
	}
	for (int i = 0; i < CAL_N_RESOURCES; i++) {
		char p[128];
		const ytree_node *v = req(L, n, "calibration", cfg_cal_resources[i].name);
		if (!v)
			return -1;
		snprintf(p, sizeof p, "calibration.%s", cfg_cal_resources[i].name);
		if (rcoef_node(L, v, p, (rcoef_t *)((char *)&L->c->cal + cfg_cal_resources[i].offset),
			       &L->c->cal_span[CAL_RES(i, 0)]))
			return -1;
	}
	return 0;
}

/* ----------------------------------------------------------------- device */

static int port_mask(ld_t *L, const ytree_node *map, const char *path, const char *key, uint32_t *mask)
{
	char p[256], ip[300], name[PDS_NAME_MAX], b[64];
	const ytree_node *s = req(L, map, path, key);
	if (!s)
		return -1;
	kpath(p, sizeof p, path, key);
	if (want_seq(L, s, p))
		return -1;
	if (s->n == 0)
		return fail(L, s, "'%s' must name at least one HP port", p);
	*mask = 0;
	for (size_t i = 0; i < s->n; i++) {
		snprintf(ip, sizeof ip, "%s[%zu]", p, i);
		if (ident_node(L, s->items[i], ip, name, sizeof name))
			return -1;
		int h = cfg_find_hp(L->c, name);
		if (h < 0)
			return fail(L, s->items[i], "'%s' names '%s', which is not an HP port of the device",
				    ip, shown(s->items[i], b, sizeof b));
		if (*mask & (1u << h))
			return fail(L, s->items[i], "'%s' names HP port '%s' twice", p, name);
		*mask |= 1u << h;
	}
	return 0;
}

/* device.ddr: its peak and the controller ports. */
static int load_ddr(ld_t *L, const ytree_node *n, cfg_device *d)
{
	static const char *const ddr_keys[] = {"peak_gb_s", "controller_ports", NULL};
	static const char *const ctrl_keys[] = {"name", "peak_gb_s", NULL};
	const ytree_node *v;
	char p[128];
	if (!(v = req(L, n, "device", "ddr")) || want_map(L, v, "device.ddr") ||
	    check_keys(L, v, "device.ddr", ddr_keys) ||
	    get_num(L, v, "device.ddr", "peak_gb_s", 0, true, 1e4, &d->ddr.peak_gb_s))
		return -1;
	const ytree_node *cs = req(L, v, "device.ddr", "controller_ports");
	if (!cs || want_seq(L, cs, "device.ddr.controller_ports"))
		return -1;
	if (cs->n == 0 || cs->n > CFG_MAX_CTRL)
		return fail(L, cs, "'device.ddr.controller_ports' must list 1 to %d ports", CFG_MAX_CTRL);
	d->ddr.n_ctrl = (int)cs->n;
	for (size_t i = 0; i < cs->n; i++) {
		snprintf(p, sizeof p, "device.ddr.controller_ports[%zu]", i);
		const ytree_node *e = cs->items[i];
		if (want_map(L, e, p) || check_keys(L, e, p, ctrl_keys))
			return -1;
		const ytree_node *nm = req(L, e, p, "name");
		char np[160];
		snprintf(np, sizeof np, "%s.name", p);
		if (!nm || ident_node(L, nm, np, d->ddr.ctrl[i].name, PDS_NAME_MAX) ||
		    get_num(L, e, p, "peak_gb_s", 0, true, 1e4, &d->ddr.ctrl[i].peak_gb_s))
			return -1;
		for (size_t j = 0; j < i; j++)
			if (strcmp(d->ddr.ctrl[j].name, d->ddr.ctrl[i].name) == 0)
				return fail(L, nm, "controller port '%s' is defined twice", d->ddr.ctrl[i].name);
	}

	return 0;
}

/* device.hp_ports: each port's name, width, clock and controller port. */
static int load_hp_ports(ld_t *L, const ytree_node *n, cfg_device *d)
{
	static const char *const hp_keys[] = {"name", "width_bits", "max_clock_mhz", "ddr_port", NULL};
	char p[128];
	const ytree_node *hs = req(L, n, "device", "hp_ports");
	if (!hs || want_seq(L, hs, "device.hp_ports"))
		return -1;
	if (hs->n == 0 || hs->n > CFG_MAX_HP)
		return fail(L, hs, "'device.hp_ports' must list 1 to %d ports", CFG_MAX_HP);
	d->n_hp = (int)hs->n;
	for (size_t i = 0; i < hs->n; i++) {
		cfg_hp *h = &d->hp[i];
		const ytree_node *e = hs->items[i];
		char np[160], cname[PDS_NAME_MAX];
		snprintf(p, sizeof p, "device.hp_ports[%zu]", i);
		if (want_map(L, e, p) || check_keys(L, e, p, hp_keys))
			return -1;
		const ytree_node *nm = req(L, e, p, "name");
		snprintf(np, sizeof np, "%s.name", p);
		if (!nm || ident_node(L, nm, np, h->name, sizeof h->name))
			return -1;
		for (size_t j = 0; j < i; j++)
			if (strcmp(d->hp[j].name, h->name) == 0)
				return fail(L, nm, "HP port '%s' is defined twice", h->name);
		if (get_int(L, e, p, "width_bits", 8, 1024, &h->width_bits) ||
		    get_int(L, e, p, "max_clock_mhz", 1, 2000, &h->max_clock_mhz))
			return -1;
		if (h->width_bits % 8 || (h->width_bits & (h->width_bits - 1)))
			return fail(L, ytree_get(e, "width_bits"),
				    "'%s.width_bits' must be a power of two of at least 8, got %d", p,
				    h->width_bits);
		const ytree_node *dp = req(L, e, p, "ddr_port");
		snprintf(np, sizeof np, "%s.ddr_port", p);
		if (!dp || ident_node(L, dp, np, cname, sizeof cname))
			return -1;
		h->ctrl = -1;
		for (int j = 0; j < d->ddr.n_ctrl; j++)
			if (strcmp(d->ddr.ctrl[j].name, cname) == 0)
				h->ctrl = j;
		if (h->ctrl < 0)
			return fail(L, dp, "'%s' names '%s', which is not in device.ddr.controller_ports", np,
				    cname);
	}

	return 0;
}

/* device.fabric: frames and resources per column, tiles of the device. */
static int load_fabric(ld_t *L, const ytree_node *n, cfg_device *d)
{
	static const char *const fab_keys[] = {"frame_bytes", "frames_per_column", "per_column",
					       "bitstream_overhead_bytes", "tiles", NULL};
	static const char *const fpc_keys[] = {"clb", "int", "dsp", "bram_config", "bram_content",
					       "uram", NULL};
	static const char *const pc_keys[] = {"lut_per_clb", "ff_per_clb", "dsp", "bram36", "uram", NULL};
	static const char *const tile_keys[] = {"clb", "dsp", "bram", "uram", NULL};
	const ytree_node *f = req(L, n, "device", "fabric");
	if (!f || want_map(L, f, "device.fabric") || check_keys(L, f, "device.fabric", fab_keys) ||
	    get_int(L, f, "device.fabric", "frame_bytes", 4, 65536, &d->fabric.frame_bytes) ||
	    get_int(L, f, "device.fabric", "bitstream_overhead_bytes", 0, 1 << 26,
		    &d->fabric.bitstream_overhead_bytes))
		return -1;
	const char *fp = "device.fabric.frames_per_column";
	const ytree_node *fc = req(L, f, "device.fabric", "frames_per_column");
	if (!fc || want_map(L, fc, fp) || check_keys(L, fc, fp, fpc_keys) ||
	    get_int(L, fc, fp, "clb", 0, 10000, &d->fabric.frames_clb) ||
	    get_int(L, fc, fp, "int", 0, 10000, &d->fabric.frames_int) ||
	    get_int(L, fc, fp, "dsp", 0, 10000, &d->fabric.frames_dsp) ||
	    get_int(L, fc, fp, "bram_config", 0, 10000, &d->fabric.frames_bram_config) ||
	    get_int(L, fc, fp, "bram_content", 0, 10000, &d->fabric.frames_bram_content) ||
	    get_int(L, fc, fp, "uram", 0, 10000, &d->fabric.frames_uram))
		return -1;
	const char *pp = "device.fabric.per_column";
	const ytree_node *pc = req(L, f, "device.fabric", "per_column");
	if (!pc || want_map(L, pc, pp) || check_keys(L, pc, pp, pc_keys) ||
	    get_int(L, pc, pp, "lut_per_clb", 1, 100000, &d->fabric.lut_per_clb_col) ||
	    get_int(L, pc, pp, "ff_per_clb", 1, 100000, &d->fabric.ff_per_clb_col) ||
	    get_int(L, pc, pp, "dsp", 1, 10000, &d->fabric.dsp_per_col) ||
	    get_int(L, pc, pp, "bram36", 1, 10000, &d->fabric.bram_per_col) ||
	    get_int(L, pc, pp, "uram", 1, 10000, &d->fabric.uram_per_col))
		return -1;
	const char *cp = "device.fabric.tiles";
	const ytree_node *cc = req(L, f, "device.fabric", "tiles");
	if (!cc || want_map(L, cc, cp) || check_keys(L, cc, cp, tile_keys) ||
	    get_int(L, cc, cp, "clb", 1, 1000000, &d->fabric.tiles_clb) ||
	    get_int(L, cc, cp, "dsp", 0, 1000000, &d->fabric.tiles_dsp) ||
	    get_int(L, cc, cp, "bram", 0, 1000000, &d->fabric.tiles_bram) ||
	    get_int(L, cc, cp, "uram", 0, 1000000, &d->fabric.tiles_uram))
		return -1;
	return 0;
}

/*
 * device.clock_regions: the clock-region grid (cfg.h cfg_grid).  Each
 * column lists, for the site types it holds, its site columns [x0, x1];
 * per type the columns' ranges, in order, must cover 0..n-1 without gap
 * or overlap.  The grid must agree with the tile model of device.fabric:
 * n columns x rows segments per type, and the per-column resources.
 */
static int load_grid(ld_t *L, const ytree_node *g, cfg_device *d)
{
	static const char *const keys[] = {"source", "rows", "sites_per_row", "columns", NULL};
	static const char *const spr_keys[] = {"SLICE", "DSP48E2", "RAMB18", "RAMB36", "URAM288", NULL};
	static const char *const col_keys[] = {"SLICE", "DSP48E2", "RAMB36", "URAM288", NULL};
	const char *P = "device.clock_regions";
	cfg_grid *G = &d->grid;
	char p[160], np[200];
	if (want_map(L, g, P) || check_keys(L, g, P, keys) || get_str(L, g, P, "source", G->source, sizeof G->source) ||
	    get_int(L, g, P, "rows", 1, 64, &G->rows))
		return -1;
	const ytree_node *spr = req(L, g, P, "sites_per_row");
	snprintf(p, sizeof p, "%s.sites_per_row", P);
	if (!spr || want_map(L, spr, p) || check_keys(L, spr, p, spr_keys) ||
	    get_int(L, spr, p, "SLICE", 1, 10000, &G->per_row[SITE_SLICE]) ||
	    get_int(L, spr, p, "DSP48E2", 1, 10000, &G->per_row[SITE_DSP]) ||
	    get_int(L, spr, p, "RAMB36", 1, 10000, &G->per_row[SITE_RAMB36]) ||
	    get_int(L, spr, p, "URAM288", 1, 10000, &G->per_row[SITE_URAM]))
		return -1;
	G->per_row[SITE_RAMB18] = 2 * G->per_row[SITE_RAMB36];
	if (ytree_get(spr, "RAMB18")) {
		int r18;
		if (get_int(L, spr, p, "RAMB18", 1, 20000, &r18))
			return -1;
		if (r18 != G->per_row[SITE_RAMB18])
			return fail(L, ytree_get(spr, "RAMB18"),
				    "'%s.RAMB18' must be twice 'RAMB36' (%d): a RAMB36 site is two RAMB18 sites, got %d", p,
				    G->per_row[SITE_RAMB36], r18);
	}
	const ytree_node *cs = req(L, g, P, "columns");
	snprintf(p, sizeof p, "%s.columns", P);
	if (!cs || want_seq(L, cs, p))
		return -1;
	if (cs->n == 0 || cs->n > CFG_MAX_CR_COLS)
		return fail(L, cs, "'%s' must list 1 to %d clock-region columns", p, CFG_MAX_CR_COLS);
	G->cols = (int)cs->n;
	static const cfg_site col_types[] = {SITE_SLICE, SITE_DSP, SITE_RAMB36, SITE_URAM};
	for (size_t c = 0; c < cs->n; c++) {
		const ytree_node *e = cs->items[c];
		snprintf(np, sizeof np, "%s[%zu]", p, c);
		if (want_map(L, e, np) || check_keys(L, e, np, col_keys))
			return -1;
		for (size_t k = 0; k < sizeof col_types / sizeof col_types[0]; k++) {
			cfg_site t = col_types[k];
			G->x0[c][t] = 0;
			G->x1[c][t] = -1;
			const ytree_node *v = ytree_get(e, cfg_site_names[t]);
			if (!v)
				continue;
			char kp[260];
			snprintf(kp, sizeof kp, "%s.%s", np, cfg_site_names[t]);
			if (want_seq(L, v, kp))
				return -1;
			if (v->n != 2)
				return fail(L, v, "'%s' must be [first, last] site column, got %zu values", kp, v->n);
			char ip[280];
			snprintf(ip, sizeof ip, "%s[0]", kp);
			if (int_node(L, v->items[0], ip, 0, 100000, &G->x0[c][t]))
				return -1;
			snprintf(ip, sizeof ip, "%s[1]", kp);
			if (int_node(L, v->items[1], ip, G->x0[c][t], 100000, &G->x1[c][t]))
				return -1;
			if (G->x0[c][t] != G->n_x[t])
				return fail(L, v->items[0],
					    "'%s' must start at site column %d, where the columns before it end (the ranges "
					    "of a type cover 0..n-1 in order)",
					    kp, G->n_x[t]);
			G->n_x[t] = G->x1[c][t] + 1;
		}
		G->x0[c][SITE_RAMB18] = G->x0[c][SITE_RAMB36];
		G->x1[c][SITE_RAMB18] = G->x1[c][SITE_RAMB36];
	}
	G->n_x[SITE_RAMB18] = G->n_x[SITE_RAMB36];
	if (G->n_x[SITE_SLICE] == 0)
		return fail(L, cs, "'%s' must hold SLICE columns", p);
	/* the tile model of device.fabric must be this grid's */
	const struct cfg_fabric *f = &d->fabric;
	const struct {
		cfg_site t;
		int tiles;
		const char *key;
	} tl[] = {{SITE_SLICE, f->tiles_clb, "clb"},
		  {SITE_DSP, f->tiles_dsp, "dsp"},
		  {SITE_RAMB36, f->tiles_bram, "bram"},
		  {SITE_URAM, f->tiles_uram, "uram"}};
	for (size_t k = 0; k < sizeof tl / sizeof tl[0]; k++)
		if ((long)G->n_x[tl[k].t] * G->rows != tl[k].tiles)
			return fail(L, cs,
				    "'%s' gives %d %s columns x %d rows = %ld column segments, but "
				    "'device.fabric.tiles.%s' is %d",
				    p, G->n_x[tl[k].t], cfg_site_names[tl[k].t], G->rows, (long)G->n_x[tl[k].t] * G->rows,
				    tl[k].key, tl[k].tiles);
	const struct {
		cfg_site t;
		int per_col;
		const char *key;
	} pc[] = {{SITE_DSP, f->dsp_per_col, "dsp"}, {SITE_RAMB36, f->bram_per_col, "bram36"},
		  {SITE_URAM, f->uram_per_col, "uram"}};
	for (size_t k = 0; k < sizeof pc / sizeof pc[0]; k++)
		if (G->per_row[pc[k].t] != pc[k].per_col)
			return fail(L, spr, "'%s.sites_per_row.%s' is %d, but 'device.fabric.per_column.%s' is %d", P,
				    cfg_site_names[pc[k].t], G->per_row[pc[k].t], pc[k].key, pc[k].per_col);
	if (f->lut_per_clb_col % G->per_row[SITE_SLICE] || f->ff_per_clb_col % G->per_row[SITE_SLICE])
		return fail(L, spr,
			    "'%s.sites_per_row.SLICE' (%d) must divide 'device.fabric.per_column.lut_per_clb' (%d) and "
			    "'ff_per_clb' (%d): the LUTs and FFs of one slice",
			    P, G->per_row[SITE_SLICE], f->lut_per_clb_col, f->ff_per_clb_col);
	G->present = true;
	return 0;
}

static int load_device(ld_t *L, const ytree_node *n)
{
	static const char *const keys[] = {"name", "part", "resources", "clock_max_mhz", "ddr",
					   "hp_ports", "axi_max_burst_beats", "fabric", "clock_regions", NULL};
	cfg_device *d = &L->c->dev;

	if (want_map(L, n, "device") || check_keys(L, n, "device", keys))
		return -1;
	if (get_str(L, n, "device", "name", d->name, sizeof d->name) ||
	    get_str(L, n, "device", "part", d->part, sizeof d->part) ||
	    get_res(L, n, "device", "resources", &d->resources, NULL, 0) ||
	    get_int(L, n, "device", "clock_max_mhz", 1, 2000, &d->clock_max_mhz) ||
	    get_int(L, n, "device", "axi_max_burst_beats", 1, 256, &d->axi_max_burst_beats))
		return -1;
	for (int i = 0; i < RES_N; i++)
		if (d->resources.v[i] < 1)
			return fail(L, ytree_get(n, "resources"), "'device.resources.%s' must be at least 1",
				    res_names[i]);

	if (load_ddr(L, n, d) || load_hp_ports(L, n, d) || load_fabric(L, n, d))
		return -1;
	const ytree_node *g = ytree_get(n, "clock_regions");
	return g ? load_grid(L, g, d) : 0;
}

/* ------------------------------------------------------------------ model */

static int load_model(ld_t *L, const ytree_node *n)
{
	static const char *const keys[] = {"name", "layers", "hidden", "heads", "kv_heads", "head_dim",
					   "ffn", "ffn_matrices", "vocab", "max_context", "weight_group",
					   "weight_index_bits", "act_bits", "kv_bytes", "attn_bytes", NULL};
	cfg_model *m = &L->c->model;
	const char *P = "model";
	if (want_map(L, n, P) || check_keys(L, n, P, keys) ||
	    get_str(L, n, P, "name", m->name, sizeof m->name) ||
	    get_int(L, n, P, "layers", 1, 1024, &m->layers) ||
	    get_int(L, n, P, "hidden", 1, 65536, &m->hidden) ||
	    get_int(L, n, P, "heads", 1, 1024, &m->heads) ||
	    get_int(L, n, P, "kv_heads", 1, 1024, &m->kv_heads) ||
	    get_int(L, n, P, "head_dim", 1, 1024, &m->head_dim) ||
	    get_int(L, n, P, "ffn", 1, 262144, &m->ffn) ||
	    get_int(L, n, P, "ffn_matrices", 2, 3, &m->ffn_matrices) ||
	    get_int(L, n, P, "vocab", 1, 10000000, &m->vocab) ||
	    get_int(L, n, P, "max_context", 1, 1 << 20, &m->max_context) ||
	    get_int(L, n, P, "weight_group", 1, 8, &m->weight_group) ||
	    get_int(L, n, P, "weight_index_bits", 1, 16, &m->weight_index_bits) ||
	    get_int(L, n, P, "act_bits", 1, 32, &m->act_bits) ||
	    get_int(L, n, P, "kv_bytes", 1, 8, &m->kv_bytes) ||
	    get_int(L, n, P, "attn_bytes", 1, 8, &m->attn_bytes))
		return -1;
	if (m->heads % m->kv_heads)
		return fail(L, ytree_get(n, "kv_heads"),
			    "'model.kv_heads' (%d) must divide 'model.heads' (%d)", m->kv_heads, m->heads);
	long states = 1;
	for (int i = 0; i < m->weight_group; i++)
		states *= 3;
	if (states > (1L << m->weight_index_bits))
		return fail(L, ytree_get(n, "weight_index_bits"),
			    "'model.weight_index_bits' (%d) cannot index 3^%d = %ld weight patterns",
			    m->weight_index_bits, m->weight_group, states);
	return 0;
}

static int load_workload(ld_t *L, const ytree_node *n)
{
	static const char *const keys[] = {"prompts", "decode_contexts", "gen_tokens", NULL};
	cfg_workload *w = &L->c->wl;
	int maxc = L->c->model.max_context;
	if (want_map(L, n, "workload") || check_keys(L, n, "workload", keys) ||
	    get_int_list(L, n, "workload", "prompts", 1, maxc, w->prompts, &w->n_prompts) ||
	    get_int_list(L, n, "workload", "decode_contexts", 1, maxc, w->contexts, &w->n_contexts) ||
	    get_int(L, n, "workload", "gen_tokens", 1, maxc, &w->gen_tokens))
		return -1;
	return 0;
}

/* ----------------------------------------------------------- architecture */

/*
 * What a pblock covers: its tile counts, or `sites`, a list of site ranges
 * on the device's clock-region grid from which the counts are derived
 * (models/floorplan.h).  A pblock of counts on a device with a grid is
 * placed on it.
 */
static int load_pblock_area(ld_t *L, const ytree_node *e, const char *p, cfg_pblock *pb)
{
	const cfg_device *d = &L->c->dev;
	const ytree_node *sites = ytree_get(e, "sites");
	static const char *const count_keys[] = {"clb_tiles", "dsp_tiles", "bram_tiles", "uram_sites"};
	char err[512];
	if (sites) {
		for (size_t k = 0; k < sizeof count_keys / sizeof count_keys[0]; k++)
			if (ytree_get(e, count_keys[k]))
				return fail(L, ytree_get(e, count_keys[k])->key,
					    "'%s' gives both 'sites' and '%s': the tile counts are derived from the sites",
					    p, count_keys[k]);
		char sp[200];
		snprintf(sp, sizeof sp, "%s.sites", p);
		if (!d->grid.present)
			return fail(L, sites->key,
				    "'%s' needs the device's clock-region grid ('device.clock_regions'), which the config "
				    "does not give",
				    sp);
		if (want_seq(L, sites, sp))
			return -1;
		if (sites->n == 0 || sites->n > CFG_MAX_RANGES)
			return fail(L, sites, "'%s' must list 1 to %d site ranges", sp, CFG_MAX_RANGES);
		for (size_t i = 0; i < sites->n; i++) {
			char ip[220], txt[96];
			snprintf(ip, sizeof ip, "%s[%zu]", sp, i);
			if (str_node(L, sites->items[i], ip, txt, sizeof txt))
				return -1;
			if (floorplan_parse_range(txt, &pb->given[i], err, sizeof err) ||
			    floorplan_check_range(&d->grid, &pb->given[i], err, sizeof err))
				return fail(L, sites->items[i], "'%s': %s", ip, err);
		}
		pb->n_ranges = (int)sites->n;
		pb->from_ranges = true;
		if (floorplan_derive(d, pb, err, sizeof err))
			return fail(L, sites, "'%s': %s", sp, err);
		return 0;
	}
	if (get_int(L, e, p, "clb_tiles", 1, d->fabric.tiles_clb, &pb->clb_tiles) ||
	    get_int(L, e, p, "dsp_tiles", 0, d->fabric.tiles_dsp, &pb->dsp_tiles) ||
	    get_int(L, e, p, "bram_tiles", 0, d->fabric.tiles_bram, &pb->bram_tiles) ||
	    get_int(L, e, p, "uram_sites", 0, (long long)d->resources.v[RES_URAM], &pb->uram_sites))
		return -1;
	if (d->grid.present && floorplan_place(d, pb, err, sizeof err))
		return fail(L, e, "'%s': %s", p, err);
	return 0;
}

static int load_arch(ld_t *L, const ytree_node *n)
{
	static const char *const keys[] = {"static_region", "port_maps", "pblocks", NULL};
	static const char *const sr_keys[] = {"weight_ports", "weight_burst_beats",
					      "weight_outstanding", NULL};
	static const char *const pm_keys[] = {"q", "k", "v", "o", "q_preload", "o_after_kv", NULL};
	static const char *const pb_keys[] = {"name", "clb_tiles", "dsp_tiles", "bram_tiles",
					      "uram_sites", "sites", NULL};
	cfg_t *c = L->c;
	const cfg_device *d = &c->dev;
	char p[160];
	uint32_t mask;

	if (want_map(L, n, "architecture") || check_keys(L, n, "architecture", keys))
		return -1;
	const char *SP = "architecture.static_region";
	const ytree_node *sr = req(L, n, "architecture", "static_region");
	if (!sr || want_map(L, sr, SP) || check_keys(L, sr, SP, sr_keys) ||
	    port_mask(L, sr, SP, "weight_ports", &mask) ||
	    get_int(L, sr, SP, "weight_burst_beats", 1, d->axi_max_burst_beats, &c->arch.weight_burst) ||
	    get_int(L, sr, SP, "weight_outstanding", 1, 256, &c->arch.weight_outstanding))
		return -1;
	c->arch.weight_ports = (int)mask;

	const ytree_node *pms = req(L, n, "architecture", "port_maps");
	if (!pms || want_map(L, pms, "architecture.port_maps"))
		return -1;
	if (pms->n == 0 || pms->n > CFG_MAX_PORTMAPS)
		return fail(L, pms, "'architecture.port_maps' must define 1 to %d port maps",
			    CFG_MAX_PORTMAPS);
	c->arch.n_port_maps = (int)pms->n;
	for (size_t i = 0; i < pms->n; i++) {
		cfg_portmap *pm = &c->arch.port_maps[i];
		char kp[200], b[64];
		snprintf(kp, sizeof kp, "architecture.port_maps.%s", shown(pms->keys[i], b, sizeof b));
		if (ident_node(L, pms->keys[i], kp, pm->name, sizeof pm->name))
			return -1;
		snprintf(p, sizeof p, "architecture.port_maps.%s", pm->name);
		const ytree_node *e = pms->items[i];
		if (want_map(L, e, p) || check_keys(L, e, p, pm_keys) || port_mask(L, e, p, "q", &pm->pm.q) ||
		    port_mask(L, e, p, "k", &pm->pm.k) || port_mask(L, e, p, "v", &pm->pm.v) ||
		    port_mask(L, e, p, "o", &pm->pm.o) ||
		    get_bool(L, e, p, "q_preload", false, &pm->pm.q_preload) ||
		    get_bool(L, e, p, "o_after_kv", false, &pm->pm.o_after_kv))
			return -1;
	}

	const ytree_node *pbs = req(L, n, "architecture", "pblocks");
	if (!pbs || want_seq(L, pbs, "architecture.pblocks"))
		return -1;
	if (pbs->n > CFG_MAX_PBLOCKS)
		return fail(L, pbs, "'architecture.pblocks' lists more than %d pblocks", CFG_MAX_PBLOCKS);
	c->arch.n_pblocks = (int)pbs->n;
	for (size_t i = 0; i < pbs->n; i++) {
		cfg_pblock *pb = &c->arch.pblocks[i];
		const ytree_node *e = pbs->items[i];
		char np[200];
		snprintf(p, sizeof p, "architecture.pblocks[%zu]", i);
		if (want_map(L, e, p) || check_keys(L, e, p, pb_keys))
			return -1;
		const ytree_node *nm = req(L, e, p, "name");
		snprintf(np, sizeof np, "%s.name", p);
		if (!nm || ident_node(L, nm, np, pb->name, sizeof pb->name))
			return -1;
		for (size_t j = 0; j < i; j++)
			if (strcmp(c->arch.pblocks[j].name, pb->name) == 0)
				return fail(L, nm, "pblock '%s' is defined twice", pb->name);
		if (load_pblock_area(L, e, p, pb))
			return -1;
	}
	return 0;
}

/* A name that must be one of the config's port maps / pblocks. */
static int ref_node(ld_t *L, const ytree_node *n, const char *p, bool pblock, int *out)
{
	char name[PDS_NAME_MAX];
	if (ident_node(L, n, p, name, sizeof name))
		return -1;
	*out = pblock ? cfg_find_pblock(L->c, name) : cfg_find_portmap(L->c, name);
	if (*out < 0) {
		char list[512] = "";
		int cnt = pblock ? L->c->arch.n_pblocks : L->c->arch.n_port_maps;
		for (int i = 0; i < cnt; i++) {
			if (i)
				strncat(list, ", ", sizeof list - strlen(list) - 1);
			strncat(list,
				pblock ? L->c->arch.pblocks[i].name : L->c->arch.port_maps[i].name,
				sizeof list - strlen(list) - 1);
		}
		return fail(L, n, "'%s' names '%s', which is not a defined %s (defined: %s)", p, name,
			    pblock ? "pblock" : "port map", *list ? list : "none");
	}
	return 0;
}

static int get_ref(ld_t *L, const ytree_node *map, const char *path, const char *key, bool pblock,
		   int *out)
{
	char p[256];
	const ytree_node *n = req(L, map, path, key);
	if (!n)
		return -1;
	kpath(p, sizeof p, path, key);
	return ref_node(L, n, p, pblock, out);
}

/* ---------------------------------------------------------------- designs */

static int mode_node(ld_t *L, const ytree_node *n, const char *p, arch_mode *m)
{
	char b[64];
	if (n->kind == YTREE_SCALAR && !n->quoted && strcmp(n->str, "static") == 0)
		*m = MODE_STATIC;
	else if (n->kind == YTREE_SCALAR && !n->quoted && strcmp(n->str, "dpr") == 0)
		*m = MODE_DPR;
	else
		return fail(L, n, "'%s' must be 'static' or 'dpr', got '%s'", p, shown(n, b, sizeof b));
	return 0;
}

static int dataflow_word(ld_t *L, const ytree_node *n, const char *p, dataflow_t *out)
{
	char b[64];
	for (int i = 0; i < DF_N; i++)
		if (n->kind == YTREE_SCALAR && !n->quoted && strcmp(n->str, dataflow_names[i]) == 0) {
			*out = (dataflow_t)i;
			return 0;
		}
	return fail(L, n, "'%s' must be one of serial, kv_overlap, head_pipeline; got '%s'", p, shown(n, b, sizeof b));
}

/*
 * decode.dataflow: {value: serial|kv_overlap|head_pipeline, prov, source}
 * (a plain word is a design choice: prov assumed); serial when absent.
 */
static int dataflow_into(ld_t *L, const ytree_node *dec, const char *P, dataflow_t *df, prov_t *prov, char *src,
			 size_t srclen)
{
	static const char *const keys[] = {"value", "prov", "source", NULL};
	char p[220], vp[240];
	const ytree_node *v = ytree_get(dec, "dataflow");
	snprintf(p, sizeof p, "%s.dataflow", P);
	*df = DF_SERIAL;
	*prov = PROV_ASSUMED;
	snprintf(src, srclen, "not stated: Q.K, softmax and S.V one after another");
	if (!v)
		return 0;
	if (v->kind == YTREE_SCALAR) {
		snprintf(src, srclen, "a design choice");
		return dataflow_word(L, v, p, df);
	}
	if (want_map(L, v, p) || check_keys(L, v, p, keys))
		return -1;
	const ytree_node *w = req(L, v, p, "value");
	snprintf(vp, sizeof vp, "%s.value", p);
	if (!w || dataflow_word(L, w, vp, df) || prov_node(L, v, p, prov))
		return -1;
	if (*prov == PROV_FITTED)
		return fail(L, ytree_get(v, "prov"), "'%s.prov' cannot be fitted: no fit chooses a dataflow", p);
	return get_str(L, v, p, "source", src, srclen);
}

static int load_dataflow(ld_t *L, const ytree_node *dec, const char *P, cfg_design *cd)
{
	return dataflow_into(L, dec, P, &cd->d.dec_dataflow, &cd->df_prov, cd->df_source, sizeof cd->df_source);
}

/* infer_from: {SIZE: ROW, ...}, SIZE one of cfg_size_names, ROW one of cfg_row_names. */
static int load_infer(ld_t *L, const ytree_node *n, const char *P, cfg_design *cd)
{
	char p[220], kp[260], b[64];
	const ytree_node *v = ytree_get(n, "infer_from");
	cd->n_inferred = 0;
	if (!v)
		return 0;
	snprintf(p, sizeof p, "%s.infer_from", P);
	if (want_map(L, v, p))
		return -1;
	if (v->n == 0)
		return fail(L, v, "'%s' must name at least one size (prefill.pe, prefill.lanes, decode.lanes)", p);
	bool engine[2] = {false, false};
	for (size_t i = 0; i < v->n; i++) {
		const ytree_node *k = v->keys[i], *r = v->items[i];
		int size = -1, row = -1;
		for (int j = 0; j < CFG_N_SIZES; j++)
			if (k->kind == YTREE_SCALAR && strcmp(k->str, cfg_size_names[j]) == 0)
				size = j;
		if (size < 0)
			return fail(L, k, "unknown key '%s' in '%s'; expected one of: prefill.pe, prefill.lanes, decode.lanes",
				    shown(k, b, sizeof b), p);
		snprintf(kp, sizeof kp, "%s.%s", p, cfg_size_names[size]);
		for (int j = 0; j < CFG_N_ROWS; j++)
			if (r->kind == YTREE_SCALAR && !r->quoted && strcmp(r->str, cfg_row_names[j]) == 0)
				row = j;
		if (row < 0)
			return fail(L, r, "'%s' must name a measured resource row, table2.prefill_rm or table2.decode_rm; got '%s'",
				    kp, shown(r, b, sizeof b));
		bool pre = size != CFG_SIZE_DEC_LANES;
		if ((row == CFG_ROW_PREFILL_RM) != pre)
			return fail(L, r, "'%s': the %s engine's size comes from its own row (%s), not '%s'", kp,
				    pre ? "prefill" : "decode", cfg_row_names[pre ? CFG_ROW_PREFILL_RM : CFG_ROW_DECODE_RM],
				    cfg_row_names[row]);
		if (engine[!pre])
			return fail(L, k, "'%s': one size per engine may be inferred (its row gives one number per resource type)",
				    kp);
		engine[!pre] = true;
		cd->inferred[cd->n_inferred].size = size;
		cd->inferred[cd->n_inferred].row = row;
		cd->n_inferred++;
	}
	return 0;
}

static bool inferred(const cfg_design *cd, int size)
{
	for (int k = 0; k < cd->n_inferred; k++)
		if (cd->inferred[k].size == size)
			return true;
	return false;
}

/* An engine size: required, or absent when infer_from names it (a placeholder of 1 until inferred). */
static int get_size(ld_t *L, const ytree_node *map, const char *path, const char *key, long long hi,
		    const cfg_design *cd, int size, int *out)
{
	if (size >= 0 && inferred(cd, size)) {
		char p[260];
		kpath(p, sizeof p, path, key);
		if (ytree_get(map, key))
			return fail(L, ytree_get(map, key), "'%s' is inferred (infer_from); leave it out", p);
		*out = 1;
		return 0;
	}
	return get_int(L, map, path, key, 1, hi, out);
}

/* ------------------------------------------------------------- K/V cache */

/* One word of a vocabulary, unquoted; *out its index. */
static int word_node(ld_t *L, const ytree_node *n, const char *p, const char *const *words, int nw, int *out)
{
	char b[64], list[160] = "";
	for (int i = 0; i < nw; i++) {
		if (n->kind == YTREE_SCALAR && !n->quoted && strcmp(n->str, words[i]) == 0) {
			*out = i;
			return 0;
		}
		snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "", words[i]);
	}
	return fail(L, n, "'%s' must be one of %s; got '%s'", p, list, shown(n, b, sizeof b));
}

/* A non-empty list of distinct words of a vocabulary. */
static int get_word_list(ld_t *L, const ytree_node *map, const char *path, const char *key, const char *const *words,
			 int nw, int *out, int *n_out)
{
	char p[256], ip[300], b[64];
	const ytree_node *s = req(L, map, path, key);
	if (!s)
		return -1;
	kpath(p, sizeof p, path, key);
	if (want_seq(L, s, p))
		return -1;
	if (s->n == 0)
		return fail(L, s, "'%s' must list at least one value", p);
	if (s->n > CFG_MAX_LIST)
		return fail(L, s, "'%s' lists %zu values; at most %d are allowed", p, s->n, CFG_MAX_LIST);
	for (size_t i = 0; i < s->n; i++) {
		snprintf(ip, sizeof ip, "%s[%zu]", p, i);
		if (word_node(L, s->items[i], ip, words, nw, &out[i]))
			return -1;
		for (size_t j = 0; j < i; j++)
			if (out[j] == out[i])
				return fail(L, s->items[i], "'%s' repeats the value %s", p, shown(s->items[i], b, sizeof b));
	}
	*n_out = (int)s->n;
	return 0;
}

/* serves: [prefill, decode] (either or both); both when absent. */
static int serves_node(ld_t *L, const ytree_node *m, const char *P, uint8_t *out)
{
	char p[300], ip[330], b[64];
	const ytree_node *v = ytree_get(m, "serves");
	*out = RM_SERVE_PRE | RM_SERVE_DEC;
	if (!v)
		return 0;
	snprintf(p, sizeof p, "%s.serves", P);
	if (want_seq(L, v, p))
		return -1;
	if (v->n == 0)
		return fail(L, v, "'%s' must list prefill, decode or both", p);
	*out = 0;
	for (size_t i = 0; i < v->n; i++) {
		const ytree_node *e = v->items[i];
		snprintf(ip, sizeof ip, "%s[%zu]", p, i);
		uint8_t bit = 0;
		if (e->kind == YTREE_SCALAR && !e->quoted && strcmp(e->str, "prefill") == 0)
			bit = RM_SERVE_PRE;
		else if (e->kind == YTREE_SCALAR && !e->quoted && strcmp(e->str, "decode") == 0)
			bit = RM_SERVE_DEC;
		else
			return fail(L, e, "'%s' must be 'prefill' or 'decode', got '%s'", ip, shown(e, b, sizeof b));
		if (*out & bit)
			return fail(L, e, "'%s' repeats '%s'", p, e->str);
		*out |= bit;
	}
	return 0;
}

/*
 * A named design's K/V cache: kv_precision (fp16, int8, int4; fp16 when
 * absent), kv_window and kv_sinks (keys per layer on chip, 0 when absent)
 * and kv_tier_region (none, static, rp; none when absent).  What needs the
 * kv_cache section or the inferred engine sizes is checked later
 * (kv_checks).
 */
static int load_design_kv(ld_t *L, const ytree_node *n, const char *P, design_t *d)
{
	const int maxc = L->c->model.max_context;
	const ytree_node *v;
	char p[240];
	int k;
	d->kv_prec = KV_FP16;
	d->kv_window = d->kv_sinks = 0;
	d->kv_tier = KV_TIER_NONE;
	if ((v = ytree_get(n, "kv_precision")) != NULL) {
		snprintf(p, sizeof p, "%s.kv_precision", P);
		if (word_node(L, v, p, kv_prec_names, KV_N, &k))
			return -1;
		d->kv_prec = (kv_prec_t)k;
	}
	if ((ytree_get(n, "kv_window") && get_int(L, n, P, "kv_window", 0, maxc, &d->kv_window)) ||
	    (ytree_get(n, "kv_sinks") && get_int(L, n, P, "kv_sinks", 0, maxc, &d->kv_sinks)))
		return -1;
	if ((v = ytree_get(n, "kv_tier_region")) != NULL) {
		snprintf(p, sizeof p, "%s.kv_tier_region", P);
		if (word_node(L, v, p, kv_tier_names, KV_TIER_N, &k))
			return -1;
		d->kv_tier = (kv_tier_t)k;
		if (d->kv_tier == KV_TIER_RP && d->mode != MODE_DPR)
			return fail(L, v, "'%s' is rp, but a static design has no reconfigurable partition; use static", p);
	}
	if ((long long)d->kv_window + d->kv_sinks > maxc)
		return fail(L, ytree_get(n, "kv_window") ? ytree_get(n, "kv_window") : ytree_get(n, "kv_sinks"),
			    "'%s.kv_window' (%d) and '%s.kv_sinks' (%d) keep more keys per layer on chip than "
			    "'model.max_context' (%d)", P, d->kv_window, P, d->kv_sinks, maxc);
	if (d->kv_tier == KV_TIER_NONE && d->kv_window + d->kv_sinks > 0)
		return fail(L, ytree_get(n, "kv_window") ? ytree_get(n, "kv_window") : ytree_get(n, "kv_sinks"),
			    "'%s' keeps %d keys per layer on chip (kv_window + kv_sinks) but has no tier region: set "
			    "'%s.kv_tier_region' to static or rp", P, d->kv_window + d->kv_sinks, P);
	if (d->kv_tier != KV_TIER_NONE && d->kv_window + d->kv_sinks == 0)
		return fail(L, ytree_get(n, "kv_tier_region"),
			    "'%s.kv_tier_region' is %s but kv_window and kv_sinks keep no key on chip", P,
			    kv_tier_names[d->kv_tier]);
	return 0;
}

/*
 * One module of designs.NAME.rms: {name, prefill: {pe, lanes, block,
 * burst_beats, outstanding, port_map}, decode: {lanes, burst_beats,
 * outstanding, dataflow, port_map}, serves}, at least one engine.  The
 * dataflow's provenance is kept for the design's first decode engine.
 */
static int load_rm(ld_t *L, const ytree_node *n, const char *P, rm_t *m, cfg_design *cd, bool first_dec)
{
	static const char *const keys[] = {"name", "prefill", "decode", "serves", NULL};
	static const char *const pk[] = {"pe", "lanes", "block", "burst_beats", "outstanding", "port_map", NULL};
	static const char *const dk[] = {"lanes", "burst_beats", "outstanding", "dataflow", "port_map", NULL};
	const cfg_t *c = L->c;
	int maxb = c->dev.axi_max_burst_beats;
	char p[300];
	const ytree_node *v;
	memset(m, 0, sizeof *m);
	if (want_map(L, n, P) || check_keys(L, n, P, keys))
		return -1;
	if (!(v = req(L, n, P, "name")))
		return -1;
	snprintf(p, sizeof p, "%s.name", P);
	char nm[PDS_NAME_MAX];
	if (ident_node(L, v, p, nm, sizeof nm))
		return -1;
	if (strlen(nm) >= RMS_NAME_MAX)
		return fail(L, v, "'%s' must be shorter than %d characters, got '%s'", p, RMS_NAME_MAX, nm);
	snprintf(m->name, sizeof m->name, "%s", nm);
	if ((v = ytree_get(n, "prefill")) != NULL) {
		snprintf(p, sizeof p, "%s.prefill", P);
		m->engines |= RM_ENG_PRE;
		if (want_map(L, v, p) || check_keys(L, v, p, pk) || get_int(L, v, p, "pe", 1, 4096, &m->pre_pe) ||
		    get_int(L, v, p, "lanes", 1, c->model.head_dim, &m->pre_lanes) ||
		    get_int(L, v, p, "block", 1, 4096, &m->pre_block) ||
		    get_int(L, v, p, "burst_beats", 1, maxb, &m->pre_burst) ||
		    get_int(L, v, p, "outstanding", 1, 256, &m->pre_outstanding) ||
		    get_ref(L, v, p, "port_map", false, &m->pm_pre))
			return -1;
	}
	if ((v = ytree_get(n, "decode")) != NULL) {
		snprintf(p, sizeof p, "%s.decode", P);
		m->engines |= RM_ENG_DEC;
		prov_t prov;
		char src[PDS_TEXT_MAX];
		if (want_map(L, v, p) || check_keys(L, v, p, dk) ||
		    get_int(L, v, p, "lanes", 1, c->model.head_dim, &m->dec_lanes) ||
		    get_int(L, v, p, "burst_beats", 1, maxb, &m->dec_burst) ||
		    get_int(L, v, p, "outstanding", 1, 256, &m->dec_outstanding) ||
		    dataflow_into(L, v, p, &m->dec_dataflow, &prov, src, sizeof src) ||
		    get_ref(L, v, p, "port_map", false, &m->pm_dec))
			return -1;
		if (first_dec) {
			cd->df_prov = prov;
			snprintf(cd->df_source, sizeof cd->df_source, "%s", src);
		}
	}
	if (!m->engines)
		return fail(L, n, "'%s' holds no engine: give it 'prefill:', 'decode:' or both (a hybrid)", P);
	return serves_node(L, n, P, &m->serves);
}

/* designs.NAME.rms: 1 to RMS_MAX modules; the design's engines become the
 * set's first prefill and first decode engine. */
static int load_rms(ld_t *L, const ytree_node *v, const char *P, cfg_design *cd)
{
	char p[220], ip[240];
	design_t *d = &cd->d;
	snprintf(p, sizeof p, "%s.rms", P);
	if (want_seq(L, v, p))
		return -1;
	if (v->n < 1 || v->n > RMS_MAX)
		return fail(L, v, "'%s' must list 1 to %d modules, got %zu", p, RMS_MAX, v->n);
	d->rms.n = (int)v->n;
	int first_pre = -1, first_dec = -1;
	uint8_t served = 0;
	for (size_t i = 0; i < v->n; i++) {
		snprintf(ip, sizeof ip, "%s[%zu]", p, i);
		rm_t *m = &d->rms.rm[i];
		if (load_rm(L, v->items[i], ip, m, cd, first_dec < 0))
			return -1;
		for (size_t j = 0; j < i; j++)
			if (strcmp(d->rms.rm[j].name, m->name) == 0)
				return fail(L, ytree_get(v->items[i], "name"), "'%s' repeats the module name '%s'", p, m->name);
		if (first_pre < 0 && (m->engines & RM_ENG_PRE))
			first_pre = (int)i;
		if (first_dec < 0 && (m->engines & RM_ENG_DEC))
			first_dec = (int)i;
		served |= m->serves;
	}
	if (first_pre < 0 || first_dec < 0)
		return fail(L, v, "'%s' holds no %s engine: a set needs one of each, in one module (a hybrid) or two", p,
			    first_pre < 0 ? "prefill" : "decode");
	if (served != (RM_SERVE_PRE | RM_SERVE_DEC))
		return fail(L, v, "'%s': no module serves %s", p, served & RM_SERVE_PRE ? "decode" : "prefill");
	const rm_t *a = &d->rms.rm[first_pre], *b = &d->rms.rm[first_dec];
	d->pre_pe = a->pre_pe;
	d->pre_lanes = a->pre_lanes;
	d->pre_block = a->pre_block;
	d->pre_burst = a->pre_burst;
	d->pre_outstanding = a->pre_outstanding;
	d->pm_pre = a->pm_pre;
	d->dec_lanes = b->dec_lanes;
	d->dec_burst = b->dec_burst;
	d->dec_outstanding = b->dec_outstanding;
	d->pm_dec = b->pm_dec;
	d->dec_dataflow = b->dec_dataflow;
	return 0;
}

static int load_design(ld_t *L, const ytree_node *n, const char *P, cfg_design *cd)
{
	static const char *const keys[] = {"mode", "clock_mhz", "tlmm", "prefill", "decode",
					   "port_maps", "rp", "infer_from", "kv_precision", "kv_window",
					   "kv_sinks", "kv_tier_region", "rms", NULL};
	static const char *const tk[] = {"tables", "lanes", NULL};
	static const char *const pk[] = {"pe", "lanes", "block", "burst_beats", "outstanding", NULL};
	static const char *const dk[] = {"lanes", "burst_beats", "outstanding", "dataflow", NULL};
	static const char *const mk[] = {"prefill", "decode", NULL};
	const cfg_t *c = L->c;
	design_t *d = &cd->d;
	char p[200];
	const ytree_node *v;
	int maxb = c->dev.axi_max_burst_beats;

	memset(d, 0, sizeof *d);
	if (want_map(L, n, P) || check_keys(L, n, P, keys) || load_infer(L, n, P, cd))
		return -1;
	if (!(v = req(L, n, P, "mode")))
		return -1;
	snprintf(p, sizeof p, "%s.mode", P);
	if (mode_node(L, v, p, &d->mode) ||
	    get_int(L, n, P, "clock_mhz", 1, c->dev.clock_max_mhz, &d->clock_mhz))
		return -1;
	snprintf(p, sizeof p, "%s.tlmm", P);
	if (!(v = req(L, n, P, "tlmm")) || want_map(L, v, p) || check_keys(L, v, p, tk) ||
	    get_int(L, v, p, "tables", 1, 4096, &d->tlmm_tables) ||
	    get_int(L, v, p, "lanes", 1, 4096, &d->tlmm_lanes))
		return -1;
	const ytree_node *rms = ytree_get(n, "rms");
	if (rms) {
		snprintf(p, sizeof p, "%s.rms", P);
		if (d->mode != MODE_DPR)
			return fail(L, rms, "'%s' is only for mode 'dpr'; a static design has no reconfigurable partition", p);
		static const char *const not_with[] = {"prefill", "decode", "port_maps", "infer_from"};
		for (int i = 0; i < 4; i++)
			if ((v = ytree_get(n, not_with[i])) != NULL)
				return fail(L, v, "'%s.%s' does not go with '%s': each module carries its engines and port maps",
					    P, not_with[i], p);
		if (load_rms(L, rms, P, cd))
			return -1;
	} else {
		snprintf(p, sizeof p, "%s.prefill", P);
		if (!(v = req(L, n, P, "prefill")) || want_map(L, v, p) || check_keys(L, v, p, pk) ||
		    get_size(L, v, p, "pe", 4096, cd, CFG_SIZE_PRE_PE, &d->pre_pe) ||
		    get_size(L, v, p, "lanes", c->model.head_dim, cd, CFG_SIZE_PRE_LANES, &d->pre_lanes) ||
		    get_int(L, v, p, "block", 1, 4096, &d->pre_block) ||
		    get_int(L, v, p, "burst_beats", 1, maxb, &d->pre_burst) ||
		    get_int(L, v, p, "outstanding", 1, 256, &d->pre_outstanding))
			return -1;
		snprintf(p, sizeof p, "%s.decode", P);
		if (!(v = req(L, n, P, "decode")) || want_map(L, v, p) || check_keys(L, v, p, dk) ||
		    get_size(L, v, p, "lanes", c->model.head_dim, cd, CFG_SIZE_DEC_LANES, &d->dec_lanes) ||
		    get_int(L, v, p, "burst_beats", 1, maxb, &d->dec_burst) ||
		    get_int(L, v, p, "outstanding", 1, 256, &d->dec_outstanding) || load_dataflow(L, v, p, cd))
			return -1;
		snprintf(p, sizeof p, "%s.port_maps", P);
		if (!(v = req(L, n, P, "port_maps")) || want_map(L, v, p) || check_keys(L, v, p, mk) ||
		    get_ref(L, v, p, "prefill", false, &d->pm_pre) || get_ref(L, v, p, "decode", false, &d->pm_dec))
			return -1;
	}
	const ytree_node *rp = ytree_get(n, "rp");
	snprintf(p, sizeof p, "%s.rp", P);
	d->rp = -1;
	if (d->mode == MODE_DPR) {
		if (!rp)
			return fail(L, holder(n), "missing required key '%s' (a dpr design needs a pblock)", p);
		if (ref_node(L, rp, p, true, &d->rp))
			return -1;
	} else if (rp) {
		return fail(L, rp, "'%s' is only for mode 'dpr'; a static design has no reconfigurable partition", p);
	}
	if (load_design_kv(L, n, P, d))
		return -1;
	if (!kvcache_fits_modules(d))
		return fail(L, ytree_get(n, d->kv_prec != KV_FP16 ? "kv_precision" : "kv_tier_region"),
			    "'%s' names its modules (rms:), which take the fp16 K/V cache without an on-chip tier; got "
			    "kv_precision %s and kv_tier_region %s", P, kv_prec_names[d->kv_prec], kv_tier_names[d->kv_tier]);
	return 0;
}

static int load_designs(ld_t *L, const ytree_node *n)
{
	cfg_t *c = L->c;
	if (want_map(L, n, "designs"))
		return -1;
	if (n->n == 0 || n->n > CFG_MAX_DESIGNS)
		return fail(L, n, "'designs' must define 1 to %d designs", CFG_MAX_DESIGNS);
	c->n_designs = (int)n->n;
	for (size_t i = 0; i < n->n; i++) {
		cfg_design *cd = &c->designs[i];
		char p[128];
		char kp[200], b[64];
		snprintf(kp, sizeof kp, "designs.%s", shown(n->keys[i], b, sizeof b));
		if (ident_node(L, n->keys[i], kp, cd->name, sizeof cd->name))
			return -1;
		if (strcmp(cd->name, "best") == 0)
			return fail(L, n->keys[i], "'designs.best' is reserved for the design a sweep chooses");
		snprintf(p, sizeof p, "designs.%s", cd->name);
		if (load_design(L, n->items[i], p, cd))
			return -1;
	}
	return 0;
}

/* ------------------------------------------------ the modules of the sweep */

/* An integer or a list of them, each in [lo, hi], into out[] (distinct). */
static int int_or_list(ld_t *L, const ytree_node *map, const char *path, const char *key, long long lo, long long hi,
		       int *out, int *n_out)
{
	const ytree_node *v = ytree_get(map, key);
	if (v && v->kind == YTREE_SCALAR) {
		char p[300];
		kpath(p, sizeof p, path, key);
		*n_out = 1;
		return int_node(L, v, p, lo, hi, &out[0]);
	}
	return get_int_list(L, map, path, key, lo, hi, out, n_out);
}

/* A port map or a list of them. */
static int pm_or_list(ld_t *L, const ytree_node *map, const char *path, int *out, int *n_out)
{
	char p[300], ip[330];
	const ytree_node *v = req(L, map, path, "port_map");
	if (!v)
		return -1;
	kpath(p, sizeof p, path, "port_map");
	if (v->kind == YTREE_SCALAR) {
		*n_out = 1;
		return ref_node(L, v, p, false, &out[0]);
	}
	if (want_seq(L, v, p))
		return -1;
	if (v->n == 0 || v->n > CFG_MAX_LIST)
		return fail(L, v, "'%s' must list 1 to %d port maps", p, CFG_MAX_LIST);
	for (size_t i = 0; i < v->n; i++) {
		snprintf(ip, sizeof ip, "%s[%zu]", p, i);
		if (ref_node(L, v->items[i], ip, false, &out[i]))
			return -1;
		for (size_t j = 0; j < i; j++)
			if (out[j] == out[i])
				return fail(L, v->items[i], "'%s' repeats a name", p);
	}
	*n_out = (int)v->n;
	return 0;
}

/* One entry of design_space.rm_modules: its engines' lists of sizes. */
typedef struct {
	char name[PDS_NAME_MAX];
	uint8_t engines, serves;
	int n_pe, pe[CFG_MAX_LIST], n_pl, pl[CFG_MAX_LIST], n_bl, bl[CFG_MAX_LIST], n_ppm, ppm[CFG_MAX_LIST];
	int n_dl, dl[CFG_MAX_LIST], n_dpm, dpm[CFG_MAX_LIST];
	dataflow_t df;
	const ytree_node *node;
} rm_entry;

static int load_rm_entry(ld_t *L, const ytree_node *n, const char *P, rm_entry *e)
{
	static const char *const keys[] = {"prefill", "decode", "serves", NULL};
	static const char *const pk[] = {"pe", "lanes", "block", "port_map", NULL};
	static const char *const dk[] = {"lanes", "port_map", "dataflow", NULL};
	const cfg_t *c = L->c;
	char p[340];
	const ytree_node *v;
	e->node = n;
	if (want_map(L, n, P) || check_keys(L, n, P, keys))
		return -1;
	if ((v = ytree_get(n, "prefill")) != NULL) {
		snprintf(p, sizeof p, "%s.prefill", P);
		e->engines |= RM_ENG_PRE;
		if (want_map(L, v, p) || check_keys(L, v, p, pk) || int_or_list(L, v, p, "pe", 1, 4096, e->pe, &e->n_pe) ||
		    int_or_list(L, v, p, "lanes", 1, c->model.head_dim, e->pl, &e->n_pl) ||
		    int_or_list(L, v, p, "block", 1, 4096, e->bl, &e->n_bl) || pm_or_list(L, v, p, e->ppm, &e->n_ppm))
			return -1;
	}
	if ((v = ytree_get(n, "decode")) != NULL) {
		snprintf(p, sizeof p, "%s.decode", P);
		e->engines |= RM_ENG_DEC;
		e->df = c->space.dec_dataflow;
		const ytree_node *df = ytree_get(v, "dataflow");
		char dp[360];
		snprintf(dp, sizeof dp, "%s.dataflow", p);
		if (want_map(L, v, p) || check_keys(L, v, p, dk) ||
		    int_or_list(L, v, p, "lanes", 1, c->model.head_dim, e->dl, &e->n_dl) ||
		    pm_or_list(L, v, p, e->dpm, &e->n_dpm) || (df && dataflow_word(L, df, dp, &e->df)))
			return -1;
	}
	if (!e->engines)
		return fail(L, n, "'%s' holds no engine: give it 'prefill:', 'decode:' or both (a hybrid)", P);
	return serves_node(L, n, P, &e->serves);
}

/* The concrete module `k` of entry e's product of sizes (prefill pe,
 * lanes, block, port map, then decode lanes, port map; the last fastest). */
static rm_t rm_variant(const rm_entry *e, int k)
{
	rm_t m;
	memset(&m, 0, sizeof m);
	memcpy(m.name, e->name, sizeof m.name - 1); /* the loader keeps names shorter */
	m.engines = e->engines;
	m.serves = e->serves;
	if (e->engines & RM_ENG_DEC) {
		m.pm_dec = e->dpm[k % e->n_dpm];
		k /= e->n_dpm;
		m.dec_lanes = e->dl[k % e->n_dl];
		k /= e->n_dl;
		m.dec_dataflow = e->df;
	}
	if (e->engines & RM_ENG_PRE) {
		m.pm_pre = e->ppm[k % e->n_ppm];
		k /= e->n_ppm;
		m.pre_block = e->bl[k % e->n_bl];
		k /= e->n_bl;
		m.pre_lanes = e->pl[k % e->n_pl];
		k /= e->n_pl;
		m.pre_pe = e->pe[k % e->n_pe];
	}
	return m;
}

static long rm_variants(const rm_entry *e)
{
	long n = 1;
	if (e->engines & RM_ENG_PRE)
		n *= (long)e->n_pe * e->n_pl * e->n_bl * e->n_ppm;
	if (e->engines & RM_ENG_DEC)
		n *= (long)e->n_dl * e->n_dpm;
	return n;
}

static bool same_rm(const rm_t *a, const rm_t *b)
{
	return strcmp(a->name, b->name) == 0 && a->engines == b->engines && a->serves == b->serves &&
	       a->pre_pe == b->pre_pe && a->pre_lanes == b->pre_lanes && a->pre_block == b->pre_block &&
	       a->pm_pre == b->pm_pre && a->dec_lanes == b->dec_lanes && a->pm_dec == b->pm_dec &&
	       a->dec_dataflow == b->dec_dataflow;
}

/* A shape's module as the knob's value reads it. */
static void role_words(const cfg_t *c, int role, const rm_t *x, char *buf, size_t len)
{
	switch (role) {
	case CFG_RM_PREFILL: snprintf(buf, len, "prefill"); return;
	case CFG_RM_DECODE: snprintf(buf, len, "decode"); return;
	case CFG_RM_HYBRID: snprintf(buf, len, "hybrid"); return;
	default: break;
	}
	char a[80] = "", b[80] = "";
	if (x->engines & RM_ENG_PRE)
		snprintf(a, sizeof a, "prefill %dx%d block %d %s", x->pre_pe, x->pre_lanes, x->pre_block,
			 c->arch.port_maps[x->pm_pre].name);
	if (x->engines & RM_ENG_DEC)
		snprintf(b, sizeof b, "decode %d %s %s", x->dec_lanes, dataflow_names[x->dec_dataflow],
			 c->arch.port_maps[x->pm_dec].name);
	snprintf(buf, len, "%s(%s%s%s)", x->name, a, *a && *b ? " + " : "", b);
}

/*
 * design_space.rm_sets: a list of sets, each a list of 1 to RMS_MAX module
 * names: prefill, decode, hybrid (the point's own engines; hybrid holds
 * both, and goes with neither of the others) or a name of rm_modules
 * (after the roles).  Each set takes every combination of its extra
 * modules' sizes; the shapes are the knob rm_sets of the dpr points.
 */
static int rm_sets_with(ld_t *L, const ytree_node *n, rm_entry *ent);

static int load_rm_sets(ld_t *L, const ytree_node *n)
{
	rm_entry *ent = calloc(CFG_MAX_LIST, sizeof *ent);
	if (!ent)
		return fail(L, n, "out of memory reading 'design_space.rm_sets'");
	int rc = rm_sets_with(L, n, ent);
	free(ent);
	return rc;
}

static int rm_sets_with(ld_t *L, const ytree_node *n, rm_entry *ent)
{
	cfg_t *c = L->c;
	cfg_space *s = &c->space;
	const char *P = "design_space.rm_sets";
	const ytree_node *sets = ytree_get(n, "rm_sets"), *mods = ytree_get(n, "rm_modules");
	s->n_rm_shapes = s->n_rm_extra = 0;
	int n_ent = 0;
	if (mods) {
		if (!sets)
			return fail(L, mods, "'design_space.rm_modules' needs 'design_space.rm_sets' to name its modules");
		if (want_map(L, mods, "design_space.rm_modules"))
			return -1;
		if (mods->n > CFG_MAX_LIST)
			return fail(L, mods, "'design_space.rm_modules' defines %zu modules; at most %d are allowed", mods->n,
				    CFG_MAX_LIST);
		for (size_t i = 0; i < mods->n; i++) {
			rm_entry *e = &ent[n_ent];
			memset(e, 0, sizeof *e);
			char kp[300], b[64];
			snprintf(kp, sizeof kp, "design_space.rm_modules.%s", shown(mods->keys[i], b, sizeof b));
			if (ident_node(L, mods->keys[i], kp, e->name, sizeof e->name))
				return -1;
			if (strlen(e->name) >= RMS_NAME_MAX)
				return fail(L, mods->keys[i], "'%s': a module name must be shorter than %d characters", kp,
					    RMS_NAME_MAX);
			if (!strcmp(e->name, "prefill") || !strcmp(e->name, "decode") || !strcmp(e->name, "hybrid"))
				return fail(L, mods->keys[i], "'%s': '%s' names the point's own engines; choose another name", kp,
					    e->name);
			if (load_rm_entry(L, mods->items[i], kp, e))
				return -1;
			n_ent++;
		}
	}
	if (!sets)
		return 0;
	if (want_seq(L, sets, P))
		return -1;
	if (sets->n == 0)
		return fail(L, sets, "'%s' must list at least one set", P);
	for (size_t i = 0; i < sets->n; i++) {
		const ytree_node *set = sets->items[i];
		char ip[200], jp[240], b[64];
		snprintf(ip, sizeof ip, "%s[%zu]", P, i);
		if (want_seq(L, set, ip))
			return -1;
		if (set->n < 1 || set->n > RMS_MAX)
			return fail(L, set, "'%s' must list 1 to %d modules, got %zu", ip, RMS_MAX, set->n);
		int role[RMS_MAX], n_role = 0;
		bool pre = false, dec = false, hyb = false, extra = false;
		for (size_t j = 0; j < set->n; j++) {
			const ytree_node *e = set->items[j];
			snprintf(jp, sizeof jp, "%s[%zu]", ip, j);
			char nm[PDS_NAME_MAX];
			if (ident_node(L, e, jp, nm, sizeof nm))
				return -1;
			int r;
			if (!strcmp(nm, "prefill"))
				r = CFG_RM_PREFILL;
			else if (!strcmp(nm, "decode"))
				r = CFG_RM_DECODE;
			else if (!strcmp(nm, "hybrid"))
				r = CFG_RM_HYBRID;
			else {
				r = -1000;
				for (int k = 0; k < n_ent; k++)
					if (!strcmp(ent[k].name, nm))
						r = k;
				if (r < 0)
					return fail(L, e, "'%s' names '%s', which is neither prefill, decode, hybrid nor a module of "
							  "'design_space.rm_modules'",
						    jp, shown(e, b, sizeof b));
			}
			for (int k = 0; k < n_role; k++)
				if (role[k] == r)
					return fail(L, e, "'%s' names '%s' twice", ip, nm);
			if (r < 0 && extra)
				return fail(L, e, "'%s': '%s' must come before the extra modules", ip, nm);
			extra |= r >= 0;
			pre |= r == CFG_RM_PREFILL;
			dec |= r == CFG_RM_DECODE;
			hyb |= r == CFG_RM_HYBRID;
			role[n_role++] = r;
		}
		if (hyb && (pre || dec))
			return fail(L, set, "'%s': 'hybrid' holds the point's prefill and decode engines; it goes with neither "
					    "'prefill' nor 'decode'",
				    ip);
		if (!hyb && !(pre && dec))
			return fail(L, set, "'%s' must hold the point's engines: 'prefill' and 'decode', or 'hybrid'", ip);
		/* every combination of the extras' sizes, the last module fastest */
		long total = 1;
		for (int k = 0; k < n_role; k++)
			if (role[k] >= 0)
				total *= rm_variants(&ent[role[k]]);
		if (s->n_rm_shapes + total > CFG_MAX_LIST)
			return fail(L, set, "'%s' brings the sets to %ld shapes with their modules' sizes; at most %d are allowed",
				    P, s->n_rm_shapes + total, CFG_MAX_LIST);
		for (long v = 0; v < total; v++) {
			struct cfg_rm_shape *sh = &s->rm_shapes[s->n_rm_shapes++];
			memset(sh, 0, sizeof *sh);
			sh->n = n_role;
			long rest = v;
			int idx[RMS_MAX];
			for (int k = n_role - 1; k >= 0; k--) {
				idx[k] = 0;
				if (role[k] >= 0) {
					long nv = rm_variants(&ent[role[k]]);
					idx[k] = (int)(rest % nv);
					rest /= nv;
				}
			}
			for (int k = 0; k < n_role; k++) {
				sh->role[k] = role[k];
				rm_t x;
				memset(&x, 0, sizeof x);
				if (role[k] >= 0) {
					x = rm_variant(&ent[role[k]], idx[k]);
					int found = -1;
					for (int q = 0; q < s->n_rm_extra && found < 0; q++)
						if (same_rm(&s->rm_extra[q], &x))
							found = q;
					if (found < 0) {
						if (s->n_rm_extra == CFG_MAX_LIST)
							return fail(L, set, "'%s' needs more than %d extra modules", P, CFG_MAX_LIST);
						found = s->n_rm_extra;
						s->rm_extra[s->n_rm_extra++] = x;
					}
					sh->role[k] = found;
				}
				char w[120];
				role_words(c, role[k], &x, w, sizeof w);
				size_t l = strlen(sh->label);
				snprintf(sh->label + l, sizeof sh->label - l, "%s%s", k ? "+" : "", w);
			}
		}
	}
	return 0;
}

static int load_space(ld_t *L, const ytree_node *n)
{
	static const char *const keys[] = {"modes", "clock_mhz", "tlmm_tables", "tlmm_lanes",
					   "prefill_pe", "prefill_lanes", "prefill_block",
					   "decode_lanes", "outstanding", "burst_beats", "decode_dataflow",
					   "port_maps_prefill", "port_maps_decode", "pblocks", "kv_precision",
					   "kv_window", "kv_sinks", "kv_tier_region", "rm_sets",
					   "rm_modules", NULL};
	cfg_t *c = L->c;
	cfg_space *s = &c->space;
	const char *P = "design_space";
	char p[200];

	if (want_map(L, n, P) || check_keys(L, n, P, keys))
		return -1;
	const ytree_node *at = holder(n);
	c->space_line = at ? at->line : 1;
	c->space_col = at ? at->col : 1;
	const ytree_node *m = req(L, n, P, "modes");
	if (!m || want_seq(L, m, "design_space.modes"))
		return -1;
	if (m->n == 0)
		return fail(L, m, "'design_space.modes' must list at least one of static, dpr");
	for (size_t i = 0; i < m->n; i++) {
		arch_mode md;
		snprintf(p, sizeof p, "design_space.modes[%zu]", i);
		if (mode_node(L, m->items[i], p, &md))
			return -1;
		bool *flag = md == MODE_STATIC ? &s->mode_static : &s->mode_dpr;
		if (*flag)
			return fail(L, m->items[i], "'design_space.modes' repeats '%s'", mode_names[md]);
		*flag = true;
	}
	if (get_int_list(L, n, P, "clock_mhz", 1, c->dev.clock_max_mhz, s->clock_mhz, &s->n_clock) ||
	    get_int_list(L, n, P, "tlmm_tables", 1, 4096, s->tlmm_tables, &s->n_tables) ||
	    get_int_list(L, n, P, "tlmm_lanes", 1, 4096, s->tlmm_lanes, &s->n_tlanes) ||
	    get_int_list(L, n, P, "prefill_pe", 1, 4096, s->pre_pe, &s->n_pre_pe) ||
	    get_int_list(L, n, P, "prefill_lanes", 1, c->model.head_dim, s->pre_lanes, &s->n_pre_lanes) ||
	    get_int_list(L, n, P, "prefill_block", 1, 4096, s->pre_block, &s->n_pre_block) ||
	    get_int_list(L, n, P, "decode_lanes", 1, c->model.head_dim, s->dec_lanes, &s->n_dec_lanes) ||
	    get_int_list(L, n, P, "outstanding", 1, 256, s->outstanding, &s->n_outst) ||
	    get_int(L, n, P, "burst_beats", 1, c->dev.axi_max_burst_beats, &s->burst_beats))
		return -1;
	s->dec_dataflow = DF_SERIAL;
	const ytree_node *df = ytree_get(n, "decode_dataflow");
	if (df && dataflow_word(L, df, "design_space.decode_dataflow", &s->dec_dataflow))
		return -1;
	struct {
		const char *key;
		int *vals, *cnt;
		bool pblock;
	} refs[] = {{"port_maps_prefill", s->pm_pre, &s->n_pm_pre, false},
		    {"port_maps_decode", s->pm_dec, &s->n_pm_dec, false},
		    {"pblocks", s->rp, &s->n_rp, true}};
	for (int r = 0; r < 3; r++) {
		char kp[128];
		snprintf(kp, sizeof kp, "%s.%s", P, refs[r].key);
		const ytree_node *l = ytree_get(n, refs[r].key);
		*refs[r].cnt = 0;
		if (!l) {
			if (refs[r].pblock && !s->mode_dpr)
				continue;
			return fail(L, holder(n), "missing required key '%s'", kp);
		}
		if (want_seq(L, l, kp))
			return -1;
		if (l->n == 0 || l->n > CFG_MAX_LIST)
			return fail(L, l, "'%s' must list 1 to %d names", kp, CFG_MAX_LIST);
		for (size_t i = 0; i < l->n; i++) {
			snprintf(p, sizeof p, "%s[%zu]", kp, i);
			if (ref_node(L, l->items[i], p, refs[r].pblock, &refs[r].vals[i]))
				return -1;
			for (size_t j = 0; j < i; j++)
				if (refs[r].vals[j] == refs[r].vals[i])
					return fail(L, l->items[i], "'%s' repeats a name", kp);
		}
		*refs[r].cnt = (int)l->n;
	}
	/* the K/V cache knobs: one value each when not listed */
	const int maxc = c->model.max_context;
	s->n_kv_prec = s->n_kv_window = s->n_kv_sinks = s->n_kv_tier = 1;
	s->kv_prec[0] = KV_FP16;
	s->kv_window[0] = s->kv_sinks[0] = 0;
	s->kv_tier[0] = KV_TIER_NONE;
	if ((ytree_get(n, "kv_precision") &&
	     get_word_list(L, n, P, "kv_precision", kv_prec_names, KV_N, s->kv_prec, &s->n_kv_prec)) ||
	    (ytree_get(n, "kv_window") && get_int_list(L, n, P, "kv_window", 0, maxc, s->kv_window, &s->n_kv_window)) ||
	    (ytree_get(n, "kv_sinks") && get_int_list(L, n, P, "kv_sinks", 0, maxc, s->kv_sinks, &s->n_kv_sinks)) ||
	    (ytree_get(n, "kv_tier_region") &&
	     get_word_list(L, n, P, "kv_tier_region", kv_tier_names, KV_TIER_N, s->kv_tier, &s->n_kv_tier)))
		return -1;
	int wmax = 0, smax = 0, wi = 0;
	for (int i = 0; i < s->n_kv_window; i++)
		if (s->kv_window[i] > wmax) {
			wmax = s->kv_window[i];
			wi = i;
		}
	for (int i = 0; i < s->n_kv_sinks; i++)
		smax = s->kv_sinks[i] > smax ? s->kv_sinks[i] : smax;
	if ((long long)wmax + smax > maxc)
		return fail(L, ytree_get(n, "kv_window") ? ytree_get(n, "kv_window")->items[wi] : ytree_get(n, "kv_sinks"),
			    "'design_space.kv_window' %d with 'design_space.kv_sinks' %d keeps more keys per layer on chip "
			    "than 'model.max_context' (%d)", wmax, smax, maxc);
	bool only_static = !s->mode_dpr, rp = false;
	for (int i = 0; i < s->n_kv_tier; i++)
		rp |= s->kv_tier[i] == KV_TIER_RP;
	if (rp && only_static)
		return fail(L, ytree_get(n, "kv_tier_region"),
			    "'design_space.kv_tier_region' lists rp, but the space has no dpr mode (no reconfigurable partition)");
	return load_rm_sets(L, n);
}

static int load_constraints(ld_t *L, const ytree_node *n)
{
	static const char *const keys[] = {"utilisation_cap", "rp_routability_margin", "t_pre_max_s",
					   "bitstream_store_mib", NULL};
	static const char *const uk[] = {"lut", "ff", "bram36", "uram", "dsp", NULL};
	cfg_constraints *k = &L->c->cons;
	const char *P = "constraints";
	if (want_map(L, n, P) || check_keys(L, n, P, keys))
		return -1;
	const ytree_node *u = req(L, n, P, "utilisation_cap");
	if (!u || want_map(L, u, "constraints.utilisation_cap") ||
	    check_keys(L, u, "constraints.utilisation_cap", uk))
		return -1;
	for (int i = 0; i < RES_N; i++)
		if (get_num(L, u, "constraints.utilisation_cap", res_names[i], 0, true, 1, &k->util_cap.v[i]))
			return -1;
	if (get_num(L, n, P, "rp_routability_margin", 0, true, 1, &k->rp_margin) ||
	    get_num(L, n, P, "t_pre_max_s", 0, true, 1e7, &k->t_pre_max_s))
		return -1;
	/* optional: the DDR set aside for the partition's partial bitstreams */
	k->bitstream_store_bytes = 0;
	if (ytree_get(n, "bitstream_store_mib")) {
		double mib;
		if (get_num(L, n, P, "bitstream_store_mib", 0, true, 1 << 20, &mib))
			return -1;
		k->bitstream_store_bytes = mib * 1024 * 1024;
	}
	return 0;
}

static int load_objective(ld_t *L, const ytree_node *n)
{
	static const char *const keys[] = {"alpha", "prompt", "l_long", "l_short", "workload", "workload_figure", NULL};
	cfg_objective *o = &L->c->obj;
	int maxc = L->c->model.max_context;
	if (want_map(L, n, "objective") || check_keys(L, n, "objective", keys) ||
	    get_num(L, n, "objective", "alpha", 0, false, 1, &o->alpha) ||
	    get_int(L, n, "objective", "prompt", 1, maxc, &o->prompt) ||
	    get_int(L, n, "objective", "l_long", 1, maxc, &o->l_long) ||
	    get_int(L, n, "objective", "l_short", 1, maxc, &o->l_short))
		return -1;
	const ytree_node *v = ytree_get(n, "workload");
	if (v && ident_node(L, v, "objective.workload", o->workload, sizeof o->workload))
		return -1;
	o->workload_figure = CFG_WLFIG_E2E_MEAN;
	if ((v = ytree_get(n, "workload_figure")) != NULL) {
		char b[64], list[256] = "";
		int k = -1;
		for (int i = 0; i < CFG_WLFIG_N; i++) {
			if (v->kind == YTREE_SCALAR && !v->quoted && strcmp(v->str, cfg_wl_figure_names[i]) == 0)
				k = i;
			snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "",
				 cfg_wl_figure_names[i]);
		}
		if (k < 0)
			return fail(L, v, "'objective.workload_figure' must be one of %s; got '%s'", list, shown(v, b, sizeof b));
		if (!o->workload[0])
			return fail(L, v, "'objective.workload_figure' needs 'objective.workload'");
		o->workload_figure = (cfg_wl_figure)k;
	}
	return 0;
}

/* -------------------------------------------------- sessions and workloads */

/* An SLO mapping {ttft_p90_s, tpot_p99_s}: both optional over the defaults given. */
static int load_slo(ld_t *L, const ytree_node *n, const char *P, double *ttft, double *tpot)
{
	static const char *const keys[] = {"ttft_p90_s", "tpot_p99_s", NULL};
	if (want_map(L, n, P) || check_keys(L, n, P, keys))
		return -1;
	if (ytree_get(n, "ttft_p90_s") && get_num(L, n, P, "ttft_p90_s", 0, true, 1e7, ttft))
		return -1;
	if (ytree_get(n, "tpot_p99_s") && get_num(L, n, P, "tpot_p99_s", 0, true, 1e7, tpot))
		return -1;
	return 0;
}

static int load_session(ld_t *L, const ytree_node *n)
{
	static const char *const keys[] = {"seed", "requests", "start_module", "slo", "breakeven", NULL};
	static const char *const bk[] = {"prompts", "outputs", NULL};
	cfg_session *s = &L->c->session;
	int maxc = L->c->model.max_context;
	const char *P = "session";
	if (want_map(L, n, P) || check_keys(L, n, P, keys))
		return -1;
	const ytree_node *v;
	if ((v = ytree_get(n, "seed")) != NULL) {
		int seed;
		if (int_node(L, v, "session.seed", 0, 2147483647, &seed))
			return -1;
		s->seed = (unsigned long)seed;
	}
	if (ytree_get(n, "requests") && get_int(L, n, P, "requests", 1, 10000000, &s->requests))
		return -1;
	if ((v = ytree_get(n, "start_module")) != NULL) {
		char b[64];
		if (v->kind == YTREE_SCALAR && !v->quoted && strcmp(v->str, "prefill") == 0)
			s->start_decode = false;
		else if (v->kind == YTREE_SCALAR && !v->quoted && strcmp(v->str, "decode") == 0)
			s->start_decode = true;
		else
			return fail(L, v, "'session.start_module' must be 'prefill' or 'decode', got '%s'", shown(v, b, sizeof b));
	}
	if ((v = ytree_get(n, "slo")) && load_slo(L, v, "session.slo", &s->slo_ttft_p90_s, &s->slo_tpot_p99_s))
		return -1;
	if ((v = ytree_get(n, "breakeven")) != NULL) {
		if (want_map(L, v, "session.breakeven") || check_keys(L, v, "session.breakeven", bk) ||
		    get_int_list(L, v, "session.breakeven", "prompts", 1, maxc - 1, s->be_prompts, &s->n_be_prompts) ||
		    get_int_list(L, v, "session.breakeven", "outputs", 1, maxc - 1, s->be_outputs, &s->n_be_outputs))
			return -1;
	}
	return 0;
}

/* The session defaults, before (and without) a `session:` section. */
static void session_defaults(cfg_t *c)
{
	cfg_session *s = &c->session;
	s->seed = 1;
	s->requests = 1000;
	s->slo_ttft_p90_s = 2.0;
	s->slo_tpot_p99_s = 0.2;
	int maxc = c->model.max_context;
	for (int p = 16; p < maxc && s->n_be_prompts < CFG_MAX_LIST; p *= 2)
		s->be_prompts[s->n_be_prompts++] = p;
	if (s->n_be_prompts == 0)
		s->be_prompts[s->n_be_prompts++] = 1;
	for (int o = 1; o <= maxc / 2 && s->n_be_outputs < CFG_MAX_LIST; o *= 4)
		s->be_outputs[s->n_be_outputs++] = o;
	if (s->n_be_outputs == 0)
		s->be_outputs[s->n_be_outputs++] = 1;
}

/* "p50", "p99.9": a percentile key; its value into *pct. */
static bool pct_key(const ytree_node *k, double *pct)
{
	if (k->len < 2 || k->str[0] != 'p')
		return false;
	char *end;
	for (size_t i = 1; i < k->len; i++)
		if (!(isdigit((unsigned char)k->str[i]) || k->str[i] == '.'))
			return false;
	*pct = strtod(k->str + 1, &end);
	return end == k->str + k->len && *pct > 0 && *pct < 100;
}

static int load_lognormal(ld_t *L, const ytree_node *n, const char *P, cfg_lendist *d)
{
	char p[512], b[64], why[200];
	if (want_map(L, n, P))
		return -1;
	double pct[32], val[32], mean = 0, sd = 0;
	int np = 0;
	const ytree_node *first_pct = NULL;
	for (size_t i = 0; i < n->n; i++) {
		const ytree_node *k = n->keys[i], *v = n->items[i];
		snprintf(p, sizeof p, "%s.%s", P, shown(k, b, sizeof b));
		double x, q;
		if (strcmp(k->str, "mean") == 0 || strcmp(k->str, "sd") == 0) {
			if (num_node(L, v, p, 0, true, 1e9, &x))
				return -1;
			*(k->str[0] == 'm' ? &mean : &sd) = x;
			continue;
		}
		if (!pct_key(k, &q))
			return fail(L, k, "unknown key '%s' in '%s'; expected mean, sd or percentiles p1 .. p99.9", shown(k, b, sizeof b),
				    P);
		if (np == 32)
			return fail(L, k, "'%s' states more than 32 percentiles", P);
		if (num_node(L, v, p, 0, true, 1e9, &x))
			return -1;
		if (np && !(q > pct[np - 1]))
			return fail(L, k, "'%s' lists percentiles out of order: p%g after p%g", P, q, pct[np - 1]);
		if (np && !(x > val[np - 1]))
			return fail(L, v, "'%s' (%g) must exceed the lower percentile p%g (%g)", p, x, pct[np - 1], val[np - 1]);
		if (!first_pct)
			first_pct = k;
		pct[np] = q;
		val[np++] = x;
	}
	if (np == 1)
		return fail(L, first_pct, "'%s' states one percentile; a lognormal needs two, or the mean and sd", P);
	if (np == 0 && (mean == 0 || sd == 0))
		return fail(L, holder(n), "'%s' needs the mean and sd, or two or more percentiles", P);
	if (np > 0 && sd > 0)
		return fail(L, ytree_get(n, "sd"), "'%s.sd' goes with the mean alone, not with percentiles", P);
	if (reqgen_lognormal_fit(pct, val, np, mean, sd, &d->mu, &d->sigma, why, sizeof why))
		return fail(L, holder(n), "'%s': %s", P, why);
	d->kind = CFG_LEN_LOGNORMAL;
	d->mean = exp(d->mu + d->sigma * d->sigma / 2);
	return 0;
}

static int load_lendist(ld_t *L, const ytree_node *n, const char *P, cfg_lendist *d, bool has_trace)
{
	static const char *const keys[] = {"fixed", "uniform", "lognormal", "empirical", NULL};
	char p[400], b[64];
	memset(d, 0, sizeof *d);
	if (n->kind == YTREE_SCALAR && !n->quoted && strcmp(n->str, "trace") == 0) {
		if (!has_trace)
			return fail(L, n, "'%s' takes the lengths of the trace, but the workload names no 'trace' file", P);
		d->kind = CFG_LEN_TRACE;
		return 0;
	}
	if (n->kind != YTREE_MAP || n->n != 1)
		return fail(L, n, "'%s' must be 'trace' or a mapping of one of fixed, uniform, lognormal, empirical, got %s", P,
			    n->kind == YTREE_MAP ? "a mapping of several keys" : shown(n, b, sizeof b));
	if (check_keys(L, n, P, keys))
		return -1;
	const ytree_node *k = n->keys[0], *v = n->items[0];
	snprintf(p, sizeof p, "%s.%s", P, k->str);
	if (strcmp(k->str, "fixed") == 0) {
		d->kind = CFG_LEN_FIXED;
		if (int_node(L, v, p, 1, 10000000, &d->fixed))
			return -1;
		d->mean = d->fixed;
		return 0;
	}
	if (strcmp(k->str, "uniform") == 0) {
		d->kind = CFG_LEN_UNIFORM;
		if (want_seq(L, v, p))
			return -1;
		if (v->n != 2)
			return fail(L, v, "'%s' must be [lo, hi], got %zu values", p, v->n);
		char ip[420];
		snprintf(ip, sizeof ip, "%s[0]", p);
		if (int_node(L, v->items[0], ip, 1, 10000000, &d->lo))
			return -1;
		snprintf(ip, sizeof ip, "%s[1]", p);
		if (int_node(L, v->items[1], ip, d->lo, 10000000, &d->hi))
			return -1;
		d->mean = (d->lo + d->hi) / 2.0;
		return 0;
	}
	if (strcmp(k->str, "lognormal") == 0)
		return load_lognormal(L, v, p, d);
	/* empirical: [[length, weight], ...] */
	d->kind = CFG_LEN_EMPIRICAL;
	if (want_seq(L, v, p))
		return -1;
	if (v->n == 0 || v->n > CFG_MAX_EMPIRICAL)
		return fail(L, v, "'%s' must list 1 to %d [length, weight] pairs", p, CFG_MAX_EMPIRICAL);
	double wsum = 0, lsum = 0;
	for (size_t i = 0; i < v->n; i++) {
		char ip[420];
		const ytree_node *e = v->items[i];
		snprintf(ip, sizeof ip, "%s[%zu]", p, i);
		if (want_seq(L, e, ip))
			return -1;
		if (e->n != 2)
			return fail(L, e, "'%s' must be [length, weight], got %zu values", ip, e->n);
		char jp[440];
		snprintf(jp, sizeof jp, "%s[0]", ip);
		if (int_node(L, e->items[0], jp, 1, 10000000, &d->emp_len[i]))
			return -1;
		snprintf(jp, sizeof jp, "%s[1]", ip);
		if (num_node(L, e->items[1], jp, 0, true, 1e12, &d->emp_weight[i]))
			return -1;
		wsum += d->emp_weight[i];
		lsum += d->emp_weight[i] * d->emp_len[i];
	}
	d->n_emp = (int)v->n;
	d->mean = lsum / wsum;
	return 0;
}

/* A trace path relative to the config file's directory. */
static int trace_path(ld_t *L, const ytree_node *v, const char *P, char *out, size_t outsz)
{
	char f[1024];
	if (str_node(L, v, P, f, sizeof f))
		return -1;
	const char *slash = strrchr(L->file, '/');
	int n;
	if (f[0] == '/' || !slash)
		n = snprintf(out, outsz, "%s", f);
	else
		n = snprintf(out, outsz, "%.*s/%s", (int)(slash - L->file), L->file, f);
	if (n < 0 || (size_t)n >= outsz)
		return fail(L, v, "'%s' makes a path longer than %zu characters", P, outsz - 1);
	return 0;
}

static int load_arrival(ld_t *L, const ytree_node *n, const char *P, cfg_session_wl *w)
{
	static const char *const keys[] = {"process", "rate", "cv", "think_s", NULL};
	char b[64];
	if (want_map(L, n, P) || check_keys(L, n, P, keys))
		return -1;
	const ytree_node *pr = req(L, n, P, "process");
	if (!pr)
		return -1;
	static const char *const names[] = {"poisson", "gamma", "closed", "trace"};
	int k = -1;
	for (int i = 0; i < 4; i++)
		if (pr->kind == YTREE_SCALAR && !pr->quoted && strcmp(pr->str, names[i]) == 0)
			k = i;
	if (k < 0)
		return fail(L, pr, "'%s.process' must be one of poisson, gamma, closed, trace; got '%s'", P, shown(pr, b, sizeof b));
	w->arrival = (cfg_arrival_kind)k;
	/* the keys each process takes, and no other */
	const bool takes[4][3] = {{true, false, false}, {true, true, false}, {false, false, true}, {false, false, false}};
	const char *const par[3] = {"rate", "cv", "think_s"};
	for (int j = 0; j < 3; j++) {
		const ytree_node *v = ytree_get(n, par[j]);
		if (v && !takes[k][j])
			return fail(L, v, "'%s.%s' does not apply to process '%s'", P, par[j], names[k]);
	}
	if (k == CFG_ARR_TRACE && !w->trace[0])
		return fail(L, pr, "'%s.process' is 'trace', but the workload names no 'trace' file", P);
	if ((k == CFG_ARR_POISSON || k == CFG_ARR_GAMMA) && get_num(L, n, P, "rate", 0, true, 1e9, &w->rate_rps))
		return -1;
	if (k == CFG_ARR_GAMMA && get_num(L, n, P, "cv", 0, true, 1e4, &w->cv))
		return -1;
	if (k == CFG_ARR_CLOSED && get_num(L, n, P, "think_s", 0, true, 1e7, &w->think_s))
		return -1;
	return 0;
}

static int load_workload_entry(ld_t *L, const ytree_node *n, const char *P, cfg_session_wl *w)
{
	static const char *const keys[] = {"arrival", "prompt", "output", "trace", "over_context", "slo", NULL};
	char p[300], b[64];
	if (want_map(L, n, P) || check_keys(L, n, P, keys))
		return -1;
	const ytree_node *v;
	if ((v = ytree_get(n, "trace")) != NULL) {
		snprintf(p, sizeof p, "%s.trace", P);
		if (trace_path(L, v, p, w->trace, sizeof w->trace))
			return -1;
	}
	/* with a trace, arrivals and lengths default to the trace's */
	w->arrival = CFG_ARR_TRACE;
	snprintf(p, sizeof p, "%s.arrival", P);
	if ((v = ytree_get(n, "arrival")) != NULL) {
		if (load_arrival(L, v, p, w))
			return -1;
	} else if (!w->trace[0]) {
		return fail(L, holder(n), "missing required key '%s' (or a 'trace' file)", p);
	}
	const char *lk[2] = {"prompt", "output"};
	cfg_lendist *ld[2] = {&w->prompt, &w->output};
	for (int i = 0; i < 2; i++) {
		snprintf(p, sizeof p, "%s.%s", P, lk[i]);
		if ((v = ytree_get(n, lk[i])) != NULL) {
			if (load_lendist(L, v, p, ld[i], w->trace[0] != '\0'))
				return -1;
		} else if (w->trace[0]) {
			memset(ld[i], 0, sizeof *ld[i]);
			ld[i]->kind = CFG_LEN_TRACE;
		} else {
			return fail(L, holder(n), "missing required key '%s' (or a 'trace' file)", p);
		}
	}
	if ((v = ytree_get(n, "over_context")) != NULL) {
		if (v->kind == YTREE_SCALAR && !v->quoted && strcmp(v->str, "trim") == 0)
			w->refuse_over_context = false;
		else if (v->kind == YTREE_SCALAR && !v->quoted && strcmp(v->str, "refuse") == 0)
			w->refuse_over_context = true;
		else
			return fail(L, v, "'%s.over_context' must be 'trim' or 'refuse', got '%s'", P, shown(v, b, sizeof b));
	}
	w->slo_ttft_p90_s = L->c->session.slo_ttft_p90_s;
	w->slo_tpot_p99_s = L->c->session.slo_tpot_p99_s;
	snprintf(p, sizeof p, "%s.slo", P);
	if ((v = ytree_get(n, "slo")) && load_slo(L, v, p, &w->slo_ttft_p90_s, &w->slo_tpot_p99_s))
		return -1;
	return 0;
}

static int load_workloads(ld_t *L, const ytree_node *n)
{
	cfg_t *c = L->c;
	if (want_map(L, n, "workloads"))
		return -1;
	if (n->n > CFG_MAX_SESSION_WL)
		return fail(L, n, "'workloads' defines %zu workloads; at most %d are allowed", n->n, CFG_MAX_SESSION_WL);
	for (size_t i = 0; i < n->n; i++) {
		cfg_session_wl *w = &c->session_wl[i];
		char kp[200], p[128], b[64];
		snprintf(kp, sizeof kp, "workloads.%s", shown(n->keys[i], b, sizeof b));
		if (ident_node(L, n->keys[i], kp, w->name, sizeof w->name))
			return -1;
		snprintf(p, sizeof p, "workloads.%s", w->name);
		if (load_workload_entry(L, n->items[i], p, w))
			return -1;
		c->n_session_wl = (int)i + 1;
	}
	return 0;
}

/* ----------------------------------------------------------- measurements */

static int point_list(ld_t *L, const ytree_node *map, const char *key, const char *xkey,
		      const char *ykey, cfg_point *pts, int *np)
{
	const char *keys[] = {xkey, ykey, "source", "note", NULL};
	char p[128], ip[160];
	snprintf(p, sizeof p, "measurements.%s", key);
	const ytree_node *s = req(L, map, "measurements", key);
	if (!s || want_seq(L, s, p))
		return -1;
	if (s->n == 0 || s->n > CFG_MAX_MEAS)
		return fail(L, s, "'%s' must list 1 to %d points", p, CFG_MAX_MEAS);
	for (size_t i = 0; i < s->n; i++) {
		const ytree_node *e = s->items[i];
		char note[PDS_TEXT_MAX];
		snprintf(ip, sizeof ip, "%s[%zu]", p, i);
		if (want_map(L, e, ip) || check_keys(L, e, ip, keys) ||
		    get_int(L, e, ip, xkey, 1, L->c->model.max_context, &pts[i].prompt) ||
		    get_num(L, e, ip, ykey, 0, true, 1e7, &pts[i].value) ||
		    get_str(L, e, ip, "source", pts[i].source, sizeof pts[i].source))
			return -1;
		if (ytree_get(e, "note") && get_str(L, e, ip, "note", note, sizeof note))
			return -1;
	}
	*np = (int)s->n;
	return 0;
}

static int load_meas(ld_t *L, const ytree_node *n)
{
	static const char *const keys[] = {"fit_design", "dpr_design", "ttft", "decode",
					   "prefill_attention_layer", "board_power_w",
					   "baseline_resources", "table2", "pcap", "swap_ms", NULL};
	static const char *const ak[] = {"prompt", "reversed_ms", "naive_ms", "source", NULL};
	static const char *const vk[] = {"value", "source", NULL};
	static const char *const t2k[] = {"source", "tlmm_static", "rmsnorm_findmax", "other_static",
					  "prefill_rm", "decode_rm", "dynamic_region", NULL};
	static const char *const pk[] = {"source", "points", NULL};
	static const char *const ptk[] = {"bytes", "ms", NULL};
	cfg_t *c = L->c;
	cfg_meas *m = &c->meas;
	const char *P = "measurements";
	const ytree_node *v;
	char p[160];

	if (want_map(L, n, P) || check_keys(L, n, P, keys))
		return -1;
	if ((v = req(L, n, P, "fit_design")) == NULL ||
	    ident_node(L, v, "measurements.fit_design", m->fit_design, sizeof m->fit_design))
		return -1;
	int fd = cfg_find_design(c, m->fit_design);
	if (fd < 0 || c->designs[fd].d.mode != MODE_STATIC)
		return fail(L, v, "'measurements.fit_design' must name a static design in 'designs', got '%s'",
			    m->fit_design);
	if ((v = req(L, n, P, "dpr_design")) == NULL ||
	    ident_node(L, v, "measurements.dpr_design", m->dpr_design, sizeof m->dpr_design))
		return -1;
	int dd = cfg_find_design(c, m->dpr_design);
	if (dd < 0 || c->designs[dd].d.mode != MODE_DPR)
		return fail(L, v, "'measurements.dpr_design' must name a dpr design in 'designs', got '%s'",
			    m->dpr_design);
	if (point_list(L, n, "ttft", "prompt", "s", m->ttft, &m->n_ttft) ||
	    point_list(L, n, "decode", "context", "tok_s", m->decode, &m->n_decode))
		return -1;
	const char *AP = "measurements.prefill_attention_layer";
	if (!(v = req(L, n, P, "prefill_attention_layer")) || want_map(L, v, AP) ||
	    check_keys(L, v, AP, ak) || get_int(L, v, AP, "prompt", 1, c->model.max_context, &m->attn_prompt) ||
	    get_num(L, v, AP, "reversed_ms", 0, true, 1e7, &m->attn_reversed_ms) ||
	    get_num(L, v, AP, "naive_ms", 0, true, 1e7, &m->attn_naive_ms) ||
	    get_str(L, v, AP, "source", m->attn_source, sizeof m->attn_source))
		return -1;
	static const char *const bk[] = {"value", "decode_context", "source", NULL};
	const char *BP = "measurements.board_power_w";
	if (!(v = req(L, n, P, "board_power_w")) || want_map(L, v, BP) || check_keys(L, v, BP, bk) ||
	    get_num(L, v, BP, "value", 0, true, 1e4, &m->board_power_w) ||
	    get_int(L, v, BP, "decode_context", 1, c->model.max_context, &m->power_context) ||
	    get_str(L, v, BP, "source", m->power_source, sizeof m->power_source))
		return -1;
	if (get_res(L, n, P, "baseline_resources", &m->baseline_res, m->baseline_res_source,
		    sizeof m->baseline_res_source))
		return -1;
	const char *TP = "measurements.table2";
	if (!(v = req(L, n, P, "table2")) || want_map(L, v, TP) || check_keys(L, v, TP, t2k) ||
	    get_str(L, v, TP, "source", m->t2_source, sizeof m->t2_source) ||
	    get_res(L, v, TP, "tlmm_static", &m->t2_tlmm, NULL, 0) ||
	    get_res(L, v, TP, "rmsnorm_findmax", &m->t2_rmsnorm, NULL, 0) ||
	    get_res(L, v, TP, "other_static", &m->t2_other, NULL, 0) ||
	    get_res(L, v, TP, "prefill_rm", &m->t2_pre, NULL, 0) ||
	    get_res(L, v, TP, "decode_rm", &m->t2_dec, NULL, 0) ||
	    get_res(L, v, TP, "dynamic_region", &m->t2_dynamic, NULL, 0))
		return -1;
	const char *PP = "measurements.pcap";
	if (!(v = req(L, n, P, "pcap")) || want_map(L, v, PP) || check_keys(L, v, PP, pk) ||
	    get_str(L, v, PP, "source", m->pcap_source, sizeof m->pcap_source))
		return -1;
	const ytree_node *pts = req(L, v, PP, "points");
	if (!pts || want_seq(L, pts, "measurements.pcap.points"))
		return -1;
	if (pts->n < 2 || pts->n > CFG_MAX_MEAS)
		return fail(L, pts, "'measurements.pcap.points' must list 2 to %d points", CFG_MAX_MEAS);
	m->n_pcap = (int)pts->n;
	for (size_t i = 0; i < pts->n; i++) {
		snprintf(p, sizeof p, "measurements.pcap.points[%zu]", i);
		const ytree_node *e = pts->items[i];
		if (want_map(L, e, p) || check_keys(L, e, p, ptk) ||
		    get_num(L, e, p, "bytes", 0, true, 1e10, &m->pcap_bytes[i]) ||
		    get_num(L, e, p, "ms", 0, true, 1e7, &m->pcap_ms[i]))
			return -1;
		for (size_t j = 0; j < i; j++)
			if (m->pcap_bytes[j] == m->pcap_bytes[i])
				return fail(L, ytree_get(e, "bytes"),
					    "'%s.bytes' repeats the size of point %zu; a rate needs distinct sizes", p, j);
	}
	const char *WP = "measurements.swap_ms";
	if (!(v = req(L, n, P, "swap_ms")) || want_map(L, v, WP) || check_keys(L, v, WP, vk) ||
	    get_num(L, v, WP, "value", 0, true, 1e7, &m->swap_ms) ||
	    get_str(L, v, WP, "source", m->swap_source, sizeof m->swap_source))
		return -1;
	return 0;
}

/* ------------------------------------------------------------- intervals */

/* intervals: {level, samples, seed}, optional (0.9, 200, 1). */
static int load_intervals(ld_t *L, const ytree_node *n)
{
	static const char *const keys[] = {"level", "samples", "seed", NULL};
	cfg_t *c = L->c;
	const char *P = "intervals";
	c->iv.level = 0.9;
	c->iv.samples = 200;
	c->iv.seed = 1;
	if (!n)
		return 0;
	int seed = 1;
	if (want_map(L, n, P) || check_keys(L, n, P, keys))
		return -1;
	if ((ytree_get(n, "level") && get_num(L, n, P, "level", 0, true, 0.999, &c->iv.level)) ||
	    (ytree_get(n, "samples") && get_int(L, n, P, "samples", 20, 100000, &c->iv.samples)) ||
	    (ytree_get(n, "seed") && get_int(L, n, P, "seed", 0, 2147483647, &seed)))
		return -1;
	c->iv.seed = (uint64_t)seed;
	return 0;
}

/*
 * kv_cache: the integer precisions, the dequantiser's and the quantiser's
 * costs (coefficients with provenance; an assumed one with its range), and
 * the memory the on-chip tier is built of.
 */
static int load_kv_quant(ld_t *L, const ytree_node *n, kv_prec_t p)
{
	static const char *const keys[] = {"group_size", "scale_bytes", "source", NULL};
	char P[64];
	cfg_kv_quant *q = &L->c->kv.quant[p];
	const cfg_model *m = &L->c->model;
	snprintf(P, sizeof P, "kv_cache.%s", kv_prec_names[p]);
	const ytree_node *v = req(L, n, "kv_cache", kv_prec_names[p]);
	(void)m;
	if (!v || want_map(L, v, P) || check_keys(L, v, P, keys) ||
	    get_int(L, v, P, "group_size", 1, 65536, &q->group) ||
	    get_int(L, v, P, "scale_bytes", 1, 8, &q->scale_bytes) || get_str(L, v, P, "source", q->source, sizeof q->source))
		return -1;
	if (p == KV_INT4 && q->group % 2)
		return fail(L, ytree_get(v, "group_size"),
			    "'%s.group_size' (%d) must be even: two 4-bit elements share a byte", P, q->group);
	return 0;
}

/* A precision some design or the design space uses must group within a head. */
static int kv_group_check(ld_t *L, const ytree_node *root, kv_prec_t p)
{
	const cfg_model *m = &L->c->model;
	const cfg_kv_quant *q = &L->c->kv.quant[p];
	if (m->head_dim % q->group == 0)
		return 0;
	return fail(L, ytree_get(ytree_get(ytree_get(root, "kv_cache"), kv_prec_names[p]), "group_size"),
		    "'kv_cache.%s.group_size' (%d) must divide 'model.head_dim' (%d): a group of elements shares one "
		    "scale within a head", kv_prec_names[p], q->group, m->head_dim);
}

static int load_kv_block(ld_t *L, const ytree_node *n, const char *key, cfg_kv_block *b)
{
	static const char *const keys[] = {"bytes", "word_bits", "source", NULL};
	char P[64];
	snprintf(P, sizeof P, "kv_cache.%s", key);
	const ytree_node *v = req(L, n, "kv_cache", key);
	return !v || want_map(L, v, P) || check_keys(L, v, P, keys) || get_int(L, v, P, "bytes", 1, 1 << 24, &b->bytes) ||
			       get_int(L, v, P, "word_bits", 1, 4096, &b->word_bits) ||
			       get_str(L, v, P, "source", b->source, sizeof b->source)
		       ? -1
		       : 0;
}

static int load_kv_cache(ld_t *L, const ytree_node *n)
{
	static const char *const keys[] = {"int8", "int4", "dequant_depth", "dequant_per_lane", "quantiser",
					   "tier_memory", "uram", "bram36", NULL};
	static const char *const mems[] = {"uram", "bram36"};
	cfg_kv *k = &L->c->kv;
	const ytree_node *v;
	int mem;
	if (want_map(L, n, "kv_cache") || check_keys(L, n, "kv_cache", keys) || load_kv_quant(L, n, KV_INT8) ||
	    load_kv_quant(L, n, KV_INT4))
		return -1;
	if (!(v = req(L, n, "kv_cache", "dequant_depth")) ||
	    coef_node(L, v, "kv_cache.dequant_depth", &k->dequant_depth, 0, false, 1e4, NULL) ||
	    !(v = req(L, n, "kv_cache", "dequant_per_lane")) ||
	    rcoef_node(L, v, "kv_cache.dequant_per_lane", &k->dequant_per_lane, NULL) ||
	    !(v = req(L, n, "kv_cache", "quantiser")) || rcoef_node(L, v, "kv_cache.quantiser", &k->quantiser, NULL))
		return -1;
	if (k->dequant_depth.prov == PROV_FITTED || k->dequant_per_lane.prov == PROV_FITTED ||
	    k->quantiser.prov == PROV_FITTED)
		return fail(L, n, "'kv_cache' coefficients cannot be fitted: no measurement of a quantised K/V cache is "
			    "among the measurements");
	if (!(v = req(L, n, "kv_cache", "tier_memory")) || word_node(L, v, "kv_cache.tier_memory", mems, 2, &mem) ||
	    load_kv_block(L, n, "uram", &k->uram) || load_kv_block(L, n, "bram36", &k->bram))
		return -1;
	k->tier_memory = mem ? RES_BRAM : RES_URAM;
	k->present = true;
	return 0;
}

/* The most blocks of the tier's memory a region may give it: the static
 * region (the device within its cap, less the pblock of a dpr design) or
 * the partition (pblock rp's sites). */
static double kv_region_cap(const cfg_t *c, int type, kv_tier_t region, int rp)
{
	res_t pb = {{0}};
	if (rp >= 0)
		pb = engine_pblock_capacity(c, &c->arch.pblocks[rp]);
	if (region == KV_TIER_RP)
		return rp >= 0 ? pb.v[type] : 0;
	return c->cons.util_cap.v[type] * (c->dev.resources.v[type] - pb.v[type]);
}

/* Sets of modules are priced with the fp16 cache in DDR only (README
 * "Modules of the partition"): checked after the K/V cache's own checks. */
static int rms_kv_check(ld_t *L, const ytree_node *root)
{
	const cfg_space *sp = &L->c->space;
	/* sets of modules are priced with the FP16 cache in DDR only (README "Modules of the partition") */
	bool kv_plain = true;
	for (int i = 0; i < sp->n_kv_prec; i++)
		kv_plain &= sp->kv_prec[i] == KV_FP16;
	for (int i = 0; i < sp->n_kv_tier; i++)
		kv_plain &= sp->kv_tier[i] == KV_TIER_NONE;
	kv_plain &= sp->n_kv_prec == 1 && sp->n_kv_tier == 1 && sp->n_kv_window == 1 && sp->kv_window[0] == 0 &&
		    sp->n_kv_sinks == 1 && sp->kv_sinks[0] == 0;
	if (sp->n_rm_shapes > 0 && !kv_plain)
		return fail(L, ytree_get(ytree_get(root, "design_space"), "rm_sets"),
			    "'design_space.rm_sets' goes only with the fp16 K/V cache without an on-chip tier "
			    "(kv_precision [fp16], kv_window [0], kv_sinks [0], kv_tier_region [none]): a set's extra modules are "
			    "priced without "
			    "a quantiser, dequantiser or tier");
	return 0;
}

/*
 * What needs the kv_cache section or the engine sizes: a quantised cache
 * or a tier needs the section; a tier that no region could hold even on
 * its own (before the engines take their part) is refused, for a named
 * design at its kv_window, for the design space at the kv_window value
 * whose smallest tier (fewest sinks, the fewest bytes per key, the fewest
 * decode lanes) exceeds every region of the space.
 */
static int kv_checks(ld_t *L, const ytree_node *root)
{
	cfg_t *c = L->c;
	const cfg_space *s = &c->space;
	const ytree_node *designs = ytree_get(root, "designs"), *space = ytree_get(root, "design_space");
	for (int i = 0; i < c->n_designs; i++) {
		const design_t *d = &c->designs[i].d;
		const ytree_node *dn = ytree_get(designs, c->designs[i].name);
		bool q = kvcache_quantised(d), t = d->kv_tier != KV_TIER_NONE;
		if ((q || t) && !c->kv.present)
			return fail(L, ytree_get(dn, q ? "kv_precision" : "kv_tier_region"),
				    "'designs.%s.%s' needs the 'kv_cache' section (group sizes, scales, the dequantiser, the "
				    "tier's memory)", c->designs[i].name, q ? "kv_precision" : "kv_tier_region");
		if (q && kv_group_check(L, root, d->kv_prec))
			return -1;
		if (!t)
			continue;
		int type = c->kv.tier_memory;
		double need = (double)kvcache_tier_blocks(c, d);
		double cs = kv_region_cap(c, type, KV_TIER_STATIC, d->rp), cr = kv_region_cap(c, type, KV_TIER_RP, d->rp);
		if (need > cs && need > cr) {
			char cap[160];
			if (d->mode == MODE_DPR)
				snprintf(cap, sizeof cap, "the static region may use %.0f, pblock '%s' has %.0f", cs,
					 c->arch.pblocks[d->rp].name, cr);
			else
				snprintf(cap, sizeof cap, "the device may use %.0f", cs);
			return fail(L, ytree_get(dn, "kv_window") ? ytree_get(dn, "kv_window") : ytree_get(dn, "kv_sinks"),
				    "'designs.%s': a K/V tier of %lld keys per layer (%s) needs %.0f %s, more than any region "
				    "holds (%s)", c->designs[i].name, (long long)kvcache_tier_keys(d), kv_prec_names[d->kv_prec],
				    need, res_names[type], cap);
		}
	}
	bool q = false, t = false;
	for (int i = 0; i < s->n_kv_prec; i++)
		q |= s->kv_prec[i] != KV_FP16;
	for (int i = 0; i < s->n_kv_tier; i++)
		t |= s->kv_tier[i] != KV_TIER_NONE;
	if ((q || t) && !c->kv.present)
		return fail(L, ytree_get(space, q ? "kv_precision" : "kv_tier_region"),
			    "'design_space.%s' needs the 'kv_cache' section (group sizes, scales, the dequantiser, the tier's "
			    "memory)", q ? "kv_precision" : "kv_tier_region");
	for (int i = 0; i < s->n_kv_prec; i++)
		if (s->kv_prec[i] != KV_FP16 && kv_group_check(L, root, (kv_prec_t)s->kv_prec[i]))
			return -1;
	if (!t)
		return 0;
	/* the smallest tier of each window: fewest sinks, fewest bytes per key, fewest lanes */
	int smin = s->kv_sinks[0], lmin = s->dec_lanes[0];
	kv_prec_t pmin = (kv_prec_t)s->kv_prec[0];
	for (int i = 1; i < s->n_kv_sinks; i++)
		smin = s->kv_sinks[i] < smin ? s->kv_sinks[i] : smin;
	for (int i = 1; i < s->n_dec_lanes; i++)
		lmin = s->dec_lanes[i] < lmin ? s->dec_lanes[i] : lmin;
	for (int i = 1; i < s->n_kv_prec; i++)
		if (kvcache_key_bytes(c, (kv_prec_t)s->kv_prec[i]) < kvcache_key_bytes(c, pmin))
			pmin = (kv_prec_t)s->kv_prec[i];
	int type = c->kv.tier_memory;
	double best = 0;
	for (int i = 0; i < s->n_kv_tier; i++) {
		kv_tier_t r = (kv_tier_t)s->kv_tier[i];
		if (r == KV_TIER_NONE)
			continue;
		if (s->mode_static && r == KV_TIER_STATIC)
			best = fmax(best, kv_region_cap(c, type, KV_TIER_STATIC, -1));
		for (int j = 0; s->mode_dpr && j < s->n_rp; j++)
			best = fmax(best, kv_region_cap(c, type, r, s->rp[j]));
	}
	for (int i = 0; i < s->n_kv_window; i++) {
		int64_t keys = (int64_t)s->kv_window[i] + smin;
		double need = (double)kvcache_blocks_for(c, pmin, keys, lmin);
		if (keys > 0 && need > best)
			return fail(L, ytree_get(space, "kv_window") ? ytree_get(space, "kv_window")->items[i]
								     : ytree_get(space, "kv_sinks"),
				    "'design_space.kv_window' %d: the smallest K/V tier it gives (%lld keys per layer, %s, %d "
				    "decode lanes) needs %.0f %s, more than any region of the space holds (%.0f)",
				    s->kv_window[i], (long long)keys, kv_prec_names[pmin], lmin, need, res_names[type], best);
	}
	return 0;
}

/* Infer the engine sizes designs ask for, once calibration and measurements are in. */
static int load_inferred(ld_t *L, const ytree_node *root)
{
	cfg_t *c = L->c;
	for (int i = 0; i < c->n_designs; i++) {
		if (!c->designs[i].n_inferred)
			continue;
		const ytree_node *at = ytree_get(ytree_get(ytree_get(root, "designs"), c->designs[i].name), "infer_from");
		if (!c->has_meas)
			return fail(L, at, "'designs.%s.infer_from' needs the 'measurements' section (its table2 rows)",
				    c->designs[i].name);
		char err[512];
		if (infer_design(c, i, err, sizeof err))
			return fail(L, at, "%s", err);
	}
	return 0;
}

/* ------------------------------------------------------------- top level */

static int cross_checks(ld_t *L, const ytree_node *root)
{
	cfg_t *c = L->c;
	/* the objective's prompt must be one the workload evaluates */
	bool found = false;
	for (int i = 0; i < c->wl.n_prompts; i++)
		found |= c->wl.prompts[i] == c->obj.prompt;
	if (!found)
		return fail(L, ytree_get(ytree_get(root, "objective"), "prompt"),
			    "'objective.prompt' (%d) must be one of 'workload.prompts'", c->obj.prompt);
	/* the longest prompt must leave room for the generated tokens */
	int longest = 0;
	for (int i = 0; i < c->wl.n_prompts; i++)
		longest = c->wl.prompts[i] > longest ? c->wl.prompts[i] : longest;
	if (longest + c->wl.gen_tokens > c->model.max_context)
		return fail(L, ytree_get(ytree_get(root, "workload"), "gen_tokens"),
			    "'workload.gen_tokens' (%d) after the prompt of %d tokens exceeds "
			    "'model.max_context' (%d)",
			    c->wl.gen_tokens, longest, c->model.max_context);
	if (c->obj.workload[0] && cfg_find_session_wl(c, c->obj.workload) < 0)
		return fail(L, ytree_get(ytree_get(root, "objective"), "workload"),
			    "'objective.workload' names '%s', which is not in 'workloads'", c->obj.workload);
	for (int i = 0; i < c->n_designs; i++) {
		char err[256];
		if (cfg_check_design(c, &c->designs[i].d, err, sizeof err))
			return fail(L, holder(ytree_get(ytree_get(root, "designs"), c->designs[i].name)),
				    "'designs.%s': %s", c->designs[i].name, err);
	}
	return 0;
}

int config_load_buffer(cfg_t *c, const char *name, const char *buf, size_t len, char *err, size_t errlen)
{
	static const char *const keys[] = {"schema", "device", "model", "workload", "architecture",
					   "designs", "design_space", "constraints", "objective",
					   "calibration", "measurements", "intervals", "session", "workloads",
					   "kv_cache", NULL};
	ytree_doc *doc;
	ld_t L = {name, err, errlen, c};

	memset(c, 0, sizeof *c);
	snprintf(c->path, sizeof c->path, "%s", name);
	if (len > CFG_MAX_BYTES) {
		snprintf(err, errlen, "%s:1:1: the file is larger than %u bytes, the most a config may be",
			 name, CFG_MAX_BYTES);
		return -1;
	}
	ytree_node *root = ytree_parse(name, buf, len, &doc, err, errlen);
	if (!root)
		return -1;
	int rc = -1;
	const ytree_node *v;
	if (root->kind != YTREE_MAP) {
		char b[64];
		fail(&L, root, "the document must be a mapping of sections, got %s%s%s%s",
		     is_null(root) ? "nothing" : kind_name(root), root->kind == YTREE_SCALAR && !is_null(root) ? " '" : "",
		     root->kind == YTREE_SCALAR && !is_null(root) ? shown(root, b, sizeof b) : "",
		     root->kind == YTREE_SCALAR && !is_null(root) ? "'" : "");
		goto out;
	}
	if (check_keys(&L, root, "", keys))
		goto out;
	if (get_int(&L, root, "", "schema", 1, 1000000, &c->schema))
		goto out;
	if (c->schema != CFG_SCHEMA_VERSION) {
		fail(&L, ytree_get(root, "schema"), "'schema' is %d; this pdswap reads schema %d", c->schema,
		     CFG_SCHEMA_VERSION);
		goto out;
	}
	if (!(v = req(&L, root, "", "device")) || load_device(&L, v) ||
	    !(v = req(&L, root, "", "model")) || load_model(&L, v) ||
	    !(v = req(&L, root, "", "workload")) || load_workload(&L, v) ||
	    !(v = req(&L, root, "", "architecture")) || load_arch(&L, v) ||
	    !(v = req(&L, root, "", "designs")) || load_designs(&L, v) ||
	    !(v = req(&L, root, "", "design_space")) || load_space(&L, v) ||
	    !(v = req(&L, root, "", "constraints")) || load_constraints(&L, v) ||
	    !(v = req(&L, root, "", "objective")) || load_objective(&L, v) ||
	    !(v = req(&L, root, "", "calibration")) || load_calibration(&L, v))
		goto out;
	if ((v = ytree_get(root, "measurements")) != NULL) {
		if (load_meas(&L, v))
			goto out;
		c->has_meas = true;
	}
	session_defaults(c);
	if ((v = ytree_get(root, "session")) != NULL && load_session(&L, v))
		goto out;
	if ((v = ytree_get(root, "workloads")) != NULL && load_workloads(&L, v))
		goto out;
	if ((v = ytree_get(root, "kv_cache")) != NULL && load_kv_cache(&L, v))
		goto out;
	if (load_intervals(&L, ytree_get(root, "intervals")) || load_inferred(&L, root) || kv_checks(&L, root) ||
	    rms_kv_check(&L, root) || cross_checks(&L, root))
		goto out;
	c->text = malloc(len + 1);
	if (!c->text) {
		snprintf(err, errlen, "%s: out of memory", name);
		goto out;
	}
	memcpy(c->text, buf, len);
	c->text[len] = '\0';
	c->text_len = len;
	if (sha256_hex(buf, len, c->sha256)) {
		snprintf(err, errlen, "%s: cannot hash the config (libcrypto failed)", name);
		free(c->text);
		c->text = NULL;
		goto out;
	}
	rc = 0;
out:
	ytree_free(doc);
	if (rc)
		memset(c, 0, sizeof *c);
	return rc;
}

int config_load(cfg_t *c, const char *path, char *err, size_t errlen)
{
	memset(c, 0, sizeof *c);
	/* opened without blocking, so that a FIFO or a device is refused
	 * rather than waited on */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file (%s); a config is a YAML file", path,
			 S_ISDIR(st.st_mode) ? "a directory" : S_ISFIFO(st.st_mode) ? "a FIFO" :
			 S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device" : S_ISSOCK(st.st_mode) ? "a socket" : "not a file");
		close(fd);
		return -1;
	}
	int fl = fcntl(fd, F_GETFL);
	FILE *f = fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0 ? NULL : fdopen(fd, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	size_t cap = 65536, len = 0;
	char *buf = malloc(cap);
	while (buf) {
		size_t got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (len < cap)
			break;
		if (cap > CFG_MAX_BYTES) /* read one block past the limit, then stop */
			break;
		char *nb = realloc(buf, cap * 2);
		if (!nb) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = nb;
		cap *= 2;
	}
	int rerr = ferror(f);
	fclose(f);
	if (!buf || rerr) {
		snprintf(err, errlen, "%s: cannot read: %s", path, buf ? strerror(errno) : "out of memory");
		free(buf);
		return -1;
	}
	int rc = config_load_buffer(c, path, buf, len, err, errlen);
	free(buf);
	return rc;
}
