// SPDX-License-Identifier: MIT
/*
 * explain.c - why a program was rejected, for people and for tools: the
 * hint and the path (jumps taken, registers compared, source lines) in the
 * text output, the same in JSON, SARIF 2.1.0 results with code flows for
 * CI code scanning (--sarif), and the control-flow graph in Graphviz DOT
 * with the failing path in red (--cfg dot).
 *
 * Everything here reads a struct bv_result after libverify filled its
 * struct bk_verify_explain; instructions are decoded again from the
 * program for the disassembly and the basic blocks.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bpfverify.h"

/* ---- source positions and instruction text ---------------------------------- */

static const struct bk_line *line_of(const struct bv_result *r, int32_t insn)
{
	return r->bprog && insn >= 0 ? bk_prog__line(r->bprog, (uint32_t)insn) : NULL;
}

static const char *base_name(const char *p)
{
	const char *s = p ? strrchr(p, '/') : NULL;

	return s ? s + 1 : p;
}

/* "xdp.c:40" or "" */
static void where(const struct bv_result *r, int32_t insn, char *b, size_t n)
{
	const struct bk_line *l = line_of(r, insn);

	b[0] = '\0';
	if (l && l->file && l->line)
		snprintf(b, n, "%s:%u", base_name(l->file), l->line);
}

/* The decoded instructions of the result's program (NULL when raw). */
static struct bk_dinsn *decode(const struct bv_result *r, size_t *cnt)
{
	const struct bk_insn *in;
	struct bk_dinsn *d;
	struct bk_diag dg;

	*cnt = 0;
	if (r->bprog)
		in = bk_prog__insns(r->bprog, cnt);
	else if (r->raw_insns) {
		in = r->raw_insns;
		*cnt = r->raw_cnt;
	} else
		return NULL;
	d = calloc(*cnt + 1, sizeof(*d));
	if (!d || bk_decode_prog(in, *cnt, d, &dg) < 0) {
		free(d);
		*cnt = 0;
		return NULL;
	}
	return d;
}

/* The disassembly of insn i; calls of kfuncs by their extern's name. */
static void insn_text(const struct bv_result *r, const struct bk_dinsn *d, size_t cnt, int32_t i,
		      char *b, size_t n)
{
	struct bk_disasm_opts o = {.sz = sizeof(o), .syntax = BK_SYNTAX_LLVM};
	struct bk_disasm_sym sym = {0};
	size_t nrel = 0;
	const struct bk_reloc *rel = r->bprog ? bk_prog__relocs(r->bprog, &nrel) : NULL;

	b[0] = '\0';
	if (!d || i < 0 || (size_t)i >= cnt || !d[i].slots)
		return;
	for (size_t k = 0; k < nrel; k++)
		if ((int32_t)rel[k].insn == i && rel[k].kind == BK_RELO_KFUNC)
			sym.sym = rel[k].sym;
	bk_disasm_insn_sym(&d[i], (size_t)i, &o, &sym, b, n);
}

/* ---- text ------------------------------------------------------------------------ */

void bv_explain_text(FILE *f, const struct bv_result *r, bool all)
{
	const struct bk_verify_explain *e = &r->ex;
	size_t cnt, first;
	struct bk_dinsn *d;

	if (e->hint[0])
		fprintf(f, "  hint: %s\n", e->hint);
	if (!e->nsteps)
		return;
	if (!all) {
		fprintf(f, "  path: %zu jumps, calls and returns to here (--explain shows them)\n",
			e->nsteps_total);
		return;
	}
	d = decode(r, &cnt);
	first = e->nsteps_total > e->nsteps ? e->nsteps_total - e->nsteps : 0;
	fprintf(f, "  path (%zu steps%s):\n", e->nsteps_total, first ? ", the last ones" : "");
	for (size_t i = 0; i < e->nsteps; i++) {
		const struct bk_verify_step *s = &e->steps[i];
		char at[96], tx[96];

		where(r, s->insn, at, sizeof(at));
		insn_text(r, d, cnt, s->insn, tx, sizeof(tx));
		if (s->taken < 0)
			fprintf(f, "    %5d %-16s %-28s -> %d\n", s->insn, at, tx, s->target);
		else
			fprintf(f, "    %5d %-16s %-28s %s  %s\n", s->insn, at, tx,
				s->taken ? "taken" : "not taken", s->regs);
	}
	free(d);
}

/* ---- JSON --------------------------------------------------------------------------- */

void bv_explain_json(struct json_w *w, const struct bv_result *r)
{
	const struct bk_verify_explain *e = &r->ex;

	if (e->hint[0])
		json_kv_str(w, "hint", e->hint);
	if (e->hint_insn >= 0)
		json_kv_int(w, "hint_insn", e->hint_insn);
	json_kv_uint(w, "path_steps", e->nsteps_total);
	json_key(w, "path");
	json_arr_begin(w);
	for (size_t i = 0; i < e->nsteps; i++) {
		const struct bk_verify_step *s = &e->steps[i];
		const struct bk_line *l = line_of(r, s->insn);

		json_obj_begin(w);
		json_kv_int(w, "insn", s->insn);
		json_kv_int(w, "target", s->target);
		if (s->taken >= 0)
			json_kv_bool(w, "taken", s->taken);
		if (s->regs[0])
			json_kv_str(w, "regs", s->regs);
		if (l && l->file)
			json_kv_str(w, "file", l->file);
		if (l && l->line)
			json_kv_uint(w, "line", l->line);
		json_obj_end(w);
	}
	json_arr_end(w);
}

/* ---- SARIF 2.1.0 --------------------------------------------------------------------- */

void bv_sarif_begin(struct json_w *w, FILE *f)
{
	json_init(w, f, true);
	json_obj_begin(w);
	json_kv_str(w, "$schema", "https://json.schemastore.org/sarif-2.1.0.json");
	json_kv_str(w, "version", "2.1.0");
	json_key(w, "runs");
	json_arr_begin(w);
	json_obj_begin(w);
	json_key(w, "tool");
	json_obj_begin(w);
	json_key(w, "driver");
	json_obj_begin(w);
	json_kv_str(w, "name", "bpfverify");
	json_kv_str(w, "version", BK_VERSION);
	json_obj_end(w);
	json_obj_end(w);
	json_key(w, "results");
	json_arr_begin(w);
}

static void sarif_location(struct json_w *w, const struct bv_result *r, int32_t insn,
			   const char *msg)
{
	const struct bk_line *l = line_of(r, insn);
	char lname[160];

	json_obj_begin(w);
	if (msg) {
		json_key(w, "message");
		json_obj_begin(w);
		json_kv_str(w, "text", msg);
		json_obj_end(w);
	}
	json_key(w, "physicalLocation");
	json_obj_begin(w);
	json_key(w, "artifactLocation");
	json_obj_begin(w);
	json_kv_str(w, "uri", l && l->file ? l->file : r->file);
	json_obj_end(w);
	if (l && l->line) {
		json_key(w, "region");
		json_obj_begin(w);
		json_kv_uint(w, "startLine", l->line);
		if (l->col)
			json_kv_uint(w, "startColumn", l->col);
		if (l->text) {
			json_key(w, "snippet");
			json_obj_begin(w);
			json_kv_str(w, "text", l->text);
			json_obj_end(w);
		}
		json_obj_end(w);
	}
	json_obj_end(w);
	snprintf(lname, sizeof(lname), "%s/insn %d", r->prog_name, insn);
	json_key(w, "logicalLocations");
	json_arr_begin(w);
	json_obj_begin(w);
	json_kv_str(w, "name", lname);
	json_kv_str(w, "kind", "function");
	json_obj_end(w);
	json_arr_end(w);
	json_obj_end(w);
}

static void sarif_flow(struct json_w *w, const struct bv_result *r)
{
	const struct bk_verify_explain *e = &r->ex;
	size_t cnt;
	struct bk_dinsn *d = decode(r, &cnt);

	json_key(w, "codeFlows");
	json_arr_begin(w);
	json_obj_begin(w);
	json_key(w, "threadFlows");
	json_arr_begin(w);
	json_obj_begin(w);
	json_key(w, "locations");
	json_arr_begin(w);
	for (size_t i = 0; i < e->nsteps; i++) {
		const struct bk_verify_step *s = &e->steps[i];
		char m[512], tx[96];

		insn_text(r, d, cnt, s->insn, tx, sizeof(tx));
		snprintf(m, sizeof(m), "insn %d: %s%s%s%s", s->insn, tx,
			 s->taken == 1	 ? " (taken)"
			 : s->taken == 0 ? " (not taken)"
					 : "",
			 s->regs[0] ? "; " : "", s->regs);
		json_obj_begin(w);
		json_key(w, "location");
		sarif_location(w, r, s->insn, m);
		json_obj_end(w);
	}
	json_obj_begin(w);
	json_key(w, "location");
	sarif_location(w, r, (int32_t)r->diag.insn, r->diag.msg);
	json_obj_end(w);
	json_arr_end(w);
	json_obj_end(w);
	json_arr_end(w);
	json_obj_end(w);
	json_arr_end(w);
	free(d);
}

void bv_sarif_result(struct json_w *w, const struct bv_result *r)
{
	char msg[1100];

	if (!r->rc)
		return;
	snprintf(msg, sizeof(msg), "%s: %s%s%s", r->prog_name,
		 r->diag.msg[0] ? r->diag.msg : bk_strerror(r->diag.code),
		 r->ex.hint[0] ? ". Hint: " : "", r->ex.hint);
	json_obj_begin(w);
	json_kv_str(w, "ruleId", bk_errname(r->diag.code));
	json_kv_str(w, "level", "error");
	json_key(w, "message");
	json_obj_begin(w);
	json_kv_str(w, "text", msg);
	json_obj_end(w);
	json_key(w, "locations");
	json_arr_begin(w);
	sarif_location(w, r, (int32_t)r->diag.insn, NULL);
	json_arr_end(w);
	if (r->ex.nsteps)
		sarif_flow(w, r);
	json_obj_end(w);
}

void bv_sarif_end(struct json_w *w)
{
	json_arr_end(w); /* results */
	json_obj_end(w); /* run */
	json_arr_end(w); /* runs */
	json_obj_end(w);
	json_end(w);
}

/* ---- control-flow graph in DOT ---------------------------------------------------------- */

static bool is_jmp(const struct bk_dinsn *d)
{
	unsigned c = bk_opc_class(bk_op_info(d->op)->opcode);

	return c == BK_CLASS_JMP || c == BK_CLASS_JMP32;
}

/* Block leaders: the first insn, jump targets, the insn after a jump. */
static uint8_t *leaders(const struct bk_dinsn *d, size_t n)
{
	uint8_t *l = calloc(n + 1, 1);

	if (!l)
		return NULL;
	l[0] = 1;
	for (size_t i = 0; i < n; i++) {
		int f = bk_op_info(d[i].op)->fmt;

		if (!d[i].slots || !is_jmp(&d[i]) || f == BK_FMT_CALL || f == BK_FMT_CALL_KFUNC)
			continue;
		if (i + d[i].slots < n)
			l[i + d[i].slots] = 1;
		if (f == BK_FMT_EXIT || f == BK_FMT_CALLX)
			continue;
		long t = f == BK_FMT_JA32 ? (long)i + d[i].imm + 1 : (long)i + d[i].off + 1;

		if (t >= 0 && (size_t)t < n)
			l[t] = 1;
	}
	return l;
}

static size_t block_end(const uint8_t *l, const struct bk_dinsn *d, size_t n, size_t b)
{
	size_t i = b + (d[b].slots ? d[b].slots : 1);

	while (i < n && !l[i])
		i += d[i].slots ? d[i].slots : 1;
	return i;
}

/* Marks the insns and edges on the path: from start, straight on to each
 * step's jump, then its target, up to the rejected insn. */
static void mark_path(const struct bv_result *r, size_t n, uint8_t *on, uint8_t *edge_to)
{
	const struct bk_verify_explain *e = &r->ex;
	long pos = e->nsteps_total > e->nsteps && e->nsteps ? e->steps[0].insn : e->start;

	for (size_t s = 0; s <= e->nsteps; s++) {
		long stop = s < e->nsteps ? e->steps[s].insn : (long)r->diag.insn;

		for (long i = pos; i >= 0 && (size_t)i < n && i <= stop; i++)
			on[i] = 1;
		if (s == e->nsteps)
			break;
		if (e->steps[s].target >= 0 && (size_t)e->steps[s].target < n) {
			on[e->steps[s].target] = 1;
			edge_to[e->steps[s].insn] = 1;
		}
		pos = e->steps[s].target;
	}
}

static void dot_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\\' || *s == '{' || *s == '}' || *s == '<' || *s == '>' ||
		    *s == '|')
			fputc('\\', f);
		fputc(*s, f);
	}
}

static void dot_edge(FILE *f, size_t from, size_t to, const char *label, bool red)
{
	fprintf(f, "  b%zu -> b%zu [label=\"%s\"%s];\n", from, to, label,
		red ? ", color=red, penwidth=2" : "");
}

int bv_cfg_dot(FILE *f, const struct bv_result *r)
{
	size_t n;
	struct bk_dinsn *d = decode(r, &n);
	uint8_t *l = d ? leaders(d, n) : NULL, *on = calloc(n + 1, 1), *edge = calloc(n + 1, 1);

	if (!d || !l || !on || !edge) {
		free(d), free(l), free(on), free(edge);
		return -ENOMEM;
	}
	if (r->rc && r->diag.insn >= 0)
		mark_path(r, n, on, edge);
	fprintf(f, "digraph \"%s\" {\n  node [shape=box, fontname=\"monospace\"];\n", r->prog_name);
	for (size_t b = 0; b < n; b = block_end(l, d, n, b)) {
		size_t e = block_end(l, d, n, b);
		bool fail = r->rc && r->diag.insn >= (long)b && r->diag.insn < (long)e,
		     path = false;

		for (size_t i = b; i < e; i++)
			path |= on[i];
		fprintf(f, "  b%zu [label=\"", b);
		for (size_t i = b; i < e; i += d[i].slots ? d[i].slots : 1) {
			char tx[96], at[96];

			insn_text(r, d, n, (int32_t)i, tx, sizeof(tx));
			where(r, (int32_t)i, at, sizeof(at));
			fprintf(f, "%zu: ", i);
			dot_escape(f, tx);
			if (at[0] && (i == b || !line_of(r, (int32_t)i - 1) ||
				      line_of(r, (int32_t)i) != line_of(r, (int32_t)i - 1))) {
				fputs("  ; ", f);
				dot_escape(f, at);
			}
			fputs("\\l", f);
		}
		fprintf(f, "\"%s];\n",
			fail   ? ", color=red, penwidth=3, style=filled, fillcolor=\"#ffdddd\""
			: path ? ", color=red"
			       : "");
	}
	for (size_t b = 0; b < n; b = block_end(l, d, n, b)) {
		size_t e = block_end(l, d, n, b), last = b;

		for (size_t i = b; i < e; i += d[i].slots ? d[i].slots : 1)
			last = i;
		int fm = bk_op_info(d[last].op)->fmt;
		bool jmp = is_jmp(&d[last]) && fm != BK_FMT_CALL && fm != BK_FMT_CALL_KFUNC &&
			   fm != BK_FMT_CALL_LOCAL;

		if (jmp && fm == BK_FMT_EXIT)
			continue;
		if (jmp && fm != BK_FMT_CALLX) {
			long t = fm == BK_FMT_JA32 ? (long)last + d[last].imm + 1
						   : (long)last + d[last].off + 1;
			bool cond = fm != BK_FMT_JA && fm != BK_FMT_JA32;

			if (t >= 0 && (size_t)t < n)
				dot_edge(f, b, (size_t)t, cond ? "T" : "", edge[last] && on[t]);
			if (!cond)
				continue;
			if (e < n)
				dot_edge(f, b, e, "F", on[last] && on[e] && !edge[last]);
			continue;
		}
		if (e < n)
			dot_edge(f, b, e, "", on[last] && on[e]);
	}
	fprintf(f, "}\n");
	free(d), free(l), free(on), free(edge);
	return 0;
}
