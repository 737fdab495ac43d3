import Foundation

/// How one order reaches the shopper.
public enum Fulfilment: Codable, Hashable, Sendable {
    /// Delivered from the store; the distance picks the band of a distance-priced shipping rule.
    case delivery(distanceMeters: Int)
    /// Collected at the store by the shopper, so there is nothing to ship and no fee.
    case pickup

    var isDelivery: Bool {
        if case .delivery = self { return true }
        return false
    }
}

/// The lines that become one order: checkout splits the cart into one order per merchant, and
/// further per fulfilling store when stock allocation spreads a merchant's lines over stores.
public struct OrderGroup: Codable, Hashable, Sendable {
    public var merchantId: MerchantID
    /// The store that fulfils (ships or hands over) these lines.
    public var storeId: StoreID
    public var fulfilment: Fulfilment
    /// At least one line, all of this group's merchant.
    public var lines: [CartLine]

    public init(merchantId: MerchantID, storeId: StoreID, fulfilment: Fulfilment, lines: [CartLine]) {
        self.merchantId = merchantId
        self.storeId = storeId
        self.fulfilment = fulfilment
        self.lines = lines
    }
}
