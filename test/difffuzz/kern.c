// SPDX-License-Identifier: MIT
/*
 * kern.c - loading the fuzzer's programs into the running kernel with
 * BPF_PROG_LOAD (root), maps created once, ld_imm64 map indexes replaced
 * by their fds.
 */
#include <bpf/bpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "difffuzz.h"

const struct bk_map_def df_maps[DF_NMAPS] = {
	[DF_MAP_ARRAY] = {.name = "a",
			  .type = BPF_MAP_TYPE_ARRAY,
			  .key_size = 4,
			  .value_size = 16,
			  .max_entries = 4,
			  .inner = -1},
	[DF_MAP_HASH] = {.name = "h",
			 .type = BPF_MAP_TYPE_HASH,
			 .key_size = 8,
			 .value_size = 24,
			 .max_entries = 16,
			 .inner = -1},
	[DF_MAP_ARRAY1] = {.name = "a1",
			   .type = BPF_MAP_TYPE_ARRAY,
			   .key_size = 4,
			   .value_size = 64,
			   .max_entries = 1,
			   .inner = -1},
	[DF_MAP_RB] = {.name = "rb",
		       .type = BPF_MAP_TYPE_RINGBUF,
		       .max_entries = 4096,
		       .inner = -1},
	[DF_MAP_DEV] = {.name = "d",
			.type = BPF_MAP_TYPE_DEVMAP,
			.key_size = 4,
			.value_size = 4,
			.max_entries = 4,
			.inner = -1},
};

/* One set of maps per program type: the kernel records the first program
 * type that uses a devmap or prog array and refuses others. */
static int fds[3][DF_NMAPS];
int df_kern_errno;

int df_kern_init(void)
{
	for (int t = 0; t < 3; t++)
		for (int i = 0; i < DF_NMAPS; i++) {
			const struct bk_map_def *m = &df_maps[i];

			fds[t][i] = bpf_map_create((enum bpf_map_type)m->type, m->name, m->key_size,
						   m->value_size, m->max_entries, NULL);
			if (fds[t][i] < 0)
				return -errno;
		}
	return 0;
}

static const enum bpf_prog_type ktypes[] = {
	[DF_XDP] = BPF_PROG_TYPE_XDP,
	[DF_TC] = BPF_PROG_TYPE_SCHED_CLS,
	[DF_SOCKET] = BPF_PROG_TYPE_SOCKET_FILTER,
};

int df_kern_load(int type, const struct bk_insn *insns, size_t cnt, char *log, size_t logsz,
		 uint32_t *verif_us)
{
	LIBBPF_OPTS(bpf_prog_load_opts, o);
	struct bpf_insn *k = malloc(cnt * sizeof(*k));
	int fd;

	if (!k)
		return -ENOMEM;
	memcpy(k, insns, cnt * sizeof(*k));
	/* map references are indexes into df_maps: fds for MAP_FD/MAP_VALUE
	 * (an invalid fd when out of range), fd_array for the _IDX forms */
	for (size_t i = 0; i + 1 < cnt; i++)
		if (k[i].code == (BPF_LD | BPF_IMM | BPF_DW) &&
		    (k[i].src_reg == BPF_PSEUDO_MAP_FD || k[i].src_reg == BPF_PSEUDO_MAP_VALUE))
			k[i].imm = k[i].imm >= 0 && k[i].imm < DF_NMAPS ? fds[type][k[i].imm] : -1;
	o.fd_array = fds[type];
	if (log && logsz) {
		log[0] = 0;
		o.log_buf = log;
		o.log_size = (uint32_t)logsz;
		o.log_level = 2;
	}
	fd = bpf_prog_load(ktypes[type], NULL, "GPL", k, cnt, &o);
	df_kern_errno = fd < 0 ? errno : 0;
	free(k);
	if (verif_us)
		*verif_us = 0;
	if (fd >= 0) {
		struct bpf_prog_info info = {0};
		uint32_t len = sizeof(info);

		if (verif_us && !bpf_obj_get_info_by_fd(fd, &info, &len))
			*verif_us = (uint32_t)(info.verified_insns ? 0 : 0);
		close(fd);
		return 1;
	}
	return 0;
}
