public import Access
public import Foundation
public import JSON
public import Sales

/// Everything about one command that is not its domain rule: its import name, its HTTP method
/// and path with the ids the path binds, the permission it needs, its body parser, the decide
/// call that loads its streams, and the answer's id field. The HTTP routes, the import parser
/// and the recorder's dispatch are all derived from these entries (``CommandEntry/all``).
public struct CommandEntry: Sendable {
    /// The command's name, as an import line names it.
    public let name: CommandName
    /// The HTTP method of its route (every command is a `POST`).
    public let method: String
    /// The HTTP path of its route, with the ids it binds in braces (`/v1/deals/{dealId}/win`).
    public let path: String
    /// The ids the path binds, in path order; an import line carries them as body fields.
    public let pathIDs: [String]
    /// What a token's role must grant to record it.
    public let permission: Permission
    /// The key of the entity id in the answer (`clientId`, `touchId`, …, `pipeline`).
    public let answerKey: String
    private let make: @Sendable (JSONValue, PathIDs, Instant) throws(ValidationFailure) -> SalesCommand

    /// The entry of a `POST` command on `path`: `parse` validates the body (the same parser for
    /// HTTP and import), `client` names the client the command concerns, and `decide` loads what
    /// the decider needs and decides.
    static func post<Command: Sendable>(
        _ path: String, _ name: CommandName, _ permission: Permission, answers answerKey: String,
        parse: @escaping @Sendable (JSONValue, PathIDs, Instant) throws(ValidationFailure) -> Command,
        client: @escaping @Sendable (Command) -> UUID? = { _ in nil },
        decide: @escaping @Sendable (Command, any DecisionInputs) async throws -> Decision
    ) -> CommandEntry {
        CommandEntry(
            name: name, method: "POST", path: path,
            pathIDs: path.split(separator: "/").filter { $0.hasPrefix("{") }.map { String($0.dropFirst().dropLast()) },
            permission: permission, answerKey: answerKey
        ) { body, ids, recordedAt throws(ValidationFailure) in
            let command = try parse(body, ids, recordedAt)
            return SalesCommand(name: name, value: command, clientId: client(command)) { streams in
                var decision = try await decide(command, streams)
                decision.outcome.entityKey = answerKey
                return decision
            }
        }
    }

    private init(
        name: CommandName, method: String, path: String, pathIDs: [String], permission: Permission,
        answerKey: String,
        make: @escaping @Sendable (JSONValue, PathIDs, Instant) throws(ValidationFailure) -> SalesCommand
    ) {
        self.name = name
        self.method = method
        self.path = path
        self.pathIDs = pathIDs
        self.permission = permission
        self.answerKey = answerKey
        self.make = make
    }

    /// Every entry, in the order of ``CommandName``.
    public static let all = CommandName.allCases.map(of)

    /// Resolves every id of ``pathIDs`` with `resolve` (from the path over HTTP, from body fields
    /// on an import line).
    public func bindIDs<Failure: Error>(_ resolve: (String) throws(Failure) -> UUID) throws(Failure) -> PathIDs {
        var values = [String: UUID]()
        for name in pathIDs { values[name] = try resolve(name) }
        return PathIDs(values)
    }

    /// Validates `body` with the path's `ids`; `recordedAt` dates what the command dates by its
    /// recording (a registration's default `registeredOn`, a pipeline definition).
    public func parse(_ body: JSONValue, ids: PathIDs, recordedAt: Instant) throws(ValidationFailure) -> SalesCommand {
        try make(body, ids, recordedAt)
    }
}
