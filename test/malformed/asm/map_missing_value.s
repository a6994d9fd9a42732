.map m hash key=4 value=
exit
