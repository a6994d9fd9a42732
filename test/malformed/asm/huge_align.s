.p2align 40
