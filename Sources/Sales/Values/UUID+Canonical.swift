import Foundation

extension UUID {
    /// The lowercase canonical form, `8-4-4-4-12` hex digits: how every id is written in events,
    /// stream ids and answers.
    public var canonical: String {
        uuidString.lowercased()
    }
}
