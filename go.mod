module github.com/flare-ilo/flare

go 1.26
