#!/usr/bin/env bash
# Lists the C++ functions longer than a limit and fails if there is any.
#
#   tests/lint/function_sizes.sh [-n LIMIT] [-x EXCLUDED_FILE]... FOLDER...
#
# A function's length is counted the way the architecture review counts it: from the line of its
# name to the line of its closing brace, both included, as Universal Ctags reports them
# (`line:` and `end:` fields). Lambdas count as functions of their own (ctags names them __anon...),
# so a long lambda is flagged on its own. LIMIT defaults to 40 (the developers' guide: "functions
# under ~40 lines"). Files given with -x (paths as found under the folders) are skipped. Prints one
# "lines  file:line  name" row per long function, longest first; exits 1 if any, 0 if none, 2 on a
# usage error. Not part of ctest: CI checks sizes with clang-tidy's readability-function-size.
set -euo pipefail

limit=40
excluded=()
while getopts 'n:x:' option; do
  case "${option}" in
    n) limit="${OPTARG}" ;;
    x) excluded+=("${OPTARG}") ;;
    *) echo "usage: $0 [-n LIMIT] [-x EXCLUDED_FILE]... FOLDER..." >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
if [[ $# -eq 0 ]]; then
  echo "usage: $0 [-n LIMIT] [-x EXCLUDED_FILE]... FOLDER..." >&2
  exit 2
fi
command -v ctags >/dev/null || { echo "$0: ctags not found; install universal-ctags." >&2; exit 2; }

files=$(find "$@" -type f \( -name '*.cc' -o -name '*.h' \) | sort)
for skip in "${excluded[@]+"${excluded[@]}"}"; do
  files=$(grep -vxF -- "${skip}" <<<"${files}" || true)
done
[[ -n "${files}" ]] || exit 0

# ctags' tag lines: name<TAB>file<TAB>pattern;"<TAB>kind<TAB>line:N<TAB>...end:M
long=$(xargs ctags --language-force=C++ --kinds-C++=f --fields=+ne -o - <<<"${files}" |
  awk -F '\t' -v limit="${limit}" '
    {
      start = 0; end = 0
      for (i = 4; i <= NF; i++) {
        if ($i ~ /^line:/) start = substr($i, 6) + 0
        if ($i ~ /^end:/) end = substr($i, 5) + 0
      }
      if (start > 0 && end >= start && end - start + 1 > limit)
        printf "%5d  %s:%d  %s\n", end - start + 1, $2, start, $1
    }' | sort -rn)
if [[ -n "${long}" ]]; then
  echo "functions over ${limit} lines:"
  echo "${long}"
  exit 1
fi
