import Foundation
import Testing

@testable import EventStore

@Suite("Event values")
struct EventValueTests {
    @Test func metadataIsJSONThatDecodesBackWhateverTheActor() throws {
        for actor in ["sales:anna", #"cli:"quoted" \back\slash"#, "tab\tnew\nline\r\u{01}\u{1F}", "Ольга ☃︎ 👩‍💼", ""] {
            let metadata = EventMetadata(actor: actor, correlationID: UUID(), causationID: UUID())
            let decoded = try JSONDecoder().decode(EventMetadata.self, from: Data(metadata.json.utf8))
            #expect(decoded == metadata)
        }
        let bare = EventMetadata(actor: "a")
        #expect(bare.json == #"{"actor":"a"}"#)
        #expect(try JSONDecoder().decode(EventMetadata.self, from: Data(bare.json.utf8)) == bare)
    }

    @Test func timeOrderedIDsAreVersion7AndFollowTheClock() {
        let earlier = UUID.timeOrdered(at: Date(timeIntervalSince1970: 1_790_000_000))
        let later = UUID.timeOrdered(at: Date(timeIntervalSince1970: 1_790_000_000.002))
        for id in [earlier, later] {
            let text = id.uuidString.lowercased()
            #expect(Array(text)[14] == "7")
            #expect("89ab".contains(Array(text)[19]))
        }
        #expect(earlier.uuidString.lowercased() < later.uuidString.lowercased())
        #expect(earlier.uuidString.lowercased().hasPrefix("01a0"))
        #expect(Set((0..<1_000).map { _ in UUID.timeOrdered() }).count == 1_000)
    }
}
