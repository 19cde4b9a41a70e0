# Sourced by scripts/test.sh and scripts/flashsale.sh: brings up what is installed on this machine and down, and says
# exactly what is missing and how to get it when it cannot. Nothing here is specific to CI.

log_services() { printf '[services] %s\n' "$*" >&2; }

port_answers() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# wait_until SECONDS DESCRIPTION COMMAND...: polls COMMAND once a second until it succeeds.
wait_until() {
    local seconds=$1 what=$2
    shift 2
    for _ in $(seq "$seconds"); do
        if "$@" >/dev/null 2>&1; then
            return 0
        fi
        sleep 1
    done
    log_services "gave up waiting for $what after ${seconds}s"
    return 1
}

can_install() { command -v apt-get >/dev/null && [[ "$(id -u)" == 0 ]]; }

management_answers() {
    curl -fsS -u "${RABBIT_USER:-guest}:${RABBIT_PASSWORD:-guest}" "http://127.0.0.1:${RABBIT_MANAGEMENT_PORT:-15672}/api/overview"
}

# A RabbitMQ broker on 127.0.0.1:5672 with its management plugin (the tests make a virtual host of their own through
# it, the dashboard reads the queues there): started and enabled when it is installed here. Returns 1, having said
# how to get one, when none answers; 2 when the broker answers and its management API does not.
ensure_rabbitmq() {
    if ! port_answers 127.0.0.1 5672; then
        if ! command -v rabbitmq-server >/dev/null; then
            log_services "no RabbitMQ answers on 127.0.0.1:5672 and none is installed here. Get one:"
            log_services "  sudo apt-get install rabbitmq-server   (this script starts it and enables its management plugin)"
            log_services "  or, where Docker runs: docker compose up -d rabbitmq-1   (the tests then also find one through Testcontainers)"
            return 1
        fi
        log_services "starting the local RabbitMQ (rabbitmq-server -detached)"
        rabbitmq-server -detached >/dev/null 2>&1 || true
        wait_until 90 "RabbitMQ on 127.0.0.1:5672" port_answers 127.0.0.1 5672 || return 1
    fi
    if ! management_answers >/dev/null 2>&1; then
        if command -v rabbitmq-plugins >/dev/null; then
            log_services "enabling the RabbitMQ management plugin (rabbitmq-plugins enable rabbitmq_management)"
            rabbitmq-plugins enable rabbitmq_management >/dev/null
        fi
        if ! wait_until 60 "the RabbitMQ management API on 127.0.0.1:15672" management_answers; then
            log_services "the management plugin does not answer: enable it with sudo rabbitmq-plugins enable rabbitmq_management"
            return 2
        fi
    fi
    # Its Prometheus endpoint (15692): the alerts and the Grafana dashboard read each queue's depth and consumers there.
    if ! port_answers 127.0.0.1 15692 && command -v rabbitmq-plugins >/dev/null; then
        log_services "enabling the RabbitMQ Prometheus plugin (rabbitmq-plugins enable rabbitmq_prometheus)"
        rabbitmq-plugins enable rabbitmq_prometheus >/dev/null
        wait_until 60 "RabbitMQ's Prometheus endpoint on 127.0.0.1:15692" port_answers 127.0.0.1 15692 || true
    fi
    log_services "RabbitMQ answers on 5672 (AMQP), 15672 (management) and 15692 (Prometheus)"
}

# PostgreSQL on 127.0.0.1:5432 (the tests' postgres runs): started when it is installed here and down.
ensure_postgres() {
    if ! command -v pg_isready >/dev/null; then
        log_services "no PostgreSQL client here: the tests that run on PostgreSQL will fail and say so (sudo apt-get install postgresql)"
        return 0
    fi
    if pg_isready -q -h 127.0.0.1 -p 5432; then
        return 0
    fi
    if command -v pg_ctlcluster >/dev/null && [[ -d /etc/postgresql ]]; then
        log_services "starting the local PostgreSQL"
        pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start >/dev/null 2>&1 || true
        wait_until 60 "PostgreSQL on 127.0.0.1:5432" pg_isready -q -h 127.0.0.1 -p 5432 && return 0
    fi
    log_services "PostgreSQL does not answer on 127.0.0.1:5432: the tests that run on it will fail and say so"
}

# apt_install PACKAGE...: installs Debian packages when this user may, else says which.
apt_install() {
    if can_install; then
        log_services "installing $*"
        apt-get update -q >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null
    else
        log_services "missing: $* (sudo apt-get install $*)"
        return 1
    fi
}

# The dashboard's browser tests drive Debian's Chromium through its chromedriver.
ensure_chromium() {
    [[ -x /usr/bin/chromium && -x /usr/bin/chromedriver ]] && return 0
    apt_install chromium chromium-driver || log_services "  without them the dashboard's browser tests fail and say so"
}

# The teaching guide's commands read the services' JSON with jq.
ensure_jq() {
    command -v jq >/dev/null && return 0
    apt_install jq || log_services "  without it the guide's test fails"
}

# hey (a load tool on Go's HTTP client): the benchmark's second client for the flash sale.
ensure_hey() {
    command -v hey >/dev/null && return 0
    apt_install hey || log_services "  without it the benchmark drives the flash sale with Gatling alone"
}

# Prometheus and promtool: CI unit-tests the alert rules with promtool, and a system test runs a real Prometheus.
ensure_prometheus() {
    command -v prometheus >/dev/null && command -v promtool >/dev/null && return 0
    apt_install prometheus || log_services "  without it the alert rules' tests fail and say so"
    # Debian's package starts a Prometheus of its own on 9090; the tests start theirs, on a free port.
    if command -v systemctl >/dev/null; then systemctl disable --now prometheus >/dev/null 2>&1 || true; fi
    pkill -x prometheus 2>/dev/null || true
    return 0
}
