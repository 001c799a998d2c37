#!/usr/bin/env bash
# Builds phr-ffi, generates the Kotlin, Python and Swift bindings from the built library,
# and runs the Kotlin JVM tests (Maven Surefire: bindings, android/shared view-models, and the
# android/ui Compose screens rendered headless with Compose Multiplatform desktop, ADR 0030)
# and the Python tests (pytest). Called by scripts/test-all.sh; runnable on its own.
# Needs: Rust, Java 17+ and Maven 3.8+, Python 3 with pytest (scripts/setup-test-tools.sh installs it).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
# Run on its own (not from test-all.sh, which sets this), the JVM tests' temp folders and
# the Kotlin daemon's log go to a folder of this run, removed at the end, not into /tmp.
if [ -z "${JAVA_TOOL_OPTIONS:-}" ]; then
  JVM_TMP=$(mktemp -d "${TMPDIR:-/tmp}/phr-bindings.XXXXXX")
  trap 'rm -rf "$JVM_TMP"' EXIT
  export JAVA_TOOL_OPTIONS="-Djava.io.tmpdir=$JVM_TMP -XX:-UsePerfData"
fi
GEN="$TARGET/uniffi-generated"
LIB="$TARGET/debug/libphr_ffi.so"
case "$(uname -s)" in
  Darwin) LIB="$TARGET/debug/libphr_ffi.dylib" ;;
esac

echo "== bindings: build phr-ffi and uniffi-bindgen"
# The whole workspace, as the test stage built it: a build of only some packages unifies
# features differently and recompiles their shared dependencies (minutes on a fresh machine).
cargo build --locked --workspace 2>&1

# (phr-ffi's own Rust tests ran with the workspace in scripts/test-all.sh.)

echo "== bindings: generate Kotlin, Python and Swift"
rm -rf "$GEN"
for lang in kotlin python swift; do
  "$TARGET/debug/uniffi-bindgen" generate --library "$LIB" --language "$lang" \
    --out-dir "$GEN/$lang" --no-format 2>&1
done
# The Swift sources are only checked here (Swift does not run on these machines).
SWIFT="$GEN/swift/PhrFFI.swift"
for sym in "func syncNow" "func deviceOffer" "func deviceJoinRequest" "func removeDevice" "class PhrRecord" "public protocol KeyStore" "enum PhrError: Swift.Error" "func ingestSamplesBatched" \
           "public enum EntryValue" "public protocol Logger" "public protocol ProgressListener" "async throws" \
           "func insightReport" "func setInsightCategoryEnabled" "func insightChart" "func insightSparkline" "func setGoal" \
           "public enum InsightCategory" "public struct InsightReport" "func importFiles" "public struct ImportReport" \
           "func activities" "func importFhirJson" "func exportIps" "func exportFhirBundle" "func createGrant" \
           "func revokeGrant" "func auditLog" "func verifyAudit" "public struct Grant" "func shareLink" "func revokeShare" "func refreshShares" "func updateSharedLink" "func answerReply" "func resetPasscodeTries" \
           "func formSpec" "func validateForm" "func addEntryFromForm" "func editForm" "func editEntryFromForm" "public enum FormOutcome" \
           "func homeScreen" "func sectionScreen" "func entryScreen" "public struct EntryScreen" "func observe" "public protocol RecordChangeListener" \
           "public enum RecordArea" "func catalogueText" "func inspectFile" "func inspectBytes" "func exportRecordJson" \
           "func smartBegin" "func smartFinish" "func fhirPull" "func fhirLinks" "class SmartSession" \
           "func insightsScreen" "func sharingScreen" "func devicesScreen" "func importsScreen" "func settingsScreen" \
           "func notificationsDue" "func appPreferences" "func setAppPreferences" "func ingestPlatformRecords" "public enum PlatformSource" \
           "func stravaAuthorizeUrl" "func stravaConnect" "func stravaSync" "func stravaStatus" "func dismissSyncConflict" "public struct ConflictNote"; do
  grep -q "$sym" "$SWIFT" || { echo "generated Swift lacks: $sym"; exit 1; }
done
test -f "$GEN/swift/PhrFFIFFI.h" || { echo "generated Swift lacks its C header"; exit 1; }
echo "Swift sources generated: $(ls "$GEN/swift" | tr '\n' ' ')"

echo "== bindings: Kotlin on the JVM (Maven Surefire, JUnit 5)"
# No -o: a fresh machine downloads the plugins and libraries once; later runs reuse ~/.m2.
MVN_LOG="$TARGET/kotlin-tests.log"
mvn -B -ntp -Dstyle.color=never -f bindings/kotlin/pom.xml \
  -Dphr.root="$ROOT" -Dphr.generated.kotlin="$GEN/kotlin" -Dphr.native.dir="$(dirname "$LIB")" \
  test 2>&1 | tee "$MVN_LOG"
# JUnit does not run a test function that returns a value (a Kotlin `= runBlocking { ... }`
# whose last expression is not Unit) and only warns, so the run stays green without it.
if grep -q "must not return a value" "$MVN_LOG"; then
  echo "JUnit did not run these tests (they return a value: write runBlocking<Unit>):"
  grep "must not return a value" "$MVN_LOG" | sort -u
  exit 1
fi

echo "== bindings: Python (pytest)"
cp "$LIB" "$GEN/python/"
PHR_RELAY_BIN="$TARGET/debug/phr-relay" PHR_FFI_PYTHON_DIR="$GEN/python" python3 -m pytest -q bindings/python/tests -p no:cacheprovider 2>&1

echo "== bindings: all stages passed"
