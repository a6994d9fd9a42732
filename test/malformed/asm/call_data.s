call a
.data
a: .byte 1
