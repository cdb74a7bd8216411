/*
 * version.h - the tool's version and the fingerprint of its model.
 *
 * The version is stored with every run and printed in every header and
 * report.  The fingerprint identifies the model itself: the first 16 hex
 * digits of the SHA-256 of the sources of models/ and sim/ (sim/hw
 * aside), taken when the build compiles version.c.  A run is resumed only
 * by a build with the same fingerprint, so figures of two models never
 * mix in one run.
 */
#ifndef PDS_VERSION_H
#define PDS_VERSION_H

#define PDS_VERSION "0.2.0"

/* 16 lowercase hex digits. */
const char *version_model_fingerprint(void);

#endif
