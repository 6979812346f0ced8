import Foundation
import JSON
import Testing

@testable import Sales

@Suite("Instant")
struct InstantTests {
    @Test(
        "parses RFC 3339 and writes UTC with trimmed fractions",
        arguments: [
            ("2026-03-01T09:30:00Z", "2026-03-01T09:30:00Z"),
            ("2026-03-01T09:30:00.000Z", "2026-03-01T09:30:00Z"),
            ("2026-03-01T09:30:00.5Z", "2026-03-01T09:30:00.5Z"),
            ("2026-03-01T09:30:00.120Z", "2026-03-01T09:30:00.12Z"),
            ("2026-03-01T09:30:00.123456789Z", "2026-03-01T09:30:00.123456789Z"),
            ("2026-03-01T09:30:00.000000001Z", "2026-03-01T09:30:00.000000001Z"),
            ("2026-03-01t09:30:00z", "2026-03-01T09:30:00Z"),
            ("2026-03-01T12:30:00+03:00", "2026-03-01T09:30:00Z"),
            ("2026-03-01T04:00:00-05:30", "2026-03-01T09:30:00Z"),
            ("2026-03-01T00:15:00+01:00", "2026-02-28T23:15:00Z"),
            ("2024-02-29T23:00:00-02:00", "2024-03-01T01:00:00Z"),
            ("2026-03-01T09:30:00-00:00", "2026-03-01T09:30:00Z"),
            ("1969-12-31T23:59:59.25Z", "1969-12-31T23:59:59.25Z"),
            ("0000-01-01T00:00:00Z", "0000-01-01T00:00:00Z"),
            ("9999-12-31T23:59:59.999999999Z", "9999-12-31T23:59:59.999999999Z"),
        ])
    func parsing(_ text: String, _ utc: String) {
        #expect(Instant(text)?.description == utc)
    }

    @Test(
        "refuses anything that is not RFC 3339 or leaves years 0000...9999",
        arguments: [
            "2026-03-01", "2026-03-01T09:30Z", "2026-03-01T09:30:00", "2026-03-01 09:30:00Z", "2026-03-01T24:00:00Z",
            "2026-03-01T09:60:00Z", "2026-03-01T09:30:60Z", "2026-03-01T09:30:00.Z", "2026-03-01T09:30:00.1234567890Z",
            "2026-03-01T09:30:00+0300", "2026-03-01T09:30:00+03", "2026-03-01T09:30:00+24:00",
            "2026-03-01T09:30:00+03:60",
            "2026-02-30T09:30:00Z", "2026-03-01T09:30:00ZZ", "2026-03-01T09:30:00Z ", "0000-01-01T00:00:00+00:01",
            "9999-12-31T23:59:59-00:01", "2026-03-01T9:30:00Z", "",
        ])
    func refusals(_ text: String) {
        #expect(Instant(text) == nil)
    }

    @Test("keeps nanoseconds and compares at full precision")
    func precision() {
        let early = Fixture.instant("2026-03-01T09:30:00.123456789Z")
        let late = Fixture.instant("2026-03-01T09:30:00.12345679Z")
        #expect(early < late)
        #expect(early.nanoseconds == 123_456_789)
        #expect(Fixture.instant("2026-03-01T12:30:00+03:00") == Fixture.instant("2026-03-01T09:30:00Z"))
        #expect(Fixture.instant("1969-12-31T23:59:59.9Z") < Fixture.instant("1970-01-01T00:00:00Z"))
    }

    @Test("rounds down to PostgreSQL's microseconds")
    func microseconds() {
        let instant = Fixture.instant("2026-03-01T09:30:00.123456789Z")
        #expect(instant.microsecondsFloor.description == "2026-03-01T09:30:00.123456Z")
        #expect(instant.microsecondsSinceEpoch == 1_772_357_400_123_456)
        #expect(Instant(microsecondsSinceEpoch: 1_772_357_400_123_456) == instant.microsecondsFloor)
        let beforeEpoch = Fixture.instant("1969-12-31T23:59:59.9999995Z")
        #expect(beforeEpoch.microsecondsSinceEpoch == -1)
        #expect(Instant(microsecondsSinceEpoch: -1)?.description == "1969-12-31T23:59:59.999999Z")
    }

    @Test("starts a business date at 00:00Z")
    func startOfDay() {
        #expect(Instant(startOf: Fixture.day("2026-03-01")).description == "2026-03-01T00:00:00Z")
        #expect(Instant(startOf: Fixture.day("9999-12-31")).utcDate == Fixture.day("9999-12-31"))
    }

    @Test("reads a Foundation Date at microsecond precision")
    func fromDate() {
        #expect(Instant(Date(timeIntervalSince1970: 1_772_357_400.25)).description == "2026-03-01T09:30:00.25Z")
        #expect(Instant(Date(timeIntervalSince1970: -0.5)).description == "1969-12-31T23:59:59.5Z")
        #expect(
            Instant(Date(timeIntervalSince1970: 1e15))
                == Instant(secondsSinceEpoch: 253_402_300_799, nanoseconds: 999_999_000))
    }

    @Test("refuses seconds or nanoseconds out of range")
    func components() {
        #expect(Instant(secondsSinceEpoch: 0, nanoseconds: 1_000_000_000) == nil)
        #expect(Instant(secondsSinceEpoch: 0, nanoseconds: -1) == nil)
        #expect(Instant(secondsSinceEpoch: 253_402_300_800) == nil)
        #expect(Instant(secondsSinceEpoch: 253_402_300_799)?.description == "9999-12-31T23:59:59Z")
        #expect(Instant(microsecondsSinceEpoch: .max) == nil)
    }
}
