// SPDX-License-Identifier: MIT
/*
 * mapctl - inspect and change BPF maps: list, show, dump (mmap, batch or
 * element by element), lookup, update, delete, load a dump's JSON, create,
 * pin, freeze.  This file reads the command line and runs one command from
 * the table; the commands live in cmds.c, dump.c and load.c, the kernel
 * backend in kmap.c.
 *
 * Options may come before or after the command.  An argument that looks
 * like a negative number ("-1") is a key or value, not an option.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>

#include "mapctl.h"
#include "tool.h"

static const char usage[] =
	"Usage: mapctl [OPTIONS] COMMAND [ARGS]\n"
	"\n"
	"Inspect and change BPF maps.  MAP is id:N, name:NAME or the path of a\n"
	"pinned map on bpffs, or ring:NAME / ring:PID:NAME for a map a running\n"
	"ring executor (bpfload --ring) publishes.\n"
	"\n"
	"Commands:\n"
	"  list                      the kernel's maps\n"
	"  show MAP                  a map's type, sizes, flags, BTF types\n"
	"  dump MAP                  every entry (--mmap, --batch[=N], --elem)\n"
	"  lookup MAP KEY            one value\n"
	"  update MAP KEY VALUE      set a value (--noexist, --exist)\n"
	"  delete MAP KEY            remove an entry\n"
	"  load MAP [FILE]           write the entries of a dump's JSON (default\n"
	"                            stdin); every entry is checked before any is\n"
	"                            written\n"
	"  create PATH OPTIONS       create a map pinned at PATH (--type, --key-size,\n"
	"                            --value-size, --entries, ...)\n"
	"  pin MAP PATH              pin a map at PATH\n"
	"  freeze MAP                make a map read-only for user space\n"
	"\n"
	"Keys and values:\n"
	"  \"0a 00 00 01\", hex:0a000001   bytes\n"
	"  42, 0x2a, -1                  an integer as wide as the key or value\n"
	"                                (1, 2, 4 or 8 bytes; host byte order)\n"
	"  10.0.0.1                      4 bytes in network order\n"
	"  {packets=1, bytes=2}, [1, 2], NAME, \"text\"\n"
	"                                by the map's BTF type (JSON works too)\n"
	"\n"
	"Options:\n"
	"  -j, --json            one JSON document on stdout\n"
	"  -p, --pretty          indented JSON\n"
	"      --hex             keys and values as hex bytes, even with BTF\n"
	"      --ipv4            4-byte keys as IPv4 addresses\n"
	"      --mmap            dump through a read-only mapping (mmapable arrays)\n"
	"      --batch[=N]       dump with BPF_MAP_LOOKUP_BATCH, N entries a call\n"
	"      --elem            dump element by element (get_next_key + lookup)\n"
	"      --stats           print the dump's method, calls and times to stderr\n"
	"      --noexist         update, load: only add keys that are not there\n"
	"      --exist           update, load: only change keys that are there\n"
	"      --type TYPE       create: hash, array, percpu_hash, lru_hash, ...\n"
	"      --key-size N      create: bytes of a key\n"
	"      --value-size N    create: bytes of a value\n"
	"      --entries N       create: max_entries\n"
	"      --flags F[,F]     create: no_prealloc, mmapable, rdonly_prog, ...\n"
	"      --name NAME       create: the map's name\n"
	"      --key-type T      create: BTF type of keys (u8..u64, s8..s64)\n"
	"      --value-type T    create: BTF type of values\n"
	"  -h, --help            this help\n"
	"  -V, --version         the version\n"
	"\n"
	"Exit status: 0 ok, 1 key not found or input rejected, 2 usage, I/O or\n"
	"system error (no such map, no privileges).\n";

enum opt_id {
	O_JSON,
	O_PRETTY,
	O_HEX,
	O_IPV4,
	O_MMAP,
	O_BATCH,
	O_ELEM,
	O_STATS,
	O_NOEXIST,
	O_EXIST,
	O_TYPE,
	O_KEY_SIZE,
	O_VALUE_SIZE,
	O_ENTRIES,
	O_FLAGS,
	O_NAME,
	O_KEY_TYPE,
	O_VALUE_TYPE,
	O_HELP,
	O_VERSION,
};

enum {
	ARG_NONE,
	ARG_REQ,
	ARG_OPT
};

// clang-format off
static const struct { const char *name; char shrt; int arg; enum opt_id id; } opts[] = {
	/* long          short  argument  id */
	{ "json",        'j',   ARG_NONE, O_JSON },
	{ "pretty",      'p',   ARG_NONE, O_PRETTY },
	{ "hex",         0,     ARG_NONE, O_HEX },
	{ "ipv4",        0,     ARG_NONE, O_IPV4 },
	{ "mmap",        0,     ARG_NONE, O_MMAP },
	{ "batch",       0,     ARG_OPT,  O_BATCH },
	{ "elem",        0,     ARG_NONE, O_ELEM },
	{ "stats",       0,     ARG_NONE, O_STATS },
	{ "noexist",     0,     ARG_NONE, O_NOEXIST },
	{ "exist",       0,     ARG_NONE, O_EXIST },
	{ "type",        0,     ARG_REQ,  O_TYPE },
	{ "key-size",    0,     ARG_REQ,  O_KEY_SIZE },
	{ "value-size",  0,     ARG_REQ,  O_VALUE_SIZE },
	{ "entries",     0,     ARG_REQ,  O_ENTRIES },
	{ "flags",       0,     ARG_REQ,  O_FLAGS },
	{ "name",        0,     ARG_REQ,  O_NAME },
	{ "key-type",    0,     ARG_REQ,  O_KEY_TYPE },
	{ "value-type",  0,     ARG_REQ,  O_VALUE_TYPE },
	{ "help",        'h',   ARG_NONE, O_HELP },
	{ "version",     'V',   ARG_NONE, O_VERSION },
};

static const struct { const char *name; int (*fn)(const struct mc_opts *, int, char **); } cmds[] = {
	/* command  function */
	{ "list",   cmd_list },
	{ "show",   cmd_show },
	{ "dump",   cmd_dump },
	{ "lookup", cmd_lookup },
	{ "update", cmd_update },
	{ "delete", cmd_delete },
	{ "load",   cmd_load },
	{ "create", cmd_create },
	{ "pin",    cmd_pin },
	{ "freeze", cmd_freeze },
};
// clang-format on

#define NOPTS (sizeof(opts) / sizeof(opts[0]))

static int usage_err(const struct mc_opts *o, const char *fmt, const char *arg)
{
	struct bk_diag d;

	bk_diag__init(&d);
	bk_diag__set(&d, EINVAL, -1, fmt, arg);
	mc_fail(o, TOOL_EXIT_USAGE, &d);
	if (!o->json)
		fputs("Try 'mapctl --help'.\n", stderr);
	return TOOL_EXIT_USAGE;
}

static int size_arg(const struct mc_opts *o, const char *name, const char *v, long long *out)
{
	uint64_t u;

	if (tool_parse_u64(v, &u) || u > UINT32_MAX)
		return usage_err(o, "%s needs a number up to 4294967295", name);
	*out = (long long)u;
	return 0;
}

/* Applies one option; returns 0, or an exit code (-1: exit 0 now). */
static int apply(struct mc_opts *o, enum opt_id id, const char *val)
{
	uint64_t u;

	switch (id) {
	case O_JSON:
		o->json = true;
		break;
	case O_PRETTY:
		o->json = o->pretty = true;
		break;
	case O_HEX:
		o->hex = true;
		break;
	case O_IPV4:
		o->ipv4 = true;
		break;
	case O_MMAP:
		o->method = MC_MMAP;
		break;
	case O_BATCH:
		o->method = MC_BATCH;
		if (val && (tool_parse_u64(val, &u) || !u || u > UINT32_MAX))
			return usage_err(o, "--batch=%s: expected a count of entries", val);
		o->batch = val ? (uint32_t)u : 0;
		break;
	case O_ELEM:
		o->method = MC_ELEM;
		break;
	case O_STATS:
		o->stats = true;
		break;
	case O_NOEXIST:
		o->update_flags = BPF_NOEXIST;
		break;
	case O_EXIST:
		o->update_flags = BPF_EXIST;
		break;
	case O_TYPE:
		o->type = val;
		break;
	case O_KEY_SIZE:
		return size_arg(o, "--key-size", val, &o->key_size);
	case O_VALUE_SIZE:
		return size_arg(o, "--value-size", val, &o->value_size);
	case O_ENTRIES:
		return size_arg(o, "--entries", val, &o->entries);
	case O_FLAGS:
		o->map_flags = val;
		break;
	case O_NAME:
		o->name = val;
		break;
	case O_KEY_TYPE:
		o->key_type = val;
		break;
	case O_VALUE_TYPE:
		o->value_type = val;
		break;
	case O_HELP:
		fputs(usage, stdout);
		return -1;
	case O_VERSION:
		printf("mapctl %s\n", BK_VERSION);
		return -1;
	}
	return 0;
}

static bool is_negative_number(const char *s)
{
	return s[0] == '-' && ((s[1] >= '0' && s[1] <= '9') || s[1] == '.');
}

/* One "--name[=v]" or "-x" argument at argv[*i]; consumes its value. */
static int parse_one(struct mc_opts *o, int argc, char **argv, int *i)
{
	const char *a = argv[*i], *eq = NULL, *val = NULL;
	size_t len;

	for (size_t k = 0; k < NOPTS; k++) {
		bool lng = a[1] == '-';

		if (lng) {
			eq = strchr(a + 2, '=');
			len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
			if (strlen(opts[k].name) != len || strncmp(a + 2, opts[k].name, len))
				continue;
		} else if (!opts[k].shrt || a[1] != opts[k].shrt || a[2]) {
			continue;
		}
		if (opts[k].arg == ARG_NONE && eq)
			return usage_err(o, "option --%s takes no value", opts[k].name);
		if (opts[k].arg == ARG_OPT || (opts[k].arg == ARG_REQ && eq))
			val = eq ? eq + 1 : NULL;
		else if (opts[k].arg == ARG_REQ) {
			if (*i + 1 >= argc)
				return usage_err(o, "option --%s needs a value", opts[k].name);
			val = argv[++*i];
		}
		return apply(o, opts[k].id, val);
	}
	return usage_err(o, "unknown option '%s'", a);
}

int main(int argc, char **argv)
{
	struct mc_opts o = {.key_size = -1, .value_size = -1, .entries = -1};
	char **pos = calloc((size_t)argc + 1, sizeof(*pos));
	int npos = 0, rc;
	bool dashdash = false;

	if (!pos)
		return TOOL_EXIT_USAGE;
	/* --json first, so errors about other options are JSON too. */
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "-j"))
			o.json = true;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (dashdash || a[0] != '-' || !a[1] || is_negative_number(a)) {
			pos[npos++] = argv[i];
			continue;
		}
		if (!strcmp(a, "--")) {
			dashdash = true;
			continue;
		}
		rc = parse_one(&o, argc, argv, &i);
		if (rc) {
			free(pos);
			return rc < 0 ? TOOL_EXIT_OK : rc;
		}
	}
	if (!npos) {
		rc = usage_err(&o, "no command given%s", "");
		free(pos);
		return rc;
	}
	for (size_t k = 0; k < sizeof(cmds) / sizeof(cmds[0]); k++) {
		if (!strcmp(pos[0], cmds[k].name)) {
			rc = cmds[k].fn(&o, npos - 1, pos + 1);
			free(pos);
			return rc;
		}
	}
	rc = usage_err(&o, "unknown command '%s'", pos[0]);
	free(pos);
	return rc;
}
