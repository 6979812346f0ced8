import Foundation
import JSON
import Sales
import Testing

/// A small deterministic generator, so a failing case can be replayed.
private struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}

/// Mutated request bodies: the validation path shared by HTTP and import must
/// answer every one with either a command or a list of field errors — never a
/// trap — and a valid body must survive normalisation unchanged.
@Suite("Fuzzing command validation")
struct CommandFuzzTests {
    static let seeds: [String] = [
        #"{"name":"Anna","kind":"person","email":"anna@example.com","registeredOn":"2026-03-01"}"#,
        #"{"clientId":"6f4dee1e-c175-442c-8414-ce42776f7217","receivedOn":"2026-03-01","amountMinor":150000,"currency":"RUB","allocations":[{"invoiceId":"2bfc9428-ddb4-4494-86c3-4fd2d0ad6d7d","amountMinor":100}]}"#,
        #"{"clientId":"6f4dee1e-c175-442c-8414-ce42776f7217","number":"INV-1","issuedOn":"2026-03-01","dueOn":"2026-03-31","amountMinor":9,"currency":"JPY"}"#,
        #"{"clientId":"6f4dee1e-c175-442c-8414-ce42776f7217","title":"Bread","amountMinor":1,"currency":"EUR","openedOn":"2024-02-29"}"#,
        #"{"promisedOn":"2026-03-10","amountMinor":500,"madeOn":"2026-03-01","note":"до пятницы"}"#,
        #"{"sentOn":"2026-03-01","channel":"letter","level":2,"note":"final"}"#,
    ]

    static let replacements: [String] = [
        "null", "true", "-1", "0", "1.5", "1e3", "9223372036854775808", "\"\"", "\"2026-02-30\"", "[]", "{}",
        "\"XYZ\"", "\"\u{0000}\"", "\"" + String(repeating: "x", count: 5000) + "\"", "[{\"a\":1}]",
    ]

    static func validate(_ body: JSONValue) -> Bool {
        let recorded = Instant("2026-03-01T09:30:00Z")!
        var accepted = false
        if (try? RegisterClient.parse(body, recordedAt: recorded)) != nil { accepted = true }
        if (try? ReceivePayment.parse(body)) != nil { accepted = true }
        if (try? IssueInvoice.parse(body)) != nil { accepted = true }
        if (try? OpenDeal.parse(body)) != nil { accepted = true }
        if (try? PromisePayment.parse(body, invoiceId: UUID(), recordedAt: recorded)) != nil { accepted = true }
        if (try? SendPaymentReminder.parse(body, invoiceId: UUID())) != nil { accepted = true }
        return accepted
    }

    @Test func validSeedsAreAcceptedAndSurviveNormalisation() throws {
        for seed in Self.seeds {
            let body = try JSONValue(parsing: Data(seed.utf8))
            #expect(Self.validate(body), "\(seed)")
            #expect(try JSONValue(parsing: body.serialized()) == body)
        }
    }

    /// Seconds of the `fuzz` phase of `make test` (`TOUCHSTONE_FUZZ_SECONDS`), each run on a new
    /// seed that is printed so a failure can be replayed; 0 skips it.
    static let fuzzSeconds = Int(ProcessInfo.processInfo.environment["TOUCHSTONE_FUZZ_SECONDS"] ?? "") ?? 0

    @Test func mutatedBodiesGetACommandOrFieldErrors() throws {
        let (rejectedAsJSON, refused) = try Self.mutate(seed: 20_261_123) { $0 < 20_000 }
        #expect(rejectedAsJSON > 0)
        #expect(refused > 0)
    }

    @Test(.enabled(if: fuzzSeconds > 0, "set TOUCHSTONE_FUZZ_SECONDS to run"))
    func mutatedBodiesForAsLongAsThePhaseLasts() throws {
        let seed = UInt64.random(in: 1...UInt64.max)
        let deadline = ContinuousClock.now + .seconds(Self.fuzzSeconds)
        print("fuzz: seed \(seed) for \(Self.fuzzSeconds) s")
        let (rejectedAsJSON, refused) = try Self.mutate(seed: seed) {
            $0 % 1_000 != 0 || ContinuousClock.now < deadline
        }
        print("fuzz: seed \(seed): \(rejectedAsJSON) bodies refused as JSON, \(refused) refused by validation")
        #expect(rejectedAsJSON > 0)
        #expect(refused > 0)
    }

    /// Mutates the seeds for as long as `proceed` says of the round number: every mutant is either
    /// not JSON, or JSON that survives normalisation and is a command or has field errors. Answers
    /// how many were refused as JSON and by validation.
    static func mutate(seed: UInt64, while proceed: (Int) -> Bool) throws -> (rejectedAsJSON: Int, refused: Int) {
        var random = SplitMix(state: seed)
        var rejectedAsJSON = 0
        var refused = 0
        var round = 0
        while proceed(round) {
            defer { round += 1 }
            var bytes = Array(Self.seeds[round % Self.seeds.count].utf8)
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let index = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<4, using: &random) {
                case 0: bytes[index] = UInt8.random(in: 0...255, using: &random)
                case 1: bytes.insert(UInt8.random(in: 32...126, using: &random), at: index)
                case 2: if bytes.count > 2 { bytes.remove(at: index) }
                default:
                    // Swap one value for a hostile one, keeping the JSON well formed.
                    let text = String(decoding: bytes, as: UTF8.self)
                    let parts = text.split(separator: ":", maxSplits: .max, omittingEmptySubsequences: false)
                    guard parts.count > 2 else { continue }
                    let victim = Int.random(in: 1..<parts.count, using: &random)
                    let rest = parts[victim].drop { $0 != "," && $0 != "}" }
                    var rebuilt = parts
                    rebuilt[victim] = Substring(Self.replacements.randomElement(using: &random)! + rest)
                    bytes = Array(rebuilt.joined(separator: ":").utf8)
                }
            }
            guard let body = try? JSONValue(parsing: Data(bytes)) else {
                rejectedAsJSON += 1
                continue
            }
            #expect(try JSONValue(parsing: body.serialized()) == body)
            if !Self.validate(body) {
                refused += 1
                do {
                    _ = try RegisterClient.parse(body, recordedAt: Instant("2026-03-01T09:30:00Z")!)
                } catch {
                    #expect(!error.errors.isEmpty)
                }
            }
        }
        return (rejectedAsJSON, refused)
    }
}
