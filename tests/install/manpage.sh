#!/usr/bin/env bash
# The manual page and `pigeon --help` name the same options and commands, and the page renders without a warning.
# Usage: manpage.sh PIGEON MANPAGE
set -euo pipefail
pigeon=$1
page=$2

fail() {
    echo "FAIL: $*"
    exit 1
}

# The page is English: --help and the console's /help are read in English (--lang en) whatever the locale.
help=$("$pigeon" --help --lang en) || fail "pigeon --help failed"
# Options as the help prints them ("  -p, --port <N>"), and as the page's .TP entries in OPTIONS give them.
from_help=$(sed -n 's/^  \(-[a-zA-Z?], \)\?\(--[a-z-]*\).*/\1\2/p' <<<"$help" | sed 's/, / /' | sort)
# Regroup the page's short and long names as the help pairs them: one option per line.
from_page=$(awk '/^\.SH /{section=$0} section==".SH OPTIONS" && prev==".TP"{print} {prev=$0}' "$page" |
    sed 's/\\-/-/g' | while read -r line; do
        grep -o -- '-\{1,2\}[a-zA-Z?][a-z-]*' <<<"$line" | paste -sd' '
    done | sort)
[[ -n $from_help ]] || fail "no options found in pigeon --help"
if [[ $from_help != "$from_page" ]]; then
    diff <(echo "$from_help") <(echo "$from_page") | sed 's/^</  only in --help:/; s/^>/  only in the page:/' || true
    fail "the options of pigeon --help and of $page differ"
fi

# Commands: the help's usage lines ("  pigeon contacts list|add ...") and the page's COMMANDS entries.
help_commands=$(sed -n 's/^  pigeon \([a-z][a-z-]*\).*/\1/p' <<<"$help" | sort -u)
page_commands=$(awk '/^\.SH /{section=$0} section==".SH COMMANDS" && prev==".TP"{print} {prev=$0}' "$page" |
    sed -n 's/^\.B[IR]* "\?\([a-z][a-z-]*\).*/\1/p' | sort -u)
if [[ $help_commands != "$page_commands" ]]; then
    diff <(echo "$help_commands") <(echo "$page_commands") | sed 's/^</  only in --help:/; s/^>/  only in the page:/' || true
    fail "the commands of pigeon --help and of $page differ"
fi

# Console commands: every one the console's /help lists has its entry in the page's CONSOLE COMMANDS and a row in
# the README's console table. The console listens on a loopback address of its own for the moment it runs.
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
console_help=$(printf '/help\n/quit\n' | NO_COLOR=1 "$pigeon" --console --lang en --profile "$profile" \
    --bind "127.$((RANDOM % 100 + 100)).$((RANDOM % 250)).$((RANDOM % 250 + 1))" --port $((RANDOM % 10000 + 20000))) ||
    fail "pigeon --console did not run /help"
help_console=$(sed -n 's|^  \(/[a-z]*\).*|\1|p' <<<"$console_help" | sort -u)
[[ -n $help_console ]] || fail "no commands in the console's /help"
page_console=$(awk '/^\.SH /{section=$0} section==".SH CONSOLE COMMANDS" && prev==".TP"{print} {prev=$0}' "$page" |
    { grep -o '/[a-z]*' || true; } | sort -u)
missing=$(comm -23 <(echo "$help_console") <(echo "$page_console"))
[[ -z $missing ]] || fail "the console's /help lists $(echo $missing) but the CONSOLE COMMANDS of $page do not"
readme=$(dirname "$page")/../README.md
for command in $help_console; do
    grep -q "^|.*\`$command[ \`]" "$readme" || fail "README.md's console table has no row for $command"
done

# The page renders without a warning from groff or man.
warnings=$(MANWIDTH=80 man --warnings -E UTF-8 -l "$page" 2>&1 >/dev/null) || fail "man cannot render $page"
[[ -z $warnings ]] || fail "man warns about $page: $warnings"
for section in NAME SYNOPSIS DESCRIPTION OPTIONS COMMANDS "CONSOLE COMMANDS" "CONTACTS FILE" FILES "EXIT STATUS"; do
    grep -qx "\.SH \"\?$section\"\?" "$page" || fail "$page has no $section section"
done
echo "$page: $(wc -l <<<"$from_help") options and $(wc -l <<<"$help_commands") command(s), as pigeon --help gives them;"
echo "  $(wc -l <<<"$help_console") console commands, as /help gives them, also in README.md"
