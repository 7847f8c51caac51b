# shellcheck shell=bash
# Sourced by run.sh: the object-store workloads (README, "Workloads"),
# against the servers scripts/services.sh starts. A server that is not up,
# or an output the binary does not have yet, skips its row with the reason.

# svc NAME: a setting from the environment, else from the services env file.
svc() {
  local v=${!1:-}
  [[ -n $v ]] || v=$(sed -n "s/^$1=//p" "${AUDITSHIP_SERVICES_DIR:-/tmp/auditship-services}/env" 2>/dev/null)
  echo "$v"
}

# answers URL_OR_HOSTPORT: whether something accepts TCP connections there.
answers() {
  local hp=${1#*://}
  hp=${hp%%/*}
  (exec 3<>"/dev/tcp/${hp%:*}/${hp##*:}") 2>/dev/null
}

skip() { printf '%-34s skipped: %s\n' "$1" "$2"; }

# store_output TYPE ATTRS: a store output with 16 MiB gzip batches; the
# 1s interval closes the last one without waiting for the 4h default.
store_output() {
  cat <<EOF
output "$1" "out" {
$2
    compression = "gzip"
    batch {
      max_bytes = "16MiB"
      interval  = "1s"
    }
  }
EOF
}

# store_workload NAME LABEL STORESTAT_ARGS...: tails the json log into the
# store from a fresh data_dir until every event is written (SIGTERM), then
# counts, checks and deletes what the store holds.
store_workload() {
  local name=$1 label=$2 err
  shift 2
  if ! err=$("$AUDITSHIP" validate -c "$DIR/conf/$name.hcl" 2>&1); then
    skip "$label" "config not valid for this binary: $(head -n 1 <<<"$err" | cut -c1-120)"
    return
  fi
  if ! err=$("$DIR/bin/storestat" "$@" -create 2>&1); then
    skip "$label" "$(cut -c1-120 <<<"$err")"
    return
  fi
  rm -rf "$DIR/run/$name"
  agent "$name" "$label" -events "$N" -bytes "$JSON_BYTES" \
    -until-metric auditship_output_events_total -until "$N" \
    -stat "$(printf '%q ' "$DIR/bin/storestat" "$@" -delete)"
  check "$name" "events stored" "$(col 1)" "$N"
}

TAIL_INPUT="input \"file\" \"in\" {
    paths    = [\"$JSON_LOG\"]
    format   = \"json\"
    start_at = \"beginning\"
  }"

s3_workload() {
  local label="file -> s3 (versitygw), gzip"
  local ep ak sk bucket
  ep=$(svc AUDITSHIP_TEST_S3_ENDPOINT) ak=$(svc AUDITSHIP_TEST_S3_ACCESS_KEY) sk=$(svc AUDITSHIP_TEST_S3_SECRET_KEY)
  if [[ -z $ep ]] || ! answers "$ep"; then
    skip "$label" "no S3 server at ${ep:-AUDITSHIP_TEST_S3_ENDPOINT} (scripts/services.sh start)"
    return
  fi
  bucket="auditship-bench-$(date +%s)"
  config s3 "$TAIL_INPUT" "" "$(store_output s3 "    bucket            = \"$bucket\"
    endpoint          = \"$ep\"
    force_path_style  = true
    region            = \"us-east-1\"
    access_key_id     = \"$ak\"
    secret_access_key = \"$sk\"")"
  store_workload s3 "$label" -s3 "$ep" -bucket "$bucket" -access "$ak" -secret "$sk"
}

azure_workload() {
  local label="file -> azure_blob (azurite), gzip"
  local conn blob container
  conn=$(svc AUDITSHIP_TEST_AZURE_CONN)
  blob=$(sed -n 's/.*BlobEndpoint=\([^;]*\).*/\1/p' <<<"$conn")
  if [[ -z $blob ]] || ! answers "$blob"; then
    skip "$label" "no Azure Blob server at ${blob:-AUDITSHIP_TEST_AZURE_CONN} (scripts/services.sh start)"
    return
  fi
  container="auditship-bench-$(date +%s)"
  config azure "$TAIL_INPUT" "" "$(store_output azure_blob "    connection_string = \"$conn\"
    container         = \"$container\"")"
  store_workload azure "$label" -azure "$conn" -container "$container"
}

stores() {
  if [[ ${BENCH_STORES:-1} == 0 ]]; then
    echo "object stores: skipped (BENCH_STORES=0)"
    return
  fi
  "$RUNNER" -target "target (file -> s3),150000,,"
  s3_workload
  azure_workload
}
