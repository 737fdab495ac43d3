import Foundation

/// The coupons to use for a checkout, with the checkout priced with them.
public struct CouponChoice: Sendable {
    public var coupons: [Coupon]
    public var priced: PricedCheckout
}

/// Picks, from the coupons a member holds, the combination that makes the checkout cheapest
/// under the engine's rules (at most one per issuer slot, merchant coupons before the
/// platform's), by pricing combinations with the engine itself, so the choice can never
/// disagree with what checkout charges.
public enum CouponSelection {
    /// The most combinations priced; beyond it each issuer keeps only its best coupons alone.
    /// At 20 lines a pricing takes microseconds, so this bounds a preview to a few milliseconds.
    public static let maximumCombinations = 512

    /// The cheapest combination of `candidates` for `request` (whose own coupons are ignored).
    /// Points are left out while choosing: they pay what is left, whatever the coupons.
    ///
    /// Ties go to fewer coupons, then to coupons that expire sooner (a coupon kept lasts
    /// longer), then to the smaller ids, so the same inputs always choose the same coupons.
    public static func best(for request: PricingRequest, from candidates: [Coupon]) throws -> CouponChoice {
        var base = request
        base.points = .off
        base.coupons = []
        // A goods coupon that does not apply alone applies in no combination: other coupons only
        // lower the goods it is judged on. Shipping is the exception both ways: a goods coupon
        // can take an order below its free-delivery threshold, so a free-shipping coupon with
        // nothing to waive alone may waive a fee beside it, and a goods coupon that costs more
        // alone may pay off beside a free-shipping coupon.
        var bySlot: [CouponIssuerSlot: [(coupon: Coupon, payable: Int64)]] = [:]
        for coupon in candidates.sorted(by: precedes) {
            base.coupons = [coupon]
            let alone = try PricingEngine.price(base)
            switch alone.coupons.first?.status {
            case .applied?, .notApplicable(.noShippingToWaive)?: break
            default: continue
            }
            bySlot[coupon.issuerSlot, default: []].append((coupon, alone.totals.payable.minorUnits))
        }
        var slots = bySlot.keys.sorted().map { slot in
            bySlot[slot]!.sorted { $0.payable != $1.payable ? $0.payable < $1.payable : precedes($0.coupon, $1.coupon) }.map(\.coupon)
        }
        // Trim the slot with the most coupons until the product fits.
        while slots.reduce(1, { $0 * ($1.count + 1) }) > maximumCombinations, let widest = slots.indices.max(by: { slots[$0].count < slots[$1].count }) {
            slots[widest].removeLast()
        }

        var best: (coupons: [Coupon], priced: PricedCheckout)?
        var picked: [Coupon] = []
        func search(_ slot: Int) throws {
            guard slot < slots.count else {
                base.coupons = picked
                let priced = try PricingEngine.price(base)
                if best.map({ isBetter(priced, picked, than: $0.priced, $0.coupons) }) ?? true { best = (picked, priced) }
                return
            }
            try search(slot + 1)
            for coupon in slots[slot] {
                picked.append(coupon)
                try search(slot + 1)
                picked.removeLast()
            }
        }
        try search(0)
        let chosen = best?.coupons.sorted(by: precedes) ?? []
        var final = request
        final.coupons = chosen
        return CouponChoice(coupons: chosen, priced: try PricingEngine.price(final))
    }

    static func isBetter(_ priced: PricedCheckout, _ coupons: [Coupon], than other: PricedCheckout, _ otherCoupons: [Coupon]) -> Bool {
        if priced.totals.payable != other.totals.payable { return priced.totals.payable < other.totals.payable }
        if coupons.count != otherCoupons.count { return coupons.count < otherCoupons.count }
        let mine = coupons.sorted(by: precedes), theirs = otherCoupons.sorted(by: precedes)
        for (a, b) in zip(mine, theirs) where a.id != b.id { return precedes(a, b) }
        return false
    }

    /// Sooner expiry first (none last), then by id.
    static func precedes(_ a: Coupon, _ b: Coupon) -> Bool {
        let (ua, ub) = (a.validUntil ?? .distantFuture, b.validUntil ?? .distantFuture)
        return ua != ub ? ua < ub : a.id.uuidString < b.id.uuidString
    }
}
