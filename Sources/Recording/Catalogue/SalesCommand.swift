public import Foundation
import Sales

/// A validated command of the sales domain, ready to be recorded: the one input of
/// ``CommandRecorder``, whether it came from an HTTP request or a line of `touchstone import`.
///
/// It is made only by its catalogue entry (``CommandEntry``), which binds the parsed value to the
/// entry's decide call, so recording a command needs no switch over the commands.
public struct SalesCommand: Sendable {
    /// Which command of the catalogue this is.
    public let name: CommandName
    /// The parsed domain command (`RegisterClient`, `OpenDeal`, …).
    public let value: any Sendable
    /// The client the command names in its body or path, if any (whose streams and data key an
    /// import fetches ahead).
    public let clientId: UUID?
    /// The entry's decide call, bound to ``value``.
    let decision: @Sendable (any DecisionInputs) async throws -> Decision

    init(
        name: CommandName, value: any Sendable, clientId: UUID?,
        decision: @escaping @Sendable (any DecisionInputs) async throws -> Decision
    ) {
        self.name = name
        self.value = value
        self.clientId = clientId
        self.decision = decision
    }

    /// The catalogue entry of this command.
    public var entry: CommandEntry { CommandEntry.of(name) }
}
