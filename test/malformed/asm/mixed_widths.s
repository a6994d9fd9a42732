if r1 s> w2 goto +1
