import Foundation

/// What a lottery prize gives.
public enum LotteryPrizeKind: String, Codable, Sendable, CaseIterable {
    /// Points credited at once (`lottery_prize` in the ledger).
    case points
    /// A catalogue SKU, fulfilled as a zero-price pickup order at the prize's store.
    case sku
    /// No prize ("thanks for playing").
    case nothing
}

/// Why a draw gave nothing although its slot held a prize.
public enum LotteryFallback: String, Codable, Sendable, CaseIterable {
    /// The prize's own stock was used up.
    case outOfStock = "out_of_stock"
    /// The prize's store no longer had the SKU in stock.
    case storeOutOfStock = "store_out_of_stock"
}

/// One slot of a wheel as it stood when a draw was made.
public struct LotterySlot: Codable, Hashable, Sendable {
    public var prizeId: UUID
    public var name: String
    public var kind: LotteryPrizeKind
    public var weight: Int
    public var points: Int64?
    public var skuId: UUID?
    public var storeId: UUID?

    public init(prizeId: UUID, name: String, kind: LotteryPrizeKind, weight: Int, points: Int64? = nil, skuId: UUID? = nil, storeId: UUID? = nil) {
        self.prizeId = prizeId
        self.name = name
        self.kind = kind
        self.weight = weight
        self.points = points
        self.skuId = skuId
        self.storeId = storeId
    }
}

/// A wheel's prize table at one version. Tables are never changed once written: staff edits
/// write the next version, so a stored draw (random value + version) can always be replayed.
public struct LotteryTable: Codable, Hashable, Sendable {
    public var version: Int
    public var slots: [LotterySlot]

    public init(version: Int, slots: [LotterySlot]) {
        self.version = version
        self.slots = slots
    }

    public var weights: [Int] { slots.map(\.weight) }
}

/// A prize as staff describe it, for validation.
public struct LotteryPrizeSpec: Sendable {
    public var name: String
    public var kind: LotteryPrizeKind
    public var points: Int64?
    public var hasSKU: Bool
    public var hasStore: Bool
    public var weight: Int
    public var stock: Int?

    public init(name: String, kind: LotteryPrizeKind, points: Int64?, hasSKU: Bool, hasStore: Bool, weight: Int, stock: Int?) {
        self.name = name
        self.kind = kind
        self.points = points
        self.hasSKU = hasSKU
        self.hasStore = hasStore
        self.weight = weight
        self.stock = stock
    }
}

/// The draw itself, as a pure function of a random value and the weights, so any stored draw
/// can be checked by running it again.
public enum LotteryWheel {
    /// The slot that a uniformly random 64-bit `random` lands on, each slot's chance being its
    /// weight over the sum of the weights; nil when no slot has a positive weight.
    ///
    /// `random` is scaled into `0 ..< total` by taking the high word of `random × total`
    /// (floor(random · total / 2⁶⁴)), then the slots' cumulative weights are walked. Every
    /// point of `0 ..< total` is hit by ⌊2⁶⁴/total⌋ or ⌈2⁶⁴/total⌉ values, so the bias is below
    /// one part in 2⁶⁴ ÷ total — far below anything a wheel of a million units can show — and
    /// there is no retry loop, so one stored value always replays to the same slot. Negative
    /// weights count as zero; zero-weight slots are never drawn.
    public static func slot(for random: UInt64, weights: [Int]) -> Int? {
        var total: UInt64 = 0
        for weight in weights where weight > 0 {
            let (sum, overflow) = total.addingReportingOverflow(UInt64(weight))
            if overflow { return nil }
            total = sum
        }
        guard total > 0 else { return nil }
        let point = random.multipliedFullWidth(by: total).high
        var upper: UInt64 = 0
        for (index, weight) in weights.enumerated() where weight > 0 {
            upper += UInt64(weight)
            if point < upper { return index }
        }
        // Unreachable: point < total == the last upper bound.
        return weights.lastIndex { $0 > 0 }
    }

    /// Where the wheel should stop for the member: the drawn slot, or — when the drawn prize
    /// could not be given and the draw fell back to nothing — the first "nothing" slot if the
    /// wheel has one (the drawn slot otherwise, with the fallback told in words).
    public static func landing(drawn: Int, fellBack: Bool, kinds: [LotteryPrizeKind]) -> Int {
        guard fellBack, let nothing = kinds.firstIndex(of: .nothing) else { return drawn }
        return nothing
    }

    /// Each slot's chance in basis points (1/100 of a percent), rounded down; for display only.
    public static func chanceBasisPoints(weights: [Int]) -> [Int] {
        let total = weights.reduce(Int64(0)) { $0 + Int64(max(0, $1)) }
        guard total > 0 else { return weights.map { _ in 0 } }
        return weights.map { Int(Int64(max(0, $0)) * 10_000 / total) }
    }

    /// Checks a wheel as staff entered it, reporting every problem at once: 2–12 prizes, names,
    /// the fields each kind needs and no others, weights and stock in range, at least one
    /// positive weight.
    public static func validate(_ prizes: [LotteryPrizeSpec], field: String = "prizes") -> FieldErrorCollector {
        var errors = FieldErrorCollector()
        errors.range(prizes.count, InputLimits.lotterySlots, field, unit: "prizes")
        for (index, prize) in prizes.enumerated() {
            let at = "\(field)[\(index)]"
            _ = errors.collect { try TextRule.check(prize.name, field: "\(at).name", min: 1, max: 30) }
            errors.range(prize.weight, InputLimits.lotteryWeight, "\(at).weight")
            if let stock = prize.stock { errors.range(stock, InputLimits.mallStock, "\(at).stock") }
            switch prize.kind {
            case .points:
                if let points = prize.points { errors.range(points, InputLimits.mallPoints, "\(at).points") } else { errors.add("\(at).points", "is required for a points prize") }
                if prize.hasSKU || prize.hasStore { errors.add("\(at).skuId", "belongs to sku prizes only") }
            case .sku:
                if !prize.hasSKU { errors.add("\(at).skuId", "is required for an sku prize") }
                if !prize.hasStore { errors.add("\(at).storeId", "is required for an sku prize: the store that hands it over") }
                if prize.points != nil { errors.add("\(at).points", "belongs to points prizes only") }
                if prize.stock == nil { errors.add("\(at).stock", "is required for an sku prize") }
            case .nothing:
                if prize.points != nil || prize.hasSKU || prize.hasStore { errors.add("\(at).kind", "a prize of kind nothing has no points, SKU or store") }
                if prize.stock != nil { errors.add("\(at).stock", "a prize of kind nothing has no stock") }
            }
        }
        if !prizes.isEmpty, prizes.allSatisfy({ $0.weight <= 0 }) { errors.add(field, "at least one prize needs a weight above 0") }
        return errors
    }
}
