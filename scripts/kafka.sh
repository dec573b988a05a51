#!/usr/bin/env bash
# Real Apache Kafka 3.9 (single-node KRaft) without Docker: jars from Maven Central, state in
# .run/kafka (git-ignored). Subcommands: fetch | start | topics | stop | status | reset.
# Idempotent: start on a running healthy broker does nothing; topics creates only what is missing.
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
RUN="${KAFKA_RUN_DIR:-$REPO_ROOT/.run/kafka}"
LIBS="$REPO_ROOT/.tools/kafka/libs"
PID_FILE="$RUN/kafka.pid"
LOG_DIR="$RUN/logs"
CLUSTER_ID_FILE="$RUN/cluster-id"

say() { printf '  kafka: %s\n' "$*"; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
running() { [ -f "$PID_FILE" ] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; }

fetch() {
  if [ -f "$LIBS/.complete" ]; then return; fi
  command -v java >/dev/null || { echo "kafka: java not found (Java 17 is required)" >&2; exit 1; }
  command -v mvn >/dev/null || { echo "kafka: mvn not found (Maven fetches the broker jars)" >&2; exit 1; }
  say "fetching Kafka 3.9 jars from Maven Central into .tools/kafka/libs"
  local t0=$SECONDS
  rm -rf "$LIBS" && mkdir -p "$LIBS"
  mvn -q -B -f "$REPO_ROOT/infra/kafka/pom.xml" org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$LIBS"
  touch "$LIBS/.complete"
  say "fetched $(ls "$LIBS"/*.jar | wc -l) jars in $((SECONDS - t0)) s"
}

render_config() {
  mkdir -p "$RUN/data" "$LOG_DIR"
  sed -e "s#@PORT@#$PORT#g" -e "s#@CONTROLLER_PORT@#$CONTROLLER_PORT#g" -e "s#@DATA_DIR@#$RUN/data#g" \
    "$REPO_ROOT/infra/kafka/server.properties.template" > "$RUN/server.properties"
}

JAVA_OPTS=(-Xms512m -Xmx512m -XX:+UseG1GC -Dkafka.logs.dir="$LOG_DIR" -Dlog4j.configuration="file:$REPO_ROOT/infra/kafka/log4j.properties" -cp "$LIBS/*")

start() {
  if running && port_open "$PORT"; then say "already running on 127.0.0.1:$PORT (pid $(cat "$PID_FILE"))"; topics; return; fi
  if port_open "$PORT"; then say "something already listens on 127.0.0.1:$PORT; using it"; topics; return; fi
  fetch
  render_config
  if [ ! -f "$RUN/data/meta.properties" ]; then
    [ -f "$CLUSTER_ID_FILE" ] || java "${JAVA_OPTS[@]}" kafka.tools.StorageTool random-uuid > "$CLUSTER_ID_FILE"
    java "${JAVA_OPTS[@]}" kafka.tools.StorageTool format -t "$(cat "$CLUSTER_ID_FILE")" -c "$RUN/server.properties" >/dev/null
    say "formatted KRaft storage in $RUN/data"
  fi
  local t0=$SECONDS
  : > "$LOG_DIR/server.log"
  nohup java "${JAVA_OPTS[@]}" kafka.Kafka "$RUN/server.properties" > "$LOG_DIR/stdout.log" 2>&1 &
  echo $! > "$PID_FILE"
  # Ready means the broker logged that it started, not that some seconds passed.
  local deadline=$((SECONDS + 90))
  until grep -q "Kafka Server started" "$LOG_DIR/server.log" 2>/dev/null; do
    if ! running; then echo "kafka: broker exited during start; last log lines:" >&2; tail -30 "$LOG_DIR/server.log" "$LOG_DIR/stdout.log" >&2; exit 1; fi
    if [ $SECONDS -ge $deadline ]; then echo "kafka: not started after 90 s; last log lines:" >&2; tail -30 "$LOG_DIR/server.log" >&2; exit 1; fi
    sleep 0.3
  done
  say "started on 127.0.0.1:$PORT in $((SECONDS - t0)) s (pid $(cat "$PID_FILE"), logs $LOG_DIR)"
  topics
}

topics() {
  # One kafkajs admin call creates every missing topic (the JVM topic tool takes seconds per call).
  source "$REPO_ROOT/scripts/lib-node.sh"
  ensure_deps >/dev/null
  KAFKA_BROKERS="127.0.0.1:$PORT" node "$REPO_ROOT/scripts/create-topics.js"
}

stop() {
  if ! running; then say "not running"; rm -f "$PID_FILE"; return; fi
  local pid; pid="$(cat "$PID_FILE")"
  kill -TERM "$pid"
  for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then say "did not stop in 30 s; killing"; kill -KILL "$pid"; fi
  rm -f "$PID_FILE"
  say "stopped"
}

status() {
  if running; then say "running (pid $(cat "$PID_FILE")) on 127.0.0.1:$PORT"; elif port_open "$PORT"; then say "a broker not started by this script listens on $PORT"; else say "stopped"; return 1; fi
}

case "${1:-}" in
  fetch) fetch ;;
  start) start ;;
  topics) topics ;;
  stop) stop ;;
  status) status ;;
  reset) stop; rm -rf "$RUN"; say "state removed" ;;
  *) echo "usage: scripts/kafka.sh fetch|start|topics|stop|status|reset" >&2; exit 2 ;;
esac
