import Foundation

/// Why money goes back, in words for the payer. A refund's stored cause is a code for us
/// (`cancelled`, `duplicate_payment:<transaction>`, `after_sales:<case id>`), but the providers
/// pass the reason on: WeChat Pay prints `reason` in the refund message the payer receives, and
/// Alipay shows `refund_reason` on the payer's bill. So they get a short Chinese sentence.
public enum RefundReason: Equatable, Sendable {
    /// The order was cancelled (by the shopper, the store, or because no store took it).
    case cancelled
    /// Money arrived after the unpaid order had expired.
    case paidAfterExpiry
    /// Money arrived after the order had been cancelled.
    case paidAfterCancellation
    /// A second payment for an order that was already paid.
    case duplicatePayment
    /// The group buy the order belonged to did not fill in time.
    case groupFailed
    /// An after-sales case refunds some or all of what was paid; the payer knows the case by its number.
    case afterSales(caseNumber: String?)
    /// A cause this version does not know: still a refund, said plainly.
    case other

    /// The cause code stored with a refund. A staff retry appends `#retry:<id>` to the code it
    /// retries; the payer's reason is the original one. `afterSalesNumber` is the case's
    /// number, looked up by the caller, for `after_sales:` causes.
    public init(cause: String, afterSalesNumber: String? = nil) {
        let original = cause.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? cause
        let code = original.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? original
        switch code {
        case RefundCause.cancelled.rawValue: self = .cancelled
        case RefundCause.paidAfterExpiry.rawValue: self = .paidAfterExpiry
        case RefundCause.paidAfterCancellation.rawValue: self = .paidAfterCancellation
        case RefundCause.duplicatePayment.rawValue: self = .duplicatePayment
        case RefundCause.groupFailed.rawValue: self = .groupFailed
        case Self.afterSalesCode:
            let number = afterSalesNumber?.trimmingCharacters(in: .whitespacesAndNewlines)
            self = .afterSales(caseNumber: number?.isEmpty == false ? number : nil)
        default: self = .other
        }
    }

    /// The prefix of an after-sales refund's cause code (`after_sales:<case id>`).
    public static let afterSalesCode = "after_sales"

    /// The sentence for the payer.
    public var text: String {
        switch self {
        case .cancelled: "订单已取消，全额退款"
        case .paidAfterExpiry: "订单已超时关闭，退回付款"
        case .paidAfterCancellation: "订单已取消，退回付款"
        case .duplicatePayment: "重复支付退款"
        case .groupFailed: "拼团未成团，全额退款"
        case .afterSales(let number?): "售后退款：\(number)"
        case .afterSales(nil): "售后退款"
        case .other: "退款"
        }
    }

    /// The sentence cut to a provider's limit on the field (WeChat Pay `reason`: 80
    /// characters; Alipay `refund_reason`: 256), counted in characters so a cut never splits
    /// one. Only an absurdly long case number can reach either limit; the sentence then keeps
    /// its beginning, which says what kind of refund it is.
    public func text(limit: Int) -> String {
        String(text.prefix(max(0, limit)))
    }
}
