#!/usr/bin/env python3
"""Writes a synthetic Apple Health export.xml of about --size-mb MB (deterministic).

    python3 scripts/gen-apple-health-export.py --size-mb 1024 --out /tmp/export.xml

What a real multi-year export looks like: the internal DTD (`--broken-dtd`: with the
unclosed ATTLIST some iOS versions write; off by default so the peer can read it), then <Record>s of many types from an iPhone and an Apple Watch
(steps and distance overlapping, heart rate, resting HR, HRV, active energy, sleep,
weight, body fat, VO2max, plus a type we do not import), and a <Workout> every day with
WorkoutStatistics. Used by scripts/bench-apple-health.sh; not a CI step (CI may run a
small size).
"""
import argparse
import datetime as dt
import random

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE HealthData [
<!-- HealthKit Export Version: 14 -->
<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary|ClinicalRecord|Audiogram|VisionPrescription)*)>
<!ATTLIST HealthData
  locale CDATA #REQUIRED
>
<!ATTLIST Record
  type          CDATA #REQUIRED
  unit          CDATA #IMPLIED
  value         CDATA #IMPLIED
  sourceName    CDATA #REQUIRED
  startDate     CDATA #REQUIRED
  endDate       CDATA #REQUIRED
BROKEN]>
<HealthData locale="en_GB">
 <ExportDate value="2026-11-25 08:00:00 +0000"/>
 <Me HKCharacteristicTypeIdentifierDateOfBirth="1980-01-01" HKCharacteristicTypeIdentifierBiologicalSex="HKBiologicalSexFemale"/>
"""

PHONE = ("Sam’s iPhone", "iPhone14,2", "17.1")
WATCH = ("Sam’s Apple Watch", "Watch6,1", "10.1")


def rec(out, ty, src, unit, start, end, value):
    name, device, version = src
    s = start.strftime("%Y-%m-%d %H:%M:%S +0000")
    e = end.strftime("%Y-%m-%d %H:%M:%S +0000")
    out.write(
        f' <Record type="HKQuantityTypeIdentifier{ty}" sourceName="{name}" sourceVersion="{version}" '
        f'device="&lt;&lt;HKDevice: 0x283c1c0a0&gt;, name:{device}&gt;" unit="{unit}" '
        f'creationDate="{e}" startDate="{s}" endDate="{e}" value="{value}"/>\n'
    )


def day(out, d, rnd):
    t0 = dt.datetime.combine(d, dt.time(0, 0))
    for m in range(0, 24 * 60, 10):  # every 10 minutes from each device
        a = t0 + dt.timedelta(minutes=m)
        b = a + dt.timedelta(minutes=10)
        steps = rnd.randint(0, 900)
        rec(out, "StepCount", PHONE, "count", a, b, steps)
        rec(out, "DistanceWalkingRunning", PHONE, "km", a, b, round(steps * 0.00075, 5))
        rec(out, "StepCount", WATCH, "count", a, b, steps + rnd.randint(0, 40))
        rec(out, "ActiveEnergyBurned", WATCH, "Cal", a, b, round(rnd.uniform(0, 40), 3))
        for k in range(0, 10, 2):  # watch heart rate every 2 minutes
            t = a + dt.timedelta(minutes=k)
            rec(out, "HeartRate", WATCH, "count/min", t, t, rnd.randint(55, 150))
        rec(out, "EnvironmentalAudioExposure", PHONE, "dBASPL", a, b, round(rnd.uniform(40, 80), 2))
    n = t0 + dt.timedelta(hours=7)
    rec(out, "RestingHeartRate", WATCH, "count/min", n, n, rnd.randint(52, 62))
    rec(out, "HeartRateVariabilitySDNN", WATCH, "ms", n, n, round(rnd.uniform(25, 70), 2))
    rec(out, "BodyMass", PHONE, "kg", n, n, round(rnd.uniform(70, 72), 1))
    rec(out, "BodyFatPercentage", PHONE, "%", n, n, round(rnd.uniform(0.2, 0.22), 3))
    rec(out, "VO2Max", WATCH, "mL/min·kg", n, n, round(rnd.uniform(40, 44), 2))
    s0, s1 = t0 - dt.timedelta(hours=1), t0 + dt.timedelta(hours=6)
    out.write(
        f' <Record type="HKCategoryTypeIdentifierSleepAnalysis" sourceName="{WATCH[0]}" '
        f'startDate="{s0:%Y-%m-%d %H:%M:%S} +0000" endDate="{s1:%Y-%m-%d %H:%M:%S} +0000" value="HKCategoryValueSleepAnalysisAsleepCore"/>\n'
    )
    w0 = t0 + dt.timedelta(hours=18)
    w1 = w0 + dt.timedelta(minutes=40)
    out.write(
        f' <Workout workoutActivityType="HKWorkoutActivityTypeRunning" duration="40" durationUnit="min" '
        f'sourceName="{WATCH[0]}" startDate="{w0:%Y-%m-%d %H:%M:%S} +0000" endDate="{w1:%Y-%m-%d %H:%M:%S} +0000">\n'
        f'  <WorkoutStatistics type="HKQuantityTypeIdentifierDistanceWalkingRunning" startDate="{w0:%Y-%m-%d %H:%M:%S} +0000" '
        f'endDate="{w1:%Y-%m-%d %H:%M:%S} +0000" sum="{rnd.uniform(6, 9):.3f}" unit="km"/>\n'
        f'  <WorkoutStatistics type="HKQuantityTypeIdentifierHeartRate" startDate="{w0:%Y-%m-%d %H:%M:%S} +0000" '
        f'endDate="{w1:%Y-%m-%d %H:%M:%S} +0000" average="148" minimum="110" maximum="176" unit="count/min"/>\n'
        f" </Workout>\n"
    )


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size-mb", type=float, default=1024)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=4)
    ap.add_argument("--broken-dtd", action="store_true", help="leave the last ATTLIST unclosed, as some iOS versions do (the peer cannot read that)")
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    target = int(a.size_mb * 1024 * 1024)
    d = dt.date(2015, 1, 1)
    with open(a.out, "w", encoding="utf-8", buffering=1 << 20) as out:
        out.write(HEAD.replace("BROKEN", "" if a.broken_dtd else ">\n"))
        while out.tell() < target:
            day(out, d, rnd)
            d += dt.timedelta(days=1)
        out.write("</HealthData>\n")
    print(f"wrote {a.out}: {target / 1048576:.0f} MB target, days 2015-01-01..{d}")


if __name__ == "__main__":
    main()
