/// The drawings, on a 480 × 480 stage with the floor at y ≈ 414. Each draws its shadow, the
/// thing, then its label where a real pack carries one (produce gets a tag in front).
extension SVGCanvas {
    private var cream: IllustrationColor { IllustrationColor(hex: 0xFFFDF6) }
    private var inkColor: IllustrationColor { IllustrationColor(hex: 0x2B2824) }

    private mutating func panel(_ x: Double, _ y: Double, _ width: Double, _ height: Double, _ subject: ProductIllustration.Subject,
                                radius: Double = 6, background: IllustrationColor? = nil) {
        let fill = background ?? cream
        let ink = fill.isLight ? inkColor : .white
        let brandInk = fill.isLight ? palette.main.darker(0.25) : .white
        label(x: x, y: y, width: width, height: height, subject: subject, style: .panel(background: fill, ink: ink, brandInk: brandInk, radius: radius))
    }

    /// A kraft-paper shelf tag in front of loose produce: the name large, who sells it above.
    private mutating func produceTag(_ subject: ProductIllustration.Subject) {
        let outline = "M112 376h256l14 40-14 40H112l-14-40z"
        path(outline, "#000", "opacity=\".12\" transform=\"translate(3 4)\"")
        path(outline, "#f3e3c3", "stroke=\"#c9ad7f\" stroke-width=\"1.5\"")
        circle(118, 416, 5, "#fff", "stroke=\"#c9ad7f\"")
        let tagSubject = ProductIllustration.Subject(category: subject.category, name: subject.brand ?? subject.category,
                                                     brand: subject.name, spec: nil, seed: subject.seed)
        label(x: 128, y: 378, width: 236, height: 76, subject: tagSubject,
              style: .print(ink: IllustrationColor(hex: 0x3E7D2E), brandInk: IllustrationColor(hex: 0x4A3316)))
    }

    mutating func draw(_ kind: ProductIllustration.Kind, subject: ProductIllustration.Subject) {
        switch kind {
        case .drinkBottle: drinkBottle(subject)
        case .sauceBottle: sauceBottle(subject)
        case .oilJug: oilJug(subject)
        case .milkCarton: milkCarton(subject)
        case .yogurtCup: yogurtCup(subject)
        case .snackPouch: snackPouch(subject)
        case .giftBox: giftBox(subject, ribbon: true)
        case .parcel: giftBox(subject, ribbon: false)
        case .riceSack: riceSack(subject)
        case .jar: jar(subject)
        case .detergentJug: detergentJug(subject)
        case .pumpBottle: pumpBottle(subject)
        case .toothpasteTube: toothpasteTube(subject)
        case .toothbrush: toothbrush(subject)
        case .paperRolls: paperRolls(subject)
        case .tissuePack: tissuePack(subject)
        case .tshirt, .longSleeveTop, .trousers, .shorts, .dress: garment(kind, subject)
        case .citrus, .apple, .lychee, .mangosteen, .tomatoes, .potato:
            roundProduce(kind, subject)
        case .grapes, .berries: grapes(kind, subject)
        case .banana: banana(subject)
        case .strawberry: strawberries(subject)
        case .cherries: cherries(subject)
        case .melon: melon(subject)
        case .kiwi: kiwi(subject)
        case .durian: durian(subject)
        case .dragonFruit: dragonFruit(subject)
        case .fruitCup: fruitCup(subject)
        case .broccoli: broccoli(subject)
        case .leafyGreens: leafyGreens(subject)
        case .scallion, .cucumber, .carrot: longVegetables(kind, subject)
        case .mushroom: mushrooms(subject)
        case .meatTray, .wholeChicken: meatTray(kind, subject)
        case .eggCarton: eggCarton(subject)
        }
    }

    // MARK: Bottles and jugs

    private mutating func drinkBottle(_ s: ProductIllustration.Subject) {
        shadow(width: 92, height: 16)
        let liquid = palette.thing
        let cap = palette.main.darker(0.1)
        rect(206, 58, 68, 34, cap.hex, radius: 6)
        rect(206, 58, 68, 34, "url(#gloss)", radius: 6)
        rect(214, 92, 52, 14, "#e9eef2")
        let outline = "M214 106h52v14c0 22 40 34 40 70v206c0 10-8 18-18 18h-96c-10 0-18-8-18-18v-206c0-36 40-48 40-70z"
        path(outline, liquid.lighter(liquid.isLight ? 0.1 : 0.35).hex, "opacity=\".92\"")
        path("M178 210h124v196c0 10-8 18-18 18h-88c-10 0-18-8-18-18z", liquid.hex, "opacity=\".85\"")
        path(outline, "url(#gloss)")
        stroke("M182 186h116M182 372h116", "#fff", width: 3, "opacity=\".55\"")
        panel(174, 222, 132, 136, s, radius: 2, background: palette.main.lighter(0.92))
        rect(174, 222, 132, 10, palette.main.hex)
        rect(174, 348, 132, 10, palette.main.hex)
    }

    private mutating func sauceBottle(_ s: ProductIllustration.Subject) {
        shadow(width: 96, height: 16)
        let cap = IllustrationColor(hex: 0xC8281E)
        rect(216, 52, 48, 40, cap.hex, radius: 5)
        rect(216, 52, 48, 40, "url(#gloss)", radius: 5)
        let glass = "M222 92h36v46c0 30 52 40 52 84v184c0 10-8 18-18 18h-104c-10 0-18-8-18-18v-184c0-44 52-54 52-84z"
        glossy(glass, IllustrationColor(hex: 0x3B1C10))
        panel(176, 238, 128, 132, s, radius: 4, background: IllustrationColor(hex: 0xFFF6E3))
        rect(176, 238, 128, 8, cap.hex)
        stroke("M236 110v26", "#fff", width: 5, "opacity=\".35\"")
    }

    private mutating func oilJug(_ s: ProductIllustration.Subject) {
        shadow(width: 150, height: 20)
        let oil = IllustrationColor(hex: 0xF2B526)
        rect(168, 70, 50, 34, IllustrationColor(hex: 0xD62D20).hex, radius: 5)
        let jug = "M160 104h70l12 20h70c20 0 30 12 30 30v250c0 12-8 20-20 20h-180c-12 0-20-8-20-20v-250c0-30 14-50 38-50z"
        glossy(jug, oil)
        rect(272, 132, 52, 56, "#fdfcf9", radius: 14, "opacity=\".9\"")
        panel(156, 232, 176, 128, s, radius: 8, background: IllustrationColor(hex: 0xC8281E))
    }

    private mutating func detergentJug(_ s: ProductIllustration.Subject) {
        shadow(width: 160, height: 20)
        let body = palette.main
        rect(170, 66, 56, 36, body.darker(0.25).hex, radius: 6)
        let jug = "M158 100h84l20 20h54c24 0 34 14 34 36v248c0 12-8 20-20 20h-186c-12 0-20-8-20-20v-256c0-28 12-48 34-48z"
        glossy(jug, body)
        rect(272, 128, 48, 62, "#fdfcf9", radius: 14, "opacity=\".92\"")
        panel(160, 226, 176, 150, s, radius: 70, background: IllustrationColor(hex: 0xFFFFFF))
    }

    private mutating func pumpBottle(_ s: ProductIllustration.Subject) {
        shadow(width: 96, height: 16)
        let body = palette.thing
        path("M232 58h64v16h-46v20h-18z", "#f1f1f1", "stroke=\"#cfcfcf\"")
        rect(222, 94, 36, 44, "#e7e7e7", radius: 4)
        rect(214, 132, 52, 22, "#d9d9d9", radius: 6)
        let bottle = "M196 154h88c24 0 34 16 34 40v208c0 12-8 20-20 20h-116c-12 0-20-8-20-20v-208c0-24 10-40 34-40z"
        glossy(bottle, body)
        panel(178, 218, 124, 150, s, radius: 10, background: body.isLight ? IllustrationColor(hex: 0x1E4E8C) : IllustrationColor(hex: 0xFFFFFF))
    }

    // MARK: Dairy

    private mutating func milkCarton(_ s: ProductIllustration.Subject) {
        shadow(width: 130, height: 18)
        let brand = palette.main
        // Front face, side face, gable roof and the sealed fin: a gable-top carton seen from a quarter turn.
        path("M312 168l44-26v248l-44 26z", IllustrationColor(hex: 0xE7E9EC).hex)
        path("M312 168l44-26-26-58-40 0z", IllustrationColor(hex: 0xD5D9DE).hex)
        path("M168 168h144l-22-84h-100z", IllustrationColor(hex: 0xF6F7F8).hex)
        path("M190 84h100l-6-18h-88z", IllustrationColor(hex: 0xE3E6EA).hex)
        rect(168, 168, 144, 248, "#ffffff")
        path("M168 340c30-14 60 14 90 0s40-12 54-4v80h-144z", brand.hex)
        path("M168 340c30-14 60 14 90 0s40-12 54-4v80h-144z", "url(#fall)")
        rect(168, 168, 144, 248, "url(#gloss)")
        label(x: 172, y: 176, width: 136, height: 150, subject: s,
              style: .print(ink: inkColor, brandInk: brand.darker(0.2)))
        circle(264, 92, 10, brand.darker(0.2).hex)
    }

    private mutating func yogurtCup(_ s: ProductIllustration.Subject) {
        shadow(width: 120, height: 18)
        let brand = palette.main
        let cup = "M150 170h180l-22 236c-1 10-8 16-18 16h-100c-10 0-17-6-18-16z"
        glossy(cup, IllustrationColor(hex: 0xFBFBFA))
        path("M158 250h164l-8 86h-148z", brand.hex)
        ellipse(240, 170, 96, 22, IllustrationColor(hex: 0xD9DDE2).hex)
        ellipse(240, 166, 90, 18, brand.lighter(0.55).hex)
        label(x: 166, y: 250, width: 148, height: 86, subject: s, style: .print(ink: .white, brandInk: .white))
        ellipse(252, 384, 40, 10, brand.lighter(0.6).hex, "opacity=\".7\"")
    }

    // MARK: Bags, boxes, sacks, jars

    private mutating func snackPouch(_ s: ProductIllustration.Subject) {
        shadow(width: 140, height: 18)
        let bag = palette.main
        let outline = "M146 104l188 0c-2 40 8 70 8 150s-8 126-8 150c0 10-8 16-18 16h-152c-10 0-18-6-18-16 0-24-8-70-8-150s10-110 8-150z"
        glossy(outline, bag)
        rect(150, 104, 180, 20, bag.darker(0.2).hex)
        stroke("M156 114h168", bag.darker(0.35).hex, width: 2, "stroke-dasharray=\"4 4\"")
        path("M186 300h108c10 0 16 6 16 16v64c0 10-6 16-16 16h-108c-10 0-16-6-16-16v-64c0-10 6-16 16-16z", "#f7f1e4")
        let bits = IllustrationColor(hex: s.name.contains("芒果") ? 0xF5A524 : s.name.contains("牛肉") || s.name.contains("脯") || s.name.contains("鸭") ? 0x8E3B24 : 0xB9834B)
        for (index, point) in [(200, 330), (224, 350), (252, 328), (280, 352), (214, 374), (246, 376), (276, 378), (292, 326)].enumerated() {
            ellipse(Double(point.0), Double(point.1), 15, 11, (index % 2 == 0 ? bits : bits.lighter(0.18)).hex,
                    "transform=\"rotate(\(index * 37) \(point.0) \(point.1))\"")
        }
        panel(166, 142, 148, 140, s, radius: 10)
    }

    private mutating func giftBox(_ s: ProductIllustration.Subject, ribbon: Bool) {
        shadow(width: 178, height: 22)
        let box = ribbon ? palette.main : IllustrationColor(hex: 0xC99C63)
        path("M116 210l44-44h208l-44 44z", box.lighter(0.22).hex)
        path("M324 210l44-44v206l-44 44z", box.darker(0.25).hex)
        rect(116, 210, 208, 206, box.hex)
        rect(116, 210, 208, 206, "url(#fall)")
        if ribbon {
            let band = IllustrationColor(hex: 0xE9C46A)
            rect(206, 210, 28, 206, band.hex)
            path("M206 210l44-44h28l-44 44z", band.lighter(0.2).hex)
            path("M240 188c-40-40-84-16-50 4 20 10 40 6 50-4zM240 188c40-40 84-16 50 4-20 10-40 6-50-4z", band.darker(0.08).hex)
            circle(240, 188, 11, band.darker(0.2).hex)
        } else {
            path("M116 210l44-44h24l-44 44z", box.lighter(0.35).hex)
            rect(116, 300, 208, 10, box.darker(0.12).hex)
        }
        panel(132, 262, 176, 118, s, radius: 8)
    }

    private mutating func riceSack(_ s: ProductIllustration.Subject) {
        shadow(width: 150, height: 20)
        let sack = IllustrationColor(hex: 0xF3EAD6)
        let outline = "M160 112c40-12 120-12 160 0 4 40 24 90 24 150 0 70-10 120-16 146-2 10-10 16-20 16h-136c-10 0-18-6-20-16-6-26-16-76-16-146 0-60 20-110 24-150z"
        glossy(outline, sack)
        stroke("M162 132c40-10 116-10 156 0", "#b49b6a", width: 3, "stroke-dasharray=\"6 5\"")
        path("M170 330h140v50c0 10-6 16-16 16h-108c-10 0-16-6-16-16z", palette.main.hex)
        for index in 0..<14 {
            let x = 182 + (index % 7) * 18, y = 350 + (index / 7) * 18
            ellipse(Double(x), Double(y), 6, 3, "#fbf8ef", "transform=\"rotate(\(index * 23) \(x) \(y))\"")
        }
        panel(164, 168, 152, 140, s, radius: 8)
    }

    private mutating func jar(_ s: ProductIllustration.Subject) {
        shadow(width: 110, height: 18)
        rect(170, 120, 140, 48, IllustrationColor(hex: 0xC8281E).hex, radius: 8)
        rect(170, 120, 140, 48, "url(#gloss)", radius: 8)
        let glass = "M176 168h128c14 0 22 10 22 24v206c0 14-10 24-24 24h-124c-14 0-24-10-24-24v-206c0-14 8-24 22-24z"
        glossy(glass, IllustrationColor(hex: 0x8A4B1C))
        panel(166, 232, 148, 130, s, radius: 6)
    }

    // MARK: Personal care and paper

    private mutating func toothpasteTube(_ s: ProductIllustration.Subject) {
        shadow(width: 190, height: 18)
        let tube = palette.main
        rect(58, 250, 56, 80, IllustrationColor(hex: 0xF4F4F4).hex, radius: 8)
        rect(58, 250, 56, 80, "url(#fall)", radius: 8)
        let outline = "M114 232h252l40 10v96l-40 10h-252z"
        path(outline, "#ffffff")
        path("M114 232h110c30 30 30 86 0 116h-110z", tube.hex)
        path(outline, "url(#fall)")
        stroke("M406 246v88", "#d0d0d0", width: 4, "stroke-dasharray=\"3 4\"")
        label(x: 234, y: 238, width: 128, height: 104, subject: s, style: .print(ink: inkColor, brandInk: tube.darker(0.15)))
    }

    private mutating func toothbrush(_ s: ProductIllustration.Subject) {
        shadow(width: 110, height: 16)
        // A blister card with the brush on it, the way a toothbrush hangs in a shop.
        rect(150, 54, 180, 366, palette.main.hex, radius: 14)
        rect(150, 54, 180, 366, "url(#fall)", radius: 14)
        ellipse(240, 78, 20, 8, "#fdfcf9")
        rect(170, 100, 140, 200, "#ffffff", radius: 60, "opacity=\".35\"")
        path("M230 120h20v150l6 20h-32l6-20z", IllustrationColor(hex: 0xF5F5F5).hex)
        rect(228, 112, 24, 8, "#ffffff")
        for row in 0..<6 { rect(224, 122 + Double(row) * 6, 32, 4, row % 2 == 0 ? "#3FA7E0" : "#ffffff", radius: 2) }
        panel(162, 306, 156, 100, s, radius: 8)
    }

    private mutating func paperRolls(_ s: ProductIllustration.Subject) {
        shadow(width: 180, height: 22)
        for (x, y) in [(166.0, 120.0), (246.0, 120.0), (206.0, 96.0)] { roll(x + 40, y, back: true) }
        for x in [126.0, 206.0, 286.0] { roll(x + 34, 190, back: false) }
        rect(108, 120, 264, 296, palette.main.hex, radius: 18, "opacity=\".14\"")
        panel(150, 300, 180, 100, s, radius: 10)
    }

    private mutating func roll(_ cx: Double, _ top: Double, back: Bool) {
        let height = back ? 120.0 : 226.0, r = 38.0
        rect(cx - r, top, 2 * r, height, "#fafafa")
        rect(cx - r, top, 2 * r, height, "url(#gloss)")
        ellipse(cx, top, r, 14, "#ffffff", "stroke=\"#e6e6e6\"")
        ellipse(cx, top, 11, 5, "#c9b08a")
    }

    private mutating func tissuePack(_ s: ProductIllustration.Subject) {
        shadow(width: 180, height: 20)
        let pack = palette.main
        let outline = "M104 236c0-16 10-26 26-26h220c16 0 26 10 26 26v156c0 16-10 24-26 24h-220c-16 0-26-8-26-24z"
        glossy(outline, IllustrationColor(hex: 0xFFFFFF))
        path("M104 350h272v42c0 16-10 24-26 24h-220c-16 0-26-8-26-24z", pack.hex)
        ellipse(240, 220, 76, 10, pack.darker(0.2).hex)
        path("M196 220c10-40 30-60 50-40 10-30 40-20 38 0 12 10 6 20 0 20z", "#ffffff", "stroke=\"#dcdcdc\" stroke-width=\"1.5\"")
        label(x: 120, y: 238, width: 240, height: 108, subject: s, style: .print(ink: inkColor, brandInk: pack.darker(0.15)))
    }

    // MARK: Clothes

    private mutating func garment(_ kind: ProductIllustration.Kind, _ s: ProductIllustration.Subject) {
        shadow(width: 170, height: 18)
        let denim = s.name.contains("牛仔")
        let fabric = palette.named ?? (denim ? IllustrationColor(hex: 0x3E5F8E) : palette.main)
        let seam = fabric.isLight ? fabric.darker(0.25) : fabric.lighter(0.3)
        switch kind {
        case .trousers:
            let wide = s.name.contains("阔腿")
            let outline = wide ? "M168 72h144l48 336h-104l-16-214-16 214h-104z" : "M168 72h144l22 336h-88l-6-220-6 220h-88z"
            glossy(outline, fabric)
            rect(168, 72, 144, 26, fabric.darker(0.12).hex)
            stroke("M188 100c0 26 12 40 34 44M292 100c0 26-12 40-34 44M240 98v92", seam.hex, width: 2.5, "stroke-dasharray=\"5 4\"")
        case .shorts:
            glossy("M160 92h160l26 206h-92l-14-102-14 102h-92z", fabric)
            rect(160, 92, 160, 26, fabric.darker(0.12).hex)
            stroke("M200 92v8M280 92v8", "#ffffff", width: 3)
        case .dress:
            glossy("M204 64h72l8 96c16 10 18 30 12 46l78 202h-268l78-202c-6-16-4-36 12-46z", fabric)
            stroke("M204 64l8-16M276 64l-8-16", fabric.darker(0.2).hex, width: 5)
            stroke("M184 204c36 14 76 14 112 0", seam.hex, width: 3)
        case .tshirt:
            glossy("M186 66c18 26 90 26 108 0l94 40 30 90-60 26-16-40v226h-204v-226l-16 40-60-26 30-90z", fabric)
            path("M194 68c14 18 78 18 92 0z", fabric.darker(0.35).hex)
            stroke("M186 66c18 26 90 26 108 0", seam.hex, width: 5)
        default:
            let outline = "M186 66c18 26 90 26 108 0l84 34c20 8 28 22 30 44l28 224-52 10-36-186v216h-216v-216l-36 186-52-10 28-224c2-22 10-36 30-44z"
            glossy(outline, fabric)
            path("M194 68c14 18 78 18 92 0z", fabric.darker(0.35).hex)
            stroke("M186 66c18 26 90 26 108 0", seam.hex, width: 5)
            if s.name.contains("羽绒") {
                for y in stride(from: 140, through: 380, by: 48) { stroke("M152 \(y)c56 10 120 10 176 0", seam.hex, width: 2.5) }
                stroke("M240 90v326", seam.hex, width: 3)
            } else if s.name.contains("衬衫") {
                path("M186 66l54 44 54-44-8 40-46 14-46-14z", fabric.lighter(0.2).hex)
                for y in stride(from: 140, through: 380, by: 44) { circle(240, Double(y), 4, seam.hex) }
                stroke("M240 110v306", seam.hex, width: 2)
            } else if s.name.contains("开衫") || s.name.contains("外套") || s.name.contains("防晒") {
                stroke("M240 88v328", seam.hex, width: 3)
                for y in stride(from: 150, through: 370, by: 55) { circle(252, Double(y), 4, seam.hex) }
            }
            rect(132, 392, 216, 24, fabric.darker(0.1).hex)
        }
        // A card hang tag on a string, as garments hang on a rail.
        stroke("M300 150c30 20 60 60 80 128", "#8a8a8a", width: 1.5)
        panel(310, 278, 146, 116, s, radius: 8)
        circle(383, 290, 5, "#fdfcf9", "stroke=\"#b0b0b0\"")
    }

    // MARK: Produce

    private mutating func roundProduce(_ kind: ProductIllustration.Kind, _ s: ProductIllustration.Subject) {
        shadow(240, 372, width: 170, height: 22)
        let (color, radius): (IllustrationColor, Double) = switch kind {
        case .citrus: (IllustrationColor(hex: 0xF39A1E), 62)
        case .apple: (IllustrationColor(hex: 0xD2302C), 62)
        case .lychee: (IllustrationColor(hex: 0xD8434B), 44)
        case .mangosteen: (IllustrationColor(hex: 0x5B2340), 54)
        case .tomatoes: (IllustrationColor(hex: 0xE0362C), 36)
        default: (IllustrationColor(hex: 0xC9A164), 58)
        }
        let spots: [(Double, Double)] = radius < 40
            ? [(150, 330), (214, 340), (278, 336), (340, 330), (182, 282), (246, 288), (308, 282), (214, 236), (276, 238)]
            : radius < 50 ? [(160, 320), (240, 330), (320, 320), (200, 254), (280, 254), (240, 190)]
            : [(170, 310), (310, 310), (240, 322), (206, 226), (276, 226)]
        for (index, (x, y)) in spots.enumerated() {
            let wobble = Double(index % 3) * 3
            if kind == .potato {
                ball(x, y, radius * 1.2, radius * 0.86 - wobble, color)
                for dot in 0..<3 { circle(x - 20 + Double(dot) * 18, y - 8 + Double(dot % 2) * 16, 3, color.darker(0.3).hex) }
                continue
            }
            ball(x, y, radius, radius - wobble, color)
            switch kind {
            case .citrus:
                circle(x + radius * 0.1, y - radius * 0.8, 4, IllustrationColor(hex: 0x6B4E16).hex)
                if index == spots.count - 1 { path("M\(n(x + 6)) \(n(y - radius * 0.82))c20-30 60-30 70-14-20 20-50 24-70 14z", "#4E9A34") }
            case .apple:
                stroke("M\(n(x)) \(n(y - radius * 0.78))c0-12 4-22 10-28", "#6B4E16", width: 4)
                path("M\(n(x + 6)) \(n(y - radius * 0.94))c14-22 44-22 52-10-14 16-38 18-52 10z", "#5DA03A")
            case .lychee:
                for dot in 0..<8 { circle(x - radius * 0.5 + Double(dot % 4) * radius / 3, y - radius * 0.3 + Double(dot / 4) * radius * 0.5, 3, color.darker(0.25).hex) }
            case .mangosteen:
                path("M\(n(x - 26)) \(n(y - radius + 8))c10-18 42-18 52 0-8 10-44 10-52 0z", "#4F7F36")
                rect(x - 3, y - radius - 12, 6, 14, "#5B4A2A", radius: 2)
            case .tomatoes:
                path("M\(n(x - 14)) \(n(y - radius + 4))l14 6 14-6-8 10 6 8-12-4-12 4 6-8z", "#3F8A2E")
            default:
                break
            }
        }
        produceTag(s)
    }

    private mutating func grapes(_ kind: ProductIllustration.Kind, _ s: ProductIllustration.Subject) {
        shadow(240, 372, width: 150, height: 20)
        let berries = kind == .berries
        let color = berries ? IllustrationColor(hex: 0x3F4F8F) : s.name.contains("玫瑰") || s.name.contains("青") ? IllustrationColor(hex: 0x9BC24A) : IllustrationColor(hex: 0x6B2D6B)
        if berries {
            for (index, (x, y)) in [(170, 330), (214, 340), (258, 336), (302, 330), (192, 294), (236, 298), (280, 294), (214, 258), (258, 258), (236, 222)].enumerated() {
                ball(Double(x), Double(y), 26, 25 - Double(index % 2), color)
                path("M\(x - 6) \(y - 20)l6 5 6-5-2 7z", color.darker(0.4).hex)
            }
        } else {
            stroke("M240 96c0 20-6 30-16 40", "#6B4E16", width: 6)
            path("M246 110c30-30 80-24 90 0-30 20-70 16-90 0z", "#5DA03A")
            let rows: [[Double]] = [[168, 206, 244, 282, 320], [186, 224, 262, 300], [168, 206, 244, 282, 320].dropLast().map { $0 + 19 }, [224, 262], [243]]
            for (row, xs) in rows.enumerated() {
                for x in xs { ball(x, 150 + Double(row) * 42, 24, 24, color) }
            }
        }
        produceTag(s)
    }

    private mutating func banana(_ s: ProductIllustration.Subject) {
        shadow(240, 366, width: 170, height: 20)
        let yellow = IllustrationColor(hex: 0xF6CF3B)
        // A hand of fingers curving up from one crown, each a crescent with a brown tip.
        for (index, angle) in [-34.0, -17, 0, 17].enumerated() {
            group("rotate(\(n(angle)) 320 180)") { canvas in
                let finger = "M320 172c-60 40-150 120-210 70 40 70 150 50 214-50z"
                canvas.glossy(finger, yellow.darker(Double(3 - index) * 0.05), gradient: "fall")
                canvas.stroke("M318 186c-50 40-120 90-190 66", yellow.darker(0.25).hex, width: 2, "opacity=\".6\"")
                canvas.circle(112, 244, 6, "#5B4423")
            }
        }
        rect(306, 150, 36, 40, "#7A9A34", radius: 8)
        produceTag(s)
    }

    private mutating func strawberries(_ s: ProductIllustration.Subject) {
        shadow(240, 366, width: 160, height: 20)
        for (x, y) in [(176.0, 296.0), (304.0, 296.0), (240.0, 320.0), (208.0, 220.0), (276.0, 216.0)] {
            let berry = "M\(n(x - 46)) \(n(y - 30))c20-16 72-16 92 0 10 40-20 80-46 96-26-16-56-56-46-96z"
            glossy(berry, IllustrationColor(hex: 0xE0283A), gradient: "ball")
            for dot in 0..<7 {
                circle(x - 24 + Double(dot % 4) * 16, y - 8 + Double(dot / 4) * 26 + Double(dot % 2) * 6, 2.2, "#F6E27A")
            }
            path("M\(n(x - 36)) \(n(y - 32))l18 6 18-14 18 14 18-6-14 16h-44z", "#3F8A2E")
        }
        produceTag(s)
    }

    private mutating func cherries(_ s: ProductIllustration.Subject) {
        shadow(240, 366, width: 160, height: 20)
        let color = IllustrationColor(hex: 0x8E1026)
        for (x, y) in [(172.0, 318.0), (236.0, 330.0), (300.0, 316.0), (204.0, 262.0), (268.0, 260.0)] {
            stroke("M\(n(x)) \(n(y - 30))c6-40 24-70 50-90", "#5E7D2A", width: 4)
            ball(x, y, 32, 30, color)
        }
        produceTag(s)
    }

    private mutating func melon(_ s: ProductIllustration.Subject) {
        shadow(240, 366, width: 170, height: 22)
        let skin = IllustrationColor(hex: 0xD8C26A)
        ball(240, 250, 140, 104, skin)
        for index in 0..<7 {
            let x = 130 + index * 36
            stroke("M\(x) 170c30 40 30 120 0 164", skin.darker(0.25).hex, width: 2, "opacity=\".6\"")
        }
        stroke("M130 220c60 30 160 30 220 0M120 280c60 30 180 30 240 0", skin.darker(0.25).hex, width: 2, "opacity=\".5\"")
        produceTag(s)
    }

    private mutating func kiwi(_ s: ProductIllustration.Subject) {
        shadow(240, 366, width: 160, height: 20)
        let skin = IllustrationColor(hex: 0x8A6A3E)
        ball(180, 290, 72, 58, skin)
        ball(300, 310, 70, 56, skin.lighter(0.05))
        ellipse(240, 222, 66, 66, IllustrationColor(hex: 0x8A6A3E).hex)
        ellipse(240, 222, 58, 58, IllustrationColor(hex: 0x7CB342).hex)
        ellipse(240, 222, 20, 20, IllustrationColor(hex: 0xF1F4D8).hex)
        for index in 0..<16 {
            let angle = Double(index) * 22.5
            ellipse(240, 190, 2.5, 5, "#2d2a1e", "transform=\"rotate(\(n(angle)) 240 222)\"")
        }
        produceTag(s)
    }

    private mutating func durian(_ s: ProductIllustration.Subject) {
        shadow(240, 366, width: 170, height: 22)
        let skin = IllustrationColor(hex: 0xA7A33A)
        ball(240, 250, 130, 110, skin)
        for row in 0..<6 {
            for column in 0..<8 where (row + column) % 2 == 0 {
                let x = 140 + column * 28, y = 170 + row * 30
                path("M\(x - 10) \(y + 8)l10-20 10 20z", skin.darker(0.25).hex)
            }
        }
        rect(228, 124, 24, 30, "#6B5B2A", radius: 4)
        produceTag(s)
    }

    private mutating func dragonFruit(_ s: ProductIllustration.Subject) {
        shadow(240, 366, width: 160, height: 20)
        let skin = IllustrationColor(hex: 0xE2377A)
        ball(190, 270, 92, 76, skin)
        ball(310, 300, 70, 60, skin)
        ellipse(310, 300, 56, 46, s.name.contains("红心") ? IllustrationColor(hex: 0xB0124F).hex : "#f8f6f2")
        for index in 0..<22 { circle(276 + Double(index % 6) * 13, 272 + Double(index / 6) * 16, 2, "#1a1a1a") }
        for (x, y, angle) in [(140.0, 220.0, -30), (200.0, 196.0, 0), (250.0, 230.0, 30), (130.0, 300.0, -60), (230.0, 320.0, 40)] {
            path("M\(n(x)) \(n(y))c10-10 30-14 40-10-10 8-22 18-40 10z", "#7FB13E", "transform=\"rotate(\(angle) \(n(x)) \(n(y)))\"")
        }
        produceTag(s)
    }

    private mutating func fruitCup(_ s: ProductIllustration.Subject) {
        shadow(240, 366, width: 170, height: 22)
        path("M100 220h280l-20 140c-2 10-8 16-18 16h-204c-10 0-16-6-18-16z", "#ffffff", "opacity=\".85\" stroke=\"#d5dadf\" stroke-width=\"2\"")
        let pieces: [UInt32] = [0xF6A11C, 0xE0283A, 0x8BC34A, 0xF6CF3B, 0x7CB342, 0xD2302C, 0x6B2D6B, 0xF39A1E, 0xF6CF3B, 0xE2377A]
        for (index, hex) in pieces.enumerated() {
            let x = 130 + Double(index % 5) * 48, y = 236 + Double(index / 5) * 52
            rect(x, y, 40, 40, IllustrationColor(hex: hex).hex, radius: 8)
            rect(x, y, 40, 40, "url(#ball)", radius: 8)
        }
        ellipse(240, 220, 142, 16, "#ffffff", "opacity=\".5\" stroke=\"#d5dadf\"")
        produceTag(s)
    }

    private mutating func broccoli(_ s: ProductIllustration.Subject) {
        shadow(240, 366, width: 150, height: 20)
        path("M214 240h52l14 120h-80z", IllustrationColor(hex: 0x9CC46B).hex)
        let green = IllustrationColor(hex: 0x3F8A2E)
        for (x, y, r) in [(170.0, 220.0, 50.0), (310.0, 220.0, 50.0), (240.0, 170.0, 60.0), (200.0, 250.0, 44.0), (280.0, 250.0, 44.0), (240.0, 230.0, 50.0)] {
            ball(x, y, r, r * 0.9, green)
            for dot in 0..<5 { circle(x - r * 0.5 + Double(dot) * r / 4, y - r * 0.3 + Double(dot % 2) * r * 0.3, r * 0.18, green.darker(0.15).hex) }
        }
        produceTag(s)
    }

    private mutating func leafyGreens(_ s: ProductIllustration.Subject) {
        shadow(240, 366, width: 150, height: 20)
        for (index, angle) in [-24.0, -12, 0, 12, 24].enumerated() {
            group("rotate(\(n(angle)) 240 360)") { canvas in
                canvas.path("M226 360c-4-60-4-110 0-150h28c4 40 4 90 0 150z", "#EEF5DF", "stroke=\"#cfe0b0\"")
                canvas.glossy("M240 240c-60-30-70-140 0-190 70 50 60 160 0 190z", IllustrationColor(hex: 0x4E9A34).lighter(Double(index % 2) * 0.1), gradient: "ball")
                canvas.stroke("M240 236v-170", "#D8EBC0", width: 3)
            }
        }
        produceTag(s)
    }

    private mutating func longVegetables(_ kind: ProductIllustration.Kind, _ s: ProductIllustration.Subject) {
        shadow(240, 366, width: 170, height: 20)
        for (index, angle) in [-18.0, -6, 6, 18].enumerated() {
            group("rotate(\(n(angle)) 240 340)") { canvas in
                let x = 228.0 + Double(index % 2) * 6
                switch kind {
                case .carrot:
                    canvas.glossy("M\(canvas.n(x)) 140h28l-10 210c-1 6-7 6-8 0z", IllustrationColor(hex: 0xF08A24))
                    canvas.path("M\(canvas.n(x + 14)) 140c-20-40-10-70 0-80 10 10 20 40 0 80z", "#5DA03A")
                case .cucumber:
                    canvas.glossy("M\(canvas.n(x)) 110c0-10 28-10 28 0v230c0 14-28 14-28 0z", IllustrationColor(hex: 0x3F7F2E))
                    for bump in 0..<6 { canvas.circle(x + 8 + Double(bump % 2) * 12, 140 + Double(bump) * 34, 2.5, "#d9ebb8") }
                default:
                    canvas.path("M\(canvas.n(x)) 200h20v150c0 8-20 8-20 0z", "#F4F6EC", "stroke=\"#dfe5cf\"")
                    canvas.glossy("M\(canvas.n(x)) 210v-150c0-8 20-8 20 0v150z", IllustrationColor(hex: 0x4E9A34))
                }
            }
        }
        produceTag(s)
    }

    private mutating func mushrooms(_ s: ProductIllustration.Subject) {
        shadow(240, 366, width: 160, height: 20)
        for (x, y, scale) in [(170.0, 300.0, 0.9), (310.0, 300.0, 0.9), (240.0, 270.0, 1.1)] {
            rect(x - 16 * scale, y - 10, 32 * scale, 70 * scale, "#F1E6CF", radius: 10)
            glossy("M\(n(x - 70 * scale)) \(n(y))c0-\(n(80 * scale)) \(n(140 * scale))-\(n(80 * scale)) \(n(140 * scale)) 0z",
                   IllustrationColor(hex: 0x8A5A33), gradient: "ball")
            ellipse(x, y - 2, 70 * scale, 12, IllustrationColor(hex: 0xE9D9B8).hex)
        }
        produceTag(s)
    }

    // MARK: Meat and eggs

    private mutating func meatTray(_ kind: ProductIllustration.Kind, _ s: ProductIllustration.Subject) {
        shadow(240, 386, width: 190, height: 22)
        path("M84 250h312l-24 130c-2 8-8 12-16 12h-232c-8 0-14-4-16-12z", "#2D2D30")
        path("M96 256h288l-20 118h-248z", "#3A3A3E")
        if kind == .wholeChicken {
            ball(240, 280, 120, 70, IllustrationColor(hex: 0xF2D29B))
            ball(140, 292, 40, 30, IllustrationColor(hex: 0xEDC488))
            ball(340, 292, 40, 30, IllustrationColor(hex: 0xEDC488))
        } else {
            let lean = s.name.contains("牛") ? IllustrationColor(hex: 0xB3262E) : s.name.contains("鸡") ? IllustrationColor(hex: 0xF3B8A8) : IllustrationColor(hex: 0xE0697A)
            for (index, x) in [150.0, 240.0, 330.0].enumerated() {
                let slab = "M\(n(x - 56)) 240c20-14 92-14 112 0l-6 96c-30 10-70 10-100 0z"
                glossy(slab, lean.lighter(Double(index) * 0.04), gradient: "fall")
                if !s.name.contains("鸡") {
                    stroke("M\(n(x - 50)) 270c30 8 70-8 100 0M\(n(x - 48)) 300c30 6 70-8 96 0", "#FBEDE6", width: s.name.contains("五花") ? 9 : 3)
                }
                if s.name.contains("排") { rect(x - 50, 312, 100, 8, "#F7F1E6", radius: 4) }
            }
        }
        // Cling film: a sheen across the tray.
        path("M90 246h300l-22 138h-256z", "#ffffff", "opacity=\".12\"")
        stroke("M120 256l60 120M300 256l40 80", "#ffffff", width: 6, "opacity=\".25\"")
        panel(252, 306, 150, 92, s, radius: 6, background: IllustrationColor(hex: 0xFFFFFF))
        rect(252, 306, 150, 12, IllustrationColor(hex: 0xC8281E).hex)
    }

    private mutating func eggCarton(_ s: ProductIllustration.Subject) {
        shadow(240, 392, width: 190, height: 22)
        for row in 0..<2 {
            for column in 0..<5 {
                let x = 128 + Double(column) * 56 + Double(row) * 12, y = 226 + Double(row) * 50
                ball(x, y, 26, 32, IllustrationColor(hex: 0xE8C39A))
            }
        }
        path("M92 270h296l-14 110c-2 10-8 16-18 16h-232c-10 0-16-6-18-16z", "#C9C2B4")
        for column in 0..<5 { path("M\(104 + column * 56) 270c10 20 36 20 46 0z", "#B7AF9F") }
        rect(92, 262, 296, 12, "#D8D2C6", radius: 4)
        panel(140, 304, 200, 84, s, radius: 6, background: IllustrationColor(hex: 0xF4EEDC))
    }
}
