/*
 * test_address.c - address.c: the -H forms of Net-SNMP's tools (transport
 * prefixes, [IPv6]:port, bare IPv6, host:port) and the rejected ones.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "address.h"
#include "util.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

struct good {
	const char *spec;
	const char *host;
	enum addr_family family;
	bool tcp;
	unsigned port;
	const char *transport;		/* address_transport() for a v4/v6 result */
};

Test(address, forms_net_snmp_tools_accept)
{
	static const struct good rows[] = {
		{ "exch01", "exch01", ADDR_ANY, false, 0, "udp" },
		{ "exch01.corp.example:1161", "exch01.corp.example", ADDR_ANY, false, 1161, "udp" },
		{ "192.0.2.7", "192.0.2.7", ADDR_ANY, false, 0, "udp" },
		{ "127.0.0.1:161", "127.0.0.1", ADDR_ANY, false, 161, "udp" },
		{ "udp:127.0.0.1", "127.0.0.1", ADDR_IPV4, false, 0, "udp" },
		{ "UDP:127.0.0.1:35691", "127.0.0.1", ADDR_IPV4, false, 35691, "udp" },
		{ "tcp:exch01", "exch01", ADDR_IPV4, true, 0, "tcp" },
		{ "tcp:exch01:1161", "exch01", ADDR_IPV4, true, 1161, "tcp" },
		{ "::1", "::1", ADDR_IPV6, false, 0, "udp6" },
		{ "[::1]", "::1", ADDR_IPV6, false, 0, "udp6" },
		{ "[::1]:1161", "::1", ADDR_IPV6, false, 1161, "udp6" },
		{ "udp6:[::1]", "::1", ADDR_IPV6, false, 0, "udp6" },
		{ "udp6:[::1]:161", "::1", ADDR_IPV6, false, 161, "udp6" },
		{ "udp6:::1", "::1", ADDR_IPV6, false, 0, "udp6" },
		{ "udp6:exch01", "exch01", ADDR_IPV6, false, 0, "udp6" },
		{ "udp6:exch01:1161", "exch01", ADDR_IPV6, false, 1161, "udp6" },
		{ "tcp6:[2001:db8::7]:1161", "2001:db8::7", ADDR_IPV6, true, 1161, "tcp6" },
		{ "udpv6:[::1]", "::1", ADDR_IPV6, false, 0, "udp6" },
		{ "udpipv6:[::1]", "::1", ADDR_IPV6, false, 0, "udp6" },
		{ "ipv6:[::1]", "::1", ADDR_IPV6, false, 0, "udp6" },
		{ "tcpv6:[::1]", "::1", ADDR_IPV6, true, 0, "tcp6" },
		{ "tcpipv6:[::1]", "::1", ADDR_IPV6, true, 0, "tcp6" },
		{ "fe80::1%eth0", "fe80::1%eth0", ADDR_IPV6, false, 0, "udp6" },
		{ "[fe80::1%eth0]:161", "fe80::1%eth0", ADDR_IPV6, false, 161, "udp6" },
		{ "2001:db8::161", "2001:db8::161", ADDR_IPV6, false, 0, "udp6" },
		{ "::ffff:127.0.0.1", "::ffff:127.0.0.1", ADDR_IPV6, false, 0, "udp6" },
		{ "udp:1", "1", ADDR_IPV4, false, 0, "udp" },
		{ "exch01:65535", "exch01", ADDR_ANY, false, 65535, "udp" },
	};

	for (size_t i = 0; i < N_ELEMS(rows); i++) {
		struct address a;
		char err[ERRBUF_SIZE] = "";
		int rc = address_parse(rows[i].spec, &a, err, sizeof err);

		cr_expect_eq(rc, 0, "'%s' rejected: %s", rows[i].spec, err);
		if (rc != 0)
			continue;
		cr_expect_str_eq(a.host, rows[i].host, "'%s'", rows[i].spec);
		cr_expect_eq(a.family, rows[i].family, "'%s': family %d", rows[i].spec, a.family);
		cr_expect_eq(a.tcp, rows[i].tcp, "'%s'", rows[i].spec);
		cr_expect_eq(a.port, rows[i].port, "'%s': port %u", rows[i].spec, a.port);
		cr_expect_str_eq(address_transport(&a, a.family == ADDR_ANY ? ADDR_IPV4 : a.family),
				 rows[i].transport, "'%s'", rows[i].spec);
	}
}

Test(address, bad_forms_get_one_clear_sentence)
{
	static const struct { const char *spec, *msg; } rows[] = {
		{ "", "no host name or address" },
		{ "udp6:", "no host name or address" },
		{ ":161", "no host name or address" },
		{ "udp6:[::1", "no ']' after the IPv6 address" },
		{ "[]", "no IPv6 address in the brackets" },
		{ "[exch01]", "'exch01' in brackets is not an IPv6 address" },
		{ "[::1]161", "expected ':PORT' (1 to 65535) after ']'" },
		{ "[::1]:", "expected ':PORT' (1 to 65535) after ']'" },
		{ "[::1]:0", "expected ':PORT' (1 to 65535) after ']'" },
		{ "[::1]:65536", "expected ':PORT' (1 to 65535) after ']'" },
		{ "udp:[::1]", "udp: is IPv4, write udp6:[...] for IPv6" },
		{ "tcp:::1", "tcp: is IPv4, write tcp6:[...] for IPv6" },
		{ "exch01:snmp", "'snmp' is not a port (1 to 65535)" },
		{ "exch01:-1", "'-1' is not a port (1 to 65535)" },
		{ "exch01:", "'' is not a port (1 to 65535)" },
		{ "exch01]", "brackets go around an IPv6 address" },
		{ "ex[ch01", "brackets go around an IPv6 address" },
		{ "2001:db8::1:x", "not an IPv6 address (with a port, write [ADDRESS]:PORT)" },
		{ "sctp:exch01:1:2", "not an IPv6 address" },
	};

	for (size_t i = 0; i < N_ELEMS(rows); i++) {
		struct address a;
		char err[ERRBUF_SIZE] = "";

		cr_expect_eq(address_parse(rows[i].spec, &a, err, sizeof err), -1,
			     "'%s' accepted", rows[i].spec);
		cr_expect(strncmp(err, "bad address '", 13) == 0, "'%s': %s", rows[i].spec, err);
		cr_expect(strstr(err, rows[i].msg) != NULL, "'%s': %s", rows[i].spec, err);
	}
}

Test(address, untrusted_text_is_quoted_printable_in_the_message)
{
	struct address a;
	char err[ERRBUF_SIZE] = "";

	cr_expect_eq(address_parse("ex\033ch:\n", &a, err, sizeof err), -1);
	cr_expect_null(strchr(err, '\033'), "%s", err);
	cr_expect_null(strchr(err, '\n'), "%s", err);
}
