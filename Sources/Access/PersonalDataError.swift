/// A sealed personal value whose key is present but which does not open: the value was altered
/// or corrupted. (A value whose key is gone is not an error: it reads as erased.)
public struct PersonalDataError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The data key the value names.
    public let keyID: String

    public var description: String {
        "a personal value sealed with data key \(keyID) does not open: it was altered or is corrupt"
    }
}
