// Lazy initialisation: ferry's fork of the HDFS client (connectors/hdfssink/hdfsclient)
// builds the protobuf descriptors and message types when a client is made
// instead of at program init, which cost every program linking the client
// (ferry's Lambda function among them) about half a millisecond at start.

package hadoop_hdfs

import (
	"sync"

	hadoop_common "github.com/colinmarc/hdfs/v2/internal/protocol/hadoop_common"
)

// Init builds the package's protobuf files and message types, hadoop_common's first, as the
// generated code did at init; it runs once, and must run before any message
// of the package is used (hdfs.NewClient and rpc.NewNamenodeConnection call
// it).
var Init = sync.OnceFunc(func() {
	hadoop_common.Init()
	file_ClientDatanodeProtocol_proto_init()
	file_ClientNamenodeProtocol_proto_init()
	file_ReconfigurationProtocol_proto_init()
	file_acl_proto_init()
	file_datatransfer_proto_init()
	file_encryption_proto_init()
	file_erasurecoding_proto_init()
	file_hdfs_proto_init()
	file_inotify_proto_init()
	file_xattr_proto_init()
})
