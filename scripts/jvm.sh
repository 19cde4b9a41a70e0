# Sourced by scripts/benchmark.sh and scripts/flashsale.sh: which JVM the services run on, with which options.

# The feature release of a Java home (25 for JAVA_VERSION="25.0.1" in its release file), 0 if it has none.
java_feature() {
    sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" 2>/dev/null | head -n 1 | grep . || echo 0
}

# The newest JDK installed beside the one in use (its siblings, e.g. under /usr/lib/jvm), by feature release: the
# services run best on it (generational ZGC from 21). The build itself stays on the JDK in use (17 is its floor).
newest_java_home() {
    local java current home best="" best_feature=0 feature
    if [[ -n "${JAVA_HOME:-}" ]]; then
        current="$JAVA_HOME"
    else
        java="$(command -v java)" || return 1
        current="$(dirname "$(dirname "$(readlink -f "$java")")")"
    fi
    for home in "$current" "$(dirname "$current")"/*/; do
        home="${home%/}"
        [[ -x "$home/bin/java" ]] || continue
        feature="$(java_feature "$home")"
        if (( feature > best_feature )); then
            best="$home"
            best_feature="$feature"
        fi
    done
    [[ -n "$best" ]] && echo "$best"
}

# The options a service gets: a fixed 1 GB heap and the serial collector. Measured in the benchmark on 2 cores
# (BENCHMARKS.md, "Levers"): the best 500/s stream of the settings tried; generational ZGC did worse there, its
# concurrent threads competing for the cores with four services and the broker. The benchmark's ServiceJvm applies
# the same rule.
service_jvm_options() {
    echo "-Xms1g -Xmx1g -XX:+UseSerialGC"
}

# The order-service's: a 2 GB young generation in a 3 GB heap, so that the serial collector's young pauses (45 to 100
# ms inside the busy system, whatever the young generation's size) come every 24 s at 500 orders/s instead of every
# 4 s (BENCHMARKS.md, fourth round). Given the other services' options instead when SERVICES_JVM_OPTIONS replaced
# them. The benchmark's ServiceJvm applies the same rule.
checkout_jvm_options() {
    if [[ "$1" == "$(service_jvm_options)" ]]; then
        echo "-Xms3g -Xmx3g -Xmn2g -XX:+UseSerialGC"
    else
        echo "$1"
    fi
}

# The workers' scheduling priority for the run script (the benchmark sets 10, so that the checkout gets the cores
# first). 0 here: at nice 10 the workers drain so slowly on a busy machine that the guide's "queues --wait-empty",
# which reads unacknowledged counts from the management API (up to 5 s old), once saw them empty too early.
WORKERS_NICE="${WORKERS_NICE:-0}"
