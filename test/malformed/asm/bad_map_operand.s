r1 = map[fd:5][1]+8
r1 = map[]
