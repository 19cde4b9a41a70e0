#!/usr/bin/env bash
# The benchmark: builds the jars, then starts the whole system itself (against the RabbitMQ broker on this
# machine, in a virtual host of its own) and runs sync against async, the flash sale, the sustained steps and
# the broker alone (PerfTest), checking that every accepted order was applied exactly once by every worker.
#
#   scripts/benchmark.sh            the full run (10 to 30 minutes), the figures of BENCHMARKS.md
#   scripts/benchmark.sh short      a few seconds of each part, as CI runs it
#
# The report: load-test/target/benchmark/<time>/index.html (charts), summary.md, summary.json.
# It exits with 1 if any accepted order was lost or applied twice. JAVA_HOME chooses the JVM of the services too.
# RABBIT_HOST, RABBIT_PORT, RABBIT_USER, RABBIT_PASSWORD and RABBIT_MANAGEMENT_URL point it at another broker.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PROFILE="${1:-full}"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

cd "$ROOT"
echo "Building the services and the load test (tests skipped; ./mvnw verify runs them) ..."
./mvnw -q -DskipTests package
exec "$JAVA" -Xmx2g --add-opens java.base/java.lang=ALL-UNNAMED -Dflashsale.repository="$ROOT" \
    -cp "load-test/target/load-test-0.1.0-SNAPSHOT.jar:load-test/target/lib/*" dev.flashsale.load.Benchmark "$PROFILE"
