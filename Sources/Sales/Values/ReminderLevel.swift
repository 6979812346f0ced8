import JSON

/// How firm a payment reminder is: 1 friendly, 2 firm, 3 final notice.
public enum ReminderLevel: Int, Sendable, Hashable, Codable, CaseIterable {
    case friendly = 1
    case firm = 2
    case finalNotice = 3
}

extension FieldFormat where Value == ReminderLevel {
    /// A reminder level: the JSON integer 1, 2 or 3.
    static var level: FieldFormat {
        FieldFormat { value in
            guard case .number(let number) = value, number.isInteger, let raw = number.int64Value,
                let level = ReminderLevel(rawValue: Int(clamping: raw))
            else {
                return .failure(FieldProblem("must be 1 (friendly), 2 (firm) or 3 (final notice)"))
            }
            return .success(level)
        }
    }
}
