import Foundation

extension SalesLog {
    func promise(
        _ id: UUID = UUID(), invoice: UUID, client: UUID, madeOn: String, promisedOn: String, amount: Int64,
        currency: String = "RUB"
    ) async throws {
        try await append(
            "PaymentPromised", stream: "receivables-\(client.lower)", client: client,
            [
                "promiseId": id.lower, "invoiceId": invoice.lower, "clientId": client.lower, "madeOn": madeOn,
                "promisedOn": promisedOn, "amountMinor": amount, "currency": currency,
            ])
    }

    func reminder(invoice: UUID, client: UUID, sentOn: String, level: Int, channel: String = "email") async throws {
        try await append(
            "PaymentReminderSent", stream: "receivables-\(client.lower)", client: client,
            [
                "reminderId": UUID().lower, "invoiceId": invoice.lower, "clientId": client.lower, "sentOn": sentOn,
                "channel": channel, "level": level,
            ])
    }
}
