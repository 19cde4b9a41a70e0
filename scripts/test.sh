#!/usr/bin/env bash
# The test command: brings up what the tests need on this machine (a RabbitMQ broker with its management and
# Prometheus plugins, PostgreSQL, Chromium, jq, hey and Prometheus: started when installed and down, installed when
# this user may), says exactly what it cannot, then runs every test: ./mvnw verify, with any arguments given here.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=local-services.sh
source scripts/local-services.sh

# Without a local broker the tests look for Docker (Testcontainers) and fail with the same advice when there is none.
ensure_rabbitmq || true
ensure_postgres
ensure_chromium || true
ensure_jq || true
ensure_hey || true
ensure_prometheus || true

export MAVEN_ARGS="${MAVEN_ARGS:---batch-mode --no-transfer-progress}"
exec ./mvnw verify "$@"
