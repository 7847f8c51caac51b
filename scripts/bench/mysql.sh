# shellcheck shell=bash
# Sourced by run.sh after stores.sh: the mysql rows (README, "Workloads").
# The agent tails BENCH_MYSQL_N json entries into the MariaDB of
# scripts/services.sh (AUDITSHIP_TEST_MYSQL_DSN) with batches of 1,000 and
# of 5,000 events; then the naive loop (scripts/bench/mysqlloop: one
# INSERT per row, autocommit) inserts BENCH_MYSQL_LOOP_N of the same rows
# into the same server, and the ratio of the rates is printed. A last row
# inserts all the rows again in 1000-row INSERTs without the agent: what
# the server takes at best.
# BENCH_MYSQL=0, or no server, skips the rows with the reason.

MY_N=${BENCH_MYSQL_N:-200000}
MY_LOOP_N=${BENCH_MYSQL_LOOP_N:-20000}

# my_dsn_part DSN PART: user, password or addr of user[:password]@tcp(addr)/db.
my_dsn_part() {
  local cred=${1%%@*} addr=${1#*@tcp(}
  case $2 in
    user) echo "${cred%%:*}" ;;
    password) if [[ $cred == *:* ]]; then echo "${cred#*:}"; fi ;;
    addr) echo "${addr%%)*}" ;;
  esac
}

# my_output DB EVENTS ADDR USER PASSWORD: the mysql output creating its
# tables, batches closed at EVENTS (the 1s interval closes the last one).
my_output() {
  cat <<EOF2
output "mysql" "out" {
    host          = "${3%:*}"
    port          = ${3##*:}
    database      = "$1"
    user          = "$4"
    password      = "$5"
    create_tables = true
    batch {
      max_events = $2
      max_bytes  = "64MiB"
      interval   = "1s"
    }
  }
EOF2
}

# my_workload EVENTS DB: tails the json log into DB until every event is
# written (SIGTERM), then counts what the tables hold.
my_workload() {
  local label="file -> mysql, batch $1" err
  config "mysql$1" "input \"file\" \"in\" {
    paths    = [\"$MY_LOG\"]
    format   = \"json\"
    start_at = \"beginning\"
  }" "" "$(my_output "$2" "$1" "$MY_ADDR" "$MY_USER" "$MY_PASSWORD")"
  if ! err=$("$AUDITSHIP" validate -c "$DIR/conf/mysql$1.hcl" 2>&1); then
    skip "$label" "config not valid for this binary: $(head -n 1 <<<"$err" | cut -c1-120)"
    return 1
  fi
  "$MYLOOP" -dsn "$MY_DSN" -db "$2" -create || { FAILED=1; return 1; }
  rm -rf "$DIR/run/mysql$1"
  agent "mysql$1" "$label" -events "$MY_N" -bytes "$MY_BYTES" \
    -until-metric auditship_output_events_total -until "$MY_N" \
    -stat "$(printf '%q ' "$MYLOOP" -dsn "$MY_DSN" -db "$2" -stat)"
  check "mysql$1" "rows stored" "$(col 1)" "$MY_N"
}

# my_load LABEL SRC_DB N PER: inserts N of the rows the agent stored in
# SRC_DB into a fresh copy of its tables, PER rows per INSERT; prints the
# row and leaves it in ROW.
my_load() {
  local db="auditship_bench_load" dump="$DIR/run/mysql-load.gob"
  "$MYLOOP" -dsn "$MY_DSN" -db "$2" -dump "$dump" -n "$3" &&
    "$MYLOOP" -dsn "$MY_DSN" -db "$db" -create -like "$2" || { FAILED=1; ROW=; return; }
  ROW=$("$RUNNER" -label "$1" -events "$3" -bytes "$((MY_BYTES * $3 / MY_N))" -timeout "$TIMEOUT" \
    -stat "$(printf '%q ' "$MYLOOP" -dsn "$MY_DSN" -db "$db" -stat -drop)" \
    -- "$MYLOOP" -dsn "$MY_DSN" -db "$db" -load "$dump" -per "$4") || FAILED=1
  echo "$ROW"
  if [[ $(col 1) != "$3" ]]; then
    echo "  !! $1: rows inserted $(col 1), want $3"
    FAILED=1
  fi
  rm -f "$dump"
}

mysql_rows() {
  local dsn label="file -> mysql (MariaDB)" rate1 rate5 loop
  if [[ ${BENCH_MYSQL:-1} == 0 ]]; then
    echo "mysql: skipped (BENCH_MYSQL=0)"
    return
  fi
  dsn=$(svc AUDITSHIP_TEST_MYSQL_DSN)
  MY_ADDR=$(my_dsn_part "$dsn" addr) MY_USER=$(my_dsn_part "$dsn" user)
  MY_PASSWORD=$(my_dsn_part "$dsn" password)
  if [[ -z $dsn ]] || ! answers "$MY_ADDR"; then
    skip "$label" "no MariaDB at ${MY_ADDR:-AUDITSHIP_TEST_MYSQL_DSN} (scripts/services.sh start)"
    return
  fi
  MY_DSN="${dsn%%/*}/"
  MYLOOP="$DIR/bin/mysqlloop"
  $GO build -o "$MYLOOP" ./scripts/bench/mysqlloop
  generate json "$MY_N"
  MY_LOG="$DIR/data/audit-n$MY_N-s$SEED.json.log"
  MY_BYTES=$(stat_of json bytes "$MY_N")
  echo "mysql: $MY_N entries into the MariaDB at $MY_ADDR; the naive loop on $MY_LOOP_N of the same rows"
  "$RUNNER" -target "target (file -> mysql),50000,,64"
  my_workload 1000 auditship_bench_b1000 || return 0
  rate1=$(col 8)
  my_workload 5000 auditship_bench_b5000 && rate5=$(col 8)
  my_load "naive loop: 1 row/INSERT, autocommit" auditship_bench_b1000 "$MY_LOOP_N" 1
  loop=$(col 8)
  my_load "ceiling: 1000-row INSERTs, no agent" auditship_bench_b1000 "$MY_N" 1000
  "$MYLOOP" -dsn "$MY_DSN" -db auditship_bench_b1000 -stat -drop >/dev/null
  "$MYLOOP" -dsn "$MY_DSN" -db auditship_bench_b5000 -stat -drop >/dev/null
  awk -v a="$rate1" -v b="${rate5:-0}" -v l="$loop" 'BEGIN { if (l > 0)
    printf "mysql: batch 1000 at %.1fx, batch 5000 at %.1fx the rows/s of the naive loop (target >= 20x)\n", a / l, b / l }'
}
