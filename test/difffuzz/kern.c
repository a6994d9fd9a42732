// SPDX-License-Identifier: MIT
/*
 * kern.c - loading the fuzzer's programs into the running kernel with
 * BPF_PROG_LOAD (root), maps created once, ld_imm64 map indexes replaced
 * by their fds.
 */
#include <bpf/bpf.h>
#include <bpf/btf.h>
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
static int32_t kfunc_ids[DF_KF__COUNT];
static struct btf *func_btf; /* int f(void) as FUNCs for callbacks' func info */
static int func_btf_fd = -1, func_main_id, func_static_id;
int df_kern_errno;

/* The running kernel's BTF ids of the kfuncs generated programs call. */
static void find_kfuncs(void)
{
	struct btf *vml = btf__load_vmlinux_btf();

	for (int k = 0; k < DF_KF__COUNT; k++)
		kfunc_ids[k] =
			vml ? btf__find_by_name_kind(vml, df_kfunc_name(k), BTF_KIND_FUNC) : -1;
	btf__free(vml);
}

/* Programs with callbacks need BTF func info (a callback must be static);
 * every function gets the same prototype. */
static void make_func_btf(void)
{
	int i, proto;

	func_btf = btf__new_empty();
	if (!func_btf)
		return;
	i = btf__add_int(func_btf, "int", 4, BTF_INT_SIGNED);
	proto = btf__add_func_proto(func_btf, i);
	func_main_id = btf__add_func(func_btf, "main", BTF_FUNC_GLOBAL, proto);
	func_static_id = btf__add_func(func_btf, "f", BTF_FUNC_STATIC, proto);
	if (btf__load_into_kernel(func_btf))
		return;
	func_btf_fd = btf__fd(func_btf);
}

const struct btf *df_func_btf(void)
{
	return func_btf;
}

size_t df_funcs(const struct bk_insn *p, size_t cnt, struct bk_func *out, size_t cap)
{
	bool callback = false;
	size_t n = 0;

	for (size_t i = 0; i < cnt; i++)
		callback |= p[i].code == BK_OPC_LDDW && p[i].src == 4;
	if (!callback || !func_btf || !cap)
		return 0;
	out[n++] = (struct bk_func){.insn = 0, .name = "main", .btf_id = (uint32_t)func_main_id};
	for (size_t i = 0; i < cnt; i++) {
		bool call = (p[i].code == BK_OPC_CALL && p[i].src == 1) ||
			    (p[i].code == BK_OPC_LDDW && p[i].src == 4);
		long t = (long)i + p[i].imm + 1;
		bool seen = false;

		if (!call || t <= 0 || (size_t)t >= cnt)
			continue;
		for (size_t k = 0; k < n; k++)
			seen |= out[k].insn == (uint32_t)t;
		if (!seen && n < cap)
			out[n++] = (struct bk_func){.insn = (uint32_t)t,
						    .name = "f",
						    .btf_id = (uint32_t)func_static_id};
	}
	for (size_t a = 1; a < n; a++) /* by instruction */
		for (size_t b = a; b > 0 && out[b - 1].insn > out[b].insn; b--) {
			struct bk_func t = out[b];

			out[b] = out[b - 1];
			out[b - 1] = t;
		}
	return n;
}

int df_kern_init(void)
{
	find_kfuncs();
	make_func_btf();
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
	/* kfunc calls name DF_KF_* in imm */
	for (size_t i = 0; i < cnt; i++)
		if (k[i].code == (BPF_JMP | BPF_CALL) && k[i].src_reg == BPF_PSEUDO_KFUNC_CALL)
			k[i].imm =
				k[i].imm >= 0 && k[i].imm < DF_KF__COUNT ? kfunc_ids[k[i].imm] : -1;
	o.fd_array = fds[type];
	struct bk_func fn[16];
	struct bpf_func_info fi[16];
	size_t nf = df_funcs(insns, cnt, fn, 16);

	if (nf && func_btf_fd >= 0) {
		for (size_t i = 0; i < nf; i++)
			fi[i] = (struct bpf_func_info){.insn_off = fn[i].insn,
						       .type_id = fn[i].btf_id};
		o.prog_btf_fd = func_btf_fd;
		o.func_info = fi;
		o.func_info_cnt = (uint32_t)nf;
		o.func_info_rec_size = sizeof(fi[0]);
	}
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
