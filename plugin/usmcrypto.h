/*
 * usmcrypto.h - OpenSSL set up for what SNMPv3's USM uses of it, and no more.
 *
 * A check is a process that lives a few milliseconds, and OpenSSL 3's set-up
 * is made for long-lived ones: its first fetch of any digest or cipher builds
 * every digest or cipher of the default provider, and its random generator
 * is instantiated (a cipher fetch again) for the 8 bytes of a USM salt.
 * usmcrypto_init() gives the process an OpenSSL in which the USM's
 * algorithms are the only ones to find (see usmcrypto.c), so that a check
 * with keys costs about what a v2c check costs.
 *
 * Call it once, before the first SNMPv3 call of Net-SNMP (whose own
 * set-up would otherwise set OpenSSL up for everything).  It cannot fail
 * in a way the caller sees: any step that does not work leaves OpenSSL's
 * ordinary set-up in place, and Net-SNMP reports what then goes wrong as
 * it always does.  With OPENSSL_CONF in the environment the admin's file
 * decides (a FIPS provider, say), and only the switches that read no
 * tables and no texts apply.
 */
#ifndef USMCRYPTO_H
#define USMCRYPTO_H

void usmcrypto_init(void);

#endif
