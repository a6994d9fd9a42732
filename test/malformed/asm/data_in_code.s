.text
.byte 1
