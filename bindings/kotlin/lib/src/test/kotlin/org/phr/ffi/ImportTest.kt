package org.phr.ffi

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.*
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.CopyOnWriteArrayList

/** Wearable imports (#4) through the real library: GPX files written here, folders, cancel. */
class ImportTest {
    /** A three-point GPX run on `day` (an ISO date) with heart rate; `name` goes in the track name. */
    private fun gpx(day: String, name: String = "Morning run"): String = """<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1"
     xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">
 <trk><name>$name</name><type>running</type><trkseg>
  <trkpt lat="53.8000" lon="-1.5500"><ele>60</ele><time>${day}T07:00:00Z</time><extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>120</gpxtpx:hr></gpxtpx:TrackPointExtension></extensions></trkpt>
  <trkpt lat="53.8010" lon="-1.5510"><ele>62</ele><time>${day}T07:01:00Z</time><extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>135</gpxtpx:hr></gpxtpx:TrackPointExtension></extensions></trkpt>
  <trkpt lat="53.8020" lon="-1.5520"><ele>61</ele><time>${day}T07:02:00Z</time><extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>142</gpxtpx:hr></gpxtpx:TrackPointExtension></extensions></trkpt>
 </trkseg></trk>
</gpx>
"""

    private fun write(dir: Path, name: String, text: String): Path = dir.resolve(name).also { Files.writeString(it, text) }

    private class Recorder(val onCall: (ULong, ULong) -> Unit = { _, _ -> }) : ProgressListener {
        val calls = CopyOnWriteArrayList<Triple<String, ULong, ULong>>()
        override fun onProgress(stage: String, done: ULong, total: ULong) {
            calls.add(Triple(stage, done, total))
            onCall(done, total)
        }
    }

    private val everything = Long.MIN_VALUE / 2 to Long.MAX_VALUE / 2

    @Test
    fun `a GPX file adds one activity with its track, and importing it again adds nothing`() = runBlocking {
        val (rec, _) = newRecord()
        val file = write(tempDir(), "run.gpx", gpx("2026-10-01"))
        val listener = Recorder()
        val report = rec.importFiles(listOf(file.toString()), null, listener, null)
        assertFalse(report.cancelled)
        assertEquals(1uL, report.totals.files)
        assertEquals(1uL, report.totals.activitiesAdded)
        val f = report.files.single()
        assertEquals(ImportFormat.GPX, f.format)
        assertEquals(ImportFileStatus.OK, f.status)
        assertEquals(3uL, f.points)
        assertEquals("2026-10-01T07:00:00Z", f.firstUtc)
        assertEquals("2026-10-01T07:02:00Z", f.lastUtc)
        assertEquals(Triple("files", 1uL, 1uL), listener.calls.last())

        val acts = rec.activities(everything.first, everything.second)
        val a = acts.single()
        assertEquals("running", a.sport)
        assertEquals(1_790_838_000_000L, a.startMs)
        assertEquals(120.0, a.elapsedS)
        assertTrue(a.distanceM!! in 200.0..300.0, "about 260 m: ${a.distanceM}")
        assertTrue(a.track.isEmpty(), "lists leave tracks out")
        val detail = rec.activity(a.id)
        assertEquals(listOf(120.0, 135.0, 142.0), detail.track.map { it.hr })
        assertEquals(53.8, detail.track.first().lat!!, 1e-9)

        val again = rec.importFiles(listOf(file.toString()), null, null, null)
        assertEquals(0uL, again.totals.activitiesAdded)
        assertEquals(1uL, again.totals.activitiesUnchanged)
        assertEquals(1, rec.activities(everything.first, everything.second).size)
        rec.close()
    }

    @Test
    fun `a folder is imported file by file and a cancel stops at a file boundary`() = runBlocking {
        val dir = tempDir()
        for (d in 1..4) write(dir, "run$d.gpx", gpx("2026-10-0$d"))
        val (rec, _) = newRecord()
        val cancel = CancelHandle()
        val listener = Recorder { done, _ -> if (done >= 1uL) cancel.cancel() }
        val report = rec.importFiles(listOf(dir.toString()), null, listener, cancel)
        assertTrue(report.cancelled)
        assertEquals(1uL, report.totals.activitiesAdded, "only the file committed before the cancel")
        assertEquals(1, rec.activities(everything.first, everything.second).size, "the store holds exactly that file")

        // Cancelled before it starts: nothing at all.
        val (fresh, _) = newRecord()
        val early = CancelHandle().also { it.cancel() }
        val none = fresh.importFiles(listOf(dir.toString()), null, null, early)
        assertTrue(none.cancelled)
        assertEquals(0uL, none.totals.activitiesAdded)
        assertTrue(fresh.activities(everything.first, everything.second).isEmpty())

        // Not cancelled: the rest of the folder, with the first file recognised as known.
        val rest = rec.importFiles(listOf(dir.toString()), null, null, null)
        assertFalse(rest.cancelled)
        assertEquals(4uL, rest.totals.files)
        assertEquals(3uL, rest.totals.activitiesAdded)
        assertEquals(1uL, rest.totals.activitiesUnchanged)
        assertEquals(4, rec.activities(everything.first, everything.second).size)
        rec.close()
        fresh.close()
    }

    @Test
    fun `a damaged file is reported with its position and reason, never its content, and stores nothing`() = runBlocking {
        val (rec, _) = newRecord()
        val whole = gpx("2026-10-05", name = "SENTINEL-Zx81 clinic walk")
        val cut = write(tempDir(), "cut.gpx", whole.substring(0, whole.indexOf("<trkpt lat=\"53.8000\"") + 30))
        val report = rec.importFiles(listOf(cut.toString()), null, null, null)
        val f = report.files.single()
        assertTrue(f.status == ImportFileStatus.PARTIAL || f.status == ImportFileStatus.FAILED, "${f.status}")
        assertEquals(0uL, f.activitiesAdded)
        val p = f.problems.first()
        assertNotNull(p.offset ?: p.line, "a position is given: $p")
        assertTrue(p.reason.isNotBlank())
        assertTrue(f.problems.none { it.reason.contains("SENTINEL") || it.reason.contains("53.80") }, "${f.problems}")
        assertTrue(rec.activities(everything.first, everything.second).isEmpty())
        assertTrue(rec.sampleSummary().isEmpty())

        val text = write(tempDir(), "notes.txt", "not health data")
        val skipped = rec.importFiles(listOf(text.toString()), null, null, null)
        assertEquals(ImportFileStatus.SKIPPED, skipped.files.single().status)

        val e = assertThrows<PhrException.NotFound> { runBlocking { rec.importFiles(listOf(tempDir().resolve("absent.fit").toString()), null, null, null) } }
        assertEquals("file or folder", e.what)
        rec.close()
    }

    @Test
    fun `bytes shared into the app import like a file`() = runBlocking {
        val (rec, _) = newRecord()
        val r = rec.importBytes("shared.gpx", gpx("2026-09-30").toByteArray(), null)
        assertEquals(ImportFileStatus.OK, r.status)
        assertEquals(1uL, r.activitiesAdded)
        assertEquals(0uL, rec.importBytes("shared.gpx", gpx("2026-09-30").toByteArray(), null).activitiesAdded)
        rec.close()
    }
}
