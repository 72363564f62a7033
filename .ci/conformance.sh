#!/usr/bin/env bash
# Run the Kapacitor conformance corpus against a fresh leydend and compare with the
# baseline: every case listed in .ci/conformance-baseline.txt must still pass.
#
#   .ci/conformance.sh            check (exit 1 on a regression)
#   .ci/conformance.sh --update   also add the cases that pass now to the baseline
#   .ci/conformance.sh -- -k window   extra arguments go to run.py
#
# The baseline only grows: --update adds passing cases and never removes one.
set -euo pipefail
cd "$(dirname "$0")/.."

update=false
runner_args=()
while (($#)); do
    case "$1" in
        --update) update=true ;;
        --) shift; runner_args=("$@"); break ;;
        *) echo "usage: $0 [--update] [-- run.py arguments]" >&2; exit 2 ;;
    esac
    shift
done

runner="../shared/conformance/run.py"
baseline=".ci/conformance-baseline.txt"
if [[ ! -f "$runner" ]]; then
    echo "conformance: runner not found at $(pwd)/$runner (the shared corpus must sit beside the repository)" >&2
    exit 1
fi

work="$(mktemp -d)"
pid=""
stop_server() {
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid"
        for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$pid" 2>/dev/null; then
            echo "conformance: leydend did not stop on SIGTERM; killing it" >&2
            kill -KILL "$pid"
        fi
    fi
    rm -rf "$work"
}
trap stop_server EXIT

port="$(python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
url="http://127.0.0.1:$port"
setsid nohup leydend --data-dir "$work/data" --bind "127.0.0.1:$port" --pidfile "$work/leydend.pid" \
    >"$work/leydend.log" 2>&1 </dev/null &
for _ in $(seq 150); do
    [[ -s "$work/leydend.pid" ]] && break
    sleep 0.1
done
if [[ ! -s "$work/leydend.pid" ]]; then
    echo "conformance: leydend did not start; its log:" >&2
    cat "$work/leydend.log" >&2
    exit 1
fi
pid="$(cat "$work/leydend.pid")"
echo "conformance: leydend $pid on $url"

python "$runner" --url "$url" "${runner_args[@]}" | tee "$work/result.txt" || true
sed -n 's/^PASS //p' "$work/result.txt" | sort -u >"$work/passed.txt"
sed -n 's/^FAIL //p' "$work/result.txt" | sort -u >"$work/failed.txt"
touch "$baseline"
grep -v '^\s*\(#\|$\)' "$baseline" | sort -u >"$work/baseline.txt" || true

if ((${#runner_args[@]})); then
    # a partial run (-k ...): only the baseline cases that ran can regress
    regressions="$(comm -12 "$work/baseline.txt" "$work/failed.txt")"
else
    regressions="$(comm -23 "$work/baseline.txt" "$work/passed.txt")"
fi
new="$(comm -13 "$work/baseline.txt" "$work/passed.txt")"
echo "conformance: $(wc -l <"$work/passed.txt") passed; baseline $(wc -l <"$work/baseline.txt")"
if $update && [[ -n "$new" ]]; then
    {
        echo "# Conformance cases that passed when this file was last updated (.ci/conformance.sh --update)."
        echo "# CI fails if one of them fails. Only add lines."
        sort -u "$work/baseline.txt" "$work/passed.txt"
    } >"$baseline"
    echo "conformance: added to the baseline:"
    echo "$new" | sed 's/^/  /'
elif [[ -n "$new" ]]; then
    echo "conformance: passing now but not in the baseline (run .ci/conformance.sh --update):"
    echo "$new" | sed 's/^/  /'
fi
if [[ -n "$regressions" ]]; then
    echo "conformance: REGRESSION, these baseline cases fail now:" >&2
    echo "$regressions" | sed 's/^/  /' >&2
    exit 1
fi
echo "conformance: no regression"
