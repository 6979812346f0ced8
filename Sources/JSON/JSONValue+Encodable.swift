extension JSONValue: Encodable {
    /// Encodes the value through any `Encoder`, so that a JSON value can sit inside a `Codable`
    /// answer. Integers within 128 bits are encoded as integers; other numbers as `Double`.
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .null:
            var container = encoder.singleValueContainer()
            try container.encodeNil()
        case .bool(let flag):
            var container = encoder.singleValueContainer()
            try container.encode(flag)
        case .number(let number):
            var container = encoder.singleValueContainer()
            if let integer = number.int64Value {
                try container.encode(integer)
            } else if number.isInteger, let wide = Int128(number.literal) {
                try container.encode(wide)
            } else {
                try container.encode(Double(number.literal) ?? .nan)
            }
        case .string(let text):
            var container = encoder.singleValueContainer()
            try container.encode(text)
        case .array(let items):
            var container = encoder.unkeyedContainer()
            for item in items { try container.encode(item) }
        case .object(let members):
            var container = encoder.container(keyedBy: MemberKey.self)
            for (key, member) in members { try container.encode(member, forKey: MemberKey(stringValue: key)) }
        }
    }

    /// A coding key naming an object member.
    private struct MemberKey: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }

        init(stringValue: String) {
            self.stringValue = stringValue
        }

        init?(intValue: Int) {
            nil
        }
    }
}
