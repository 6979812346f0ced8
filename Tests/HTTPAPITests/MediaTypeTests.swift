import Testing

@testable import HTTPAPI

@Suite("Media type of a command's Content-Type")
struct MediaTypeTests {
    @Test func theTypeIsWhatComesBeforeTheParametersTrimmedAndLowercased() {
        #expect(CommandBody.mediaType("application/json") == "application/json")
        #expect(CommandBody.mediaType("Application/JSON; charset=utf-8") == "application/json")
        #expect(CommandBody.mediaType(" \tapplication/merge-patch+json \t;q=1") == "application/merge-patch+json")
        #expect(CommandBody.mediaType("text/plain") == "text/plain")
        #expect(CommandBody.mediaType("") == "")
        #expect(CommandBody.mediaType(";application/json") == "")
        #expect(CommandBody.mediaType("   ") == "")
    }
}
