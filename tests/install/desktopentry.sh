#!/usr/bin/env bash
# `cmake --install` into a temporary prefix gives the program, a valid desktop entry and the icon it names.
# Usage: desktopentry.sh BUILD_DIR
set -euo pipefail
build=$(readlink -f "$1")
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT

fail() {
    echo "FAIL: $*"
    exit 1
}

cmake --install "$build" --prefix "$prefix" >/dev/null || fail "cmake --install failed"
entry=$prefix/share/applications/pigeon.desktop
[[ -x $prefix/bin/pigeon ]] || fail "no bin/pigeon"
[[ -f $entry ]] || fail "no share/applications/pigeon.desktop"
command -v desktop-file-validate >/dev/null || fail "desktop-file-validate is missing (package desktop-file-utils)"
desktop-file-validate "$entry" || fail "desktop-file-validate refused $entry"
# The entry runs the installed program and shows the installed icon.
exec_name=$(sed -n 's/^Exec=\([^ ]*\).*/\1/p' "$entry")
icon_name=$(sed -n 's/^Icon=//p' "$entry")
[[ -x $prefix/bin/$exec_name ]] || fail "Exec=$exec_name is not in bin/"
for icon in scalable/apps/$icon_name.svg 256x256/apps/$icon_name.png; do
    [[ -s $prefix/share/icons/hicolor/$icon ]] || fail "no icon $icon"
done
# PNG width and height are the big-endian words at bytes 16 and 20.
size=$(od -An -tx1 -j16 -N8 "$prefix/share/icons/hicolor/256x256/apps/$icon_name.png" | tr -d ' \n')
[[ $size == 0000010000000100 ]] || fail "the 256x256 icon is not 256 x 256 ($size)"
echo "installed: bin/$exec_name, share/applications/pigeon.desktop (valid), icons $icon_name.svg and $icon_name.png"
