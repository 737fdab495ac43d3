import Foundation
import MallCore

/// A seeded generator (SplitMix64) so the pricing property tests explore many carts yet fail
/// reproducibly: a failure names its seed.
struct PricingTestRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Builders for pricing tests: readable ids and yuan amounts.
enum PricingFixture {
    /// A fixed id per small number, so expectations can name what they mean.
    static func uuid(_ n: Int) -> UUID {
        UUID(uuidString: String(format: "00000000-0000-0000-0000-%012d", n))!
    }

    static let teaShop = MerchantID(uuid(101))
    static let snackShop = MerchantID(uuid(102))
    static let teaStore = StoreID(uuid(201))
    static let teaWarehouse = StoreID(uuid(202))
    static let snackStore = StoreID(uuid(203))
    static let tea = uuid(301)
    static let cup = uuid(302)
    static let snack = uuid(303)
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func fen(_ minorUnits: Int64) -> Money { Money(minorUnits: minorUnits) }
    static func yuan(_ major: Int64) -> Money { Money(minorUnits: major * 100) }

    static func line(
        _ title: String, product: UUID, merchant: MerchantID, quantity: Int, unit: Money, sku: Int? = nil
    ) -> CartLine {
        CartLine(
            skuId: uuid(sku ?? 400 + title.count), productId: product, merchantId: merchant,
            title: title, quantity: quantity, unitPrice: unit,
            priceSteps: [PriceStep(rule: "base", description: "List price \(unit)", price: unit)]
        )
    }

    static var teaLine: CartLine { line("Oolong tea 250 g", product: tea, merchant: teaShop, quantity: 2, unit: yuan(45), sku: 401) }
    static var cupLine: CartLine { line("Tea cup", product: cup, merchant: teaShop, quantity: 1, unit: yuan(30), sku: 402) }
    static var snackLine: CartLine { line("Rice cracker", product: snack, merchant: snackShop, quantity: 3, unit: yuan(10), sku: 403) }

    /// ¥5 up to 3 km, ¥8 up to 5 km, ¥12 up to 10 km; free from ¥99 after discounts.
    static let teaShipping = ShippingRule(
        fee: .distanceBands([
            DistanceBand(upToMeters: 3_000, fee: yuan(5)),
            DistanceBand(upToMeters: 5_000, fee: yuan(8)),
            DistanceBand(upToMeters: 10_000, fee: yuan(12)),
        ]),
        freeShippingThreshold: yuan(99)
    )

    static let snackShipping = ShippingRule(fee: .flat(yuan(6)))

    /// 满100减20 on everything of the tea shop.
    static let teaFullReduction = Promotion(
        id: uuid(501), name: "满100减20", merchantId: teaShop,
        kind: .fullReduction(tiers: [FullReductionTier(threshold: yuan(100), reduction: yuan(20))])
    )

    static let teaCoupon = Coupon(
        id: uuid(601), title: "¥10 off ¥99", merchantId: teaShop, minimumSpend: yuan(99), kind: .amountOff(yuan(10))
    )

    static let platformCoupon = Coupon(
        id: uuid(602), title: "10% off, up to ¥5", minimumSpend: yuan(50),
        kind: .percentOff(basisPoints: 1_000, cap: yuan(5))
    )

    /// 100 points = ¥1, paying at most half of the goods.
    static let pointsPolicy = PointsPolicy(points: 100, worth: yuan(1), maximumShareBasisPoints: 5_000)

    static func request(
        groups: [OrderGroup], promotions: [Promotion] = [], coupons: [Coupon] = [],
        member: PricingMember = .guest, points: PointsRedemption = .off,
        shippingRules: [MerchantID: ShippingRule] = [teaShop: teaShipping, snackShop: snackShipping]
    ) -> PricingRequest {
        PricingRequest(
            at: now, member: member, groups: groups, promotions: promotions, coupons: coupons,
            points: points, pointsPolicy: pointsPolicy, shippingRules: shippingRules
        )
    }
}

extension PricedCheckout {
    func group(_ index: Int) -> PricedGroup { groups[index] }

    /// The fen each line of every order got from `source`, order by order.
    func allocations(of source: DiscountSource) -> [[Int64]] {
        groups.map { group in
            group.lines.map { line in
                line.allocations.filter { $0.source == source }.reduce(0) { $0 + $1.amount.minorUnits }
            }
        }
    }
}
