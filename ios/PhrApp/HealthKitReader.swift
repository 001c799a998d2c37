import Foundation
import HealthKit
import PhrFFI

/// Reads what the owner switched on from Apple Health and hands it, flattened, to the core
/// (`ingestPlatformRecords`), which maps the types, units and sources as it does for an
/// Apple Health export, so the same reading never counts twice. Asks HealthKit only for the
/// types of the groups switched on, and only when the owner presses Read.
enum HealthGroup: String, CaseIterable {
    case activity
    case heart
    case body
    case bloodPressure
    case sleep

    var key: String {
        switch self {
        case .activity: return "ui.connect.health_activity"
        case .heart: return "ui.connect.health_heart"
        case .body: return "ui.connect.health_body"
        case .bloodPressure: return "ui.connect.health_blood_pressure"
        case .sleep: return "ui.connect.health_sleep"
        }
    }

    var quantityTypes: [HKQuantityTypeIdentifier] {
        switch self {
        case .activity: return [.stepCount, .distanceWalkingRunning, .distanceCycling, .activeEnergyBurned]
        case .heart: return [.heartRate, .restingHeartRate, .vo2Max, .heartRateVariabilitySDNN]
        case .body: return [.bodyMass, .height, .bodyFatPercentage]
        case .bloodPressure: return [.bloodPressureSystolic, .bloodPressureDiastolic]
        case .sleep: return []
        }
    }
}

struct HealthKitReader {
    private let store = HKHealthStore()

    static var available: Bool { HKHealthStore.isHealthDataAvailable() }

    /// Asks for the chosen groups' types, reads the last `days` days, and stores them.
    func read(groups: Set<HealthGroup>, days: Int, into record: PhrRecord) async throws -> PlatformIngestReport {
        var types: Set<HKObjectType> = []
        for group in groups {
            group.quantityTypes.forEach { types.insert(HKQuantityType($0)) }
            if group == .sleep { types.insert(HKCategoryType(.sleepAnalysis)) }
            if group == .activity { types.insert(HKWorkoutType.workoutType()) }
        }
        guard !types.isEmpty else { return try await record.ingestPlatformRecords(source: .healthKit, records: []) }
        try await store.requestAuthorization(toShare: [], read: types)
        let since = Calendar.current.date(byAdding: .day, value: -days, to: Date()) ?? Date()
        var records: [PlatformRecord] = []
        for group in groups {
            for id in group.quantityTypes where id != .bloodPressureDiastolic {
                records += try await quantities(id, since: since)
            }
            if group == .sleep { records += try await sleep(since: since) }
            if group == .activity { records += try await workouts(since: since) }
        }
        return try await record.ingestPlatformRecords(source: .healthKit, records: records)
    }

    private func samples(_ type: HKSampleType, since: Date) async throws -> [HKSample] {
        let predicate = HKQuery.predicateForSamples(withStart: since, end: nil)
        let descriptor = HKSampleQueryDescriptor(predicates: [.sample(type: type, predicate: predicate)], sortDescriptors: [])
        return try await descriptor.result(for: store)
    }

    /// Blood pressure comes as one record with both numbers (the core's shape).
    private func quantities(_ id: HKQuantityTypeIdentifier, since: Date) async throws -> [PlatformRecord] {
        let type = HKQuantityType(id)
        let unit = Self.unit(for: id)
        var out: [PlatformRecord] = []
        for case let s as HKQuantitySample in try await samples(type, since: since) {
            out.append(PlatformRecord(
                recordType: id.rawValue, startMs: Self.ms(s.startDate), endMs: Self.ms(s.endDate),
                value: s.quantity.doubleValue(for: unit), unit: unit.unitString, diastolic: nil, subtype: nil,
                distanceM: nil, energyKcal: nil, source: s.sourceRevision.source.name
            ))
        }
        if id == .bloodPressureSystolic {
            let diastolic = try await samples(HKQuantityType(.bloodPressureDiastolic), since: since)
            let byTime = Dictionary(diastolic.compactMap { $0 as? HKQuantitySample }.map { (Self.ms($0.startDate), $0) }, uniquingKeysWith: { a, _ in a })
            out = out.map { r in
                var r = r
                r.recordType = "HKCorrelationTypeIdentifierBloodPressure"
                r.diastolic = byTime[r.startMs]?.quantity.doubleValue(for: unit)
                return r
            }
        }
        return out
    }

    private func sleep(since: Date) async throws -> [PlatformRecord] {
        var out: [PlatformRecord] = []
        for case let s as HKCategorySample in try await samples(HKCategoryType(.sleepAnalysis), since: since) {
            out.append(PlatformRecord(
                recordType: HKCategoryTypeIdentifier.sleepAnalysis.rawValue, startMs: Self.ms(s.startDate), endMs: Self.ms(s.endDate),
                value: 0, unit: "", diastolic: nil, subtype: Self.sleepStage(s.value),
                distanceM: nil, energyKcal: nil, source: s.sourceRevision.source.name
            ))
        }
        return out
    }

    private func workouts(since: Date) async throws -> [PlatformRecord] {
        var out: [PlatformRecord] = []
        for case let w as HKWorkout in try await samples(HKWorkoutType.workoutType(), since: since) {
            out.append(PlatformRecord(
                recordType: "HKWorkoutTypeIdentifier", startMs: Self.ms(w.startDate), endMs: Self.ms(w.endDate),
                value: w.duration, unit: "s", diastolic: nil, subtype: Self.workoutName(w.workoutActivityType),
                distanceM: w.totalDistance?.doubleValue(for: .meter()),
                energyKcal: w.statistics(for: HKQuantityType(.activeEnergyBurned))?.sumQuantity()?.doubleValue(for: .kilocalorie()),
                source: w.sourceRevision.source.name
            ))
        }
        return out
    }

    private static func ms(_ date: Date) -> Int64 { Int64(date.timeIntervalSince1970 * 1000) }

    /// The units an Apple Health export writes, which the core already reads.
    private static func unit(for id: HKQuantityTypeIdentifier) -> HKUnit {
        switch id {
        case .stepCount: return .count()
        case .distanceWalkingRunning, .distanceCycling: return .meter()
        case .activeEnergyBurned: return .kilocalorie()
        case .heartRate, .restingHeartRate: return HKUnit.count().unitDivided(by: .minute())
        case .vo2Max: return HKUnit(from: "ml/kg*min")
        case .heartRateVariabilitySDNN: return .secondUnit(with: .milli)
        case .bodyMass: return .gramUnit(with: .kilo)
        case .height: return .meter()
        case .bodyFatPercentage: return .percent()
        case .bloodPressureSystolic, .bloodPressureDiastolic: return .millimeterOfMercury()
        default: return .count()
        }
    }

    /// HealthKit's names for sleep stages, as the export writes them.
    private static func sleepStage(_ value: Int) -> String {
        switch HKCategoryValueSleepAnalysis(rawValue: value) ?? .asleepUnspecified {
        case .inBed: return "HKCategoryValueSleepAnalysisInBed"
        case .awake: return "HKCategoryValueSleepAnalysisAwake"
        case .asleepCore: return "HKCategoryValueSleepAnalysisAsleepCore"
        case .asleepDeep: return "HKCategoryValueSleepAnalysisAsleepDeep"
        case .asleepREM: return "HKCategoryValueSleepAnalysisAsleepREM"
        default: return "HKCategoryValueSleepAnalysisAsleepUnspecified"
        }
    }

    /// The export's workout names for the common activities; the core maps them to sports.
    private static func workoutName(_ type: HKWorkoutActivityType) -> String {
        switch type {
        case .running: return "HKWorkoutActivityTypeRunning"
        case .cycling: return "HKWorkoutActivityTypeCycling"
        case .walking: return "HKWorkoutActivityTypeWalking"
        case .swimming: return "HKWorkoutActivityTypeSwimming"
        case .hiking: return "HKWorkoutActivityTypeHiking"
        case .yoga: return "HKWorkoutActivityTypeYoga"
        case .traditionalStrengthTraining: return "HKWorkoutActivityTypeTraditionalStrengthTraining"
        default: return "HKWorkoutActivityTypeOther"
        }
    }
}
