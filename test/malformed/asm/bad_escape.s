.ascii "\x"
