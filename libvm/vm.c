// SPDX-License-Identifier: MIT
/*
 * vm.c - the runtime: options, the allocator hook for map storage, ids of
 * maps and programs, freeing everything at the end.
 */
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "vm_int.h"

static void *heap_alloc(void *ctx, size_t size)
{
	void *p;

	(void)ctx;
	if (size >= 4096) {
		p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		return p == MAP_FAILED ? NULL : p;
	}
	if (posix_memalign(&p, 64, size ? size : 1))
		return NULL;
	memset(p, 0, size);
	return p;
}

static void heap_free(void *ctx, void *p, size_t size)
{
	(void)ctx;
	if (!p)
		return;
	if (size >= 4096)
		munmap(p, size);
	else
		free(p);
}

static const struct bk_vm_alloc default_alloc = {heap_alloc, heap_free, NULL};

void *bk_vm_alloc(struct bk_vm *vm, size_t size)
{
	return vm->alloc.alloc(vm->alloc.ctx, size);
}

void bk_vm_free_mem(struct bk_vm *vm, void *p, size_t size)
{
	if (p)
		vm->alloc.free(vm->alloc.ctx, p, size);
}

uint64_t bk_vm_splitmix(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

int bk_vm__new(const struct bk_vm_opts *opts, struct bk_vm **out)
{
	struct bk_vm *vm = calloc(1, sizeof(*vm));
	struct timespec ts;

	if (!vm)
		return -ENOMEM;
	vm->alloc = default_alloc;
	if (opts && opts->sz >= offsetof(struct bk_vm_opts, seed) + sizeof(opts->seed)) {
		if (opts->alloc)
			vm->alloc = *opts->alloc;
		vm->print = opts->print;
		vm->print_ctx = opts->print_ctx;
		vm->ncpus = opts->ncpus;
		vm->seed = opts->seed;
	}
	if (!vm->ncpus) {
		int n = libbpf_num_possible_cpus();

		vm->ncpus = n > 0 ? (uint32_t)n : 1;
	}
	if (!vm->seed) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		vm->seed = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^
			   ((uint64_t)getpid() << 16) ^ (uintptr_t)vm;
	}
	pthread_mutex_init(&vm->lock, NULL);
	vm->next_map_id = 1;
	vm->next_prog_id = 1;
	*out = vm;
	return 0;
}

void bk_vm__free(struct bk_vm *vm)
{
	if (!vm)
		return;
	while (vm->progs)
		bk_vm_prog__free(vm->progs);
	while (vm->maps)
		bk_map__free(vm->maps);
	pthread_mutex_destroy(&vm->lock);
	free(vm);
}

uint32_t bk_vm__ncpus(const struct bk_vm *vm)
{
	return vm->ncpus;
}

struct bk_vm_prog *bk_vm__prog_by_id(struct bk_vm *vm, uint32_t id)
{
	struct bk_vm_prog *p;

	pthread_mutex_lock(&vm->lock);
	for (p = vm->progs; p && p->id != id; p = p->next)
		;
	pthread_mutex_unlock(&vm->lock);
	return p;
}

struct bk_map *bk_vm__map_by_id(struct bk_vm *vm, uint32_t id)
{
	struct bk_map *m;

	pthread_mutex_lock(&vm->lock);
	for (m = vm->maps; m && m->id != id; m = m->next)
		;
	pthread_mutex_unlock(&vm->lock);
	return m;
}
