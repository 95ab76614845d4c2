#!/usr/bin/env bash
# What drift monitoring costs (docs/DRIFT.md): text_direction served over gRPC with drift off, on at sample rate
# 1.0 and on at 0.1, ROUNDS times in turn so that noise from a shared machine spreads over all three. The baseline is
# computed by `infergrpc baseline` over the server from rows drawn like loadgen's payload (uniform in [-1, 1)), so
# the monitored traffic does not drift. Traffic goes to 127.0.0.1 only and stops by itself.
set -eu
cd "$(dirname "$0")/.."
OUT=${OUT:-artifacts/bench-drift}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
SETTLE=${SETTLE:-10}   # seconds of discarded load on each fresh server before measuring
CONCURRENCY=${CONCURRENCY:-8}
ROUNDS=${ROUNDS:-3}
FEATURES=${FEATURES:-1024}   # features per row in the baseline (of 3x48x192): every one is monitored
PORT=${BASE_PORT:-18600}

dotnet build -c Release src/InferenceGrpc.Server > /dev/null
dotnet build -c Release src/InferenceGrpc.Cli > /dev/null
dotnet build -c Release benchmarks/InferenceGrpc.LoadGen > /dev/null
SERVER="dotnet src/InferenceGrpc.Server/bin/Release/net10.0/InferenceGrpc.Server.dll"
CLI="dotnet src/InferenceGrpc.Cli/bin/Release/net10.0/infergrpc.dll"
L="dotnet benchmarks/InferenceGrpc.LoadGen/bin/Release/net10.0/loadgen.dll"

rm -rf "$OUT"; mkdir -p "$OUT/models"
cp -r models/text_direction "$OUT/models/"
python3 - "$OUT/train.npy" <<'PY'
import random, struct, sys
rows, per_row = 256, 3 * 48 * 192
rng = random.Random(7)
header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, 3, 48, 192), }" % rows
header += " " * (63 - (10 + len(header)) % 64) + "\n"
with open(sys.argv[1], "wb") as f:
    f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1"))
    f.write(struct.pack("<%df" % (rows * per_row), *(rng.uniform(-1, 1) for _ in range(rows * per_row))))
PY

server=
start() {   # start <label> <flags...>
  local label=$1; shift
  $SERVER --model-repository "$OUT/models" --grpc-address 127.0.0.1 --grpc-port $PORT --metrics-port $((PORT + 1)) \
    --execution-provider cpu "$@" > "$OUT/server-$label.log" 2>&1 &
  server=$!
}
ready() {   # until the model is loaded (bounded)
  for _ in $(seq 1 120); do
    curl -s http://127.0.0.1:$((PORT + 1))/metrics | grep -q '^inference_model_ready{.*model="text_direction".*} 1' && return 0
    sleep 1
  done
  echo "text_direction did not load; see $OUT/server-*.log" >&2; exit 1
}
counters() {   # "<server cpu seconds> <successful requests>"
  curl -s http://127.0.0.1:$((PORT + 1))/metrics | awk '
    /^dotnet_process_cpu_time_seconds_total/ { cpu += $NF }
    /^inference_requests_total\{.*outcome="success"/ { n += $NF }
    END { printf "%.6f %d", cpu, n }'
}
stop() { kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true; }
trap stop EXIT

start baseline --allow-drift-monitoring false
ready
$CLI baseline --data "$OUT/train.npy" --server http://127.0.0.1:$PORT --model text_direction --max-features "$FEATURES" \
  --out "$OUT/models/text_direction/1/baseline.json"
stop

configs="off:--allow-drift-monitoring=false rate1:--drift-sample-rate=1 rate0.1:--drift-sample-rate=0.1"
reversed="rate0.1:--drift-sample-rate=0.1 rate1:--drift-sample-rate=1 off:--allow-drift-monitoring=false"
for round in $(seq 1 "$ROUNDS"); do
  # ABC then CBA: a load on the machine that rises or falls during a round weighs on every configuration alike.
  order=$configs; [ $((round % 2)) -eq 0 ] && order=$reversed
  for config in $order; do
    label=${config%%:*}
    start "$label-$round" "${config#*:}"
    ready
    # A discarded pass first: a fresh server spends its first seconds in the JIT (tiering up the request path, and
    # with drift on the monitor's loops), which is startup cost, not the steady cost measured here.
    $L grpc --server http://127.0.0.1:$PORT --model text_direction --concurrency "$CONCURRENCY" --duration "$SETTLE" \
      --warmup 0 --wait 60 > /dev/null 2>&1
    before=$(counters)
    $L grpc --server http://127.0.0.1:$PORT --model text_direction --concurrency "$CONCURRENCY" --duration "$DURATION" \
      --warmup "$WARMUP" --wait 60 --label "drift-$label" --out "$OUT/$label-$round.json" > "$OUT/$label-$round.txt" 2>&1
    after=$(counters)
    # Server CPU per successful request, from its own counters: unlike req/s, barely moved by other load on the machine.
    cpu_us=$(echo "$before $after" | awk '{ if ($4 > $2) printf "%.0f", ($3 - $1) / ($4 - $2) * 1e6; else print "n/a" }')
    curl -s http://127.0.0.1:$((PORT + 1))/metrics | grep -E '^inference_drift_(samples|dropped)_total|^inference_drift_psi\{.*feature="_rest"|^inference_drift_prediction_psi' \
      > "$OUT/$label-$round.metrics" || true
    stop
    echo "round $round $label: cpu_us/req $cpu_us $(grep -E 'conc ' "$OUT/$label-$round.txt" | head -1)" | tee -a "$OUT/rounds.txt"
  done
done

echo "== median and mean per configuration (server CPU us per request; req/s)"
for label in off rate1 rate0.1; do
  cpu=$(grep " $label: " "$OUT/rounds.txt" | awk '{ print $5 }' | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
  # loadgen prints req/s with thousands separators ("1,826.0"): strip them before using the number.
  rps=$(grep " $label: " "$OUT/rounds.txt" | awk '{ gsub(",", "", $11); print $11 + 0 }' | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
  means=$(grep " $label: " "$OUT/rounds.txt" | awk '{ gsub(",", "", $11); c += $5; r += $11; n++ } END { printf "mean cpu_us/req %.0f req/s %.1f", c / n, r / n }')
  echo "$label median cpu_us/req $cpu req/s $rps; $means"
done
