// Hand-written beside the generated bindings (same package, same Kotlin module): the
// columns call taking primitive arrays. Why it exists and what guards it: ADR 0052.
package org.phr.ffi

import java.nio.ByteBuffer
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext

/**
 * Readings of one kind from one source as primitive arrays, which is how an app holds a
 * series it has read from a sensor, a file or Health Connect. It crosses the boundary as
 * [SampleColumns] does, byte for byte, so the core sees the same call; only the Kotlin side
 * of the copy differs (see [SampleArraysConverter]).
 *
 * `endMs` empty: each reading is an instant (ends when it starts).
 */
class SampleArrays(
    val kind: SampleKind,
    val source: String,
    val startMs: LongArray,
    val values: DoubleArray,
    val endMs: LongArray = LongArray(0),
)

/**
 * Writes [SampleArrays] in UniFFI's wire layout for the record [SampleColumns] (its fields
 * in declaration order; each list as a big-endian `i32` count then its items, 8 bytes each,
 * big-endian). The generated converter writes a `List<Long>` one boxed element at a time
 * and sums a list of boxed sizes first: 0.2 ms of the 0.35 ms the boundary cost for 10,000
 * readings (docs/benchmarks.md). Here each array goes in with one bulk copy.
 *
 * The layout is UniFFI's, not ours: `SampleArraysTest` checks these bytes against the
 * generated `FfiConverterTypeSampleColumns` on every build, so a change of layout in a new
 * UniFFI version fails a test instead of reaching the core.
 */
object SampleArraysConverter : FfiConverterRustBuffer<SampleArrays> {
    override fun allocationSize(value: SampleArrays): ULong =
        FfiConverterTypeSampleKind.allocationSize(value.kind) +
            FfiConverterString.allocationSize(value.source) +
            column(value.startMs.size) + column(value.endMs.size) + column(value.values.size)

    override fun write(value: SampleArrays, buf: ByteBuffer) {
        FfiConverterTypeSampleKind.write(value.kind, buf)
        FfiConverterString.write(value.source, buf)
        buf.putInt(value.startMs.size)
        buf.asLongBuffer().put(value.startMs)
        buf.position(buf.position() + 8 * value.startMs.size)
        buf.putInt(value.endMs.size)
        buf.asLongBuffer().put(value.endMs)
        buf.position(buf.position() + 8 * value.endMs.size)
        buf.putInt(value.values.size)
        buf.asDoubleBuffer().put(value.values)
        buf.position(buf.position() + 8 * value.values.size)
    }

    /** Not used: nothing returns [SampleArrays]. Read back as the generated record reads it. */
    override fun read(buf: ByteBuffer): SampleArrays {
        val c = FfiConverterTypeSampleColumns.read(buf)
        return SampleArrays(c.kind, c.source, c.startMs.toLongArray(), c.values.toDoubleArray(), c.endMs.toLongArray())
    }

    private fun column(count: Int): ULong = 4UL + 8UL * count.toULong()
}

/**
 * [PhrRecord.ingestSampleColumnsBlocking] for readings held as primitive arrays: the same
 * core call, one transaction (all land or none do), the same checks and errors (uneven
 * columns: [PhrException.InvalidInput] for `sample columns`). A plain call on the caller's
 * thread: make it off the main thread (an import on `Dispatchers.IO`, a WorkManager job), or
 * use [ingestSampleArrays], which goes there itself.
 */
@Throws(PhrException::class)
fun PhrRecord.ingestSampleArraysBlocking(arrays: SampleArrays): IngestReport =
    FfiConverterTypeIngestReport.lift(
        callWithHandle { handle ->
            val status = UniffiRustCallStatus()
            val report = UniffiLib.uniffi_phr_ffi_fn_method_phrrecord_ingest_sample_columns_blocking(
                handle,
                SampleArraysConverter.lower(arrays),
                status,
            )
            throwIfFailed(status)
            report
        },
    )

/**
 * What the generated (file-private) status check does after every call: a typed
 * [PhrException] for an error the core returned, [InternalException] for a panic.
 */
private fun throwIfFailed(status: UniffiRustCallStatus) {
    when {
        status.isSuccess() -> return
        status.isError() -> throw PhrException.ErrorHandler.lift(status.error_buf)
        status.isPanic() && status.error_buf.len > 0 -> throw InternalException(FfiConverterString.lift(status.error_buf))
        status.isPanic() -> throw InternalException("Rust panic")
        else -> throw InternalException("Unknown rust call status: ${status.code}")
    }
}

/** [ingestSampleArraysBlocking] on `Dispatchers.IO`: safe to call from the main thread. */
@Throws(PhrException::class)
suspend fun PhrRecord.ingestSampleArrays(arrays: SampleArrays): IngestReport =
    withContext(Dispatchers.IO) { ingestSampleArraysBlocking(arrays) }
