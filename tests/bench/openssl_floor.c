/*
 * openssl_floor - what OpenSSL's first use costs a process, for `make bench`
 * (tests/bench/bench.sh runs it under callgrind): MODE 0 links libcrypto
 * and does nothing, 1 draws 8 random bytes (RAND_bytes, as Net-SNMP does
 * for the USM salts), 2 one HMAC-SHA-256 and one AES-128-CFB encryption
 * (an SNMPv3 authPriv message), 3 both; plus 4, OpenSSL set up first as
 * plugin/snmp.c does for SNMPv3 (crypto_init: no configuration file, no
 * legacy name tables, no error texts, no clean-up at exit; and without AES,
 * so in 5 but not 7, the random generator a Hash_DRBG over SHA-256).  The
 * difference between 7 and 0 is the part of an SNMPv3 authPriv AES check
 * that no key or option takes away; between 5 and 0, the random generator
 * of a check without AES.
 */
#include <stdlib.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

int main(int argc, char **argv)
{
	unsigned char buf[32] = { 0 }, key[32] = { 1 }, md[EVP_MAX_MD_SIZE], out[64];
	unsigned mdlen = 0;
	int mode = argc > 1 ? atoi(argv[1]) : 3, outlen = 0;

	if (mode & 4)
		OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG | OPENSSL_INIT_NO_ADD_ALL_CIPHERS |
				    OPENSSL_INIT_NO_ADD_ALL_DIGESTS |
				    OPENSSL_INIT_NO_LOAD_CRYPTO_STRINGS | OPENSSL_INIT_NO_ATEXIT, NULL);
	if ((mode & 4) && !(mode & 2))
		RAND_set_DRBG_type(NULL, "HASH-DRBG", NULL, NULL, "SHA256");
	if (mode & 1)
		RAND_bytes(buf, 8);
	if (mode & 2) {
		EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();

		HMAC(EVP_sha256(), key, sizeof key, buf, sizeof buf, md, &mdlen);
		if (c) {
			EVP_EncryptInit_ex(c, EVP_aes_128_cfb128(), NULL, key, key + 16);
			EVP_EncryptUpdate(c, out, &outlen, buf, sizeof buf);
			EVP_CIPHER_CTX_free(c);
		}
	}
	return (int)(mdlen + (unsigned)outlen) < 0;
}
