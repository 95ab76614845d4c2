#!/usr/bin/env bash
# Offline batch prediction (`infergrpc batch`) against its ceiling, in one run on this machine, on one model:
#   - compute ceiling: ONNX Runtime in-process, one caller, at the batch sizes given (loadgen inprocess);
#   - `infergrpc batch` through a Release server over ModelStreamInfer, reading a .npy file and writing a .npy file,
#     at each (max-in-flight, rows-per-request) configuration given;
#   - the same traffic from the load generator (one stream, the same window and rows per request, a request built
#     once): the server's rate without the batch tool's own work (reading, reordering, writing).
# Results: OUT (default artifacts/bench/batch-<UTC timestamp>/): the in-process JSON, each batch run's stderr, the
# server log and summary.md (one table: rows/s and the share of the in-process best). Everything runs on 127.0.0.1;
# every process started here is stopped on exit.
#
# Settings (environment):
#   MODEL=text_direction   a model of artifacts/models with one FP32 input of fixed row dims and one output
#   ROWS=6000              rows in the generated input: 64 distinct rows uniform in [-1, 1) (SEED=42), repeated
#                          (a longer job, so the CLI's start-up and JIT weigh less; text_direction: 110 KB a row)
#   CONFIGS="32x1 8x8 4x32"   batch runs, each <max-in-flight>x<rows-per-request>
#   BATCH_SIZES=1,8,32     in-process batch sizes;  DURATION=10  WARMUP=2  seconds per in-process size
#   PORT=18600 (the first free port from there)  OUT=artifacts/bench/batch-<timestamp>
set -euo pipefail
cd "$(dirname "$0")/.."

MODEL=${MODEL:-text_direction}
ROWS=${ROWS:-6000}
SEED=${SEED:-42}
CONFIGS=${CONFIGS:-"32x1 8x8 4x32"}
BATCH_SIZES=${BATCH_SIZES:-1,8,32}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
PORT=${PORT:-18600}
OUT=${OUT:-artifacts/bench/batch-$(date -u +%Y%m%dT%H%M%SZ)}
REPOSITORY=artifacts/models
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

server_pid=
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'echo "interrupted" >&2; exit 130' INT TERM

echo "== build (Release)"
dotnet build src/InferenceGrpc.Server -c Release -nologo -v q
dotnet build src/InferenceGrpc.Cli -c Release -nologo -v q
dotnet build benchmarks/InferenceGrpc.LoadGen -c Release -nologo -v q
dotnet build benchmarks/InferenceGrpc.Benchmarks.Models -c Release -nologo -v q
LOADGEN=(dotnet benchmarks/InferenceGrpc.LoadGen/bin/Release/net10.0/loadgen.dll)
SERVER=(dotnet src/InferenceGrpc.Server/bin/Release/net10.0/InferenceGrpc.Server.dll)
CLI=(dotnet src/InferenceGrpc.Cli/bin/Release/net10.0/infergrpc.dll)
mkdir -p "$OUT"

# The input: ROWS rows of the model's input shape as a .npy file, made from its config.json by the standard library
# only (no numpy on the benchmark machines).
input=$OUT/input.npy
echo "== input: $ROWS rows of $MODEL's input -> $input"
python3 - "$REPOSITORY/$MODEL/config.json" "$ROWS" "$SEED" "$input" <<'PY'
import array, json, random, struct, sys
config, rows, seed, path = json.load(open(sys.argv[1])), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
dims = config["input"][0]["dims"]
volume = 1
for d in dims:
    volume *= d
header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %s), }" % (rows, ", ".join(map(str, dims)))
header += " " * (64 - (10 + len(header) + 1) % 64) + "\n"
rng = random.Random(seed)
distinct = [array.array("f", (rng.uniform(-1, 1) for _ in range(volume))).tobytes() for _ in range(min(rows, 64))]
with open(path, "wb") as f:
    f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1"))
    for i in range(rows):
        f.write(distinct[i % len(distinct)])
PY

# The ceiling runs before and after the batch runs: on a shared machine it moves, and the higher one is the bound.
inprocess() {
  echo "== $MODEL: compute ceiling (ONNX Runtime in-process), $1"
  "${LOADGEN[@]}" inprocess --model-file "$REPOSITORY/$MODEL/1/model.onnx" --model-name "$MODEL" --batch-sizes "$BATCH_SIZES" \
    --duration "$DURATION" --warmup "$WARMUP" --out "$OUT/inprocess-$1.json" | tee "$OUT/inprocess-$1.txt"
}
best_rows() { python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(round(max(l['rows_per_second'] for l in r['levels'])))" "$1"; }
inprocess before

# Free ports only: another process answering on a busy port would be measured instead of this server.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
next_free_port() {
  local port=$1
  while ! port_free "$port"; do port=$((port + 1)); done
  echo "$port"
}
PORT=$(next_free_port "$PORT")
METRICS_PORT=$(next_free_port $((PORT + 1)))

echo "== server on 127.0.0.1:$PORT"
"${SERVER[@]}" --model-repository "$REPOSITORY" --grpc-address 127.0.0.1 --grpc-port "$PORT" --metrics-port "$METRICS_PORT" \
  --execution-provider cpu --exit-timeout-secs 5 >"$OUT/server.log" 2>&1 &
server_pid=$!
ready=
for _ in $(seq 1 600); do
  kill -0 "$server_pid" 2>/dev/null || { tail -n 30 "$OUT/server.log" >&2; exit 1; }
  if "${CLI[@]}" models --server "127.0.0.1:$PORT" 2>/dev/null | grep -q "$MODEL.*READY"; then ready=1; break; fi
  sleep 0.2
done
[ -n "$ready" ] && kill -0 "$server_pid" 2>/dev/null || { echo "error: $MODEL not READY on our server after 120 s" >&2; exit 1; }

summary=$OUT/summary.md
{
  echo "# infergrpc batch vs in-process: $MODEL, $ROWS rows"
  echo
  echo "Machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the start; client, server and ceiling on 127.0.0.1."
  echo
  echo "| max-in-flight | rows-per-request | batch: seconds | batch: rows/s | loadgen, same stream shape: rows/s |"
  echo "| ---: | ---: | ---: | ---: | ---: |"
} >"$summary"

# Warm-up: one untimed run of the first configuration (JIT of client and server stream paths, the input in the page
# cache); without it the first configuration measured about 3x slower than the same run repeated.
first=${CONFIGS%% *}
echo "== warm-up: --max-in-flight ${first%x*} --rows-per-request ${first#*x} (not measured)"
"${CLI[@]}" batch --server "127.0.0.1:$PORT" -m "$MODEL" -i "$input" -o "$OUT/warmup.npy" -q \
  --max-in-flight "${first%x*}" --rows-per-request "${first#*x}" 2>"$OUT/warmup.txt"
rm -f "$OUT/warmup.npy" "$OUT/warmup.npy.errors.jsonl"

for config in $CONFIGS; do
  window=${config%x*}
  rows_per_request=${config#*x}
  echo "== batch: --max-in-flight $window --rows-per-request $rows_per_request"
  output=$OUT/output-$config.npy
  kill -0 "$server_pid" 2>/dev/null || { echo "error: the server exited; its log: $OUT/server.log" >&2; exit 1; }
  "${CLI[@]}" batch --server "127.0.0.1:$PORT" -m "$MODEL" -i "$input" -o "$output" -q \
    --max-in-flight "$window" --rows-per-request "$rows_per_request" 2>"$OUT/batch-$config.txt"
  cat "$OUT/batch-$config.txt"
  # "batch: N rows ok, 0 failed, S s, R rows/s"
  read -r seconds rate < <(sed -n 's/^batch: .* failed, \([0-9.]*\) s, \([0-9]*\) rows\/s.*/\1 \2/p' "$OUT/batch-$config.txt")
  "${LOADGEN[@]}" grpc --server "http://127.0.0.1:$PORT" --model "$MODEL" --stream --concurrency 1 --window "$window" \
    --batch "$rows_per_request" --duration "$DURATION" --warmup "$WARMUP" --label "stream-$config" --out "$OUT/loadgen-$config.json" \
    >"$OUT/loadgen-$config.txt"
  loadgen_rate=$(best_rows "$OUT/loadgen-$config.json")
  echo "| $window | $rows_per_request | $seconds | $rate | $loadgen_rate |" >>"$summary"
  if [ "$config" != "${CONFIGS%% *}" ]; then
    cmp -s "$output" "$OUT/output-${CONFIGS%% *}.npy" || echo "note: output of $config differs from ${CONFIGS%% *} (batched float math may differ in the last bits)" | tee -a "$summary"
  fi
done

cleanup   # the server stops before the second ceiling run, so it has the cores to itself
server_pid=
inprocess after
before=$(best_rows "$OUT/inprocess-before.json")
after=$(best_rows "$OUT/inprocess-after.json")
{
  echo
  echo "In-process best (\`loadgen inprocess --batch-sizes $BATCH_SIZES\`, one caller): $before rows/s before the batch runs, $after rows/s after."
} >>"$summary"

echo
cat "$summary"
