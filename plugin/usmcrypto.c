/*
 * usmcrypto.c - OpenSSL set up for the USM (see usmcrypto.h).
 *
 * What Net-SNMP 5.9's USM asks of OpenSSL: HMAC() and EVP digests over the
 * legacy objects EVP_md5() .. EVP_sha512() (authentication, key
 * localization, the engine id's hash), EVP encryption over
 * EVP_aes_{128,192,256}_cfb128() (AES privacy), RAND_bytes (the salts, the
 * engine id, message ids).  DES privacy is its own low-level calls, which
 * no provider serves.  Four steps give it that and nothing else:
 *
 * 1. OPENSSL_init_crypto without the configuration file (Debian's
 *    openssl.cnf loads nothing as shipped, and reading it is a tenth of a
 *    check), without the tables of every cipher and digest by legacy name,
 *    without error texts (no message of ours shows one) and without the
 *    clean-up at exit (the process ends right after; the keys are wiped by
 *    the caller and by Net-SNMP's shutdown, not by OpenSSL's).
 *
 * 2. RAND_bytes straight from the kernel's getrandom(2), the source
 *    OpenSSL's own generator is seeded from: its DRBG, instantiated for the
 *    first 8 bytes, fetches AES-256-CTR, and OpenSSL 3's first cipher fetch
 *    builds every cipher of the default provider: 3.1 M instructions, a
 *    third of an SNMPv3 check (callgrind).  A RAND_METHOD is OpenSSL's
 *    (deprecated but kept) way to name another source; it is installed
 *    only when getrandom is there.
 *
 * 3. The default provider's USM algorithms, and only those, offered by a
 *    small built-in provider (usm_query below) in a library context of
 *    their own that is made this thread's default, so that Net-SNMP's
 *    fetches (all of them implicit, in the default context) find a table
 *    of ten algorithms instead of building the hundreds the default
 *    provider has: the first digest fetch alone is 0.6 M instructions, the
 *    first cipher fetch 2.7 M.  The implementations are the default
 *    provider's own, untouched, called with its own provider context: no
 *    algorithm is ours.
 *
 * 4. Why the default provider is loaded with NULL (the global context)
 *    before the switch: OpenSSL keeps a provider loaded that way with a
 *    NULL library context, so what its algorithms fetch themselves (HMAC
 *    fetches its digest) is looked up in the thread's default at that
 *    time, the small context, and not in the global one, where it would
 *    build every digest again (0.7 M).  Should a later OpenSSL keep the
 *    global context instead, HMAC's digest is found there all the same:
 *    slower, never wrong.
 *
 * Every step that fails leaves the ones before it and OpenSSL's ordinary
 * ways for the rest.  With OPENSSL_CONF set only step 1, with the file
 * read: the admin's configuration (its providers, its [random]) decides.
 * Measured with tests/bench: an authPriv SHA-256/AES check with keys
 * 8.8 M -> 5.5 M instructions, v2c 4.7 M.
 */
/* RAND_set_rand_method and RAND_METHOD are deprecated in OpenSSL 3. */
#define OPENSSL_SUPPRESS_DEPRECATED

#include "usmcrypto.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include <openssl/core_dispatch.h>
#include <openssl/crypto.h>
#include <openssl/provider.h>
#include <openssl/rand.h>

/* --- step 2: RAND_bytes from getrandom ------------------------------------ */

static int kernel_bytes(unsigned char *buf, int num)
{
	size_t done = 0;

	if (num < 0)
		return 0;
	while (done < (size_t)num) {
		ssize_t n = getrandom(buf + done, (size_t)num - done, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		done += (size_t)n;
	}
	return 1;
}

static int kernel_status(void)
{
	return 1;
}

/* seed, bytes, cleanup, add, pseudorand, status: nothing to seed or add. */
static const RAND_METHOD kernel_rand = {
	NULL, kernel_bytes, NULL, NULL, kernel_bytes, kernel_status
};

static void use_kernel_random(void)
{
	unsigned char probe;

	/* Nonblocking: a pool not yet ready (EAGAIN) is getrandom there. */
	if (getrandom(&probe, 1, GRND_NONBLOCK) < 0 && errno != EAGAIN)
		return;
	RAND_set_rand_method(&kernel_rand);
}

/* --- step 3: the USM's algorithms alone ----------------------------------- */

#define USM_PROVIDER "check_async_leak-usm"

/* The default provider's names (the first of each entry's names). */
static const char *const usm_cipher_names[] = {
	"AES-128-CFB", "AES-192-CFB", "AES-256-CFB", NULL
};
static const char *const usm_digest_names[] = {
	"MD5", "SHA1", "SHA2-224", "SHA2-256", "SHA2-384", "SHA2-512", NULL
};
static const char *const usm_mac_names[] = { "HMAC", NULL };

#define USM_MAX_ALGS 6

/* The tables offered, each ended by an all-NULL entry; filled once. */
static OSSL_ALGORITHM usm_ciphers[USM_MAX_ALGS + 1];
static OSSL_ALGORITHM usm_digests[USM_MAX_ALGS + 1];
static OSSL_ALGORITHM usm_macs[USM_MAX_ALGS + 1];

/* Kept for the life of the process (and so still reachable for valgrind). */
static OSSL_PROVIDER *deflt, *usm_prov;
static OSSL_LIB_CTX *usm_ctx;

static const OSSL_ALGORITHM *usm_query(void *provctx, int operation_id, int *no_cache)
{
	(void)provctx;
	*no_cache = 0;
	switch (operation_id) {
	case OSSL_OP_CIPHER:
		return usm_ciphers;
	case OSSL_OP_DIGEST:
		return usm_digests;
	case OSSL_OP_MAC:
		return usm_macs;
	default:
		return NULL;
	}
}

static const OSSL_DISPATCH usm_dispatch[] = {
	{ OSSL_FUNC_PROVIDER_QUERY_OPERATION, (void (*)(void))usm_query },
	{ 0, NULL }
};

/* Whether NAME is one of the colon-separated NAMES (case-insensitive). */
static bool has_name(const char *names, const char *name)
{
	size_t len = strlen(name);

	for (const char *p = names; p;) {
		const char *colon = strchr(p, ':');
		size_t n = colon ? (size_t)(colon - p) : strlen(p);

		if (n == len && strncasecmp(p, name, len) == 0)
			return true;
		p = colon ? colon + 1 : NULL;
	}
	return false;
}

/*
 * Copies into OUT the default provider's entry of OPERATION for each of
 * WANT, in WANT's order; false unless every one is there (once each: the
 * first entry that has the name).
 */
static bool pick(int operation, const char *const *want, OSSL_ALGORITHM *out)
{
	int no_cache = 0;
	const OSSL_ALGORITHM *all = OSSL_PROVIDER_query_operation(deflt, operation, &no_cache);
	size_t n = 0;

	for (; *want && n < USM_MAX_ALGS; want++, n++) {
		const OSSL_ALGORITHM *a = all;

		while (a && a->algorithm_names && !has_name(a->algorithm_names, *want))
			a++;
		if (!a || !a->algorithm_names)
			return false;
		out[n] = *a;
	}
	memset(&out[n], 0, sizeof out[n]);
	return *want == NULL;
}

static int usm_provider_init(const OSSL_CORE_HANDLE *handle, const OSSL_DISPATCH *in,
			     const OSSL_DISPATCH **out, void **provctx)
{
	(void)handle;
	(void)in;
	if (!pick(OSSL_OP_CIPHER, usm_cipher_names, usm_ciphers) ||
	    !pick(OSSL_OP_DIGEST, usm_digest_names, usm_digests) ||
	    !pick(OSSL_OP_MAC, usm_mac_names, usm_macs))
		return 0;
	*out = usm_dispatch;
	/* The implementations are the default provider's: its context. */
	*provctx = OSSL_PROVIDER_get0_provider_ctx(deflt);
	return *provctx != NULL;
}

static void use_usm_algorithms_only(void)
{
	/* Step 4: NULL, and before the switch; see the top of the file. */
	deflt = OSSL_PROVIDER_load(NULL, "default");
	if (!deflt)
		return;
	usm_ctx = OSSL_LIB_CTX_new();
	if (!usm_ctx)
		return;
	if (OSSL_PROVIDER_add_builtin(usm_ctx, USM_PROVIDER, usm_provider_init))
		usm_prov = OSSL_PROVIDER_load(usm_ctx, USM_PROVIDER);
	if (!usm_prov) {
		OSSL_LIB_CTX_free(usm_ctx);
		usm_ctx = NULL;
		return;
	}
	OSSL_LIB_CTX_set0_default(usm_ctx);
}

void usmcrypto_init(void)
{
	uint64_t opts = OPENSSL_INIT_NO_ADD_ALL_CIPHERS | OPENSSL_INIT_NO_ADD_ALL_DIGESTS |
			OPENSSL_INIT_NO_LOAD_CRYPTO_STRINGS | OPENSSL_INIT_NO_ATEXIT;

	/* Step 1; on failure Net-SNMP's own init reports. */
	if (getenv("OPENSSL_CONF")) {
		OPENSSL_init_crypto(opts, NULL);
		return;
	}
	if (!OPENSSL_init_crypto(opts | OPENSSL_INIT_NO_LOAD_CONFIG, NULL))
		return;
	use_kernel_random();
	use_usm_algorithms_only();
}
