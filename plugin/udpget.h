/*
 * udpget.h - the repeat check's one GET over SNMPv1/v2c and UDP, sent and
 * read by the plugin itself (plugin/ber.c encodes and decodes), so that a
 * repeat check that stands never loads Net-SNMP (see snmpmod.h).
 *
 * The same request as plugin/snmp.c's repeat GET (plugin/hrget.c lays it
 * out and judges the answer), the same budget (cfg->timeout_s for the
 * whole check, spread over up to 3 tries of at least 0.3 s), the same
 * messages for the same failures, and -vvv traces it alike.  The socket
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
 * The repeat GET of rep's rows from the agent at peer (UDP, cfg v1 or
 * v2c), against the deadline (CLOCK_MONOTONIC).  Returns 1 when the answer
 * stands (out is the snapshot), 0 to walk (out->walk_reason says why, out
 * holds nothing), -1 on an error (a timeout, a wrong type; message in
 * err).  out->requests counts the request sent either way.
 */
int udpget_repeat(const struct config *cfg, const struct agent_peer *peer,
		  const struct timespec *deadline, const struct snmp_repeat *rep,
		  struct hr_snapshot *out, char *err, size_t errlen);

#endif
