#!/usr/bin/env bash
# One entry point for setting up, building, testing and benchmarking the kit.
#   ./build.sh setup         install missing system packages (idempotent; needs root or sudo)
#   ./build.sh build         native shim (CMake) + .NET solution (Release)
#   ./build.sh test          setup + build + every test
#   ./build.sh demo          setup + build, then US3L on Fashion-MNIST: pretrain, evaluate per width, report
#   ./build.sh bench WHAT    benchmarks as JSON lines: engine, pretrain, detection-ops, detect (ours vs PyTorch), loader, augment, model, kernel
#   ./build.sh kernel        build if needed; install the C# Jupyter kernelspecs for this user
#   ./build.sh notebook      install the kernel and start Jupyter on localhost in notebooks/
#   ./build.sh gpu-check     on an NVIDIA machine: CUDA shim against PyTorch's libtorch, device checks, GPU benchmarks
# Environment:
#   LIBTORCH_DIR   build the shim against another libtorch (e.g. a CUDA 2.x one); see environment.md
#   US3L_PYTHON    the Python whose CUDA PyTorch gpu-check builds against and benchmarks (default python3)
#   US3L_NATIVE_BUILD_DIR  where the shim is built (default build/native)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
ROOT="$(pwd)"
NATIVE_BUILD_DIR="${US3L_NATIVE_BUILD_DIR:-$ROOT/build/native}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# Debian packages the kit needs, one reason each.
APT_PACKAGES=(
  cmake g++                     # build the native shim
  libtorch-dev                  # libtorch 1.13 (CPU) headers, libraries and CMake config
  libopenblas0-pthread          # fast BLAS: without it matrix products run ~19x slower
  python3-torch python3-numpy   # PyTorch on the same libtorch: the reference in tests and benchmarks
  python3-torchvision           # torchvision.ops on the same libtorch: the reference of the detection ops
  dataset-fashion-mnist libturbojpeg0 libspng0 python3-pil  # default dataset; JPEG/PNG decoding; PIL writes test images
  libzmq5 python3-jupyter-client python3-nbclient jupyter-nbconvert python3-jupyter-kernel-test python3-ipykernel  # C# Jupyter kernel: ZeroMQ, and the clients and conformance suite its tests drive
  chromium                      # figures: headless Chromium exports PNG/SVG and runs the browser tests
  jupyter-notebook jupyter-client  # ./build.sh notebook: the notebook server, and `jupyter kernelspec` to list the installed kernels
)
# npm installs plotly.js for figures; a Node.js from elsewhere (that ships its own npm) is kept.
command -v npm >/dev/null || APT_PACKAGES+=(nodejs npm)

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else echo "error: '$*' needs root; run as root or install sudo" >&2; exit 1
  fi
}

cmd_setup() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
  else
    log "system packages: all present"
  fi
  if ! command -v dotnet >/dev/null; then
    echo "error: the .NET 10 SDK is missing; install it (see environment.md) and re-run" >&2
    exit 1
  fi
  cmd_npm
  cmd_tools
}

# plotly.js for US3L.Figures, pinned by src/US3L.Figures/package-lock.json, into build/npm
# (git-ignored); figures find it there at run time. Skipped when the pinned version is present.
cmd_npm() {
  local dest="$ROOT/build/npm" src="$ROOT/src/US3L.Figures"
  if [ -f "$dest/node_modules/plotly.js-dist-min/plotly.min.js" ] && cmp -s "$src/package-lock.json" "$dest/package-lock.json"; then
    log "plotly.js: present"
    return
  fi
  log "npm ci -> $dest"
  mkdir -p "$dest"
  cp "$src/package.json" "$src/package-lock.json" "$dest/"
  (cd "$dest" && npm ci --no-audit --no-fund --loglevel=error)
}

# .NET Interactive, the other C# Jupyter kernel the notebooks must run in (the notebook tests run
# them there too), as a dotnet tool in build/tools (git-ignored) from the NuGet feed; no kernelspec
# is installed (the tests write their own in a private Jupyter folder). Skipped when present.
DOTNET_INTERACTIVE_VERSION=1.0.712001
cmd_tools() {
  local dest="$ROOT/build/tools"
  if [ -x "$dest/dotnet-interactive" ] &&
     dotnet tool list --tool-path "$dest" 2>/dev/null | grep -qi "^microsoft.dotnet-interactive  *$DOTNET_INTERACTIVE_VERSION "; then
    log "dotnet-interactive $DOTNET_INTERACTIVE_VERSION: present"
    return
  fi
  log "dotnet tool install Microsoft.dotnet-interactive $DOTNET_INTERACTIVE_VERSION -> $dest"
  [ -d "$dest" ] && dotnet tool uninstall microsoft.dotnet-interactive --tool-path "$dest" >/dev/null 2>&1 || true
  dotnet tool install Microsoft.dotnet-interactive --version "$DOTNET_INTERACTIVE_VERSION" --tool-path "$dest" >&2
}

cmd_native() {
  log "native shim -> $NATIVE_BUILD_DIR"
  local args=(-DCMAKE_BUILD_TYPE=Release)
  [ -n "${LIBTORCH_DIR:-}" ] && args+=(-DLIBTORCH_DIR="$LIBTORCH_DIR")
  cmake -S "$ROOT/src/native" -B "$NATIVE_BUILD_DIR" "${args[@]}" >"$NATIVE_BUILD_DIR.cmake.log" 2>&1 ||
    { mkdir -p "$NATIVE_BUILD_DIR"; cat "$NATIVE_BUILD_DIR.cmake.log" >&2; exit 1; }
  grep -m1 "us3l_torch: Torch" "$NATIVE_BUILD_DIR.cmake.log" >&2 || true
  cmake --build "$NATIVE_BUILD_DIR" -j "$(nproc)" -- --no-print-directory >&2
}

cmd_build() {
  mkdir -p "$(dirname "$NATIVE_BUILD_DIR")"
  cmd_native
  log "dotnet build (Release)"
  dotnet build "$ROOT/US3L.Notebooks.sln" -c Release -nologo -clp:ErrorsOnly -p:US3LNativeDir="$NATIVE_BUILD_DIR"
}

cmd_test() {
  cmd_setup
  cmd_build
  log "dotnet test"
  local out
  out="$(mktemp)"
  set +e
  # One test assembly at a time (-m:1): each process already uses every core for OpenMP, and two
  # of them side by side oversubscribe the machine, which slows the timed notebook runs tenfold.
  dotnet test "$ROOT/US3L.Notebooks.sln" -c Release --no-build -nologo -m:1 2>&1 | tee "$out"
  local status=${PIPESTATUS[0]}
  set -e
  # One plain summary line over every test assembly.
  awk '/(Passed|Failed)! +- Failed: /{
         gsub(",", ""); for (i = 1; i <= NF; i++) {
           if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
       END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$out"
  rm -f "$out"
  return "$status"
}

cmd_bench() {
  local what="${1:-}"
  case "$what" in
    engine|pretrain|loader|augment|model|kernel|detection-ops|detect) cmd_build >&2; "$ROOT/us3l" bench "$what" "${@:2}" ;;
    *) echo "usage: ./build.sh bench engine|pretrain|loader|augment|model|kernel|detection-ops|detect [options]" >&2; exit 2 ;;
  esac
}

# The main job on the embedded default data; extra arguments go to `us3l demo` (e.g. --profile smoke).
cmd_demo() {
  cmd_setup
  cmd_build >&2
  "$ROOT/us3l" demo "$@"
}

cmd_kernel() {
  local kernel="$ROOT/src/US3L.Kernel/bin/Release/net10.0/US3L.Kernel.dll"
  # Notebooks #r the kit's build output, so the kit must be built along with the kernel.
  if [ ! -f "$kernel" ] || [ ! -f "$ROOT/src/US3L.Kit/bin/Release/net10.0/US3L.Kit.dll" ]; then cmd_build; fi
  log "installing the kernelspec us3l-csharp (and .net-csharp where no other kernel has that name)"
  dotnet "$kernel" --install >&2
}

cmd_notebook() {
  cmd_kernel
  command -v jupyter-notebook >/dev/null ||
    { echo "error: jupyter-notebook is missing; run ./build.sh setup" >&2; exit 1; }
  log "Jupyter on http://localhost (notebooks/)"
  exec jupyter notebook --ip=127.0.0.1 --notebook-dir="$ROOT/notebooks" "$@"
}

# The CUDA path, end to end: the shim built against the CUDA libtorch of a PyTorch installation
# (build/native-cuda), the engine checked op by op against the CPU (`us3l check-device`), and the
# engine and pretraining benchmarks against PyTorch on the same GPU. Extra arguments (e.g.
# --set data_dir=DIR) go to `bench pretrain`. US3L_SKIP_DOTNET_BUILD=1 uses .NET assemblies built
# elsewhere. The JSON lines are also written to build/gpu-check.jsonl.
cmd_gpu_check() {
  command -v nvidia-smi >/dev/null || { echo "error: no NVIDIA driver here (nvidia-smi is missing)" >&2; exit 1; }
  local py="${US3L_PYTHON:-python3}" prefix
  prefix="$("$py" -c 'import torch; print(torch.utils.cmake_prefix_path)')" ||
    { echo "error: $py has no PyTorch; set US3L_PYTHON to a Python with a CUDA build of PyTorch" >&2; exit 1; }
  "$py" -c 'import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)' ||
    { echo "error: the PyTorch of $py sees no GPU (a CPU-only build, or no driver)" >&2; exit 1; }
  local cuda_dir="$ROOT/build/native-cuda"
  mkdir -p "$ROOT/build"
  (LIBTORCH_DIR="$prefix"; NATIVE_BUILD_DIR="$cuda_dir"; cmd_native)
  if [ -z "${US3L_SKIP_DOTNET_BUILD:-}" ]; then
    log "dotnet build (Release)"
    dotnet build "$ROOT/US3L.Notebooks.sln" -c Release -nologo -clp:ErrorsOnly -p:US3LNativeDir="$cuda_dir"
  fi
  export US3L_NATIVE_LIB="$cuda_dir/libus3l_torch.so" US3L_PYTHON="$py"
  local gpus
  gpus="$(nvidia-smi --query-gpu=name --format=csv,noheader | wc -l)"
  {
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader |
      awk -F', ' '{ printf "{\"gpu\":\"%s\",\"driver\":\"%s\",\"memory\":\"%s\"}\n", $1, $2, $3 }'
    "$py" -c 'import json, torch; print(json.dumps({"pytorch": torch.__version__, "cuda": torch.version.cuda}))'
    # Each step reports its own failure and the next one still runs.
    # TF32 off for the comparison (NVIDIA_TF32_OVERRIDE=0): with it on, float32 convolutions round to
    # 10-bit mantissas and nine SGD steps drift 4 % from the CPU (measured on an H200), which hides faults.
    NVIDIA_TF32_OVERRIDE=0 "$ROOT/us3l" check-device --device cuda || echo '{"step":"check-device","ok":false}'
    "$ROOT/us3l" bench engine --device cuda || echo '{"step":"bench engine","ok":false}'
    "$ROOT/us3l" bench pretrain --set device=cuda "$@" || echo '{"step":"bench pretrain","ok":false}'
    echo "{\"gpus\":$gpus,\"ddp\":\"not run: data-parallel pretraining is not built yet\"}"
  } | tee "$ROOT/build/gpu-check.jsonl"
}

case "${1:-}" in
  setup) cmd_setup ;;
  build) cmd_build ;;
  test) cmd_test ;;
  demo) shift; cmd_demo "$@" ;;
  bench) shift; cmd_bench "$@" ;;
  kernel) cmd_kernel ;;
  notebook) shift; cmd_notebook "$@" ;;
  gpu-check) shift; cmd_gpu_check "$@" ;;
  *) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
