/* SPDX-License-Identifier: MIT */
/*
 * bpfload.h - bpfload's parts.  main.c reads the options into struct
 * bl_opts and runs one action from a table (attach to XDP, detach, kernel
 * test run; the io_uring ring executor can be one more row); kload.c opens
 * and loads objects through libbpf with libbpf's messages captured and the
 * kernel verifier's log kept and trimmed; xdp.c attaches, detaches and pins;
 * testrun.c runs BPF_PROG_TEST_RUN; ours.c runs bpfkit's own verifier
 * in-process.  Results go into struct bl_report, printed once at the end as
 * text or as the one JSON document.
 */
#ifndef BK_BPFLOAD_H
#define BK_BPFLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json.h"
#include "uapi.h"

struct bpf_object;
struct bpf_program;

enum bl_action {
	BL_NONE = 0,
	BL_XDP,	     /* OBJ --xdp IFACE */
	BL_DETACH,   /* --detach --xdp IFACE */
	BL_TEST_RUN, /* OBJ --test-run */
};

struct bl_opts {
	enum bl_action action;
	const char *obj;     /* path or "-" */
	const char *iface;   /* --xdp */
	const char *mode;    /* --mode native|generic; NULL: the kernel picks */
	const char *pin;     /* --pin DIR */
	const char *section; /* -s SEC: section or function name */
	const char *data;    /* --data FILE */
	uint32_t repeat;     /* --repeat N */
	bool replace, json, pretty, verbose, no_verify;
};

/* The libbpf messages of this run, kept for diagnostics (main.c sets
 * libbpf_set_print to append here). */
struct bl_msgs {
	char *text; /* lines, NUL-terminated */
	size_t len, cap;
};

/* An object opened and (maybe) loaded by libbpf. */
struct bl_obj {
	char *buf; /* the object's bytes */
	size_t len;
	const char *name; /* for messages: the path or "<stdin>" */
	struct bpf_object *obj;
	struct bpf_program *prog; /* the one program this run loads */
	char *log;		  /* kernel verifier log of prog */
	size_t log_size;
};

/* Our verifier's and the kernel's verdicts, for the report. */
struct bl_verdict {
	int state;     /* 1 accepted, 0 rejected, -1 not run / unavailable */
	char why[768]; /* unavailable: the reason; rejected: the error */
	long insn;     /* rejected: instruction index, -1 unknown */
	uint64_t processed, states, peak_states, ns;
};

struct bl_report {
	const struct bl_opts *o;
	const struct bk_diag *error;		    /* the first error, NULL on success */
	char prog_name[64], section[128], type[32]; /* copies: the object is closed */
	struct bl_verdict ours, kernel;
	int kernel_errno;
	uint32_t prog_id;
	char **log_tail; /* trimmed kernel log lines (rejections) */
	size_t log_lines;
	/* XDP */
	int ifindex;
	const char *attach_mode;
	uint32_t replaced_id, detached_id;
	char **pinned;
	size_t npinned;
	/* test run */
	bool ran;
	uint32_t retval, duration_ns, repeat, data_in, data_out;
	bool data_changed;
	uint8_t *out_bytes;
};

/* ---- main.c --------------------------------------------------------------- */
extern struct bl_msgs bl_libbpf_msgs;
/* Prints an error (text to stderr, or the JSON error document) and returns
 * exit_code. */
int bl_fail(const struct bl_opts *o, int exit_code, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* ---- kload.c -------------------------------------------------------------- */
/* Reads and opens o->obj and picks the program (by -s, else the first of
 * want_type when non-zero, else the first).  Returns an exit code; 0: ok. */
int bl_open(const struct bl_opts *o, int want_type, struct bl_obj *bo, struct bl_report *r);
/* Loads the picked program (and the maps) into the kernel; fills the
 * kernel verdict, the prog id and, on rejection, the trimmed log. */
int bl_load(const struct bl_opts *o, struct bl_obj *bo, struct bl_report *r);
void bl_close(struct bl_obj *bo);
/* The trimmed log: lines from the Nth-last instruction line to the end. */
int bl_trim_log(const char *log, size_t ninsns, char ***lines, size_t *n);
/* Printable name of a kernel program type ("xdp"). */
const char *bl_prog_type_str(int type);

/* ---- xdp.c ---------------------------------------------------------------- */
int bl_run_xdp(const struct bl_opts *o, struct bl_report *r);
int bl_run_detach(const struct bl_opts *o, struct bl_report *r);
/* Pins the object's maps and the program under o->pin. */
int bl_pin(const struct bl_opts *o, struct bl_obj *bo, struct bl_report *r);

/* ---- testrun.c ------------------------------------------------------------ */
int bl_run_test(const struct bl_opts *o, struct bl_report *r);

/* ---- ours.c --------------------------------------------------------------- */
/* Runs bpfkit's verifier on the picked program of bo (in memory). */
void bl_verify_ours(const struct bl_opts *o, const struct bl_obj *bo, struct bl_report *r);

/* ---- report.c ------------------------------------------------------------- */
/* Prints the report (text, or the JSON document) and frees it. */
void bl_report_print(const struct bl_opts *o, struct bl_report *r, const char *objname);
void bl_report_free(struct bl_report *r);

#endif
