# shellcheck shell=bash
# localstack service "hdfs": Hadoop's HDFS mini cluster 3.4.1 (one NameNode and
# one DataNode in one JVM, jars from Maven Central via localstack/hdfs/pom.xml,
# a small main, FerryMiniHdfs.java, compiled at install). The NameNode's RPC
# listens on 127.0.0.1:$HDFS_PORT; permissions are off. The mini cluster formats
# its storage at every start: files do not survive a restart.
# Sourced by lib.sh; up_hdfs starts it.
register_service hdfs FerryMiniHdfs hdfs/data

HDFS_PORT=${FERRY_HDFS_PORT:-18020}

# install_hdfs fetches the jars into hdfs/libs and compiles the main into
# hdfs/classes; both are redone when the pom or the main change.
install_hdfs() {
  local src="$LOCALSTACK_SRC/hdfs" home="$STACK_DIR/hdfs"
  local want have=""
  want=$(cat "$src/pom.xml" "$src/FerryMiniHdfs.java" | sha256sum | cut -d' ' -f1)
  [[ -f $home/classes/.src.sha256 ]] && have=$(<"$home/classes/.src.sha256")
  [[ $want == "$have" ]] && return 0

  need_cmd java openjdk-17-jre-headless
  need_cmd javac openjdk-17-jdk-headless
  need_cmd mvn maven
  log "hdfs: fetching the Hadoop mini cluster jars from Maven Central (cached in ~/.m2)"
  local ilog="$STACK_DIR/log/hdfs-install.log" tmp="$home/libs.tmp"
  rm -rf "$tmp"
  mvn -B -q -ntp -Dstyle.color=never -f "$src/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$tmp" >"$ilog" 2>&1 9>&- \
    || { tail -n 20 "$ilog" >&2; die "hdfs: maven failed, see $ilog"; }
  ls "$tmp"/hadoop-client-minicluster-*.jar >/dev/null 2>&1 || die "hdfs: no minicluster jar in $tmp, see $ilog"
  log "hdfs: compiling FerryMiniHdfs.java"
  rm -rf "$home/classes.tmp" && mkdir -p "$home/classes.tmp"
  javac -nowarn -d "$home/classes.tmp" -cp "$tmp/*" "$src/FerryMiniHdfs.java" >>"$ilog" 2>&1 \
    || { tail -n 20 "$ilog" >&2; die "hdfs: javac failed, see $ilog"; }
  rm -rf "$home/libs" && mv "$tmp" "$home/libs"
  echo "$want" >"$home/classes.tmp/.src.sha256"
  rm -rf "$home/classes" && mv "$home/classes.tmp" "$home/classes"
}

hdfs_ready() {
  grep -q FERRY-HDFS-READY "$STACK_DIR/log/hdfs.out" 2>/dev/null && port_open "$HDFS_PORT"
}

up_hdfs() {
  if port_open "$HDFS_PORT"; then
    log "hdfs: already running on 127.0.0.1:$HDFS_PORT"
  else
    install_hdfs
    local home="$STACK_DIR/hdfs" t0=$SECONDS
    rm -rf "$home/data" && mkdir -p "$home/data"
    : >"$STACK_DIR/log/hdfs.out"
    log "hdfs: starting the HDFS mini cluster (NameNode 127.0.0.1:$HDFS_PORT)"
    spawn hdfs java -Xms64m -Xmx384m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
      -Djava.net.preferIPv4Stack=true -cp "$home/libs/*:$home/classes" \
      FerryMiniHdfs "$home/data" "$HDFS_PORT"
    wait_ready hdfs "$STACK_DIR/log/hdfs.out" hdfs_ready
    log "hdfs: ready in $((SECONDS - t0))s"
  fi
  emit HDFS_URL "hdfs://127.0.0.1:$HDFS_PORT"
  # For tests that run a private mini cluster (java -cp "$HDFS_CLASSPATH" FerryMiniHdfs ...).
  emit HDFS_CLASSPATH "$STACK_DIR/hdfs/libs/*:$STACK_DIR/hdfs/classes"
}
