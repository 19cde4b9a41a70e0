#!/usr/bin/env bash
# The benchmark: builds the jars, then starts the whole system itself (against the RabbitMQ broker on this
# machine, in a virtual host of its own) and runs sync against async, the flash sale, the sustained steps and
# the broker alone (PerfTest), checking that every accepted order was applied exactly once by every worker.
#
#   scripts/benchmark.sh            the full run (10 to 30 minutes), the figures of BENCHMARKS.md
#   scripts/benchmark.sh short      a few seconds of each part, as CI runs it
#   scripts/benchmark.sh flash      the 500/s stream, the Modulith comparison and the flash sales (about twelve minutes), to try a change
#   scripts/benchmark.sh scaled     one stream (300/s, 30 s) against one, then two instances of every service, on PostgreSQL
#                                   (databases of its own on the server at 127.0.0.1:5432, dropped after; about twelve minutes)
#
# The report: load-test/target/benchmark/<time>/index.html (charts), summary.md, summary.json.
# It exits with 1 if any accepted order was lost or applied twice. The services run on the newest JDK installed beside
# the one in use (SERVICES_JAVA_HOME to choose another) with a 1 GB heap and the serial collector (SERVICES_JVM_OPTIONS
# to compare others, e.g. "-Xms1g -Xmx1g -XX:+UseZGC"), the checkouts with 3 GB of which 2 GB young (CHECKOUT_JVM_OPTIONS),
# the workers at nice 19 (WORKERS_NICE; 0 for none).
# RABBIT_HOST, RABBIT_PORT, RABBIT_USER, RABBIT_PASSWORD and RABBIT_MANAGEMENT_URL point it at another broker.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PROFILE="${1:-full}"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

cd "$ROOT"
# shellcheck source=jvm.sh
source scripts/jvm.sh
SERVICES_JAVA_HOME="${SERVICES_JAVA_HOME:-$(newest_java_home)}"
export SERVICES_JAVA_HOME
echo "The services run on $SERVICES_JAVA_HOME"
echo "Building the services and the load test (tests skipped; ./mvnw verify runs them) ..."
# forceCreation: a service's jar is made again even when only a module it depends on changed (admin-security,
# worker-support); without it the benchmark can measure yesterday's code.
./mvnw -q -DskipTests -Dmaven.jar.forceCreation=true package
# The load generator's collector: ZGC, whose pauses stay under a millisecond. Each pause stops Gatling, which then
# timestamps the answers that arrived meanwhile late, so its pauses land in the checkout's measured latency: with G1's
# default sizing it paused 15 to 45 ms every 2 to 6 s during the 500/s stream, and with a 2 GB young generation 83 to
# 254 ms inside the flash sales (what it keeps, every request's record until its stream ends, is copied in the pause).
# The report gives its pauses on the load generator's line (BENCHMARKS.md, fourth round).
exec "$JAVA" -Xms4g -Xmx4g -XX:+UseZGC --add-opens java.base/java.lang=ALL-UNNAMED -Dflashsale.repository="$ROOT" \
    -cp "load-test/target/load-test-0.1.0-SNAPSHOT.jar:load-test/target/lib/*" dev.flashsale.load.Benchmark "$PROFILE"
