package org.phr.android

import android.content.Context
import androidx.health.connect.client.HealthConnectClient
import androidx.health.connect.client.permission.HealthPermission
import androidx.health.connect.client.records.BloodPressureRecord
import androidx.health.connect.client.records.ExerciseSessionRecord
import androidx.health.connect.client.records.HeartRateRecord
import androidx.health.connect.client.records.Record
import androidx.health.connect.client.records.RestingHeartRateRecord
import androidx.health.connect.client.records.SleepSessionRecord
import androidx.health.connect.client.records.StepsRecord
import androidx.health.connect.client.records.WeightRecord
import androidx.health.connect.client.request.ReadRecordsRequest
import androidx.health.connect.client.time.TimeRangeFilter
import org.phr.ffi.PlatformIngestReport
import org.phr.ffi.PlatformRecord
import org.phr.ffi.PlatformSource
import org.phr.shared.PhrRepository
import java.time.Instant
import kotlin.reflect.KClass

/**
 * Reads Health Connect and hands the records to the core (`ingestPlatformRecords`), which
 * maps them, drops what a better source already gave and stores the rest. Only the types
 * the person switched on in Health Connect's permission screen are read: a type without a
 * granted read permission is skipped, never asked for here. Runs when the person asks
 * (Import screen) or the app opens; nothing goes over the network.
 */
class HealthConnectReader(private val context: Context, private val repo: PhrRepository) {

    /** The types this app can use, each with how one record becomes the core's flat records. */
    private val types: Map<KClass<out Record>, (Record) -> List<PlatformRecord>> = mapOf(
        StepsRecord::class to { r -> (r as StepsRecord).let { listOf(flat("StepsRecord", it.startTime, it.endTime, it.count.toDouble(), "count", it)) } },
        HeartRateRecord::class to { r ->
            (r as HeartRateRecord).samples.map { s -> flat("HeartRateRecord", s.time, s.time, s.beatsPerMinute.toDouble(), "bpm", r) }
        },
        RestingHeartRateRecord::class to { r ->
            (r as RestingHeartRateRecord).let { listOf(flat("RestingHeartRateRecord", it.time, it.time, it.beatsPerMinute.toDouble(), "bpm", it)) }
        },
        WeightRecord::class to { r -> (r as WeightRecord).let { listOf(flat("WeightRecord", it.time, it.time, it.weight.inKilograms, "kilograms", it)) } },
        BloodPressureRecord::class to { r ->
            (r as BloodPressureRecord).let {
                listOf(
                    flat("BloodPressureRecord", it.time, it.time, it.systolic.inMillimetersOfMercury, "millimetersOfMercury", it)
                        .copy(diastolic = it.diastolic.inMillimetersOfMercury),
                )
            }
        },
        SleepSessionRecord::class to { r ->
            (r as SleepSessionRecord).let { s ->
                // One record per stage; the core counts only the asleep ones.
                s.stages.map { st -> flat("SleepSessionRecord", st.startTime, st.endTime, 0.0, "", s).copy(subtype = sleepStage(st.stage)) }
                    .ifEmpty { listOf(flat("SleepSessionRecord", s.startTime, s.endTime, 0.0, "", s)) }
            }
        },
        ExerciseSessionRecord::class to { r ->
            (r as ExerciseSessionRecord).let { listOf(flat("ExerciseSessionRecord", it.startTime, it.endTime, 0.0, "", it).copy(subtype = exercise(it.exerciseType))) }
        },
    )

    /** The read permissions to ask for on the Import screen (Health Connect shows one switch each). */
    val permissions: Set<String> = types.keys.map { HealthPermission.getReadPermission(it) }.toSet()

    /**
     * Reads what is new since the last read (the first looks back 30 days; the core drops
     * repeats anyway) and remembers where this one ended. Null: nothing granted or nothing new.
     */
    suspend fun readNew(): PlatformIngestReport? {
        val prefs = context.getSharedPreferences("health-connect", Context.MODE_PRIVATE)
        val since = prefs.getLong("last-read-ms", 0L).takeIf { it > 0 }?.let(Instant::ofEpochMilli)
            ?: Instant.now().minus(30, java.time.temporal.ChronoUnit.DAYS)
        val started = Instant.now()
        val report = readSince(since)
        prefs.edit().putLong("last-read-ms", started.toEpochMilli()).apply()
        return report
    }

    /** True when every type this app can use may be read already. */
    suspend fun allGranted(): Boolean =
        HealthConnectClient.getSdkStatus(context) == HealthConnectClient.SDK_AVAILABLE &&
            HealthConnectClient.getOrCreate(context).permissionController.getGrantedPermissions().containsAll(permissions)

    /** Reads [since] until now, for the granted types only, and stores what the core takes. */
    suspend fun readSince(since: Instant): PlatformIngestReport? {
        if (HealthConnectClient.getSdkStatus(context) != HealthConnectClient.SDK_AVAILABLE) return null
        val client = HealthConnectClient.getOrCreate(context)
        val granted = client.permissionController.getGrantedPermissions()
        val out = mutableListOf<PlatformRecord>()
        for ((type, flatten) in types) {
            if (HealthPermission.getReadPermission(type) !in granted) continue
            // The request is generic in the record class; the map's key is the class itself.
            @Suppress("UNCHECKED_CAST")
            val recordClass = type as KClass<Record>
            var page: String? = null
            do {
                val response = client.readRecords(
                    ReadRecordsRequest(recordClass, TimeRangeFilter.between(since, Instant.now()), pageToken = page),
                )
                response.records.forEach { out += flatten(it) }
                page = response.pageToken
            } while (page != null)
        }
        return if (out.isEmpty()) null else repo.ingestPlatformRecords(PlatformSource.HEALTH_CONNECT, out)
    }

    private fun flat(type: String, start: Instant, end: Instant, value: Double, unit: String, r: Record) = PlatformRecord(
        recordType = type,
        startMs = start.toEpochMilli(),
        endMs = end.toEpochMilli(),
        value = value,
        unit = unit,
        diastolic = null,
        subtype = null,
        distanceM = null,
        energyKcal = null,
        // The device's name when Health Connect knows it, else the app that wrote it.
        source = r.metadata.device?.model ?: r.metadata.dataOrigin.packageName,
    )

    private fun sleepStage(stage: Int): String = when (stage) {
        SleepSessionRecord.STAGE_TYPE_SLEEPING -> "STAGE_TYPE_SLEEPING"
        SleepSessionRecord.STAGE_TYPE_LIGHT -> "STAGE_TYPE_LIGHT"
        SleepSessionRecord.STAGE_TYPE_DEEP -> "STAGE_TYPE_DEEP"
        SleepSessionRecord.STAGE_TYPE_REM -> "STAGE_TYPE_REM"
        SleepSessionRecord.STAGE_TYPE_AWAKE -> "STAGE_TYPE_AWAKE"
        SleepSessionRecord.STAGE_TYPE_AWAKE_IN_BED -> "STAGE_TYPE_AWAKE_IN_BED"
        SleepSessionRecord.STAGE_TYPE_OUT_OF_BED -> "STAGE_TYPE_OUT_OF_BED"
        else -> "STAGE_TYPE_UNKNOWN"
    }

    /** Health Connect's exercise constants -> the names the core maps (platform_hub.rs). */
    private fun exercise(type: Int): String = when (type) {
        ExerciseSessionRecord.EXERCISE_TYPE_RUNNING -> "EXERCISE_TYPE_RUNNING"
        ExerciseSessionRecord.EXERCISE_TYPE_RUNNING_TREADMILL -> "EXERCISE_TYPE_RUNNING_TREADMILL"
        ExerciseSessionRecord.EXERCISE_TYPE_BIKING -> "EXERCISE_TYPE_BIKING"
        ExerciseSessionRecord.EXERCISE_TYPE_BIKING_STATIONARY -> "EXERCISE_TYPE_BIKING_STATIONARY"
        ExerciseSessionRecord.EXERCISE_TYPE_WALKING -> "EXERCISE_TYPE_WALKING"
        ExerciseSessionRecord.EXERCISE_TYPE_HIKING -> "EXERCISE_TYPE_HIKING"
        ExerciseSessionRecord.EXERCISE_TYPE_SWIMMING_POOL -> "EXERCISE_TYPE_SWIMMING_POOL"
        ExerciseSessionRecord.EXERCISE_TYPE_SWIMMING_OPEN_WATER -> "EXERCISE_TYPE_SWIMMING_OPEN_WATER"
        ExerciseSessionRecord.EXERCISE_TYPE_ROWING -> "EXERCISE_TYPE_ROWING"
        ExerciseSessionRecord.EXERCISE_TYPE_ROWING_MACHINE -> "EXERCISE_TYPE_ROWING_MACHINE"
        ExerciseSessionRecord.EXERCISE_TYPE_STRENGTH_TRAINING -> "EXERCISE_TYPE_STRENGTH_TRAINING"
        ExerciseSessionRecord.EXERCISE_TYPE_WEIGHTLIFTING -> "EXERCISE_TYPE_WEIGHTLIFTING"
        ExerciseSessionRecord.EXERCISE_TYPE_YOGA -> "EXERCISE_TYPE_YOGA"
        else -> "EXERCISE_TYPE_OTHER_WORKOUT"
    }
}
