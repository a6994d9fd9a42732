/* SPDX-License-Identifier: MIT */
/*
 * types_int.h - what the program type files share (ctx*.c, types.c,
 * btf_ctx.c): context field tables and the engine that checks an access
 * against one, the classes of program types the tables name, and the
 * BTF-typed context of tracing programs.
 *
 * A field table lists [off, end) ranges of a context struct.  An access
 * (off, size, load or store) is valid when some row containing off allows
 * it for the program's class: size is one the row allows, the access ends
 * within the row, and a size below the row's element size lands on an
 * element start unless the row allows narrow access anywhere; sizes above
 * the element size (8-byte access to an array of u32) need only fit.
 * Every context also requires off % size == 0 (checked before the table).
 */
#ifndef BK_TYPES_INT_H
#define BK_TYPES_INT_H

#include "verify_int.h"

/* Access sizes a row allows (bit per size). */
enum {
	S1 = 1,
	S2 = 2,
	S4 = 4,
	S8 = 8,
	SN4 = S1 | S2 | S4,	 /* narrow loads of a u32 */
	SN8 = S1 | S2 | S4 | S8, /* narrow loads of a u64 */
};

struct vfield {
	uint16_t off, end; /* bytes [off, end) */
	uint8_t esz;	   /* element size (the field, or one array element) */
	uint8_t rd;	   /* load sizes (S*), 0: no loads */
	uint8_t wr;	   /* store sizes (S*), 0: no stores */
	uint8_t any;	   /* narrow access at any offset inside, not only at element
			    * starts: 1 for loads, 2 for stores, 3 both */
	uint8_t type;	   /* VT_* a load of esz bytes yields (VT_SCALAR: 0) */
	uint8_t vflags;	   /* its VF_* */
	uint32_t who;	   /* classes that may load (table-specific bits); 0: all */
	uint32_t wwho;	   /* classes that may store; 0: all */
};

/* Checks (off, size, t) against a table for a program of class cls (a
 * bit of the table's who masks).  On success *type and *flags say what a
 * load yields. */
bool field_access(const struct vfield *tab, size_t n, uint32_t cls, int off, int size, int t,
		  uint8_t *type, uint8_t *flags);
#define FIELDS(tab) (tab), (sizeof(tab) / sizeof((tab)[0]))

/* ctx_skb.c: __sk_buff and xdp_md contexts. */
bool skb_ctx_valid(struct venv *env, int off, int size, int t, uint8_t *type, uint8_t *flags);
bool xdp_ctx_valid(struct venv *env, int off, int size, int t, uint8_t *type, uint8_t *flags);
/* ctx_sock.c: socket-level contexts (bpf_sock, bpf_sock_addr, bpf_sock_ops,
 * sk_msg_md, sk_reuseport_md, bpf_sk_lookup, bpf_sockopt, bpf_sysctl,
 * bpf_cgroup_dev_ctx) and the socket objects helpers and fields return. */
bool sock_ctx_valid(struct venv *env, int off, int size, int t, uint8_t *type, uint8_t *flags);
int sock_obj_access(struct venv *env, int regno, int off, int size, int t, int value_regno);
/* ctx_trace.c: kprobe, tracepoint, raw_tracepoint(.w), perf_event and
 * syscall contexts; flow keys and writable tracepoint buffers. */
bool trace_ctx_valid(struct venv *env, int off, int size, int t, uint8_t *type, uint8_t *flags);
int flow_keys_access(struct venv *env, int regno, int off, int size, int t, int value_regno);
int tp_buffer_access(struct venv *env, int regno, int off, int size, int t, int value_regno);

/* btf_ctx_cache.c: the kernel's BTF and an index of its names. */
const struct btf *vcache_btf(struct bk_verify_cache *c);
int32_t vcache_find(struct bk_verify_cache *c, const char *name, int kind);
void vcache_no_index(struct bk_verify_cache *c);

/* kconfig.c: fills the contents-less .kconfig map of maps[] with this
 * machine's values (as libbpf does); *owned is what the caller frees. */
int vkconfig_fill(const struct bk_prog *prog, struct bk_map_def *maps, size_t nmaps, void **owned);

/* btf_ctx.c: contexts and pointers typed by the kernel's BTF. */
struct vtctx; /* opaque: the typed arguments of a tracing program */
/* Resolves the attach target (env->attach_to) of a tracing, iterator or
 * netfilter program against the kernel's BTF; 0 or a rejection. */
int btf_ctx_prepare(struct venv *env);
void btf_ctx_release(struct venv *env);
/* A load from a BTF-typed context (tp_btf, fentry, fexit, iter, netfilter). */
int btf_ctx_access(struct venv *env, int off, int size, int t, uint8_t *type, uint8_t *flags,
		   int32_t *aux);
/* Loads through a VT_BTF_ID pointer (struct walks). */
int btf_ptr_access(struct venv *env, int regno, int off, int size, int t, int value_regno);
/* The kernel's BTF, loaded on first use; NULL (and a rejection recorded)
 * when it cannot be had. */
const struct btf *vmlinux_btf(struct venv *env);
/* BTF id of "struct name" in the kernel's BTF, or -1. */
int32_t vmlinux_struct_id(struct venv *env, const char *name);
/* helper_args.c: regno is a trusted, non-NULL pointer to the kernel's
 * struct name (or to one that starts with it); 0 or a rejection. */
int check_btf_arg(struct venv *env, int regno, const char *name);
/* A VT_BTF_ID's aux: a BTF id, or minus the helper that returned it while
 * the kernel's BTF was not read yet; resolved to the id. */
int32_t btf_aux_resolve(struct venv *env, int32_t aux);
/* id is struct name or starts with one (first members at offset 0). */
bool btf_struct_match(struct venv *env, int32_t id, const char *name);
/* A struct name sits at byte off of struct id (a member, or nested in one). */
bool btf_struct_match_at(struct venv *env, int32_t id, int off, const char *name);
/* Byte offset of the top-level member of struct type `name` (bpf_timer,
 * bpf_spin_lock) in map's value, from the program's BTF; -1: none. */
int map_struct_field(struct venv *env, int map, const char *name);
/* "task_struct" for a VT_BTF_ID's aux. */
const char *btf_id_name(struct venv *env, int32_t id);

#endif
