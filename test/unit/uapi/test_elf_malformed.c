// SPDX-License-Identifier: MIT
/*
 * Unit tests of the ELF reader on bad input: every kept malformed object
 * in test/malformed/elf/ (made by gen.py there) is refused with a BK_E_ELF*,
 * BK_E_BTF* or BK_E_LINK code and a message; truncations and byte flips of
 * a good object give either an object or such an error, never anything
 * else (run under ASan/UBSan by `make check`).
 */
#include <dirent.h>
#include <errno.h>

#include "harness.h"
#include "test_obj_int.h"

TEST(elf_malformed_corpus_is_refused)
{
	DIR *dir = opendir(test_src_path(ELF_MALFORMED));
	struct dirent *de;
	int files = 0;

	REQUIRE(dir != NULL);
	while ((de = readdir(dir))) {
		char path[512];
		struct bk_obj *obj = NULL;
		struct bk_diag d;
		size_t len = 0;
		void *buf;
		int err;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), ELF_MALFORMED "%s", de->d_name);
		buf = test_read_file(path, &len);
		if (!CHECK(buf != NULL))
			continue;
		files++;
		err = bk_obj__open_mem(buf, len, NULL, &obj, &d);
		if (!CHECK(is_elf_error(err)))
			fprintf(stderr, "  %s: %d (%s)\n", de->d_name, err, bk_errname(err));
		CHECK(obj == NULL);
		CHECK_EQ(d.code, -err);
		CHECK(d.msg[0] != '\0');
		bk_obj__free(obj);
		free(buf);
	}
	closedir(dir);
	CHECK(files >= 50);
}

static int open_buf(const void *buf, size_t len)
{
	struct bk_obj *obj = NULL;
	int err = bk_obj__open_mem(buf, len, NULL, &obj, NULL);

	if (!err) {
		/* Walk what was read. */
		for (size_t i = 0; i < bk_obj__prog_cnt(obj); i++) {
			size_t n;
			struct bk_prog *p = bk_obj__prog(obj, i);

			bk_prog__insns(p, &n);
			for (size_t k = 0; k < n; k++)
				bk_prog__line(p, (uint32_t)k);
		}
	}
	bk_obj__free(obj);
	return err;
}

TEST(elf_truncations_are_refused)
{
	size_t len;
	char *buf = test_read_file(ELF_SEEDS "maps_calls.elf", &len);

	REQUIRE(buf != NULL);
	CHECK_EQ(open_buf(buf, len), 0);
	for (size_t n = 0; n < len; n += n < 256 ? 1 : 7) {
		int err = open_buf(buf, n);

		if (!CHECK(is_elf_error(err))) {
			fprintf(stderr, "  truncated to %zu: %d\n", n, err);
			break;
		}
	}
	free(buf);
}

/* Flipping any byte gives an object or an ELF/BTF/link error. */
TEST(elf_byte_flips_never_fail_otherwise)
{
	const char *seeds[] = {ELF_SEEDS "maps_calls.elf", ELF_SEEDS "legacy.elf"};

	for (size_t s = 0; s < ARRAY_LEN(seeds); s++) {
		size_t len;
		char *buf = test_read_file(seeds[s], &len);
		int refused = 0;

		REQUIRE(buf != NULL);
		for (size_t i = 0; i < len; i += 3) {
			static const uint8_t x[] = {0xff, 0x01, 0x80};
			int err;

			buf[i] ^= (char)x[i % 3];
			err = open_buf(buf, len);
			buf[i] ^= (char)x[i % 3];
			refused += err != 0;
			if (!CHECK(err == 0 || is_elf_error(err))) {
				fprintf(stderr, "  %s byte %zu: %d\n", seeds[s], i, err);
				break;
			}
		}
		CHECK(refused > 0);
		free(buf);
	}
}
