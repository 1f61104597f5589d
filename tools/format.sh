#!/usr/bin/env bash
# Shared formatting (issue 16). `tools/format.sh` applies it; `tools/format.sh --check` fails when a file
# is not formatted (CI runs it). CSharpier owns the layout: line breaks, wrapping at 140, indentation
# (.csharpierrc, .csharpierignore). `dotnet format` owns the style and analyzer rules of .editorconfig.
# `dotnet format whitespace` is left out on purpose: it lays out lambdas, `for (;;)` and interpolation
# alignment differently from CSharpier, and the two would undo each other on every run.
# Generated EF Core migrations keep the tool's own layout: both tools skip them.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

mode=apply
case "${1:-}" in
  "") ;;
  --check) mode=check ;;
  *) echo "usage: tools/format.sh [--check]" >&2; exit 2 ;;
esac

dotnet tool restore >/dev/null
exclude=(--exclude '**/Migrations/**')

if [ "$mode" = check ]; then
  status=0
  dotnet csharpier check . || status=1
  dotnet format style Coordination.sln --verify-no-changes "${exclude[@]}" || status=1
  dotnet format analyzers Coordination.sln --verify-no-changes "${exclude[@]}" || status=1
  # CSharpier wraps code at 140 but leaves string literals and comments as they are: the line length
  # .editorconfig sets is held here for every line (in characters, not bytes: "4°" is two).
  long=$(git ls-files -z '*.cs' ':!:**/Migrations/**' | xargs -0 python3 -c '
import sys
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if len(line.rstrip("\r\n")) > 140:
                print(f"{path}:{number}: {len(line.rstrip())} characters")
')
  if [ -n "$long" ]; then
    echo "Lines over 140 characters (wrap the comment, split the string):" >&2
    echo "$long" >&2
    status=1
  fi
  if [ "$status" -ne 0 ]; then
    echo "Formatting differs from the shared one: run tools/format.sh and commit the result." >&2
  fi
  exit "$status"
fi

# Style fixes first, so that CSharpier lays out whatever they rewrote; a second run changes nothing.
dotnet format style Coordination.sln "${exclude[@]}"
dotnet format analyzers Coordination.sln "${exclude[@]}"
dotnet csharpier format .
