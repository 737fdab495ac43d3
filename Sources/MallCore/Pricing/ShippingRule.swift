/// How a merchant charges for delivery. Pickup orders never pay shipping.
public struct ShippingRule: Codable, Hashable, Sendable {
    public var fee: ShippingFee
    /// Delivery is free when the merchant's delivered goods, after promotions and coupons but
    /// before points, reach this amount (包邮门槛). nil for no threshold.
    ///
    /// The amount is the merchant's goods across all of its delivery orders in the checkout:
    /// stock allocation splitting a cart over stores is the mall's choice, and must not cost the
    /// shopper free shipping they reached. Points do not count against it, since they are the
    /// shopper's own value, not a discount.
    public var freeShippingThreshold: Money?

    public init(fee: ShippingFee, freeShippingThreshold: Money? = nil) {
        self.fee = fee
        self.freeShippingThreshold = freeShippingThreshold
    }
}

public enum ShippingFee: Codable, Hashable, Sendable {
    case free
    case flat(Money)
    /// Bands sorted by strictly increasing `upToMeters`; a delivery pays the fee of the first
    /// band that reaches its distance, and one beyond the last band cannot be delivered.
    case distanceBands([DistanceBand])
}

/// Deliveries up to `upToMeters` (inclusive) and beyond the previous band pay `fee`.
public struct DistanceBand: Codable, Hashable, Sendable {
    public var upToMeters: Int
    public var fee: Money

    public init(upToMeters: Int, fee: Money) {
        self.upToMeters = upToMeters
        self.fee = fee
    }
}
