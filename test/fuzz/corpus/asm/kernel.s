0: (b7) r0 = 1
1: (63) *(u32 *)(r10 -4) = r0
2: (18) r1 = map[fd:3]
4: (85) call bpf_map_lookup_elem#1
5: (15) if r0 == 0x0 goto pc+1
6: (db) r2 = atomic64_fetch_add((u64 *)(r0 +0), r2)
7: (95) exit
