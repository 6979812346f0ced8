public import Logging

/// How `touchstone` writes its log lines.
public enum LogFormat: String, Sendable {
    /// One JSON object per line (``JSONLogHandler``).
    case json
    /// swift-log's plain text lines.
    case text

    /// `LOG_FORMAT` (`json` or `text`); without it, JSON unless standard error is a terminal.
    /// Nil for another value.
    public static func fromEnvironment(_ environment: [String: String], errorIsTerminal: Bool) -> LogFormat? {
        guard let given = environment["LOG_FORMAT"], !given.isEmpty else { return errorIsTerminal ? .text : .json }
        return LogFormat(rawValue: given.lowercased())
    }

    /// Makes every logger of the process write in this format to standard error, with the
    /// request id of the request being served (see ``RequestIdentity``).
    public func bootstrap() {
        switch self {
        case .json:
            LoggingSystem.bootstrap(
                { label, provider in JSONLogHandler(label: label, metadataProvider: provider) },
                metadataProvider: RequestIdentity.metadataProvider)
        case .text:
            LoggingSystem.bootstrap(
                { label, provider in StreamLogHandler.standardError(label: label, metadataProvider: provider) },
                metadataProvider: RequestIdentity.metadataProvider)
        }
    }

    /// A logger for tests and embedders: lines to `sink` as JSON, with the request id.
    public static func jsonLogger(label: String, level: Logger.Level, sink: @escaping JSONLogHandler.Sink) -> Logger {
        var logger = Logger(label: label) { label in
            JSONLogHandler(label: label, metadataProvider: RequestIdentity.metadataProvider, sink: sink)
        }
        logger.logLevel = level
        return logger
    }
}
