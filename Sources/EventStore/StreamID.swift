/// The name of a stream: `<category>-<id>`, where the category is lowercase
/// letters and the id a lowercase UUID or a short lowercase name
/// (`client-1b4e28ba-2fa1-11d2-883f-0016d3cca427`, `pipeline-sales`).
public struct StreamID: Hashable, Sendable, CustomStringConvertible {
    /// The kind of stream (`client`, `deal`, `receivables`, `pipeline`).
    public let category: String
    /// The entity's id within the category.
    public let id: String

    /// Validates and builds a stream id from its parts.
    public init(category: String, id: String) throws(EventStoreError) {
        guard Self.isCategory(category), Self.isIdentifier(id) else {
            throw .invalidStreamID("\(category)-\(id)")
        }
        self.category = category
        self.id = id
    }

    /// Parses `<category>-<id>`.
    public init(_ text: String) throws(EventStoreError) {
        guard let dash = text.firstIndex(of: "-") else { throw .invalidStreamID(text) }
        do {
            try self.init(category: String(text[..<dash]), id: String(text[text.index(after: dash)...]))
        } catch {
            throw .invalidStreamID(text)
        }
    }

    public var description: String { "\(category)-\(id)" }

    private static func isCategory(_ text: String) -> Bool {
        (1...32).contains(text.utf8.count)
            && text.utf8.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) }
    }

    private static func isIdentifier(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (1...64).contains(bytes.count), bytes.first != UInt8(ascii: "-") else { return false }
        return bytes.allSatisfy {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                || $0 == UInt8(ascii: "-")
        }
    }
}
