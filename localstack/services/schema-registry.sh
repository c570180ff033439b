# shellcheck shell=bash
# localstack service "schema-registry": sourced by lib.sh; up_schema-registry starts it.
#
# A schema registry with Confluent's REST API: Apicurio Registry 2.4.2.Final
# (Apache-2.0) and its Confluent-compatible API, built from Maven Central by
# localstack/schema-registry/pom.xml (Confluent's own registry and Karapace are
# not served by the registries reachable here). Storage is in memory (H2):
# schemas and ids start afresh at every start.
register_service schema-registry ferry-schema-registry-1-runner.jar schema-registry

SCHEMA_REGISTRY_PORT=8081

install_schema_registry() {
  local src="$LOCALSTACK_SRC/schema-registry" home="$STACK_DIR/schema-registry"
  local want have=""
  want=$(cd "$src" && find . -type f | sort | xargs sha256sum | sha256sum | cut -d' ' -f1)
  [[ -f $home/app/.src.sha256 ]] && have=$(<"$home/app/.src.sha256")
  [[ $want == "$have" ]] && return 0

  need_cmd java openjdk-17-jre-headless
  need_cmd javac openjdk-17-jdk-headless
  need_cmd mvn maven
  log "schema-registry: building Apicurio Registry from Maven Central (cached in ~/.m2)"
  local ilog="$STACK_DIR/log/schema-registry-install.log" build="$home/build"
  rm -rf "$build" && mkdir -p "$build" && cp -r "$src"/. "$build"/
  mvn -B -q -ntp -Dstyle.color=never -f "$build/pom.xml" package -DskipTests >"$ilog" 2>&1 9>&- \
    || { tail -n 20 "$ilog" >&2; die "schema-registry: maven failed, see $ilog"; }
  [[ -f $build/target/ferry-schema-registry-1-runner.jar ]] \
    || die "schema-registry: no runner jar in $build/target, see $ilog"
  echo "$want" >"$build/target/.src.sha256"
  rm -rf "$home/app" && mv "$build/target" "$home/app" && rm -rf "$build"
}

schema_registry_ready() {
  curl -fsS -o /dev/null "http://127.0.0.1:$SCHEMA_REGISTRY_PORT/apis/ccompat/v7/subjects" 2>/dev/null
}

up_schema-registry() {
  need_cmd curl curl
  if port_open "$SCHEMA_REGISTRY_PORT"; then
    schema_registry_ready \
      || die "schema-registry: 127.0.0.1:$SCHEMA_REGISTRY_PORT is taken by something that is not a schema registry"
    log "schema-registry: already running on 127.0.0.1:$SCHEMA_REGISTRY_PORT"
  else
    install_schema_registry
    local home="$STACK_DIR/schema-registry" t0=$SECONDS
    log "schema-registry: starting Apicurio Registry on 127.0.0.1:$SCHEMA_REGISTRY_PORT"
    spawn schema-registry java -Xms64m -Xmx384m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
      -Dquarkus.http.host=127.0.0.1 "-Dquarkus.http.port=$SCHEMA_REGISTRY_PORT" \
      -Dquarkus.log.console.color=false -jar "$home/app/ferry-schema-registry-1-runner.jar"
    wait_ready schema-registry "$STACK_DIR/log/schema-registry.out" schema_registry_ready
    log "schema-registry: ready in $((SECONDS - t0))s"
  fi
  emit SCHEMA_REGISTRY_URL "http://127.0.0.1:$SCHEMA_REGISTRY_PORT/apis/ccompat/v7"
}
