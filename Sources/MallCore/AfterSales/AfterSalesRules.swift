import Foundation

public enum AfterSalesKind: String, Codable, Sendable, CaseIterable {
    /// Money back, goods stay with the shopper (missing item, damage not worth shipping back).
    case refundOnly = "refund_only"
    case returnAndRefund = "return_and_refund"
    /// The same SKU again after the faulty one comes back.
    case exchange
}

/// Units of one order line taken into an after-sales case.
public struct AfterSalesLine: Hashable, Codable, Sendable {
    public var orderLineId: UUID
    public var quantity: Int

    public init(orderLineId: UUID, quantity: Int) {
        self.orderLineId = orderLineId
        self.quantity = quantity
    }
}

/// A request that passed `AfterSalesRules.checkRequest`: trimmed, merged, ready for a case.
public struct AfterSalesRequest: Hashable, Codable, Sendable {
    public var kind: AfterSalesKind
    public var lines: [AfterSalesLine]
    public var reason: String
    public var photoURLs: [String]
}

public enum AfterSalesRules {
    public static let maxPhotos = 9

    /// Checks a shopper's request and reports every problem at once.
    /// - Parameters:
    ///   - purchased: units bought per order line.
    ///   - alreadyReturned: units per order line already in earlier cases that were not rejected
    ///     or cancelled; they cannot be claimed twice.
    ///   - deliveredAt: when the goods were delivered or picked up; nil if not yet.
    ///   - windowDays: the after-sales window (a setting), counted in elapsed days.
    public static func checkRequest(
        kind: AfterSalesKind, lines: [AfterSalesLine], reason: String, photoURLs: [String],
        purchased: [UUID: Int], alreadyReturned: [UUID: Int] = [:],
        deliveredAt: Date?, now: Date, windowDays: Int, maxPhotos: Int = AfterSalesRules.maxPhotos
    ) throws -> AfterSalesRequest {
        var errors = FieldErrorCollector()

        if let deliveredAt {
            if now.timeIntervalSince(deliveredAt) > TimeInterval(windowDays) * 86_400 {
                errors.add("order", "is past the \(windowDays)-day after-sales window")
            }
        } else {
            errors.add("order", "has not been delivered yet; cancel it instead")
        }

        var merged: [AfterSalesLine] = []
        if lines.isEmpty { errors.add("lines", "must name at least one item") }
        for (index, line) in lines.enumerated() {
            let field = "lines[\(index)]"
            guard let bought = purchased[line.orderLineId] else {
                errors.add(field, "is not a line of this order")
                continue
            }
            if merged.contains(where: { $0.orderLineId == line.orderLineId }) {
                errors.add(field, "names the same item twice")
                continue
            }
            let left = bought - (alreadyReturned[line.orderLineId] ?? 0)
            if line.quantity < 1 {
                errors.add(field + ".quantity", "must be at least 1")
            } else if line.quantity > left {
                errors.add(field + ".quantity", left <= 0 ? "nothing left to return on this item" : "must be at most \(left)")
            }
            merged.append(line)
        }

        // The shopper's own words: the API's `description` (its `reason` is the chosen reason code).
        let reason = errors.collect { try TextRule.check(reason, field: "description", min: 2, max: 500) } ?? ""

        if photoURLs.count > maxPhotos { errors.add("photos", "must be at most \(maxPhotos)") }
        let photos = photoURLs.map { $0.trimmingWhitespace() }
        for (index, url) in photos.enumerated() where !isAcceptablePhotoURL(url) {
            errors.add("photos[\(index)]", "must be an https address or a path to an uploaded file")
        }

        try errors.throwIfAny()
        return AfterSalesRequest(kind: kind, lines: merged, reason: reason, photoURLs: photos)
    }

    /// Photos come from our own uploads (`/files/...`) or an https object store; anything else
    /// (`javascript:`, `data:`, plain http) would be rendered to staff and is refused.
    static func isAcceptablePhotoURL(_ text: String) -> Bool {
        guard !text.isEmpty, text.count <= 1_000,
              !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0 == " " })
        else { return false }
        if text.hasPrefix("/") { return !text.hasPrefix("//") && !text.contains("..") }
        guard let url = URL(string: text), url.scheme?.lowercased() == "https", let host = url.host, !host.isEmpty else { return false }
        return true
    }
}
