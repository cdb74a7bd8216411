/*
 * pragma.c - the syntax check of `#pragma HLS` lines (see pragma.h): the
 * pragmas the kernels use, their options and values as Vitis HLS 2024.1
 * documents them (UG1399), macros of the generated headers expanded.
 */
#include "hls/pragma.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

typedef enum { O_INT, O_POW2, O_ENUM, O_ID, O_WORD, O_FLAG, O_BOOL } okind;

typedef struct {
	const char *key;
	okind kind;
	long lo, hi;         /* O_INT range */
	const char *values;  /* O_ENUM: "a|b|c" */
} ospec;

#define INT(k, lo, hi) {k, O_INT, lo, hi, NULL}
#define ENUM(k, v) {k, O_ENUM, 0, 0, v}
#define ID(k) {k, O_ID, 0, 0, NULL}
#define FLAG(k) {k, O_FLAG, 0, 0, NULL}
#define BOOL(k) {k, O_BOOL, 0, 0, NULL}
#define END {NULL, O_FLAG, 0, 0, NULL}

static const ospec o_pipeline[] = {INT("II", 1, 65535), FLAG("off"), FLAG("rewind"), ENUM("style", "stp|frp|flp"), END};
static const ospec o_unroll[] = {INT("factor", 1, 1L << 20), FLAG("skip_exit_check"), BOOL("off"), END};
static const ospec o_tripcount[] = {INT("min", 0, 1L << 40), INT("max", 0, 1L << 40), INT("avg", 0, 1L << 40), END};
static const ospec o_flatten[] = {FLAG("off"), END};
static const ospec o_inline[] = {FLAG("off"), FLAG("recursive"), END};
static const ospec o_dataflow[] = {FLAG("disable_start_propagation"), END};
static const ospec o_stream[] = {ID("variable"), INT("depth", 1, 1L << 24), ENUM("type", "fifo|pipo|shared|unsynchronized"),
				 FLAG("off"), END};
static const ospec o_partition[] = {ID("variable"), ENUM("type", "cyclic|block|complete"), INT("factor", 1, 1L << 20),
				    INT("dim", 0, 64), BOOL("off"), END};
static const ospec o_reshape[] = {ID("variable"), ENUM("type", "cyclic|block|complete"), INT("factor", 1, 1L << 20),
				  INT("dim", 0, 64), FLAG("object"), BOOL("off"), END};
static const ospec o_storage[] = {ID("variable"),
				  ENUM("type", "fifo|ram_1p|ram_1wnr|ram_2p|ram_s2p|ram_t2p|rom_1p|rom_2p|rom_np"),
				  ENUM("impl", "auto|bram|bram_ecc|lutram|uram|uram_ecc|srl|memory"), INT("latency", 1, 64),
				  END};
static const ospec o_dependence[] = {ID("variable"), ENUM("class", "array|pointer"), ENUM("type", "inter|intra"),
				     ENUM("direction", "RAW|WAR|WAW"), INT("distance", 1, 1L << 30), BOOL("dependent"),
				     FLAG("true"), FLAG("false"), END};
static const ospec o_interface[] = {
	ENUM("mode", "m_axi|s_axilite|axis|ap_memory|bram|ap_fifo|ap_none|ap_vld|ap_ack|ap_hs|ap_ovld|ap_stable|"
		     "ap_ctrl_none|ap_ctrl_hs|ap_ctrl_chain"),
	ID("port"), ID("bundle"), {"offset", O_WORD, 0, 0, NULL}, INT("depth", 1, 1L << 30), INT("latency", 0, 1L << 16),
	INT("max_read_burst_length", 1, 256), INT("max_write_burst_length", 1, 256),
	INT("num_read_outstanding", 1, 1024), INT("num_write_outstanding", 1, 1024),
	{"max_widen_bitwidth", O_POW2, 0, 1024, NULL}, ID("channel"), ID("name"), ID("clock"), FLAG("register"),
	ENUM("register_mode", "both|forward|reverse|off"), ENUM("storage_type", "ram_1p|ram_2p|ram_t2p|ram_s2p|rom_1p|rom_2p|rom_np"),
	ENUM("storage_impl", "auto|bram|lutram|uram"), END};

typedef struct {
	const char *name;
	const ospec *opts;
	const char *required; /* option that must be present, or NULL */
} pspec;

static const pspec pragmas[] = {
	{"pipeline", o_pipeline, NULL},        {"unroll", o_unroll, NULL},
	{"loop_tripcount", o_tripcount, "max"}, {"loop_flatten", o_flatten, NULL},
	{"inline", o_inline, NULL},            {"dataflow", o_dataflow, NULL},
	{"stream", o_stream, "variable"},      {"array_partition", o_partition, "variable"},
	{"array_reshape", o_reshape, "variable"}, {"bind_storage", o_storage, "variable"},
	{"dependence", o_dependence, NULL},    {"interface", o_interface, "mode"},
};

#define MAX_OPTS 24

typedef struct {
	char key[64], val[128];
	bool has_val;
	const ospec *spec;
	long long num; /* integer value, when it is one */
} opt_t;

static bool is_ident(const char *s)
{
	if (!(isalpha((unsigned char)*s) || *s == '_'))
		return false;
	for (s++; *s; s++)
		if (!(isalnum((unsigned char)*s) || *s == '_'))
			return false;
	return true;
}

static bool parse_int(const char *s, long long *out)
{
	if (!*s)
		return false;
	long long v = 0;
	for (const char *q = s; *q; q++) {
		if (!isdigit((unsigned char)*q) || v > (1LL << 50))
			return false;
		v = v * 10 + (*q - '0');
	}
	*out = v;
	return true;
}

static bool in_enum(const char *values, const char *v)
{
	size_t n = strlen(v);
	for (const char *s = values; *s;) {
		const char *e = strchr(s, '|');
		size_t k = e ? (size_t)(e - s) : strlen(s);
		if (k == n && strncasecmp(s, v, n) == 0)
			return true;
		if (!e)
			break;
		s = e + 1;
	}
	return false;
}

/* Replace a macro name by its value, repeatedly.  Returns -1 on a loop. */
static int expand(char *val, size_t sz, const pragma_define *defs, int ndefs, bool *was_macro)
{
	*was_macro = false;
	for (int depth = 0; depth < 32; depth++) {
		int hit = -1;
		for (int i = 0; i < ndefs && hit < 0; i++)
			if (strcmp(defs[i].name, val) == 0)
				hit = i;
		if (hit < 0)
			return 0;
		*was_macro = true;
		/* the value, trimmed */
		const char *v = defs[hit].value;
		while (isspace((unsigned char)*v))
			v++;
		size_t n = strlen(v);
		while (n && isspace((unsigned char)v[n - 1]))
			n--;
		if (n >= sz)
			n = sz - 1;
		memmove(val, v, n);
		val[n] = '\0';
	}
	return -1;
}

static const opt_t *find_opt(const opt_t *o, int n, const char *key)
{
	for (int i = 0; i < n; i++)
		if (strcasecmp(o[i].key, key) == 0)
			return &o[i];
	return NULL;
}

/* Which implementations each storage type accepts (UG1399 bind_storage). */
static bool impl_ok(const char *type, const char *impl)
{
	static const struct {
		const char *type, *impls;
	} t[] = {{"fifo", "auto|bram|bram_ecc|lutram|uram|uram_ecc|srl|memory"},
		 {"ram_1p", "auto|bram|bram_ecc|lutram|uram|uram_ecc"},
		 {"ram_1wnr", "auto|bram|bram_ecc|lutram|uram|uram_ecc"},
		 {"ram_2p", "auto|bram|bram_ecc|lutram|uram|uram_ecc"},
		 {"ram_s2p", "auto|bram|bram_ecc|lutram|uram|uram_ecc"},
		 {"ram_t2p", "auto|bram|bram_ecc|uram|uram_ecc"},
		 {"rom_1p", "auto|bram|lutram"},
		 {"rom_2p", "auto|bram|lutram"},
		 {"rom_np", "auto|bram|lutram"}};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (strcasecmp(t[i].type, type) == 0)
			return in_enum(t[i].impls, impl);
	return false;
}

/* Rules between options of one pragma. */
static int cross_rules(const pspec *ps, const opt_t *o, int n, char *err, size_t errlen)
{
	const char *nm = ps->name;
	if (strcmp(nm, "array_partition") == 0 || strcmp(nm, "array_reshape") == 0) {
		const opt_t *t = find_opt(o, n, "type"), *f = find_opt(o, n, "factor");
		bool complete = !t || strcasecmp(t->val, "complete") == 0;
		if (complete && f)
			return fail(err, errlen, "%s: 'factor' is not allowed with type=complete%s", nm,
				    t ? "" : " (the default type)");
		if (!complete && !f)
			return fail(err, errlen, "%s: type=%s needs 'factor'", nm, t->val);
	}
	if (strcmp(nm, "bind_storage") == 0) {
		const opt_t *t = find_opt(o, n, "type"), *i = find_opt(o, n, "impl");
		if (!t)
			return fail(err, errlen, "bind_storage: 'type' is required");
		if (i && !impl_ok(t->val, i->val))
			return fail(err, errlen, "bind_storage: impl=%s is not an implementation of type=%s", i->val, t->val);
	}
	if (strcmp(nm, "loop_tripcount") == 0) {
		const opt_t *mn = find_opt(o, n, "min"), *mx = find_opt(o, n, "max"), *av = find_opt(o, n, "avg");
		if (mn && mn->num > mx->num)
			return fail(err, errlen, "loop_tripcount: min=%lld exceeds max=%lld", mn->num, mx->num);
		if (av && (av->num > mx->num || (mn && av->num < mn->num)))
			return fail(err, errlen, "loop_tripcount: avg=%lld is outside [min, max]", av->num);
	}
	if (strcmp(nm, "dependence") == 0) {
		const opt_t *v = find_opt(o, n, "variable"), *cl = find_opt(o, n, "class");
		const opt_t *tr = find_opt(o, n, "true"), *fa = find_opt(o, n, "false"), *de = find_opt(o, n, "dependent");
		const opt_t *di = find_opt(o, n, "distance"), *dr = find_opt(o, n, "direction"), *ty = find_opt(o, n, "type");
		if (v && cl)
			return fail(err, errlen, "dependence: 'variable' and 'class' exclude each other");
		if ((tr != NULL) + (fa != NULL) + (de != NULL) > 1)
			return fail(err, errlen, "dependence: say dependent true or false once");
		bool dep = tr || (de && strcasecmp(de->val, "true") == 0);
		if (di && !dep)
			return fail(err, errlen, "dependence: 'distance' needs a true dependence");
		if (dr && ty && strcasecmp(ty->val, "intra") == 0)
			return fail(err, errlen, "dependence: 'direction' applies to type=inter only");
	}
	if (strcmp(nm, "interface") == 0) {
		const opt_t *m = find_opt(o, n, "mode");
		bool maxi = strcasecmp(m->val, "m_axi") == 0, lite = strcasecmp(m->val, "s_axilite") == 0;
		static const char *const maxi_only[] = {"max_read_burst_length", "max_write_burst_length",
							 "num_read_outstanding", "num_write_outstanding",
							 "max_widen_bitwidth", "channel", NULL};
		for (int i = 0; maxi_only[i]; i++)
			if (!maxi && find_opt(o, n, maxi_only[i]))
				return fail(err, errlen, "interface: '%s' is an m_axi option, not for mode=%s", maxi_only[i],
					    m->val);
		if (!find_opt(o, n, "port"))
			return fail(err, errlen, "interface: 'port' is required");
		if (find_opt(o, n, "bundle") && !maxi && !lite)
			return fail(err, errlen, "interface: 'bundle' is for m_axi and s_axilite, not mode=%s", m->val);
		const opt_t *off = find_opt(o, n, "offset");
		if (off) {
			long long k;
			if (maxi && !in_enum("off|direct|slave", off->val))
				return fail(err, errlen, "interface: m_axi 'offset' must be off, direct or slave, got '%s'",
					    off->val);
			if (lite && !parse_int(off->val, &k))
				return fail(err, errlen, "interface: s_axilite 'offset' must be an integer, got '%s'", off->val);
			if (!maxi && !lite)
				return fail(err, errlen, "interface: 'offset' is not an option of mode=%s", m->val);
		}
	}
	return 0;
}

int pragma_check(const char *line, const pragma_define *defs, int ndefs, char *err, size_t errlen)
{
	char buf[1024];
	opt_t o[MAX_OPTS];
	int n = 0;

	if (strlen(line) >= sizeof buf)
		return fail(err, errlen, "pragma line is longer than %zu characters", sizeof buf - 1);
	snprintf(buf, sizeof buf, "%s", line);
	char *save = NULL, *tok = strtok_r(buf, " \t\r\n", &save);
	if (tok && tok[0] == '#') {
		if (strcmp(tok, "#") == 0)
			tok = strtok_r(NULL, " \t\r\n", &save);
		else
			tok++;
		if (!tok || strcmp(tok, "pragma") != 0)
			return fail(err, errlen, "not a pragma line");
		tok = strtok_r(NULL, " \t\r\n", &save);
	}
	if (!tok || strcasecmp(tok, "HLS") != 0)
		return fail(err, errlen, "not an HLS pragma (expected '#pragma HLS ...')");
	char *name = strtok_r(NULL, " \t\r\n", &save);
	if (!name)
		return fail(err, errlen, "'#pragma HLS' without a pragma name");
	const pspec *ps = NULL;
	for (size_t i = 0; i < sizeof pragmas / sizeof pragmas[0]; i++)
		if (strcasecmp(pragmas[i].name, name) == 0)
			ps = &pragmas[i];
	if (!ps)
		return fail(err, errlen, "unknown HLS pragma '%s'", name);

	while ((tok = strtok_r(NULL, " \t\r\n", &save))) {
		if (n == MAX_OPTS)
			return fail(err, errlen, "%s: more than %d options", ps->name, MAX_OPTS);
		opt_t *x = &o[n];
		memset(x, 0, sizeof *x);
		char *eq = strchr(tok, '=');
		if (eq) {
			*eq = '\0';
			if (!eq[1])
				return fail(err, errlen, "%s: option '%s=' has no value", ps->name, tok);
			if (strlen(eq + 1) >= sizeof x->val)
				return fail(err, errlen, "%s: the value of '%s' is too long", ps->name, tok);
			snprintf(x->val, sizeof x->val, "%s", eq + 1);
			x->has_val = true;
		}
		if (strlen(tok) >= sizeof x->key || !*tok)
			return fail(err, errlen, "%s: malformed option '%s'", ps->name, tok);
		snprintf(x->key, sizeof x->key, "%s", tok);
		for (const ospec *s = ps->opts; s->key; s++)
			if (strcasecmp(s->key, x->key) == 0)
				x->spec = s;
		if (!x->spec)
			return fail(err, errlen, "%s: unknown option '%s'", ps->name, x->key);
		if (find_opt(o, n, x->key))
			return fail(err, errlen, "%s: option '%s' given twice", ps->name, x->key);
		const ospec *s = x->spec;
		if (s->kind == O_FLAG) {
			if (x->has_val)
				return fail(err, errlen, "%s: '%s' is a flag and takes no value", ps->name, x->key);
			n++;
			continue;
		}
		if (!x->has_val)
			return fail(err, errlen, "%s: option '%s' needs a value ('%s=...')", ps->name, x->key, x->key);
		bool macro;
		char orig[128];
		snprintf(orig, sizeof orig, "%s", x->val);
		if (expand(x->val, sizeof x->val, defs, ndefs, &macro))
			return fail(err, errlen, "%s: '%s=%s': the macro expands to itself", ps->name, x->key, orig);
		if (macro && !parse_int(x->val, &x->num) && is_ident(x->val))
			return fail(err, errlen,
				    "%s: '%s=%s': macro '%s' stands for the keyword '%s'; a keyword must come through PDS_PRAGMA(...)",
				    ps->name, x->key, orig, orig, x->val);
		switch (s->kind) {
		case O_INT:
			if (!parse_int(x->val, &x->num))
				return fail(err, errlen, "%s: '%s' must be an integer, got '%s'", ps->name, x->key, x->val);
			if (x->num < s->lo || x->num > s->hi)
				return fail(err, errlen, "%s: '%s' must be in [%ld, %ld], got %lld", ps->name, x->key, s->lo,
					    s->hi, x->num);
			break;
		case O_POW2:
			if (!parse_int(x->val, &x->num) || x->num > s->hi || (x->num & (x->num - 1)) ||
			    (x->num != 0 && x->num < 8))
				return fail(err, errlen, "%s: '%s' must be 0 or a power of two in [8, %ld], got '%s'",
					    ps->name, x->key, s->hi, x->val);
			break;
		case O_ENUM:
			if (!in_enum(s->values, x->val))
				return fail(err, errlen, "%s: '%s' must be one of %s, got '%s'", ps->name, x->key, s->values,
					    x->val);
			break;
		case O_ID:
			if (!is_ident(x->val))
				return fail(err, errlen, "%s: '%s' must be a C identifier, got '%s'", ps->name, x->key, x->val);
			break;
		case O_BOOL:
			if (strcasecmp(x->val, "true") && strcasecmp(x->val, "false"))
				return fail(err, errlen, "%s: '%s' must be true or false, got '%s'", ps->name, x->key, x->val);
			break;
		case O_WORD:
		case O_FLAG:
			break;
		}
		n++;
	}
	if (ps->required && !find_opt(o, n, ps->required))
		return fail(err, errlen, "%s: '%s' is required", ps->name, ps->required);
	return cross_rules(ps, o, n, err, errlen);
}
