import Foundation
import JSON

/// How to read one JSON value of a command field into a typed value, recording what is wrong
/// with it under the field's name.
struct FieldFormat<Value> {
    /// Reads `value` of the field named `field`; on failure appends to the errors and yields nil.
    let read: (_ value: JSONValue, _ field: String, _ errors: inout [FieldError]) -> Value?

    init(read: @escaping (_ value: JSONValue, _ field: String, _ errors: inout [FieldError]) -> Value?) {
        self.read = read
    }

    /// A format whose check of a single value gives either the value or one message.
    init(check: @escaping (JSONValue) -> Result<Value, FieldProblem>) {
        read = { value, field, errors in
            switch check(value) {
            case .success(let result): return result
            case .failure(let problem):
                errors.append(FieldError(field: field, message: problem.message))
                return nil
            }
        }
    }

    /// A JSON array whose length lies in `count`, each element read with `element` and named
    /// `field[index]`.
    static func list<Element>(_ element: FieldFormat<Element>, count: ClosedRange<Int>) -> FieldFormat<[Element]> {
        FieldFormat<[Element]> { value, field, errors in
            guard case .array(let items) = value else {
                errors.append(FieldError(field: field, message: "must be an array"))
                return nil
            }
            if items.count < count.lowerBound {
                errors.append(FieldError(field: field, message: "must have at least \(count.lowerBound) entries"))
                return nil
            }
            if items.count > count.upperBound {
                errors.append(FieldError(field: field, message: "must have at most \(count.upperBound) entries"))
                return nil
            }
            let before = errors.count
            let elements = items.enumerated().compactMap { index, item in
                element.read(item, "\(field)[\(index)]", &errors)
            }
            return errors.count == before ? elements : nil
        }
    }

    /// A nested JSON object read member by member with `readMembers`; unknown members are refused.
    static func object(_ readMembers: @escaping (inout CommandFields) -> Value?) -> FieldFormat<Value> {
        FieldFormat { value, field, errors in
            guard value.objectValue != nil else {
                errors.append(FieldError(field: field, message: "must be a JSON object"))
                return nil
            }
            var fields = CommandFields(value, path: field)
            let result = readMembers(&fields)
            fields.rejectUnknownKeys()
            errors.append(contentsOf: fields.errors)
            return fields.errors.isEmpty ? result : nil
        }
    }
}

/// The message of a field that failed its check.
struct FieldProblem: Error {
    let message: String

    init(_ message: String) {
        self.message = message
    }
}

extension FieldFormat where Value == String {
    /// A non-blank string of at most `maxLength` characters. Single-line text refuses every control
    /// character; `multiline` text allows tab, line feed and carriage return.
    static func text(maxLength: Int, multiline: Bool = false) -> FieldFormat {
        FieldFormat { value in
            guard let text = value.stringValue else { return .failure(FieldProblem("must be a string")) }
            if text.unicodeScalars.allSatisfy(\.properties.isWhitespace) {
                return .failure(FieldProblem("must not be blank"))
            }
            if text.count > maxLength {
                return .failure(FieldProblem("must be at most \(maxLength) characters"))
            }
            let allowed: Set<Unicode.Scalar> = multiline ? ["\t", "\n", "\r"] : []
            if text.unicodeScalars.contains(where: { $0.isControl && !allowed.contains($0) }) {
                return .failure(FieldProblem("must not contain control characters"))
            }
            return .success(text)
        }
    }

    /// An e-mail address shaped `local@domain.tld`: at most 254 characters, a local part of at most
    /// 64, no whitespace or control characters, a domain of at least two dot-separated labels that
    /// neither start nor end with `-`.
    static var email: FieldFormat {
        FieldFormat { value in
            guard let text = value.stringValue else { return .failure(FieldProblem("must be a string")) }
            guard text.count <= TextLimit.email else {
                return .failure(FieldProblem("must be at most \(TextLimit.email) characters"))
            }
            let parts = text.split(separator: "@", omittingEmptySubsequences: false)
            let isWellFormed =
                parts.count == 2 && !parts[0].isEmpty && parts[0].count <= 64
                && !text.unicodeScalars.contains { $0.properties.isWhitespace || $0.isControl }
                && isDomain(parts[1])
            return isWellFormed
                ? .success(text) : .failure(FieldProblem("must be an e-mail address like name@example.com"))
        }
    }

    private static func isDomain(_ domain: Substring) -> Bool {
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        return labels.count >= 2
            && labels.allSatisfy { label in
                !label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                    && label.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" }
            }
    }

    /// A phone number as people write it: at most 32 characters of digits, spaces and `- ( ) .`,
    /// with an optional leading `+`, and at least 3 digits.
    static var phone: FieldFormat {
        FieldFormat { value in
            guard let text = value.stringValue else { return .failure(FieldProblem("must be a string")) }
            guard text.count <= TextLimit.phone else {
                return .failure(FieldProblem("must be at most \(TextLimit.phone) characters"))
            }
            let body = text.hasPrefix("+") ? text.dropFirst() : Substring(text)
            let allowed = Set("0123456789 -().")
            let digitCount = body.filter(\.isASCII).filter(\.isNumber).count
            guard body.allSatisfy(allowed.contains), digitCount >= 3 else {
                return .failure(
                    FieldProblem("must be a phone number: digits, spaces, - ( ) . and an optional leading +"))
            }
            return .success(text)
        }
    }

    /// A pipeline name or stage key: `[a-z0-9][a-z0-9-]{0,62}`.
    static var key: FieldFormat {
        FieldFormat { value in
            guard let text = value.stringValue else { return .failure(FieldProblem("must be a string")) }
            return Pipeline.isValidKey(text)
                ? .success(text)
                : .failure(FieldProblem("must be 1 to 63 lower-case letters, digits or '-', not starting with '-'"))
        }
    }
}

extension FieldFormat where Value == Int64 {
    /// A positive amount of minor units: a JSON integer (no fraction, no exponent) from 1 up to
    /// `Int64.max`.
    static var positiveAmount: FieldFormat {
        FieldFormat { value in
            guard case .number(let number) = value else {
                return .failure(FieldProblem("must be an integer number of minor units"))
            }
            guard number.isInteger else {
                return .failure(FieldProblem("must be an integer number of minor units, without fraction or exponent"))
            }
            if number.literal.hasPrefix("-") || number.literal == "0" {
                return .failure(FieldProblem("must be greater than 0"))
            }
            guard let amount = number.int64Value else {
                return .failure(FieldProblem("must be at most \(Int64.max)"))
            }
            return .success(amount)
        }
    }
}

extension FieldFormat where Value == Currency {
    /// An ISO 4217 alphabetic code in upper case.
    static var currency: FieldFormat {
        FieldFormat { value in
            guard let code = value.stringValue else { return .failure(FieldProblem("must be a string")) }
            guard let currency = Currency(code: code) else {
                return .failure(FieldProblem("must be an ISO 4217 currency code such as RUB, EUR or USD"))
            }
            return .success(currency)
        }
    }
}

extension FieldFormat where Value == LocalDate {
    /// A business date `YYYY-MM-DD` that the calendar has.
    static var date: FieldFormat {
        FieldFormat { value in
            guard let text = value.stringValue else { return .failure(FieldProblem("must be a string")) }
            if let date = LocalDate(text) { return .success(date) }
            let shape = Array(text.utf8)
            let isDateShaped =
                shape.count == 10 && shape[4] == UInt8(ascii: "-") && shape[7] == UInt8(ascii: "-")
                && ASCIIDigits.value(shape[0..<4]) != nil && ASCIIDigits.value(shape[5..<7]) != nil
                && ASCIIDigits.value(shape[8..<10]) != nil
            return .failure(FieldProblem(isDateShaped ? "is not a day of the calendar" : "must be a date YYYY-MM-DD"))
        }
    }
}

extension FieldFormat where Value == Instant {
    /// An RFC 3339 instant with 0 to 9 fractional digits and `Z` or an offset.
    static var instant: FieldFormat {
        FieldFormat { value in
            guard let text = value.stringValue else { return .failure(FieldProblem("must be a string")) }
            guard let instant = Instant(text) else {
                return .failure(FieldProblem("must be an RFC 3339 instant such as 2026-03-01T09:30:00Z"))
            }
            return .success(instant)
        }
    }
}

extension FieldFormat where Value == UUID {
    /// A UUID in its 36-character textual form (either case).
    static var uuid: FieldFormat {
        FieldFormat { value in
            guard let text = value.stringValue, text.utf8.count == 36, let uuid = UUID(uuidString: text) else {
                return .failure(FieldProblem("must be a UUID"))
            }
            return .success(uuid)
        }
    }
}

extension FieldFormat where Value == Bool {
    /// `true` or `false`.
    static var boolean: FieldFormat {
        FieldFormat { value in
            guard case .bool(let flag) = value else { return .failure(FieldProblem("must be true or false")) }
            return .success(flag)
        }
    }
}

extension FieldFormat where Value: RawRepresentable & CaseIterable, Value.RawValue == String {
    /// One of the raw values of `Value`.
    static var choice: FieldFormat {
        FieldFormat { value in
            if let text = value.stringValue, let choice = Value(rawValue: text) { return .success(choice) }
            let names = Value.allCases.map(\.rawValue).joined(separator: ", ")
            return .failure(FieldProblem("must be one of: \(names)"))
        }
    }
}

extension FieldFormat where Value == String {
    /// Any JSON string, checked further by the caller.
    static var string: FieldFormat {
        FieldFormat { value in
            value.stringValue.map { .success($0) } ?? .failure(FieldProblem("must be a string"))
        }
    }
}

extension Unicode.Scalar {
    /// Whether this is a control character (general category Cc: U+0000–U+001F and
    /// U+007F–U+009F, a range Unicode keeps stable), told without the property tables.
    fileprivate var isControl: Bool {
        value < 0x20 || (0x7F...0x9F).contains(value)
    }
}
