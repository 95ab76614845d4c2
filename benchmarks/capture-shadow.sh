#!/usr/bin/env bash
# Cost of prediction capture and shadow versions to the caller: one server, one repository of four copies of
# text_direction that differ only in their config (capture off; capture.sample_rate 1.0; 0.1; 1.0 with
# capture.encoding raw; shadow.fraction 1.0 to a
# second, identical version), loaded in turn by the same closed-loop load, ROUNDS times interleaved so drift of the
# shared machine hits every variant alike. Needs a Release build of the server and loadgen and artifacts/models
# (benchmarks/run-comparison.sh once). Traffic goes to 127.0.0.1 only; every run is bounded.
set -u
cd "$(dirname "$0")/.."
OUT=${OUT:-artifacts/capture-shadow}
DURATION=${DURATION:-10}
CONCURRENCY=${CONCURRENCY:-8}
ROUNDS=${ROUNDS:-3}
SETTLE=${SETTLE:-5}   # seconds between variants: the capture writer drains its queue before the next one is measured
PORT=${BASE_PORT:-18750}
rm -rf "$OUT"; mkdir -p "$OUT/repo" "$OUT/captures"
L="dotnet benchmarks/InferenceGrpc.LoadGen/bin/Release/net10.0/loadgen.dll"
SRC=artifacts/models/text_direction

model() { # name, parameters json, versions...
  local name=$1 params=$2; shift 2
  mkdir -p "$OUT/repo/$name"
  for v in "$@"; do mkdir -p "$OUT/repo/$name/$v"; cp "$SRC/1/model.onnx" "$OUT/repo/$name/$v/"; done
  cat > "$OUT/repo/$name/config.json" <<JSON
{ "max_batch_size": 32, "version_policy": { "all": {} },
  "input": [ { "name": "x", "data_type": "TYPE_FP32", "dims": [3, 48, 192] } ],
  "output": [ { "name": "softmax_0.tmp_0", "data_type": "TYPE_FP32", "dims": [2] } ],
  "parameters": { $params } }
JSON
}
# The total cap keeps the disk bounded: at rate 1.0 one record of this model is about 250 KB of JSON.
cap='"capture.max_file_bytes": {"string_value": "67108864"}, "capture.max_total_bytes": {"string_value": "536870912"}'
model td_off '' 1
model td_capture_1 "\"capture.sample_rate\": {\"string_value\": \"1\"}, $cap" 1
model td_capture_01 "\"capture.sample_rate\": {\"string_value\": \"0.1\"}, $cap" 1
model td_capture_raw "\"capture.sample_rate\": {\"string_value\": \"1\"}, \"capture.encoding\": {\"string_value\": \"raw\"}, $cap" 1
model td_shadow '"shadow.version": {"string_value": "1"}, "shadow.fraction": {"string_value": "1"}' 1 2

dotnet src/InferenceGrpc.Server/bin/Release/net10.0/InferenceGrpc.Server.dll --model-repository "$OUT/repo" \
  --grpc-address 127.0.0.1 --grpc-port "$PORT" --metrics-port $((PORT + 1)) --execution-provider cpu \
  --capture-directory "$OUT/captures" > "$OUT/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null' EXIT
for _ in $(seq 1 60); do curl -s "http://127.0.0.1:$((PORT + 1))/metrics" | grep -q 'inference_model_ready{.*model="td_shadow",version="1"} 1' && break; sleep 1; done

for round in $(seq 1 "$ROUNDS"); do
  for m in td_off td_capture_1 td_capture_01 td_capture_raw td_shadow; do
    $L grpc --server "http://127.0.0.1:$PORT" --model $m --concurrency "$CONCURRENCY" --duration "$DURATION" --warmup 2 \
      --label "$m-$round" --out "$OUT/$m-$round.json" 2>&1 | grep "conc $CONCURRENCY" | sed "s/^/$m round $round: /"
    sleep "$SETTLE"
  done
done

echo "== capture and shadow outcomes (whole run)"
curl -s "http://127.0.0.1:$((PORT + 1))/metrics" | grep -E '^inference_(capture_records_total|shadow_requests_total|shadow_argmax_total)' | grep -v ' 0$'
echo "== capture files"
du -sh "$OUT"/captures/* 2>/dev/null
ls "$OUT"/captures/td_capture_1 | head -3
