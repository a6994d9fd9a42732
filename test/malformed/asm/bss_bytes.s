.bss
.byte 1
