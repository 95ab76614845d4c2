#!/usr/bin/env bash
# The comparison of DESIGN.md §8, on this machine, in one run: for each model, the server with dynamic batching off
# and on, against its two ceilings, with the same payload everywhere:
#   - compute ceiling: ONNX Runtime in-process, one caller, at batch sizes 1..max (loadgen inprocess);
#   - transport ceiling: the echo server, which returns each input as an output (loadgen grpc against it);
#   - the server: unary at each concurrency, plus one streaming run.
# Results: artifacts/bench/<UTC timestamp>/ (one JSON per run, logs, summary.md with the ratios), charts in docs/perf/.
# Everything runs on 127.0.0.1; every level stops by itself; every process started here is stopped on exit.
#
# Settings (environment):
#   DURATION=10            seconds measured per level (DURATION=2: a smoke run of a few minutes)
#   WARMUP=2               seconds of load before each level
#   CONCURRENCY=1,8,32,128 closed-loop callers per level
#   STREAM_CONCURRENCY=32  streams of the streaming run;  STREAM_WINDOW=1  requests in flight per stream
#   BATCH_SIZES=1,2,4,8,16,32   in-process batch sizes (the models' max_batch_size is 32)
#   MODELS="text_direction minilm"   SEQ=128 (MiniLM sequence length)
#   CHART_DIR=docs/perf    OUT=artifacts/bench/<timestamp>    BASE_PORT=18100
#   BATCHING="off on"      server configurations: off/on (--dynamic-batching false/true), default (no flag)
#   MICROBENCHMARKS=0      1: also run the BenchmarkDotNet microbenchmarks (--job short) into OUT
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
CONCURRENCY=${CONCURRENCY:-1,8,32,128}
STREAM_CONCURRENCY=${STREAM_CONCURRENCY:-32}
STREAM_WINDOW=${STREAM_WINDOW:-1}
BATCH_SIZES=${BATCH_SIZES:-1,2,4,8,16,32}
MODELS=${MODELS:-"text_direction minilm"}
SEQ=${SEQ:-128}
CHART_DIR=${CHART_DIR:-docs/perf}
BASE_PORT=${BASE_PORT:-18100}
MICROBENCHMARKS=${MICROBENCHMARKS:-0}
BATCHING=${BATCHING:-"off on"}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=${OUT:-artifacts/bench/$STAMP}

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# --- processes: every one started here is recorded and stopped on exit --------------------------------------------
started=()

stop_process() {
  local pid=$1
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "process $pid did not stop in 20 s: killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local pid
  for pid in "${started[@]}"; do
    stop_process "$pid"
  done
}
trap cleanup EXIT
trap 'echo "interrupted" >&2; exit 130' INT TERM

# run_child COMMAND...: runs in the foreground, but as a recorded child, so a signal stops it at once (bash runs a
# trap only after a foreground command ends; `wait` it interrupts).
run_child() {
  "$@" &
  local pid=$!
  started+=("$pid")
  wait "$pid"
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

next_free_port() {
  local port=$1
  while ! port_free "$port"; do port=$((port + 1)); done
  echo "$port"
}

# wait_for_port PID PORT LOG: until the process listens, or fail with its log if it exits first.
wait_for_port() {
  local pid=$1 port=$2 log=$3
  for _ in $(seq 1 600); do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "error: the process for port $port exited before listening; its log ($log):" >&2
      tail -n 30 "$log" >&2
      return 1
    fi
    port_free "$port" || return 0
    sleep 0.2
  done
  echo "error: nothing listens on port $port after 120 s ($log)" >&2
  return 1
}

# --- build ---------------------------------------------------------------------------------------------------------
echo "== build (Release)"
dotnet build src/InferenceGrpc.Server -c Release -nologo -v q
dotnet build benchmarks/InferenceGrpc.LoadGen -c Release -nologo -v q
dotnet build benchmarks/InferenceGrpc.EchoServer -c Release -nologo -v q
dotnet build benchmarks/InferenceGrpc.Benchmarks.Models -c Release -nologo -v q   # extracts MiniLM into artifacts/models

LOADGEN=(dotnet benchmarks/InferenceGrpc.LoadGen/bin/Release/net10.0/loadgen.dll)
ECHO_SERVER=(dotnet benchmarks/InferenceGrpc.EchoServer/bin/Release/net10.0/InferenceGrpc.EchoServer.dll)
SERVER=(dotnet src/InferenceGrpc.Server/bin/Release/net10.0/InferenceGrpc.Server.dll)
REPOSITORY=artifacts/models

mkdir -p "$OUT" "$CHART_DIR"
notes=("DURATION=$DURATION s per level, WARMUP=$WARMUP s, concurrency $CONCURRENCY, streaming run: $STREAM_CONCURRENCY streams × window $STREAM_WINDOW, in-process batch sizes $BATCH_SIZES.")
notes+=("Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo); client, server and ceilings all on 127.0.0.1.")

# The batching flag: landed with the dynamic batching scheduler. Without it, the server runs once, as configured.
read -r -a BATCHING_CONFIGS <<<"$BATCHING"
if ! "${SERVER[@]}" --help | grep -q -- '--dynamic-batching'; then
  BATCHING_CONFIGS=(default)
  notes+=("This server build has no --dynamic-batching flag: the server ran once, with its default scheduling (series 'server').")
  echo "note: the server has no --dynamic-batching flag; running it once with its defaults" >&2
fi
for batching in "${BATCHING_CONFIGS[@]}"; do
  case $batching in off | on | default) ;; *) echo "error: BATCHING='$BATCHING': each must be off, on or default" >&2; exit 2 ;; esac
done

# Result files in the order they were made: the summary and the charts list their series in this order.
results=()

# grpc_run LABEL ROLE PORT MODEL OUTFILE [extra loadgen flags...]
grpc_run() {
  local label=$1 role=$2 port=$3 model=$4 out=$5
  shift 5
  run_child "${LOADGEN[@]}" grpc --server "http://127.0.0.1:$port" --model "$model" --seq "$SEQ" \
    --duration "$DURATION" --warmup "$WARMUP" --label "$label" --role "$role" --out "$out" "$@"
  results+=("$out")
}

for model in $MODELS; do
  file=$REPOSITORY/$model/1/model.onnx
  if [ ! -f "$file" ]; then
    echo "error: $file is missing (dotnet build benchmarks/InferenceGrpc.Benchmarks.Models)" >&2
    exit 1
  fi

  echo
  echo "== $model: compute ceiling (ONNX Runtime in-process)"
  run_child "${LOADGEN[@]}" inprocess --model-file "$file" --model-name "$model" --batch-sizes "$BATCH_SIZES" --seq "$SEQ" \
    --duration "$DURATION" --warmup "$WARMUP" --out "$OUT/$model-inprocess.json"
  results+=("$OUT/$model-inprocess.json")

  echo
  echo "== $model: transport ceiling (echo server)"
  port=$(next_free_port "$BASE_PORT")
  log=$OUT/$model-echo-server.log
  "${ECHO_SERVER[@]}" --address 127.0.0.1 --port "$port" --model-repository "$REPOSITORY" >"$log" 2>&1 &
  echo_pid=$!
  started+=("$echo_pid")
  wait_for_port "$echo_pid" "$port" "$log"
  grpc_run echo echo "$port" "$model" "$OUT/$model-echo.json" --concurrency "$CONCURRENCY"
  stop_process "$echo_pid"

  for batching in "${BATCHING_CONFIGS[@]}"; do
    echo
    port=$(next_free_port "$BASE_PORT")
    metrics_port=$(next_free_port $((port + 1)))
    server_args=(--model-repository "$REPOSITORY" --grpc-address 127.0.0.1 --grpc-port "$port" --metrics-port "$metrics_port"
      --execution-provider cpu --exit-timeout-secs 5)
    if [ "$batching" = default ]; then
      label=server
    else
      label=batching-$batching
      server_args+=(--dynamic-batching "$([ "$batching" = on ] && echo true || echo false)")
    fi

    echo "== $model: server, $label"
    log=$OUT/$model-$label-server.log
    "${SERVER[@]}" "${server_args[@]}" >"$log" 2>&1 &
    server_pid=$!
    started+=("$server_pid")
    wait_for_port "$server_pid" "$port" "$log"
    notes+=("$model, $label: \`${SERVER[*]} ${server_args[*]}\`")
    grpc_run "$label" server "$port" "$model" "$OUT/$model-$label.json" --concurrency "$CONCURRENCY"
    grpc_run "$label-stream" server "$port" "$model" "$OUT/$model-$label-stream.json" --concurrency "$STREAM_CONCURRENCY" \
      --stream --window "$STREAM_WINDOW"
    stop_process "$server_pid"
  done

  echo
  echo "== $model: chart"
  chart=$CHART_DIR/$model-latency-throughput.png
  model_results=()
  for result in "${results[@]}"; do
    case $result in "$OUT/$model-"*) model_results+=("$result") ;; esac
  done
  "${LOADGEN[@]}" chart --in "${model_results[@]}" --out "$chart" \
    --title "$model: latency vs throughput ($(nproc) cores, CPU, DURATION=$DURATION s)"
  cp "$chart" "$OUT/"
done

if [ "$MICROBENCHMARKS" = 1 ]; then
  echo
  echo "== microbenchmarks (BenchmarkDotNet, --job short)"
  dotnet build benchmarks/InferenceGrpc.Microbenchmarks -c Release -nologo -v q
  dotnet benchmarks/InferenceGrpc.Microbenchmarks/bin/Release/net10.0/InferenceGrpc.Microbenchmarks.dll \
    --filter '*' --job short --exporters github --artifacts "$OUT/microbenchmarks" | tee "$OUT/microbenchmarks.txt"
fi

echo
summary_args=()
for note in "${notes[@]}"; do summary_args+=(--note "$note"); done
"${LOADGEN[@]}" summary --in "${results[@]}" --out "$OUT/summary.md" --title "InferenceGrpc comparison $STAMP" "${summary_args[@]}"
echo
cat "$OUT/summary.md"
echo
echo "results: $OUT   charts: $CHART_DIR/"
