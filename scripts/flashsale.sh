#!/usr/bin/env bash
# Runs the whole flash-sale system on this machine: the order-service and the three workers, from their
# jars, against the RabbitMQ broker on localhost:5672, each with its embedded H2 database under data/.
#
#   scripts/flashsale.sh start    build if needed, start everything, wait until healthy, say where to look
#   scripts/flashsale.sh stop     stop what start started
#   scripts/flashsale.sh status   what runs, and whether it is healthy
#   scripts/flashsale.sh kill S   SIGKILL one service (S: order-service, email-worker, inventory-worker,
#                                 analytics-worker), as a crash would; start brings it back
#   scripts/flashsale.sh cluster start|stop|status
#                                 a three-node RabbitMQ cluster on this machine, from the local install, beside the
#                                 broker on 5672 (which it leaves alone): nodes flashsale-1@localhost .. flashsale-3@localhost,
#                                 AMQP 5701-5703, management 15701-15703, Prometheus 15791-15793, distribution 25701-25703,
#                                 data and logs under DATA_DIR/cluster (kept by stop: start brings the same cluster back).
#                                 Start it before the services: while it runs, start gives them its three addresses.
#                                 Needs root or the rabbitmq user, as the installed scripts do; the nodes run as rabbitmq
#                                 and share that user's Erlang cookie (/var/lib/rabbitmq/.erlang.cookie).
#
# Settings (environment): RABBIT_HOST, RABBIT_PORT, RABBIT_USER, RABBIT_PASSWORD, RABBIT_VHOST (default
# localhost:5672 guest/guest, virtual host /), RABBIT_MANAGEMENT_PORT (15672; the dashboard reads the queues there),
# RABBIT_ADDRESSES (host:port,host:port,... of a cluster's nodes, given to the services as spring.rabbitmq.addresses
# instead of RABBIT_HOST/RABBIT_PORT, each service connecting to one picked at random; default: the three nodes of
# `cluster start` while they run, else none), SMTP_HOST, SMTP_PORT (an SMTP server for the email worker;
# default localhost:1025, and if none answers there a GreenMail SMTP catcher is started on it),
# ADMIN_USER, ADMIN_PASSWORD (the services' admin endpoints; default admin/admin, the "local" profile),
# SERVICE_USER, SERVICE_PASSWORD (what the services call each other with; default order-service/order-service, the "local" profile),
# BUILD=always to rebuild the jars even when they exist, DATA_DIR (default data/ in the repository: the databases, logs
# and pid files), SERVICES_JAVA_HOME (default: the newest JDK installed beside the one in use), SERVICES_JVM_OPTIONS
# (default: a 1 GB heap, the serial collector), CHECKOUT_JVM_OPTIONS (the order-service's; default: a 3 GB heap with a 2 GB
# young generation, or SERVICES_JVM_OPTIONS when those are given) and WORKERS_NICE (default 0; 19 gives the checkout the cores first, as the benchmark does).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="${DATA_DIR:-$ROOT/data}"
RUN="$DATA/run"
LOGS="$DATA/logs"
VERSION="0.1.0-SNAPSHOT"
SERVICES=(order-service email-worker inventory-worker analytics-worker)
declare -A PORTS=([order-service]=8080 [email-worker]=8081 [inventory-worker]=8082 [analytics-worker]=8083)

RABBIT_HOST="${RABBIT_HOST:-localhost}"
RABBIT_PORT="${RABBIT_PORT:-5672}"
RABBIT_USER="${RABBIT_USER:-guest}"
RABBIT_PASSWORD="${RABBIT_PASSWORD:-guest}"
RABBIT_VHOST="${RABBIT_VHOST:-/}"
RABBIT_MANAGEMENT_PORT="${RABBIT_MANAGEMENT_PORT:-15672}"
RABBIT_ADDRESSES="${RABBIT_ADDRESSES:-}"
CLUSTER="$DATA/cluster"
CLUSTER_NODES=(1 2 3)
SMTP_HOST="${SMTP_HOST:-localhost}"
SMTP_PORT="${SMTP_PORT:-1025}"
GREENMAIL_API_PORT="${GREENMAIL_API_PORT:-8025}"
GREENMAIL_VERSION="2.1.5"

answers() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# shellcheck source=local-services.sh
source "$ROOT/scripts/local-services.sh"
# shellcheck source=jvm.sh
source "$ROOT/scripts/jvm.sh"
SERVICES_JAVA_HOME="${SERVICES_JAVA_HOME:-$(newest_java_home)}"
SERVICES_JVM_OPTIONS="${SERVICES_JVM_OPTIONS:-$(service_jvm_options)}"
CHECKOUT_JVM_OPTIONS="${CHECKOUT_JVM_OPTIONS:-$(checkout_jvm_options "$SERVICES_JVM_OPTIONS")}"

jar_of() { echo "$ROOT/$1/target/$1-$VERSION.jar"; }

# Alive: the recorded process exists and is not a zombie (a process that has exited and not yet been reaped).
pid_alive() {
    local pid
    [[ -f "$RUN/$1.pid" ]] || return 1
    pid="$(cat "$RUN/$1.pid")"
    kill -0 "$pid" 2>/dev/null || return 1
    [[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != "Z" ]]
}

healthy() { curl -fsS "http://localhost:$1/actuator/health" 2>/dev/null | grep -q '"status":"UP"'; }

# The broker: when it is the local one and installed here, started if it is down and given its management plugin
# (the dashboard reads the queues there); anything else must answer already.
require_broker() {
    if [[ -n "$RABBIT_ADDRESSES" ]]; then
        local address
        for address in ${RABBIT_ADDRESSES//,/ }; do
            if answers "${address%:*}" "${address##*:}"; then
                echo "RabbitMQ: the services get every address of $RABBIT_ADDRESSES (each connects to one of them, picked at random)"
                return
            fi
        done
        echo "No RabbitMQ node answers on any of $RABBIT_ADDRESSES (scripts/flashsale.sh cluster start?)" >&2
        exit 1
    fi
    if [[ "$RABBIT_HOST" == "localhost" || "$RABBIT_HOST" == "127.0.0.1" ]] && [[ "$RABBIT_PORT" == "5672" ]]; then
        local found=0
        ensure_rabbitmq || found=$?
        if ((found == 2)); then
            echo "The dashboard will show no queues until the management plugin answers on port $RABBIT_MANAGEMENT_PORT." >&2
        fi
        if ((found != 1)); then
            return
        fi
    elif answers "$RABBIT_HOST" "$RABBIT_PORT"; then
        return
    fi
    cat >&2 <<MSG
No RabbitMQ broker answers on $RABBIT_HOST:$RABBIT_PORT. Get one, then run this again:
  - a local RabbitMQ:  sudo apt-get install rabbitmq-server   (this script starts it and enables its management plugin)
  - or with Docker:    docker compose up -d rabbitmq-1
  - or point RABBIT_HOST / RABBIT_PORT (and RABBIT_USER / RABBIT_PASSWORD) at another broker.
MSG
    exit 1
}

# A jar needs building when it is missing or older than any source it is made of.
stale() {
    local service="$1" jar
    jar="$(jar_of "$service")"
    [[ -f "$jar" ]] || return 0
    local sources=("$ROOT/$service/src" "$ROOT/$service/pom.xml" "$ROOT/common-events/src" "$ROOT/admin-security/src" "$ROOT/pom.xml")
    [[ "$service" == *-worker ]] && sources+=("$ROOT/worker-support/src")
    [[ "$service" == order-service ]] && sources+=("$ROOT/dashboard/src")
    [[ -n "$(find "${sources[@]}" -newer "$jar" -print -quit 2>/dev/null)" ]]
}

build_if_needed() {
    local missing=()
    for service in "${SERVICES[@]}"; do
        stale "$service" && missing+=("$service")
    done
    if [[ "${BUILD:-}" == "always" || ${#missing[@]} -gt 0 ]]; then
        echo "Building the service jars (${missing[*]:-all}); tests are skipped here, run ./mvnw verify for them ..."
        (cd "$ROOT" && ./mvnw -q -DskipTests -Dmaven.jar.forceCreation=true package -pl "$(IFS=,; echo "${SERVICES[*]}")" -am)
    fi
}

start_smtp_if_needed() {
    if answers "$SMTP_HOST" "$SMTP_PORT"; then
        echo "SMTP: using the server on $SMTP_HOST:$SMTP_PORT"
        return
    fi
    if [[ "$SMTP_HOST" != "localhost" && "$SMTP_HOST" != "127.0.0.1" ]]; then
        echo "No SMTP server answers on $SMTP_HOST:$SMTP_PORT: the email worker will hold its messages until one does." >&2
        return
    fi
    local jar="$RUN/greenmail-standalone-$GREENMAIL_VERSION.jar"
    if [[ ! -f "$jar" ]]; then
        echo "Fetching the GreenMail SMTP catcher through Maven ..."
        (cd "$ROOT" && ./mvnw -q dependency:copy -Dartifact="com.icegreen:greenmail-standalone:$GREENMAIL_VERSION" -DoutputDirectory="$RUN")
    fi
    java -Dgreenmail.smtp.hostname=127.0.0.1 -Dgreenmail.smtp.port="$SMTP_PORT" \
        -Dgreenmail.api.hostname=127.0.0.1 -Dgreenmail.api.port="$GREENMAIL_API_PORT" -Dgreenmail.auth.disabled \
        -jar "$jar" >"$LOGS/greenmail.log" 2>&1 </dev/null &
    echo $! >"$RUN/greenmail.pid"
    STARTED+=(greenmail)
    for _ in $(seq 1 60); do
        answers 127.0.0.1 "$SMTP_PORT" && { echo "SMTP: started a GreenMail catcher on 127.0.0.1:$SMTP_PORT"; return; }
        sleep 0.5
    done
    echo "GreenMail did not start; see $LOGS/greenmail.log" >&2
    exit 1
}

# What this invocation of start started: stopped again if start fails half-way.
STARTED=()

undo_start() {
    local name
    if ((${#STARTED[@]} > 0)); then
        echo "Start failed: stopping what it started (${STARTED[*]})" >&2
        for name in "${STARTED[@]}"; do
            stop_pid "$name"
        done
    fi
}

start() {
    trap 'code=$?; if ((code != 0)); then undo_start; fi' EXIT
    trap 'exit 130' INT TERM
    mkdir -p "$RUN" "$LOGS"
    # The cluster of `cluster start`, while it runs and no other broker was asked for: the services get its nodes.
    if [[ -z "$RABBIT_ADDRESSES" && "$RABBIT_HOST:$RABBIT_PORT" == "localhost:5672" ]] && cluster_runs; then
        RABBIT_ADDRESSES="$(cluster_addresses)"
        RABBIT_MANAGEMENT_PORT="$(node_management_port "${CLUSTER_NODES[0]}")"
        RABBIT_HOST=127.0.0.1
    fi
    require_broker
    build_if_needed
    start_smtp_if_needed
    for service in "${SERVICES[@]}"; do
        if pid_alive "$service"; then
            echo "$service already runs (pid $(cat "$RUN/$service.pid"))"
            continue
        fi
        if answers localhost "${PORTS[$service]}"; then
            echo "Port ${PORTS[$service]} is taken by another process: cannot start $service." >&2
            exit 1
        fi
        # exec: the pid recorded is the JVM's own, so that stop signals the service and not a shell around it.
        (
            cd "$ROOT"
            export SPRING_PROFILES_ACTIVE="${SPRING_PROFILES_ACTIVE:-local}"
            if [[ -n "$RABBIT_ADDRESSES" ]]; then
                # Every node's address, so that a service whose node goes away connects to another. Random: each
                # service picks its node at random when it connects (and again on each reconnection), which spreads
                # the connections, and with them the work queues' leaders (a quorum queue's leader starts on the node
                # its declaring connection is on), over the cluster; in the order given, all would go to the first.
                export SPRING_RABBITMQ_ADDRESSES="$RABBIT_ADDRESSES" SPRING_RABBITMQ_ADDRESS_SHUFFLE_MODE=random
            else
                export SPRING_RABBITMQ_HOST="$RABBIT_HOST" SPRING_RABBITMQ_PORT="$RABBIT_PORT"
            fi
            export SPRING_RABBITMQ_USERNAME="$RABBIT_USER" SPRING_RABBITMQ_PASSWORD="$RABBIT_PASSWORD"
            export SPRING_RABBITMQ_VIRTUAL_HOST="$RABBIT_VHOST" SPRING_MAIL_HOST="$SMTP_HOST" SPRING_MAIL_PORT="$SMTP_PORT"
            export FLASHSALE_DASHBOARD_RABBITMQ_URL="http://$RABBIT_HOST:$RABBIT_MANAGEMENT_PORT"
            if [[ -n "${ADMIN_USER:-}" ]]; then export SPRING_SECURITY_USER_NAME="$ADMIN_USER"; fi
            if [[ -n "${ADMIN_PASSWORD:-}" ]]; then export SPRING_SECURITY_USER_PASSWORD="$ADMIN_PASSWORD"; fi
            if [[ -n "${SERVICE_USER:-}" ]]; then export FLASHSALE_SECURITY_SERVICE_USERNAME="$SERVICE_USER"; fi
            if [[ -n "${SERVICE_PASSWORD:-}" ]]; then export FLASHSALE_SECURITY_SERVICE_PASSWORD="$SERVICE_PASSWORD"; fi
            priority=0
            [[ "$service" == *-worker ]] && priority="$WORKERS_NICE"
            options="$SERVICES_JVM_OPTIONS"
            [[ "$service" == order-service ]] && options="$CHECKOUT_JVM_OPTIONS"
            # shellcheck disable=SC2086 # the options are words
            exec nice -n "$priority" "$SERVICES_JAVA_HOME/bin/java" $options -jar "$(jar_of "$service")" \
                --flashsale.data-dir="$DATA"
        ) >"$LOGS/$service.log" 2>&1 </dev/null &
        echo $! >"$RUN/$service.pid"
        STARTED+=("$service")
        echo "Started $service (pid $(cat "$RUN/$service.pid")), log: $LOGS/$service.log"
    done
    echo "Waiting until every service is healthy ..."
    local deadline=$((SECONDS + 120))
    for service in "${SERVICES[@]}"; do
        until healthy "${PORTS[$service]}"; do
            if ! pid_alive "$service"; then
                echo "$service stopped while starting; the end of $LOGS/$service.log:" >&2
                tail -n 30 "$LOGS/$service.log" >&2
                exit 1
            fi
            if ((SECONDS > deadline)); then
                echo "$service is not healthy after 120 s; see $LOGS/$service.log" >&2
                exit 1
            fi
            sleep 1
        done
    done
    trap - EXIT
    cat <<INFO

The flash-sale system runs.
  Dashboard:         http://localhost:8080/   (admin controls: ${ADMIN_USER:-admin}/...)
  Place an order:    curl -i -X POST localhost:8080/api/orders -H 'Content-Type: application/json' \\
                       -d '{"customer":{"id":"c-42","email":"ada@example.com"},"lines":[{"sku":"SKU-1","quantity":2,"unitPrice":9.99}],"currency":"EUR"}'
  The order:         curl localhost:8080/api/orders/<orderId>
  Per worker:        curl localhost:8081/api/stats  (email),  :8082 (inventory),  :8083 (analytics)
                     curl localhost:8082/api/processed/<orderId>    curl localhost:8082/api/stock
                     curl localhost:8083/api/analytics/summary
  Metrics:           curl localhost:8081/actuator/prometheus
  Fault knobs:       curl -u admin:admin -X PUT localhost:8082/api/admin/faults -H 'Content-Type: application/json' \\
                       -d '{"failureRate":0.3,"latency":"PT0.05S","crashRate":0}'
  Dead letters:      curl -u admin:admin localhost:8082/api/admin/dead-letters/groups
                     curl -u admin:admin -X POST localhost:8082/api/admin/dead-letters/replay    (all; or /{id}/replay, /groups/{group}/replay)
  Checkout fault:    curl -u admin:admin -X PUT localhost:8080/api/admin/faults -H 'Content-Type: application/json' -d '{"afterCommitFault":"DROP"}'
  RabbitMQ:          http://$RABBIT_HOST:$RABBIT_MANAGEMENT_PORT  (queues, rates; $RABBIT_USER/...; dead letters are in each worker's table, see deadLettersParked)
  Mails sent:        $( [[ -f "$RUN/greenmail.pid" ]] && echo "http://127.0.0.1:$GREENMAIL_API_PORT (GreenMail API)" || echo "the SMTP server on $SMTP_HOST:$SMTP_PORT")
  JVM:               $SERVICES_JAVA_HOME $SERVICES_JVM_OPTIONS (the order-service $CHECKOUT_JVM_OPTIONS; workers at nice $WORKERS_NICE)
  Logs:              $LOGS/     Databases: $DATA/*.mv.db
  Stop:              scripts/flashsale.sh stop
INFO
}

stop_pid() {
    local name="$1" pid
    [[ -f "$RUN/$name.pid" ]] || return 0
    pid="$(cat "$RUN/$name.pid")"
    if kill -0 "$pid" 2>/dev/null; then
        kill "$pid"
        for _ in $(seq 1 40); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.5
        done
        if kill -0 "$pid" 2>/dev/null; then
            echo "$name (pid $pid) did not stop in 20 s: killing it"
            kill -9 "$pid"
        fi
        echo "Stopped $name (pid $pid)"
    fi
    rm -f "$RUN/$name.pid"
}

stop() {
    for service in "${SERVICES[@]}"; do
        stop_pid "$service"
    done
    stop_pid greenmail
}

kill_service() {
    local service="${1:-}"
    if [[ -z "$service" || -z "${PORTS[$service]:-}" ]]; then
        echo "Usage: $0 kill order-service|email-worker|inventory-worker|analytics-worker" >&2
        exit 2
    fi
    if ! pid_alive "$service"; then
        echo "$service does not run" >&2
        exit 1
    fi
    # SIGKILL: no shutdown hook, no graceful stop of the listeners; what the process held unacknowledged goes back
    # to its queue, which is the point.
    kill -9 "$(cat "$RUN/$service.pid")"
    while pid_alive "$service"; do sleep 0.1; done
    rm -f "$RUN/$service.pid"
    echo "Killed $service (SIGKILL); scripts/flashsale.sh start brings it back"
}

status() {
    for service in "${SERVICES[@]}"; do
        if pid_alive "$service"; then
            if healthy "${PORTS[$service]}"; then state="UP"; else state="running, not healthy"; fi
            printf '%-17s pid %-7s port %s  %s\n' "$service" "$(cat "$RUN/$service.pid")" "${PORTS[$service]}" "$state"
        else
            printf '%-17s stopped\n' "$service"
        fi
    done
    if pid_alive greenmail; then echo "greenmail         pid $(cat "$RUN/greenmail.pid")  SMTP $SMTP_PORT"; fi
    if [[ -z "$RABBIT_ADDRESSES" ]] && cluster_runs; then
        echo "cluster           $(cluster_addresses) (scripts/flashsale.sh cluster status)"
    elif [[ -n "$RABBIT_ADDRESSES" ]]; then
        echo "broker            $RABBIT_ADDRESSES"
    elif answers "$RABBIT_HOST" "$RABBIT_PORT"; then echo "broker            $RABBIT_HOST:$RABBIT_PORT answers"; else echo "broker            $RABBIT_HOST:$RABBIT_PORT does not answer"; fi
}

# --- A three-node RabbitMQ cluster (scripts/flashsale.sh cluster start|stop|status) ----------------------------------
# Each node is the installed rabbitmq-server started with its own name, ports and directories (as the system tests'
# RabbitNode does), so it runs beside the broker on 5672 without touching it. The installed wrapper runs every node
# and rabbitmqctl as the rabbitmq user, whose HOME is /var/lib/rabbitmq: they all read the same Erlang cookie there,
# which is what lets them talk to each other (and rabbitmqctl to them).

node_name() { echo "flashsale-$1@localhost"; }
node_amqp_port() { echo $((5700 + $1)); }
node_management_port() { echo $((15700 + $1)); }
node_prometheus_port() { echo $((15790 + $1)); }
# The command-line tools take the node's distribution port plus 10,000 to 10,010 for themselves: 35701-35713 here,
# clear of every other port of the nodes and of the default broker's 25672 / 35672-35682.
node_dist_port() { echo $((25700 + $1)); }

cluster_addresses() {
    local i addresses=()
    for i in "${CLUSTER_NODES[@]}"; do addresses+=("127.0.0.1:$(node_amqp_port "$i")"); done
    (IFS=,; echo "${addresses[*]}")
}

node_alive() { pid_alive "cluster-$1"; }

cluster_runs() {
    local i
    for i in "${CLUSTER_NODES[@]}"; do node_alive "$i" || return 1; done
}

ctl() { rabbitmqctl -q -n "$(node_name "$1")" "${@:2}"; }

start_node() {
    local i="$1" dir="$CLUSTER/node-$1"
    mkdir -p "$dir/mnesia" "$dir/log"
    # Written by the rabbitmq user.
    chmod 777 "$dir" "$dir/mnesia" "$dir/log"
    echo "[rabbitmq_management,rabbitmq_prometheus]." >"$dir/enabled_plugins"
    cat >"$dir/rabbitmq.conf" <<CONF
listeners.tcp.local = 127.0.0.1:$(node_amqp_port "$i")
management.tcp.ip = 127.0.0.1
management.tcp.port = $(node_management_port "$i")
prometheus.tcp.ip = 127.0.0.1
prometheus.tcp.port = $(node_prometheus_port "$i")
collect_statistics_interval = 1000
CONF
    (
        export RABBITMQ_NODENAME="$(node_name "$i")" RABBITMQ_DIST_PORT="$(node_dist_port "$i")"
        export RABBITMQ_MNESIA_BASE="$dir/mnesia" RABBITMQ_LOG_BASE="$dir/log"
        export RABBITMQ_FEATURE_FLAGS_FILE="$dir/feature_flags" RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins"
        export RABBITMQ_CONFIG_FILE="$dir/rabbitmq" RABBITMQ_PID_FILE="$dir/rabbitmq.pid"
        exec setsid rabbitmq-server
    ) >"$dir/rabbitmq-server.out" 2>&1 </dev/null &
    echo $! >"$RUN/cluster-$i.pid"
    echo "Started the RabbitMQ node $(node_name "$i") (AMQP $(node_amqp_port "$i"), management $(node_management_port "$i")), log: $dir/log"
}

await_node() {
    local i="$1" deadline=$((SECONDS + 120))
    # A node that was not the last of the cluster to stop waits for the others before it boots: all start at once.
    # await_startup fails at once while the Erlang node is not there yet: asked again until it says it booted.
    until ctl "$i" await_startup --timeout 10 >/dev/null 2>&1 && answers 127.0.0.1 "$(node_amqp_port "$i")"; do
        if ! node_alive "$i" || ((SECONDS > deadline)); then
            echo "The RabbitMQ node $(node_name "$i") did not start; the end of $CLUSTER/node-$i/rabbitmq-server.out:" >&2
            tail -n 20 "$CLUSTER/node-$i/rabbitmq-server.out" >&2
            return 1
        fi
        sleep 1
    done
}

cluster_start() {
    command -v rabbitmq-server >/dev/null || { echo "RabbitMQ is not installed here: sudo apt-get install rabbitmq-server" >&2; exit 1; }
    mkdir -p "$RUN" "$CLUSTER"
    local i first
    first="$(node_name "${CLUSTER_NODES[0]}")"
    for i in "${CLUSTER_NODES[@]}"; do
        if node_alive "$i"; then
            echo "$(node_name "$i") already runs (pid $(cat "$RUN/cluster-$i.pid"))"
        elif answers 127.0.0.1 "$(node_amqp_port "$i")"; then
            echo "Port $(node_amqp_port "$i") is taken by another process: cannot start $(node_name "$i")." >&2
            exit 1
        else
            start_node "$i"
        fi
    done
    for i in "${CLUSTER_NODES[@]}"; do await_node "$i" || exit 1; done
    # The others join the first (once; a node keeps its membership across restarts). A node joins with its
    # application stopped, and starts it again as a member.
    for i in "${CLUSTER_NODES[@]:1}"; do
        if ! ctl "$i" cluster_status --formatter json | grep -q "\"$first\""; then
            echo "$(node_name "$i") joins $first"
            # join_cluster logs harmless errors of 3.10 about tables of a node not yet running: shown only on failure.
            for action in stop_app "join_cluster $first" start_app; do
                # shellcheck disable=SC2086 # the action is words
                out="$(ctl "$i" $action 2>&1)" || { echo "rabbitmqctl $action on $(node_name "$i") failed: $out" >&2; exit 1; }
            done
        fi
    done
    cat <<INFO

The cluster runs: $(ctl "${CLUSTER_NODES[0]}" eval 'length(rabbit_nodes:all_running()).') nodes running of ${#CLUSTER_NODES[@]}.
  Addresses:    $(cluster_addresses)   ($RABBIT_USER/...; scripts/flashsale.sh start gives them to the services)
  Management:   http://127.0.0.1:$(node_management_port "${CLUSTER_NODES[0]}")  (any node's: $(for i in "${CLUSTER_NODES[@]}"; do printf '%s ' "$(node_management_port "$i")"; done))
  A node down:  rabbitmqctl -n $(node_name 2) stop_app    and back: rabbitmqctl -n $(node_name 2) start_app
  Status:       scripts/flashsale.sh cluster status      Stop: scripts/flashsale.sh cluster stop
INFO
}

cluster_stop() {
    local i pid
    # The first node last: it is then the last one down and boots without waiting for the others next time.
    for ((n = ${#CLUSTER_NODES[@]} - 1; n >= 0; n--)); do
        i="${CLUSTER_NODES[$n]}"
        [[ -f "$RUN/cluster-$i.pid" ]] || continue
        pid="$(cat "$RUN/cluster-$i.pid")"
        if node_alive "$i"; then
            ctl "$i" stop >/dev/null 2>&1 || true
            for _ in $(seq 1 60); do node_alive "$i" || break; sleep 0.5; done
            if node_alive "$i"; then
                echo "$(node_name "$i") did not stop in 30 s: killing it"
                kill -9 -- "-$pid" 2>/dev/null || kill -9 "$pid"
            fi
            echo "Stopped $(node_name "$i") (pid $pid)"
        fi
        rm -f "$RUN/cluster-$i.pid"
    done
}

cluster_status() {
    local i running=0
    for i in "${CLUSTER_NODES[@]}"; do
        if node_alive "$i"; then
            if ctl "$i" await_startup --timeout 1 >/dev/null 2>&1; then state="running"; running=$((running + 1)); else state="node up, application stopped"; fi
            printf '%-24s pid %-7s AMQP %s  management %s  %s\n' "$(node_name "$i")" "$(cat "$RUN/cluster-$i.pid")" \
                "$(node_amqp_port "$i")" "$(node_management_port "$i")" "$state"
        else
            printf '%-24s stopped\n' "$(node_name "$i")"
        fi
    done
    for i in "${CLUSTER_NODES[@]}"; do
        if node_alive "$i" && ctl "$i" await_startup --timeout 1 >/dev/null 2>&1; then
            echo "Work queues of virtual host $RABBIT_VHOST (a quorum queue lives on every member; it needs a majority running):"
            ctl "$i" list_queues -p "$RABBIT_VHOST" name type leader members messages --formatter json \
                | python3 -c 'import json, sys
for q in json.load(sys.stdin):
    if q["type"] == "quorum":
        print("  %-30s leader %-24s members %s  messages %s" % (q["name"], q["leader"], ",".join(q["members"]), q["messages"]))' 
            return
        fi
    done
    ((running > 0)) || echo "No node of the cluster runs: scripts/flashsale.sh cluster start"
}

cluster() {
    case "${1:-}" in
        start) cluster_start ;;
        stop) cluster_stop ;;
        status) cluster_status ;;
        *) echo "Usage: $0 cluster start|stop|status" >&2; exit 2 ;;
    esac
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    kill) kill_service "${2:-}" ;;
    cluster) cluster "${2:-}" ;;
    *) echo "Usage: $0 start|stop|status|kill <service>|cluster start|stop|status" >&2; exit 2 ;;
esac
