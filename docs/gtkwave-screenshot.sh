#!/usr/bin/env bash
# Makes docs/sot-mlp-gtkwave.png: the SOT-MLP write driver's lines as GTKWave shows them, from
# a VCD that `spinarch trace` writes. Needs Debian's gtkwave, xvfb and imagemagick:
#   apt-get install gtkwave xvfb imagemagick
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"; kill "${xvfb:-0}" 2>/dev/null || true' EXIT
node bin/spinarch.js trace scenarios/sot-mlp.yaml --vcd "$work/sot.vcd"
cat > "$work/view.tcl" <<'TCL'
gtkwave::addSignalsFromList [list driver.L0.WWL_0 driver.L0.WWL_1 driver.L0.WWL_2 driver.L0.WWL_15 driver.L1.WWL_0 driver.L1.WWL_9 driver.L0.RWL driver.L1.RWL driver.L0.BL_0 driver.L0.SL_0 driver.L0.BL_1 driver.L0.SL_1 driver.L0.IN_131 driver.L0.IN_131_V driver.L1.IN_3_V]
gtkwave::highlightSignalsFromList [list driver.L0.IN_131_V driver.L1.IN_3_V]
gtkwave::/Edit/Data_Format/Analog/Step
gtkwave::/Edit/UnHighlight_All
gtkwave::/Time/Zoom/Zoom_Full
TCL
Xvfb :97 -screen 0 1600x900x24 >/dev/null 2>&1 &
xvfb=$!
sleep 1
DISPLAY=:97 gtkwave -S "$work/view.tcl" "$work/sot.vcd" >/dev/null 2>&1 &
sleep 6
DISPLAY=:97 import -window root "$work/screen.png"
convert "$work/screen.png" -crop 1010x655+0+0 +repage docs/sot-mlp-gtkwave.png
kill %2 2>/dev/null || true
echo "wrote docs/sot-mlp-gtkwave.png"
