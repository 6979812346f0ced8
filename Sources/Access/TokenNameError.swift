/// Why a token could not be made under the name given.
public enum TokenNameError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The name is empty, longer than 200 characters, or holds control characters.
    case invalid(String)

    public var description: String {
        switch self {
        case .invalid:
            "a token name must be 1 to 200 characters, without control characters or surrounding spaces"
        }
    }
}
