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

public enum ShippingMode: String, Codable, Sendable, CaseIterable {
    case free, flat, distance
}

extension ShippingRule {
    /// Builds a merchant's rule from what staff entered, reporting every problem at once: a
    /// flat fee needs `flatFeeFen`; distance pricing needs 1–10 bands with strictly
    /// increasing distances; amounts are fen between 0 and ¥1,000.
    public init(mode: ShippingMode, flatFeeFen: Int64?, bands: [(upToMeters: Int, feeFen: Int64)]?, freeAboveFen: Int64?) throws {
        var errors = FieldErrorCollector()
        func fee(_ value: Int64, _ field: String) -> Money? {
            guard (0...100_000).contains(value) else {
                errors.add(field, "must be between 0 and 100000 fen")
                return nil
            }
            return Money(minorUnits: value)
        }
        var result: ShippingFee = .free
        switch mode {
        case .free:
            break
        case .flat:
            if let flatFeeFen, let amount = fee(flatFeeFen, "flatFeeFen") { result = .flat(amount) } else if flatFeeFen == nil {
                errors.add("flatFeeFen", "is required for a flat fee")
            }
        case .distance:
            let bands = bands ?? []
            if !(1...10).contains(bands.count) { errors.add("bands", "must have 1 to 10 distance bands") }
            var checked: [DistanceBand] = []
            for (index, band) in bands.enumerated() {
                if !(1...100_000).contains(band.upToMeters) { errors.add("bands[\(index)].upToMeters", "must be between 1 and 100000 metres") }
                if index > 0, band.upToMeters <= bands[index - 1].upToMeters {
                    errors.add("bands[\(index)].upToMeters", "must be farther than the previous band")
                }
                if let amount = fee(band.feeFen, "bands[\(index)].feeFen") { checked.append(DistanceBand(upToMeters: band.upToMeters, fee: amount)) }
            }
            result = .distanceBands(checked)
        }
        var threshold: Money?
        if let freeAboveFen {
            if (1...100_000_000).contains(freeAboveFen) { threshold = Money(minorUnits: freeAboveFen) } else {
                errors.add("freeAboveFen", "must be between 1 and 100000000 fen, or left out for no free-delivery threshold")
            }
        }
        try errors.throwIfAny()
        self.init(fee: result, freeShippingThreshold: threshold)
    }
}
