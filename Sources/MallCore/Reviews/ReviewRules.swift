import Foundation

/// Where a product review stands with the moderators. Only approved reviews are shown to other
/// shoppers, count in a product's ratings and earn points; a decision is final.
public enum ReviewStatus: String, Codable, Sendable, CaseIterable {
    case pending, approved, rejected
}

/// A line's first review (stars, text, photos) or the one follow-up added to it later
/// (text and photos; the stars stay those of the first review).
public enum ReviewKind: String, Codable, Sendable, CaseIterable {
    case initial
    case followUp = "follow_up"
}

/// A review's words and photos after `ReviewRules` checked them.
public struct CheckedReview: Hashable, Sendable {
    /// 1–5 for a first review, nil for a follow-up.
    public var rating: Int?
    public var text: String
    /// Paths of uploaded images (`/files/img/<sha256>.<ext>`), at most `ReviewRules.maxPhotos`.
    public var photos: [String]

    public init(rating: Int?, text: String, photos: [String]) {
        self.rating = rating
        self.text = text
        self.photos = photos
    }
}

/// Why a review or follow-up cannot be written now.
public enum ReviewRefusal: Hashable, Sendable {
    /// The goods have not reached the shopper (not delivered, not picked up).
    case notHandedOver
    /// `days` after delivery or pickup have passed.
    case windowClosed(days: Int)
    case alreadyReviewed
    /// `days` after the first review have passed.
    case followUpWindowClosed(days: Int)
    case alreadyFollowedUp
    /// The first review was rejected: there is nothing shown to follow up on.
    case reviewRejected
    /// A promotion's free gift: the shopper chose and paid for the rest of the order, not it.
    case freeGift

    public var message: String {
        switch self {
        case .notHandedOver: "has not been delivered or picked up yet"
        case .windowClosed(let days): "could be reviewed within \(days) days of delivery or pickup; that time has passed"
        case .alreadyReviewed: "has been reviewed already; add a follow-up to the review instead"
        case .followUpWindowClosed(let days): "A follow-up can be added within \(days) days of the review; that time has passed."
        case .alreadyFollowedUp: "This review already has its follow-up."
        case .reviewRejected: "A rejected review cannot be followed up."
        case .freeGift: "is a free gift, which is not reviewed"
        }
    }
}

/// Rules for shoppers' product reviews: who may write one and when, what it may contain.
public enum ReviewRules {
    public static let maxPhotos = 6
    public static let ratings = InputLimits.reviewRating
    /// The shopper's words, in characters as a reader counts them.
    public static let textLength = 2...500
    public static let replyLength = 2...500
    public static let rejectionReasonLength = 2...200

    // MARK: Windows

    /// The last moment a line handed over at `handedOverAt` can get its first review.
    public static func reviewDeadline(handedOverAt: Date, windowDays: Int) -> Date {
        handedOverAt.addingTimeInterval(TimeInterval(windowDays) * 86_400)
    }

    /// The last moment a review written at `reviewedAt` can get its follow-up.
    public static func followUpDeadline(reviewedAt: Date, followUpDays: Int) -> Date {
        reviewedAt.addingTimeInterval(TimeInterval(followUpDays) * 86_400)
    }

    /// Whether a line can get its first review now: it is not a free gift, the goods were
    /// delivered or picked up, at most `windowDays` ago (counted in elapsed time, the deadline
    /// itself included), and the line has no review yet. Nil when it can.
    public static func refusal(handedOverAt: Date?, alreadyReviewed: Bool, now: Date, windowDays: Int, freeGift: Bool = false) -> ReviewRefusal? {
        if freeGift { return .freeGift }
        if alreadyReviewed { return .alreadyReviewed }
        guard let handedOverAt else { return .notHandedOver }
        if now > reviewDeadline(handedOverAt: handedOverAt, windowDays: windowDays) { return .windowClosed(days: windowDays) }
        return nil
    }

    /// Whether a review can get its one follow-up now: it was not rejected, has none yet, and
    /// was written at most `followUpDays` ago. Nil when it can.
    public static func followUpRefusal(review status: ReviewStatus, reviewedAt: Date, hasFollowUp: Bool, now: Date,
                                       followUpDays: Int) -> ReviewRefusal? {
        if status == .rejected { return .reviewRejected }
        if hasFollowUp { return .alreadyFollowedUp }
        if now > followUpDeadline(reviewedAt: reviewedAt, followUpDays: followUpDays) { return .followUpWindowClosed(days: followUpDays) }
        return nil
    }

    // MARK: Content

    /// Checks a first review (`rating` given) or a follow-up (`rating` nil) and reports every
    /// problem at once, each on `prefix` + the field (`lines[0].text`).
    public static func check(rating: Int?, text: String, photos: [String], prefix: String = "", words: SensitiveWords) throws -> CheckedReview {
        var errors = FieldErrorCollector()
        if let rating { errors.range(rating, ratings, prefix + "rating") }
        let checked = errors.collect { try checkText(text, field: prefix + "text", length: textLength, words: words) } ?? ""
        if photos.count > maxPhotos { errors.add(prefix + "photos", "must be at most \(maxPhotos)") }
        var kept: [String] = []
        for (index, path) in photos.enumerated() {
            let trimmed = path.trimmingWhitespace()
            if photoKey(trimmed) == nil {
                errors.add(prefix + "photos[\(index)]", "must be the address of an image you uploaded (/files/img/…)")
            } else if kept.contains(trimmed) {
                errors.add(prefix + "photos[\(index)]", "is the same photo twice")
            } else {
                kept.append(trimmed)
            }
        }
        try errors.throwIfAny()
        return CheckedReview(rating: rating, text: checked, photos: kept)
    }

    /// Trimmed text of an allowed length without any of the sensitive words.
    public static func checkText(_ text: String, field: String, length: ClosedRange<Int>, words: SensitiveWords) throws -> String {
        let trimmed = try TextRule.check(text, field: field, min: length.lowerBound, max: length.upperBound)
        if let word = words.firstMatch(in: trimmed) {
            throw ValidationFailure(field: field, message: "contains “\(word)”, which is not allowed here")
        }
        return trimmed
    }

    /// The storage key of an uploaded image's public path, or nil when the path is anything
    /// else: `/files/img/<64 hex digits>.<jpg|png|webp|svg>`, nothing more, so a review can only
    /// show images this shop stored. SVG names only pictures the server drew (the demo's
    /// snapshots): uploads are never SVG, since `ImageProbe` does not recognise it.
    public static func photoKey(_ path: String) -> String? {
        let prefix = "/files/"
        guard path.hasPrefix(prefix) else { return nil }
        let key = String(path.dropFirst(prefix.count))
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0] == "img" else { return nil }
        let name = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        guard name.count == 2, name[0].utf8.count == 64, name[0].utf8.allSatisfy({ isLowerHex($0) }),
              (ImageFormat.uploadable + [.svg]).contains(where: { $0.fileExtension == name[1] }) else { return nil }
        return key
    }

    private static func isLowerHex(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
    }

    // MARK: Display

    /// How an anonymous reviewer is shown: the first and last character with stars between
    /// (`陈***杰`), the first and a star for a two-character name (`小*`), a star for one.
    public static func maskedName(_ name: String) -> String {
        let characters = Array(name.trimmingWhitespace())
        switch characters.count {
        case 0, 1: return "*"
        case 2: return String(characters[0]) + "*"
        default: return String(characters[0]) + "***" + String(characters[characters.count - 1])
        }
    }
}
