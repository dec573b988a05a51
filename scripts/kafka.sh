#!/usr/bin/env bash
# Real Apache Kafka 3.9 (single-node KRaft) without Docker: the broker's jars come
# from Maven Central (infra/kafka/pom.xml → .tools/kafka/libs), its state lives in .run/kafka
# (both git-ignored). Works from any directory.
#
#   scripts/kafka.sh fetch    copy the broker jars into .tools/kafka/libs (skipped when present)
#   scripts/kafka.sh start    fetch if needed, format storage once, start the broker, wait until it
#                             logs "Kafka Server started", then create the declared topics.
#                             A broker already listening on the port is reused as is.
#   scripts/kafka.sh topics   create every topic of infra/kafka/topics.json that is missing
#   scripts/kafka.sh stop     SIGTERM, wait (SIGKILL after 30 s)
#   scripts/kafka.sh status   exit 0 when a broker answers on the port
#   scripts/kafka.sh reset    stop and delete the broker's data, logs and cluster id
#
# Environment: KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), KAFKA_RUN_DIR (.run/kafka),
# KAFKA_DATA_DIR ($KAFKA_RUN_DIR/data), KAFKA_LIBS_DIR (.tools/kafka/libs), KAFKA_HEAP (512m),
# KAFKA_START_TIMEOUT (90 s), KAFKA_TOPIC_PREFIX (prepended to every topic name by "topics").
# KAFKA_SASL_USERS ("user:password,…"; empty by default): the broker's listener becomes
# SASL_PLAINTEXT with PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 for these users instead of PLAINTEXT
# (a second, throw-away broker on other ports for the SASL test of packages/kafka; "start" then
# creates no topics, as create-topics.js speaks PLAINTEXT only).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
RUN="${KAFKA_RUN_DIR:-$REPO_ROOT/.run/kafka}"
DATA="${KAFKA_DATA_DIR:-$RUN/data}"
LIBS="${KAFKA_LIBS_DIR:-$REPO_ROOT/.tools/kafka/libs}"
HEAP="${KAFKA_HEAP:-512m}"
START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
POM="$REPO_ROOT/infra/kafka/pom.xml"
PROPS="$RUN/server.properties"
PID_FILE="$RUN/kafka.pid"
LOG_DIR="$RUN/logs"
LOG="$LOG_DIR/server.log"
CLUSTER_ID_FILE="$RUN/cluster-id"
# Pinned: a floating plugin version would make the fetch depend on whatever Maven resolves today.
DEPENDENCY_PLUGIN="org.apache.maven.plugins:maven-dependency-plugin:3.6.1"

k() { say kafka "$@"; }

# Broker JVM flags: Kafka's own defaults from kafka-run-class.sh / kafka-server-start.sh.
jvm_opts() {
  local heap="$1"
  printf '%s\n' "-Xms$heap" "-Xmx$heap" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
    -XX:+ExplicitGCInvokesConcurrent -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
    "-Dkafka.logs.dir=$LOG_DIR" "-Dlog4j.configuration=file:$REPO_ROOT/infra/kafka/log4j.properties" \
    -cp "$LIBS/*"
}

# True when $pid is a live JVM running kafka.Kafka (guards against a recycled pid in a stale file).
our_broker_pid() {
  local pid="$1"
  kill -0 "$pid" 2>/dev/null && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q 'kafka\.Kafka '
}
broker_pid() { [ -s "$PID_FILE" ] && our_broker_pid "$(cat "$PID_FILE")" && cat "$PID_FILE"; }

pom_stamp() { sha256sum "$POM" | cut -d' ' -f1; }

fetch_locked() {
  if [ -f "$LIBS/.complete" ] && [ "$(cat "$LIBS/.complete")" = "$(pom_stamp)" ]; then
    k "broker jars present in ${LIBS#"$REPO_ROOT"/} ($(ls "$LIBS"/*.jar | wc -l) jars)"
    return
  fi
  command -v java >/dev/null || die kafka "java not found: Kafka needs a Java 17+ runtime (apt-get install -y openjdk-17-jre-headless)"
  command -v mvn >/dev/null || die kafka "mvn not found: Maven fetches the broker jars (apt-get install -y maven)"
  k "fetching the broker jars from Maven Central (infra/kafka/pom.xml) into ${LIBS#"$REPO_ROOT"/}"
  local t0; t0=$(ms_now)
  local tmp="$LIBS.partial"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  # KAFKA_MAVEN_OPTS: extra Maven flags, e.g. -Dmaven.repo.local=/tmp/m2 or -o (offline).
  # shellcheck disable=SC2086
  if ! mvn -q -B -f "$POM" "$DEPENDENCY_PLUGIN:copy-dependencies" \
      -DincludeScope=runtime -DoutputDirectory="$tmp" ${KAFKA_MAVEN_OPTS:-} > "$tmp.log" 2>&1; then
    tail -n 30 "$tmp.log" >&2
    rm -rf "$tmp" "$tmp.log"
    die kafka "Maven could not fetch the jars (is Maven Central reachable? proxy/mirror settings go in ~/.m2/settings.xml)"
  fi
  rm -f "$tmp.log"
  # Swap in the complete set only, so an interrupted fetch never leaves a half-filled libs folder.
  rm -rf "$LIBS"
  mv "$tmp" "$LIBS"
  pom_stamp > "$LIBS/.complete"
  k "fetched $(ls "$LIBS"/*.jar | wc -l) jars in $(secs_since "$t0") s"
}
fetch() { mkdir -p "$(dirname "$LIBS")"; with_lock "$(dirname "$LIBS")/.fetch.lock" fetch_locked; }

render_config() {
  mkdir -p "$DATA" "$LOG_DIR"
  sed -e "s|@PORT@|$PORT|g" -e "s|@CONTROLLER_PORT@|$CONTROLLER_PORT|g" -e "s|@DATA_DIR@|$DATA|g" \
    "$REPO_ROOT/infra/kafka/server.properties.template" > "$PROPS"
  [ -n "${KAFKA_SASL_USERS:-}" ] && sasl_config >> "$PROPS"
  return 0
}

# Overrides appended to server.properties (the last value of a key wins) for KAFKA_SASL_USERS: the
# client listener authenticates with SASL (PLAIN users in the JAAS line; SCRAM credentials are
# written into the storage by "format"); the broker talks to itself as the first user.
sasl_config() {
  local first="${KAFKA_SASL_USERS%%,*}" users="" pair
  IFS=',' read -ra pairs <<< "$KAFKA_SASL_USERS"
  for pair in "${pairs[@]}"; do users+=" user_${pair%%:*}=\"${pair#*:}\""; done
  cat <<PROPERTIES
listeners=SASL_PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=SASL_PLAINTEXT://127.0.0.1:$PORT
inter.broker.listener.name=SASL_PLAINTEXT
listener.security.protocol.map=SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT
sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=PLAIN
listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="${first%%:*}" password="${first#*:}"$users;
listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
PROPERTIES
}
scram_format_args() {
  local pair
  [ -n "${KAFKA_SASL_USERS:-}" ] || return 0
  IFS=',' read -ra pairs <<< "$KAFKA_SASL_USERS"
  for pair in "${pairs[@]}"; do
    printf '%s\n' --add-scram "SCRAM-SHA-256=[name=${pair%%:*},password=${pair#*:}]" --add-scram "SCRAM-SHA-512=[name=${pair%%:*},password=${pair#*:}]"
  done
}

# A KRaft cluster id is 16 random bytes in URL-safe base64 without padding (what
# "StorageTool random-uuid" prints); made here to save a JVM start. A leading '-' would read as an
# option on the StorageTool command line, so such ids are drawn again.
new_cluster_id() {
  local id
  while :; do
    id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    case "$id" in -*) ;; *) echo "$id"; return ;; esac
  done
}

format_storage() {
  # meta.properties in the log dir is what StorageTool writes; its presence means "formatted".
  if [ -f "$DATA/meta.properties" ]; then return; fi
  [ -s "$CLUSTER_ID_FILE" ] || new_cluster_id > "$CLUSTER_ID_FILE"
  local opts scram; mapfile -t opts < <(jvm_opts 256m)
  mapfile -t scram < <(scram_format_args)
  java "${opts[@]}" kafka.tools.StorageTool format -t "$(cat "$CLUSTER_ID_FILE")" -c "$PROPS" "${scram[@]}" >/dev/null \
    || die kafka "formatting storage in $DATA failed"
  k "formatted KRaft storage in $DATA (cluster id $(cat "$CLUSTER_ID_FILE"))"
}

log_tail() { echo "---- last lines of $LOG ----" >&2; tail -n 30 "$LOG" >&2 2>/dev/null || true; [ -s "$LOG_DIR/stdout.log" ] && { echo "---- $LOG_DIR/stdout.log ----" >&2; tail -n 15 "$LOG_DIR/stdout.log" >&2; }; return 0; }

start_locked() {
  local pid
  if port_open "$PORT"; then
    if pid="$(broker_pid)"; then k "already running on 127.0.0.1:$PORT (pid $pid)"
    else k "a broker not started by this script already listens on 127.0.0.1:$PORT; using it"; fi
    return
  fi
  if pid="$(broker_pid)"; then
    # Alive but not listening: a start that was interrupted, or a broker shutting down.
    die kafka "pid $pid (from $PID_FILE) is alive but 127.0.0.1:$PORT does not answer; run 'scripts/kafka.sh stop' and retry"
  fi
  fetch
  render_config
  format_storage
  # Only the log written from here on counts (server.log keeps earlier runs).
  local offset=0; [ -f "$LOG" ] && offset=$(stat -c %s "$LOG")
  local opts; mapfile -t opts < <(jvm_opts "$HEAP")
  local t0; t0=$(ms_now)
  k "starting broker on 127.0.0.1:$PORT (controller $CONTROLLER_PORT, heap $HEAP)"
  # 9>&-: the broker must not inherit the start lock's descriptor, or it would hold the lock for life.
  nohup java "${opts[@]}" kafka.Kafka "$PROPS" > "$LOG_DIR/stdout.log" 2>&1 < /dev/null 9>&- &
  pid=$!
  echo "$pid" > "$PID_FILE"
  # Ready means the broker said so in its log, never that some seconds passed.
  local deadline=$((SECONDS + START_TIMEOUT))
  until tail -c +"$((offset + 1))" "$LOG" 2>/dev/null | grep -q "Kafka Server started"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PID_FILE"
      log_tail
      die kafka "the broker exited during start (logs in $LOG_DIR)"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      kill -KILL "$pid" 2>/dev/null || true
      rm -f "$PID_FILE"
      log_tail
      die kafka "no \"Kafka Server started\" in $LOG after $START_TIMEOUT s; killed pid $pid"
    fi
    sleep 0.25
  done
  k "started in $(secs_since "$t0") s (pid $pid, logs ${LOG_DIR#"$REPO_ROOT"/})"
}
start() {
  mkdir -p "$RUN"
  with_lock "$RUN/.lock" start_locked
  if [ -n "${KAFKA_SASL_USERS:-}" ]; then k "SASL listener: no topics created (create-topics.js speaks PLAINTEXT)"; return; fi
  topics_at "127.0.0.1:$PORT"
}

topics_at() {
  # One kafkajs admin call creates every missing topic; Kafka's own TopicCommand is not among
  # kafka_2.13's runtime jars in 3.9 (it lives in kafka-tools) and costs a JVM start per call.
  # shellcheck source=/dev/null
  source "$REPO_ROOT/scripts/lib-node.sh"
  ensure_deps >&2
  KAFKA_BROKERS="$1" node "$REPO_ROOT/scripts/create-topics.js"
}
topics() { topics_at "${KAFKA_BROKERS:-127.0.0.1:$PORT}"; }

stop() {
  local pid
  if ! pid="$(broker_pid)"; then
    rm -f "$PID_FILE"
    if port_open "$PORT"; then k "not started by this script (no live pid in $PID_FILE) but 127.0.0.1:$PORT answers; left alone"
    else k "not running"; fi
    return
  fi
  local t0; t0=$(ms_now)
  kill -TERM "$pid"
  local deadline=$((SECONDS + 30))
  while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then
    k "pid $pid did not exit 30 s after SIGTERM; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  fi
  rm -f "$PID_FILE"
  k "stopped pid $pid in $(secs_since "$t0") s"
}

status() {
  local pid
  if port_open "$PORT"; then
    if pid="$(broker_pid)"; then k "running on 127.0.0.1:$PORT (pid $pid, data $DATA, logs $LOG_DIR)"
    else k "127.0.0.1:$PORT answers (a broker not started by this script)"; fi
    return 0
  fi
  if pid="$(broker_pid)"; then k "pid $pid alive but 127.0.0.1:$PORT not listening (starting or stopping)"; return 1; fi
  k "stopped"
  return 3
}

reset() {
  stop
  # Only the paths this script creates: safe even when KAFKA_RUN_DIR points somewhere unexpected.
  rm -rf "$DATA" "$LOG_DIR" "$PROPS" "$CLUSTER_ID_FILE" "$PID_FILE" "$RUN/.lock"
  k "removed broker data, logs and cluster id under $RUN"
}

case "${1:-}" in
  fetch) fetch ;;
  start) start ;;
  topics) topics ;;
  stop) stop ;;
  status) status ;;
  reset) reset ;;
  *) echo "usage: scripts/kafka.sh fetch|start|topics|stop|status|reset" >&2; exit 2 ;;
esac
