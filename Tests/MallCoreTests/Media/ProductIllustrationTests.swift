import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import MallCore
import Testing

@Suite("Product illustrations")
struct ProductIllustrationTests {
    static func subject(_ category: String, _ name: String, brand: String? = nil, spec: String? = nil, seed: String = "seed") -> ProductIllustration.Subject {
        ProductIllustration.Subject(category: category, name: name, brand: brand, spec: spec, seed: seed)
    }

    @Test("each demo category and name gets the picture of what it is", arguments: [
        ("乳品", "纯牛奶", ProductIllustration.Kind.milkCarton), ("乳品", "味可滋香蕉牛奶", .milkCarton), ("乳品", "QQ星儿童奶", .milkCarton),
        ("乳品", "安慕希希腊酸奶", .yogurtCup), ("乳品", "冠益乳", .yogurtCup),
        ("饮料", "NFC橙汁", .drinkBottle), ("饮料", "乳茶", .drinkBottle), ("饮料", "饮用天然水", .drinkBottle),
        ("休闲零食", "每日坚果", .snackPouch), ("休闲零食", "小贱牛肉粒", .snackPouch), ("休闲零食", "鸭脖", .snackPouch),
        ("休闲零食", "肉松饼", .giftBox), ("休闲零食", "蛋黄酥", .giftBox),
        ("粮油调味", "花生油", .oilJug), ("粮油调味", "玉米油", .oilJug), ("粮油调味", "蚝油", .sauceBottle), ("粮油调味", "金标生抽", .sauceBottle),
        ("粮油调味", "大米", .riceSack), ("粮油调味", "稻花香米", .riceSack), ("粮油调味", "黄豆酱", .jar),
        ("水果", "阳光玫瑰葡萄", .grapes), ("水果", "赣南脐橙", .citrus), ("水果", "云南蓝莓", .berries), ("水果", "海南香蕉", .banana),
        ("水果", "烟台红富士苹果", .apple), ("水果", "丹东草莓", .strawberry), ("水果", "智利车厘子", .cherries), ("水果", "泰国山竹", .mangosteen),
        ("水果", "四川丑橘", .citrus), ("水果", "新疆哈密瓜", .melon), ("水果", "精品礼盒", .giftBox), ("水果", "每日鲜切果盒", .fruitCup),
        ("水果", "进口奇异果", .kiwi), ("水果", "泰国金枕榴莲", .durian), ("水果", "越南红心火龙果", .dragonFruit), ("水果", "海南妃子笑荔枝", .lychee),
        ("水果", "广西沃柑", .citrus), ("水果", "陕西猕猴桃", .kiwi),
        ("蔬菜", "有机西兰花", .broccoli), ("蔬菜", "小番茄", .tomatoes), ("蔬菜", "上海青", .leafyGreens), ("蔬菜", "山东大葱", .scallion),
        ("蔬菜", "精品土豆", .potato), ("蔬菜", "荷兰黄瓜", .cucumber), ("蔬菜", "香菇", .mushroom), ("蔬菜", "胡萝卜", .carrot),
        ("肉禽蛋", "黑猪五花肉", .meatTray), ("肉禽蛋", "澳洲牛腱", .meatTray), ("肉禽蛋", "三黄鸡", .wholeChicken), ("肉禽蛋", "散养土鸡蛋", .eggCarton),
        ("肉禽蛋", "猪小排", .meatTray), ("肉禽蛋", "鸡胸肉", .meatTray),
        ("清洁用品", "深层洁净洗衣液", .detergentJug), ("清洁用品", "洗手液", .pumpBottle), ("清洁用品", "84消毒液", .detergentJug),
        ("个人护理", "去屑洗发水", .pumpBottle), ("个人护理", "护发素", .pumpBottle), ("个人护理", "超感白牙膏", .toothpasteTube),
        ("个人护理", "软毛牙刷", .toothbrush), ("个人护理", "漱口水", .pumpBottle),
        ("纸品", "超韧抽纸", .tissuePack), ("纸品", "卷纸", .paperRolls), ("纸品", "湿巾", .tissuePack), ("纸品", "厨房用纸", .paperRolls),
        ("男装", "纯棉圆领T恤", .tshirt), ("男装", "摇粒绒外套", .longSleeveTop), ("男装", "弹力牛仔裤", .trousers), ("男装", "轻型羽绒服", .longSleeveTop),
        ("男装", "运动短裤", .shorts), ("女装", "连衣裙", .dress), ("女装", "阔腿裤", .trousers), ("女装", "针织开衫", .longSleeveTop),
        ("女装", "羊绒毛衣", .longSleeveTop), ("女装", "防晒衣", .longSleeveTop),
        ("家电", "电饭煲", .parcel),
    ])
    func kinds(category: String, name: String, kind: ProductIllustration.Kind) {
        #expect(ProductIllustration.kind(for: Self.subject(category, name + " 精选装")) == kind)
        let svg = ProductIllustration.svg(for: Self.subject(category, name))
        #expect(XMLCheck.parse(svg).isWellFormed, "\(name)")
    }

    @Test("every kind of picture is a well-formed document with a label")
    func everyKind() {
        for kind in ProductIllustration.Kind.allCases {
            var canvas = SVGCanvas(palette: Palette(subject: Self.subject("x", "y"), kind: kind))
            canvas.draw(kind, subject: Self.subject("水果", "名字", brand: "品牌", spec: "500g"))
            let parsed = XMLCheck.parse(canvas.document(title: "品牌 名字"))
            #expect(parsed.isWellFormed, "\(kind)")
            #expect(parsed.texts.contains("品牌") && parsed.texts.contains("名字"), "\(kind): \(parsed.texts)")
        }
    }

    @Test("text is escaped, not interpreted")
    func escaping() {
        let svg = ProductIllustration.svg(for: Self.subject("饮料", "A&B <script>", brand: "\"Q\" & 'S'", spec: "<1L>"))
        let parsed = XMLCheck.parse(svg)
        #expect(parsed.isWellFormed)
        #expect(!svg.contains("<script"))
        #expect(svg.contains("A&amp;B &lt;script&gt;"))
        #expect(parsed.texts.contains("\"Q\" & 'S'"), "\(parsed.texts)")
        #expect(parsed.texts.contains("<1L>"))
        #expect(parsed.elements.isSubset(of: XMLCheck.allowedElements), "\(parsed.elements)")
    }

    @Test("property: any name, brand and spec give a well-formed, bounded, script-free document that shows them")
    func randomNames() {
        var random = SplitMix64(seed: 14)
        let alphabet: [String] = ["<", ">", "&", "\"", "'", "]]>", "<!--", "牛", "奶", "橙", "汁", "😀", "👨‍👩‍👧", "é", "a", "Z", "9", " ", "\n", "\t",
                                  "\u{0}", "\u{7}", "\u{1B}", "\u{7F}", "\u{FFFE}", "\u{FFFF}", "\u{200B}", "\u{202E}", "&amp;", "%", "；"]
        func text(_ maxLength: Int) -> String {
            let length = Int(random.next() % UInt64(maxLength + 1))
            return (0..<length).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }.joined()
        }
        let categories = ["乳品", "饮料", "水果", "蔬菜", "男装", "纸品", "个人护理", "肉禽蛋", "", "<&>"]
        for round in 0..<300 {
            let subject = Self.subject(categories[round % categories.count], text(round % 10 == 0 ? 600 : 30),
                                       brand: round % 3 == 0 ? nil : text(12), spec: round % 4 == 0 ? nil : text(10), seed: text(8))
            let svg = ProductIllustration.svg(for: subject)
            let parsed = XMLCheck.parse(svg)
            #expect(parsed.isWellFormed, "round \(round): \(subject)")
            #expect(parsed.elements.isSubset(of: XMLCheck.allowedElements))
            #expect(svg.utf8.count < 24_000, "round \(round)")
            #expect(svg == ProductIllustration.svg(for: subject), "deterministic")
            // What the label shows is the start of the cleaned name: whole, wrapped, or cut with an ellipsis.
            let name = LabelText.clean(subject.name)
            if !name.isEmpty {
                let shown = parsed.texts.map { $0.replacingOccurrences(of: "…", with: "").trimmingWhitespace() }
                #expect(shown.contains { !$0.isEmpty && name.hasPrefix($0) }, "round \(round): \(parsed.texts) of \(name)")
            }
        }
    }

    @Test("long names wrap to two lines and end in an ellipsis; short ones stay on one")
    func fitting() {
        let short = LabelText.fit("纯牛奶", width: 130, sizes: 11...30, maxLines: 2)
        #expect(short.lines == ["纯牛奶"] && short.size == 30)
        let spaced = LabelText.fit("东方树叶乌龙茶 精选装", width: 118, sizes: 11...24, maxLines: 2)
        #expect(spaced.lines == ["东方树叶乌龙茶", "精选装"], "\(spaced)")
        let long = LabelText.fit(String(repeating: "很长的名字", count: 20), width: 120, sizes: 11...24, maxLines: 2)
        #expect(long.lines.count == 2 && long.lines[1].hasSuffix("…") && long.size == 11)
        for line in long.lines { #expect(LabelText.width(line) * long.size <= 120) }
        #expect(LabelText.clean("  a\n\u{0}b\u{FFFE}  c ") == "a b c")
        #expect(LabelText.clean(String(repeating: "😀", count: 500)).count == LabelText.maxCharacters)
    }

    @Test("same subject, same picture; the seed changes the colours; a colour word wins over the seed")
    func colours() {
        let a = ProductIllustration.svg(for: Self.subject("个人护理", "去屑洗发水", brand: "海飞丝", seed: "海飞丝"))
        #expect(a == ProductIllustration.svg(for: Self.subject("个人护理", "去屑洗发水", brand: "海飞丝", seed: "海飞丝")))
        #expect(a != ProductIllustration.svg(for: Self.subject("个人护理", "去屑洗发水", brand: "海飞丝", seed: "高露洁")))
        let black = ProductIllustration.svg(for: Self.subject("男装", "纯棉圆领T恤", spec: "黑色", seed: "1"))
        let white = ProductIllustration.svg(for: Self.subject("男装", "纯棉圆领T恤", spec: "白色", seed: "1"))
        #expect(black.contains("#2b2b30") && white.contains("#f2f1ec"))
        #expect(IllustrationColor(hue: 0, saturation: 1, lightness: 0.5).hex == "#ff0000")
        #expect(IllustrationColor(hue: 240, saturation: 1, lightness: 0.5).hex == "#0000ff")
    }
}

/// Parses a document with Foundation's XML parser and collects what the tests look at.
final class XMLCheck: NSObject, XMLParserDelegate {
    static let allowedElements: Set<String> = ["svg", "title", "defs", "linearGradient", "radialGradient", "stop", "rect", "ellipse", "path", "text", "g"]

    private(set) var elements: Set<String> = []
    private(set) var texts: [String] = []
    private var current: String?
    private(set) var isWellFormed = false

    static func parse(_ svg: String) -> XMLCheck {
        let check = XMLCheck()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = check
        check.isWellFormed = parser.parse()
        return check
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        elements.insert(name)
        if name == "text" { current = "" }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        current? += string
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "text", let text = current { texts.append(text) }
        current = nil
    }
}
