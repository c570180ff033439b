// ferry's stand-in for github.com/pingcap/tidb/pkg/parser (go.mod replaces
// it with this directory): go-mysql's client, its only user in ferry, calls
// charset.GetCollationByName alone, and the parser's charset and mysql
// packages build their collation, charset and error tables at init (about
// 1,300 allocations and half a millisecond at every Lambda function start).
module github.com/pingcap/tidb/pkg/parser

go 1.26.8
