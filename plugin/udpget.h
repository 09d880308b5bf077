/*
 * udpget.h - a check over SNMPv1/v2c and UDP, its requests sent and read by
 * the plugin itself (plugin/ber.c encodes and decodes), so that such a
 * check never loads Net-SNMP (see snmpmod.h).
 *
 * The same requests as over Net-SNMP (plugin/hrquery.c decides them and
 * what the answers mean), the same budget (cfg->timeout_s for the whole
 * check, each request spread over up to 3 tries of at least 0.3 s), the
 * same messages for the same failures, and -vvv traces them alike.  The socket
 * is connected to the agent, so the kernel drops datagrams from any other
 * address; an answer whose request-id, version or community is not the
 * request's is dropped as Net-SNMP drops it, and so is one that does not
 * decode; if only such came back, the timeout says the agent answered
 * with replies that cannot be decoded.
 */
#ifndef ASYNC_LEAK_UDPGET_H
#define ASYNC_LEAK_UDPGET_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <time.h>

#include "config.h"
#include "snmp.h"

/* The agent as resolved (plugin/snmpload.c). */
struct agent_peer {
	struct sockaddr_storage sa;
	socklen_t salen;
	bool tcp;
	char name[96];			/* Net-SNMP's peer name: "udp6:[::1]:161" */
	char shown[300];		/* as the user wrote it, with the port */
};

/*
 * snmp_query_repeat (snmp.h) for a v1/v2c agent over UDP: plugin/hrquery.c
 * over the plugin's own datagrams, against the deadline (CLOCK_MONOTONIC).
 * Returns 0 (out is the snapshot) or -1 with the message in err;
 * out->requests counts what was sent either way.
 */
int udpget_query(const struct config *cfg, const struct agent_peer *peer,
		 const struct timespec *deadline, const struct snmp_repeat *rep,
		 snmp_match_fn match, void *ud, bool need_path, struct hr_snapshot *out,
		 char *err, size_t errlen);

#endif
