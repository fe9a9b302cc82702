#!/usr/bin/env bash
# Bash completion of pigeon: options, commands, and contact names read from the default profile or the one --profile
# names. Each case sets the words of a command line as bash does and compares what _pigeon offers.
# Usage: completion.sh COMPLETION_FILE
set -euo pipefail
completion=$(readlink -f "$1")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

[[ -r /usr/share/bash-completion/bash_completion ]] || {
    echo "FAIL: bash-completion is not installed"
    exit 1
}
# The default profile (XDG_DATA_HOME) and a second one.
export HOME=$tmp XDG_DATA_HOME=$tmp/data
mkdir -p "$XDG_DATA_HOME/Pigeon/pigeon" "$tmp/work"
printf '# Pigeon contacts\n[Alice]\nhost = 127.0.0.1\n\n[Bob Smith]\nhost = 127.0.0.2\nport = 2426\n[Bea]\nhost = ::1\n' \
    >"$XDG_DATA_HOME/Pigeon/pigeon/contacts.ini"
printf '[Wang]\nhost = 127.0.0.3\n' >"$tmp/work/contacts.ini"

failures=0
check() { # expected line... -- words of the command line (the last is the word being completed)
    local expected=() words=()
    while [[ $1 != -- ]]; do
        expected+=("$1")
        shift
    done
    shift
    words=("$@")
    local got
    got=$(
        # shellcheck disable=SC1091
        source /usr/share/bash-completion/bash_completion
        # shellcheck disable=SC1090
        source "$completion"
        COMP_WORDS=("${words[@]}")
        COMP_CWORD=$((${#words[@]} - 1))
        COMP_LINE="${words[*]}"
        COMP_POINT=${#COMP_LINE}
        _pigeon pigeon "${words[-1]}" "${words[-2]}"
        printf '%s\n' "${COMPREPLY[@]}" | sort
    )
    local want
    want=$(printf '%s\n' "${expected[@]}" | sort)
    if [[ $got != "$want" ]]; then
        echo "FAIL: '${words[*]}': expected [$(echo $want)], got [$(echo $got)]"
        failures=$((failures + 1))
    fi
}

check --console --contacts-only -- pigeon --co
check --port --profile -- pigeon --p
check contacts -- pigeon con
check history -- pigeon --name Me h
check doctor -- pigeon d
check list -- pigeon contacts l
check add -- pigeon contacts a
check remove -- pigeon contacts r
check Alice -- pigeon contacts remove A
check 'Bob\ Smith' Bea -- pigeon contacts remove B
check 'Bob\ Smith' -- pigeon history 'Bob'
check Wang -- pigeon --profile "$tmp/work" history ''
check Wang -- pigeon --profile="$tmp/work" contacts remove W
check plain -- pigeon contacts add Carol 127.0.0.4 p
check gbk -- pigeon contacts add Carol 127.0.0.4 plain g
check cp932 -- pigeon contacts add Carol 127.0.0.4 c
check gbk cp932 -- pigeon --legacy-encoding ''
check en zh_CN -- pigeon --lang ''
check "" -- pigeon --port ''
check "" -- pigeon contacts list ''
check "" -- pigeon --profile "$tmp/nothing-here" history ''

((failures == 0)) || exit 1
echo "completion: 21 command lines complete as expected"
