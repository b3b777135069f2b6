#!/bin/sh
# Install what the pipeline and its tests need from Debian/Ubuntu packages, when missing:
# Tesseract with the Russian model, the typewriter fonts the test scans are rendered with, and headless
# Chromium that the test of `bureau report` opens the HTML report in.
set -eu
PACKAGES="tesseract-ocr tesseract-ocr-rus fonts-cmu fonts-freefont-ttf fonts-liberation fonts-dejavu-core chromium"

have_everything() {
    command -v tesseract >/dev/null 2>&1 || return 1
    tesseract --list-langs 2>/dev/null | grep -qx rus || return 1
    [ -f /usr/share/fonts/truetype/freefont/FreeMono.ttf ] || return 1
    [ -f /usr/share/fonts/truetype/cmu/cmuntt.ttf ] || return 1
    [ -f /usr/share/fonts/truetype/liberation/LiberationMono-Regular.ttf ] || return 1
    [ -f /usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf ] || return 1
    [ -x /usr/bin/chromium ] || return 1
}

if have_everything; then
    exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "Tesseract (with Russian), the fonts or Chromium are missing. Install them as root with:" >&2
    echo "  apt-get update && apt-get install -y $PACKAGES" >&2
    exit 1
fi
echo "Installing $PACKAGES ..."
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $PACKAGES >/dev/null
have_everything
