/*
 * reqtrace.c - see reqtrace.h.  Lines are read whole (at most LINE_MAX_B
 * bytes); each format's reader turns one line into (time in s, prompt,
 * output) or a message, and the loop checks order and size.
 */
#include "config/reqtrace.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/common.h"

#define LINE_MAX_B 4096

enum { FMT_VIDUR, FMT_AZURE, FMT_JSONL };
static const char *const headers[2] = {"arrived_at,num_prefill_tokens,num_decode_tokens",
				       "TIMESTAMP,ContextTokens,GeneratedTokens"};

void reqtrace_means(const reqgen_trace *t, double *prompt, double *output)
{
	double p = 0, o = 0;
	for (size_t i = 0; i < t->n; i++) {
		p += t->prompt[i];
		o += t->output[i];
	}
	*prompt = t->n ? p / t->n : 0;
	*output = t->n ? o / t->n : 0;
}

/* A whole decimal integer >= 1 (a length in tokens). */
static int tokens(const char *s, const char *what, int *out, char *msg, size_t len)
{
	char *end;
	errno = 0;
	while (*s == ' ')
		s++;
	long long v = strtoll(s, &end, 10);
	while (*end == ' ')
		end++;
	if (end == s || *end || errno) {
		snprintf(msg, len, "%s must be a whole number of tokens, got '%s'", what, s);
		return -1;
	}
	if (v < 1 || v > 100000000) {
		snprintf(msg, len, "%s must be 1 to 100000000 tokens, got %lld", what, v);
		return -1;
	}
	*out = (int)v;
	return 0;
}

/* A finite real >= 0. */
static int seconds(const char *s, const char *what, double *out, char *msg, size_t len)
{
	char *end;
	errno = 0;
	while (*s == ' ')
		s++;
	double v = strtod(s, &end);
	while (*end == ' ')
		end++;
	if (end == s || *end || errno || !isfinite(v)) {
		snprintf(msg, len, "%s must be a number of seconds, got '%s'", what, s);
		return -1;
	}
	if (v < 0) {
		snprintf(msg, len, "%s must not be negative, got %s", what, s);
		return -1;
	}
	*out = v;
	return 0;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* "YYYY-MM-DD HH:MM:SS[.fraction]": whole s since 1970 (UTC) and the fraction
 * apart, so that times a day apart keep their microseconds. */
static int timestamp(const char *s, int64_t *whole, double *out, char *msg, size_t len)
{
	int y, mo, d, h, mi, se, n = 0;
	if (sscanf(s, "%4d-%2d-%2d %2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &se, &n) != 6 || n != 19 || mo < 1 || mo > 12 ||
	    d < 1 || d > 31 || h > 23 || mi > 59 || se > 60 || h < 0 || mi < 0 || se < 0) {
		snprintf(msg, len, "TIMESTAMP must be 'YYYY-MM-DD HH:MM:SS[.fraction]', got '%s'", s);
		return -1;
	}
	double frac = 0;
	if (s[n] == '.') {
		const char *f = s + n + 1;
		if (!isdigit((unsigned char)*f)) {
			snprintf(msg, len, "TIMESTAMP has no digits after its '.', got '%s'", s);
			return -1;
		}
		double scale = 0.1;
		for (; isdigit((unsigned char)*f); f++, scale /= 10)
			frac += (*f - '0') * scale;
		n = (int)(f - s);
	}
	if (s[n]) {
		snprintf(msg, len, "TIMESTAMP must be 'YYYY-MM-DD HH:MM:SS[.fraction]', got '%s'", s);
		return -1;
	}
	*whole = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
	*out = frac;
	return 0;
}

/* Split a CSV line on commas (no quoting in these traces): the fields. */
static int split(char *line, char **f, int max)
{
	int n = 0;
	f[n++] = line;
	for (char *p = line; *p; p++)
		if (*p == ',') {
			*p = '\0';
			if (n < max)
				f[n] = p + 1;
			n++;
		}
	return n;
}

/* *t: seconds (Vidur), or the fraction of the second *whole (Azure). */
static int csv_line(int fmt, char *line, int64_t *whole, double *t, int *prompt, int *output, char *msg, size_t len)
{
	char *f[4];
	int n = split(line, f, 4);
	if (n != 3) {
		snprintf(msg, len, "%d column%s where the header names 3 (%s)", n, n == 1 ? "" : "s", headers[fmt]);
		return -1;
	}
	if (fmt == FMT_VIDUR) {
		if (seconds(f[0], "arrived_at", t, msg, len) || tokens(f[1], "num_prefill_tokens", prompt, msg, len) ||
		    tokens(f[2], "num_decode_tokens", output, msg, len))
			return -1;
		return 0;
	}
	if (timestamp(f[0], whole, t, msg, len) || tokens(f[1], "ContextTokens", prompt, msg, len) ||
	    tokens(f[2], "GeneratedTokens", output, msg, len))
		return -1;
	return 0;
}

static int json_tokens(json_t *o, const char *key, int *out, char *msg, size_t len)
{
	json_t *v = json_object_get(o, key);
	if (!v) {
		snprintf(msg, len, "the object has no \"%s\"", key);
		return -1;
	}
	if (!json_is_integer(v)) {
		snprintf(msg, len, "\"%s\" must be an integer number of tokens", key);
		return -1;
	}
	json_int_t x = json_integer_value(v);
	if (x < 1 || x > 100000000) {
		snprintf(msg, len, "\"%s\" must be 1 to 100000000 tokens, got %lld", key, (long long)x);
		return -1;
	}
	*out = (int)x;
	return 0;
}

static int jsonl_line(const char *line, double *t, int *prompt, int *output, char *msg, size_t len)
{
	json_error_t je;
	json_t *o = json_loads(line, JSON_REJECT_DUPLICATES, &je);
	if (!o) {
		snprintf(msg, len, "not a JSON object: %s", je.text);
		return -1;
	}
	int rc = -1;
	if (!json_is_object(o)) {
		snprintf(msg, len, "not a JSON object");
		goto out;
	}
	const char *key;
	json_t *v;
	json_object_foreach(o, key, v)
	{
		if (strcmp(key, "input_toks") && strcmp(key, "output_toks") && strcmp(key, "arrival_time_ns")) {
			snprintf(msg, len, "unknown key \"%s\"; a request has input_toks, output_toks and arrival_time_ns", key);
			goto out;
		}
	}
	if (json_tokens(o, "input_toks", prompt, msg, len) || json_tokens(o, "output_toks", output, msg, len))
		goto out;
	v = json_object_get(o, "arrival_time_ns");
	if (!v) {
		snprintf(msg, len, "the object has no \"arrival_time_ns\"");
		goto out;
	}
	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		snprintf(msg, len, "\"arrival_time_ns\" must be a non-negative integer");
		goto out;
	}
	*t = (double)json_integer_value(v) * 1e-9;
	rc = 0;
out:
	json_decref(o);
	return rc;
}

/* Append one request, growing the arrays. */
static int push(reqgen_trace *t, size_t *cap, double s, int prompt, int output)
{
	if (t->n == *cap) {
		size_t nc = *cap ? 2 * *cap : 1024;
		double *a = realloc(t->t_s, nc * sizeof *a);
		if (a)
			t->t_s = a;
		int *b = a ? realloc(t->prompt, nc * sizeof *b) : NULL;
		if (b)
			t->prompt = b;
		int *c = b ? realloc(t->output, nc * sizeof *c) : NULL;
		if (c)
			t->output = c;
		if (!c)
			return -1;
		*cap = nc;
	}
	t->t_s[t->n] = s;
	t->prompt[t->n] = prompt;
	t->output[t->n] = output;
	t->n++;
	return 0;
}

static bool blank(const char *s)
{
	for (; *s; s++)
		if (!isspace((unsigned char)*s))
			return false;
	return true;
}

int reqtrace_read(const char *path, reqgen_trace *t, char *err, size_t errlen)
{
	memset(t, 0, sizeof *t);
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return PDS_FAIL_REQUEST;
	}
	char line[LINE_MAX_B + 2], msg[600];
	int fmt = -1, rc = PDS_FAIL_REQUEST;
	long lineno = 0;
	size_t cap = 0;
	double prev = 0;
	int64_t base = 0; /* whole seconds of the first request (Azure) */
	double t0 = 0;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		size_t n = strlen(line);
		if (n == sizeof line - 1 && line[n - 1] != '\n') {
			snprintf(err, errlen, "%s:%ld: the line is longer than %d bytes", path, lineno, LINE_MAX_B);
			goto out;
		}
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (fmt < 0) {
			if (line[0] == '{') {
				fmt = FMT_JSONL;
			} else {
				for (int k = 0; k < 2; k++)
					if (strcmp(line, headers[k]) == 0)
						fmt = k;
				if (fmt < 0) {
					if (blank(line)) {
						snprintf(err, errlen, "%s:%ld: the trace starts with a blank line; its first line "
								      "must be a header or a JSON object", path, lineno);
					} else {
						snprintf(err, errlen, "%s:%ld: unknown trace header '%.80s'; expected '%s' (Vidur), "
								      "'%s' (Azure LLM inference trace 2023) or JSON lines",
							 path, lineno, line, headers[0], headers[1]);
					}
					goto out;
				}
				continue;
			}
		}
		if (blank(line))
			continue;
		double s;
		int64_t whole = 0;
		int prompt, output;
		if ((fmt == FMT_JSONL ? jsonl_line(line, &s, &prompt, &output, msg, sizeof msg)
				      : csv_line(fmt, line, &whole, &s, &prompt, &output, msg, sizeof msg))) {
			snprintf(err, errlen, "%s:%ld: %s", path, lineno, msg);
			goto out;
		}
		if (fmt == FMT_AZURE) {
			if (t->n == 0)
				base = whole;
			s += (double)(whole - base);
		}
		if (t->n == 0)
			t0 = prev = s;
		if (s < prev) {
			snprintf(err, errlen, "%s:%ld: the arrival time goes backwards (%.9g s after the first request, "
					      "the previous was at %.9g s)",
				 path, lineno, s - t0, prev - t0);
			goto out;
		}
		prev = s;
		if (t->n >= REQTRACE_MAX) {
			snprintf(err, errlen, "%s:%ld: the trace holds more than %u requests", path, lineno, REQTRACE_MAX);
			goto out;
		}
		if (push(t, &cap, s - t0, prompt, output)) {
			snprintf(err, errlen, "%s: out of memory reading the trace", path);
			rc = PDS_FAIL;
			goto out;
		}
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		rc = PDS_FAIL;
		goto out;
	}
	if (lineno == 0) {
		snprintf(err, errlen, "%s:1: the trace is empty", path);
		goto out;
	}
	if (t->n == 0) {
		snprintf(err, errlen, "%s:%ld: the trace holds no requests after its header", path, lineno + 1);
		goto out;
	}
	rc = 0;
out:
	fclose(f);
	if (rc)
		reqgen_trace_free(t);
	return rc;
}
