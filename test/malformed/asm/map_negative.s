.map m hash key=-1 entries=1
