/// An sRGB colour, mixed in plain channel space: enough for shading flat illustrations.
struct IllustrationColor: Hashable {
    var red: Double
    var green: Double
    var blue: Double

    init(hex: UInt32) {
        red = Double((hex >> 16) & 0xFF)
        green = Double((hex >> 8) & 0xFF)
        blue = Double(hex & 0xFF)
    }

    init(red: Double, green: Double, blue: Double) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// Hue in degrees, saturation and lightness in 0…1.
    init(hue: Double, saturation: Double, lightness: Double) {
        let chroma = (1 - abs(2 * lightness - 1)) * saturation
        let sector = hue / 60
        let x = chroma * (1 - abs(sector.truncatingRemainder(dividingBy: 2) - 1))
        let (r, g, b): (Double, Double, Double) = switch Int(sector) % 6 {
        case 0: (chroma, x, 0)
        case 1: (x, chroma, 0)
        case 2: (0, chroma, x)
        case 3: (0, x, chroma)
        case 4: (x, 0, chroma)
        default: (chroma, 0, x)
        }
        let m = lightness - chroma / 2
        self.init(red: (r + m) * 255, green: (g + m) * 255, blue: (b + m) * 255)
    }

    static let white = IllustrationColor(hex: 0xFFFFFF)
    static let black = IllustrationColor(hex: 0x000000)

    func mixed(with other: IllustrationColor, _ amount: Double) -> IllustrationColor {
        IllustrationColor(red: red + (other.red - red) * amount, green: green + (other.green - green) * amount,
                          blue: blue + (other.blue - blue) * amount)
    }

    func lighter(_ amount: Double) -> IllustrationColor { mixed(with: .white, amount) }
    func darker(_ amount: Double) -> IllustrationColor { mixed(with: .black, amount) }

    /// Relative luminance, to choose dark or light text on it.
    var isLight: Bool { 0.299 * red + 0.587 * green + 0.114 * blue > 160 }

    var hex: String {
        let digits = Array("0123456789abcdef")
        var out = "#"
        for channel in [red, green, blue] {
            let value = Int(max(0, min(255, channel.rounded())))
            out.append(digits[value >> 4])
            out.append(digits[value & 0xF])
        }
        return out
    }
}

/// The colours of one picture: the pack's main colour from the seed, unless a word in the name
/// or spec says what colour the thing is (橙汁 is orange, 黑色 T恤 black).
struct Palette {
    var main: IllustrationColor
    var accent: IllustrationColor
    var named: IllustrationColor?

    init(subject: ProductIllustration.Subject, kind: ProductIllustration.Kind) {
        let hash = subject.seed.unicodeScalars.reduce(UInt32(2_166_136_261)) { ($0 ^ $1.value) &* 16_777_619 }
        let hue = Double(hash % 360)
        main = IllustrationColor(hue: hue, saturation: 0.62, lightness: 0.46)
        accent = IllustrationColor(hue: (hue + 150).truncatingRemainder(dividingBy: 360), saturation: 0.7, lightness: 0.55)
        let words = subject.name + " " + (subject.spec ?? "")
        named = Self.namedColors.first { entry in entry.words.contains { words.contains($0) } }.map { IllustrationColor(hex: $0.hex) }
    }

    /// Colours that the words of a name or spec mean. Checked in order: 白桃 before 白, 藏青 before 青.
    static let namedColors: [(words: [String], hex: UInt32)] = [
        (["白桃"], 0xF6A59A), (["黑"], 0x2B2B30), (["白"], 0xF2F1EC), (["藏青", "深蓝"], 0x24344F), (["米色", "杏"], 0xE6D8BD), (["粉"], 0xF3B3C3),
        (["灰"], 0x9A9CA1), (["卡其"], 0xC2A776), (["牛仔"], 0x3E5F8E), (["红"], 0xC9302C), (["蓝"], 0x3D6FB6),
        (["橙", "橘"], 0xF39A1E), (["桃"], 0xF6A59A), (["柠檬"], 0xF2CF3B), (["青瓜", "绿", "青"], 0x8BC34A), (["乌龙", "树叶"], 0xC89B3C),
        (["茶"], 0xB7722F), (["奶茶", "乳茶"], 0xD8B48C), (["电解质"], 0x62C6E0), (["维他命"], 0xFF8A50), (["运动", "尖叫"], 0x4FB3F0),
        (["苏打", "水"], 0xCFE9F7),
    ]

    /// The colour of the thing itself when the name says it, otherwise the pack colour.
    var thing: IllustrationColor { named ?? main }
}

/// Builds the document: a `<defs>` of shared gradients, then shapes in painting order.
struct SVGCanvas {
    let palette: Palette
    private(set) var body = ""

    init(palette: Palette) {
        self.palette = palette
    }

    static let fontFamily = "'Noto Sans CJK SC','Noto Sans SC','PingFang SC','Microsoft YaHei','Source Han Sans SC',sans-serif"

    func document(title: String) -> String {
        let side = ProductIllustration.side
        let tint = palette.main.lighter(0.86).hex
        return """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(side)" height="\(side)" viewBox="0 0 \(side) \(side)" role="img" \
        aria-label="\(HTMLSanitizer.escape(title))"><title>\(HTMLSanitizer.escape(title))</title><defs>\
        <linearGradient id="bg" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#fdfcf9"/>\
        <stop offset="1" stop-color="\(tint)"/></linearGradient>\
        <radialGradient id="shadow"><stop offset="0" stop-color="#3a3325" stop-opacity=".34"/>\
        <stop offset="1" stop-color="#3a3325" stop-opacity="0"/></radialGradient>\
        <linearGradient id="gloss" x1="0" y1="0" x2="1" y2="0"><stop offset="0" stop-color="#000" stop-opacity=".12"/>\
        <stop offset=".18" stop-color="#fff" stop-opacity=".42"/><stop offset=".42" stop-color="#fff" stop-opacity="0"/>\
        <stop offset=".75" stop-color="#000" stop-opacity=".04"/><stop offset="1" stop-color="#000" stop-opacity=".24"/></linearGradient>\
        <linearGradient id="fall" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#fff" stop-opacity=".25"/>\
        <stop offset=".5" stop-color="#fff" stop-opacity="0"/><stop offset="1" stop-color="#000" stop-opacity=".2"/></linearGradient>\
        <radialGradient id="ball" cx=".35" cy=".3" r=".75"><stop offset="0" stop-color="#fff" stop-opacity=".55"/>\
        <stop offset=".35" stop-color="#fff" stop-opacity="0"/><stop offset="1" stop-color="#000" stop-opacity=".3"/></radialGradient>\
        </defs><rect width="\(side)" height="\(side)" fill="url(#bg)"/>\(body)</svg>
        """
    }

    // MARK: Primitives

    mutating func path(_ d: String, _ fill: String, _ extra: String = "") {
        body += "<path d=\"\(d)\" fill=\"\(fill)\"\(extra.isEmpty ? "" : " " + extra)/>"
    }

    /// The same outline twice: flat colour, then the cylindrical highlight over it.
    mutating func glossy(_ d: String, _ fill: IllustrationColor, gradient: String = "gloss") {
        path(d, fill.hex)
        path(d, "url(#\(gradient))")
    }

    mutating func rect(_ x: Double, _ y: Double, _ width: Double, _ height: Double, _ fill: String, radius: Double = 0, _ extra: String = "") {
        body += "<rect x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(width))\" height=\"\(n(height))\"\(radius > 0 ? " rx=\"\(n(radius))\"" : "") fill=\"\(fill)\"\(extra.isEmpty ? "" : " " + extra)/>"
    }

    mutating func ellipse(_ cx: Double, _ cy: Double, _ rx: Double, _ ry: Double, _ fill: String, _ extra: String = "") {
        body += "<ellipse cx=\"\(n(cx))\" cy=\"\(n(cy))\" rx=\"\(n(rx))\" ry=\"\(n(ry))\" fill=\"\(fill)\"\(extra.isEmpty ? "" : " " + extra)/>"
    }

    mutating func circle(_ cx: Double, _ cy: Double, _ r: Double, _ fill: String, _ extra: String = "") {
        ellipse(cx, cy, r, r, fill, extra)
    }

    /// A shaded ball: flat colour with the spherical highlight.
    mutating func ball(_ cx: Double, _ cy: Double, _ rx: Double, _ ry: Double, _ color: IllustrationColor) {
        ellipse(cx, cy, rx, ry, color.hex)
        ellipse(cx, cy, rx, ry, "url(#ball)")
    }

    mutating func shadow(_ cx: Double = 240, _ cy: Double = 414, width: Double = 170, height: Double = 22) {
        ellipse(cx, cy, width, height, "url(#shadow)")
    }

    mutating func stroke(_ d: String, _ color: String, width: Double, _ extra: String = "") {
        body += "<path d=\"\(d)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"\(n(width))\" stroke-linecap=\"round\" stroke-linejoin=\"round\"\(extra.isEmpty ? "" : " " + extra)/>"
    }

    mutating func group(_ transform: String, _ draw: (inout SVGCanvas) -> Void) {
        body += "<g transform=\"\(transform)\">"
        draw(&self)
        body += "</g>"
    }

    /// Numbers with at most one decimal, which is finer than a pixel at any size we show.
    func n(_ value: Double) -> String {
        let tenths = (value * 10).rounded()
        return tenths.truncatingRemainder(dividingBy: 10) == 0 ? String(Int(tenths / 10)) : String(tenths / 10)
    }

    // MARK: Label

    enum LabelStyle {
        /// A printed panel with its own background (bottle band, carton face, hang tag).
        case panel(background: IllustrationColor, ink: IllustrationColor, brandInk: IllustrationColor, radius: Double)
        /// Text printed straight on the pack.
        case print(ink: IllustrationColor, brandInk: IllustrationColor)
    }

    /// Brand on top, name below in up to two lines, spec small at the bottom, centred in the box.
    mutating func label(x: Double, y: Double, width: Double, height: Double, subject: ProductIllustration.Subject, style: LabelStyle) {
        let ink: IllustrationColor, brandInk: IllustrationColor
        switch style {
        case .panel(let background, let panelInk, let panelBrandInk, let radius):
            rect(x, y, width, height, background.hex, radius: radius, "stroke=\"\(background.darker(0.12).hex)\" stroke-width=\"1\"")
            (ink, brandInk) = (panelInk, panelBrandInk)
        case .print(let printInk, let printBrandInk):
            (ink, brandInk) = (printInk, printBrandInk)
        }
        let inner = width - 14
        let brand = LabelText.clean(subject.brand ?? "")
        let name = LabelText.clean(subject.name)
        let spec = LabelText.truncated(LabelText.clean(subject.spec ?? ""), to: 16)
        // Small boxes cap the largest size, never the smallest: text stays legible and may overflow a little.
        func sizes(_ smallest: Double, _ largest: Double) -> ClosedRange<Double> { smallest...max(smallest, largest) }
        let brandFit = LabelText.fit(brand, width: inner, sizes: sizes(13, min(46, height * 0.3)), maxLines: 1)
        let nameFit = LabelText.fit(name, width: inner, sizes: sizes(11, min(30, height * (brand.isEmpty ? 0.32 : 0.2))), maxLines: 2)
        let specFit = LabelText.fit(spec, width: inner, sizes: sizes(10, min(16, height * 0.13)), maxLines: 1)
        var blocks: [(lines: [String], size: Double, weight: Int, color: IllustrationColor, gap: Double)] = []
        if !brand.isEmpty { blocks.append((brandFit.lines, brandFit.size, 800, brandInk, brandFit.size * 0.3)) }
        if !name.isEmpty { blocks.append((nameFit.lines, nameFit.size, 600, ink, nameFit.size * 0.35)) }
        if !spec.isEmpty { blocks.append((specFit.lines, specFit.size, 500, ink.lighter(0.3), 0)) }
        var total = blocks.reduce(0) { $0 + Double($1.lines.count) * $1.size * 1.18 + $1.gap }
        if total > height - 8 {
            // Two lines of name under a big brand can outgrow the box: shrink every block alike.
            let scale = (height - 8) / total
            blocks = blocks.map { ($0.lines, max(9, $0.size * scale), $0.weight, $0.color, $0.gap * scale) }
            total = blocks.reduce(0) { $0 + Double($1.lines.count) * $1.size * 1.18 + $1.gap }
        }
        var baseline = y + max(4, (height - total) / 2)
        let centre = x + width / 2
        for block in blocks {
            for line in block.lines {
                baseline += block.size * 1.02
                body += "<text x=\"\(n(centre))\" y=\"\(n(baseline))\" font-family=\"\(Self.fontFamily)\" font-size=\"\(n(block.size))\" "
                    + "font-weight=\"\(block.weight)\" fill=\"\(block.color.hex)\" text-anchor=\"middle\">\(HTMLSanitizer.escape(line))</text>"
                baseline += block.size * 0.16
            }
            baseline += block.gap
        }
    }
}
