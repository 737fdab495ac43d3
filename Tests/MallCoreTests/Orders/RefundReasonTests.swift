import Foundation
import MallCore
import Testing

@Suite("Refund reasons for the payer")
struct RefundReasonTests {
    @Test("each stored cause reads as a short Chinese sentence", arguments: [
        ("cancelled", nil, "订单已取消，全额退款"),
        ("paid_after_expiry", nil, "订单已超时关闭，退回付款"),
        ("paid_after_cancellation", nil, "订单已取消，退回付款"),
        ("duplicate_payment:4200000001202611270000000102", nil, "重复支付退款"),
        ("after_sales:6F1C2E0A-0000-4000-8000-000000000001", "S261127ABCDEF1234", "售后退款：S261127ABCDEF1234"),
        ("after_sales:6F1C2E0A-0000-4000-8000-000000000001", nil, "售后退款"),
        ("after_sales:6F1C2E0A-0000-4000-8000-000000000001", "  ", "售后退款"),
        ("something_new", nil, "退款"),
        ("", nil, "退款"),
    ] as [(String, String?, String)])
    func sentences(cause: String, caseNumber: String?, expected: String) {
        #expect(RefundReason(cause: cause, afterSalesNumber: caseNumber).text == expected)
    }

    @Test("no internal code, transaction or case id reaches the payer")
    func nothingInternal() {
        for cause in ["cancelled", "paid_after_expiry", "paid_after_cancellation", "duplicate_payment:4200000001202611270000000102",
                      "after_sales:6F1C2E0A-0000-4000-8000-000000000001"] {
            let text = RefundReason(cause: cause).text
            #expect(!text.contains("_") && !text.contains("4200000001") && !text.contains("6F1C2E0A"), "\(cause) → \(text)")
        }
    }

    @Test("a staff retry (#retry:…) is told to the payer as the refund it retries")
    func retries() {
        #expect(RefundReason(cause: "cancelled#retry:1A2B3C4D") == .cancelled)
        #expect(RefundReason(cause: "duplicate_payment:42000001#retry:1A2B3C4D") == .duplicatePayment)
        #expect(RefundReason(cause: "after_sales:6F1C2E0A-0000-4000-8000-000000000001#retry:1A2B3C4D", afterSalesNumber: "S261127AB")
                == .afterSales(caseNumber: "S261127AB"))
    }

    @Test("the text fits each provider's limit on the field (WeChat 80, Alipay 256 characters) without splitting a character")
    func limits() {
        let long = RefundReason.afterSales(caseNumber: String(repeating: "号", count: 300))
        #expect(long.text(limit: 80).count == 80)
        #expect(long.text(limit: 80).hasPrefix("售后退款："))
        #expect(long.text(limit: 256).count == 256)
        #expect(RefundReason.cancelled.text(limit: 80) == "订单已取消，全额退款")
        #expect(RefundReason.cancelled.text(limit: 0) == "")
        #expect(RefundReason.cancelled.text(limit: -5) == "")
        for length in 0...40 {
            let reason = RefundReason.afterSales(caseNumber: "S" + String(repeating: "9", count: length))
            #expect(reason.text(limit: 80).count <= 80)
            #expect(reason.text(limit: 80) == reason.text, "a real case number is never cut")
        }
    }
}
