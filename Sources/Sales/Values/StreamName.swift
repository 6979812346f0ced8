public import Foundation
import HexText

/// The id of an event stream, `<category>-<id>`: the unit of consistency events are appended to.
///
/// | stream | holds |
/// |---|---|
/// | `client-<clientId>` | registration, touches, orders |
/// | `deal-<dealId>` | everything that happens to one deal |
/// | `receivables-<clientId>` | invoices, payments, credit notes and write-offs of one client |
/// | `pipeline-<name>` | the definitions of one pipeline |
public enum StreamName: Sendable, Hashable, CustomStringConvertible {
    case client(UUID)
    case deal(UUID)
    case receivables(UUID)
    case pipeline(String)

    /// Parses `client-<uuid>`, `deal-<uuid>`, `receivables-<uuid>` (the UUID in lowercase canonical
    /// form) or `pipeline-<name>` (a valid pipeline name); nil for anything else.
    public init?(_ text: String) {
        guard let dash = text.firstIndex(of: "-") else { return nil }
        let category = text[..<dash]
        let id = String(text[text.index(after: dash)...])
        if category == Self.pipelineCategory {
            guard Pipeline.isValidKey(id) else { return nil }
            self = .pipeline(id)
            return
        }
        guard let uuid = UUID(uuidString: id), uuid.canonical == id else { return nil }
        switch category {
        case "client": self = .client(uuid)
        case "deal": self = .deal(uuid)
        case "receivables": self = .receivables(uuid)
        default: return nil
        }
    }

    /// The category of the streams of pipelines.
    public static let pipelineCategory = "pipeline"

    /// The category: `client`, `deal`, `receivables` or `pipeline`.
    public var category: String {
        switch self {
        case .client: "client"
        case .deal: "deal"
        case .receivables: "receivables"
        case .pipeline: Self.pipelineCategory
        }
    }

    /// The stream id as stored, e.g. `deal-0b7e…`.
    public var description: String {
        switch self {
        case .client(let id), .deal(let id), .receivables(let id): "\(category)-\(id.canonical)"
        case .pipeline(let name): "pipeline-\(name)"
        }
    }
}
