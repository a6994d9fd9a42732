// SPDX-License-Identifier: MIT
/*
 * difffuzz_jit - the interpreter-against-JIT differential test at scale:
 * random valid programs from test/unit/jit/diffgen.c, each run in libvm's
 * interpreter and in libjit's native code (checked and trusted mode) with
 * r0, errors, buffer, stack and maps compared.  The variants rotate over
 * seeds: plain, without BMI2 and with constant blinding, with one access
 * moved out of bounds (both engines must fault alike), with facts from a
 * sound dataflow (test/unit/jit/factgen.c), and with libverify's facts for
 * the programs it accepts.
 *
 *   difffuzz_jit [-n PROGRAMS] [-s FIRST_SEED] [-j JOBS]
 *
 * Prints the counts; exits 1 at the first difference, naming the seed and
 * variant (rerun with -s SEED -n 1 to reproduce).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "diffgen.h"

static const unsigned variants[] = {0, DG_NO_BMI2 | DG_HARDEN, DG_FAULTS, DG_FACTS, DG_VERIFY};

static int run(uint64_t first, uint64_t n, uint64_t step, struct dg_stats *st)
{
	char msg[600];

	for (uint64_t seed = first; seed < first + n * step; seed += step) {
		unsigned flags = variants[seed % 5];
		int rc = dg_check(seed, flags, st, msg, sizeof(msg));

		if (rc) {
			printf("difference: seed %" PRIu64 " flags %u: %s\n", seed, flags, msg);
			return 1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t n = 100000, first = 1;
	int jobs = 1, c, rc = 0;
	struct dg_stats st = {0};
	struct timespec t0, t1;

	while ((c = getopt(argc, argv, "n:s:j:")) != -1) {
		switch (c) {
		case 'n':
			n = strtoull(optarg, NULL, 0);
			break;
		case 's':
			first = strtoull(optarg, NULL, 0);
			break;
		case 'j':
			jobs = atoi(optarg);
			break;
		default:
			fprintf(stderr,
				"usage: difffuzz_jit [-n PROGRAMS] [-s FIRST_SEED] [-j JOBS]\n");
			return 2;
		}
	}
	if (jobs < 1 || jobs > 64)
		jobs = 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (jobs == 1) {
		rc = run(first, n, 1, &st);
	} else {
		/* each job takes every jobs-th seed and reports its counts on a pipe */
		int fds[64][2];
		pid_t pids[64];

		for (int j = 0; j < jobs; j++) {
			if (pipe(fds[j]) || (pids[j] = fork()) < 0)
				return 2;
			if (!pids[j]) {
				struct dg_stats s = {0};
				int r;

				close(fds[j][0]);
				r = run(first + (uint64_t)j,
					(n + (uint64_t)(jobs - 1 - j)) / (uint64_t)jobs,
					(uint64_t)jobs, &s);
				if (write(fds[j][1], &s, sizeof(s)) != sizeof(s))
					r = 2;
				fflush(stdout);
				_exit(r);
			}
			close(fds[j][1]);
		}
		for (int j = 0; j < jobs; j++) {
			struct dg_stats s = {0};
			int status;

			if (read(fds[j][0], &s, sizeof(s)) == sizeof(s)) {
				st.programs += s.programs;
				st.insns += s.insns;
				st.faulted += s.faulted;
				st.verified += s.verified;
				st.facts_used += s.facts_used;
			}
			waitpid(pids[j], &status, 0);
			if (WIFSIGNALED(status))
				printf("difffuzz_jit: job %d died of signal %d\n", j,
				       WTERMSIG(status));
			if (!WIFEXITED(status) || WEXITSTATUS(status))
				rc = 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("difffuzz_jit: %" PRIu64 " programs (%" PRIu64 " instructions) agreed in the "
	       "interpreter and the JIT, %" PRIu64 " runs faulted alike, %" PRIu64
	       " verified by libverify and JITed with its facts (%" PRIu64
	       " instructions shortened); %.1f s%s\n",
	       st.programs, st.insns, st.faulted, st.verified, st.facts_used,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
	       rc ? "; DIFFERENCES FOUND" : "");
	return rc;
}
