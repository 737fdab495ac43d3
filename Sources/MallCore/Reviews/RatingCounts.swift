/// A product's approved first reviews counted by stars, and how many of them have photos: the
/// numbers a rating summary is made of. Kept on the product row and moved by one review at a
/// time when a review is approved, so lists never count reviews per request.
public struct RatingCounts: Hashable, Sendable, Codable {
    /// Reviews per number of stars: `byStars[0]` with 1 star … `byStars[4]` with 5.
    public private(set) var byStars: [Int]
    public private(set) var withPhotos: Int

    public init() {
        byStars = [0, 0, 0, 0, 0]
        withPhotos = 0
    }

    /// From stored counts; negative numbers (a damaged row) count as zero.
    public init(byStars: [Int], withPhotos: Int) {
        var stars = [0, 0, 0, 0, 0]
        for (index, count) in byStars.prefix(5).enumerated() { stars[index] = max(0, count) }
        self.byStars = stars
        self.withPhotos = max(0, withPhotos)
    }

    public mutating func add(rating: Int, hasPhotos: Bool) {
        guard ReviewRules.ratings.contains(rating) else { return }
        byStars[rating - 1] += 1
        if hasPhotos { withPhotos += 1 }
    }

    public var count: Int { byStars.reduce(0, +) }

    /// The sum of every review's stars.
    public var starTotal: Int { byStars.enumerated().reduce(0) { $0 + ($1.offset + 1) * $1.element } }

    public func count(stars: Int) -> Int {
        ReviewRules.ratings.contains(stars) ? byStars[stars - 1] : 0
    }

    /// The mean stars to one decimal (4.65 → 4.7, half up), nil without reviews.
    public var average: Double? { Self.average(starTotal: starTotal, count: count) }

    /// `average` from a stored total and count, for lists that keep just those two.
    public static func average(starTotal: Int, count: Int) -> Double? {
        guard count > 0, starTotal >= 0 else { return nil }
        // Tenths in whole numbers, rounded half up, so 4.65 is 4.7 however floating point sees it.
        let tenths = (starTotal * 10 * 2 + count) / (count * 2)
        return Double(tenths) / 10
    }

    /// Whole percent of reviews with `stars`, rounded half up (0 without reviews).
    public func percent(stars: Int) -> Int { Self.percent(count(stars: stars), of: count) }

    /// Whole percent of reviews that have photos, rounded half up (0 without reviews).
    public var withPhotosPercent: Int { Self.percent(withPhotos, of: count) }

    static func percent(_ part: Int, of whole: Int) -> Int {
        guard whole > 0 else { return 0 }
        return (part * 100 * 2 + whole) / (whole * 2)
    }
}
