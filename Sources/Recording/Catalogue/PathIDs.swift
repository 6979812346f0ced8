import Foundation

/// The ids a command's HTTP path binds (`clientId`, `dealId`, `objectionId`, `invoiceId`), resolved
/// by the surface the command came through: from the path over HTTP, from body fields on an import
/// line. Only ``CommandEntry/parse(_:recordedAt:resolvingIDs:)`` makes one, with every id of the
/// entry's path, so a body parser reads exactly the ids its path declares.
public struct PathIDs: Sendable {
    private let values: [String: UUID]

    init(_ values: [String: UUID]) {
        self.values = values
    }

    /// The id bound to `name`; `name` must be one of the entry's ``CommandEntry/pathIDs`` (the
    /// catalogue test parses every entry with its own ids).
    subscript(_ name: String) -> UUID {
        guard let id = values[name] else { preconditionFailure("'\(name)' is not an id of this command's path") }
        return id
    }
}
