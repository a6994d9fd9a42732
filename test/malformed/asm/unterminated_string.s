.license "GPL
exit
