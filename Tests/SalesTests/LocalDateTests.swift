import JSON
import Testing

@testable import Sales

@Suite("LocalDate")
struct LocalDateTests {
    @Test(
        "parses strict YYYY-MM-DD and writes it back",
        arguments: [
            "2026-03-01", "2024-02-29", "2000-02-29", "1970-01-01", "1969-12-31", "0000-01-01", "9999-12-31",
            "1900-02-28",
        ])
    func roundTrip(_ text: String) {
        #expect(LocalDate(text)?.description == text)
    }

    @Test(
        "refuses days the calendar does not have and every other shape",
        arguments: [
            "2026-02-30", "2026-02-29", "1900-02-29", "2100-02-29", "2026-13-01", "2026-00-10", "2026-04-31",
            "2026-01-00",
            "2026-01-32", "2026-1-01", "2026-01-1", "26-01-01", "2026/01/01", "2026-01-01T00:00:00Z", " 2026-01-01",
            "2026-01-01 ", "", "２０２６-01-01", "+2026-01-01", "2026-0a-01", "10000-01-01",
        ])
    func refusals(_ text: String) {
        #expect(LocalDate(text) == nil)
    }

    @Test("leap years follow the Gregorian rule")
    func leapYears() {
        #expect(LocalDate(year: 2024, month: 2, day: 29) != nil)
        #expect(LocalDate(year: 2000, month: 2, day: 29) != nil)
        #expect(LocalDate(year: 1900, month: 2, day: 29) == nil)
        #expect(LocalDate(year: 2023, month: 2, day: 29) == nil)
    }

    @Test("counts days from 1970-01-01 with integer civil arithmetic")
    func epochDays() {
        #expect(Fixture.day("1970-01-01").daysSinceEpoch == 0)
        #expect(Fixture.day("1970-01-02").daysSinceEpoch == 1)
        #expect(Fixture.day("1969-12-31").daysSinceEpoch == -1)
        #expect(Fixture.day("2000-03-01").daysSinceEpoch == 11_017)
        #expect(Fixture.day("2026-03-01").daysSinceEpoch == 20_513)
        #expect(LocalDate(daysSinceEpoch: 20_513)?.description == "2026-03-01")
        #expect(LocalDate(daysSinceEpoch: LocalDate.latest.daysSinceEpoch + 1) == nil)
    }

    @Test("every day from 1999 to 2001 survives days → fields → days")
    func civilRoundTrip() {
        let start = Fixture.day("1999-01-01").daysSinceEpoch
        for offset in 0..<(366 * 3) {
            let date = LocalDate(daysSinceEpoch: start + offset)!
            let (year, month, day) = date.components
            #expect(LocalDate(year: year, month: month, day: day) == date)
        }
    }

    @Test("adds days across month, year and leap-day boundaries")
    func addingDays() {
        #expect(Fixture.day("2024-02-28").adding(days: 1)?.description == "2024-02-29")
        #expect(Fixture.day("2024-02-29").adding(days: 1)?.description == "2024-03-01")
        #expect(Fixture.day("2025-12-31").adding(days: 1)?.description == "2026-01-01")
        #expect(Fixture.day("2026-03-01").adding(days: -29)?.description == "2026-01-31")
        #expect(Fixture.day("2026-03-01").adding(days: 365)?.description == "2027-03-01")
        #expect(LocalDate.latest.adding(days: 1) == nil)
        #expect(LocalDate.earliest.adding(days: -1) == nil)
        #expect(Fixture.day("2026-03-01").adding(days: Int.max) == nil)
    }

    @Test("counts the days between two dates")
    func daysBetween() {
        #expect(Fixture.day("2026-01-01").days(until: Fixture.day("2026-03-01")) == 59)
        #expect(Fixture.day("2024-01-01").days(until: Fixture.day("2024-03-01")) == 60)
        #expect(Fixture.day("2026-03-01").days(until: Fixture.day("2026-01-01")) == -59)
        #expect(Fixture.day("2026-03-01").days(until: Fixture.day("2026-03-01")) == 0)
    }

    @Test("orders by day")
    func ordering() {
        #expect(Fixture.day("2025-12-31") < Fixture.day("2026-01-01"))
        #expect(Fixture.day("2026-02-01") > Fixture.day("2026-01-31"))
    }

    @Test("is the UTC date of an instant")
    func fromInstant() {
        #expect(Fixture.instant("2026-03-01T23:59:59.999999999Z").utcDate == Fixture.day("2026-03-01"))
        #expect(Fixture.instant("2026-03-01T23:30:00-01:00").utcDate == Fixture.day("2026-03-02"))
        #expect(Fixture.instant("2026-03-01T00:30:00+03:00").utcDate == Fixture.day("2026-02-28"))
        #expect(Fixture.instant("1969-12-31T23:59:59.5Z").utcDate == Fixture.day("1969-12-31"))
    }
}
