/*
 * pragma_lint.c - check every `#pragma HLS` line of preprocessed kernels
 * against the Vitis HLS 2024.1 syntax (pragma_check in dse/emit.c).
 *
 *   pragma_lint MACROS FILE.i...
 *
 * MACROS is `gcc -dM -E` of the same translation unit: object-like macros
 * are substituted into option values, so `factor=PDS_PRE_NPE` is checked
 * as the integer the header gives.  FILE.i is `gcc -E` output; its line
 * markers give each error as SOURCE:LINE.  Pragmas written through
 * PDS_PRAGMA(...) arrive expanded; a direct pragma whose value is a macro
 * standing for a keyword is an error.  Prints "pragma_lint: N lines
 * checked, M invalid"; exits 0 when all are valid, 1 otherwise, 2 on a
 * usage or I/O error.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hls/emit.h"
#include "hls/pragma.h"

#define MAX_DEFS 20000

static pragma_define defs[MAX_DEFS];
static int ndefs;

static char *dupn(const char *s, size_t n)
{
	char *p = malloc(n + 1);
	if (!p) {
		fprintf(stderr, "pragma_lint: out of memory\n");
		exit(2);
	}
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* "#define NAME VALUE" lines; function-like macros are skipped. */
static int read_macros(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "pragma_lint: cannot open %s\n", path);
		return -1;
	}
	char line[4096];
	while (fgets(line, sizeof line, f) && ndefs < MAX_DEFS) {
		if (strncmp(line, "#define ", 8) != 0)
			continue;
		const char *n = line + 8, *e = n;
		while (isalnum((unsigned char)*e) || *e == '_')
			e++;
		if (*e == '(' || e == n)
			continue;
		const char *v = e;
		while (*v == ' ' || *v == '\t')
			v++;
		size_t vl = strcspn(v, "\r\n");
		defs[ndefs].name = dupn(n, (size_t)(e - n));
		defs[ndefs].value = dupn(v, vl);
		ndefs++;
	}
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: pragma_lint MACROS FILE.i...\n");
		return 2;
	}
	if (read_macros(argv[1]))
		return 2;
	long checked = 0, bad = 0;
	for (int a = 2; a < argc; a++) {
		FILE *f = fopen(argv[a], "r");
		if (!f) {
			fprintf(stderr, "pragma_lint: cannot open %s\n", argv[a]);
			return 2;
		}
		char line[8192], src[1024] = "?", err[512];
		long lineno = 0;
		snprintf(src, sizeof src, "%s", argv[a]);
		while (fgets(line, sizeof line, f)) {
			char *s = line;
			while (*s == ' ' || *s == '\t')
				s++;
			long mk;
			char file[1024];
			/* line marker: # N "file" ... */
			if (sscanf(s, "# %ld \"%1023[^\"]\"", &mk, file) == 2) {
				lineno = mk;
				snprintf(src, sizeof src, "%s", file);
				continue;
			}
			if (strncmp(s, "#pragma", 7) == 0) {
				char *t = s + 7;
				while (*t == ' ' || *t == '\t')
					t++;
				if (strncmp(t, "HLS", 3) == 0 && (t[3] == ' ' || t[3] == '\t')) {
					s[strcspn(s, "\r\n")] = '\0';
					checked++;
					if (pragma_check(s, defs, ndefs, err, sizeof err)) {
						bad++;
						printf("%s:%ld: %s\n    %s\n", src, lineno, err, s);
					}
				}
			}
			lineno++;
		}
		fclose(f);
	}
	printf("pragma_lint: %ld lines checked, %ld invalid\n", checked, bad);
	return bad ? 1 : 0;
}
