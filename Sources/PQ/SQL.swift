import Foundation

/// A SQL statement whose interpolated values travel as `$n` parameters.
///
/// `"SELECT * FROM events WHERE position > \(after)"` becomes the text
/// `SELECT * FROM events WHERE position > $1` with `after` bound as `$1`.
/// A value can never become part of the statement text, so injection is
/// impossible by construction. Identifiers that must be spliced into the text
/// (read-model table names chosen by the program) go through
/// ``StringInterpolation/appendInterpolation(identifier:)``, which quotes them.
public struct SQL: Sendable, Hashable, ExpressibleByStringInterpolation {
    /// The statement text with `$1…$n` placeholders.
    public private(set) var text: String
    /// The bound values (`nil` is SQL NULL).
    public private(set) var binds: [PQParameter?]

    public init(stringLiteral value: String) {
        text = value
        binds = []
    }

    /// Runtime text spliced in as SQL, with no binds: the named way for text that is not written
    /// as a literal at the call. Only for text made of constants (the fact tables' column lists and queries,
    /// which a test checks); values always go through `\(value)` as binds.
    public init(unsafeRaw text: String) {
        self.init(stringLiteral: text)
    }

    public init(stringInterpolation: StringInterpolation) {
        text = stringInterpolation.text
        binds = stringInterpolation.binds
    }

    /// Appends another statement fragment, renumbering its placeholders.
    public mutating func append(_ other: SQL) {
        var interpolation = StringInterpolation(literalCapacity: 0, interpolationCount: 0)
        interpolation.text = text
        interpolation.binds = binds
        interpolation.appendInterpolation(fragment: other)
        text = interpolation.text
        binds = interpolation.binds
    }

    /// Builds statements; see ``SQL``.
    public struct StringInterpolation: StringInterpolationProtocol, Sendable {
        var text = ""
        var binds: [PQParameter?] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            text.reserveCapacity(literalCapacity + interpolationCount * 3)
        }

        public mutating func appendLiteral(_ literal: String) {
            text += literal
        }

        /// Binds a value as the next `$n`.
        public mutating func appendInterpolation(_ value: some PQEncodable) {
            binds.append(.text(value.pqText))
            text += "$\(binds.count)"
        }

        /// Binds an optional value; `nil` is SQL NULL.
        public mutating func appendInterpolation(_ value: (some PQEncodable)?) {
            binds.append(value.map { .text($0.pqText) })
            text += "$\(binds.count)"
        }

        /// Binds an array in binary format as the next `$n`.
        public mutating func appendInterpolation(_ array: PQBinaryArray) {
            binds.append(.binary(array.bytes))
            text += "$\(binds.count)"
        }

        /// Splices a quoted identifier (a table or column name) into the text.
        public mutating func appendInterpolation(identifier: String) {
            text += "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }

        /// Splices another statement, renumbering its placeholders after ours.
        public mutating func appendInterpolation(fragment: SQL) {
            let offset = binds.count
            binds.append(contentsOf: fragment.binds)
            guard offset > 0, !fragment.binds.isEmpty else {
                text += fragment.text
                return
            }
            text += SQL.renumber(fragment.text, by: offset)
        }
    }

    /// Shifts every `$n` placeholder in `text` by `offset`.
    static func renumber(_ text: String, by offset: Int) -> String {
        var output = ""
        output.reserveCapacity(text.count + 8)
        var scalars = Array(text.unicodeScalars)[...]
        while let scalar = scalars.popFirst() {
            guard scalar == "$", let first = scalars.first, ("0"..."9").contains(first)
            else {
                output.unicodeScalars.append(scalar)
                continue
            }
            var digits = ""
            while let next = scalars.first, ("0"..."9").contains(next) {
                digits.unicodeScalars.append(next)
                scalars.removeFirst()
            }
            output += "$\(Int(digits)! + offset)"
        }
        return output
    }
}
