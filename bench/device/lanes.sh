# Sourced by the GPU plans (gpu-2.sh, gpu-3.sh): run work as "lanes", each a detached process session that
# outlives the device call that started it, one GPU each, with its log and an end marker under /tmp/o; every
# call ends by packing /tmp/o into $OUT/o.tgz (the device returns at most 8 files), so a call cut short loses
# nothing and the next call picks up the lanes where they are.
O=/tmp/o
CALL_START=$(date +%s)
mkdir -p "$O/logs" "$O/lanes"
on_gpu() { local g=$1; shift; CUDA_VISIBLE_DEVICES=$g GGML_VK_VISIBLE_DEVICES=$g "$@"; }
counters() { python3 bench/device/gpu_counters.py; }

pack() {
  for l in "${LANES[@]}"; do [ -f "$O/logs/lane-$l.log" ] && { echo "== lane $l (tail)"; tail -n 6 "$O/logs/lane-$l.log"; }; done
  ls "$O"/lanes 2>/dev/null | sed 's/^/done: /'
  tar czf "$OUT/o.tgz" -C "$O" . 2>/dev/null; ls -la "$OUT/o.tgz"
}

wait_lanes() {  # $1: seconds after this call began
  local until=$(( CALL_START + $1 )) l all
  while [ "$(date +%s)" -lt "$until" ]; do
    all=1; for l in "${LANES[@]}"; do [ -f "$O/lanes/$l" ] || all=0; done
    [ $all = 1 ] && break
    sleep 5
  done
  pack
}

lane() {  # lane NAME ARGS…: runs the function laneNAME detached; the marker $O/lanes/NAME says it ended
  local name=$1; shift
  setsid bash -c "$(declare -f on_gpu counters "${LANE_FUNCTIONS[@]}"); W='$W'; O='$O'; lane$name $*; touch '$O/lanes/$name'" \
    > "$O/logs/lane-$name.log" 2>&1 < /dev/null &
}
