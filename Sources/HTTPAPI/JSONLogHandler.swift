import Foundation
import JSON
public import Logging
import Sales
import Synchronization

/// Writes each log record as one line of JSON: `time` (RFC 3339, UTC), `level`, `logger` (the
/// label), `message`, then every metadata key (the request's `request.id` among them, from the
/// metadata provider) as it is, nested metadata as JSON objects and arrays.
public struct JSONLogHandler: LogHandler {
    /// Where the lines go.
    public typealias Sink = @Sendable (String) -> Void

    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let sink: Sink

    /// A handler for `label` writing its lines to `sink` (standard error by default).
    public init(
        label: String, metadataProvider: Logger.MetadataProvider? = nil, sink: @escaping Sink = Self.standardError
    ) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields: [String: JSONValue] = [:]
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let given = event.metadata { merged.merge(given) { $1 } }
        for (key, value) in merged { fields[key] = Self.json(value) }
        fields["time"] = .string(Self.timestamp(Date()))
        fields["level"] = .string(event.level.rawValue)
        fields["logger"] = .string(label)
        fields["message"] = .string(event.message.description)
        sink(String(decoding: JSONValue.object(fields).serialized(), as: UTF8.self))
    }

    /// Writes `line` and a line feed to standard error in one call.
    public static let standardError: Sink = { line in
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    private static func json(_ value: Logger.Metadata.Value) -> JSONValue {
        switch value {
        case .string(let text): .string(text)
        case .stringConvertible(let value): .string(value.description)
        case .array(let values): .array(values.map(json))
        case .dictionary(let values): .object(values.mapValues(json))
        }
    }

    private static func timestamp(_ date: Date) -> String {
        Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt).format(date)
    }
}
