# shellcheck shell=bash
# Sourced by run.sh after mysql.sh: the find rows (issue 11, item 4; README,
# "Workloads"). The agent archives BENCH_FIND_N generated json entries
# (default 1000000) into the file store (uncompressed ndjson; or
# BENCH_FIND_FILE_COMPRESSION) and into the S3 server of
# scripts/services.sh (gzip; or BENCH_FIND_S3_COMPRESSION), signed, in batches of
# BENCH_FIND_BATCH events (default 1000: one batch is 0.1% of a 1M
# archive). Both archives are cached under $DIR/find and reused for the
# same N, seed, batch and compression. Then, timed by the runner:
#   - export --where of one business key and of the ~100 events of a few
#     business keys (the generator's keys hold 24 events each), from each
#     archive, with the % of the archive's batch bytes the export read
#     (bundle.json bytes_read, which also counts index records, manifests
#     and checkpoints, over the bytes of the batch objects);
#   - replay of the same keys from each archive into the MariaDB, and a
#     full replay of the file archive into it (target batch max_events =
#     5000). A full replay that takes longer than BENCH_FIND_REPLAY_LIMIT
#     (default 5m) is stopped and done again from an archive of
#     BENCH_FIND_REPLAY_N events (default 200000), said in the row.
# BENCH_FIND=0 skips these rows, BENCH_FIND_REPLAY=0 the full replay; a
# missing server skips its rows.

FIND_N=${BENCH_FIND_N:-1000000}
FIND_BATCH=${BENCH_FIND_BATCH:-1000}
FIND_REPLAY_N=${BENCH_FIND_REPLAY_N:-200000}
FIND_REPLAY_LIMIT=${BENCH_FIND_REPLAY_LIMIT:-5m}
FIND_MY_BATCH=2500
FIND_FILE_COMP=${BENCH_FIND_FILE_COMPRESSION:-none}
FIND_S3_COMP=${BENCH_FIND_S3_COMPRESSION:-gzip}
FIND_DB=auditship_bench_find

# find_pct PART WHOLE: PART as a % of WHOLE, 3 decimals.
find_pct() { awk -v p="$1" -v w="$2" 'BEGIN { if (w > 0) printf "%.3f", 100 * p / w; else printf "?" }'; }

# find_json FILE KEY: a top-level number of a JSON file.
find_json() { sed -n "s/.*\"$2\": *\([0-9]*\).*/\1/p" "$1" | head -n 1; }

# find_keys N: picks from the input of N entries the business key whose
# event count is nearest 100 (ties: the one first seen nearest the middle
# of the log), then KEYS: it and the keys first seen after it until they
# hold >= 90 events. Cached; sets FIND_KEY, FIND_KEY_EVENTS, FIND_KEYS
# (a --where list) and FIND_KEYS_EVENTS.
find_keys() {
  local log="$DIR/data/audit-n$1-s$SEED.json.log" cache="$DIR/find/keys-n$1-s$SEED.txt"
  if [[ ! -s $cache ]]; then
    grep -n -o '"businessKey":"[^"]*"' "$log" | awk -F'"' -v n="$1" '
      { line = $1 + 0; k = $4; if (!(k in first)) { first[k] = line; order[++m] = k }; c[k]++ }
      END {
        best = 0
        for (i = 1; i <= m; i++) {
          k = order[i]; d = c[k] - 100; d = d < 0 ? -d : d
          off = first[k] - n / 2; off = off < 0 ? -off : off
          if (!best || d < bd || (d == bd && off < bo)) { best = i; bd = d; bo = off }
        }
        print order[best], c[order[best]]
        sum = 0; list = ""
        for (i = best; i <= m && sum < 90; i++) {
          sum += c[order[i]]; list = list (list == "" ? "" : ", ") "'\''" order[i] "'\''"
        }
        print sum, list
      }' > "$cache.tmp"
    mv "$cache.tmp" "$cache"
  fi
  read -r FIND_KEY FIND_KEY_EVENTS < <(sed -n 1p "$cache")
  FIND_KEYS_EVENTS=$(sed -n '2s/ .*//p' "$cache")
  FIND_KEYS=$(sed -n '2s/^[0-9]* //p' "$cache")
}

# find_output KIND N: the archive output "arch" for the file store (its
# path) or S3 (its bucket); signed, batches of FIND_BATCH events.
find_output() {
  local common="    signing_key     = file(\"$DIR/find/key.key\")
    digest_interval = \"10s\"
    batch {
      max_events = $FIND_BATCH
      interval   = \"1s\"
    }"
  if [[ $1 == file ]]; then
    cat <<EOF
output "file" "arch" {
    path            = "$DIR/find/file-n$2-s$SEED-b$FIND_BATCH-$FIND_FILE_COMP/store"
    compression     = "$FIND_FILE_COMP"
$common
  }
EOF
  else
    cat <<EOF
output "s3" "arch" {
    bucket            = "auditship-bench-find-n$2-s$SEED-b$FIND_BATCH-$FIND_S3_COMP"
    endpoint          = "$FIND_S3_EP"
    force_path_style  = true
    region            = "us-east-1"
    access_key_id     = "$FIND_S3_AK"
    secret_access_key = "$FIND_S3_SK"
    compression       = "$FIND_S3_COMP"
$common
  }
EOF
  fi
}

# find_conf KIND N [TARGET]: conf/find-KIND-nN[-TARGET].hcl, the pipeline
# "bench" tailing the input into the archive; with TARGET "mysql" also
# the mysql output "out" that replay ships to.
find_conf() {
  local name="find-$1-n$2${3:+-$3}" extra=""
  if [[ ${3:-} == mysql ]]; then
    extra=$(my_output "$FIND_DB" "$FIND_MY_BATCH" "$MY_ADDR" "$MY_USER" "$MY_PASSWORD")
  fi
  config "$name" "input \"file\" \"in\" {
    paths    = [\"$DIR/data/audit-n$2-s$SEED.json.log\"]
    format   = \"json\"
    start_at = \"beginning\"
  }" "" "$(find_output "$1" "$2")
  $extra" "" "300s"
  echo "$name"
}

# find_archive KIND N: builds (or reuses) the archive of N entries; sets
# FIND_BYTES (bytes of its batch objects) and FIND_OBJECTS. The stats file
# is written last: its presence means the archive is complete.
find_archive() {
  local kind=$1 n=$2 name stats bytes label comp
  [[ $kind == file ]] && comp=$FIND_FILE_COMP || comp=$FIND_S3_COMP
  stats="$DIR/find/$kind-n$n-s$SEED-b$FIND_BATCH-$comp.stats"
  name=$(find_conf "$kind" "$n")
  # a cached S3 archive is reused while its bucket is there (the server
  # may have been restarted on a fresh directory)
  if [[ -s $stats && $kind == file && ! -d $DIR/find/file-n$n-s$SEED-b$FIND_BATCH-$comp/store/_auditship ]]; then
    rm -f "$stats"
  fi
  if [[ -s $stats && $kind == s3 ]] && [[ $(curl -s -o /dev/null -w '%{http_code}' -I \
      -H "x-amz-content-sha256: $(sha256sum </dev/null | cut -d' ' -f1)" \
      --aws-sigv4 aws:amz:us-east-1:s3 --user "$FIND_S3_AK:$FIND_S3_SK" \
      "$FIND_S3_EP/auditship-bench-find-n$n-s$SEED-b$FIND_BATCH-$comp") != 200 ]]; then
    rm -f "$stats"
  fi
  if [[ ! -s $stats ]]; then
    generate json "$n"
    label="archive $n -> $kind, batch $FIND_BATCH, $comp"
    rm -rf "$DIR/run/$name"
    [[ $kind != file ]] || rm -rf "$DIR/find/file-n$n-s$SEED-b$FIND_BATCH-$comp"
    if [[ $kind == s3 ]]; then
      # a bucket left by an unfinished build goes first
      "$DIR/bin/storestat" -s3 "$FIND_S3_EP" -bucket "auditship-bench-find-n$n-s$SEED-b$FIND_BATCH-$comp" \
        -access "$FIND_S3_AK" -secret "$FIND_S3_SK" -delete >/dev/null 2>&1 || true
      "$DIR/bin/storestat" -s3 "$FIND_S3_EP" -bucket "auditship-bench-find-n$n-s$SEED-b$FIND_BATCH-$comp" \
        -access "$FIND_S3_AK" -secret "$FIND_S3_SK" -create || { FAILED=1; return 1; }
    fi
    agent "$name" "$label" -events "$n" -bytes "$(stat_of json bytes "$n")" \
      -until-metric auditship_output_events_total -until "$n"
    [[ $(col 0) == 0* ]] || { FAILED=1; return 1; }
    if [[ $kind == file ]]; then
      local store="$DIR/find/file-n$n-s$SEED-b$FIND_BATCH-$comp/store" events
      bytes=$(find "$store" -path '*/_auditship' -prune -o -type f -name '*.ndjson*' -printf '%s\n' |
        awk '{ b += $1; o++ } END { print o + 0, b + 0 }')
      events=$(find "$store" -path '*/_auditship' -prune -o -type f -name '*.ndjson*' -print0 |
        xargs -0 zcat -f | wc -l)
      bytes="$bytes - $events"
      if [[ $events != "$n" ]]; then
        echo "  !! $label: the store holds $events events, want $n"
        FAILED=1
        return 1
      fi
    else
      bytes=$("$DIR/bin/storestat" -s3 "$FIND_S3_EP" -bucket "auditship-bench-find-n$n-s$SEED-b$FIND_BATCH-$comp" \
        -access "$FIND_S3_AK" -secret "$FIND_S3_SK") || { FAILED=1; return 1; }
      if [[ $(awk '{print $4}' <<<"$bytes") != "$n" ]]; then
        echo "  !! $label: the bucket holds $(awk '{print $4}' <<<"$bytes") events, want $n"
        FAILED=1
        return 1
      fi
    fi
    echo "$bytes" > "$stats"
  fi
  read -r FIND_OBJECTS FIND_BYTES _ < "$stats"
  echo "  $kind archive of $n events ($comp): $FIND_OBJECTS batch objects, $FIND_BYTES bytes" \
    "($((FIND_BYTES / FIND_OBJECTS)) B/batch, one batch $(find_pct 1 "$FIND_OBJECTS")% of the archive)"
}

# find_export KIND LABEL WHERE EVENTS: exports from the archive just built
# (find_archive sets FIND_BYTES) and prints the row with the % read.
find_export() {
  local kind=$1 label=$2 where=$3 events=$4 name bundle run
  name=$(find_conf "$kind" "$FIND_N")
  run="$DIR/run/find-export"
  bundle="$run/bundle"
  rm -rf "$run" && mkdir -p "$run"
  if ! ROW=$("$RUNNER" -label "$label" -events "$events" -timeout "$TIMEOUT" -stdout "$run/stdout" \
      -stderr "$run/stderr" -- "$AUDITSHIP" export -c "$DIR/conf/$name.hcl" --from arch \
      --where "$where" --to-dir "$bundle"); then
    FAILED=1
    echo "$ROW"
    tail -n 3 "$run/stderr" | sed 's/^/     /'
    return
  fi
  local read got sel total
  read=$(find_json "$bundle/bundle.json" bytes_read)
  got=$(find_json "$bundle/bundle.json" events)
  sel=$(find_json "$bundle/bundle.json" batches_selected)
  total=$(find_json "$bundle/bundle.json" batches)
  echo "$ROW  read $(find_pct "$read" "$FIND_BYTES")% ($read B, $sel/$total batches)"
  if [[ $got != "$events" ]]; then
    echo "  !! $label: exported $got events, want $events"
    FAILED=1
  fi
}

# find_replay KIND N LABEL EVENTS LIMIT [WHERE]: replays from the archive
# of N entries into a fresh database, once the server has written back
# what earlier rows left dirty; prints the row (out = rows stored) with the
# batches read. Returns 1 when the runner failed or timed out.
find_replay() {
  local kind=$1 n=$2 label=$3 events=$4 limit=$5 where=${6:-} name run sum
  name=$(find_conf "$kind" "$n" mysql)
  run="$DIR/run/find-replay"
  rm -rf "$run" && mkdir -p "$run"
  "$MYLOOP" -dsn "$MY_DSN" -db "$FIND_DB" -create -settle 2m || { FAILED=1; return 1; }
  local args=(replay -c "$DIR/conf/$name.hcl" --from arch --to out --data-dir "$run/data")
  [[ -z $where ]] || args+=(--where "$where")
  local rc=0
  ROW=$("$RUNNER" -label "$label" -events "$events" -timeout "$limit" -stdout "$run/stdout" \
    -stderr "$run/stderr" -stat "$(printf '%q ' "$MYLOOP" -dsn "$MY_DSN" -db "$FIND_DB" -stat)" \
    -- "$AUDITSHIP" "${args[@]}") || rc=1
  sum=$(sed -n 's/^replay complete: \([0-9]*\) batches listed, \([0-9]*\) selected, \([0-9]*\) read.*/\3\/\1/p' "$run/stdout")
  if [[ $rc != 0 ]]; then
    # events/s above is of the events asked for: say what was stored
    echo "$ROW  stopped: $(col 1) rows stored, $(awk -v r="$(col 1)" -v s="$(col 9)" \
      'BEGIN { if (s > 0 && r ~ /^[0-9]+$/) printf "%.0f", r / s; else printf "?" }') rows/s"
    tail -n 1 "$run/stderr" | cut -c1-300 | sed 's/^/     /'
    return 1
  fi
  echo "$ROW  ${sum:-?} batches read"
  if [[ $(col 1) != "$events" ]]; then
    echo "  !! $label: rows stored $(col 1), want $events"
    FAILED=1
  fi
}

find_rows() {
  if [[ ${BENCH_FIND:-1} == 0 ]]; then
    echo "find: skipped (BENCH_FIND=0)"
    return
  fi
  mkdir -p "$DIR/find"
  if [[ ! -s $DIR/find/key.key ]]; then
    "$AUDITSHIP" keygen --out "$DIR/find/key" >/dev/null || { FAILED=1; return; }
  fi
  local dsn
  dsn=$(svc AUDITSHIP_TEST_MYSQL_DSN)
  MY_ADDR=$(my_dsn_part "$dsn" addr) MY_USER=$(my_dsn_part "$dsn" user)
  MY_PASSWORD=$(my_dsn_part "$dsn" password) MY_DSN="${dsn%%/*}/"
  MYLOOP="$DIR/bin/mysqlloop"
  $GO build -o "$MYLOOP" ./scripts/bench/mysqlloop
  FIND_S3_EP=$(svc AUDITSHIP_TEST_S3_ENDPOINT) FIND_S3_AK=$(svc AUDITSHIP_TEST_S3_ACCESS_KEY)
  FIND_S3_SK=$(svc AUDITSHIP_TEST_S3_SECRET_KEY)
  generate json "$FIND_N"
  find_keys "$FIND_N"
  echo
  echo "find: archives of $FIND_N entries, output batch { max_events = $FIND_BATCH } (signed);" \
    "file store $FIND_FILE_COMP (ndjson), S3 $FIND_S3_COMP; replay target mysql batch { max_events = $FIND_MY_BATCH }"
  echo "find: key $FIND_KEY ($FIND_KEY_EVENTS events; the generator's keys hold 24);" \
    "keys: businessKey in [$FIND_KEYS] ($FIND_KEYS_EVENTS events)"
  echo "find: '% read' = export bytes_read (batches, index records, manifests, checkpoints) / bytes of the archive's batch objects"
  "$RUNNER" -target "target (export/replay of a key),,,64"
  local kinds=(file) kind
  if [[ -n $FIND_S3_EP ]] && answers "$FIND_S3_EP"; then
    kinds+=(s3)
  else
    skip "find: s3 rows" "no S3 server at ${FIND_S3_EP:-AUDITSHIP_TEST_S3_ENDPOINT} (scripts/services.sh start)"
  fi
  local my=1
  if [[ -z $dsn ]] || ! answers "$MY_ADDR"; then
    skip "find: mysql rows" "no MariaDB at ${MY_ADDR:-AUDITSHIP_TEST_MYSQL_DSN} (scripts/services.sh start)"
    my=0
  fi
  for kind in "${kinds[@]}"; do
    find_archive "$kind" "$FIND_N" || continue
    find_export "$kind" "export 1 key: $kind" "businessKey == '$FIND_KEY'" "$FIND_KEY_EVENTS"
    find_export "$kind" "export ~100 (keys): $kind" "businessKey in [$FIND_KEYS]" "$FIND_KEYS_EVENTS"
    if [[ $my == 1 ]]; then
      find_replay "$kind" "$FIND_N" "replay ~100 (keys): $kind -> mysql" "$FIND_KEYS_EVENTS" "$TIMEOUT" \
        "businessKey in [$FIND_KEYS]" || FAILED=1
    fi
  done
  [[ $my == 1 && ${BENCH_FIND_REPLAY:-1} != 0 ]] || return 0
  "$RUNNER" -target "target (full replay file -> mysql),30000,,64"
  find_archive file "$FIND_N" || return 0
  if ! find_replay file "$FIND_N" "replay all $FIND_N: file -> mysql" "$FIND_N" "$FIND_REPLAY_LIMIT"; then
    echo "  the full replay of $FIND_N did not finish within $FIND_REPLAY_LIMIT: again on $FIND_REPLAY_N entries"
    find_archive file "$FIND_REPLAY_N" || return 0
    find_replay file "$FIND_REPLAY_N" "replay all $FIND_REPLAY_N (not $FIND_N): file -> mysql" \
      "$FIND_REPLAY_N" "$TIMEOUT" || FAILED=1
  fi
  "$MYLOOP" -dsn "$MY_DSN" -db "$FIND_DB" -stat -drop >/dev/null
}
