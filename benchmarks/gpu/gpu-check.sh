#!/usr/bin/env bash
# The GPU check (docs/GPU.md), for a Linux x86-64 machine with an NVIDIA GPU, CUDA 13 and cuDNN 9 in a Python
# environment's nvidia-* wheels, and no .NET. Run from the repository root:
#   benchmarks/gpu/gpu-check.sh STAGE_DIR
# STAGE_DIR holds server/, loadgen/ and infergrpc/ (self-contained publishes), or the payload parts of stage.sh,
# which are unpacked there first. Everything is written under $OUT (default artifacts/gpu-check); exit 1 on a failure.
# PROVIDER=cpu runs the same steps without a GPU, to try the script itself.
set -euo pipefail
stage=$(cd "${1:?usage: gpu-check.sh STAGE_DIR}" && pwd)
OUT=${OUT:-$PWD/artifacts/gpu-check}
provider=${PROVIDER:-cuda}
device=$([[ $provider == cuda ]] && echo CUDA:0 || echo CPU)
mkdir -p "$OUT"
exec > >(tee -a "$OUT/check.log") 2>&1
fail() { echo "FAIL: $*"; exit 1; }

unxz() {
  if command -v xz > /dev/null; then xz -dc -T0; else
    python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.stdin.buffer), sys.stdout.buffer)'
  fi
}
if [[ ! -x $stage/server/InferenceGrpc.Server ]]; then
  cat "$stage"/payload.tar.xz.part-* | unxz | tar -x -C "$stage"
fi
server=$stage/server/InferenceGrpc.Server loadgen=$stage/loadgen/loadgen infer=$stage/infergrpc/infergrpc

if [[ $provider == cuda ]]; then
  # CUDA 13 and cuDNN 9 come from the nvidia-* wheels: every nvidia/*/lib goes on the library path.
  nv_libs=$(python3 -c 'import glob, os, nvidia; print(":".join(sorted(d for p in nvidia.__path__ for d in glob.glob(os.path.join(p, "*", "lib")))))') ||
    fail "python3 cannot import the nvidia packages"
  export LD_LIBRARY_PATH=$nv_libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  nvidia-smi > "$OUT/nvidia-smi.txt" 2>&1 || true
  [[ -f $stage/server/libonnxruntime_providers_cuda.so ]] || fail "no CUDA provider library in $stage/server"
  if ldd "$stage/server/libonnxruntime_providers_cuda.so" | grep 'not found'; then
    fail "libraries of the CUDA provider are missing (above); LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
  fi
fi

# The bundled classifier twice: one instance, and four (KIND_AUTO: the CPU server runs them on the CPU).
repo=$OUT/repo
rm -rf "$repo" && mkdir -p "$repo"
cp -r models/text_direction "$repo/text_direction"
cp -r models/text_direction "$repo/text_direction_x4"
python3 - "$repo/text_direction_x4/config.json" << 'PY'
import json, sys
config = json.load(open(sys.argv[1]))
config["instance_group"] = [{"count": 4}]
json.dump(config, open(sys.argv[1], "w"), indent=2)
PY

pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2> /dev/null || true; done' EXIT
start_server() { # name port provider
  # The backend's Debug lines (one per session: device, threads) without the scheduler's per-batch ones.
  env INFERENCEGRPC_Logging__LogLevel__InferenceGrpc.OnnxRuntime=Debug \
    "$server" --model-repository "$repo" --grpc-port "$2" --metrics-port $(($2 + 1)) --execution-provider "$3" \
    > "$OUT/server-$1.log" 2>&1 &
  pids+=($!)
  local pid=$!
  for _ in $(seq 360); do
    grep -q 'server ready: True' "$OUT/server-$1.log" && return 0
    kill -0 "$pid" 2> /dev/null || fail "the $1 server exited; see server-$1.log"
    sleep 0.5
  done
  fail "the $1 server was not ready within 180 s; see server-$1.log"
}
start_server gpu 8001 "$provider"
start_server cpu 8011 cpu
grep -E 'is ready on|session created' "$OUT/server-gpu.log" || true
[[ $(grep -c "is ready on $device" "$OUT/server-gpu.log") -eq 2 ]] || fail "the models are not on $device"
[[ $(grep -c "session created on $device" "$OUT/server-gpu.log") -eq 5 ]] || fail "not 1 + 4 sessions on $device"
echo "PASS: both models ready on $device, 5 sessions"

# ModelInfer on both samples: GPU against CPU, then 32 requests at once on the 4 GPU instances.
for sample in upright rotated; do
  for target in cpu:8011 gpu:8001; do
    "$infer" infer -s "http://127.0.0.1:${target#*:}" -m text_direction -i "models/text_direction/sample_$sample.npy" \
      > "$OUT/infer-${target%:*}-$sample.json"
  done
done
mkdir -p "$OUT/concurrent"
infers=()
for i in $(seq 0 31); do
  sample=$( ((i % 2)) && echo rotated || echo upright)
  "$infer" infer -s http://127.0.0.1:8001 -m text_direction_x4 -i "models/text_direction/sample_$sample.npy" \
    > "$OUT/concurrent/$i-$sample.json" &
  infers+=($!)
done
for p in "${infers[@]}"; do wait "$p" || fail "a concurrent ModelInfer failed"; done
python3 - "$OUT" << 'PY' || fail "GPU outputs differ from the CPU's"
import glob, json, os, sys
out = sys.argv[1]
def data(path):
    return [v for o in json.load(open(path))["outputs"] for v in o["data"]]
worst = 0.0
for path in [f"{out}/infer-gpu-upright.json", f"{out}/infer-gpu-rotated.json"] + glob.glob(f"{out}/concurrent/*.json"):
    sample = "rotated" if "rotated" in os.path.basename(path) else "upright"
    expected, actual = data(f"{out}/infer-cpu-{sample}.json"), data(path)
    assert len(expected) == len(actual), path
    worst = max([worst] + [abs(e - a) for e, a in zip(expected, actual)])
print(f"largest |GPU - CPU| over 34 responses: {worst:.2e}")
sys.exit(0 if worst <= 1e-3 else 1)
PY
echo "PASS: $device outputs match the CPU's, alone and 32 at once"
kill "${pids[1]}" # the CPU server: its threads must not compete with the load below

# Throughput and latency: the served model with 1 and 4 instances, then ONNX Runtime alone in-process.
if [[ $provider == cuda ]]; then
  nvidia-smi --query-gpu=timestamp,utilization.gpu,memory.used --format=csv -l 1 > "$OUT/gpu-utilization.csv" 2>&1 &
  pids+=($!)
fi
for model in text_direction text_direction_x4; do
  "$loadgen" grpc --server http://127.0.0.1:8001 --model "$model" --concurrency 1,8,32,128 \
    --duration "${DURATION:-10}" --out "$OUT/grpc-$provider-$model.json"
done
"$loadgen" inprocess --model-file models/text_direction/1/model.onnx --execution-provider "$provider" \
  --batch-sizes 1,2,4,8,16,32 --duration "${INPROCESS_DURATION:-5}" --out "$OUT/inprocess-$provider.json"
echo "PASS: load figures in $OUT"
