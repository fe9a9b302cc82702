#!/usr/bin/env bash
# Every user-visible string of ui/, core/ and app/ (the window, the console, the command line) is in the zh_CN
# catalogue and translated: lupdate scans the sources again, as `update_translations` does, into a copy of the
# catalogue, and no entry may come out unfinished. It fails for a tr() added since the last update_translations as
# for one never translated, and names them.
# Usage: translations_current.sh LUPDATE GENERATE_PROJECT_CMAKE PROJECT.cmake TS
set -euo pipefail
lupdate=$1
generate=$2
project=$3
ts=$4

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake -DIN_FILE="$project" -DOUT_FILE="$work/project.json" -P "$generate"
cp "$ts" "$work/catalogue.ts"
"$lupdate" -project "$work/project.json" -no-obsolete -locations none -ts "$work/catalogue.ts" >"$work/log" 2>&1 ||
    { cat "$work/log"; echo "FAIL: lupdate failed"; exit 1; }
grep -q ' source text(s)' "$work/log" || { cat "$work/log"; echo "FAIL: lupdate found no strings"; exit 1; }
python3 - "$work/catalogue.ts" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
contexts = {c.findtext('name') for c in root.findall('context')}
bad = [f"{c.findtext('name')}: {m.findtext('source')!r}" for c in root.findall('context') for m in c.findall('message')
       if m.find('translation').get('type') == 'unfinished']
# The console's and the command line's own contexts are scanned (app/ is part of the scan).
absent = {'CommandLine', 'Console', 'ConsoleTransfers', 'MessageLine'} - contexts
if absent:
    sys.exit(f"FAIL: the scan has no strings of {sorted(absent)}: is app/ out of the lupdate sources?")
if bad:
    sys.exit("FAIL: not in pigeon_zh_CN.ts or not translated (run the update_translations target and translate):\n  "
             + "\n  ".join(bad))
print(f"{sum(1 for _ in root.iter('message'))} strings, all translated, in {len(contexts)} contexts")
PY
