import Foundation
public import JSON
public import Sales

extension SalesCommand {
    /// The names of the commands a line of `touchstone import` may carry in its `command` field.
    public static let importNames = CommandName.allCases.map(\.rawValue)

    /// Parses one line of an import: the HTTP body of the command plus `command` naming it and the
    /// ids of the HTTP path as body fields (`clientId`, `dealId`, `objectionId`, `invoiceId`).
    /// The command's catalogue entry parses the rest with the same parser as the HTTP API.
    public static func parse(importLine line: JSONValue, recordedAt: Instant) throws(ValidationFailure) -> SalesCommand
    {
        guard var members = line.objectValue else {
            throw ValidationFailure(errors: [FieldError(field: "body", message: "must be a JSON object")])
        }
        guard let text = members.removeValue(forKey: "command")?.stringValue, let name = CommandName(rawValue: text)
        else {
            throw ValidationFailure(
                errors: [FieldError(field: "command", message: "must be one of \(importNames.joined(separator: ", "))")]
            )
        }
        let entry = CommandEntry.of(name)
        let ids = try entry.bindIDs { key throws(ValidationFailure) in
            guard let text = members.removeValue(forKey: key)?.stringValue, let id = UUID(uuidString: text) else {
                throw ValidationFailure(errors: [FieldError(field: key, message: "must be a UUID")])
            }
            return id
        }
        return try entry.parse(.object(members), ids: ids, recordedAt: recordedAt)
    }
}
