import Foundation

/// Checks a `PricingRequest` before anything is priced, collecting every problem so a caller
/// can report them together. Once it passes, the engine's arithmetic cannot overflow and every
/// delivery has a fee.
enum PricingValidator {
    static func validate(_ request: PricingRequest) throws {
        var check = Check(currency: request.currency)

        check.require(!request.groups.isEmpty, "groups", "must contain at least one order")
        check.require(request.groups.count <= PricingEngine.maximumGroups, "groups", "must contain at most \(PricingEngine.maximumGroups) orders")
        var goods: Int64 = 0
        var goodsTooLarge = false
        for (g, group) in request.groups.enumerated() {
            let path = "groups[\(g)]"
            check.require(!group.lines.isEmpty, "\(path).lines", "must contain at least one line")
            for (l, line) in group.lines.enumerated() {
                let linePath = "\(path).lines[\(l)]"
                check.require(line.merchantId == group.merchantId, "\(linePath).merchantId", "must be the order's merchant")
                check.require(line.quantity >= 1, "\(linePath).quantity", "must be at least 1")
                check.require(line.quantity <= PricingEngine.maximumQuantity, "\(linePath).quantity", "must be at most \(PricingEngine.maximumQuantity)")
                guard check.amount(line.unitPrice, "\(linePath).unitPrice"), (1...PricingEngine.maximumQuantity).contains(line.quantity) else { continue }
                let (lineTotal, overflow) = line.unitPrice.minorUnits.multipliedReportingOverflow(by: Int64(line.quantity))
                guard !overflow, lineTotal <= PricingEngine.maximumAmount else {
                    check.add(linePath, "comes to more than \(Money(minorUnits: PricingEngine.maximumAmount, currency: request.currency))")
                    continue
                }
                // Saturates just above the limit, so any number of lines cannot overflow the sum.
                goods = min(goods + lineTotal, PricingEngine.maximumAmount + 1)
            }
            if goods > PricingEngine.maximumAmount, !goodsTooLarge {
                goodsTooLarge = true
                check.add("groups", "come to more than \(Money(minorUnits: PricingEngine.maximumAmount, currency: request.currency))")
            }
            switch group.fulfilment {
            case .pickup:
                break
            case .delivery(let distance):
                check.require(distance >= 0, "\(path).fulfilment.distanceMeters", "must not be negative")
                guard let rule = request.shippingRules[group.merchantId] else {
                    check.add("\(path).fulfilment", "is a delivery but the merchant has no shipping rule")
                    continue
                }
                if case .distanceBands(let bands) = rule.fee, let last = bands.last, distance > last.upToMeters {
                    check.add("\(path).fulfilment.distanceMeters", "is beyond the merchant's delivery range of \(last.upToMeters) m")
                }
            }
        }

        for (p, promotion) in request.promotions.enumerated() {
            let path = "promotions[\(p)]"
            check.require(request.promotions[..<p].allSatisfy { $0.id != promotion.id }, "\(path).id", "must not repeat another promotion's id")
            PromotionRuleLimits.check(promotion.kind, path: path, currency: request.currency, into: &check.errors)
        }

        for (c, coupon) in request.coupons.enumerated() {
            let path = "coupons[\(c)]"
            check.require(request.coupons[..<c].allSatisfy { $0.id != coupon.id }, "\(path).id", "must not repeat another coupon's id")
            check.amount(coupon.minimumSpend, "\(path).minimumSpend")
            switch coupon.kind {
            case .amountOff(let off):
                check.amount(off, "\(path).amountOff", positive: true)
            case .percentOff(let basisPoints, let cap):
                check.require((1...10_000).contains(basisPoints), "\(path).basisPoints", "must be between 1 and 10000")
                if let cap { check.amount(cap, "\(path).cap", positive: true) }
            case .freeShipping, .freeItem:
                break
            }
        }

        check.require(request.member.pointsBalance >= 0, "member.pointsBalance", "must not be negative")
        if let benefits = request.member.benefits {
            check.require((0...10_000).contains(benefits.discountBasisPoints), "member.benefits.discountBasisPoints", "must be between 0 and 10000")
            if let threshold = benefits.freeShippingThreshold { check.amount(threshold, "member.benefits.freeShippingThreshold") }
        }
        if case .upTo(let asked) = request.points {
            check.require(asked >= 0, "points", "must not be negative")
        }
        if let policy = request.pointsPolicy {
            check.require((1...1_000_000).contains(policy.points), "pointsPolicy.points", "must be between 1 and 1000000")
            check.amount(policy.worth, "pointsPolicy.worth", positive: true)
            check.require((0...10_000).contains(policy.maximumShareBasisPoints), "pointsPolicy.maximumShareBasisPoints", "must be between 0 and 10000")
        }

        // Only rules of merchants in this checkout matter; a stale rule elsewhere is not the
        // shopper's problem. Sorted so the errors come out in the same order every time.
        let merchants = Set(request.groups.map(\.merchantId))
        for merchant in merchants.sorted() {
            guard let rule = request.shippingRules[merchant] else { continue }
            let path = "shippingRules[\(merchant.rawValue.uuidString)]"
            if let threshold = rule.freeShippingThreshold { check.amount(threshold, "\(path).freeShippingThreshold") }
            switch rule.fee {
            case .free:
                break
            case .flat(let fee):
                check.amount(fee, "\(path).fee")
            case .distanceBands(let bands):
                check.require(!bands.isEmpty, "\(path).bands", "must contain at least one band")
                for (b, band) in bands.enumerated() {
                    check.amount(band.fee, "\(path).bands[\(b)].fee")
                    check.require(band.upToMeters >= 0, "\(path).bands[\(b)].upToMeters", "must not be negative")
                    if b > 0 {
                        check.require(band.upToMeters > bands[b - 1].upToMeters, "\(path).bands[\(b)].upToMeters", "must be greater than the previous band's")
                    }
                }
            }
        }

        try check.errors.throwIfAny()
    }

    private struct Check {
        let currency: Currency
        var errors = FieldErrorCollector()

        mutating func add(_ field: String, _ message: String) { errors.add(field, message) }

        mutating func require(_ condition: Bool, _ field: String, _ message: String) {
            errors.require(condition, field, message)
        }

        /// Checks currency and range of an amount; returns whether it is usable.
        @discardableResult
        mutating func amount(_ money: Money, _ field: String, positive: Bool = false) -> Bool {
            if money.currency != currency {
                add(field, "must be in \(currency.rawValue), not \(money.currency.rawValue)")
                return false
            }
            if positive ? money.minorUnits <= 0 : money.minorUnits < 0 {
                add(field, positive ? "must be more than zero" : "must not be negative")
                return false
            }
            if money.minorUnits > PricingEngine.maximumAmount {
                add(field, "must be at most \(Money(minorUnits: PricingEngine.maximumAmount, currency: currency))")
                return false
            }
            return true
        }
    }
}
