public import JSON

extension JSONWriter {
    /// A date as a `YYYY-MM-DD` string, or `null` when absent.
    public mutating func date(_ day: LocalDate?) {
        guard let day else { return null() }
        beginValue()
        let (year, month, dayOfMonth) = day.components
        bytes.append(UInt8(ascii: "\""))
        appendDigits(UInt64(year), count: 4)
        bytes.append(UInt8(ascii: "-"))
        appendDigits(UInt64(month), count: 2)
        bytes.append(UInt8(ascii: "-"))
        appendDigits(UInt64(dayOfMonth), count: 2)
        bytes.append(UInt8(ascii: "\""))
    }
}
