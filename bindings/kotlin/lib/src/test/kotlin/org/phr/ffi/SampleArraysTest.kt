package org.phr.ffi

import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withContext
import org.junit.jupiter.api.Assertions.*
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import kotlin.random.Random

/** The columns call from primitive arrays (ADR 0052): same bytes, same call, same results. */
class SampleArraysTest {
    /** The bytes a lowered buffer holds, and the buffer freed. */
    private fun bytesOf(buf: RustBuffer.ByValue): ByteArray =
        try {
            ByteArray(buf.len.toInt()).also { buf.asByteBuffer()!!.get(it) }
        } finally {
            RustBuffer.free(buf)
        }

    private fun randomArrays(rng: Random): SampleArrays {
        val n = rng.nextInt(0, 300)
        val edge = longArrayOf(0L, -1L, Long.MIN_VALUE, Long.MAX_VALUE, 1_735_689_600_000L)
        val starts = LongArray(n) { if (rng.nextInt(5) == 0) edge[rng.nextInt(edge.size)] else rng.nextLong() }
        val ends = if (rng.nextBoolean()) LongArray(0) else LongArray(rng.nextInt(0, 300)) { rng.nextLong() }
        val odd = doubleArrayOf(0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.MIN_VALUE, 1e308)
        val values = DoubleArray(rng.nextInt(0, 300)) { if (rng.nextInt(5) == 0) odd[rng.nextInt(odd.size)] else rng.nextDouble(-1e6, 1e6) }
        val kinds = SampleKind.values()
        val source = listOf("", "test-watch", "Forerunner 265", "Zoë's scale ⚖️", "x".repeat(rng.nextInt(0, 500)))[rng.nextInt(5)]
        return SampleArrays(kinds[rng.nextInt(kinds.size)], source, starts, values, ends)
    }

    @Test
    fun `the arrays cross as the generated SampleColumns converter writes them, byte for byte`() {
        val rng = Random(19)
        repeat(500) { round ->
            val a = randomArrays(rng)
            val generated = bytesOf(FfiConverterTypeSampleColumns.lower(SampleColumns(a.kind, a.source, a.startMs.asList(), a.endMs.asList(), a.values.asList())))
            val ours = bytesOf(SampleArraysConverter.lower(a))
            assertArrayEquals(generated, ours, "round $round: ${a.startMs.size}/${a.endMs.size}/${a.values.size} readings, source of ${a.source.length} chars")
        }
    }

    @Test
    fun `readings stored from arrays come back as the list call stores them`() = runBlocking<Unit> {
        val (rec, _) = newRecord()
        val columns = heartRateColumns(10_000)
        val report = withContext(Dispatchers.IO) {
            rec.ingestSampleArraysBlocking(SampleArrays(columns.kind, columns.source, columns.startMs.toLongArray(), columns.values.toDoubleArray()))
        }
        assertEquals(10_000uL, report.added)
        val from = columns.startMs.first()
        assertEquals(heartRates(10_000), rec.samples(SampleKind.HEART_RATE, from, from + 10_000L * 60_000L))

        // The same readings again, through the suspend form from this (non-IO) thread: all repeats.
        val again = rec.ingestSampleArrays(SampleArrays(columns.kind, columns.source, columns.startMs.toLongArray(), columns.values.toDoubleArray()))
        assertEquals(0uL, again.added)
        assertEquals(10_000uL, again.duplicates)
        rec.close()
    }

    @Test
    fun `uneven or invalid arrays are refused whole, with the list call's error`() = runBlocking<Unit> {
        val (rec, _) = newRecord()
        val uneven = assertThrows<PhrException.InvalidInput> {
            rec.ingestSampleArraysBlocking(SampleArrays(SampleKind.HEART_RATE, "w", LongArray(10) { it * 60_000L }, DoubleArray(9) { 60.0 }))
        }
        assertEquals("sample columns", uneven.field)
        val values = DoubleArray(100) { 60.0 }.also { it[57] = 5000.0 }
        val bad = assertThrows<PhrException.InvalidInput> {
            rec.ingestSampleArrays(SampleArrays(SampleKind.HEART_RATE, "w", LongArray(100) { 1_735_689_600_000L + it * 60_000L }, values))
        }
        assertEquals("sample value", bad.field)
        assertTrue(rec.sampleSummary().isEmpty(), "nothing landed")
        rec.close()
    }

    /**
     * The issue 19 figure: Kotlin -> core for 10,000 readings against the same call made from
     * Rust, on one IO thread. Each round makes the three calls back to back, in an order that
     * turns each round, so a busy moment of the machine falls on all three alike; the ratio
     * is taken per round and its median printed beside the ratio of the best times.
     */
    @Test
    fun `benchmark - 10,000 samples, blocking call from primitive arrays and from lists vs the same from Rust, interleaved, 21 rounds`() = runBlocking<Unit> {
        val dir = tempDir()
        withContext(Dispatchers.IO) {
            val start = 1_735_689_600_000L
            fun arrays() = SampleArrays(SampleKind.HEART_RATE, "test-watch", LongArray(10_000) { i -> start + i * 60_000L }, DoubleArray(10_000) { i -> 60.0 + (i % 40) })
            fun timed(call: (PhrRecord) -> IngestReport): Double {
                val (rec, _) = newRecord()
                val t0 = System.nanoTime()
                val report = call(rec)
                val ms = (System.nanoTime() - t0) / 1e6
                assertEquals(10_000uL, report.added)
                rec.close()
                return ms
            }
            // Warm the JIT first: an app importing series meets this code compiled.
            repeat(20) {
                newRecord().first.use { it.ingestSampleArraysBlocking(arrays()) }
                newRecord().first.use { it.ingestSampleColumnsBlocking(heartRateColumns(10_000)) }
            }
            repeat(3) { diagnosticsRustIngestColumnsMs(dir.toString(), 10_000u, true) }
            val arraysMs = mutableListOf<Double>()
            val listsMs = mutableListOf<Double>()
            val rustMs = mutableListOf<Double>()
            repeat(21) { round ->
                // Each input is built outside the timing, as the Rust side builds its own.
                val a = arrays()
                val c = heartRateColumns(10_000)
                val calls = listOf(
                    { arraysMs += timed { it.ingestSampleArraysBlocking(a) } },
                    { listsMs += timed { it.ingestSampleColumnsBlocking(c) } },
                    { rustMs += diagnosticsRustIngestColumnsMs(dir.toString(), 10_000u, true).also { ms -> assertTrue(ms > 0.0) } },
                )
                for (i in calls.indices) calls[(i + round) % calls.size]()
            }
            fun median(v: List<Double>) = v.sorted()[v.size / 2]
            val perRound = { k: List<Double> -> median(k.indices.map { k[it] / rustMs[it] }) }
            println(
                "BENCH 10000 samples, blocking call, 21 rounds: best arrays %.2f ms, lists %.2f ms, same call from rust %.2f ms; ratio of best arrays %.2fx, lists %.2fx; median per-round ratio arrays %.2fx, lists %.2fx"
                    .format(arraysMs.min(), listsMs.min(), rustMs.min(), arraysMs.min() / rustMs.min(), listsMs.min() / rustMs.min(), perRound(arraysMs), perRound(listsMs)),
            )
        }
    }
}
