#!/usr/bin/env bash
# Runs one of the teaching guide's labs (docs/guide.md): a program of a few seconds on the plain RabbitMQ client
# that shows one behaviour of a message queue, and breaks it on purpose.
#
#   scripts/lab.sh               the list of labs
#   scripts/lab.sh <lab> [args]  run one
#
# The broker: RABBIT_HOST, RABBIT_PORT, RABBIT_USER, RABBIT_PASSWORD, RABBIT_VHOST (default localhost:5672,
# guest/guest, virtual host /), as for scripts/flashsale.sh. The labs declare their own queues (lab.*) and delete
# them when they end; they never touch the system's.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAR="$ROOT/labs/target/labs-0.1.0-SNAPSHOT.jar"

if [[ ! -f "$JAR" || -n "$(find "$ROOT/labs/src" "$ROOT/labs/pom.xml" "$ROOT/common-events/src" -newer "$JAR" -print -quit)" ]]; then
    echo "Building the labs ..." >&2
    (cd "$ROOT" && ./mvnw -q -DskipTests package -pl labs -am)
    # Maven leaves the jar as it was when only a dependency's sources changed: without this, every run would build again.
    touch "$JAR"
fi
exec java -jar "$JAR" "$@"
