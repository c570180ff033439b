// FerryMiniHdfs runs Hadoop's HDFS mini cluster (one NameNode, one DataNode,
// one JVM) for the local stack: localstack/up hdfs compiles and starts it.
//
//   java -cp 'libs/*:classes' FerryMiniHdfs <base dir> <namenode port> [keep]
//
// The NameNode's RPC listens on 127.0.0.1:<port>, its web UI and the DataNode
// on free loopback ports. Permissions are off (a test stack, one user). The
// storage under <base dir> is formatted at start unless "keep" is given (a
// restart that keeps the files, for outage tests). It prints
// "FERRY-HDFS-READY <port>" once the cluster is up and runs until killed.
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;

public final class FerryMiniHdfs {
  public static void main(String[] args) throws Exception {
    if (args.length < 2 || args.length > 3 || (args.length == 3 && !args[2].equals("keep"))) {
      System.err.println("usage: FerryMiniHdfs <base dir> <namenode port> [keep]");
      System.exit(2);
    }
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, args[0]);
    conf.set("dfs.permissions.enabled", "false");
    conf.set("dfs.namenode.rpc-address", "127.0.0.1:" + args[1]);
    conf.set("dfs.namenode.http-address", "127.0.0.1:0");
    conf.set("dfs.datanode.address", "127.0.0.1:0");
    conf.set("dfs.datanode.http.address", "127.0.0.1:0");
    conf.set("dfs.datanode.ipc.address", "127.0.0.1:0");
    conf.set("dfs.replication", "1");
    conf.set("dfs.blocksize", "16m");
    conf.set("dfs.namenode.fs-limits.min-block-size", "1048576");
    conf.set("dfs.client.use.datanode.hostname", "false");
    conf.set("dfs.datanode.hostname", "127.0.0.1");
    conf.set("hadoop.security.authentication", "simple");
    MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf)
        .nameNodePort(Integer.parseInt(args[1]))
        .numDataNodes(1)
        .format(args.length == 2)
        .checkDataNodeHostConfig(true)
        .build();
    cluster.waitActive();
    Runtime.getRuntime().addShutdownHook(new Thread(cluster::shutdown));
    System.out.println("FERRY-HDFS-READY " + cluster.getNameNodePort());
    System.out.flush();
    Thread.currentThread().join();
  }
}
