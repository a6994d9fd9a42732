a:
a:
exit
