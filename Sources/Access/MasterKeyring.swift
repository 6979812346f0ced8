public import Foundation

/// The master keys a process holds: the `current` one, which wraps every new data key, and during
/// a rotation the `previous` one, which still unwraps the data keys not yet rewrapped.
public struct MasterKeyring: Sendable {
    /// The variable of the current key.
    public static let variable = "TOUCHSTONE_MASTER_KEY"
    /// The variable of the previous key, set only during a rotation.
    public static let previousVariable = "TOUCHSTONE_PREVIOUS_MASTER_KEY"

    /// Wraps new data keys and unwraps those it wrapped.
    public let current: MasterKey
    /// Unwraps data keys wrapped before a rotation.
    public let previous: MasterKey?

    /// A keyring of `current` and, during a rotation, `previous`.
    public init(current: MasterKey, previous: MasterKey? = nil) {
        self.current = current
        self.previous = previous
    }

    /// The keys that `environment` gives: `TOUCHSTONE_MASTER_KEY` or `TOUCHSTONE_MASTER_KEY_FILE`
    /// (required), `TOUCHSTONE_PREVIOUS_MASTER_KEY` or `…_FILE` (optional).
    /// - Throws: ``MasterKeyError`` naming the variable when the current key is missing, or when
    ///   either is malformed or unreadable. There is no fallback to storing plaintext.
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(MasterKeyError) -> MasterKeyring {
        guard let current = try key(variable, in: environment) else { throw .missing(variable: variable) }
        return MasterKeyring(current: current, previous: try key(previousVariable, in: environment))
    }

    /// The key named by `fingerprint`, if this keyring holds it.
    func key(fingerprint: String) -> MasterKey? {
        if current.fingerprint == fingerprint { return current }
        if let previous, previous.fingerprint == fingerprint { return previous }
        return nil
    }

    /// The fingerprints of the keys held.
    var fingerprints: [String] {
        [current.fingerprint] + (previous.map { [$0.fingerprint] } ?? [])
    }

    private static func key(
        _ variable: String, in environment: [String: String]
    ) throws(MasterKeyError)
        -> MasterKey?
    {
        let value = environment[variable].flatMap { $0.isEmpty ? nil : $0 }
        let path = environment[variable + "_FILE"].flatMap { $0.isEmpty ? nil : $0 }
        switch (value, path) {
        case (nil, nil):
            return nil
        case (.some, .some):
            throw .ambiguous(variable: variable)
        case (let value?, nil):
            return try MasterKey(base64: value, variable: variable)
        case (nil, let path?):
            guard let data = FileManager.default.contents(atPath: path) else {
                throw .unreadableFile(variable: variable, path: path)
            }
            return try MasterKey(base64: String(decoding: data, as: UTF8.self), variable: variable + "_FILE")
        }
    }
}
