/*
 * sha256.h - SHA-256 (FIPS 180-4) of a byte buffer, as lowercase hex.
 * Used to name a config in results.db and in emitted headers, and an
 * imported report in the measurements it gives.
 */
#ifndef PDS_SHA256_H
#define PDS_SHA256_H

#include <stddef.h>

/* Writes 64 hex digits and a NUL to out[65]; on the rare failure of the
 * library (out of memory) out is "" and -1 is returned, else 0. */
int sha256_hex(const void *data, size_t len, char out[65]);

#endif
