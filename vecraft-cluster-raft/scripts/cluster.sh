#!/usr/bin/env bash
# Runs a 3-node Vecraft cluster on this machine: one etcd and three vecraft-node JVMs on loopback,
# each node with the journal (Apache Ratis member of every partition) and storage roles.
#
#   vecraft-cluster-raft/scripts/cluster.sh start    build if needed, start etcd + n1..n3, wait until ready
#   vecraft-cluster-raft/scripts/cluster.sh status   show the processes
#   vecraft-cluster-raft/scripts/cluster.sh stop     SIGTERM the nodes (clean stop), then etcd
#   vecraft-cluster-raft/scripts/cluster.sh wipe     stop, then delete the cluster directory
#
# Environment (all optional):
#   VECRAFT_CLUSTER_DIR  data, logs and pid files   (default: <repo>/target/local-cluster)
#   VECRAFT_ETCD_PORT    etcd client port           (default 2379; peer port = +1)
#   VECRAFT_BASE_PORT    node i listens on gRPC BASE+i and Raft BASE+100+i   (default 7100)
#   VECRAFT_DURABILITY   SYNC (default) or ASYNC
#   VECRAFT_NODE_HEAP    -Xmx of each node           (default 512m)
#
# Clients connect with ClusterConfig.of("raft").with("etcd", "http://127.0.0.1:2379").
set -euo pipefail

MODULE_DIR="$(cd "$(dirname "$0")/.." && pwd)"
ROOT="$(cd "$MODULE_DIR/.." && pwd)"
DIR="${VECRAFT_CLUSTER_DIR:-$ROOT/target/local-cluster}"
ETCD_PORT="${VECRAFT_ETCD_PORT:-2379}"
ETCD_PEER_PORT=$((ETCD_PORT + 1))
BASE="${VECRAFT_BASE_PORT:-7100}"
DURABILITY="${VECRAFT_DURABILITY:-SYNC}"
HEAP="${VECRAFT_NODE_HEAP:-512m}"
NODES=(n1 n2 n3)
START_TIMEOUT=180

die() { echo "cluster.sh: $*" >&2; exit 1; }

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

jvm_options() {
  local major
  major=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
  local opts="--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED --add-exports=java.base/sun.nio.ch=ALL-UNNAMED"
  opts+=" --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED"
  opts+=" --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED"
  opts+=" --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED"
  opts+=" --add-opens=java.base/java.util=ALL-UNNAMED --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED"
  opts+=" -Dchronicle.analytics.disable=true -Dchronicle.announcer.disable=true --add-modules=jdk.incubator.vector"
  if [ "${major%%.*}" -ge 22 ]; then opts+=" --enable-native-access=ALL-UNNAMED"; fi
  if [ "${major%%.*}" -ge 23 ]; then opts+=" --sun-misc-unsafe-memory-access=allow"; fi
  opts+=" -Xmx$HEAP -XX:+UseParallelGC"
  opts+=" -Dorg.slf4j.simpleLogger.showDateTime=true -Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS"
  opts+=" -Dorg.slf4j.simpleLogger.log.org.apache.ratis=warn -Dorg.slf4j.simpleLogger.log.io.grpc=warn"
  opts+=" -Dorg.slf4j.simpleLogger.log.io.etcd=warn -Dorg.slf4j.simpleLogger.log.net.openhft=warn"
  echo "$opts"
}

build_classpath() {
  mkdir -p "$DIR"
  local jar="$MODULE_DIR/target/vecraft-cluster-raft-0.1.0-SNAPSHOT.jar"
  if [ ! -f "$jar" ] || [ ! -f "$DIR/classpath.txt" ] || [ -n "$(find "$ROOT" -name '*.java' -path '*/src/main/*' -newer "$jar" -print -quit)" ]; then
    echo "building vecraft-cluster-raft and its modules (mvn package, tests skipped)..." >&2
    (cd "$ROOT" && mvn -B -q -pl vecraft-cluster-raft -am -DskipTests package dependency:build-classpath \
        -Dmdep.outputFile="$DIR/classpath.txt" -Dmdep.includeScope=runtime >&2) || die "build failed"
  fi
  echo "$jar:$(cat "$DIR/classpath.txt")"
}

write_properties() {
  local f="$DIR/cluster.properties"
  {
    echo "# written by cluster.sh: every node is started with this file"
    echo "etcd=http://127.0.0.1:$ETCD_PORT"
    echo "namespace=/vecraft"
    echo "dataPartitions=2"
    echo "durability=$DURABILITY"
    echo "nodes=$(IFS=,; echo "${NODES[*]}")"
    local i=1
    for n in "${NODES[@]}"; do
      echo "node.$n.roles=journal,storage"
      echo "node.$n.grpc=127.0.0.1:$((BASE + i))"
      echo "node.$n.raft=127.0.0.1:$((BASE + 100 + i))"
      i=$((i + 1))
    done
  } > "$f"
}

start() {
  command -v java >/dev/null || die "java (JDK 17+) not found"
  command -v etcd >/dev/null || die "etcd not found: install it (Debian/Ubuntu: apt-get install -y etcd-server)"
  for n in etcd "${NODES[@]}"; do
    alive "$DIR/$n.pid" && die "$n is already running (pid $(cat "$DIR/$n.pid")); run '$0 stop' first"
  done
  local cp
  cp=$(build_classpath)
  mkdir -p "$DIR/etcd"
  write_properties

  nohup etcd --name vecraft-etcd --data-dir "$DIR/etcd/data" \
      --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
      --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
      --initial-cluster "vecraft-etcd=http://127.0.0.1:$ETCD_PEER_PORT" --logger zap --log-outputs stderr \
      > "$DIR/etcd/etcd.log" 2>&1 &
  echo $! > "$DIR/etcd.pid"
  local deadline=$((SECONDS + 30))
  until curl -fsS "http://127.0.0.1:$ETCD_PORT/health" 2>/dev/null | grep -q '"health":"true"'; do
    alive "$DIR/etcd.pid" || die "etcd exited; see $DIR/etcd/etcd.log"
    [ $SECONDS -lt $deadline ] || die "etcd not healthy within 30 s; see $DIR/etcd/etcd.log"
    sleep 0.2
  done
  echo "etcd up on http://127.0.0.1:$ETCD_PORT (pid $(cat "$DIR/etcd.pid"))"

  local opts
  opts=$(jvm_options)
  for n in "${NODES[@]}"; do
    mkdir -p "$DIR/$n/data"
    # shellcheck disable=SC2086
    nohup java $opts -cp "$cp" io.vecraft.cluster.raft.node.VecraftNode \
        --config "$DIR/cluster.properties" --node "$n" --data "$DIR/$n/data" > "$DIR/$n/node.log" 2>&1 &
    echo $! > "$DIR/$n.pid"
  done
  deadline=$((SECONDS + START_TIMEOUT))
  for n in "${NODES[@]}"; do
    until grep -q "VECRAFT-NODE-READY $n" "$DIR/$n/node.log" 2>/dev/null; do
      alive "$DIR/$n.pid" || { tail -30 "$DIR/$n/node.log" >&2; die "node $n exited; see $DIR/$n/node.log"; }
      [ $SECONDS -lt $deadline ] || die "node $n not ready within $START_TIMEOUT s; see $DIR/$n/node.log"
      sleep 0.5
    done
    echo "node $n ready (pid $(cat "$DIR/$n.pid"), log $DIR/$n/node.log)"
  done
  echo
  echo "3-node cluster up. Connect with:"
  echo "  Vecraft.builder(dir).withCluster(ClusterConfig.of(\"raft\").with(\"etcd\", \"http://127.0.0.1:$ETCD_PORT\")).open()"
  echo "Quickstart against it:"
  echo "  mvn -B -q -pl examples exec:exec -Dquickstart.etcd=http://127.0.0.1:$ETCD_PORT"
  echo "Stop it with: $0 stop"
}

stop_pid() {
  local name=$1 pidfile="$DIR/$1.pid"
  if alive "$pidfile"; then
    local pid
    pid=$(cat "$pidfile")
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + 30))
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
    echo "stopped $name (pid $pid)"
  fi
  rm -f "$pidfile"
}

stop() {
  for n in "${NODES[@]}"; do stop_pid "$n"; done
  stop_pid etcd
}

status() {
  for n in etcd "${NODES[@]}"; do
    if alive "$DIR/$n.pid"; then echo "$n: running (pid $(cat "$DIR/$n.pid"))"; else echo "$n: not running"; fi
  done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  wipe) stop; rm -rf "$DIR"; echo "deleted $DIR" ;;
  *) echo "usage: $0 start|status|stop|wipe" >&2; exit 2 ;;
esac
