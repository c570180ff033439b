module example.com/ferry-noplugins

go 1.26.8

require github.com/ferryhq/ferry v0.0.0-00010101000000-000000000000

replace github.com/ferryhq/ferry => ../../../..
