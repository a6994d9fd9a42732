goto +40000
