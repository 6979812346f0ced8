/// A point in time with nanosecond precision, from 0000-01-01T00:00:00Z through
/// 9999-12-31T23:59:59.999999999Z (the range RFC 3339 can write).
///
/// Stored as whole seconds since 1970-01-01T00:00:00Z plus a nanosecond part in `0..<1_000_000_000`,
/// so every business date has an instant at its start. Parsed from RFC 3339 with 0 to 9 fractional
/// digits and `Z` or a `±hh:mm` offset (normalised to UTC); always written in UTC.
public struct Instant: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    /// Whole seconds since 1970-01-01T00:00:00Z (floor: negative before it).
    public let secondsSinceEpoch: Int64
    /// The nanoseconds after `secondsSinceEpoch`, in `0..<1_000_000_000`.
    public let nanoseconds: Int32

    static let nanosecondsPerSecond: Int64 = 1_000_000_000
    static let secondsPerDay: Int64 = 86_400
    static let earliestSecond = Int64(LocalDate.earliest.daysSinceEpoch) * secondsPerDay
    static let latestSecond = Int64(LocalDate.latest.daysSinceEpoch) * secondsPerDay + secondsPerDay - 1

    /// The instant `secondsSinceEpoch` seconds plus `nanoseconds` after the epoch, or nil when
    /// `nanoseconds` is outside `0..<1_000_000_000` or the instant is outside years 0000...9999.
    public init?(secondsSinceEpoch: Int64, nanoseconds: Int32 = 0) {
        guard (0..<Int32(Instant.nanosecondsPerSecond)).contains(nanoseconds),
            (Instant.earliestSecond...Instant.latestSecond).contains(secondsSinceEpoch)
        else { return nil }
        self.secondsSinceEpoch = secondsSinceEpoch
        self.nanoseconds = nanoseconds
    }

    /// The instant this many microseconds after the epoch (PostgreSQL's `timestamptz` precision),
    /// or nil outside years 0000...9999.
    public init?(microsecondsSinceEpoch micros: Int64) {
        let (seconds, remainder) = Instant.floorDivision(micros, 1_000_000)
        self.init(secondsSinceEpoch: seconds, nanoseconds: Int32(remainder * 1000))
    }

    /// 00:00:00Z at the start of `date`: the `occurredAt` of an event dated by a business date.
    public init(startOf date: LocalDate) {
        secondsSinceEpoch = Int64(date.daysSinceEpoch) * Instant.secondsPerDay
        nanoseconds = 0
    }

    /// Parses an RFC 3339 date-time: `YYYY-MM-DDTHH:MM:SS`, then optionally `.` and 1 to 9
    /// digits, then `Z` or `±HH:MM` (`T` and `Z` may be lower case). Seconds run 00...59: a leap
    /// second (`60`) is refused. Nil for anything else or for an instant outside years 0000...9999.
    public init?(_ text: some StringProtocol) {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20,
            bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t"),
            bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
            let date = LocalDate(String(decoding: bytes[0..<10], as: UTF8.self)),
            let hour = ASCIIDigits.value(bytes[11..<13]), hour < 24,
            let minute = ASCIIDigits.value(bytes[14..<16]), minute < 60,
            let second = ASCIIDigits.value(bytes[17..<19]), second < 60
        else { return nil }

        var index = 19
        var fraction: Int64 = 0
        if bytes[index] == UInt8(ascii: ".") {
            let start = index + 1
            var end = start
            while end < bytes.count, end - start < 10, ASCIIDigits.value(bytes[end..<end + 1]) != nil {
                end += 1
            }
            guard end > start, end - start <= 9, let digits = ASCIIDigits.value(bytes[start..<end]) else { return nil }
            var scale: Int64 = 1
            for _ in 0..<(9 - (end - start)) { scale *= 10 }
            fraction = Int64(digits) * scale
            index = end
        }

        guard index < bytes.count else { return nil }
        let offsetSeconds: Int64
        switch bytes[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard index + 1 == bytes.count else { return nil }
            offsetSeconds = 0
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard index + 6 == bytes.count, bytes[index + 3] == UInt8(ascii: ":"),
                let offsetHours = ASCIIDigits.value(bytes[index + 1..<index + 3]), offsetHours < 24,
                let offsetMinutes = ASCIIDigits.value(bytes[index + 4..<index + 6]), offsetMinutes < 60
            else { return nil }
            let magnitude = Int64(offsetHours * 3600 + offsetMinutes * 60)
            offsetSeconds = bytes[index] == UInt8(ascii: "+") ? magnitude : -magnitude
        default:
            return nil
        }

        let local = Int64(date.daysSinceEpoch) * Instant.secondsPerDay + Int64(hour * 3600 + minute * 60 + second)
        self.init(secondsSinceEpoch: local - offsetSeconds, nanoseconds: Int32(fraction))
    }

    /// The UTC calendar date of this instant.
    public var utcDate: LocalDate {
        let (days, _) = Instant.floorDivision(secondsSinceEpoch, Instant.secondsPerDay)
        return LocalDate(unchecked: Int(days))
    }

    /// Microseconds since the epoch, rounded down: the value PostgreSQL stores for this instant
    /// if it were truncated. `recordedAt <= knownAt` holds exactly when the stored microseconds are
    /// at most this value.
    public var microsecondsSinceEpoch: Int64 {
        secondsSinceEpoch * 1_000_000 + Int64(nanoseconds / 1000)
    }

    /// This instant rounded down to a whole microsecond.
    public var microsecondsFloor: Instant {
        Instant(uncheckedSeconds: secondsSinceEpoch, nanoseconds: nanoseconds / 1000 * 1000)
    }

    init(uncheckedSeconds seconds: Int64, nanoseconds: Int32) {
        secondsSinceEpoch = seconds
        self.nanoseconds = nanoseconds
    }

    /// RFC 3339 in UTC, `2026-03-01T09:30:00Z`, with fractional digits only when the nanoseconds
    /// are not zero and trailing zeros trimmed (`…:00.5Z`, `…:00.000000001Z`).
    public var description: String {
        let (_, secondOfDay) = Instant.floorDivision(secondsSinceEpoch, Instant.secondsPerDay)
        let hour = Int(secondOfDay / 3600)
        let minute = Int(secondOfDay % 3600 / 60)
        let second = Int(secondOfDay % 60)
        var text =
            utcDate.description + "T" + ASCIIDigits.padded(hour, width: 2) + ":"
            + ASCIIDigits.padded(minute, width: 2) + ":" + ASCIIDigits.padded(second, width: 2)
        if nanoseconds != 0 {
            var fraction = ASCIIDigits.padded(Int(nanoseconds), width: 9)
            while fraction.hasSuffix("0") { fraction.removeLast() }
            text += "." + fraction
        }
        return text + "Z"
    }

    public static func < (lhs: Instant, rhs: Instant) -> Bool {
        (lhs.secondsSinceEpoch, lhs.nanoseconds) < (rhs.secondsSinceEpoch, rhs.nanoseconds)
    }

    /// Decodes from an RFC 3339 string.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let instant = Instant(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an RFC 3339 instant: \(text)")
        }
        self = instant
    }

    /// Encodes as an RFC 3339 UTC string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// Quotient and remainder with the remainder always in `0..<divisor` (divisor > 0).
    static func floorDivision(_ value: Int64, _ divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        let remainder = value % divisor
        return remainder < 0 ? (value / divisor - 1, remainder + divisor) : (value / divisor, remainder)
    }
}
