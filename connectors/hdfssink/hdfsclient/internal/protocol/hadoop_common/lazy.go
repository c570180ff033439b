// Lazy initialisation: ferry's fork of the HDFS client (connectors/hdfssink/hdfsclient)
// builds the protobuf descriptors and message types when a client is made
// instead of at program init, which cost every program linking the client
// (ferry's Lambda function among them) about half a millisecond at start.

package hadoop_common

import "sync"

// Init builds the package's protobuf files and message types, as the
// generated code did at init; it runs once, and must run before any message
// of the package is used (hdfs.NewClient and rpc.NewNamenodeConnection call
// it).
var Init = sync.OnceFunc(func() {
	file_HAServiceProtocol_proto_init()
	file_IpcConnectionContext_proto_init()
	file_ProtobufRpcEngine_proto_init()
	file_RpcHeader_proto_init()
	file_Security_proto_init()
})
