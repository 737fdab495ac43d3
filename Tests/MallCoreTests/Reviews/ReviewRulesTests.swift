import Foundation
import MallCore
import Testing

@Suite("Product reviews: windows, content, sensitive words, rating counts")
struct ReviewRulesTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    static func day(_ n: Double) -> Date { t0.addingTimeInterval(n * 86_400) }
    static let photo = "/files/img/" + String(repeating: "ab", count: 32) + ".png"

    // MARK: Windows

    @Test("a first review needs the goods handed over, at most windowDays ago (the deadline itself included), and no review yet")
    func reviewWindow() {
        #expect(ReviewRules.refusal(handedOverAt: nil, alreadyReviewed: false, now: Self.t0, windowDays: 30) == .notHandedOver)
        #expect(ReviewRules.refusal(handedOverAt: Self.t0, alreadyReviewed: false, now: Self.t0, windowDays: 30) == nil)
        #expect(ReviewRules.refusal(handedOverAt: Self.t0, alreadyReviewed: false, now: Self.day(30), windowDays: 30) == nil)
        #expect(ReviewRules.refusal(handedOverAt: Self.t0, alreadyReviewed: false, now: Self.day(30).addingTimeInterval(1), windowDays: 30)
                == .windowClosed(days: 30))
        #expect(ReviewRules.refusal(handedOverAt: Self.t0, alreadyReviewed: true, now: Self.day(1), windowDays: 30) == .alreadyReviewed)
        #expect(ReviewRules.refusal(handedOverAt: nil, alreadyReviewed: true, now: Self.day(1), windowDays: 30) == .alreadyReviewed,
                "reviewed already says so first")
        #expect(ReviewRules.reviewDeadline(handedOverAt: Self.t0, windowDays: 7) == Self.day(7))
    }

    @Test("one follow-up, within followUpDays of the review, never on a rejected review")
    func followUpWindow() {
        func refusal(_ status: ReviewStatus = .approved, has: Bool = false, at now: Date) -> ReviewRefusal? {
            ReviewRules.followUpRefusal(review: status, reviewedAt: Self.t0, hasFollowUp: has, now: now, followUpDays: 90)
        }
        #expect(refusal(at: Self.day(1)) == nil)
        #expect(refusal(.pending, at: Self.day(1)) == nil, "a review still waiting for moderation can be followed up")
        #expect(refusal(at: Self.day(90)) == nil)
        #expect(refusal(at: Self.day(90).addingTimeInterval(1)) == .followUpWindowClosed(days: 90))
        #expect(refusal(has: true, at: Self.day(1)) == .alreadyFollowedUp)
        #expect(refusal(.rejected, at: Self.day(1)) == .reviewRejected)
    }

    @Test("random windows: a line can be reviewed exactly when handed over, unreviewed and inside the window")
    func windowProperties() {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let windowDays = Int.random(in: 1...365, using: &random)
            let handedOver: Date? = Bool.random(using: &random) ? Self.day(Double(Int.random(in: 0...400, using: &random))) : nil
            let now = Self.day(Double.random(in: 0...800, using: &random))
            let reviewed = Int.random(in: 0...4, using: &random) == 0
            let gift = Int.random(in: 0...4, using: &random) == 0
            let refusal = ReviewRules.refusal(handedOverAt: handedOver, alreadyReviewed: reviewed, now: now, windowDays: windowDays, freeGift: gift)
            let expected = !gift && !reviewed && handedOver.map { now.timeIntervalSince($0) <= Double(windowDays) * 86_400 } == true
            #expect((refusal == nil) == expected)
            #expect(!gift || refusal == .freeGift, "a free gift is never reviewed, whatever else holds")
        }
    }

    // MARK: Content

    @Test("content: 1–5 stars, 2–500 characters, at most 6 distinct uploaded-image paths; every problem reported at once under the prefix")
    func content() throws {
        let words = SensitiveWords([])
        let ok = try ReviewRules.check(rating: 5, text: "  很好喝，回购  ", photos: [" \(Self.photo) "], words: words)
        #expect(ok == CheckedReview(rating: 5, text: "很好喝，回购", photos: [Self.photo]))
        #expect(try ReviewRules.check(rating: nil, text: "追评一下", photos: [], words: words).rating == nil)

        do {
            _ = try ReviewRules.check(rating: 0, text: "好", photos: Array(repeating: Self.photo, count: 7) + ["javascript:alert(1)"],
                                      prefix: "lines[2].", words: words)
            Issue.record("expected a validation failure")
        } catch let failure as ValidationFailure {
            let fields = failure.errors.map(\.field)
            #expect(fields.contains("lines[2].rating"))
            #expect(fields.contains("lines[2].text"))
            #expect(fields.contains("lines[2].photos"))
            #expect(fields.contains("lines[2].photos[1]"), "the same photo twice")
            #expect(fields.contains("lines[2].photos[7]"), "not an uploaded image")
        }
        #expect(throws: ValidationFailure.self) { try ReviewRules.check(rating: 6, text: "很好喝", photos: [], words: words) }
        #expect(throws: ValidationFailure.self) { try ReviewRules.check(rating: 3, text: String(repeating: "好", count: 501), photos: [], words: words) }
        #expect(throws: ValidationFailure.self) { try ReviewRules.check(rating: 3, text: "好喝\u{7}", photos: [], words: words) }
    }

    @Test("only /files/img/<sha256>.<jpg|png|webp|svg> paths name stored images")
    func photoPaths() {
        let hash = String(repeating: "0f", count: 32)
        #expect(ReviewRules.photoKey("/files/img/\(hash).png") == "img/\(hash).png")
        #expect(ReviewRules.photoKey("/files/img/\(hash).jpg") == "img/\(hash).jpg")
        #expect(ReviewRules.photoKey("/files/img/\(hash).webp") == "img/\(hash).webp")
        #expect(ReviewRules.photoKey("/files/img/\(hash).svg") == "img/\(hash).svg", "a picture the server drew")
        for bad in ["/files/img/\(hash).gif", "/files/img/\(hash.uppercased()).png", "/files/img/\(hash.dropLast()).png", "/files/exports/\(hash).png",
                    "/files/img/../\(hash).png", "https://cdn.example.com/files/img/\(hash).png", "/files/img/\(hash).png?x=1",
                    "//files/img/\(hash).png", "/files/img/sub/\(hash).png", ""] {
            #expect(ReviewRules.photoKey(bad) == nil, "\(bad)")
        }
    }

    @Test("anonymous names keep the first and last character")
    func maskedNames() {
        #expect(ReviewRules.maskedName("陈杰") == "陈*")
        #expect(ReviewRules.maskedName("李女士") == "李***士")
        #expect(ReviewRules.maskedName("ChainMall fan") == "C***n")
        #expect(ReviewRules.maskedName("王") == "*")
        #expect(ReviewRules.maskedName("  ") == "*")
    }

    // MARK: Sensitive words

    @Test("the setting splits on , ， 、 and line breaks; words are trimmed, empties and repeats dropped")
    func sensitiveSetting() {
        let words = SensitiveWords(setting: " 微信, VX，代购、\n返现 ,, vx ,")
        #expect(words.words == ["微信", "VX", "代购", "返现"])
        #expect(SensitiveWords(setting: "").isEmpty)
        #expect(SensitiveWords(setting: " , ，").isEmpty)
    }

    @Test("matching ignores letter case, full-width versus half-width forms and zero-width characters")
    func sensitiveMatching() {
        let words = SensitiveWords(setting: "VX,微信,qq群,５折")
        #expect(words.firstMatch(in: "加我vx") == "VX")
        #expect(words.firstMatch(in: "加我ＶＸ") == "VX", "full-width letters")
        #expect(words.firstMatch(in: "加我Ｖx") == "VX")
        #expect(words.firstMatch(in: "加V\u{200B}X") == "VX", "a zero-width space between the letters")
        #expect(words.firstMatch(in: "进ＱＱ群") == "qq群")
        #expect(words.firstMatch(in: "全场5折") == "５折", "a full-width word matches half-width text")
        #expect(words.firstMatch(in: "加微\u{FEFF}信") == "微信")
        #expect(words.firstMatch(in: "V 字领，X 号") == nil)
        #expect(words.firstMatch(in: "很好喝") == nil)
        #expect(SensitiveWords([]).firstMatch(in: "随便写") == nil)
        #expect(SensitiveWords.fold("ＡＢＣ　ｄ") == Array("abc d".unicodeScalars))
    }

    @Test("random text: a word hidden in it is found however its letters are cased or widened, and text without it never matches")
    func sensitiveProperties() {
        var random = SystemRandomNumberGenerator()
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        let filler = Array("好喝新鲜包装快递满意，。 ")
        func widen(_ text: String) -> String {
            String(String.UnicodeScalarView(text.unicodeScalars.map { scalar in
                guard Bool.random(using: &random), (0x21...0x7E).contains(scalar.value) else { return scalar }
                return Unicode.Scalar(scalar.value + 0xFEE0)!
            }))
        }
        for _ in 0..<1_000 {
            let word = String((0..<Int.random(in: 2...6, using: &random)).map { _ in alphabet.randomElement(using: &random)! })
            let words = SensitiveWords([Bool.random(using: &random) ? word.uppercased() : word])
            let before = String((0..<Int.random(in: 0...20, using: &random)).map { _ in filler.randomElement(using: &random)! })
            let after = String((0..<Int.random(in: 0...20, using: &random)).map { _ in filler.randomElement(using: &random)! })
            let disguised = widen(Bool.random(using: &random) ? word.uppercased() : word)
            #expect(words.firstMatch(in: before + disguised + after) != nil, "\(word) in \(before + disguised + after)")
            #expect(words.firstMatch(in: before + after) == nil)
        }
    }

    // MARK: Rating counts

    @Test("summary numbers: count per star, mean to one decimal rounded half up, whole percents")
    func ratingCounts() {
        var counts = RatingCounts()
        #expect(counts.count == 0 && counts.average == nil && counts.withPhotosPercent == 0 && counts.percent(stars: 5) == 0)
        for (stars, photos) in [(5, true), (5, true), (4, false), (2, true), (1, false)] { counts.add(rating: stars, hasPhotos: photos) }
        #expect(counts.byStars == [1, 1, 0, 1, 2])
        #expect(counts.count == 5 && counts.starTotal == 17 && counts.average == 3.4)
        #expect(counts.withPhotos == 3 && counts.withPhotosPercent == 60)
        #expect((1...5).map { counts.percent(stars: $0) } == [20, 20, 0, 20, 40])
        counts.add(rating: 9, hasPhotos: true)
        #expect(counts.count == 5, "a rating outside 1–5 is not counted")
        #expect(RatingCounts.average(starTotal: 93, count: 20) == 4.7, "4.65 rounds up")
        #expect(RatingCounts.average(starTotal: 464, count: 100) == 4.6, "4.64 rounds down")
        #expect(RatingCounts.average(starTotal: 14, count: 3) == 4.7)
        #expect(RatingCounts.average(starTotal: 0, count: 0) == nil)
        #expect(RatingCounts(byStars: [-3, 1], withPhotos: -1) == {
            var expected = RatingCounts()
            expected.add(rating: 2, hasPhotos: false)
            return expected
        }(), "a damaged stored count reads as zero")
    }

    @Test("random ratings: counts add up, the mean lies within 1–5 and within 0.05 of the exact mean, percents within 0.5 of exact")
    func ratingProperties() {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            var counts = RatingCounts()
            var ratings: [Int] = []
            var photos = 0
            for _ in 0..<Int.random(in: 1...300, using: &random) {
                let stars = Int.random(in: 1...5, using: &random)
                let hasPhotos = Bool.random(using: &random)
                ratings.append(stars)
                if hasPhotos { photos += 1 }
                counts.add(rating: stars, hasPhotos: hasPhotos)
            }
            #expect(counts.count == ratings.count)
            #expect(counts.starTotal == ratings.reduce(0, +))
            let exact = Double(ratings.reduce(0, +)) / Double(ratings.count)
            let average = counts.average!
            #expect(average >= 1 && average <= 5)
            #expect(abs(average - exact) <= 0.05 + 1e-9)
            #expect(abs(Double(counts.withPhotosPercent) - Double(photos) * 100 / Double(ratings.count)) <= 0.5 + 1e-9)
            for stars in 1...5 {
                let share = Double(ratings.filter { $0 == stars }.count) * 100 / Double(ratings.count)
                #expect(abs(Double(counts.percent(stars: stars)) - share) <= 0.5 + 1e-9)
            }
        }
    }
}
