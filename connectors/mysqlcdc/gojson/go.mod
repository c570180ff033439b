// ferry's stand-in for github.com/goccy/go-json (go.mod replaces it with
// this directory): go-mysql's binlog JSON decoder, its only user in ferry,
// calls Marshal alone, and goccy/go-json's decoder tables cost a Lambda
// function 1.9 MB of allocations and half a millisecond at every start.
module github.com/goccy/go-json

go 1.26.8
