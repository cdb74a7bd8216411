/*
 * testutil.h - helpers for the Check suites: load the default config once
 * per test, load a YAML snippet with one edit applied, temporary paths.
 */
#ifndef PDS_TESTUTIL_H
#define PDS_TESTUTIL_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"

#define KV260 "configs/kv260.yaml"

/* Load configs/kv260.yaml or fail the test. */
static inline void tu_load_default(cfg_t *c)
{
	char err[1024];
	int rc = cfg_load(c, KV260, err, sizeof err);
	ck_assert_msg(rc == 0, "loading %s: %s", KV260, err);
}

/* Read a whole file into a malloc'd NUL-terminated buffer. */
static inline char *tu_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *b = malloc((size_t)n + 1);
	ck_assert(b != NULL);
	ck_assert(fread(b, 1, (size_t)n, f) == (size_t)n);
	fclose(f);
	b[n] = '\0';
	if (len)
		*len = (size_t)n;
	return b;
}

/*
 * The default config with the first occurrence of `from` replaced by `to`
 * (the test fails if `from` is absent).  Returns a malloc'd buffer.
 */
static inline char *tu_edit(const char *from, const char *to)
{
	char *b = tu_read(KV260, NULL);
	char *at = strstr(b, from);
	ck_assert_msg(at != NULL, "'%s' not found in %s", from, KV260);
	size_t n = strlen(b), fl = strlen(from), tl = strlen(to);
	char *o = malloc(n - fl + tl + 1);
	ck_assert(o != NULL);
	memcpy(o, b, (size_t)(at - b));
	memcpy(o + (at - b), to, tl);
	memcpy(o + (at - b) + tl, at + fl, n - (size_t)(at - b) - fl + 1);
	free(b);
	return o;
}

/*
 * The default config's text with several edits applied in turn:
 * pairs[2i] is replaced by pairs[2i+1] (first occurrence each).  Returns
 * a malloc'd buffer; the test fails if an edit does not apply.
 */
static inline char *tu_edited_text(const char *const *pairs, int n_pairs)
{
	char *b = tu_read(KV260, NULL);
	for (int i = 0; i < n_pairs; i++) {
		const char *from = pairs[2 * i], *to = pairs[2 * i + 1];
		char *at = strstr(b, from);
		ck_assert_msg(at != NULL, "'%s' not found in %s", from, KV260);
		size_t n = strlen(b), fl = strlen(from), tl = strlen(to);
		char *o = malloc(n - fl + tl + 1);
		ck_assert(o != NULL);
		memcpy(o, b, (size_t)(at - b));
		memcpy(o + (at - b), to, tl);
		memcpy(o + (at - b) + tl, at + fl, n - (size_t)(at - b) - fl + 1);
		free(b);
		b = o;
	}
	return b;
}

/* The same, loaded into *c under `name` (the test fails if it does not load). */
static inline void tu_load_edited(cfg_t *c, const char *name, const char *const *pairs, int n_pairs)
{
	char *b = tu_edited_text(pairs, n_pairs);
	char err[1024];
	int rc = cfg_load_buffer(c, name, b, strlen(b), err, sizeof err);
	free(b);
	ck_assert_msg(rc == 0, "loading edited %s: %s", KV260, err);
}

#endif
