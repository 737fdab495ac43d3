import Foundation
import MallCore

// `pricing-bench`: the pricing engine's cost on the cart the performance target names: 20 lines
// over two merchants (one delivered, one picked up), 5 running promotions and 3 coupons. It
// prices that cart many times in one process and prints the time per pricing, mean and
// percentiles, as text and as one JSON line for bench/report.py. It also times the coupon
// combination search (`CouponSelection.best`) the checkout preview runs over the same coupons.
// Build it in release mode: `swift build -c release --product pricing-bench` (bench/run does).
//
//   pricing-bench [--iterations 20000] [--warmup 2000] [--json FILE]

struct Options {
    var iterations = 20_000
    var warmup = 2_000
    var json: String?

    init(_ arguments: [String]) throws {
        var rest = arguments[...]
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst() else { throw Usage.missingValue(flag) }
            switch flag {
            case "--iterations": iterations = try Self.count(value, flag)
            case "--warmup": warmup = try Self.count(value, flag)
            case "--json": json = value
            default: throw Usage.unknown(flag)
            }
        }
    }

    private static func count(_ value: String, _ flag: String) throws -> Int {
        guard let n = Int(value), (1...10_000_000).contains(n) else { throw Usage.badCount(flag, value) }
        return n
    }
}

enum Usage: Error, CustomStringConvertible {
    case missingValue(String)
    case unknown(String)
    case badCount(String, String)
    case cartDoesNotExercise(String)

    var description: String {
        switch self {
        case .missingValue(let flag): "\(flag) needs a value"
        case .unknown(let flag): "unknown option \(flag) (use --iterations N, --warmup N, --json FILE)"
        case .badCount(let flag, let value): "\(flag) needs a whole number from 1 to 10000000, got \(value)"
        case .cartDoesNotExercise(let what): "the benchmark cart no longer exercises the engine as intended: \(what)"
        }
    }
}

/// The benchmark's checkout, fixed so that every run prices the same thing: every promotion and
/// every coupon applies (checked before timing), so the numbers cover the engine's full path.
enum BenchCart {
    static func fen(_ n: Int64) -> Money { Money(minorUnits: n) }

    static func uuid(_ n: Int) -> UUID {
        UUID(uuidString: String(format: "00000000-0000-4000-8000-%012d", n)) ?? UUID()
    }

    static let hq = MerchantID(uuid(1))
    static let fruit = MerchantID(uuid(2))
    static let dairy = uuid(10)
    static let snacks = uuid(11)
    static let brand = uuid(12)
    static let giftSKU = uuid(900)

    static func request() -> PricingRequest {
        var hqLines: [CartLine] = []
        var fruitLines: [CartLine] = []
        for n in 0..<20 {
            let hqLine = n < 14
            let line = CartLine(skuId: uuid(100 + n), productId: uuid(200 + n), merchantId: hqLine ? hq : fruit, title: "商品 \(n)",
                                quantity: 1 + n % 3, unitPrice: fen(Int64(990 + 350 * n)),
                                categoryId: n.isMultiple(of: 2) ? dairy : snacks, brandId: n.isMultiple(of: 3) ? brand : nil)
            if hqLine { hqLines.append(line) } else { fruitLines.append(line) }
        }
        let promotions = [
            Promotion(id: uuid(300), name: "满100减10 满200减30", kind: .fullReduction(tiers: [
                FullReductionTier(threshold: fen(10_000), reduction: fen(1_000)), FullReductionTier(threshold: fen(20_000), reduction: fen(3_000))])),
            Promotion(id: uuid(301), name: "乳品 9 折", merchantId: hq, kind: .percentOff(basisPoints: 1_000), categories: [dairy], priority: 5),
            Promotion(id: uuid(302), name: "第二件半价", merchantId: hq, kind: .nthItemOff(n: 2, basisPoints: 5_000), brands: [brand]),
            Promotion(id: uuid(303), name: "满99送坚果", merchantId: hq, kind: .gift(PromotionGiftRule(
                minimumSpend: fen(9_900), skuId: giftSKU, productId: uuid(901), title: "每日坚果"))),
            Promotion(id: uuid(304), name: "每满50减5", merchantId: fruit, kind: .everyReduction(step: fen(5_000), reduction: fen(500), cap: fen(3_000))),
        ]
        let coupons = [
            Coupon(id: uuid(400), title: "店铺券 满99减15", merchantId: hq, minimumSpend: fen(9_900), kind: .amountOff(fen(1_500))),
            Coupon(id: uuid(401), title: "平台 9折券 最高减¥20", minimumSpend: .zero(.cny), kind: .percentOff(basisPoints: 1_000, cap: fen(2_000))),
            Coupon(id: uuid(402), title: "免运费券", merchantId: hq, minimumSpend: .zero(.cny), kind: .freeShipping),
        ]
        return PricingRequest(
            at: Date(timeIntervalSince1970: 1_795_744_800), member: PricingMember(level: "金卡"),
            groups: [OrderGroup(merchantId: hq, storeId: StoreID(uuid(500)), fulfilment: .delivery(distanceMeters: 3_200), lines: hqLines),
                     OrderGroup(merchantId: fruit, storeId: StoreID(uuid(501)), fulfilment: .pickup, lines: fruitLines)],
            promotions: promotions, coupons: coupons,
            shippingRules: [hq: ShippingRule(fee: .flat(fen(800))), fruit: ShippingRule(fee: .flat(fen(600)))])
    }

    /// Refuses to time a cart on which a promotion or coupon does nothing: that would time less
    /// than the target describes.
    static func verify(_ priced: PricedCheckout, _ request: PricingRequest) throws {
        let lines = priced.groups.reduce(0) { $0 + $1.lines.count }
        guard lines == 20 else { throw Usage.cartDoesNotExercise("\(lines) lines priced, not 20") }
        let promotionsUsed = Set(priced.discounts.compactMap { discount -> UUID? in
            if case .promotion(let id) = discount.source { return id }
            return nil
        })
        let giving = promotionsUsed.count + (priced.gifts.isEmpty ? 0 : 1)
        guard giving == request.promotions.count else {
            throw Usage.cartDoesNotExercise("\(giving) of \(request.promotions.count) promotions give something")
        }
        let applied = priced.coupons.filter { if case .applied = $0.status { true } else { false } }.count
        guard applied == request.coupons.count else {
            throw Usage.cartDoesNotExercise("\(applied) of \(request.coupons.count) coupons apply: \(priced.coupons.map(\.message))")
        }
    }
}

struct Timing: Codable {
    var iterations: Int
    var meanMicroseconds: Double
    var p50Microseconds: Double
    var p99Microseconds: Double
    var maxMicroseconds: Double

    init(nanoseconds: [UInt64]) {
        let sorted = nanoseconds.sorted()
        func micro(_ ns: UInt64) -> Double { Double(ns) / 1_000 }
        func percentile(_ p: Double) -> Double { micro(sorted[min(sorted.count - 1, Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1)]) }
        iterations = sorted.count
        meanMicroseconds = micro(sorted.reduce(0, +)) / Double(sorted.count)
        p50Microseconds = percentile(50)
        p99Microseconds = percentile(99)
        maxMicroseconds = micro(sorted.last ?? 0)
    }
}

/// Times `body` once per iteration after a warm-up. The payable amounts are summed and printed
/// so the optimiser cannot drop a pricing whose result nobody reads.
func measure(_ options: Options, _ body: () throws -> Int64) rethrows -> (Timing, checksum: Int64) {
    var checksum: Int64 = 0
    for _ in 0..<options.warmup { checksum &+= try body() }
    var samples = [UInt64](repeating: 0, count: options.iterations)
    for index in samples.indices {
        let start = DispatchTime.now().uptimeNanoseconds
        checksum &+= try body()
        samples[index] = DispatchTime.now().uptimeNanoseconds - start
    }
    return (Timing(nanoseconds: samples), checksum)
}

struct Report: Codable {
    var scenario = "pricing"
    var lines = 20
    var promotions: Int
    var coupons: Int
    var price: Timing
    var bestCoupons: Timing
    var targetMicroseconds = 1_000.0
    var checksum: Int64
}

do {
    let options = try Options(Array(CommandLine.arguments.dropFirst()))
    let request = BenchCart.request()
    try BenchCart.verify(try PricingEngine.price(request), request)
    let (price, priceSum) = try measure(options) { try PricingEngine.price(request).totals.payable.minorUnits }
    let (best, bestSum) = try measure(options) { try CouponSelection.best(for: request, from: request.coupons).priced.totals.payable.minorUnits }
    let report = Report(promotions: request.promotions.count, coupons: request.coupons.count, price: price, bestCoupons: best,
                        checksum: priceSum &+ bestSum)
    func line(_ name: String, _ t: Timing) -> String {
        String(format: "%@: mean %.1f µs, p50 %.1f µs, p99 %.1f µs, max %.1f µs over %d runs", name, t.meanMicroseconds, t.p50Microseconds,
               t.p99Microseconds, t.maxMicroseconds, t.iterations)
    }
    print("pricing-bench: 20 lines, \(report.promotions) promotions, \(report.coupons) coupons (checksum \(report.checksum))")
    print(line("  PricingEngine.price       ", price))
    print(line("  CouponSelection.best      ", best))
    print(price.p99Microseconds < report.targetMicroseconds ? "  target (< 1 ms per pricing, p99): met" : "  target (< 1 ms per pricing, p99): missed")
    if let path = options.json {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try (encoder.encode(report) + Data("\n".utf8)).write(to: URL(fileURLWithPath: path))
    }
} catch {
    FileHandle.standardError.write(Data("pricing-bench: \(error)\n".utf8))
    exit(2)
}
