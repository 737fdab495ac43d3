import Foundation
import MallCore
import Testing

@Suite("Coupons: kinds, stacking, lifecycle, validity, claim rules")
struct CouponRulesTests {
    typealias F = PricingFixture

    /// Tea 2 × ¥45 and a cup ¥30 delivered 4 km (¥8 shipping below ¥99); crackers 3 × ¥10 (¥6 flat).
    static var groups: [OrderGroup] {
        [
            OrderGroup(merchantId: F.teaShop, storeId: F.teaStore, fulfilment: .delivery(distanceMeters: 4_000), lines: [F.teaLine]),
            OrderGroup(merchantId: F.snackShop, storeId: F.snackStore, fulfilment: .delivery(distanceMeters: 1_000), lines: [F.snackLine]),
        ]
    }

    @Test("a free-shipping coupon waives the fee of the orders it covers and says what it saved")
    func freeShipping() throws {
        let coupon = Coupon(id: F.uuid(700), title: "免运费", merchantId: F.snackShop, minimumSpend: .zero(), kind: .freeShipping)
        let priced = try PricingEngine.price(F.request(groups: Self.groups, coupons: [coupon]))
        #expect(priced.group(1).totals.shippingFee == F.yuan(0))
        #expect(priced.group(1).shipping.description == "Free delivery with coupon 免运费 (saves ¥6.00)")
        #expect(priced.group(0).totals.shippingFee == F.yuan(8))
        #expect(priced.coupons[0].status == .applied(discount: F.yuan(6)))
        #expect(priced.totals.couponDiscount == F.yuan(0))
        #expect(priced.explanation.contains("Free-shipping coupon: -¥6.00 (免运费)"))
    }

    @Test("a coupon for certain stores applies only to goods those stores fulfil, and says why otherwise")
    func storeScope() throws {
        let atSnackStore = Coupon(id: F.uuid(708), title: "Store ¥5", stores: [F.snackStore], minimumSpend: .zero(), kind: .amountOff(F.yuan(5)))
        let priced = try PricingEngine.price(F.request(groups: Self.groups, coupons: [atSnackStore]))
        #expect(priced.coupons[0].status == .applied(discount: F.yuan(5)))
        #expect(priced.group(0).totals.couponDiscount == F.yuan(0))
        #expect(priced.group(1).totals.couponDiscount == F.yuan(5))
        let elsewhere = Coupon(id: F.uuid(709), title: "Other store", stores: [StoreID(F.uuid(998))], minimumSpend: .zero(), kind: .amountOff(F.yuan(5)))
        let refused = try PricingEngine.price(F.request(groups: Self.groups, coupons: [elsewhere]))
        #expect(refused.coupons[0].status == .notApplicable(.notAtTheseStores))
        #expect(refused.totals.couponDiscount == F.yuan(0))
    }

    @Test("a free-shipping coupon with nothing to waive is not applied")
    func freeShippingNothingToWaive() throws {
        let groups = [OrderGroup(merchantId: F.snackShop, storeId: F.snackStore, fulfilment: .pickup, lines: [F.snackLine])]
        let coupon = Coupon(id: F.uuid(700), title: "免运费", minimumSpend: .zero(), kind: .freeShipping)
        let priced = try PricingEngine.price(F.request(groups: groups, coupons: [coupon]))
        #expect(priced.coupons[0].status == .notApplicable(.noShippingToWaive))
    }

    @Test("a gift coupon makes one unit of its SKU free, and is refused when the SKU is not in the checkout")
    func giftCoupon() throws {
        let gift = Coupon(id: F.uuid(701), title: "礼品券", minimumSpend: F.yuan(50), kind: .freeItem(skuId: F.uuid(403)))
        let priced = try PricingEngine.price(F.request(groups: Self.groups, coupons: [gift]))
        #expect(priced.coupons[0].status == .applied(discount: F.yuan(10)))
        #expect(priced.group(1).lines[0].payable == F.yuan(20))
        let missing = Coupon(id: F.uuid(702), title: "礼品券", minimumSpend: .zero(), kind: .freeItem(skuId: F.uuid(999)))
        let refused = try PricingEngine.price(F.request(groups: Self.groups, coupons: [missing]))
        #expect(refused.coupons[0].status == .notApplicable(.giftItemNotInCheckout))
    }

    @Test("a coupon not combinable with promotions covers only lines no promotion touched")
    func notWithPromotions() throws {
        let groups = [OrderGroup(merchantId: F.teaShop, storeId: F.teaStore, fulfilment: .pickup, lines: [F.teaLine, F.cupLine])]
        let teaOnly = Promotion(id: F.uuid(510), name: "Tea 10% off", merchantId: F.teaShop, products: .products([F.tea]),
                                kind: .percentOff(basisPoints: 1_000))
        let coupon = Coupon(id: F.uuid(703), title: "¥5 off", merchantId: F.teaShop, minimumSpend: .zero(), kind: .amountOff(F.yuan(5)),
                            stacksWithPromotions: false)
        let priced = try PricingEngine.price(F.request(groups: groups, promotions: [teaOnly], coupons: [coupon]))
        #expect(priced.allocations(of: .coupon(F.uuid(703))) == [[0, 500]])
        let cupCoupon = Coupon(id: F.uuid(704), title: "¥5 off tea", merchantId: F.teaShop, products: .products([F.tea]), minimumSpend: .zero(),
                               kind: .amountOff(F.yuan(5)), stacksWithPromotions: false)
        let refused = try PricingEngine.price(F.request(groups: groups, promotions: [teaOnly], coupons: [cupCoupon]))
        #expect(refused.coupons[0].status == .notApplicable(.onlyPromotedItems))
    }

    @Test("one goods coupon and one free-shipping coupon per issuer")
    func oneOfEachSlotPerIssuer() throws {
        let first = Coupon(id: F.uuid(705), title: "A", minimumSpend: .zero(), kind: .amountOff(F.yuan(1)))
        let second = Coupon(id: F.uuid(706), title: "B", minimumSpend: .zero(), kind: .amountOff(F.yuan(2)))
        let shipping = Coupon(id: F.uuid(707), title: "C", minimumSpend: .zero(), kind: .freeShipping)
        let priced = try PricingEngine.price(F.request(groups: Self.groups, coupons: [first, second, shipping]))
        #expect(priced.coupons[0].status == .applied(discount: F.yuan(1)))
        #expect(priced.coupons[1].status == .notApplicable(.anotherCouponFromSameIssuer(couponId: F.uuid(705))))
        #expect(priced.coupons[2].status == .applied(discount: F.yuan(14)))
    }

    @Test("the lifecycle: lock, release, lock again, use; expire only when available; return only when the template allows")
    func lifecycle() throws {
        var coupon = MemberCouponLifecycle()
        try coupon.lock(checkout: F.uuid(1))
        #expect(throws: IllegalCouponTransition.self) { try coupon.lock(checkout: F.uuid(2)) }
        #expect(throws: IllegalCouponTransition.self) { try coupon.expire() }
        try coupon.release()
        #expect(coupon.status == .available && coupon.checkoutId == nil)
        try coupon.lock(checkout: F.uuid(3))
        try coupon.use()
        #expect(coupon.status == .used && coupon.checkoutId == F.uuid(3))
        #expect(throws: IllegalCouponTransition.self) { try coupon.release() }
        #expect(throws: IllegalCouponTransition.self) { try coupon.returnAfterRefund(returnable: false) }
        try coupon.returnAfterRefund(returnable: true)
        #expect(coupon.status == .available)
        try coupon.expire()
        #expect(coupon.status == .expired)
        #expect(throws: IllegalCouponTransition.self) { try coupon.lock(checkout: F.uuid(4)) }
    }

    @Test("every event's target is reachable only from its sources", arguments: MemberCouponEvent.allCases)
    func eventTable(event: MemberCouponEvent) {
        for status in MemberCouponStatus.allCases {
            var coupon = MemberCouponLifecycle(status: status, checkoutId: F.uuid(1))
            let moved: Bool
            switch event {
            case .lock: moved = (try? coupon.lock(checkout: F.uuid(2))) != nil
            case .release: moved = (try? coupon.release()) != nil
            case .use: moved = (try? coupon.use()) != nil
            case .expire: moved = (try? coupon.expire()) != nil
            case .returnAfterRefund: moved = (try? coupon.returnAfterRefund(returnable: true)) != nil
            }
            #expect(moved == event.sources.contains(status), "\(event) from \(status)")
            if moved { #expect(coupon.status == event.target) }
        }
    }

    @Test("validity: fixed dates for everyone, or days from the claim")
    func validity() {
        let claimed = F.now
        #expect(CouponValidity.daysAfterClaim(7).window(claimedAt: claimed) == (claimed, claimed.addingTimeInterval(7 * 86_400)))
        let fixed = CouponValidity.fixed(from: F.now.addingTimeInterval(-10), until: F.now.addingTimeInterval(10))
        #expect(fixed.window(claimedAt: claimed.addingTimeInterval(5)).until == F.now.addingTimeInterval(10))
    }

    @Test("claim rules: window, early end, levels, new members")
    func claimRules() {
        let now = F.now
        func refusal(start: Date? = nil, end: Date? = nil, ended: Date? = nil, audience: CouponAudience = .init(), level: String? = nil,
                     ordered: Bool = false) -> CouponClaimRefusal? {
            CouponTemplateRules.claimRefusal(claimStartsAt: start, claimEndsAt: end, endedAt: ended, audience: audience, memberLevel: level,
                                             memberHasOrdered: ordered, now: now)
        }
        #expect(refusal() == nil)
        #expect(refusal(start: now.addingTimeInterval(60)) == .notStarted(now.addingTimeInterval(60)))
        #expect(refusal(end: now) == .ended)
        #expect(refusal(ended: now.addingTimeInterval(-1)) == .ended)
        #expect(refusal(audience: .init(memberLevels: ["gold"]), level: "silver") == .levelNotEligible)
        #expect(refusal(audience: .init(memberLevels: ["gold"]), level: "gold") == nil)
        #expect(refusal(audience: .init(newMembersOnly: true), ordered: true) == .newMembersOnly)
    }

    @Test("editing: every term before the validity starts (dates only while nobody holds one); afterwards only a larger quantity")
    func editing() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let later = CouponValidity.fixed(from: now.addingTimeInterval(3_600), until: now.addingTimeInterval(86_400))
        #expect(!CouponTemplateRules.validityStarted(validity: later, claimedCount: 5, now: now))
        #expect(CouponTemplateRules.validityStarted(validity: later, claimedCount: 0, now: now.addingTimeInterval(3_600)))
        #expect(!CouponTemplateRules.validityStarted(validity: .daysAfterClaim(7), claimedCount: 0, now: now))
        #expect(CouponTemplateRules.validityStarted(validity: .daysAfterClaim(7), claimedCount: 1, now: now))
        func refusal(ended: Bool = false, started: Bool, claimed: Int = 0, terms: Bool = false, validity: Bool = false, to quantity: Int = 100) -> CouponEditRefusal? {
            CouponTemplateRules.editRefusal(ended: ended, started: started, claimedCount: claimed, termsChanged: terms || validity,
                                            validityChanged: validity, currentQuantity: 100, newQuantity: quantity)
        }
        #expect(refusal(started: false, claimed: 3, terms: true, to: 50) == nil)
        #expect(refusal(started: false, claimed: 3, validity: true) == .validityOfHeldCoupons)
        #expect(refusal(started: false, validity: true) == nil)
        #expect(refusal(started: true, claimed: 3, to: 150) == nil)
        #expect(refusal(started: true, claimed: 3, terms: true, to: 150) == .started)
        #expect(refusal(started: true, claimed: 3, to: 99) == .quantityLowered(current: 100))
        #expect(refusal(started: false, claimed: 60, to: 50) == .belowClaimed(claimed: 60))
        #expect(refusal(ended: true, started: true, to: 150) == .ended)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<1_000 {
            let started = Bool.random(using: &generator), terms = Bool.random(using: &generator)
            let claimed = Int.random(in: 0...200, using: &generator), quantity = Int.random(in: 1...200, using: &generator)
            let allowed = refusal(started: started, claimed: claimed, terms: terms, to: quantity) == nil
            // Whatever is allowed keeps every claim within the quantity, and a started coupon's terms as they were.
            if allowed { #expect(quantity >= claimed && (!started || (!terms && quantity >= 100))) }
        }
    }

    @Test("template validation names every bad field")
    func templateValidation() {
        let errors = CouponTemplateRules.validate(title: " ", kind: .percentOff(basisPoints: 10_000, cap: nil), minimumSpend: F.fen(-1),
                                                  totalQuantity: 0, perMemberLimit: 101, validity: .daysAfterClaim(0), claimStartsAt: F.now,
                                                  claimEndsAt: F.now)
        #expect(Set(errors.map(\.field)) == ["title", "minimumSpendFen", "totalQuantity", "perMemberLimit", "percentOffBasisPoints", "validDays",
                                            "claimEndsAt"])
    }
}
