// SPDX-License-Identifier: MIT
/*
 * bk-ktest - the kernel's side of libvm's checks and benchmarks, through
 * libbpf and BPF_PROG_TEST_RUN (root):
 *
 *   bk-ktest gen-pcap OUT N
 *       writes N Ethernet frames (IPv4 TCP/UDP/ICMP/GRE from 10.0.0.1..8,
 *       truncated IPv4, ARP, IPv6) and prints the verdicts the sample XDP
 *       filter must give when 10.0.0.2 and 10.0.0.5 are blocked
 *   bk-ktest xdp OBJ --pcap F [--map-update MAP=KEY=VALUE]... [--dump-maps]
 *       runs OBJ's first program on every packet; prints verdict counts
 *       (and the maps' elements, as `bpfjit run --dump-maps` does)
 *   bk-ktest bench RAW N PACKET
 *       loads bare bytecode as an XDP program and runs it N times on the
 *       packet in file PACKET; prints r0 and the kernel's ns per run
 *
 * A test tool, not part of bpfkit: it prints to stdout and exits 1 on any
 * error.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#define PCAP_DONT_INCLUDE_PCAP_BPF_H
#include <pcap/dlt.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const names[] = {"XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX",
				    "XDP_REDIRECT"};

static int die(const char *what)
{
	fprintf(stderr, "bk-ktest: %s: %s\n", what, strerror(errno));
	return 1;
}

static uint32_t lcg(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

/* One frame; returns its length and whether the filter drops it. */
static size_t frame(uint8_t *f, uint32_t *seed, int *drop)
{
	static const uint8_t protos[] = {6, 17, 1, 47};
	uint32_t kind = lcg(seed) % 10, src = 1 + lcg(seed) % 8;
	size_t len = 14;

	memset(f, 0, 128);
	f[0] = 0x02;
	f[6] = 0x02;
	f[11] = (uint8_t)src;
	*drop = 0;
	if (kind == 8) { /* ARP */
		f[12] = 0x08, f[13] = 0x06;
		return 42;
	}
	if (kind == 9) { /* IPv6 */
		f[12] = 0x86, f[13] = 0xdd, f[14] = 0x60;
		return 14 + 40 + 8;
	}
	f[12] = 0x08;
	f[13] = 0x00;
	if (kind == 7) /* IPv4 ethertype, header cut short */
		return 14 + 12;
	f[14] = 0x45;
	f[15 + 1] = 0, f[17] = 40;
	f[22] = 64;
	f[23] = protos[kind % 4];
	f[26] = 10, f[27] = 0, f[28] = 0, f[29] = (uint8_t)src;
	f[30] = 10, f[31] = 0, f[32] = 0, f[33] = 99;
	len += 20 + 20 + lcg(seed) % 40;
	*drop = src == 2 || src == 5;
	return len;
}

static int gen_pcap(const char *out, int n)
{
	pcap_t *p = pcap_open_dead(DLT_EN10MB, 65535);
	pcap_dumper_t *d = p ? pcap_dump_open(p, out) : NULL;
	uint32_t seed = 7;
	int drops = 0;

	if (!d)
		return die(out);
	for (int i = 0; i < n; i++) {
		uint8_t f[128];
		int drop;
		struct pcap_pkthdr h = {.ts = {1700000000 + i, 0}};

		h.caplen = h.len = (uint32_t)frame(f, &seed, &drop);
		pcap_dump((u_char *)d, &h, f);
		drops += drop;
	}
	pcap_dump_close(d);
	pcap_close(p);
	printf("XDP_DROP %d\nXDP_PASS %d\n", drops, n - drops);
	return 0;
}

static int hexbytes(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;

	while (*s && n < max) {
		unsigned v;

		if (sscanf(s, "%2x", &v) != 1)
			return -1;
		out[n++] = (uint8_t)v;
		s += 2;
	}
	return (int)n;
}

static int map_update(struct bpf_object *obj, const char *spec)
{
	char name[64], *k, *v;
	uint8_t key[64], val[256];

	snprintf(name, sizeof(name), "%s", spec);
	k = strchr(name, '=');
	v = k ? strchr(k + 1, '=') : NULL;
	if (!v)
		return 1;
	*k++ = 0;
	*v++ = 0;
	if (hexbytes(k, key, sizeof(key)) < 0 || hexbytes(v, val, sizeof(val)) < 0)
		return 1;
	return bpf_map_update_elem(bpf_object__find_map_fd_by_name(obj, name), key, val, 0)
		       ? die(name)
		       : 0;
}

static void dump_maps(struct bpf_object *obj)
{
	struct bpf_map *m;

	bpf_object__for_each_map(m, obj)
	{
		uint32_t ks = bpf_map__key_size(m), vs = bpf_map__value_size(m);
		uint8_t k[64], nk[64], v[1024];
		int fd = bpf_map__fd(m), first = 1;

		if (bpf_map__type(m) == BPF_MAP_TYPE_PROG_ARRAY ||
		    bpf_map__type(m) == BPF_MAP_TYPE_RINGBUF || ks > 64 || vs > 1024)
			continue;
		printf("map %.15s:\n", bpf_map__name(m));
		while (!bpf_map_get_next_key(fd, first ? NULL : k, nk)) {
			first = 0;
			memcpy(k, nk, ks);
			if (bpf_map_lookup_elem(fd, k, v))
				continue;
			printf("  ");
			for (uint32_t i = 0; i < ks; i++)
				printf("%02x", k[i]);
			printf(": ");
			for (uint32_t i = 0; i < vs; i++)
				printf("%02x", v[i]);
			printf("\n");
		}
	}
}

static int xdp(int argc, char **argv)
{
	struct bpf_object *obj = bpf_object__open_file(argv[2], NULL);
	const char *pcap_file = NULL;
	char errbuf[PCAP_ERRBUF_SIZE];
	unsigned long counts[6] = {0};
	struct bpf_program *prog;
	struct pcap_pkthdr *h;
	const u_char *data;
	int dump = 0, fd;
	pcap_t *pc;

	if (!obj || bpf_object__load(obj))
		return die(argv[2]);
	for (int i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "--pcap") && i + 1 < argc)
			pcap_file = argv[++i];
		else if (!strcmp(argv[i], "--map-update") && i + 1 < argc) {
			if (map_update(obj, argv[++i]))
				return 1;
		} else if (!strcmp(argv[i], "--dump-maps"))
			dump = 1;
		else
			return fprintf(stderr, "bk-ktest: bad argument %s\n", argv[i]), 1;
	}
	prog = bpf_object__next_program(obj, NULL);
	fd = prog ? bpf_program__fd(prog) : -1;
	pc = pcap_file ? pcap_open_offline(pcap_file, errbuf) : NULL;
	if (fd < 0 || !pc)
		return fprintf(stderr, "bk-ktest: no program or pcap (%s)\n", errbuf), 1;
	while (pcap_next_ex(pc, &h, &data) == 1) {
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = data, .data_size_in = h->caplen);

		if (bpf_prog_test_run_opts(fd, &o))
			return die("BPF_PROG_TEST_RUN");
		counts[o.retval < 5 ? o.retval : 5]++;
	}
	pcap_close(pc);
	for (int i = 0; i < 5; i++)
		printf("%s %lu\n", names[i], counts[i]);
	if (dump)
		dump_maps(obj);
	bpf_object__close(obj);
	return 0;
}

static int bench(const char *raw, long n, const char *pkt_file)
{
	static uint8_t pkt[4096];
	struct bpf_insn insns[4096];
	FILE *f = fopen(raw, "rb"), *pf = fopen(pkt_file, "rb");
	size_t cnt = f ? fread(insns, sizeof(insns[0]), 4096, f) : 0;
	size_t len = pf ? fread(pkt, 1, sizeof(pkt), pf) : 0;
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = (uint32_t)len,
		    .repeat = (int)n);
	int fd;

	if (f)
		fclose(f);
	if (pf)
		fclose(pf);
	if (!cnt || !len)
		return die("bytecode or packet");
	fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "bench", "GPL", insns, cnt, NULL);
	if (fd < 0)
		return die("bpf_prog_load");
	if (bpf_prog_test_run_opts(fd, &o))
		return die("BPF_PROG_TEST_RUN");
	printf("r0 %u\nns_per_run %u\n", o.retval, o.duration);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && !strcmp(argv[1], "gen-pcap"))
		return gen_pcap(argv[2], atoi(argv[3]));
	if (argc >= 3 && !strcmp(argv[1], "xdp"))
		return xdp(argc, argv);
	if (argc >= 5 && !strcmp(argv[1], "bench"))
		return bench(argv[2], atol(argv[3]), argv[4]);
	fprintf(stderr,
		"usage: bk-ktest gen-pcap OUT N | xdp OBJ --pcap F [...] | bench RAW N PACKET\n");
	return 2;
}
