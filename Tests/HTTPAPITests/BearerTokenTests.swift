import Testing

@testable import HTTPAPI

@Suite("Bearer token in the Authorization header")
struct BearerTokenTests {
    @Test func theTokenIsReadWhateverTheSchemesCaseAndTheSpacesAround() {
        #expect(BearerAuthentication.bearerToken(in: "Bearer ts_abc") == "ts_abc")
        #expect(BearerAuthentication.bearerToken(in: "bearer ts_abc") == "ts_abc")
        #expect(BearerAuthentication.bearerToken(in: "BEARER ts_abc") == "ts_abc")
        #expect(BearerAuthentication.bearerToken(in: "  Bearer    ts_abc   ") == "ts_abc")
        // Whatever follows the scheme is the token, checked as a whole by the token store.
        #expect(BearerAuthentication.bearerToken(in: "Bearer ts_a b") == "ts_a b")
        #expect(BearerAuthentication.bearerToken(in: "Bearer ts_é") == "ts_é")
    }

    @Test func anotherSchemeOrNoTokenGivesNone() {
        #expect(BearerAuthentication.bearerToken(in: "") == nil)
        #expect(BearerAuthentication.bearerToken(in: "Bearer") == nil)
        #expect(BearerAuthentication.bearerToken(in: "Bearer    ") == nil)
        #expect(BearerAuthentication.bearerToken(in: "Bearerts_abc") == nil)
        #expect(BearerAuthentication.bearerToken(in: "Basic dXNlcjpwYXNz") == nil)
        #expect(BearerAuthentication.bearerToken(in: "Bear ts_abc") == nil)
        #expect(BearerAuthentication.bearerToken(in: "Bearér ts_abc") == nil)
    }
}
