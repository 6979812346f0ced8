import ArgumentParser
import Sales

/// The window of `--as-of` and `--known-at`, or a one-line message and exit 1 when one is invalid.
func reportWindow(asOf: String?, knownAt: String?) throws -> ReportWindow {
    do {
        return try ReportWindow(asOf: asOf, knownAt: knownAt)
    } catch {
        let option = error.field == "asOf" ? "--as-of" : "--known-at"
        throw fail("\(option) \(error.value) \(error.message)")
    }
}
