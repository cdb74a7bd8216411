/*
 * check_cfg.c - the config loader: the shipped configs load, and every
 * kind of user error is reported as FILE:LINE:COL naming the key and what
 * was expected, at several places of a realistic config.
 *
 * Most cases edit configs/kv260.yaml and compute the expected position
 * from the edited text: the byte where the offending token starts, turned
 * into a 1-based line and column.  The position is never copied from the
 * program's output.  A value is replaced through its path in the YAML tree
 * (testutil.h), so that no case copies a number calibration may rewrite;
 * edits of structure (keys, punctuation) replace text.  Numbers of the
 * board that appear in expected messages are read from the loaded config.
 */
#include <math.h>
#include <stddef.h>
#include <unistd.h>

#include "suites.h"
#include "config/writeback.h"
#include "testutil.h"
#include "config/ytree.h"

/* 1-based line and column of byte `off` of ASCII text with LF line ends. */
static void pos_of(const char *text, size_t off, int *line, int *col)
{
	int l = 1, c = 1;
	for (size_t i = 0; i < off; i++) {
		if (text[i] == '\n') {
			l++;
			c = 1;
		} else {
			c++;
		}
	}
	*line = l;
	*col = c;
}

/* Load `len` bytes; expect failure at line:col with every needle in the message. */
static void expect_error_n(const char *text, size_t len, int line, int col, const char *n1,
			   const char *n2)
{
	cfg_t c;
	char err[1024], pos[64];
	int rc = config_load_buffer(&c, "t.yaml", text, len, err, sizeof err);
	ck_assert_msg(rc == -1, "expected an error containing '%s'", n1);
	ck_assert_msg(c.text == NULL, "a failed load left text behind");
	snprintf(pos, sizeof pos, "t.yaml:%d:%d: ", line, col);
	ck_assert_msg(strncmp(err, pos, strlen(pos)) == 0, "expected position %s in: %s", pos, err);
	ck_assert_msg(strstr(err, n1) != NULL, "expected '%s' in: %s", n1, err);
	ck_assert_msg(!n2 || strstr(err, n2) != NULL, "expected '%s' in: %s", n2, err);
}

static void expect_error(const char *text, int line, int col, const char *needle)
{
	expect_error_n(text, strlen(text), line, col, needle, NULL);
}

/* Expect failure at the byte where `mark` first occurs in text. */
static void expect_error_at(const char *text, const char *mark, const char *n1, const char *n2)
{
	const char *m = strstr(text, mark);
	ck_assert_msg(m != NULL, "mark '%s' not in the text", mark);
	int line, col;
	pos_of(text, (size_t)(m - text), &line, &col);
	expect_error_n(text, strlen(text), line, col, n1, n2);
}

/* `path` with the first `from` replaced by `to` (malloc'd); *at = offset of the edit. */
static char *edit_file(const char *path, const char *from, const char *to, size_t *at)
{
	char *b = tu_read(path, NULL);
	char *p = strstr(b, from);
	ck_assert_msg(p != NULL, "'%s' not found in %s", from, path);
	size_t n = strlen(b), fl = strlen(from), tl = strlen(to), o = (size_t)(p - b);
	char *out = malloc(n - fl + tl + 1);
	ck_assert(out != NULL);
	memcpy(out, b, o);
	memcpy(out + o, to, tl);
	memcpy(out + o + tl, p + fl, n - o - fl + 1);
	free(b);
	if (at)
		*at = o;
	return out;
}

/*
 * One edit of a shipped config that must fail.  The error is expected at
 * `mark`: inside the replacement text `to` (its first occurrence there), or,
 * when `mark` starts with '@', at the first occurrence of the rest in the
 * whole edited file.  `key` is the dotted key the message must name, `what`
 * what it must say was expected.
 */
typedef struct {
	const char *from, *to, *mark, *key, *what;
} edit_case;

static void run_edit_in(const char *path, const edit_case *e)
{
	size_t at;
	char *t = edit_file(path, e->from, e->to, &at);
	size_t off;
	if (e->mark[0] == '@') {
		const char *m = strstr(t, e->mark + 1);
		ck_assert_msg(m != NULL, "mark '%s' not in the edited text", e->mark + 1);
		off = (size_t)(m - t);
	} else {
		const char *m = strstr(e->to, e->mark);
		ck_assert_msg(m != NULL, "mark '%s' not in the replacement '%s'", e->mark, e->to);
		off = at + (size_t)(m - e->to);
	}
	int line, col;
	pos_of(t, off, &line, &col);
	expect_error_n(t, strlen(t), line, col, e->key, e->what);
	free(t);
}

static void run_edits(const edit_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++)
		run_edit_in(KV260, &cases[i]);
}

#define RUN(cases) run_edits(cases, sizeof cases / sizeof cases[0])

/*
 * One value of configs/kv260.yaml, found by its path, replaced by `value`;
 * the load must fail at the first occurrence of `mark` in `value`, naming
 * `key` and saying `what` was expected.
 */
typedef struct {
	const char *path, *value, *mark, *key, *what;
} path_case;

static void run_path_case(const path_case *e)
{
	char *b = tu_read(KV260, NULL);
	size_t at;
	char *t = tu_set(b, e->path, e->value, &at);
	const char *m = strstr(e->value, e->mark);
	ck_assert_msg(m != NULL, "mark '%s' not in the value '%s'", e->mark, e->value);
	int line, col;
	pos_of(t, at + (size_t)(m - e->value), &line, &col);
	expect_error_n(t, strlen(t), line, col, e->key, e->what);
	free(t);
	free(b);
}

static void run_path_cases(const path_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++)
		run_path_case(&cases[i]);
}

#define RUN_PATHS(cases) run_path_cases(cases, sizeof cases / sizeof cases[0])

/* ------------------------------------------------------------ positives */

START_TEST(default_loads)
{
	cfg_t c;
	tu_load_default(&c);
	/* what the file says, read from its tree, not copied */
	char *b = tu_read(KV260, NULL), *layers = tu_get(b, "model.layers");
	ck_assert_int_eq(c.dev.n_hp, (int)tu_find(b, "device.hp_ports").n);
	ck_assert_int_eq(c.model.layers, atoi(layers));
	ck_assert_int_gt(c.model.layers, 0);
	free(layers);
	free(b);
	ck_assert_int_eq(strlen(c.sha256), 64);
	ck_assert_int_ge(cfg_find_design(&c, "tellme"), 0);
	ck_assert(c.has_meas);
	cfg_release(&c);
}
END_TEST

/* A legitimate anchor and alias load, and the alias shares the value. */
START_TEST(alias_ok)
{
	/* anchor a value the file does not hold on the first controller port,
	 * alias it from the second */
	char *b = tu_read(KV260, NULL);
	char *t = tu_set(b, "device.ddr.controller_ports[0].peak_gb_s", "&ctrl 7.5", NULL);
	char *u = tu_set(t, "device.ddr.controller_ports[1].peak_gb_s", "*ctrl", NULL);
	cfg_t c;
	char err[1024];
	ck_assert_msg(config_load_buffer(&c, "t.yaml", u, strlen(u), err, sizeof err) == 0, "%s", err);
	ck_assert_double_eq(c.dev.ddr.ctrl[0].peak_gb_s, 7.5);
	ck_assert_double_eq(c.dev.ddr.ctrl[1].peak_gb_s, 7.5);
	cfg_release(&c);
	free(b);
	free(t);
	free(u);
}
END_TEST

/* Two UTF-8 byte-order marks: refused at 1:1, not at the first key. */
START_TEST(two_boms_refused_at_the_start)
{
	size_t len;
	char *b = tu_read(KV260, &len);
	char *t = malloc(len + 6);
	memcpy(t, "\xef\xbb\xbf\xef\xbb\xbf", 6);
	memcpy(t + 6, b, len);
	expect_error_n(t, len + 6, 1, 1, "more than one UTF-8 byte-order mark", NULL);
	free(t);
	free(b);
}
END_TEST

/* A file with a UTF-8 BOM, CR LF line ends and non-ASCII comments loads. */
START_TEST(utf8_bom_crlf_loads)
{
	size_t len;
	char *b = tu_read(KV260, &len);
	char *t = malloc(2 * len + 16);
	size_t n = 0;
	memcpy(t, "\xef\xbb\xbf# \xc2\xb5s and \xe2\x89\x88\n", 17);
	n = 17;
	for (size_t i = 0; i < len; i++) {
		if (b[i] == '\n')
			t[n++] = '\r';
		t[n++] = b[i];
	}
	cfg_t c, d;
	char err[1024];
	ck_assert_msg(config_load_buffer(&c, "t.yaml", t, n, err, sizeof err) == 0, "%s", err);
	tu_load_default(&d);
	ck_assert_int_eq(c.model.hidden, d.model.hidden);
	ck_assert_mem_eq(&c.dev, &d.dev, sizeof c.dev);
	ck_assert_mem_eq(&c.cal, &d.cal, sizeof c.cal);
	cfg_release(&c);
	cfg_release(&d);
	free(b);
	free(t);
}
END_TEST

/*
 * Write-back puts each value where the file has it, in bytes, even after
 * multi-byte characters (libyaml counts its marks in characters).
 */
START_TEST(write_back_after_utf8)
{
	char *t = tu_edit("calibration:\n", "calibration:   # \xce\xb7 = \xe2\x80\x9c\xe2\x80\x9d efficiencies\n");
	cfg_t c;
	char err[1024];
	ck_assert_msg(config_load_buffer(&c, "t.yaml", t, strlen(t), err, sizeof err) == 0, "%s", err);
	int slot = cfg_slot_index("eta_attn");
	ck_assert_int_ge(slot, 0);
	double v = 0.5;
	char out[] = "/tmp/pdswap_cfg_wb_XXXXXX";
	int fd = mkstemp(out);
	ck_assert(fd >= 0);
	close(fd);
	ck_assert_msg(writeback_config(&c, out, &slot, &v, 1, err, sizeof err) == 0, "%s", err);
	cfg_t d;
	ck_assert_msg(config_load(&d, out, err, sizeof err) == 0, "%s", err);
	ck_assert_double_eq(d.cal.eta_attn.value, 0.5);
	ck_assert_double_eq(d.cal.eta_tlmm.value, c.cal.eta_tlmm.value);
	tu_span old = tu_find(t, "calibration.eta_attn.value");
	ck_assert_uint_eq(d.text_len, c.text_len - (old.end - old.start) + strlen("0.5"));
	cfg_release(&c);
	cfg_release(&d);
	unlink(out);
	free(t);
}
END_TEST

/* ---------------------------------------------------- calibration slots */

/*
 * One calibration slot as the X-macro of models/cfg.h spells it: the name
 * and the cfg_calib field come from the same token, so they cannot be
 * swapped; the runtime tables (cal_slot_names, cfg_cal_scalars,
 * cfg_cal_resources, the loader's keys and spans) are what is checked
 * against them.
 */
typedef struct {
	const char *name, *path;
	size_t value_off, prov_off; /* in cfg_calib */
	double lo, hi;              /* what the loader accepts, from the same row */
} slot_ref;

#define SLOT_X(nm, lo, lo_open, hi, ...) \
	{#nm, "calibration." #nm ".value", offsetof(cfg_calib, nm.value), offsetof(cfg_calib, nm.prov), lo, hi},
#define SLOT_RT(nm, t, key) \
	{#nm "." key, "calibration." #nm "." key, offsetof(cfg_calib, nm.r.v[t]), offsetof(cfg_calib, nm.prov), 0, 1e8},
#define SLOT_R(nm, what)                                                                               \
	SLOT_RT(nm, RES_LUT, "lut") SLOT_RT(nm, RES_FF, "ff") SLOT_RT(nm, RES_BRAM, "bram36") \
	SLOT_RT(nm, RES_URAM, "uram") SLOT_RT(nm, RES_DSP, "dsp")

static const slot_ref slot_refs[] = {CFG_CAL_SCALARS(SLOT_X) CFG_CAL_RESOURCES(SLOT_R)};

#undef SLOT_X
#undef SLOT_RT
#undef SLOT_R

/*
 * Every slot gets a value of its own, written into configs/kv260.yaml
 * through its path (calibration.NAME.value, calibration.NAME.lut, ...).
 * The loaded config must hold each value in the field of that name, behind
 * cfg_slot(cfg_slot_index(name)), and at the span write-back would
 * replace; the slot names must round-trip.  Two names swapped in any of
 * the tables fail here.
 */
START_TEST(calibration_slots_by_name)
{
	enum { N = sizeof slot_refs / sizeof slot_refs[0] };
	ck_assert_int_eq(N, CAL_N_SLOTS);
	static char vals[N][32];
	const char *pairs[2 * N];
	double v[N];
	for (int i = 0; i < N; i++) {
		const slot_ref *r = &slot_refs[i];
		/* scalars: a point inside the accepted range; resource fields: distinct integers */
		v[i] = i < CAL_N_SCALARS ? r->lo + (r->hi - r->lo) * (i + 1) / 64.0 : 1000 + 7 * i;
		snprintf(vals[i], sizeof vals[i], "%.17g", v[i]);
		ck_assert_double_eq(strtod(vals[i], NULL), v[i]);
		for (int j = 0; j < i; j++)
			ck_assert_msg(v[j] != v[i], "slots %s and %s would get the same value", slot_refs[j].name, r->name);
		pairs[2 * i] = r->path;
		pairs[2 * i + 1] = vals[i];
	}
	/* a coefficient with a range gets the range [v, v] that holds its new value */
	static char rpath[N][96], rval[N][80]; /* vals[i] is at most 31 characters */
	const char *all[4 * N];
	int np = N;
	memcpy(all, pairs, sizeof(const char *) * 2 * N);
	char *text = tu_read(KV260, NULL);
	for (int i = 0; i < CAL_N_SCALARS; i++) {
		char key[96];
		snprintf(key, sizeof key, "\n  %s:", slot_refs[i].name);
		const char *at = strstr(text, key), *end = at ? strchr(at + 1, '}') : NULL;
		ck_assert_msg(at != NULL && end != NULL, "'%s' not in %s", slot_refs[i].name, KV260);
		const char *rg = strstr(at, "range:");
		if (!rg || rg > end)
			continue;
		snprintf(rpath[i], sizeof rpath[i], "calibration.%s.range", slot_refs[i].name);
		snprintf(rval[i], sizeof rval[i], "[%.31s, %.31s]", vals[i], vals[i]);
		all[2 * np] = rpath[i];
		all[2 * np + 1] = rval[i];
		np++;
	}
	free(text);
	cfg_t c;
	tu_load_set(&c, "slots.yaml", all, np);
	for (int i = 0; i < N; i++) {
		const slot_ref *r = &slot_refs[i];
		ck_assert_msg(strcmp(cal_slot_names[i], r->name) == 0, "slot %d is named '%s', the table row says '%s'", i,
			      cal_slot_names[i], r->name);
		ck_assert_int_eq(cfg_slot_index(r->name), i);
		double field = *(const double *)((const char *)&c.cal + r->value_off);
		ck_assert_msg(field == v[i], "%s: wrote %.17g, the field holds %.17g", r->path, v[i], field);
		double *slot = cfg_slot(&c, cfg_slot_index(r->name));
		ck_assert_ptr_nonnull(slot);
		ck_assert_msg(*slot == v[i], "cfg_slot(\"%s\") holds %.17g, wrote %.17g", r->name, *slot, v[i]);
		ck_assert_int_eq(cfg_slot_prov(&c, i), *(const prov_t *)((const char *)&c.cal + r->prov_off));
		size_t a = c.cal_span[i].start, b = c.cal_span[i].end;
		ck_assert_msg(b - a == strlen(vals[i]) && memcmp(c.text + a, vals[i], b - a) == 0,
			      "%s: the recorded span holds '%.*s', wrote '%s'", r->name, (int)(b - a), c.text + a, vals[i]);
	}
	ck_assert_int_eq(cfg_slot_index("no_such_slot"), -1);
	ck_assert_ptr_null(cfg_slot(&c, CAL_N_SLOTS));
	cfg_release(&c);
}
END_TEST

/* ------------------------------------------------------- whole documents */

START_TEST(documents)
{
	expect_error("", 1, 1, "no YAML document");
	expect_error("# only a comment\n\n# and another\n", 1, 1, "no YAML document");
	/* the empty document's node starts after the marker line */
	expect_error("---\n", 2, 1, "must be a mapping of sections, got nothing");
	expect_error("just text\n", 1, 1, "must be a mapping of sections, got a scalar 'just text'");
	expect_error("- schema\n- 1\n", 1, 1, "must be a mapping of sections, got a sequence");
	expect_error("schema: 1\n---\nschema: 1\n", 2, 1, "more than one YAML document");
	expect_error("schema: 1\n...\n---\nschema: 1\n", 3, 1, "more than one YAML document");
	expect_error("schema: 2\n", 1, 9, "'schema' is 2; this pdswap reads schema 1");
	expect_error("schema: 1\n", 1, 1, "missing required key 'device'");
}
END_TEST

START_TEST(bytes)
{
	/* NUL: the reader refuses control characters; CR ends a line as LF does */
	expect_error_n("schema: 1\n\0\n", 12, 2, 1, "not valid YAML text", "0x00");
	expect_error_n("schema: 1\r\0\r", 12, 2, 1, "not valid YAML text", "0x00");
	/* invalid UTF-8: the column counts characters (the e-acute is one) */
	expect_error_n("schema: 1\n# \xc3\xa9\xff\n", 16, 2, 4, "not valid YAML text", "0xff");
	/* a bad trailing byte is reported where it is: after "# caf" and the lead byte */
	expect_error_n("schema: 1\n# caf\xc3\x28\n", 18, 2, 7, "invalid trailing UTF-8 octet", "0x28");
	/* a UTF-16 file is refused as such */
	expect_error_n("\xff\xfes\0c\0", 6, 1, 1, "UTF-16", NULL);
	/* bytes 0..255: byte 0 is the first thing the reader refuses */
	char all[256];
	for (int i = 0; i < 256; i++)
		all[i] = (char)i;
	expect_error_n(all, sizeof all, 1, 1, "not valid YAML text", NULL);
	/* a NUL escaped inside a quoted scalar reaches the loader, which refuses it */
	char *t = tu_edit("name: \"AMD Kria KV260", "name: \"AMD\\0Kria KV260");
	expect_error_at(t, "\"AMD\\0", "'device.name'", "must not contain NUL");
	free(t);
	/* CR line ends count as lines in every later position */
	expect_error("schema: 1\rbogus: 2\r", 2, 1, "unknown key 'bogus'");
}
END_TEST

/* Pseudo-random junk never crashes and always names a position. */
START_TEST(random_junk)
{
	uint32_t x = 12345;
	char buf[4096];
	for (int round = 0; round < 200; round++) {
		size_t n = 1 + round * 19 % sizeof buf;
		for (size_t i = 0; i < n; i++) {
			x = x * 1664525u + 1013904223u;
			/* mostly YAML punctuation and text, some raw bytes */
			static const char alpha[] = "ab: -[]{},&*!|>'\"#\n\t0123456789.e";
			buf[i] = (x >> 24) < 200 ? alpha[(x >> 8) % (sizeof alpha - 1)] : (char)(x >> 16);
		}
		cfg_t c;
		char err[1024];
		int rc = config_load_buffer(&c, "t.yaml", buf, n, err, sizeof err);
		ck_assert_int_eq(rc, -1);
		ck_assert_msg(strncmp(err, "t.yaml:", 7) == 0, "%s", err);
		int line = 0, col = 0;
		ck_assert_msg(sscanf(err, "t.yaml:%d:%d: ", &line, &col) == 2 && line >= 1 && col >= 1,
			      "no position in: %s", err);
	}
}
END_TEST

START_TEST(limits)
{
	/* nesting: the root mapping is one level, so the YTREE_MAX_DEPTH-th '[' is too deep */
	char deep[200] = "a: ";
	for (int i = 0; i < 40; i++)
		strcat(deep, "[");
	for (int i = 0; i < 40; i++)
		strcat(deep, "]");
	strcat(deep, "\n");
	expect_error(deep, 1, 3 + YTREE_MAX_DEPTH, "nested deeper than");

	/* more than the size limit: refused before parsing */
	size_t big = (4u << 20) + 1;
	char *b = malloc(big);
	memset(b, '#', big);
	expect_error_n(b, big, 1, 1, "larger than", NULL);
	free(b);

	/* a file of that size on disk: the same error through config_load */
	char path[] = "/tmp/pdswap_cfg_big_XXXXXX";
	int fd = mkstemp(path);
	ck_assert(fd >= 0);
	FILE *f = fdopen(fd, "wb");
	for (size_t i = 0; i < 3 * big; i += 4096) {
		static char line[4096];
		memset(line, '#', sizeof line);
		line[sizeof line - 1] = '\n';
		fwrite(line, 1, sizeof line, f);
	}
	fclose(f);
	cfg_t c;
	char err[1024];
	ck_assert_int_eq(config_load(&c, path, err, sizeof err), -1);
	ck_assert_msg(strstr(err, ":1:1: the file is larger than") != NULL, "%s", err);
	unlink(path);

	/* a directory and a missing file: named, no crash */
	ck_assert_int_eq(config_load(&c, "/tmp", err, sizeof err), -1);
	ck_assert_msg(strcmp(err, "/tmp: not a regular file (a directory); a config is a YAML file") == 0, "%s", err);
	ck_assert_int_eq(config_load(&c, "/nonexistent/pdswap.yaml", err, sizeof err), -1);
	ck_assert_msg(strstr(err, "cannot open") != NULL, "%s", err);
}
END_TEST

/* Aliases count as nodes: a file of many aliases stops at the node limit. */
START_TEST(alias_flood)
{
	size_t n = YTREE_MAX_NODES + 10, cap = 16 + 5 * n;
	char *t = malloc(cap);
	strcpy(t, "a: &x 1\nl:\n");
	size_t len = strlen(t);
	for (size_t i = 0; i < n; i++) {
		memcpy(t + len, "- *x\n", 5);
		len += 5;
	}
	cfg_t c;
	char err[1024];
	ck_assert_int_eq(config_load_buffer(&c, "t.yaml", t, len, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "YAML nodes") != NULL, "%s", err);
	free(t);
}
END_TEST

/*
 * Many anchors and many aliases to the first of them: the parser gets
 * through (anchors are hashed; a linear search per alias would take
 * minutes) and the loader reports the first unknown key.
 */
START_TEST(anchor_flood)
{
	int na = 40000, nl = 100000;
	size_t cap = (size_t)na * 32 + (size_t)nl * 8 + 64;
	char *t = malloc(cap);
	size_t len = 0;
	for (int i = 0; i < na; i++)
		len += (size_t)sprintf(t + len, "k%d: &a%d %d\n", i, i, i);
	len += (size_t)sprintf(t + len, "l:\n");
	for (int i = 0; i < nl; i++)
		len += (size_t)sprintf(t + len, "- *a0\n");
	expect_error_n(t, len, 1, 1, "unknown key 'k0'", NULL);
	free(t);
}
END_TEST

/* ------------------------------------------------------------- aliases */

START_TEST(alias_misuse)
{
	expect_error("schema: *nope\n", 1, 9, "alias '*nope' has no anchor");
	expect_error("a: &x [1, *x]\n", 1, 11, "alias '*x' refers to a node that contains it");
	expect_error("a: &x {b: *x}\n", 1, 11, "alias '*x' refers to a node that contains it");
	expect_error("a: &k b\n*k : 1\n", 2, 1, "alias '*k' used as a mapping key");
	expect_error("base: &b {x: 1}\nd:\n  <<: *b\n", 3, 3, "merge keys ('<<') are not supported");
	expect_error("? [a]\n: 1\n", 1, 3, "a mapping key must be plain text, not a sequence");
	expect_error("? {a: 1}\n: 1\n", 1, 3, "a mapping key must be plain text, not a mapping");
	static const path_case values[] = {
		/* alias to an anchor defined later in the file */
		{"device.ddr.peak_gb_s", "*later", "*later", "alias '*later' has no anchor", NULL},
	};
	RUN_PATHS(values);
	static const edit_case cases[] = {
		/* an alias inside its own anchored mapping, in a list item */
		{"{name: HP1, width_bits: 128,", "&p {name: HP1, width_bits: *p,", "*p", "refers to a node that contains it",
		 NULL},
	};
	RUN(cases);
	/* a merge key in the calibration section (the anchor comes first): the
	 * anchor goes before eta_tlmm's mapping, the merge key just inside
	 * eta_attn's opening brace */
	char *b = tu_read(KV260, NULL);
	tu_span e = tu_find(b, "calibration.eta_tlmm");
	char *t = tu_splice(b, e.start, e.start, "&e ");
	e = tu_find(t, "calibration.eta_attn");
	ck_assert_int_eq(t[e.start], '{');
	char *u = tu_splice(t, e.start + 1, e.start + 1, "<<: *e, ");
	expect_error_at(u, "<<", "merge keys", NULL);
	free(u);
	free(t);
	/* an anchored mapping used as a number: reported where the mapping is */
	e = tu_find(b, "device.fabric.tiles");
	t = tu_splice(b, e.start, e.start, "&pb ");
	u = tu_set(t, "calibration.pcap_slowdown.value", "*pb", NULL);
	expect_error_at(u, "&pb", "'calibration.pcap_slowdown.value'", "must be a number, got a mapping");
	free(u);
	free(t);
	free(b);
}
END_TEST

START_TEST(tags)
{
	expect_error("schema: !!binary AAAA\n", 1, 9, "unsupported tag '!!binary'");
	expect_error("schema: !custom 1\n", 1, 9, "unsupported tag '!custom'");
	expect_error("device: !!seq {a: 1}\n", 1, 9, "unsupported tag '!!seq' on a mapping");
	expect_error("device: !!int [1]\n", 1, 9, "unsupported tag '!!int' on a sequence");
	/* what fits: an integer is a float, a float-looking value under !!float, !!str text */
	static const char *const fine[][2] = {{"  alpha: 0.7", "  alpha: !!float 0.7"},
					      {"  alpha: 0.7", "  alpha: !!float 7e-1"},
					      {"  layers: 24", "  layers: !!int 24"}};
	for (size_t i = 0; i < sizeof fine / sizeof fine[0]; i++) {
		char *t = edit_file(KV260, fine[i][0], fine[i][1], NULL);
		cfg_t c;
		char err[1024];
		ck_assert_msg(config_load_buffer(&c, "t.yaml", t, strlen(t), err, sizeof err) == 0, "%s: %s", fine[i][1], err);
		cfg_release(&c);
		free(t);
	}
	static const edit_case cases[] = {
		/* !!str makes a number text */
		{"  layers: 24", "  layers: !!str 24", "!!str", "'model.layers'", "must be an integer, got the string \"24\""},
		{"  hidden: 1536", "  hidden: !!null ~", "!!null", "'model.hidden'", "must be an integer, got null"},
		/* a tag is checked against its value (the YAML 1.2 core schema) */
		{"  hidden: 1536", "  hidden: !!null 1536", "!!null", "the value '1536' is not of its tag '!!null'", NULL},
		{"  alpha: 0.7", "  alpha: !!int 0.7", "!!int", "the value '0.7' is not of its tag '!!int'", NULL},
		{"  alpha: 0.7", "  alpha: !!bool 1", "!!bool", "the value '1' is not of its tag '!!bool'", NULL},
		{"  alpha: 0.7", "  alpha: !!float 1e", "!!float", "the value '1e' is not of its tag '!!float'", NULL},
		/* ... and against what the key takes: a float is no integer, nor a number text */
		{"  layers: 24", "  layers: !!float 24", "!!float", "'model.layers'", "must be an integer, got '24' tagged !!float"},
		{"  name: \"AMD Kria KV260", "  name: !!int 5 # \"AMD Kria KV260", "!!int", "'device.name'",
		 "must be text, got '5' tagged !!int"},
	};
	RUN(cases);
}
END_TEST

/* -------------------------------------------------------- syntax errors */

START_TEST(syntax)
{
	expect_error("schema: [1\n", 2, 1, "YAML syntax error");
	static const edit_case cases[] = {
		/* a tab where indentation belongs, nested */
		{"  name: \"AMD Kria KV260", "\tname: \"AMD Kria KV260", "\t", "YAML syntax error", "cannot start any token"},
		/* a second ': ' inside a plain value, nested */
		{"  part: xck26-sfvc784-2LV-c", "  part: xck26: sfvc784", ": sfvc784", "YAML syntax error",
		 "mapping values are not allowed"},
		/* an empty entry in a list item's flow mapping */
		{"{name: HP1, width_bits", "{name: HP1,, width_bits", ", width", "YAML syntax error",
		 "did not find expected node content"},
		/* an anchor without a name, in the calibration section */
		{"  lm_head_s:      {value: 0.009,", "  lm_head_s:      {value: & 0.009,", " 0.009", "YAML syntax error",
		 "alphabetic or numeric"},
		/* the same in the measurements section */
		{"    - {prompt: 128, s: 0.96,", "    - {prompt: 128,, s: 0.96,", ", s: 0.96", "YAML syntax error",
		 "did not find expected node content"},
	};
	RUN(cases);
}
END_TEST

/* --------------------------------------------------------- duplicate keys */

START_TEST(duplicates)
{
	/* top level: the later key is reported */
	char *t = edit_file(KV260, "schema: 1\n", "schema: 1\nschema: 1\n", NULL);
	const char *second = strstr(strstr(t, "schema: 1\n") + 1, "schema: 1\n");
	int line, col;
	pos_of(t, (size_t)(second - t), &line, &col);
	expect_error_n(t, strlen(t), line, col, "duplicate key 'schema'", NULL);
	free(t);
	static const edit_case more[] = {
		/* nested mapping */
		{"  part: xck26-sfvc784-2LV-c\n", "  part: xck26-sfvc784-2LV-c\n  part: again\n", "part: again",
		 "duplicate key 'part'", NULL},
		/* a list item's flow mapping */
		{"{name: HP0,", "{name: HP0, name: HPX,", "name: HPX", "duplicate key 'name'", NULL},
		/* a design name */
		{"  pdswap:                       # the published PD-Swap",
		 "  tellme:                       # the published PD-Swap", "tellme:", "duplicate key 'tellme'", NULL},
		/* a port-map name */
		{"    kv2x2: {q: [HP0],", "    qkvo: {q: [HP0],", "qkvo", "duplicate key 'qkvo'", NULL},
		/* the measurements section */
		{"    decode_rm:       {lut: 26418", "    prefill_rm:       {lut: 26418", "prefill_rm",
		 "duplicate key 'prefill_rm'", NULL},
		/* a quoted key equals the plain one */
		{"  hidden: 1536\n", "  hidden: 1536\n  'hidden': 1536\n", "'hidden'", "duplicate key 'hidden'", NULL},
	};
	RUN(more);
	static const path_case values[] = {
		/* a coefficient inside calibration: a second value after its provenance */
		{"calibration.eta_tlmm.prov", "fitted, value: 1", "value: 1", "duplicate key 'value'", NULL},
	};
	RUN_PATHS(values);
}
END_TEST

/* ------------------------------------------------------------ unknown keys */

START_TEST(unknown_keys)
{
	static const edit_case cases[] = {
		{"objective:                      # Eq. 6", "objectve:                      # Eq. 6", "objectve",
		 "unknown key 'objectve' in 'the top level'", "expected one of: schema, device,"},
		{"  clock_max_mhz:", "  clock_max_mhzz:", "clock_max_mhzz", "unknown key 'clock_max_mhzz' in 'device'",
		 "clock_max_mhz"},
		{"{name: HP2, width_bits", "{name: HP2, widht_bits", "widht_bits",
		 "unknown key 'widht_bits' in 'device.hp_ports[2]'", "expected one of: name, width_bits"},
		{"  eta_tlmm:       {value", "  eta_tlm:       {value", "eta_tlm", "unknown key 'eta_tlm' in 'calibration'",
		 "eta_tlmm"},
		{"prov: measured, source: \"LM head", "provenance: measured, source: \"LM head", "provenance",
		 "unknown key 'provenance' in 'calibration.lm_head_s'", "expected one of: value, prov, source, range"},
		{"  ttft:\n    - {prompt: 64,", "  ttfts:\n    - {prompt: 64,", "ttfts", "unknown key 'ttfts' in 'measurements'",
		 "ttft"},
		{"    - {context: 64,   tok_s: 25.0,", "    - {context: 64,   tok_per_s: 25.0,", "tok_per_s",
		 "unknown key 'tok_per_s' in 'measurements.decode[0]'", "tok_s"},
		{"    clock_mhz: 250              # [TELLME2]", "    clok_mhz: 250              # [TELLME2]", "clok_mhz",
		 "unknown key 'clok_mhz' in 'designs.tellme'", "clock_mhz"},
		{"  burst_beats: 16\n  decode_dataflow", "  burst_beat: 16\n  decode_dataflow", "burst_beat",
		 "unknown key 'burst_beat' in 'design_space'", NULL},
	};
	RUN(cases);
}
END_TEST

/* -------------------------------------------------------------- wrong types */

START_TEST(wrong_types)
{
	static const path_case values[] = {
		{"device.clock_max_mhz", "fast", "fast", "'device.clock_max_mhz'", "must be an integer, got 'fast'"},
		{"device.fabric.tiles", "[1, 2, 3, 4]", "[1", "'device.fabric.tiles'", "must be a mapping, got a sequence"},
		{"calibration.eta_port.value", "high", "high", "'calibration.eta_port.value'", "must be a number, got 'high'"},
	};
	RUN_PATHS(values);
	static const edit_case cases[] = {
		{"  layers: 24", "  layers: {n: 24}", "{n", "'model.layers'", "must be an integer, got a mapping"},
		{"  layers: 24", "  layers: 24.0", "24.0", "'model.layers'", "must be an integer, got '24.0'"},
		{"  layers: 24", "  layers: 2.4e1", "2.4e1", "'model.layers'", "must be an integer, got '2.4e1'"},
		{"  prompts: [64, 128, 256, 512, 768, 1024]", "  prompts: 64", "64", "'workload.prompts'",
		 "must be a sequence, got a scalar '64'"},
		{"  prompts: [64, 128, 256, 512, 768, 1024]", "  prompts: [64, 128, x, 512, 768, 1024]", "x,",
		 "'workload.prompts[2]'", "must be an integer, got 'x'"},
		{"q_preload: true", "q_preload: yes", "yes", "'architecture.port_maps.kv2x2.q_preload'",
		 "must be true or false, got 'yes'"},
		{"q_preload: true", "q_preload: \"true\"", "\"true\"", "'architecture.port_maps.kv2x2.q_preload'",
		 "got the string \"true\""},
		{"prov: measured, source: \"LM head", "prov: guessed, source: \"LM head", "guessed",
		 "'calibration.lm_head_s.prov'", "must be one of measured, fitted, derived, assumed"},
		{"    - {prompt: 128, s: 0.96,", "    - {prompt: 128, s: fast,", "fast", "'measurements.ttft[1].s'",
		 "must be a number, got 'fast'"},
		{"    mode: static", "    mode: turbo", "turbo", "'designs.tellme.mode'", "must be 'static' or 'dpr'"},
		{"  name: \"AMD Kria KV260 (XCK26-SFVC784-2LV-C)\"", "  name: [a, b]", "[a", "'device.name'",
		 "must be text, got a sequence"},
		{"  name: \"AMD Kria KV260 (XCK26-SFVC784-2LV-C)\"", "  name: \"\"", "\"\"", "'device.name'",
		 "must be non-empty text, got an empty string"},
		{"  name: \"AMD Kria KV260 (XCK26-SFVC784-2LV-C)\"", "  name:", "@name:\n  part", "'device.name'",
		 "must be non-empty text, got null"},
		{"    - name: rp_s\n", "    - name: rp-s\n", "rp-s", "'architecture.pblocks[0].name'", "must be an identifier"},
		{"  tellme:                       # the published static", "  tell-me:                       # the published static",
		 "tell-me", "'designs.tell-me'", "must be an identifier"},
		{"  port_maps_prefill: [qkvo]", "  port_maps_prefill: qkvo", "qkvo", "'design_space.port_maps_prefill'",
		 "must be a sequence, got a scalar 'qkvo'"},
		{"  gen_tokens: 128", "  gen_tokens: ~", "~", "'workload.gen_tokens'", "must be an integer, got null"},
	};
	RUN(cases);
}
END_TEST

/* ------------------------------------------------------------- missing keys */

START_TEST(missing_keys)
{
	static const edit_case cases[] = {
		/* a whole top-level section: reported at the root mapping's first key */
		{"objective:                      # Eq. 6 of [PDSWAP]\n  alpha: 0.7\n  prompt: 768\n  l_long: 2048\n  l_short: 64\n",
		 "", "@schema: 1", "missing required key 'objective'", NULL},
		/* a nested key: reported at the key holding the mapping */
		{"  part: xck26-sfvc784-2LV-c\n", "", "@device:\n", "missing required key 'device.part'", NULL},
		{"  l_short: 64\n", "", "@objective:", "missing required key 'objective.l_short'", NULL},
		/* a list item has no key: reported at the item */
		{", ddr_port: S3}", "}", "@{name: HP0", "missing required key 'device.hp_ports[0].ddr_port'", NULL},
		/* calibration: a coefficient's provenance */
		{"prov: measured, source: \"LM head", "source: \"LM head", "@lm_head_s:",
		 "missing required key 'calibration.lm_head_s.prov'", NULL},
		{"  swap_ps_ms:     {value", "  swap_ps_mz:     {value", "swap_ps_mz", "unknown key 'swap_ps_mz'", NULL},
		/* measurements */
		{"  swap_ms: {value: 45, source: \"[PDSWAP] attention RP over PCAP on KV260, PS software path included\"}\n", "",
		 "@measurements:", "missing required key 'measurements.swap_ms'", NULL},
		{"    - {bytes: 1048576, ms: 1.518}", "    - {bytes: 1048576}", "{bytes: 1048576",
		 "missing required key 'measurements.pcap.points[1].ms'", NULL},
		/* a dpr design without its pblock */
		{"    rp: rp_m\n", "", "@pdswap:  ", "missing required key 'designs.pdswap.rp'", "a dpr design needs a pblock"},
	};
	RUN(cases);
	/* a resource vector without one type: the bytes from the end of its uram
	 * value to the end of its dsp value (", dsp: N") go */
	char *b = tu_read(KV260, NULL);
	tu_span u = tu_find(b, "device.resources.uram"), d = tu_find(b, "device.resources.dsp");
	char *t = tu_splice(b, u.end, d.end, "");
	expect_error_at(t, "resources:", "missing required key 'device.resources.dsp'", NULL);
	free(t);
	free(b);
}
END_TEST

/* -------------------------------------------------------- values and ranges */

START_TEST(bad_values)
{
	static const edit_case cases[] = {
		{"  layers: 24", "  layers: 0", "0", "'model.layers'", "must be an integer in [1, 1024], got '0'"},
		{"  vocab: 32002", "  vocab: 99999999999", "999", "'model.vocab'", "must be an integer in [1, 10000000]"},
		{"  vocab: 32002", "  vocab: 99999999999999999999999", "999", "'model.vocab'", "must be an integer in"},
		{"  vocab: 32002", "  vocab: 2147483648", "2147", "'model.vocab'", "must be an integer in"},
		{"  layers: 24", "  layers: 024", "024", "'model.layers'", "without leading zeros"},
		{"  layers: 24", "  layers: \"24\"", "\"24\"", "'model.layers'", "must be an integer, got the string \"24\""},
		{"  rp_routability_margin: 0.85", "  rp_routability_margin: 0", "0", "'constraints.rp_routability_margin'",
		 "(0, 1]"},
		{"{lut: 0.90, ff: 0.90,", "{lut: 0.90, ff: -0.90,", "-0.90", "'constraints.utilisation_cap.ff'", "(0, 1]"},
		{"  alpha: 0.7", "  alpha: 1.1", "1.1", "'objective.alpha'", "[0, 1]"},
		{"    - {prompt: 64,  s: 0.45,", "    - {prompt: 64,  s: 0,", "0,", "'measurements.ttft[0].s'", "(0,"},
		{"      - {bytes: 1048576, ms: 1.518}", "      - {bytes: -1, ms: 1.518}", "-1", "'measurements.pcap.points[1].bytes'",
		 "(0,"},
		{"  board_power_w: {value: 4.8,", "  board_power_w: {value: .NaN,", ".NaN", "'measurements.board_power_w.value'",
		 "finite"},
		{"  tlmm_tables: [16, 20, 24, 28, 32]", "  tlmm_tables: []", "[]", "'design_space.tlmm_tables'",
		 "must list at least one value"},
		{"  tlmm_lanes: [4, 6, 8, 10, 12]", "  tlmm_lanes: [4, 6, 8, 6, 12]", "6, 12", "'design_space.tlmm_lanes'",
		 "repeats the value 6"},
		{"  modes: [dpr, static]", "  modes: []", "[]", "'design_space.modes'", "at least one"},
		{"  modes: [dpr, static]", "  modes: [dpr, dpr]", "dpr]", "'design_space.modes'", "repeats 'dpr'"},
		{"  gen_tokens: 128", "  gen_tokens: 0", "0", "'workload.gen_tokens'", "[1, 2048]"},
	};
	RUN(cases);
	/* fitted coefficients and board figures: set through their paths */
	static const path_case values[] = {
		{"device.clock_max_mhz", "-5", "-5", "'device.clock_max_mhz'", "must be an integer in [1, 2000]"},
		{"calibration.eta_tlmm.value", ".nan", ".nan", "'calibration.eta_tlmm.value'",
		 "must be a finite number, got '.nan'"},
		{"calibration.eta_tlmm.value", ".inf", ".inf", "'calibration.eta_tlmm.value'", "must be a finite number"},
		{"calibration.eta_tlmm.value", "-.Inf", "-.Inf", "'calibration.eta_tlmm.value'", "must be a finite number"},
		{"calibration.eta_tlmm.value", "1e999", "1e999", "'calibration.eta_tlmm.value'", "must be a finite number"},
		{"calibration.eta_tlmm.value", "1e-999", "1e-999", "'calibration.eta_tlmm.value'", "too small"},
		{"calibration.eta_tlmm.value", "\"0.7\"", "\"0.7\"", "'calibration.eta_tlmm.value'",
		 "got the string \"0.7\""},
		{"calibration.eta_attn.value", "1.5", "1.5", "'calibration.eta_attn.value'",
		 "must be a number in (0, 1], got '1.5'"},
		{"calibration.eta_attn.value", "0", "0", "'calibration.eta_attn.value'", "must be a number in (0, 1]"},
		{"calibration.pcap_rate_mb_s.value", "-1", "-1", "'calibration.pcap_rate_mb_s.value'",
		 "must be a number in (0,"},
		{"device.ddr.peak_gb_s", "0", "0", "'device.ddr.peak_gb_s'", "(0,"},
		{"device.ddr.controller_ports[1].peak_gb_s", "1e9", "1e9", "'device.ddr.controller_ports[1].peak_gb_s'",
		 "must be a number in (0, 10000]"},
		{"device.hp_ports[1].width_bits", "96", "96", "'device.hp_ports[1].width_bits'", "power of two"},
	};
	RUN_PATHS(values);
	/* limits that come from the board: one past each, read from the config */
	cfg_t D;
	tu_load_default(&D);
	char clk_v[32], clk_w[32], burst_v[32], burst_w[32], clb_v[32], clb_w[32];
	snprintf(clk_v, sizeof clk_v, "%d", D.dev.clock_max_mhz + 1);
	snprintf(clk_w, sizeof clk_w, "[1, %d]", D.dev.clock_max_mhz);
	snprintf(burst_v, sizeof burst_v, "%d", D.dev.axi_max_burst_beats + 1);
	snprintf(burst_w, sizeof burst_w, "[1, %d]", D.dev.axi_max_burst_beats);
	snprintf(clb_v, sizeof clb_v, "%d", D.dev.fabric.tiles_clb + 1);
	snprintf(clb_w, sizeof clb_w, "[1, %d]", D.dev.fabric.tiles_clb);
	const path_case board[] = {
		{"designs.tellme.clock_mhz", clk_v, clk_v, "'designs.tellme.clock_mhz'", clk_w},
		{"architecture.static_region.weight_burst_beats", burst_v, burst_v,
		 "'architecture.static_region.weight_burst_beats'", burst_w},
	};
	RUN_PATHS(board);
	/* a pblock of tile counts, beyond the device's CLB tiles */
	const edit_case counts[] = {
		{"    - name: rp_l\n      sites: [SLICE_X40Y0:SLICE_X60Y239, DSP48E2_X9Y0:DSP48E2_X12Y95, RAMB36_X1Y0:RAMB36_X2Y47,\n"
		 "              URAM288_X0Y0:URAM288_X0Y11]\n",
		 "    - {name: rp_l, clb_tiles: 245, dsp_tiles: 16, bram_tiles: 8, uram_sites: 12}\n", "245",
		 "'architecture.pblocks[2].clb_tiles'", clb_w},
	};
	RUN(counts);
	const edit_case lists[] = {
		{"  clock_mhz: [200, 250]", "  clock_mhz: [200, 250, 0]", "0]", "'design_space.clock_mhz[2]'", clk_w},
	};
	RUN(lists);
	cfg_release(&D);
}
END_TEST

/* --------------------------------------------- cross-references and rules */

START_TEST(cross_references)
{
	static const edit_case cases[] = {
		{"    weight_ports: [HP0, HP1, HP3]", "    weight_ports: [HP0, HP1, HP7]", "HP7",
		 "'architecture.static_region.weight_ports[2]' names 'HP7'", "not an HP port of the device"},
		{"    weight_ports: [HP0, HP1, HP3]", "    weight_ports: [HP0, HP1, HP0]", "HP0]",
		 "'architecture.static_region.weight_ports' names HP port 'HP0' twice", NULL},
		{"k: [HP0, HP1], v: [HP2, HP3]", "k: [HP0, HP1], v: [HP2, HP9]", "HP9", "'architecture.port_maps.kv2x2.v[1]'",
		 "not an HP port"},
		{"ddr_port: S5}", "ddr_port: S6}", "S6", "'device.hp_ports[3].ddr_port' names 'S6'",
		 "not in device.ddr.controller_ports"},
		{"{name: HP3, width_bits", "{name: HP1, width_bits", "HP1", "HP port 'HP1' is defined twice", NULL},
		{"    - name: rp_l\n", "    - name: rp_s\n", "rp_s", "pblock 'rp_s' is defined twice", NULL},
		{"    port_maps: {prefill: qkvo, decode: kv2x2}", "    port_maps: {prefill: qkvo, decode: kv3x3}", "kv3x3",
		 "'designs.pdswap.port_maps.decode' names 'kv3x3'", "not a defined port map (defined: qkvo, kv2x2)"},
		{"    rp: rp_m", "    rp: rp_q", "rp_q", "'designs.pdswap.rp' names 'rp_q'",
		 "not a defined pblock (defined: rp_s, rp_m, rp_l)"},
		{"  pblocks: [rp_s, rp_m, rp_l]", "  pblocks: [rp_s, rp_x, rp_l]", "rp_x", "'design_space.pblocks[1]' names 'rp_x'",
		 "not a defined pblock"},
		{"  pblocks: [rp_s, rp_m, rp_l]", "  pblocks: [rp_s, rp_m, rp_s]", "rp_s]", "'design_space.pblocks' repeats a name",
		 NULL},
		{"  port_maps_decode: [qkvo, kv2x2]", "  port_maps_decode: [qkvo, kvx]", "kvx",
		 "'design_space.port_maps_decode[1]' names 'kvx'", "not a defined port map"},
		{"  fit_design: tellme", "  fit_design: baseline", "baseline", "'measurements.fit_design'",
		 "must name a static design in 'designs', got 'baseline'"},
		{"  fit_design: tellme", "  fit_design: pdswap", "pdswap", "'measurements.fit_design'", "static design"},
		{"  dpr_design: pdswap", "  dpr_design: tellme", "tellme", "'measurements.dpr_design'", "dpr design"},
		{"    mode: static\n    clock_mhz: 250", "    mode: static\n    rp: rp_s\n    clock_mhz: 250", "rp_s",
		 "'designs.tellme.rp' is only for mode 'dpr'", NULL},
		{"  pdswap:                       # the published PD-Swap", "  best:                       # the published PD-Swap",
		 "best:", "'designs.best' is reserved", NULL},
	};
	RUN(cases);
	static const path_case names[] = {
		{"device.ddr.controller_ports[2].name", "S4", "S4", "controller port 'S4' is defined twice", NULL},
	};
	RUN_PATHS(names);
}
END_TEST

START_TEST(cross_field_rules)
{
	static const edit_case cases[] = {
		{"  kv_heads: 16", "  kv_heads: 5", "5", "'model.kv_heads' (5) must divide 'model.heads' (16)", NULL},
		{"  kv_heads: 16", "  kv_heads: 32", "32", "'model.kv_heads' (32) must divide", NULL},
		{"  weight_index_bits: 5", "  weight_index_bits: 4", "4", "'model.weight_index_bits' (4) cannot index 3^3 = 27",
		 NULL},
		/* a prompt beyond the model's context */
		{"  prompts: [64, 128, 256, 512, 768, 1024]", "  prompts: [64, 128, 256, 512, 768, 4096]", "4096",
		 "'workload.prompts[5]'", "[1, 2048]"},
		{"  decode_contexts: [64, 256, 512, 1024, 2048]", "  decode_contexts: [64, 256, 512, 1024, 2049]", "2049",
		 "'workload.decode_contexts[4]'", "[1, 2048]"},
		/* the prompt plus the generated tokens */
		{"  gen_tokens: 128", "  gen_tokens: 1500", "1500", "'workload.gen_tokens' (1500) after the prompt of 1024 tokens",
		 "exceeds 'model.max_context' (2048)"},
		{"  prompt: 768", "  prompt: 700", "700", "'objective.prompt' (700) must be one of 'workload.prompts'", NULL},
		{"  l_long: 2048", "  l_long: 4096", "4096", "'objective.l_long'", "[1, 2048]"},
		{"    - {prompt: 768, s: 11.10,", "    - {prompt: 4000, s: 11.10,", "4000", "'measurements.ttft[2].prompt'",
		 "[1, 2048]"},
		/* attention lanes beyond the head dimension */
		{"  decode_lanes: [8, 16, 32, 48]", "  decode_lanes: [8, 16, 32, 128]", "128", "'design_space.decode_lanes[3]'",
		 "[1, 96]"},
		{"  prefill_lanes: [2, 4, 8]", "  prefill_lanes: [2, 4, 97]", "97", "'design_space.prefill_lanes[2]'", "[1, 96]"},
		/* PCAP points need distinct sizes to give a rate */
		{"      - {bytes: 1572864, ms: 2.270}", "      - {bytes: 524288, ms: 2.270}", "524288",
		 "'measurements.pcap.points[2].bytes' repeats the size of point 0", NULL},
	};
	RUN(cases);
	/* limits from the board and the model, one past each, read from the config */
	cfg_t D;
	tu_load_default(&D);
	char lanes_v[32], lanes_w[32], burst_v[32], burst_w[32], uram_v[32], uram_w[32];
	snprintf(lanes_v, sizeof lanes_v, "%d", D.model.head_dim + 1);
	snprintf(lanes_w, sizeof lanes_w, "[1, %d]", D.model.head_dim);
	snprintf(burst_v, sizeof burst_v, "%d", D.dev.axi_max_burst_beats + 1);
	snprintf(burst_w, sizeof burst_w, "[1, %d]", D.dev.axi_max_burst_beats);
	snprintf(uram_v, sizeof uram_v, "%d", (int)D.dev.resources.v[RES_URAM] + 1);
	snprintf(uram_w, sizeof uram_w, "[0, %d]", (int)D.dev.resources.v[RES_URAM]);
	const path_case bounds[] = {
		{"designs.tellme.decode.lanes", lanes_v, lanes_v, "'designs.tellme.decode.lanes'", lanes_w},
		{"designs.pdswap.prefill.burst_beats", burst_v, burst_v, "'designs.pdswap.prefill.burst_beats'", burst_w},
	};
	RUN_PATHS(bounds);
	const edit_case counts[] = {
		{"    - name: rp_m\n      sites: [SLICE_X40Y0:SLICE_X56Y239, SLICE_X57Y0:SLICE_X57Y119, DSP48E2_X10Y0:DSP48E2_X12Y95,\n"
		 "              RAMB36_X1Y0:RAMB36_X2Y47, URAM288_X0Y0:URAM288_X0Y11]\n",
		 "    - {name: rp_m, clb_tiles: 70, dsp_tiles: 12, bram_tiles: 8, uram_sites: 65}\n", "65",
		 "'architecture.pblocks[1].uram_sites'", uram_w},
	};
	RUN(counts);
	cfg_release(&D);
}
END_TEST

/* ------------------------------------- ranges, dataflows, inferred sizes */

START_TEST(ranges_dataflows_inferred)
{
	static const edit_case cases[] = {
		/* an assumed coefficient states its range; the range holds the value */
		{"prov: assumed, range: [20, 80], ", "prov: assumed, ", "@tlmm_depth:",
		 "missing required key 'calibration.tlmm_depth.range'", "an assumed coefficient states the range"},
		{"range: [20, 80]", "range: [50, 80]", "[50", "'calibration.tlmm_depth.range' [50, 80]", "must hold the value 40"},
		{"range: [20, 80]", "range: [20]", "[20]", "'calibration.tlmm_depth.range'", "must be [lo, hi]"},
		{"range: [20, 80]", "range: [20, x]", "x]", "'calibration.tlmm_depth.range[1]'", "must be a number"},
		/* a fitted one's spread comes from its fit */
		{"prov: fitted,  source: \"slope", "prov: fitted, range: [1, 1000], source: \"slope", "[1, 1000]",
		 "'calibration.pcap_rate_mb_s.range' is for assumed or measured coefficients", "its fit"},
		/* a resource vector's range is a factor that holds 1 */
		{"prov: assumed, range: [0.75, 0.925],\n                   source: \"[FPT19] PL-to-DDR at 75%",
		 "prov: assumed, range: [0.8, 0.925],\n                   source: \"[FPT19] PL-to-DDR at 75%", "[0.8",
		 "'calibration.eta_port.range' [0.8, 0.925]", "must hold the value 0.75"},
		/* dataflows */
		{"dataflow: {value: serial,", "dataflow: {value: pipelined,", "pipelined", "'designs.tellme.decode.dataflow.value'",
		 "must be one of serial, kv_overlap, head_pipeline"},
		{"dataflow: {value: serial, prov: assumed,", "dataflow: {value: serial, prov: fitted,", "@fitted,\n",
		 "'designs.tellme.decode.dataflow.prov' cannot be fitted", NULL},
		{"  decode_dataflow: kv_overlap", "  decode_dataflow: both", "both", "'design_space.decode_dataflow'",
		 "must be one of serial, kv_overlap, head_pipeline"},
		/* inferred sizes */
		{"{prefill.pe: table2.prefill_rm,", "{prefill.pes: table2.prefill_rm,", "prefill.pes",
		 "unknown key 'prefill.pes' in 'designs.pdswap.infer_from'", "prefill.pe, prefill.lanes, decode.lanes"},
		{"{prefill.pe: table2.prefill_rm,", "{prefill.pe: table2.decode_rm,", "table2.decode_rm,",
		 "'designs.pdswap.infer_from.prefill.pe': the prefill engine's size comes from its own row", NULL},
		{"{prefill.pe: table2.prefill_rm,", "{prefill.pe: table2.tlmm,", "table2.tlmm",
		 "'designs.pdswap.infer_from.prefill.pe' must name a measured resource row", NULL},
		{"{prefill.pe: table2.prefill_rm,", "{prefill.pe: table2.prefill_rm, prefill.lanes: table2.prefill_rm,",
		 "prefill.lanes:", "one size per engine may be inferred", NULL},
		{"prefill: {lanes: 4, block: 4,", "prefill: {pe: 12, lanes: 4, block: 4,", "12, lanes",
		 "'designs.pdswap.prefill.pe' is inferred (infer_from); leave it out", NULL},
	};
	RUN(cases);
	/* the board power is taken at a named context */
	static const edit_case power[] = {
		{"decode_context: 64,", "", "@board_power_w: {", "missing required key 'measurements.board_power_w.decode_context'",
		 NULL},
	};
	RUN(power);
	/* what the loader made of them */
	cfg_t c;
	tu_load_default(&c);
	ck_assert(c.cal.eta_port.has_range && c.cal.eta_port.range_lo == 0.75 && c.cal.eta_port.range_hi == 0.925);
	ck_assert(!c.cal.eta_tlmm.has_range);
	int t = cfg_find_design(&c, "tellme"), d = cfg_find_design(&c, "pdswap");
	ck_assert_int_eq(c.designs[t].d.dec_dataflow, DF_SERIAL);
	ck_assert_int_eq(c.designs[d].d.dec_dataflow, DF_KV_OVERLAP);
	ck_assert_int_eq(c.designs[d].df_prov, PROV_ASSUMED);
	ck_assert_int_eq(c.space.dec_dataflow, DF_KV_OVERLAP);
	ck_assert_int_eq(c.designs[d].n_inferred, 2);
	ck_assert_int_eq(c.meas.power_context, 64);
	cfg_release(&c);
}
END_TEST

/* ----------------------------------------------------- optional section */

/* Without measurements the config loads; with a broken one it does not. */
/* The K/V cache: its section, a design's keys and the design space's lists, each refused at its position. */
START_TEST(kv_cache_errors)
{
	static const edit_case cases[] = {
		/* a window larger than max_context */
		{"    rp: rp_m\n  pdswap_ctx:", "    rp: rp_m\n    kv_window: 4096\n    kv_tier_region: rp\n  pdswap_ctx:",
		 "4096", "'designs.pdswap.kv_window'", "must be an integer in [0, 2048], got '4096'"},
		{"  kv_window: [0]", "  kv_window: [0, 4096]", "4096", "'design_space.kv_window[1]'", "[0, 2048]"},
		/* window and sinks together beyond max_context */
		{"    rp: rp_m\n  pdswap_ctx:",
		 "    rp: rp_m\n    kv_window: 2000\n    kv_sinks: 100\n    kv_tier_region: rp\n  pdswap_ctx:", "2000",
		 "'designs.pdswap.kv_window' (2000) and 'designs.pdswap.kv_sinks' (100)", "more keys per layer"},
		/* a tier that no region can hold: 1024 FP16 keys of 24 layers */
		{"    rp: rp_m\n  pdswap_ctx:", "    rp: rp_m\n    kv_window: 1024\n    kv_tier_region: rp\n  pdswap_ctx:",
		 "1024", "'designs.pdswap': a K/V tier of 1024 keys per layer (fp16)", "more than any region holds"},
		/* scale bytes of 0 */
		{"  int8: {group_size: 48, scale_bytes: 2,", "  int8: {group_size: 48, scale_bytes: 0,", "0,",
		 "'kv_cache.int8.scale_bytes'", "must be an integer in [1, 8], got '0'"},
		/* an odd int4 group */
		{"  int4: {group_size: 24,", "  int4: {group_size: 25,", "25", "'kv_cache.int4.group_size' (25)", "must be even"},
		/* words */
		{"  kv_precision: [fp16]", "  kv_precision: [fp16, fp8]", "fp8", "'design_space.kv_precision[1]'",
		 "must be one of fp16, int8, int4; got 'fp8'"},
		{"  kv_tier_region: [none]", "  kv_tier_region: [none, dram]", "dram", "'design_space.kv_tier_region[1]'",
		 "must be one of none, static, rp"},
		{"  kv_precision: [fp16]", "  kv_precision: [int8, int8]", "int8]", "'design_space.kv_precision'",
		 "repeats the value int8"},
		{"  tier_memory: uram", "  tier_memory: lutram", "lutram", "'kv_cache.tier_memory'", "uram, bram36"},
		/* a tier in the RP of a static design, keys with no region, a region with no keys */
		{"    port_maps: {prefill: qkvo, decode: qkvo}\n", "    port_maps: {prefill: qkvo, decode: qkvo}\n    kv_tier_region: rp\n",
		 "rp\n", "'designs.tellme.kv_tier_region' is rp", "no reconfigurable partition"},
		{"    rp: rp_m\n  pdswap_ctx:", "    rp: rp_m\n    kv_window: 4\n  pdswap_ctx:", "4\n",
		 "'designs.pdswap' keeps 4 keys per layer on chip", "no tier region"},
		{"    rp: rp_m\n  pdswap_ctx:", "    rp: rp_m\n    kv_tier_region: static\n  pdswap_ctx:", "static",
		 "'designs.pdswap.kv_tier_region' is static", "keep no key on chip"},
	};
	RUN(cases);
	/* a set of modules takes the fp16 cache without a tier: a named design, the space */
	static const edit_case sets[] = {
		{"    rp: rp_m\n  hybrid_rp:", "    rp: rp_m\n    kv_precision: int8\n  hybrid_rp:", "int8",
		 "'designs.pdswap_ctx' names its modules (rms:)", "fp16 K/V cache without an on-chip tier"},
		{"  kv_precision: [fp16]", "  kv_precision: [fp16, int8]", "@[[prefill, decode], [hybrid]",
		 "'design_space.rm_sets' goes only with the fp16 K/V cache", "kv_tier_region [none]"},
	};
	RUN(sets);
	/* lists together: window and sinks beyond max_context, a window no region holds */
	static const char *const sum[] = {"  kv_window: [0]", "  kv_window: [2000]", "  kv_sinks: [0]", "  kv_sinks: [0, 100]"};
	char *t0 = tu_edited_text(sum, 2);
	expect_error_at(t0, "2000]", "'design_space.kv_window' 2000 with 'design_space.kv_sinks' 100", "more keys per layer");
	free(t0);
	static const char *const big[] = {"  kv_window: [0]", "  kv_window: [0, 1024]", "  kv_tier_region: [none]",
					  "  kv_tier_region: [none, rp]"};
	t0 = tu_edited_text(big, 2);
	{
		const char *m = strstr(t0, "kv_window: [0, 1024]");
		ck_assert_ptr_nonnull(m);
		int line, col;
		pos_of(t0, (size_t)(m - t0) + strlen("kv_window: [0, "), &line, &col);
		expect_error_n(t0, strlen(t0), line, col, "'design_space.kv_window' 1024",
			       "more than any region of the space holds");
	}
	free(t0);
	/* an int4 group that does not divide head_dim, once int4 is used */
	static const char *const grp[] = {"  int4: {group_size: 24,", "  int4: {group_size: 28,",
					  "  kv_precision: [fp16]", "  kv_precision: [fp16, int4]"};
	char *t = tu_edited_text(grp, 2);
	{
		const char *m = strstr(t, "int4: {group_size: 28,");
		ck_assert_ptr_nonnull(m);
		int line, col;
		pos_of(t, (size_t)(m - t) + strlen("int4: {group_size: "), &line, &col);
		expect_error_n(t, strlen(t), line, col, "'kv_cache.int4.group_size' (28) must divide 'model.head_dim' (96)",
			       NULL);
	}
	free(t);
	/* unused, the same group loads */
	cfg_t c;
	char err[1024];
	t = tu_edited_text(grp, 1);
	ck_assert_msg(config_load_buffer(&c, "t.yaml", t, strlen(t), err, sizeof err) == 0, "%s", err);
	cfg_release(&c);
	free(t);
	/* rp in a space without a dpr mode */
	static const char *const nodpr[] = {"  modes: [dpr, static]", "  modes: [static]", "  kv_tier_region: [none]",
					    "  kv_tier_region: [none, rp]"};
	t = tu_edited_text(nodpr, 2);
	expect_error_at(t, "[none, rp]", "'design_space.kv_tier_region' lists rp", "no dpr mode");
	free(t);
	/* a quantised cache without the kv_cache section */
	char *full = tu_edit("    rp: rp_m\n  pdswap_ctx:", "    rp: rp_m\n    kv_precision: int8\n  pdswap_ctx:");
	char *cut = strstr(full, "\nkv_cache:");
	ck_assert_ptr_nonnull(cut);
	cut[1] = '\0';
	expect_error_at(full, "int8\n", "'designs.pdswap.kv_precision' needs the 'kv_cache' section", NULL);
	free(full);
}
END_TEST

START_TEST(measurements_optional)
{
	size_t len;
	char *b = tu_read(KV260, &len);
	char *m = strstr(b, "\nmeasurements:");
	ck_assert(m != NULL);
	m[1] = '\0';
	cfg_t c;
	char err[1024];
	/* a design that infers its sizes needs the measured rows */
	expect_error_at(b, "{prefill.pe: table2.prefill_rm", "'designs.pdswap.infer_from' needs the 'measurements' section",
			NULL);
	/* with its sizes stated it loads */
	static const char *const sized[] = {
		"    infer_from: {prefill.pe: table2.prefill_rm, decode.lanes: table2.decode_rm}", "",
		"prefill: {lanes: 4, block: 4,", "prefill: {pe: 12, lanes: 4, block: 4,",
		"decode: {burst_beats: 16, outstanding: 16,", "decode: {lanes: 34, burst_beats: 16, outstanding: 16,"};
	for (int i = 0; i < 3; i++) {
		char *at = strstr(b, sized[2 * i]);
		ck_assert_msg(at != NULL, "'%s' not in %s", sized[2 * i], KV260);
		size_t fl = strlen(sized[2 * i]), tl = strlen(sized[2 * i + 1]), n = strlen(b);
		char *o = malloc(n - fl + tl + 1);
		ck_assert(o != NULL);
		memcpy(o, b, (size_t)(at - b));
		memcpy(o + (at - b), sized[2 * i + 1], tl);
		memcpy(o + (at - b) + tl, at + fl, n - (size_t)(at - b) - fl + 1);
		free(b);
		b = o;
	}
	ck_assert_msg(config_load_buffer(&c, "t.yaml", b, strlen(b), err, sizeof err) == 0, "%s", err);
	ck_assert(!c.has_meas);
	ck_assert_int_eq(c.meas.n_ttft, 0);
	cfg_release(&c);
	free(b);
	/* a present section must be complete */
	char *t = edit_file(KV260, "  fit_design: tellme\n", "", NULL);
	expect_error_at(t, "measurements:                   # copied", "missing required key 'measurements.fit_design'",
			NULL);
	free(t);
}
END_TEST

Suite *cfg_suite(void)
{
	Suite *s = suite_create("cfg");
	TCase *t = tcase_create("load");
	tcase_set_timeout(t, 60);
	tcase_add_test(t, default_loads);
	tcase_add_test(t, alias_ok);
	tcase_add_test(t, utf8_bom_crlf_loads);
	tcase_add_test(t, two_boms_refused_at_the_start);
	tcase_add_test(t, write_back_after_utf8);
	tcase_add_test(t, calibration_slots_by_name);
	tcase_add_test(t, documents);
	tcase_add_test(t, bytes);
	tcase_add_test(t, random_junk);
	tcase_add_test(t, limits);
	tcase_add_test(t, alias_flood);
	tcase_add_test(t, alias_misuse);
	tcase_add_test(t, tags);
	tcase_add_test(t, syntax);
	tcase_add_test(t, duplicates);
	tcase_add_test(t, unknown_keys);
	tcase_add_test(t, wrong_types);
	tcase_add_test(t, missing_keys);
	tcase_add_test(t, bad_values);
	tcase_add_test(t, cross_references);
	tcase_add_test(t, cross_field_rules);
	tcase_add_test(t, measurements_optional);
	tcase_add_test(t, kv_cache_errors);
	tcase_add_test(t, ranges_dataflows_inferred);
	suite_add_tcase(s, t);
	TCase *h = tcase_create("hostile");
	tcase_add_test(h, anchor_flood);
	suite_add_tcase(s, h);
	return s;
}
