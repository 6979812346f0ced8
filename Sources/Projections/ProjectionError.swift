/// Why a projection operation or a report was refused.
public enum ProjectionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No read model has this name.
    case unknownProjection(String)
    /// A rebuild of this read model is already running.
    case rebuildRunning(String)
    /// A query parameter is invalid (422): the field and what is wrong.
    case invalidParameter(field: String, message: String)
    /// The pipeline is not defined (as known at `knownAt`).
    case unknownPipeline(String)
    /// A sum of amounts does not fit in 64 bits.
    case amountOverflow
    /// The live read model `name` was filled by code `version`, older than the `needed` one that
    /// keeps what the report reads; the projection runner rebuilds it at the code's version.
    case readModelOutdated(name: String, version: Int, needed: Int)

    public var description: String {
        switch self {
        case .unknownProjection(let name): "no read model is called '\(name)'"
        case .rebuildRunning(let name): "a rebuild of '\(name)' is already running"
        case .invalidParameter(let field, let message): "\(field) \(message)"
        case .unknownPipeline(let name): "no pipeline is called '\(name)'"
        case .amountOverflow: "a sum of amounts does not fit in 64 bits"
        case .readModelOutdated(let name, let version, let needed):
            "read model '\(name)' is at version \(version) and this report needs version \(needed): it is being rebuilt, retry later"
        }
    }
}

extension RawRepresentable where Self: CaseIterable, RawValue == String {
    /// The case whose raw value is `text`, as a report's query parameter `field` names it.
    /// - Throws: ``ProjectionError/invalidParameter(field:message:)`` listing every raw value.
    static func named(_ text: String, field: String) throws -> Self {
        guard let value = Self(rawValue: text) else {
            throw ProjectionError.invalidParameter(
                field: field, message: "must be one of \(allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }
}
