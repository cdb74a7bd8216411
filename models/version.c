/*
 * version.c - see version.h.  The Makefile defines PDS_MODEL_FINGERPRINT
 * for this file alone (and rebuilds it when a model source changes).
 */
#include "models/version.h"

#ifndef PDS_MODEL_FINGERPRINT
#error "PDS_MODEL_FINGERPRINT is defined by the Makefile: the hash of the model's sources"
#endif

const char *version_model_fingerprint(void)
{
	return PDS_MODEL_FINGERPRINT;
}
