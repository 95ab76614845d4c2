#!/usr/bin/env bash
# Text in vs tensor in (issue 9), one server, same run: `text_embedding` (raw text → tokenizer → MiniLM → pool →
# unit vector) against `minilm` fed token ids of the same shape (--seq 16, which is what the example tokenizer pads
# loadgen's 6-8-token texts to). The series alternate (text, tensor, tensor, text, ...) so machine noise weighs on
# both alike. After each series the server's own histograms give the split per stage: compute and queue seconds per
# request of the tokenizer, MiniLM and the pool (the text_embedding row is the whole pipeline: its "compute" is the
# time from the first step's start to the last step's end, queues of the steps included). Needs artifacts/pipelines (built by
# `dotnet build benchmarks/InferenceGrpc.Benchmarks.Models`). Traffic goes to 127.0.0.1 only and stops by itself.
set -eu
cd "$(dirname "$0")/.."
OUT=${OUT:-artifacts/bench-pipelines}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
CONCURRENCY=${CONCURRENCY:-1,8,32}
ROUNDS=${ROUNDS:-2}
PORT=${BASE_PORT:-18900}

dotnet build benchmarks/InferenceGrpc.Benchmarks.Models > /dev/null
dotnet build -c Release src/InferenceGrpc.Server > /dev/null
dotnet build -c Release benchmarks/InferenceGrpc.LoadGen > /dev/null
SERVER="dotnet src/InferenceGrpc.Server/bin/Release/net10.0/InferenceGrpc.Server.dll"
L="dotnet benchmarks/InferenceGrpc.LoadGen/bin/Release/net10.0/loadgen.dll"
METRICS=http://127.0.0.1:$((PORT + 1))/metrics
rm -rf "$OUT"; mkdir -p "$OUT"

$SERVER --model-repository artifacts/pipelines --grpc-address 127.0.0.1 --grpc-port $PORT --metrics-port $((PORT + 1)) \
  --execution-provider cpu > "$OUT/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 1 180); do
  curl -s $METRICS | grep -q '^inference_model_ready{.*model="text_embedding".*} 1' && break
  sleep 1
done

stages() {   # "<model> <requests> <compute s> <queue s> <executions> <rows>" per model, cumulative
  curl -s $METRICS | awk '
    match($0, /model="[^"]*"/) { m = substr($0, RSTART + 7, RLENGTH - 8) }
    /^inference_requests_total\{.*outcome="success"/ { n[m] += $NF }
    /^inference_compute_duration_seconds_sum/ { c[m] += $NF }
    /^inference_queue_duration_seconds_sum/ { q[m] += $NF }
    /^inference_executions_total/ { e[m] += $NF }
    /^inference_inferences_total/ { r[m] += $NF }
    END { for (m in n) printf "%s %d %.6f %.6f %d %d\n", m, n[m], c[m], q[m], e[m], r[m] }' | sort
}

series() {   # series <label> <loadgen args...>
  local label=$1; shift
  stages > "$OUT/$label.before"
  $L grpc --server http://127.0.0.1:$PORT "$@" --concurrency "$CONCURRENCY" --duration "$DURATION" --warmup "$WARMUP" \
    --wait 120 --label "$label" --out "$OUT/$label.json" > "$OUT/$label.txt" 2>&1
  stages > "$OUT/$label.after"
  echo "== $label"; grep -E 'conc ' "$OUT/$label.txt" || cat "$OUT/$label.txt"
  # Per model: compute and queue per request (µs), mean rows per execution, over this series only.
  # A model with no requests yet is missing from "before": join it as zeros.
  join -a 2 -e 0 -o 0,1.2,1.3,1.4,1.5,1.6,2.2,2.3,2.4,2.5,2.6 "$OUT/$label.before" "$OUT/$label.after" | awk '{
    n = $7 - $2; if (n <= 0) next
    printf "   %-32s requests %7d  compute/req %8.1f us  queue/req %8.1f us  rows/execution %.2f\n",
      $1, n, ($8 - $3) / n * 1e6, ($9 - $4) / n * 1e6, ($11 - $6) / (($10 - $5) > 0 ? ($10 - $5) : 1) }'
}

for round in $(seq 1 "$ROUNDS"); do
  if [ $((round % 2)) -eq 1 ]; then
    series "text-$round" --model text_embedding
    series "tensor-$round" --model minilm --seq 16
  else
    series "tensor-$round" --model minilm --seq 16
    series "text-$round" --model text_embedding
  fi
done | tee "$OUT/summary.txt"
