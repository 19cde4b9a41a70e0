#!/usr/bin/env bash
# The checkout alone at a fixed rate: one order-service process per variant, against the local broker (a virtual host of
# its own), variants alternated in each round so that the machine's drift hits them alike. For each: CPU per checkout
# (the process's user + system time over the measured seconds, divided by the checkouts) and hey's p50 and p99.
# BENCHMARKS.md, "Traces and the new metrics", was measured with it.
#
#   scripts/checkout-alone.sh 'before=/path/to/old/order-service.jar' 'after=order-service/target/order-service-0.1.0-SNAPSHOT.jar' \
#       'no-exemplars=order-service/target/order-service-0.1.0-SNAPSHOT.jar --management.tracing.exemplars.include=none'
#
# Each variant is label=jar, then Spring arguments. ROUNDS (3), RATE (300 a second) and MEASURE_SECONDS (30) change the run.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=jvm.sh
source scripts/jvm.sh
JAVA="${SERVICES_JAVA_HOME:-$(newest_java_home)}/bin/java"
ROUNDS="${ROUNDS:-3}"; RATE="${RATE:-300}"; SECONDS_MEASURED="${MEASURE_SECONDS:-30}"; PORT=18080; CONNECTIONS=30
VHOST="checkout-alone-$$"
API="http://127.0.0.1:15672/api"
command -v hey >/dev/null || { echo "hey is needed: apt-get install hey" >&2; exit 1; }
curl -fsS -u guest:guest -XPUT "$API/vhosts/$VHOST" >/dev/null
curl -fsS -u guest:guest -XPUT -H 'content-type: application/json' -d '{"configure":".*","write":".*","read":".*"}' \
    "$API/permissions/$VHOST/guest" >/dev/null
trap 'curl -fsS -u guest:guest -XDELETE "$API/vhosts/$VHOST" >/dev/null' EXIT
BODY='{"customer":{"id":"c-1","email":"b@example.com"},"lines":[{"sku":"SKU-1","quantity":1,"unitPrice":9.99}],"currency":"EUR"}'

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

load() {
    hey -z "$1s" -q $((RATE / CONNECTIONS)) -c "$CONNECTIONS" -m POST -H 'Content-Type: application/json' -d "$BODY" \
        "http://127.0.0.1:$PORT/api/orders"
}

run() {
    local label="${1%%=*}" rest="${1#*=}"
    local jar="${rest%% *}" args=()
    [[ "$rest" == *" "* ]] && read -r -a args <<< "${rest#* }"
    local dir; dir=$(mktemp -d)
    # shellcheck disable=SC2046
    "$JAVA" $(checkout_jvm_options "$(service_jvm_options)") -jar "$jar" --server.port=$PORT --flashsale.data-dir="$dir" \
        --spring.rabbitmq.virtual-host="$VHOST" --spring.profiles.active=local "${args[@]}" > "$dir/log" 2>&1 &
    local pid=$!
    for _ in $(seq 120); do curl -fs "localhost:$PORT/actuator/health" >/dev/null && break; sleep 1; done
    load 10 >/dev/null
    local before; before=$(cpu_ticks $pid)
    load "$SECONDS_MEASURED" > "$dir/hey"
    local after; after=$(cpu_ticks $pid)
    local accepted; accepted=$(grep -o '\[202\][[:space:]]*[0-9]*' "$dir/hey" | awk '{print $2}' || true)
    local tick_ms=$((1000 / $(getconf CLK_TCK)))
    printf '%-24s accepted %6s  CPU per checkout %s ms  p50 %s ms  p99 %s ms\n' "$label" "$accepted" \
        "$(echo "scale=2; ($after - $before) * $tick_ms / $accepted" | bc)" \
        "$(awk '/50% in/ {print $3 * 1000}' "$dir/hey")" "$(awk '/99% in/ {print $3 * 1000}' "$dir/hey")"
    kill $pid; wait $pid 2>/dev/null || true
    rm -rf "$dir"
}

for round in $(seq "$ROUNDS"); do
    echo "round $round"
    for variant in "$@"; do
        run "$variant"
    done
done
