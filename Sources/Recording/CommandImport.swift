import EventStore
import Foundation
import Sales

/// Loads commands one after another through ``CommandRecorder``, as `touchstone import` and
/// `touchstone demo` do: every line is validated and decided like an HTTP request; a refused
/// line is reported with its reason and the rest are still loaded.
public struct CommandImport: Sendable {
    /// One refused line.
    public struct Rejection: Sendable, Equatable, CustomStringConvertible {
        /// The 1-based line number.
        public var line: Int
        /// Why it was refused (validation errors or the rule broken).
        public var reason: String

        public var description: String { "line \(line): \(reason)" }
    }

    /// What a load did.
    public struct Summary: Sendable, Equatable {
        /// Lines recorded.
        public var loaded = 0
        /// Lines refused, in order.
        public var rejections: [Rejection] = []
    }

    /// The path commands are recorded through.
    public let recorder: CommandRecorder
    /// The actor recorded with every event (`cli:<user>`).
    public let actor: String

    /// An import recording as `actor`.
    public init(recorder: CommandRecorder, actor: String) {
        self.recorder = recorder
        self.actor = actor
    }

    /// Loads `lines` (raw JSON texts; blank lines are skipped), calling `progress` with the number
    /// of lines handled after each.
    public func load(
        _ lines: [Substring], progress: (Int) -> Void = { _ in }
    ) async throws -> Summary {
        var summary = Summary()
        for (index, text) in lines.enumerated() {
            defer { progress(index + 1) }
            guard text.contains(where: { !$0.isWhitespace }) else { continue }
            do {
                let json = try JSONValue(parsing: Data(text.utf8))
                try await record(json, line: index + 1, into: &summary)
            } catch let error as JSONSyntaxError {
                summary.rejections.append(Rejection(line: index + 1, reason: "not JSON: \(error.description)"))
            }
        }
        return summary
    }

    /// Loads already parsed lines (the demo's).
    public func load(_ lines: [JSONValue]) async throws -> Summary {
        var summary = Summary()
        for (index, json) in lines.enumerated() {
            try await record(json, line: index + 1, into: &summary)
        }
        return summary
    }

    private func record(_ json: JSONValue, line: Int, into summary: inout Summary) async throws {
        do {
            let command = try SalesCommand.parse(importLine: json, recordedAt: Instant(Date()))
            _ = try await recorder.record(command, actor: actor)
            summary.loaded += 1
        } catch let failure as ValidationFailure {
            summary.rejections.append(Rejection(line: line, reason: failure.description))
        } catch let violation as SalesRuleViolation {
            summary.rejections.append(Rejection(line: line, reason: violation.description))
        }
    }
}
