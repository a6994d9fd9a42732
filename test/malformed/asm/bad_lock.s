lock fetch
lock *(u16 *)(r1 + 0) += r2
