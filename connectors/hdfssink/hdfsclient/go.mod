// ferry's fork of github.com/colinmarc/hdfs/v2 v2.4.0 (go.mod replaces it
// with this directory; MIT, LICENSE.txt): the same client, but the Hadoop
// protobuf descriptors and message types are built by the first NewClient
// instead of at program init (internal/protocol/*/lazy.go), which cost every
// ferry Lambda function about half a millisecond at start, and the protocol
// files no client call uses (admin, HA, datanode-internal) are left out.
module github.com/colinmarc/hdfs/v2

go 1.26.8

require (
	github.com/jcmturner/gokrb5/v8 v8.4.4
	google.golang.org/protobuf v1.31.0
)
