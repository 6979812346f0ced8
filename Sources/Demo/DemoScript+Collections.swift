import Foundation
import HexText
import JSON
import Sales

extension DemoScript {
    /// The collections work on a client's first invoice (seed 003's ninth stage), as import lines:
    /// reminders of every level once it is overdue, and a promise to pay. `variant` is the
    /// purchase's: variant 1 (half paid 10 days after `dueOn`) promises that half by that day,
    /// kept; the other variants 1 modulo 4 (paid the same way) promise a quarter of it three days before `today`, open;
    /// variants 3 modulo 4 (30 % paid 20 days after `dueOn`, then written off) promise half by 15 days
    /// after `dueOn`, broken. Other variants get none. Lines dated after `today` are left out. The ids come from a
    /// generator of their own, seeded by the invoice's id, so the rest of the script stays as it was.
    func collections(invoiceId: UUID, amount: Int64, dueOn: LocalDate, variant: Int) -> [JSONValue] {
        var ids = SplitMix64(seed: seed ^ withUnsafeBytes(of: invoiceId.uuid) { $0.loadUnaligned(as: UInt64.self) })
        var lines = [JSONValue]()
        func on(_ days: Int) -> LocalDate { dueOn.adding(days: days) ?? dueOn }
        func reminder(_ days: Int, level: Int, channel: String, note: String? = nil) {
            guard on(days) <= today else { return }
            lines.append(
                .object(omittingNil: [
                    "command": .string("send-payment-reminder"), "invoiceId": .string(invoiceId.canonical),
                    "reminderId": .string(ids.uuid().canonical), "sentOn": .string(on(days).description),
                    "channel": .string(channel), "level": .integer(Int64(level)), "note": note.map(JSONValue.string),
                ]))
        }
        func promise(madeOn: LocalDate, promisedOn: LocalDate, amount: Int64, note: String) {
            guard madeOn <= today else { return }
            lines.append(
                .object([
                    "command": .string("promise-payment"), "invoiceId": .string(invoiceId.canonical),
                    "promiseId": .string(ids.uuid().canonical), "madeOn": .string(madeOn.description),
                    "promisedOn": .string(promisedOn.description), "amountMinor": .integer(amount),
                    "note": .string(note),
                ]))
        }
        switch variant % 4 {
        case 1:
            reminder(1, level: 1, channel: "email")
            if variant == 1 {
                promise(
                    madeOn: on(2), promisedOn: on(10), amount: amount / 2, note: "Half by the 10th, the rest next month"
                )
            } else {
                let madeOn = max(on(11), today.adding(days: -3) ?? today)
                promise(
                    madeOn: madeOn, promisedOn: madeOn.adding(days: 14) ?? madeOn, amount: amount / 4,
                    note: "After the quarter closes")
            }
            reminder(15, level: 2, channel: "call", note: "Spoke to the finance director")
            reminder(45, level: 3, channel: "letter", note: "Final notice before legal action")
        case 3:
            reminder(5, level: 1, channel: "message")
            promise(madeOn: on(6), promisedOn: on(15), amount: amount / 2, note: "Waiting for their customer to pay")
            reminder(25, level: 2, channel: "call")
            reminder(40, level: 3, channel: "letter")
        default:
            break
        }
        return lines
    }
}
