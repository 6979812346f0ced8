public import Foundation

/// A one-dimensional array in PostgreSQL's binary format, bound as `\(array)::jsonb[]` (the cast
/// must name the element type the array was built with). Each element travels with its length,
/// so neither side quotes, escapes or scans it for delimiters: what a big array of JSON documents
/// costs in text format.
public struct PQBinaryArray: Sendable, Hashable {
    /// The header, the element type and the elements, as sent.
    public let bytes: [UInt8]

    /// An array of `jsonb`, from JSON texts (the server parses each).
    public static func jsonb(_ documents: [String]) -> PQBinaryArray {
        // jsonb's binary format is a version byte (1) and the JSON text.
        PQBinaryArray(elementType: 3802, documents.map { [1] + Array($0.utf8) })
    }

    /// An array of `text`.
    public static func text(_ texts: [String]) -> PQBinaryArray {
        PQBinaryArray(elementType: 25, texts.map { Array($0.utf8) })
    }

    /// An array of `uuid`; nil elements are NULL.
    public static func uuid(_ ids: [UUID?]) -> PQBinaryArray {
        PQBinaryArray(elementType: 2950, ids.map { $0.map { withUnsafeBytes(of: $0.uuid) { Array($0) } } })
    }

    /// An array of `bigint`.
    public static func int8(_ values: [Int64]) -> PQBinaryArray {
        integers(values, elementType: 20)
    }

    /// An array of `integer`.
    public static func int4(_ values: [Int32]) -> PQBinaryArray {
        integers(values, elementType: 23)
    }

    /// Fixed-width integers, each in network byte order.
    private static func integers(_ values: [some FixedWidthInteger], elementType: UInt32) -> PQBinaryArray {
        PQBinaryArray(
            elementType: elementType, values.map { value in withUnsafeBytes(of: value.bigEndian) { Array($0) } })
    }

    /// Dimensions 1, a NULL flag, the element type's oid, the length and lower bound 1, then each
    /// element as a length (-1 for NULL) and its bytes; integers in network byte order.
    private init(elementType: UInt32, _ elements: [[UInt8]?]) {
        var bytes = [UInt8]()
        bytes.reserveCapacity(20 + elements.reduce(0) { $0 + 4 + ($1?.count ?? 0) })
        func append(_ value: UInt32) {
            withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
        }
        append(1)
        append(elements.contains(nil) ? 1 : 0)
        append(elementType)
        append(UInt32(elements.count))
        append(1)
        for element in elements {
            if let element {
                append(UInt32(element.count))
                bytes.append(contentsOf: element)
            } else {
                append(UInt32(bitPattern: -1))
            }
        }
        self.bytes = bytes
    }
}
