/// The longest strings commands accept, in characters (extended grapheme clusters).
public enum TextLimit {
    /// A client's name, a deal's title, a lead source.
    public static let name = 200
    /// Free text: touch summary, outcome and next step, offer terms, objection text and response,
    /// concession terms, reasons and criteria.
    public static let freeText = 4000
    /// An invoice number.
    public static let invoiceNumber = 64
    /// An e-mail address (RFC 5321's path limit).
    public static let email = 254
    /// A phone number as written.
    public static let phone = 32
    /// How many explicit allocations one payment may carry.
    public static let allocations = 1000
}
