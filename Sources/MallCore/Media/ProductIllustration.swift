/// Draws a product a packshot-style picture as an SVG document: the kind of pack or produce its
/// category and name suggest (a bottle of soy sauce, a milk carton, a pile of oranges, a T-shirt)
/// on a light background with a soft shadow, and a label with the brand and the name.
///
/// SVG because the browser sets the text with its own fonts, so Chinese names render without a
/// font rasteriser here. The document has no scripts, no external references and every piece of
/// text escaped, so it is safe to serve as an image; only the server writes these, uploads stay
/// JPEG, PNG or WebP (`ImageProbe` does not recognise SVG).
public enum ProductIllustration {
    /// What the picture is of. Every field is shown or used as is; none is trusted to be short,
    /// plain or well-formed.
    public struct Subject: Hashable, Sendable {
        /// The leaf category's name (乳品, 水果, 男装…): picks the default kind of pack.
        public var category: String
        /// The product's name without the brand (纯牛奶): picks a more specific kind and is printed.
        public var name: String
        public var brand: String?
        /// A spec value (250ml, 黑色): printed small; a colour name also colours a garment.
        public var spec: String?
        /// Varies the colours between products of the same kind; the same seed draws the same picture.
        public var seed: String

        public init(category: String, name: String, brand: String?, spec: String?, seed: String) {
            self.category = category
            self.name = name
            self.brand = brand
            self.spec = spec
            self.seed = seed
        }
    }

    /// The picture drawn: a pack shape for packaged goods, the produce itself for fresh food.
    public enum Kind: String, CaseIterable, Sendable {
        case drinkBottle, sauceBottle, oilJug, milkCarton, yogurtCup, snackPouch, giftBox, riceSack, jar
        case detergentJug, pumpBottle, toothpasteTube, toothbrush, paperRolls, tissuePack
        case tshirt, longSleeveTop, trousers, shorts, dress
        case citrus, apple, grapes, berries, banana, strawberry, cherries, melon, kiwi, durian, dragonFruit, lychee, mangosteen, fruitCup
        case broccoli, leafyGreens, tomatoes, scallion, potato, cucumber, mushroom, carrot
        case meatTray, wholeChicken, eggCarton
        /// A plain carton box, for anything no rule recognises.
        case parcel
    }

    /// The picture's side in pixels; the document is square.
    public static let side = 480

    /// The SVG document for `subject`.
    public static func svg(for subject: Subject) -> String {
        let kind = kind(for: subject)
        var canvas = SVGCanvas(palette: Palette(subject: subject, kind: kind))
        canvas.draw(kind, subject: subject)
        let title = [subject.brand, subject.name].compactMap { $0.map(LabelText.clean) }.filter { !$0.isEmpty }.joined(separator: " ")
        return canvas.document(title: LabelText.truncated(title, to: 80))
    }

    /// The kind of picture for `subject`: the first rule whose word the name contains (fresh-food
    /// rules only in fresh categories, so 橙汁 stays a bottle and 牛肉粒 a snack bag), otherwise
    /// the category's default, otherwise a plain box.
    public static func kind(for subject: Subject) -> Kind {
        let fresh = freshCategories.contains(subject.category) || categoryDefaults[subject.category] == nil
        for rule in nameRules where !rule.freshOnly || fresh {
            if rule.words.contains(where: { subject.name.contains($0) }) { return rule.kind }
        }
        return categoryDefaults[subject.category] ?? .parcel
    }

    static let freshCategories: Set<String> = ["生鲜", "水果", "蔬菜", "肉禽蛋", "水果蔬菜"]

    static let categoryDefaults: [String: Kind] = [
        "乳品": .milkCarton, "饮料": .drinkBottle, "休闲零食": .snackPouch, "粮油调味": .sauceBottle,
        "水果": .fruitCup, "蔬菜": .leafyGreens, "肉禽蛋": .meatTray, "清洁用品": .detergentJug, "个人护理": .pumpBottle,
        "纸品": .tissuePack, "男装": .tshirt, "女装": .longSleeveTop, "食品饮料": .parcel, "日用百货": .parcel, "服饰": .tshirt,
    ]

    struct Rule {
        let words: [String]
        let kind: Kind
        var freshOnly = false
    }

    /// Order matters: 礼盒 before any fruit, 牛奶 before 香蕉 (香蕉牛奶 is milk), 蚝油 before 油,
    /// 鸡蛋 before 鸡, 黄瓜 before 瓜.
    static let nameRules: [Rule] = [
        Rule(words: ["礼盒", "饼", "酥"], kind: .giftBox),
        Rule(words: ["果盒", "果切", "鲜切"], kind: .fruitCup),
        Rule(words: ["牙膏"], kind: .toothpasteTube),
        Rule(words: ["牙刷"], kind: .toothbrush),
        Rule(words: ["洗发", "护发", "洗手液", "沐浴", "漱口水", "乳液"], kind: .pumpBottle),
        Rule(words: ["洗衣液", "消毒液", "洁厕", "洗洁精", "柔顺剂"], kind: .detergentJug),
        Rule(words: ["卷纸", "厨房用纸"], kind: .paperRolls),
        Rule(words: ["抽纸", "湿巾", "手帕纸", "纸巾"], kind: .tissuePack),
        Rule(words: ["T恤", "背心"], kind: .tshirt),
        Rule(words: ["短裤"], kind: .shorts),
        Rule(words: ["裤"], kind: .trousers),
        Rule(words: ["裙"], kind: .dress),
        Rule(words: ["外套", "衬衫", "羽绒", "毛衣", "开衫", "防晒衣", "卫衣", "夹克"], kind: .longSleeveTop),
        Rule(words: ["酸奶", "冠益乳"], kind: .yogurtCup),
        Rule(words: ["牛奶", "鲜奶"], kind: .milkCarton),
        Rule(words: ["蚝油", "酱油", "生抽", "老抽", "醋", "料酒"], kind: .sauceBottle),
        Rule(words: ["油"], kind: .oilJug),
        Rule(words: ["酱"], kind: .jar),
        Rule(words: ["米"], kind: .riceSack),
        Rule(words: ["橙", "橘", "柑", "柚"], kind: .citrus, freshOnly: true),
        Rule(words: ["苹果"], kind: .apple, freshOnly: true),
        Rule(words: ["葡萄", "提子"], kind: .grapes, freshOnly: true),
        Rule(words: ["蓝莓", "桑葚"], kind: .berries, freshOnly: true),
        Rule(words: ["香蕉"], kind: .banana, freshOnly: true),
        Rule(words: ["草莓"], kind: .strawberry, freshOnly: true),
        Rule(words: ["车厘子", "樱桃"], kind: .cherries, freshOnly: true),
        Rule(words: ["黄瓜"], kind: .cucumber, freshOnly: true),
        Rule(words: ["瓜"], kind: .melon, freshOnly: true),
        Rule(words: ["奇异果", "猕猴桃"], kind: .kiwi, freshOnly: true),
        Rule(words: ["榴莲"], kind: .durian, freshOnly: true),
        Rule(words: ["火龙果"], kind: .dragonFruit, freshOnly: true),
        Rule(words: ["荔枝", "红毛丹"], kind: .lychee, freshOnly: true),
        Rule(words: ["山竹"], kind: .mangosteen, freshOnly: true),
        Rule(words: ["西兰花", "花椰菜"], kind: .broccoli, freshOnly: true),
        Rule(words: ["番茄", "西红柿"], kind: .tomatoes, freshOnly: true),
        Rule(words: ["青菜", "上海青", "菠菜", "生菜", "白菜"], kind: .leafyGreens, freshOnly: true),
        Rule(words: ["葱"], kind: .scallion, freshOnly: true),
        Rule(words: ["土豆", "马铃薯"], kind: .potato, freshOnly: true),
        Rule(words: ["菇", "蘑", "菌"], kind: .mushroom, freshOnly: true),
        Rule(words: ["萝卜"], kind: .carrot, freshOnly: true),
        Rule(words: ["蛋"], kind: .eggCarton, freshOnly: true),
        Rule(words: ["鸡胸", "鸡腿", "鸡翅"], kind: .meatTray, freshOnly: true),
        Rule(words: ["鸡", "鸭"], kind: .wholeChicken, freshOnly: true),
    ]
}

/// The label's text: cleaned of what XML or a one-line label cannot hold, estimated in width
/// (no font metrics here), and fitted to a box by size, a second line, then an ellipsis.
enum LabelText {
    /// Longer inputs are cut before any measuring, so a megabyte of name costs nothing.
    static let maxCharacters = 60

    /// Control characters, line breaks and the XML non-characters U+FFFE/U+FFFF become spaces;
    /// runs of spaces collapse.
    static func clean(_ text: String) -> String {
        var out = ""
        var lastWasSpace = true
        for character in text.prefix(maxCharacters * 2) {
            let bad = character.unicodeScalars.contains { scalar in
                scalar.properties.generalCategory == .control || scalar.value == 0xFFFE || scalar.value == 0xFFFF
            }
            if bad || character.isWhitespace {
                if !lastWasSpace { out.append(" ") }
                lastWasSpace = true
            } else {
                out.append(character)
                lastWasSpace = false
            }
        }
        if out.last == " " { out.removeLast() }
        return truncated(out, to: maxCharacters)
    }

    static func truncated(_ text: String, to count: Int) -> String {
        text.count <= count ? text : String(text.prefix(count - 1)) + "…"
    }

    /// Width in ems: CJK, emoji and other wide characters one em, Latin letters about half.
    static func width(_ text: some StringProtocol) -> Double {
        text.reduce(0) { $0 + width(of: $1) }
    }

    static func width(of character: Character) -> Double {
        guard let scalar = character.unicodeScalars.first, scalar.isASCII else { return 1 }
        switch scalar {
        case " ": return 0.3
        case "A"..."Z", "0"..."9", "&", "%", "@": return 0.64
        case "a"..."z": return character == "i" || character == "l" || character == "j" ? 0.28 : 0.55
        default: return 0.38
        }
    }

    /// `text` set in at most `maxLines` lines of at most `width` units, at the largest size in
    /// `sizes` that shows it whole; one line is preferred while it stays within a quarter of the
    /// largest size. At the smallest size the last line ends in an ellipsis if need be.
    static func fit(_ text: String, width: Double, sizes: ClosedRange<Double>, maxLines: Int) -> (lines: [String], size: Double) {
        guard !text.isEmpty else { return ([], sizes.upperBound) }
        let single = min(sizes.upperBound, width / Self.width(text))
        if maxLines == 1 || single >= sizes.upperBound * 0.75 {
            let size = max(single, sizes.lowerBound)
            return ([ellipsized(text, ems: width / size)], size)
        }
        // Breaking at a space reads better (东方树叶乌龙茶 / 精选装) even at a somewhat smaller size.
        let words = largestWhole(text, width: width, sizes: sizes, maxLines: maxLines, breakAnywhere: false)
        let anywhere = largestWhole(text, width: width, sizes: sizes, maxLines: maxLines, breakAnywhere: true)
        if let words, words.size >= (anywhere?.size ?? 0) * 0.7, words.size > single { return words }
        if let anywhere, anywhere.size > single { return anywhere }
        if single >= sizes.lowerBound { return ([text], single) }
        return (wrapped(text, ems: width / sizes.lowerBound, maxLines: maxLines, breakAnywhere: true).lines, sizes.lowerBound)
    }

    /// The largest whole-pixel size at which `text` wraps into `maxLines` without being cut.
    static func largestWhole(_ text: String, width: Double, sizes: ClosedRange<Double>, maxLines: Int,
                             breakAnywhere: Bool) -> (lines: [String], size: Double)? {
        var size = sizes.upperBound.rounded(.down)
        while size >= sizes.lowerBound {
            let attempt = wrapped(text, ems: width / size, maxLines: maxLines, breakAnywhere: breakAnywhere)
            if attempt.complete { return (attempt.lines, size) }
            size -= 1
        }
        return nil
    }

    static func ellipsized(_ text: String, ems: Double) -> String {
        guard width(text) > ems else { return text }
        var out = ""
        var used = width(of: "…")
        for character in text {
            used += width(of: character)
            if used > ems { break }
            out.append(character)
        }
        return out + "…"
    }

    /// Greedy lines, breaking at the last space that fits, or, with `breakAnywhere`, between any
    /// two characters as Chinese allows. `complete` is false when the last line had to be cut.
    static func wrapped(_ text: String, ems: Double, maxLines: Int, breakAnywhere: Bool) -> (lines: [String], complete: Bool) {
        var lines: [String] = []
        var rest = Substring(text)
        while !rest.isEmpty, lines.count < maxLines - 1 {
            var used = 0.0
            var end = rest.startIndex
            while end < rest.endIndex, used + width(of: rest[end]) <= ems {
                used += width(of: rest[end])
                end = rest.index(after: end)
            }
            if end == rest.endIndex { break }
            if end == rest.startIndex { end = rest.index(after: end) }
            if end < rest.endIndex, rest[end] == " " {
                // The line ends exactly before a space: a clean break as it is.
            } else if let space = rest[rest.startIndex..<end].lastIndex(of: " "), !breakAnywhere || width(rest[rest.startIndex..<space]) >= ems * 0.4 {
                end = space
            } else if !breakAnywhere {
                return ([], false)
            }
            lines.append(String(rest[rest.startIndex..<end]).trimmingWhitespace())
            rest = rest[end...].drop { $0 == " " }
        }
        let last = ellipsized(String(rest), ems: ems)
        if !rest.isEmpty { lines.append(last) }
        return (lines.filter { !$0.isEmpty }, last == String(rest))
    }
}
