import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import MallCore
import Testing

@Suite("Review photos: the product's packshot as a snapshot with a hand-written caption")
struct ReviewPhotoIllustrationTests {
    static let milk = ProductIllustration.Subject(category: "乳品", name: "纯牛奶", brand: "光明", spec: "250ml", seed: "光明")

    @Test("the photo holds the packshot and the caption, as a well-formed document of the packshot's elements")
    func photo() {
        let svg = ReviewPhotoIllustration.svg(for: Self.milk, caption: "新鲜好喝", seed: "review-photo-1")
        let check = XMLCheck.parse(svg)
        #expect(check.isWellFormed)
        #expect(check.elements.isSubset(of: XMLCheck.allowedElements))
        #expect(check.texts.contains("新鲜好喝"))
        #expect(check.texts.contains { $0.contains("纯牛奶") }, "the product's own label is in the photo")
        #expect(svg == ReviewPhotoIllustration.svg(for: Self.milk, caption: "新鲜好喝", seed: "review-photo-1"))
        let tilts = Set((1...12).map { n in
            ReviewPhotoIllustration.svg(for: Self.milk, caption: "x", seed: "review-photo-\(n)").components(separatedBy: "rotate(")[1].prefix(5)
        })
        #expect(tilts.count > 3, "photos lie at different angles")
        #expect(!tilts.contains { $0.hasPrefix("0.0 ") }, "never exactly straight")
    }

    @Test("property: any caption is escaped, cut to fit, and never breaks the document")
    func hostileCaptions() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("<>&\"'好评 ab\u{0}\u{7}\n\u{FFFE}👍🏽")
        for n in 0..<300 {
            let caption = String((0..<Int.random(in: 0...80, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
            let svg = ReviewPhotoIllustration.svg(for: Self.milk, caption: caption, seed: "seed-\(n)")
            let check = XMLCheck.parse(svg)
            #expect(check.isWellFormed, "\(caption.debugDescription)")
            #expect(!svg.contains("<script"))
            let written = check.texts.last ?? ""
            #expect(written.count <= ReviewPhotoIllustration.captionLength)
        }
    }
}
