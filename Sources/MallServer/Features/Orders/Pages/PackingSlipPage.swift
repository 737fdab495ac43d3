import Foundation
import MallCore

/// The printable packing slip / receipt for one order, as a self-contained HTML page: no
/// scripts, styles inline, the order number as a QR code the desk can scan. `a4` lays it out
/// as a sheet with a table; `receipt` fits an 80 mm thermal printer (72 mm printable).
struct PackingSlipPage {
    enum Format: String, CaseIterable {
        case a4
        case receipt
    }

    struct Line {
        var title: String
        var specTitle: String
        var quantity: Int
        var unitPriceFen: Int64
        var payableFen: Int64
    }

    var format: Format
    var shopName: String
    var servicePhone: String
    var storeName: String
    var storeAddress: String
    var storePhone: String
    var orderNumber: String
    var placedAt: Date
    var paidAt: Date?
    var timeZone: TimeZone
    var fulfilment: OrderFulfilmentKind
    var recipient: String?
    var deliveryAddress: String?
    var shipment: String?
    var lines: [Line]
    var goodsFen: Int64
    var discountFen: Int64
    var shippingFen: Int64
    var payableFen: Int64

    func render() -> String {
        func e(_ text: String) -> String { HTMLSanitizer.escape(text) }
        func yuan(_ fen: Int64) -> String { "¥" + YuanText.format(fen: fen) }
        let stamp = DateFormatter()
        stamp.locale = Locale(identifier: "en_US_POSIX")
        stamp.timeZone = timeZone
        stamp.dateFormat = "yyyy-MM-dd HH:mm"
        let qr = (try? QRCode.encode(orderNumber).svg(moduleSize: format == .receipt ? 3 : 4, quietZone: 2)) ?? ""
        let receipt = format == .receipt
        let css = receipt ? """
            @page { size: 80mm auto; margin: 4mm; }
            body { width: 72mm; margin: 0 auto; font: 12px/1.4 "PingFang SC", "Noto Sans CJK SC", sans-serif; color: #000; }
            h1 { font-size: 16px; text-align: center; margin: 0 0 4px; }
            .meta, .receipt-lines, .totals { border-top: 1px dashed #000; padding-top: 4px; margin-top: 4px; }
            .totals .pay { font-weight: bold; font-size: 14px; }
            .line { display: flex; justify-content: space-between; gap: 8px; }
            .line .name { flex: 1; } .spec { color: #333; font-size: 11px; }
            .qr { text-align: center; margin-top: 6px; } .qr svg { width: 30mm; height: 30mm; }
            table { display: none; }
            """ : """
            @page { size: A4; margin: 15mm; }
            body { font: 13px/1.5 "PingFang SC", "Noto Sans CJK SC", sans-serif; color: #111; max-width: 180mm; margin: 0 auto; }
            header { display: flex; justify-content: space-between; align-items: flex-start; border-bottom: 2px solid #111; padding-bottom: 8px; }
            h1 { font-size: 22px; margin: 0; } .qr svg { width: 28mm; height: 28mm; }
            table { width: 100%; border-collapse: collapse; margin-top: 12px; }
            th, td { border-bottom: 1px solid #999; padding: 6px 4px; text-align: left; } td.num, th.num { text-align: right; }
            .spec { color: #555; font-size: 12px; } .receipt-lines { display: none; }
            .meta { display: grid; grid-template-columns: 1fr 1fr; gap: 4px 24px; margin-top: 10px; }
            .totals { margin-left: auto; width: 60mm; margin-top: 12px; } .totals .line { display: flex; justify-content: space-between; }
            .totals .line.pay { font-weight: bold; font-size: 15px; border-top: 1px solid #111; }
            """
        var html = """
            <!doctype html>
            <html lang="zh-CN"><head><meta charset="utf-8"><title>\(e(orderNumber)) · \(receipt ? "小票 Receipt" : "发货单 Packing slip")</title>
            <style>\(css)</style></head><body>
            <header><div><h1>\(e(shopName))</h1><div>\(e(storeName)) · \(e(storePhone))</div><div>\(e(storeAddress))</div></div>
            """
        if !receipt { html += "<div class=\"qr\">\(qr)</div>" }
        html += "</header>\n<section class=\"meta\">"
        html += "<div>订单号 Order: <strong>\(e(orderNumber))</strong></div>"
        html += "<div>下单 Placed: \(e(stamp.string(from: placedAt)))</div>"
        if let paidAt { html += "<div>付款 Paid: \(e(stamp.string(from: paidAt)))</div>" }
        html += "<div>\(fulfilment == .pickup ? "门店自提 Pickup" : "配送 Delivery")</div>"
        if let recipient { html += "<div>收货人 To: \(e(recipient))</div>" }
        if let deliveryAddress { html += "<div>地址 Address: \(e(deliveryAddress))</div>" }
        if let shipment { html += "<div>物流 Shipment: \(e(shipment))</div>" }
        html += "</section>\n"
        html += "<table><thead><tr><th>商品 Item</th><th class=\"num\">单价 Price</th><th class=\"num\">数量 Qty</th><th class=\"num\">小计 Amount</th></tr></thead><tbody>"
        for line in lines {
            html += "<tr><td>\(e(line.title))<div class=\"spec\">\(e(line.specTitle))</div></td><td class=\"num\">\(yuan(line.unitPriceFen))</td>"
            html += "<td class=\"num\">\(line.quantity)</td><td class=\"num\">\(yuan(line.payableFen))</td></tr>"
        }
        html += "</tbody></table>\n<section class=\"receipt-lines\">"
        for line in lines {
            html += "<div class=\"line\"><span class=\"name\">\(e(line.title)) ×\(line.quantity)<div class=\"spec\">\(e(line.specTitle))</div></span><span>\(yuan(line.payableFen))</span></div>"
        }
        html += "</section>\n<section class=\"totals\">"
        html += "<div class=\"line\"><span>商品 Goods</span><span>\(yuan(goodsFen))</span></div>"
        if discountFen > 0 { html += "<div class=\"line\"><span>优惠 Discount</span><span>-\(yuan(discountFen))</span></div>" }
        html += "<div class=\"line\"><span>运费 Shipping</span><span>\(yuan(shippingFen))</span></div>"
        html += "<div class=\"line pay\"><span>实付 Paid</span><span>\(yuan(payableFen))</span></div></section>\n"
        if receipt { html += "<div class=\"qr\">\(qr)</div>" }
        html += "<footer><p>客服 Service: \(e(servicePhone))</p></footer></body></html>\n"
        return html
    }
}
