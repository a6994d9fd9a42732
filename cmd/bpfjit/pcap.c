// SPDX-License-Identifier: MIT
/*
 * pcap.c - reads the packets of a pcap file with libpcap (kept apart:
 * libpcap's headers clash with the kernel's linux/bpf.h).
 */
#include <errno.h>
#include <pcap/pcap.h>

#include "bpfjit.h"

int bj_pcap_each(const char *path, bj_packet_fn fn, void *ctx, struct bk_diag *d)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *pc = pcap_open_offline(path, errbuf);
	struct pcap_pkthdr *h;
	const uint8_t *data;
	int rc = 0, r;

	if (!pc) {
		bk_diag__set(d, EIO, -1, "%s: %s", path, errbuf);
		return TOOL_EXIT_USAGE;
	}
	if (pcap_datalink(pc) != DLT_EN10MB) {
		bk_diag__set(d, EINVAL, -1, "%s: link type %d is not Ethernet", path,
			     pcap_datalink(pc));
		pcap_close(pc);
		return TOOL_EXIT_USAGE;
	}
	while ((r = pcap_next_ex(pc, &h, &data)) == 1) {
		rc = fn(ctx, data, h->caplen);
		if (rc)
			break;
	}
	if (!rc && r == PCAP_ERROR) {
		bk_diag__set(d, EIO, -1, "%s: %s", path, pcap_geterr(pc));
		rc = TOOL_EXIT_USAGE;
	}
	pcap_close(pc);
	return rc;
}
