import Foundation
import HexText
import JSON
import Sales
import Testing

@Suite("Random ids")
struct UUIDRandomTests {
    @Test func areVersionFourWithTheRFCVariantAndDistinct() {
        let ids = (0..<1_000).map { _ in UUID.random() }
        #expect(Set(ids).count == ids.count)
        for id in ids {
            let text = id.canonical
            #expect(text[text.index(text.startIndex, offsetBy: 14)] == "4")
            #expect("89ab".contains(text[text.index(text.startIndex, offsetBy: 19)]))
        }
    }
}
