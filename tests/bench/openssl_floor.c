/*
 * openssl_floor - what OpenSSL's first use costs a process, for `make bench`
 * (tests/bench/bench.sh runs it under callgrind): MODE 0 links libcrypto
 * and does nothing, 1 draws 8 random bytes (RAND_bytes, as Net-SNMP does
 * for the USM salts), 2 one HMAC-SHA-256 and one AES-128-CFB encryption
 * (an SNMPv3 authPriv message), 3 both; plus 4, OpenSSL set up first by
 * the plugin's own plugin/usmcrypto.c (linked in, not copied), so 5 and 7
 * are 1 and 3 as the plugin does them.  The difference between 7 and 0 is
 * the part of an SNMPv3 authPriv AES check that no key or option takes
 * away; between 3 and 7, what usmcrypto_init() saves.
 */
#include <stdlib.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "usmcrypto.h"

int main(int argc, char **argv)
{
	unsigned char buf[32] = { 0 }, key[32] = { 1 }, md[EVP_MAX_MD_SIZE], out[64];
	unsigned mdlen = 0;
	int mode = argc > 1 ? atoi(argv[1]) : 3, outlen = 0;

	if (mode & 4)
		usmcrypto_init();
	if ((mode & 1) && RAND_bytes(buf, 8) != 1)
		return 1;
	if (mode & 2) {
		EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();

		if (!HMAC(EVP_sha256(), key, sizeof key, buf, sizeof buf, md, &mdlen) || !c ||
		    !EVP_EncryptInit_ex(c, EVP_aes_128_cfb128(), NULL, key, key + 16) ||
		    !EVP_EncryptUpdate(c, out, &outlen, buf, sizeof buf))
			return 1;
		EVP_CIPHER_CTX_free(c);
	}
	return (int)(mdlen + (unsigned)outlen) < 0;
}
