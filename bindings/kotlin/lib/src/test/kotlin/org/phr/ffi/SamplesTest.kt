package org.phr.ffi

import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.Assertions.*
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit

class SamplesTest {
    private class Recorder(val onCall: (ULong, ULong) -> Unit = { _, _ -> }) : ProgressListener {
        val calls = CopyOnWriteArrayList<Pair<ULong, ULong>>()
        val stages = CopyOnWriteArrayList<String>()
        override fun onProgress(stage: String, done: ULong, total: ULong) {
            stages.add(stage)
            calls.add(done to total)
            onCall(done, total)
        }
    }

    @Test
    fun `a 10,000-sample batch crosses the boundary in one transaction`() = runBlocking<Unit> {
        val (rec, _) = newRecord()
        val samples = heartRates(10_000)
        val report = rec.ingestSamples(samples)
        assertEquals(10_000uL, report.added)
        assertEquals(0uL, report.duplicates)

        val from = samples.first().startMs
        val all = rec.samples(SampleKind.HEART_RATE, from, from + 10_000L * 60_000L)
        assertEquals(samples, all, "every sample comes back, in order, unchanged")
        val firstHour = rec.samples(SampleKind.HEART_RATE, from, from + 3_600_000L)
        assertEquals(60, firstHour.size)

        val rollups = rec.dailyRollups(SampleKind.HEART_RATE, date(2025, 1, 1), date(2025, 1, 31))
        assertEquals(7, rollups.size, "10,000 minutes span 7 UTC days")
        assertEquals(10_000uL, rollups.sumOf { it.count })
        assertEquals(date(2025, 1, 1), rollups.first().day)
        assertEquals(1_440uL, rollups.first().count)
        assertEquals(60.0, rollups.first().min)
        assertEquals(99.0, rollups.first().max)

        val again = rec.ingestSamples(samples)
        assertEquals(0uL, again.added)
        assertEquals(10_000uL, again.duplicates, "re-ingest is a no-op")
        val summary = rec.sampleSummary().single()
        assertEquals(SampleKind.HEART_RATE, summary.kind)
        assertEquals(10_000uL, summary.count)
        rec.close()
    }

    @Test
    fun `benchmark - 10,000 samples from Kotlin vs the same from Rust, interleaved, best of 7`() = runBlocking<Unit> {
        val dir = tempDir()
        // Warm up JNA, the JIT (the record converters) and the library on other records.
        repeat(3) { newRecord().first.use { it.ingestSamples(heartRates(10_000)) } }
        diagnosticsRustIngestMs(dir.toString(), 10_000u)
        var kotlinBest = Double.MAX_VALUE
        var rustBest = Double.MAX_VALUE
        repeat(7) {
            val (rec, _) = newRecord()
            val samples = heartRates(10_000) // built outside the timing, as in Rust
            val t0 = System.nanoTime()
            val report = rec.ingestSamples(samples)
            val kotlinMs = (System.nanoTime() - t0) / 1e6
            assertEquals(10_000uL, report.added)
            rec.close()
            val rustMs = diagnosticsRustIngestMs(dir.toString(), 10_000u)
            assertTrue(rustMs > 0.0)
            kotlinBest = minOf(kotlinBest, kotlinMs)
            rustBest = minOf(rustBest, rustMs)
            println("BENCH round: kotlin %.1f ms, rust %.1f ms".format(kotlinMs, rustMs))
        }
        println("BENCH 10000 samples, best of 7: kotlin %.1f ms, rust %.1f ms, ratio kotlin/rust %.2fx".format(kotlinBest, rustBest, kotlinBest / rustBest))
    }

    @Test
    fun `columns store the same readings as records, and uneven columns are refused`() = runBlocking<Unit> {
        val (rec, _) = newRecord()
        val report = rec.ingestSampleColumns(heartRateColumns(10_000))
        assertEquals(10_000uL, report.added)
        val samples = heartRates(10_000)
        val from = samples.first().startMs
        assertEquals(samples, rec.samples(SampleKind.HEART_RATE, from, from + 10_000L * 60_000L), "the same samples as the record-by-record call")
        assertEquals(10_000uL, rec.ingestSamples(samples).duplicates, "the same readings, so all duplicates")

        val uneven = heartRateColumns(10).let { it.copy(values = it.values.dropLast(1)) }
        val e = assertThrows<PhrException.InvalidInput> { runBlocking { rec.ingestSampleColumns(uneven) } }
        assertEquals("sample columns", e.field)
        rec.close()
    }

    @Test
    fun `benchmark - 10,000 samples as columns from Kotlin vs the same from Rust, interleaved, best of 7`() = runBlocking<Unit> {
        val dir = tempDir()
        repeat(3) { newRecord().first.use { it.ingestSampleColumns(heartRateColumns(10_000)) } }
        diagnosticsRustIngestMs(dir.toString(), 10_000u)
        diagnosticsRustIngestColumnsMs(dir.toString(), 10_000u, false)
        var kotlinBest = Double.MAX_VALUE
        var sameCallBest = Double.MAX_VALUE
        var coreBest = Double.MAX_VALUE
        repeat(7) {
            val (rec, _) = newRecord()
            val columns = heartRateColumns(10_000) // built outside the timing, as in Rust
            val t0 = System.nanoTime()
            val report = rec.ingestSampleColumns(columns)
            val kotlinMs = (System.nanoTime() - t0) / 1e6
            assertEquals(10_000uL, report.added)
            rec.close()
            // The same async entry point awaited from Rust: what is left is the boundary.
            val sameCallMs = diagnosticsRustIngestColumnsMs(dir.toString(), 10_000u, false)
            // The core's ingest alone, no thread hop: the floor.
            val coreMs = diagnosticsRustIngestMs(dir.toString(), 10_000u)
            assertTrue(sameCallMs > 0.0 && coreMs > 0.0)
            kotlinBest = minOf(kotlinBest, kotlinMs)
            sameCallBest = minOf(sameCallBest, sameCallMs)
            coreBest = minOf(coreBest, coreMs)
            println("BENCH columns round: kotlin %.1f ms, same call from rust %.1f ms, core alone %.1f ms".format(kotlinMs, sameCallMs, coreMs))
        }
        println(
            "BENCH 10000 samples as columns, best of 7: kotlin %.1f ms, same call from rust %.1f ms, core alone %.1f ms; ratio kotlin/same call %.2fx, kotlin/core %.2fx"
                .format(kotlinBest, sameCallBest, coreBest, kotlinBest / sameCallBest, kotlinBest / coreBest),
        )
    }

    @Test
    fun `the blocking columns call stores the same readings and refuses uneven columns`() = runBlocking<Unit> {
        val (rec, _) = newRecord()
        val report = withContext(Dispatchers.IO) { rec.ingestSampleColumnsBlocking(heartRateColumns(10_000)) }
        assertEquals(10_000uL, report.added)
        val samples = heartRates(10_000)
        val from = samples.first().startMs
        assertEquals(samples, rec.samples(SampleKind.HEART_RATE, from, from + 10_000L * 60_000L), "the same samples as the record-by-record call")
        val uneven = heartRateColumns(10).let { it.copy(values = it.values.dropLast(1)) }
        val e = assertThrows<PhrException.InvalidInput> { rec.ingestSampleColumnsBlocking(uneven) }
        assertEquals("sample columns", e.field)
        rec.close()
    }

    @Test
    fun `an invalid sample fails the whole batch with a typed error`() = runBlocking<Unit> {
        val (rec, _) = newRecord()
        val bad = heartRates(100).toMutableList()
        bad[57] = bad[57].copy(value = 5000.0)
        val e = assertThrows<PhrException.InvalidInput> { rec.ingestSamples(bad) }
        assertEquals("sample value", e.field)
        assertTrue(rec.sampleSummary().isEmpty(), "nothing landed")
        assertThrows<PhrException.InvalidInput> { runBlocking { rec.ingestSamplesBatched(bad, 10u, null, null) } }
        assertTrue(rec.sampleSummary().isEmpty(), "batched ingest validates everything before the first batch")
        rec.close()
    }

    @Test
    fun `batched ingest reports progress from Rust into Kotlin`() = runBlocking {
        val (rec, _) = newRecord()
        val listener = Recorder()
        val report = rec.ingestSamplesBatched(heartRates(10_000), 1_000u, listener, null)
        assertEquals(10_000uL, report.added)
        assertEquals(10u, report.batches)
        assertFalse(report.cancelled)
        assertEquals((1..10).map { (it * 1_000).toULong() to 10_000uL }, listener.calls.toList())
        assertEquals(setOf("samples"), listener.stages.toSet())
        rec.close()
    }

    @Test
    fun `a cancel handle stops the ingest between batches`() = runBlocking {
        val (rec, _) = newRecord()
        val cancel = CancelHandle()
        val listener = Recorder { done, _ -> if (done >= 2_000uL) cancel.cancel() }
        val report = rec.ingestSamplesBatched(heartRates(10_000), 1_000u, listener, cancel)
        assertTrue(report.cancelled)
        assertEquals(2u, report.batches)
        assertEquals(2_000uL, report.added)
        assertEquals(2_000uL, rec.sampleSummary().single().count, "exactly the landed batches are stored")
        rec.close()
    }

    @Test
    fun `cancelling the coroutine cancels the work in Rust`() = runBlocking {
        val (rec, _) = newRecord()
        val cancel = CancelHandle()
        val firstBatch = CompletableDeferred<Unit>()
        val release = CountDownLatch(1)
        // The listener holds the worker after the first batch until the coroutine is gone.
        val listener = Recorder { _, _ ->
            firstBatch.complete(Unit)
            release.await(10, TimeUnit.SECONDS)
        }
        val job = async(Dispatchers.IO) { rec.ingestSamplesBatched(heartRates(5_000), 500u, listener, cancel) }
        withTimeout(10_000) { firstBatch.await() }
        assertFalse(cancel.isCancelled())
        job.cancel()
        job.join()
        assertTrue(job.isCancelled)
        assertTrue(cancel.isCancelled(), "dropping the Rust future set the cancel flag")
        release.countDown()
        // The worker stops at its next check: only the first batch ever lands.
        var count = 0uL
        repeat(50) {
            Thread.sleep(20)
            count = rec.sampleSummary().singleOrNull()?.count ?: 0uL
        }
        assertEquals(500uL, count)
        assertEquals(1, listener.calls.size)
        rec.close()
    }

    @Test
    fun `the demo fill runs async with progress and honours a cancel`() = runBlocking {
        val (rec, _) = newRecord()
        val cancelled = CancelHandle().also { it.cancel() }
        assertThrows<PhrException.Cancelled> { runBlocking { rec.fillDemo(date(2026, 6, 1), null, cancelled) } }
        assertTrue(rec.listEntries("medications", false, false).isEmpty(), "nothing was written")

        val listener = Recorder()
        val report = rec.fillDemo(date(2026, 6, 1), listener, null)
        assertTrue(report.entries >= 30uL)
        assertTrue(report.samples > 1_000uL, "a year of readings")
        assertEquals(report.samples, rec.sampleSummary().sumOf { it.count }, "every reported sample is stored")
        assertEquals(listOf(0uL to 1uL, 1uL to 1uL), listener.calls.toList())
        assertEquals(listOf("demo", "demo"), listener.stages.toList())
        val weights = rec.dailyRollups(SampleKind.WEIGHT, date(2025, 6, 1), date(2026, 6, 1))
        assertTrue(weights.size in 300..366, "daily weights over the year: ${weights.size}")
        rec.close()
    }
}
