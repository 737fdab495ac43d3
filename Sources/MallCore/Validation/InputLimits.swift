/// The range of every kind of number a client may send. Each one is checked where the request
/// is decoded and stated in `openapi.yaml` as `minimum`/`maximum`, so nothing out of range
/// reaches arithmetic: Swift traps on overflow, and a trap ends every request in flight.
///
/// The bounds are far beyond real use and small enough that the sums and products built from
/// them (a cart of 100 lines of 999 units at the top price, a year of stock movements) stay
/// many orders of magnitude inside `Int64`.
public enum InputLimits {
    /// List pages. 100,000 pages of 200 rows reach twenty million rows: deeper than any list
    /// a person pages through, and the offset stays small.
    public static let page = 1...100_000
    public static let perPage = 1...200
    /// Units of one SKU in a cart line.
    public static let cartQuantity = 1...999
    /// Units in one stock movement (receipt, goods out, transfer, return): a barcode pasted into
    /// a quantity field is refused rather than booked.
    public static let stockQuantity = 1...1_000_000
    /// A counted or synchronised on-hand level.
    public static let stockCount = 0...1_000_000
    /// A signed correction (adjustment, POS movement); zero is refused separately.
    public static let stockDelta = -1_000_000...1_000_000
    /// Low-stock thresholds.
    public static let stockThreshold = 0...1_000_000
    /// Days one report covers: a year and a bit, so a year is comparable with the last.
    public static let reportDays = 1...400
    /// Rows of a ranking.
    public static let reportRows = 1...100
    /// Every price, cost, fee and amount in fen a client sends: up to ¥100 million.
    public static let priceFen: ClosedRange<Int64> = 0...10_000_000_000
    /// A product's shipping weight.
    public static let weightGrams = 0...1_000_000
    /// Commission and discount rates in basis points (1/100 of a percent).
    public static let basisPoints = 0...10_000
    /// Member points a client asks to spend (at checkout): a billion, far above any balance.
    public static let points: ClosedRange<Int64> = 0...1_000_000_000
    /// A product review's stars.
    public static let reviewRating = 1...5
    /// Products in one recommendation row (看了又看, 猜你喜欢).
    public static let recommendations = 1...50
}

extension FieldErrorCollector {
    /// Adds "must be between …" when `value` is outside `limits`; returns whether it was inside.
    @discardableResult
    public mutating func range<Value: BinaryInteger>(_ value: Value, _ limits: ClosedRange<Value>, _ field: String, unit: String = "") -> Bool {
        guard limits.contains(value) else {
            add(field, "must be between \(limits.lowerBound) and \(limits.upperBound)\(unit.isEmpty ? "" : " " + unit)")
            return false
        }
        return true
    }
}

extension ValidationFailure {
    /// One field outside its range.
    public static func outOfRange<Value: BinaryInteger>(_ field: String, _ limits: ClosedRange<Value>, unit: String = "") -> ValidationFailure {
        ValidationFailure(field: field, message: "must be between \(limits.lowerBound) and \(limits.upperBound)\(unit.isEmpty ? "" : " " + unit)")
    }
}
