#!/usr/bin/env bash
# Installs and starts what the tests need, on 127.0.0.1 only:
#   tools       logrotate (the file-input tests drive real rotations), zstd CLI
#   S3          Versity S3 gateway, posix backend    http://127.0.0.1:7070
#   Azure Blob  Azurite, blob service only           http://127.0.0.1:10000/devstoreaccount1
#   MySQL       a private MariaDB of our own          127.0.0.1:3307, root, empty password, database test
# Endpoints and credentials go to $STATE_DIR/env, which internal/testenv reads.
# The MariaDB is a private instance (data dir, socket and pid file under
# $STATE_DIR, its own port): a MariaDB the machine already runs, and its
# users, are never touched. An S3 or Azure server already answering on its
# port is reused and never stopped by us; `stop` ends only what `start` began.
# Built tools live in a cache outside the repo and survive between runs.
# Usage: scripts/services.sh [start|stop|status]    (start is the default)
# With CI=true or AUDITSHIP_REQUIRE_SERVICES=1 a server that cannot start
# fails the run; otherwise it is reported and the tests needing it skip.
set -euo pipefail

STATE_DIR=${AUDITSHIP_SERVICES_DIR:-/tmp/auditship-services}
TOOLS_DIR=${AUDITSHIP_TOOLS_DIR:-$HOME/.cache/auditship-tools}
VERSITYGW_VERSION=${VERSITYGW_VERSION:-v1.8.0}
AZURITE_VERSION=${AZURITE_VERSION:-3.35.0}
NODE_MIN_MAJOR=18 # azurite 3.35's floor; 3.36+ want node 22, newer than Debian 12's
# Other ports (and another AUDITSHIP_SERVICES_DIR) give a second, separate set.
S3_PORT=${AUDITSHIP_S3_PORT:-7070}
AZ_PORT=${AUDITSHIP_AZURITE_PORT:-10000}
MY_PORT=${AUDITSHIP_MARIADB_PORT:-3307} # not 3306: a machine's own MariaDB may be there
S3_ACCESS_KEY=testaccess S3_SECRET_KEY=testsecret123
# Azurite's fixed development account (public, documented by Microsoft).
AZ_KEY='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='
MARIADBD=/usr/sbin/mariadbd

log() { echo "services: $*" >&2; }
required() { [ "${CI:-}" = true ] || [ "${AUDITSHIP_REQUIRE_SERVICES:-}" = 1 ]; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
has() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; }

wait_until() { # seconds what command...
  local secs=$1 what=$2 i
  shift 2
  for ((i = 0; i < secs * 10; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  log "$what not ready after ${secs}s"
  return 1
}

apt_install() { # packages...
  [ $# -gt 0 ] || return 0
  log "installing from Debian: $*"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q --no-install-recommends "$@" >/dev/null 2>&1 ||
    { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends "$@" >/dev/null; }
}

# Debian packages still missing, for one apt-get run (dpkg allows only one).
missing_debs() {
  local pkgs=()
  has logrotate || pkgs+=(logrotate)
  has zstd || pkgs+=(zstd)
  has node || pkgs+=(nodejs)
  has npm || pkgs+=(npm)
  has mariadb || pkgs+=(mariadb-client)
  [ -x "$MARIADBD" ] || pkgs+=(mariadb-server)
  echo "${pkgs[@]}"
}

# ours NAME: the pid of a server this script started, if it still runs. A
# stale pid file may name a recycled pid: it is trusted only when the
# process's command line holds the server's mark (for MariaDB its data dir,
# so that a test's private mariadbd is never taken for ours).
ours() {
  local pid mark=$1
  [ "$1" = mariadb ] && mark="--datadir=$MY_DATA"
  pid=$(cat "$STATE_DIR/$1.pid" 2>/dev/null) || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$mark" || return 1
  echo "$pid"
}

spawn() { # name command...  detached, in its own session, logging to STATE_DIR
  local name=$1
  shift
  # 9>&-: the server must not inherit (and hold forever) this script's lock.
  setsid "$@" >"$STATE_DIR/$name.log" 2>&1 </dev/null 9>&- &
  echo $! >"$STATE_DIR/$name.pid"
}

# started NAME PORT SECS: waits for a spawned server, showing its log if it died.
started() {
  wait_until "$3" "$1 on port $2" port_open "$2" && return 0
  tail -n 20 "$STATE_DIR/$1.log" >&2 || true
  return 1
}

# --- S3: versitygw, built once with go install into the tools cache ---

build_versitygw() {
  local bin=$TOOLS_DIR/bin/versitygw-$VERSITYGW_VERSION tmp
  [ -x "$bin" ] && return 0
  log "building versitygw $VERSITYGW_VERSION (about 4 minutes cold, once per machine)"
  tmp=$(mktemp -d "$TOOLS_DIR/build.XXXXXX")
  # A temporary GOBIN keeps a killed build from leaving a half-written binary.
  if ! GOBIN=$tmp go install "github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION" \
    >"$STATE_DIR/versitygw-build.log" 2>&1; then
    tail -n 20 "$STATE_DIR/versitygw-build.log" >&2
    rm -rf "$tmp"
    return 1
  fi
  mkdir -p "$TOOLS_DIR/bin"
  mv "$tmp/versitygw" "$bin" && rm -rf "$tmp"
}

start_s3() {
  if port_open "$S3_PORT"; then log "s3: reusing what listens on $S3_PORT"; return 0; fi
  build_versitygw
  mkdir -p "$STATE_DIR/s3data"
  spawn versitygw "$TOOLS_DIR/bin/versitygw-$VERSITYGW_VERSION" \
    --access "$S3_ACCESS_KEY" --secret "$S3_SECRET_KEY" \
    --port "127.0.0.1:$S3_PORT" --quiet posix "$STATE_DIR/s3data"
  started versitygw "$S3_PORT" 30
  log "s3: versitygw up on $S3_PORT"
}

# --- Azure Blob: azurite from npm into the tools cache ---

check_node() {
  local major
  major=$(node -p 'process.versions.node.split(".")[0]') || { log "azurite: node does not run"; return 1; }
  [ "$major" -ge $NODE_MIN_MAJOR ] && return 0
  log "azurite $AZURITE_VERSION needs node >= $NODE_MIN_MAJOR; found $(node --version)"
  return 1
}

install_azurite() {
  local dir=$TOOLS_DIR/azurite-$AZURITE_VERSION
  [ -x "$dir/node_modules/.bin/azurite-blob" ] && return 0
  log "installing azurite $AZURITE_VERSION from npm (about 1 minute, once)"
  rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
  npm install --prefix "$dir.tmp" --no-audit --no-fund --loglevel=error \
    "azurite@$AZURITE_VERSION" >"$STATE_DIR/azurite-install.log" 2>&1 ||
    { tail -n 20 "$STATE_DIR/azurite-install.log" >&2; return 1; }
  mv "$dir.tmp" "$dir"
}

start_azurite() {
  if port_open "$AZ_PORT"; then log "azurite: reusing what listens on $AZ_PORT"; return 0; fi
  check_node
  install_azurite
  mkdir -p "$STATE_DIR/azurite"
  # --disableTelemetry: otherwise it tries to phone home and floods its log.
  spawn azurite "$TOOLS_DIR/azurite-$AZURITE_VERSION/node_modules/.bin/azurite-blob" \
    --location "$STATE_DIR/azurite" --blobHost 127.0.0.1 --blobPort "$AZ_PORT" \
    --skipApiVersionCheck --loose --silent --disableTelemetry
  started azurite "$AZ_PORT" 60
  log "azurite: up on $AZ_PORT"
}

# --- MySQL: a private MariaDB in STATE_DIR, started from the template ---

MY_DATA=$STATE_DIR/mariadb-data
MY_SOCK=$STATE_DIR/mariadb.sock
# --no-defaults: the machine's my.cnf and the user's ~/.my.cnf stay out.
my_sql() { mariadb --no-defaults --protocol=TCP -h127.0.0.1 -P"$MY_PORT" -uroot --connect-timeout=2 "$@"; }

# A pristine datadir with root/empty password: tests copy it to run a private
# instance they can kill and restart; our own server starts from a copy too.
make_template() {
  local dir=$STATE_DIR/mariadb-template
  [ -d "$dir/mysql" ] && return 0
  rm -rf "$dir.tmp"
  mariadb-install-db --no-defaults --user="$(id -un)" --datadir="$dir.tmp" \
    --auth-root-authentication-method=normal --skip-test-db --innodb-log-file-size=16M \
    >"$STATE_DIR/mariadb-template.log" 2>&1 ||
    { tail -n 20 "$STATE_DIR/mariadb-template.log" >&2; return 1; }
  mv "$dir.tmp" "$dir"
}

# The shared instance is sized as a DBA sizes a server for bulk loads, so
# that make bench's mysql rows measure the agent rather than InnoDB's
# flushing: a buffer pool that holds the bench's tables (a million rows of
# the default tables take 2.2 GB with their indexes: a random _id primary
# key leaves pages half full), a quarter of the machine's memory, at most
# 4 GiB; and a redo log of half of it. On the 2-core dev machine a server
# alone loads a million rows on two connections at 14,500 rows/s with
# 512 MiB of each, 37,600 with a 4 GiB pool and a 1 GiB log, 50,900 with a
# 2 GiB log. innodb_io_capacity 4000 (an SSD's, not the default 200 of a
# disk that spins) lets it write dirty pages back between loads (a
# million rows leave 1.7 GB of them). MariaDB resizes the template's redo
# log at start.
my_pool_mib() {
  local kb
  kb=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo 2>/dev/null)
  kb=$(( ${kb:-0} / 4 / 1024 ))
  (( kb > 4096 )) && kb=4096
  (( kb < 512 )) && kb=512
  echo "$kb"
}

spawn_mariadb() {
  [ -d "$MY_DATA/mysql" ] || cp -a "$STATE_DIR/mariadb-template" "$MY_DATA"
  local pool log free
  pool=$(my_pool_mib)
  log=$((pool / 2))
  # a small disk gets the redo log of before rather than a server that
  # cannot start
  free=$(df -Pm "$STATE_DIR" 2>/dev/null | awk 'NR == 2 { print $4 }')
  (( ${free:-0} < 4 * log )) && log=512
  spawn mariadb "$MARIADBD" --no-defaults --user="$(id -un)" --datadir="$MY_DATA" \
    --bind-address=127.0.0.1 --port="$MY_PORT" --socket="$MY_SOCK" \
    --pid-file="$STATE_DIR/mariadbd.pid" --innodb-log-file-size="${log}M" \
    --innodb-buffer-pool-size="${pool}M" --innodb-io-capacity=4000 --innodb-io-capacity-max=8000
  started mariadb "$MY_PORT" 60
  wait_until 30 "mariadb login on $MY_PORT" my_sql -e 'SELECT 1'
  log "mariadb: up on $MY_PORT"
}

# Only a server this script started is used: something else on the port
# (the machine's own MariaDB, another user's) is left alone, and start fails
# rather than log in to it or change its users.
start_mariadb() {
  make_template
  if ours mariadb >/dev/null; then
    log "mariadb: ours already up on $MY_PORT"
  elif port_open "$MY_PORT"; then
    log "mariadb: port $MY_PORT is taken by a server this script did not start; it is left alone (set AUDITSHIP_MARIADB_PORT to another port)"
    return 1
  else
    spawn_mariadb
  fi
  my_sql -e 'CREATE DATABASE IF NOT EXISTS test'
}

# --- commands ---

# write_env FAILED...: the settings of what is up; without MariaDB no DSN,
# so that its tests skip rather than find some other server on the port.
write_env() {
  local dsn="AUDITSHIP_TEST_MYSQL_DSN=root@tcp(127.0.0.1:$MY_PORT)/test"
  [[ " $* " == *" mariadb "* ]] && dsn="# mariadb did not start: no AUDITSHIP_TEST_MYSQL_DSN"
  cat >"$STATE_DIR/env.tmp" <<EOT
AUDITSHIP_TEST_S3_ENDPOINT=http://127.0.0.1:$S3_PORT
AUDITSHIP_TEST_S3_ACCESS_KEY=$S3_ACCESS_KEY
AUDITSHIP_TEST_S3_SECRET_KEY=$S3_SECRET_KEY
AUDITSHIP_TEST_AZURE_CONN=DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$AZ_KEY;BlobEndpoint=http://127.0.0.1:$AZ_PORT/devstoreaccount1;
$dsn
AUDITSHIP_TEST_MARIADB_TEMPLATE=$STATE_DIR/mariadb-template
AUDITSHIP_TEST_MARIADBD=$MARIADBD
EOT
  mv "$STATE_DIR/env.tmp" "$STATE_DIR/env" # tests may be reading it
}

# Each server starts in its own job so a failure stays its own: the slow
# versitygw build first, npm beside apt when node is already there.
start() {
  local -A jobs=()
  local name failed=() debs t
  start_s3 & jobs[s3]=$!
  if has node && has npm; then start_azurite & jobs[azurite]=$!; fi
  debs=$(missing_debs)
  # shellcheck disable=SC2086 # word splitting wanted
  apt_install $debs || log "apt-get failed; continuing with what is installed"
  [ -n "${jobs[azurite]:-}" ] || { start_azurite & jobs[azurite]=$!; }
  start_mariadb & jobs[mariadb]=$!
  for t in logrotate zstd; do has $t || failed+=("$t"); done
  for name in "${!jobs[@]}"; do wait "${jobs[$name]}" || failed+=("$name"); done
  write_env "${failed[@]}"
  [ ${#failed[@]} -eq 0 ] && { log "all up; settings in $STATE_DIR/env"; return 0; }
  if required; then
    log "FAILED: ${failed[*]} not available (required: CI=true or AUDITSHIP_REQUIRE_SERVICES=1)"
    return 1
  fi
  log "NOT available: ${failed[*]} (tests that need them will skip)"
}

stop_one() { # name
  local pid i
  pid=$(ours "$1") || { rm -f "$STATE_DIR/$1.pid"; return 0; }
  kill "$pid"
  for ((i = 0; i < 600; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && { log "$1 ($pid) ignored SIGTERM for 60s: killing"; kill -9 "$pid"; }
  rm -f "$STATE_DIR/$1.pid"
  log "stopped $1 ($pid)"
}

status() {
  local rc=0 name port pid t
  for t in logrotate zstd; do
    if has $t; then echo "$t: installed"; else echo "$t: missing"; rc=3; fi
  done
  for name in versitygw:$S3_PORT azurite:$AZ_PORT mariadb:$MY_PORT; do
    port=${name#*:} name=${name%:*}
    if ! port_open "$port"; then echo "$name: down ($port)"; rc=3; continue; fi
    if pid=$(ours "$name"); then echo "$name: up ($port), ours, pid $pid"; else echo "$name: up ($port), not ours"; fi
  done
  return $rc
}

mkdir -p "$STATE_DIR" "$TOOLS_DIR"
exec 9>"$STATE_DIR/lock"
# Two concurrent runs would race on ports and pid files.
flock -w 900 9 || { log "another run holds $STATE_DIR/lock"; exit 1; }
case ${1:-start} in
start) start ;;
stop) for s in versitygw azurite mariadb; do stop_one $s; done ;;
status) status ;;
*) echo "usage: $0 [start|stop|status]" >&2; exit 2 ;;
esac
