#!/usr/bin/env bash
# Checks the iOS app's Swift sources without Swift (issue 17; tools/check_ios.py): they
# parse (tree-sitter's Swift grammar), every binding symbol they use exists in the generated
# Swift, every string key they use is in the core's catalogue, no control hides its VoiceOver
# label and no text has a fixed size, and every screen model has a
# view in both shells, listed in docs/screens/README.md's parity table.
# Called by scripts/test-all.sh after the bindings stage (whose generated Swift it reuses);
# runnable on its own: it then builds phr-ffi and generates the Swift itself.
# Needs: Python 3; installs the PyPI wheels tree-sitter and tree-sitter-swift if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
GEN="$TARGET/uniffi-generated"

if ! python3 -c 'import tree_sitter, tree_sitter_swift' 2>/dev/null; then
  echo "pip: installing tree-sitter and tree-sitter-swift (prebuilt wheels)"
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore \
    'tree-sitter==0.26.1' 'tree-sitter-swift==0.7.4'
fi

SWIFT="${PHR_SWIFT_BINDINGS:-$GEN/swift/PhrFFI.swift}"
if [ ! -f "$SWIFT" ]; then
  echo "== ios: generate the Swift bindings (as scripts/test-bindings.sh does)"
  LIB="$TARGET/debug/libphr_ffi.so"
  case "$(uname -s)" in Darwin) LIB="$TARGET/debug/libphr_ffi.dylib" ;; esac
  cargo build --locked --workspace 2>&1   # the workspace: a subset would unify features anew and recompile
  rm -rf "$GEN/swift"
  "$TARGET/debug/uniffi-bindgen" generate --library "$LIB" --language swift --out-dir "$GEN/swift" --no-format 2>&1
  SWIFT="$GEN/swift/PhrFFI.swift"
fi

echo "== ios: Swift sources against $(basename "$SWIFT")"
python3 tools/check_ios.py "$SWIFT"
