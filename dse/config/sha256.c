/*
 * sha256.c - SHA-256 of a buffer through OpenSSL's libcrypto (EVP_Digest
 * with EVP_sha256), the one implementation the tool uses: the config's
 * hash and an imported report's come from the same call.
 */
#include "config/sha256.h"

#include <openssl/evp.h>

int sha256_hex(const void *data, size_t len, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	out[0] = '\0';
	if (!EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) || n != 32)
		return -1;
	for (unsigned int i = 0; i < n; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
	return 0;
}
