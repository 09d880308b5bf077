/*
 * address.h - the agent address an admin writes after -H, in the forms
 * Net-SNMP's own tools (snmpget, snmpwalk) accept:
 *
 *   [TRANSPORT:]HOST[:PORT]      exch01, exch01:1161, 192.0.2.7
 *   [TRANSPORT:][IPV6][:PORT]    [::1], [::1]:1161, udp6:[::1]
 *   [TRANSPORT:]IPV6             ::1, udp6:::1 (no port: the address
 *                                has colons of its own)
 *
 * TRANSPORT is udp, tcp (IPv4), udp6, tcp6 (IPv6), in any case, or one of
 * Net-SNMP's longer names for them (udpv6, udpipv6, ipv6, tcpv6, tcpipv6).
 * Without a transport the address is UDP, IPv4 preferred when a name has
 * both.  A port in the address is used unless --port says otherwise; the
 * two disagreeing is an error (the caller checks, it knows where --port
 * came from).
 *
 * Pure text work: nothing is resolved here (snmp.c does that).
 */
#ifndef ASYNC_LEAK_ADDRESS_H
#define ASYNC_LEAK_ADDRESS_H

#include <stdbool.h>
#include <stddef.h>

enum addr_family { ADDR_ANY, ADDR_IPV4, ADDR_IPV6 };

struct address {
	bool tcp;			/* tcp: / tcp6: */
	bool transport_given;		/* a TRANSPORT: prefix was written */
	enum addr_family family;	/* from the prefix, or ADDR_IPV6 for [..] */
	char host[256];			/* name or literal, without brackets */
	unsigned port;			/* 0: none in the address */
};

/*
 * Splits spec into out.  Returns 0, or -1 with a message naming spec
 * (empty host, unknown transport, unbalanced brackets, bad port).
 */
int address_parse(const char *spec, struct address *out, char *err, size_t errlen);

/*
 * Net-SNMP's transport prefix for a resolved address of family (ADDR_IPV4
 * or ADDR_IPV6): "udp", "tcp", "udp6" or "tcp6".
 */
const char *address_transport(const struct address *a, enum addr_family family);

#endif
