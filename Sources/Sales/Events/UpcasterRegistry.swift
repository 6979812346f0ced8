public import JSON

/// The upcasters known to this code, and the schema version it reads for each event type.
///
/// `SalesEvent.decode` upcasts a payload written at version `v` through the upcasters for
/// `v`, `v + 1`, … up to the current version before decoding it. When a payload type's
/// `schemaVersion` goes up, the upcaster from the previous version is added to `sales`.
public struct UpcasterRegistry: Sendable {
    private let upcasters: [UpcasterKey: Upcaster]
    private let currentVersions: [String: Int]

    /// The registry of this code: every payload type at its declared `schemaVersion`, with the
    /// upcasters from each older version.
    public static let sales = UpcasterRegistry([.touchRecordedOccurredOn])

    /// A registry of `upcasters` (at most one per type and version). `currentVersions` overrides
    /// the version read for a type, which otherwise is its payload type's `schemaVersion`.
    public init(_ upcasters: [Upcaster], currentVersions: [String: Int] = [:]) {
        var byKey: [UpcasterKey: Upcaster] = [:]
        for upcaster in upcasters {
            let key = UpcasterKey(type: upcaster.type, fromVersion: upcaster.fromVersion)
            precondition(byKey[key] == nil, "two upcasters for \(upcaster.type) from version \(upcaster.fromVersion)")
            byKey[key] = upcaster
        }
        self.upcasters = byKey
        self.currentVersions = currentVersions
    }

    /// The schema version this code reads for `type`, or nil for an unknown type.
    public func currentVersion(of type: String) -> Int? {
        currentVersions[type] ?? SalesEvent.payloadType(named: type)?.schemaVersion
    }

    /// `payload`, written at `version`, brought up to `targetVersion` one step at a time.
    public func upcast(
        _ payload: JSONValue, type: String, from version: Int, to targetVersion: Int
    ) throws(EventDecodingError) -> JSONValue {
        var payload = payload
        for step in version..<max(version, targetVersion) {
            guard let upcaster = upcasters[UpcasterKey(type: type, fromVersion: step)] else {
                throw .missingUpcaster(type: type, fromVersion: step)
            }
            do {
                payload = try upcaster.upcast(payload)
            } catch {
                throw .upcastFailed(type: type, fromVersion: step, reason: String(describing: error))
            }
        }
        return payload
    }
}

/// Which upcaster: an event type and the version it reads.
private struct UpcasterKey: Hashable {
    let type: String
    let fromVersion: Int
}
