/*
 * address.c - parsing the -H address (see address.h).
 */
#include "address.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

static const struct {
	const char *name;
	bool tcp;
	enum addr_family family;
} transports[] = {
	{ "udp", false, ADDR_IPV4 },
	{ "tcp", true, ADDR_IPV4 },
	{ "udp6", false, ADDR_IPV6 },
	{ "udpv6", false, ADDR_IPV6 },
	{ "udpipv6", false, ADDR_IPV6 },
	{ "ipv6", false, ADDR_IPV6 },
	{ "tcp6", true, ADDR_IPV6 },
	{ "tcpv6", true, ADDR_IPV6 },
	{ "tcpipv6", true, ADDR_IPV6 },
};

/* A port: 1 to 65535, digits only. */
static int parse_port(const char *s, unsigned *port)
{
	unsigned long v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return -1;
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > 65535)
			return -1;
	}
	if (v == 0)
		return -1;
	*port = (unsigned)v;
	return 0;
}

static bool is_ipv6_literal(const char *s)
{
	unsigned char buf[16];
	char tmp[INET6_ADDRSTRLEN + 1];
	const char *pct = strchr(s, '%');	/* fe80::1%eth0: scope left to getaddrinfo */
	size_t n = pct ? (size_t)(pct - s) : strlen(s);

	if (n >= sizeof tmp)
		return false;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	return inet_pton(AF_INET6, tmp, buf) == 1;
}

int address_parse(const char *spec, struct address *out, char *err, size_t errlen)
{
	char q[96], part[64];
	const char *p = spec, *colon, *close;
	size_t i, hl;

	memset(out, 0, sizeof *out);
	quote_text(q, sizeof q, spec, strlen(spec));

	/* TRANSPORT: (an IPv6 literal's first group is hex, never a name here) */
	colon = strchr(p, ':');
	if (colon && colon > p && p[0] != '[') {
		size_t pl = (size_t)(colon - p);

		for (i = 0; i < sizeof transports / sizeof transports[0]; i++)
			if (strlen(transports[i].name) == pl &&
			    strncasecmp(p, transports[i].name, pl) == 0)
				break;
		if (i < sizeof transports / sizeof transports[0]) {
			out->tcp = transports[i].tcp;
			out->family = transports[i].family;
			out->transport_given = true;
			p = colon + 1;
		}
	}

	if (p[0] == '[') {				/* [IPV6] or [IPV6]:PORT */
		close = strchr(p, ']');
		if (!close)
			return errorf(err, errlen, "bad address '%s': no ']' after the IPv6 "
				      "address", q);
		hl = (size_t)(close - p - 1);
		if (hl == 0 || hl >= sizeof out->host)
			return errorf(err, errlen, "bad address '%s': no IPv6 address in "
				      "the brackets", q);
		memcpy(out->host, p + 1, hl);
		out->host[hl] = '\0';
		if (!is_ipv6_literal(out->host))
			return errorf(err, errlen, "bad address '%s': '%s' in brackets is not "
				      "an IPv6 address", q,
				      quote_text(part, sizeof part, out->host, strlen(out->host)));
		if (out->family == ADDR_IPV4)
			return errorf(err, errlen, "bad address '%s': %s: is IPv4, write "
				      "%s6:[...] for IPv6", q, out->tcp ? "tcp" : "udp",
				      out->tcp ? "tcp" : "udp");
		out->family = ADDR_IPV6;
		if (close[1] == '\0')
			return 0;
		if (close[1] != ':' || parse_port(close + 2, &out->port) < 0)
			return errorf(err, errlen, "bad address '%s': expected ':PORT' (1 to "
				      "65535) after ']'", q);
		return 0;
	}

	if (strchr(p, '[') || strchr(p, ']'))
		return errorf(err, errlen, "bad address '%s': brackets go around an IPv6 "
			      "address, as in udp6:[::1]:161", q);
	colon = strchr(p, ':');
	if (colon && strchr(colon + 1, ':')) {		/* colons of its own: IPv6 */
		if (!is_ipv6_literal(p))
			return errorf(err, errlen, "bad address '%s': not an IPv6 address "
				      "(with a port, write [ADDRESS]:PORT)", q);
		if (out->family == ADDR_IPV4)
			return errorf(err, errlen, "bad address '%s': %s: is IPv4, write "
				      "%s6:[...] for IPv6", q, out->tcp ? "tcp" : "udp",
				      out->tcp ? "tcp" : "udp");
		out->family = ADDR_IPV6;
		colon = NULL;
	}
	hl = colon ? (size_t)(colon - p) : strlen(p);
	if (hl == 0)
		return errorf(err, errlen, "bad address '%s': no host name or address", q);
	if (hl >= sizeof out->host)
		return errorf(err, errlen, "bad address '%s': the host name is too long", q);
	memcpy(out->host, p, hl);
	out->host[hl] = '\0';
	if (colon && parse_port(colon + 1, &out->port) < 0)
		return errorf(err, errlen, "bad address '%s': '%s' is not a port (1 to "
			      "65535)", q, quote_text(part, sizeof part, colon + 1, strlen(colon + 1)));
	return 0;
}

const char *address_transport(const struct address *a, enum addr_family family)
{
	if (family == ADDR_IPV6)
		return a->tcp ? "tcp6" : "udp6";
	return a->tcp ? "tcp" : "udp";
}
