/*
 * import.c - one report file into a hwreport: read it, tell which kind it
 * is, hash it, hand it to its parser (see import.h).
 */
#include "import/import.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/sha256.h"
#include "import/csynth.h"
#include "import/utilrpt.h"
#include "models/common.h"

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Whether the first len bytes of buf hold `what`. */
static bool holds(const char *buf, size_t len, const char *what)
{
	size_t k = strlen(what);
	for (size_t i = 0; i + k <= len; i++)
		if (buf[i] == what[0] && memcmp(buf + i, what, k) == 0)
			return true;
	return false;
}

static bool looks_xml(const char *name, const char *buf, size_t len)
{
	if (ends_with(name, ".xml") || ends_with(name, ".XML"))
		return true;
	size_t i = 0;
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n'))
		i++;
	return i < len && buf[i] == '<';
}

int import_buffer(const char *name, const char *buf, size_t len, hwreport *r, char *err, size_t errlen)
{
	int rc;
	if (looks_xml(name, buf, len)) {
		rc = csynth_parse(name, buf, len, r, err, errlen);
	} else if (holds(buf, len < 4096 ? len : 4096, "== Vitis HLS Report") ||
		   holds(buf, len < 4096 ? len : 4096, "== Vivado HLS Report")) {
		snprintf(err, errlen, "%s:1: a csynth text report; import the csynth XML report written beside it "
				      "(syn/report/*_csynth.xml)", name);
		rc = PDS_FAIL;
	} else {
		rc = utilrpt_parse(name, buf, len, r, err, errlen);
	}
	if (rc == 0 && sha256_hex(buf, len, r->sha256)) {
		snprintf(err, errlen, "%s: cannot hash the file (libcrypto failed)", name);
		rc = PDS_FAIL;
	}
	return rc;
}

int import_file(const char *path, hwreport *r, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		return PDS_FAIL;
	}
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int rc = 0;
	for (;;) {
		if (len == cap) {
			if (cap >= IMPORT_MAX_BYTES) {
				snprintf(err, errlen, "%s:1: larger than %u bytes, the most a report may be", path,
					 IMPORT_MAX_BYTES);
				rc = PDS_FAIL;
				break;
			}
			cap = cap ? 2 * cap : 65536;
			char *p = realloc(buf, cap + 1);
			if (!p) {
				snprintf(err, errlen, "%s: out of memory", path);
				rc = PDS_FAIL;
				break;
			}
			buf = p;
		}
		size_t got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0) {
			if (ferror(f)) {
				snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
				rc = PDS_FAIL;
			}
			break;
		}
	}
	fclose(f);
	if (rc == 0)
		rc = import_buffer(path, buf ? buf : "", len, r, err, errlen);
	free(buf);
	return rc;
}
