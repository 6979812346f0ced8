import Foundation
import Glibc

/// One timed run: how many events in how long.
struct Measurement: Sendable {
    var label: String
    var events: Int
    var duration: Duration

    var seconds: Double {
        let (s, atto) = duration.components
        return Double(s) + Double(atto) / 1e18
    }

    var eventsPerSecond: Double { seconds > 0 ? Double(events) / seconds : 0 }
}

/// Times `body` with the continuous clock.
func measure<T>(_ body: () async throws -> T) async rethrows -> (T, Duration) {
    let clock = ContinuousClock()
    let start = clock.now
    let value = try await body()
    return (value, clock.now - start)
}

/// This process's memory figures from /proc/self/status, in kB.
enum ProcessMemory {
    static func field(_ name: String) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix(name + ":") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        }
        return nil
    }

    /// Peak resident set size (VmHWM).
    static var peakKB: Int? { field("VmHWM") }
    /// Current resident set size (VmRSS).
    static var residentKB: Int? { field("VmRSS") }

    /// Resets VmHWM to the current RSS (Linux: `5` into clear_refs); false if refused. The heap
    /// memory that earlier phases freed but the allocator kept is given back first (`malloc_trim`),
    /// so that the peak that follows is the next phase's, not theirs.
    static func resetPeak() -> Bool {
        // glibc's malloc_trim, which the Glibc module does not declare.
        if let trim = dlsym(nil, "malloc_trim") {
            _ = unsafeBitCast(trim, to: (@convention(c) (Int) -> Int32).self)(0)
        }
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? handle.close() }
        do {
            try handle.write(contentsOf: Data("5".utf8))
            return true
        } catch {
            return false
        }
    }
}

func format(_ value: Double, decimals: Int = 0) -> String {
    String(format: "%.\(decimals)f", value)
}

func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
    let count = text.count
    guard count < width else { return text }
    let fill = String(repeating: " ", count: width - count)
    return right ? fill + text : text + fill
}
