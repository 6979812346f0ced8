/// How warm a lead is when it is recorded: a warm lead came to us, a cold one we found.
/// Seed 002: record every lead, warm or cold.
public enum Temperature: String, Sendable, Hashable, Codable, CaseIterable {
    case warm
    case cold
}
