import Crypto
import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

/// A realistic demo catalogue: a category tree, brands, 200+ products with spec matrices,
/// valid EAN-13 barcodes (GS1 China prefix 690–695) and stock spread over the demo stores
/// through the inventory ledger. Deterministic, so every demo looks the same.
struct DemoCatalog {
    let app: Application

    struct Line {
        let category: String
        let brand: String?
        let names: [String]
        let subtitle: String
        let unit: String
        let specs: [SpecDefinition]
        let basePriceFen: Int64
        let weightGrams: Int
        let tags: [String]
    }

    static let tree: [(String, [String])] = [
        ("食品饮料", ["乳品", "饮料", "休闲零食", "粮油调味"]),
        ("生鲜", ["水果", "蔬菜", "肉禽蛋"]),
        ("日用百货", ["清洁用品", "个人护理", "纸品"]),
        ("服饰", ["男装", "女装"]),
    ]

    static let lines: [Line] = [
        Line(category: "乳品", brand: "光明", names: ["纯牛奶", "优倍鲜牛奶", "低脂牛奶", "高钙牛奶", "有机纯牛奶", "儿童成长牛奶"],
             subtitle: "新鲜牧场 营养早餐", unit: "盒", specs: [SpecDefinition(name: "规格", values: ["250ml", "950ml"])], basePriceFen: 450, weightGrams: 260, tags: ["早餐", "冷藏"]),
        Line(category: "乳品", brand: "伊利", names: ["安慕希希腊酸奶", "金典纯牛奶", "舒化无乳糖牛奶", "QQ星儿童奶", "畅轻酸奶", "味可滋香蕉牛奶"],
             subtitle: "常温整箱 家庭装", unit: "提", specs: [SpecDefinition(name: "规格", values: ["6盒装", "12盒装"])], basePriceFen: 3_990, weightGrams: 1_500, tags: ["整箱"]),
        Line(category: "乳品", brand: "蒙牛", names: ["特仑苏纯牛奶", "纯甄酸奶", "真果粒", "冠益乳", "未来星儿童奶", "每日鲜语"],
             subtitle: "品质生活 每日一杯", unit: "提", specs: [SpecDefinition(name: "规格", values: ["6盒装", "12盒装"])], basePriceFen: 4_290, weightGrams: 1_500, tags: ["整箱"]),
        Line(category: "饮料", brand: "农夫山泉", names: ["饮用天然水", "东方树叶乌龙茶", "茶π柠檬红茶", "NFC橙汁", "尖叫运动饮料", "维他命水", "苏打天然水", "打奶茶"],
             subtitle: "大自然的搬运工", unit: "瓶", specs: [SpecDefinition(name: "规格", values: ["550ml", "1.5L"]), SpecDefinition(name: "包装", values: ["单瓶", "整箱"])],
             basePriceFen: 300, weightGrams: 600, tags: ["饮品"]),
        Line(category: "饮料", brand: "元气森林", names: ["白桃气泡水", "青瓜气泡水", "乳茶", "外星人电解质水", "燃茶", "冰茶"],
             subtitle: "0糖0脂0卡", unit: "瓶", specs: [SpecDefinition(name: "口味规格", values: ["480ml", "480ml×15"])], basePriceFen: 550, weightGrams: 520, tags: ["饮品", "0糖"]),
        Line(category: "休闲零食", brand: "三只松鼠", names: ["每日坚果", "夏威夷果", "碧根果", "开心果", "芒果干", "手撕面包", "小贱牛肉粒", "鸭脖", "蟹黄瓜子子", "猪肉脯"],
             subtitle: "好吃不贵 追剧必备", unit: "袋", specs: [SpecDefinition(name: "口味", values: ["原味", "奶油味", "椒盐味"]), SpecDefinition(name: "规格", values: ["小袋", "家庭装"])],
             basePriceFen: 1_990, weightGrams: 300, tags: ["零食"]),
        Line(category: "休闲零食", brand: "良品铺子", names: ["猪肉脯", "肉松饼", "高蛋白肉脯", "海苔卷", "牛肉干", "麻辣小龙虾尾", "蛋黄酥", "芒果干"],
             subtitle: "高端零食 精选原料", unit: "盒", specs: [SpecDefinition(name: "规格", values: ["100g", "250g"])], basePriceFen: 2_590, weightGrams: 280, tags: ["零食", "礼盒"]),
        Line(category: "粮油调味", brand: "金龙鱼", names: ["花生油", "调和油", "大米", "菜籽油", "玉米油", "稻花香米"],
             subtitle: "家庭厨房好伙伴", unit: "桶", specs: [SpecDefinition(name: "规格", values: ["1.8L", "5L"])], basePriceFen: 3_590, weightGrams: 5_000, tags: ["厨房"]),
        Line(category: "粮油调味", brand: "海天", names: ["金标生抽", "老抽王", "蚝油", "味极鲜酱油", "上等蚝油", "黄豆酱"],
             subtitle: "酿造 鲜味", unit: "瓶", specs: [SpecDefinition(name: "规格", values: ["500ml", "1.28L"])], basePriceFen: 990, weightGrams: 600, tags: ["厨房"]),
        Line(category: "水果", brand: nil, names: ["阳光玫瑰葡萄", "赣南脐橙", "云南蓝莓", "海南香蕉", "烟台红富士苹果", "丹东草莓", "智利车厘子", "泰国山竹", "四川丑橘", "新疆哈密瓜"],
             subtitle: "产地直采 当日到店", unit: "份", specs: [SpecDefinition(name: "规格", values: ["500g", "1kg", "2.5kg"])], basePriceFen: 1_990, weightGrams: 1_000, tags: ["生鲜", "冷藏"]),
        Line(category: "蔬菜", brand: nil, names: ["有机西兰花", "小番茄", "上海青", "山东大葱", "精品土豆", "荷兰黄瓜", "香菇", "胡萝卜"],
             subtitle: "新鲜采摘", unit: "份", specs: [SpecDefinition(name: "规格", values: ["300g", "500g"])], basePriceFen: 490, weightGrams: 500, tags: ["生鲜"]),
        Line(category: "肉禽蛋", brand: nil, names: ["黑猪五花肉", "澳洲牛腱", "三黄鸡", "散养土鸡蛋", "猪小排", "鸡胸肉"],
             subtitle: "冷鲜直供", unit: "份", specs: [SpecDefinition(name: "规格", values: ["500g", "1kg"])], basePriceFen: 2_990, weightGrams: 1_000, tags: ["生鲜", "冷藏"]),
        Line(category: "清洁用品", brand: "蓝月亮", names: ["深层洁净洗衣液", "亮白增艳洗衣液", "洗手液", "84消毒液", "卫诺洁厕液", "至尊洗衣液"],
             subtitle: "机洗手洗 护色护衣", unit: "瓶", specs: [SpecDefinition(name: "香型", values: ["薰衣草", "自然清香"]), SpecDefinition(name: "规格", values: ["1kg", "3kg"])],
             basePriceFen: 2_690, weightGrams: 2_000, tags: ["家清"]),
        Line(category: "个人护理", brand: "海飞丝", names: ["去屑洗发水", "丝质柔滑洗发露", "净爽控油洗发水", "护发素"],
             subtitle: "去屑止痒", unit: "瓶", specs: [SpecDefinition(name: "规格", values: ["200ml", "400ml", "750ml"])], basePriceFen: 3_990, weightGrams: 500, tags: ["个护"]),
        Line(category: "个人护理", brand: "高露洁", names: ["超感白牙膏", "冰爽薄荷牙膏", "软毛牙刷", "漱口水"],
             subtitle: "口腔护理", unit: "支", specs: [SpecDefinition(name: "规格", values: ["单支", "三支装"])], basePriceFen: 1_290, weightGrams: 200, tags: ["个护"]),
        Line(category: "纸品", brand: "维达", names: ["超韧抽纸", "卷纸", "湿巾", "厨房用纸", "手帕纸"],
             subtitle: "柔韧亲肤", unit: "提", specs: [SpecDefinition(name: "规格", values: ["6包", "12包"])], basePriceFen: 2_490, weightGrams: 1_200, tags: ["家清"]),
        Line(category: "男装", brand: "优衣库", names: ["纯棉圆领T恤", "摇粒绒外套", "弹力牛仔裤", "法兰绒衬衫", "轻型羽绒服", "运动短裤"],
             subtitle: "基础百搭", unit: "件", specs: [SpecDefinition(name: "颜色", values: ["黑色", "白色", "藏青"]), SpecDefinition(name: "尺码", values: ["M", "L", "XL"])],
             basePriceFen: 7_900, weightGrams: 300, tags: ["服饰", "新品"]),
        Line(category: "女装", brand: "优衣库", names: ["针织开衫", "阔腿裤", "连衣裙", "羊绒毛衣", "防晒衣", "衬衫"],
             subtitle: "舒适通勤", unit: "件", specs: [SpecDefinition(name: "颜色", values: ["米色", "黑色", "粉色"]), SpecDefinition(name: "尺码", values: ["S", "M", "L"])],
             basePriceFen: 9_900, weightGrams: 300, tags: ["服饰", "新品"]),
        Line(category: "水果", brand: "鲜丰果园", names: ["精品礼盒", "每日鲜切果盒", "进口奇异果", "泰国金枕榴莲", "越南红心火龙果", "海南妃子笑荔枝", "广西沃柑", "陕西猕猴桃"],
             subtitle: "鲜丰自营 品质保证", unit: "份", specs: [SpecDefinition(name: "规格", values: ["小份", "大份"])], basePriceFen: 2_990, weightGrams: 1_000, tags: ["生鲜", "礼盒"]),
    ]

    /// The demo catalogue needs at least this many products; the lines above produce more.
    static var productCount: Int { lines.reduce(0) { $0 + $1.names.count * 2 } }

    func run() async throws {
        let db = app.db
        if try await ProductModel.query(on: db).count() > 0 {
            try await replacePlaceholderImages()
            return
        }
        var random = SeededRandom(seed: 20_261_127)
        var categories: [String: CategoryModel] = [:]
        for (position, (rootName, children)) in Self.tree.enumerated() {
            let root = CategoryModel()
            root.id = UUID()
            root.name = rootName
            root.sortOrder = position
            try await TaxonomyRoutes.place(root, under: nil, on: db)
            try await root.create(on: db)
            for (childPosition, name) in children.enumerated() {
                let child = CategoryModel()
                child.id = UUID()
                child.name = name
                child.sortOrder = childPosition
                try await TaxonomyRoutes.place(child, under: root.id, on: db)
                try await child.create(on: db)
                categories[name] = child
            }
        }
        var brands: [String: BrandModel] = [:]
        for name in Set(Self.lines.compactMap(\.brand)).sorted() {
            let brand = BrandModel()
            brand.name = name
            try await brand.create(on: db)
            brands[name] = brand
        }
        let template = SpecTemplateModel()
        template.name = "服装 颜色×尺码"
        template.specsJSON = try JSONText.encode([SpecDefinition(name: "颜色", values: ["黑色", "白色"]),
                                                                          SpecDefinition(name: "尺码", values: ["S", "M", "L", "XL"])])
        try await template.create(on: db)

        let fruit = try await MerchantModel.find(code: "XFRUIT", on: db)
        let stores = try await StoreModel.query(on: db).all()
        var barcodeSerial = 0
        var productIndex = 0
        var stock: [UUID: [StockRequest]] = [:]
        for line in Self.lines {
            let merchantId = line.brand == "鲜丰果园" ? (fruit?.id ?? SelfOperatedMerchant.id.rawValue) : SelfOperatedMerchant.id.rawValue
            for (nameIndex, name) in line.names.enumerated() {
                // Each name comes in two editions so the catalogue is broad, as a real chain's is.
                for editionIndex in Self.editions.indices {
                    productIndex += 1
                    let title = Self.title(line, name: name, editionIndex: editionIndex)
                    let image = try await illustration(of: Self.subject(line, name: name, nameIndex: nameIndex, editionIndex: editionIndex),
                                                       merchantId: merchantId)
                    let combinations = try SKUMatrix.combinations(line.specs)
                    let priceStep = Int64(random.next(in: 0...40)) * 10
                    var skus: [SKUInput] = []
                    for (index, combination) in combinations.enumerated() {
                        barcodeSerial += 1
                        let payload = "6901" + String(format: "%08d", barcodeSerial)
                        let barcode = payload + String(Barcode.checkDigit(for: payload)!)
                        let price = line.basePriceFen + priceStep + Int64(index) * (line.basePriceFen / 3 / 10 * 10 + 100)
                        skus.append(SKUInput(specs: Dictionary(uniqueKeysWithValues: combination.values.map { ($0.spec, $0.value) }),
                                             code: String(format: "D%04d-%02d", productIndex, index + 1), barcode: barcode, priceFen: price,
                                             marketPriceFen: price + price / 5, costFen: price * 6 / 10, weightGrams: line.weightGrams))
                    }
                    let input = ProductInput(merchantId: merchantId, title: title, subtitle: line.subtitle,
                                             descriptionHtml: "<p>\(title)，\(line.subtitle)。</p><ul><li>产地直供，品质可追溯</li><li>门店自提或同城配送</li></ul>",
                                             categoryId: categories[line.category]!.id!, brandId: line.brand.flatMap { brands[$0]?.id },
                                             tags: line.tags, unit: line.unit, weightGrams: line.weightGrams,
                                             images: [image], specs: line.specs, skus: skus)
                    let product = ProductModel()
                    product.merchantId = merchantId
                    product.categoryId = input.categoryId
                    product.brandId = input.brandId
                    product.lifecycle = ProductLifecycle(status: .approved, onShelf: true)
                    product.salesCount = random.next(in: 0...5_000)
                    try await db.writeTransaction { tx in
                        let service = ProductService(db: tx)
                        let checked = try await service.check(input, merchantId: merchantId, productId: nil)
                        try await service.write(checked, into: product, brandName: line.brand)
                    }
                    let created = try await SKUModel.query(on: db).filter(\.$productId == product.id!).all()
                    for store in stores where store.merchantId == merchantId {
                        for sku in created {
                            // Most SKUs are stocked, some run low, a few are out: the alerts page has something to show.
                            let roll = random.next(in: 0...99)
                            let quantity = store.kind == .warehouse ? random.next(in: 200...800) : roll < 8 ? 0 : roll < 20 ? random.next(in: 1...9) : random.next(in: 10...120)
                            if quantity > 0 { stock[store.id!, default: []].append(StockRequest(skuId: sku.id!, storeId: store.id!, quantity: quantity)) }
                        }
                    }
                }
            }
        }
        for requests in stock.values {
            try await db.writeTransaction { tx in
                try await InventoryService.make(app, on: tx).move(.receipt, requests, context: MovementContext(
                    reason: "开业备货 opening stock", referenceType: "receipt", referenceId: "DEMO-OPENING", now: app.clock.now()))
            }
        }
    }
}

extension DemoCatalog {
    static let editions = ["", " 精选装"]

    static func title(_ line: Line, name: String, editionIndex: Int) -> String {
        [line.brand, name + editions[editionIndex]].compactMap { $0 }.joined(separator: " ")
    }

    /// What the product's picture shows: its own name and brand, one of its spec values (editions
    /// and neighbours take turns, so a rail of T-shirts is not all one colour), coloured by brand.
    static func subject(_ line: Line, name: String, nameIndex: Int, editionIndex: Int) -> ProductIllustration.Subject {
        let values = line.specs.first?.values ?? []
        let spec = values.isEmpty ? nil : values[(nameIndex + editionIndex) % values.count]
        return ProductIllustration.Subject(category: line.category, name: name + editions[editionIndex], brand: line.brand, spec: spec,
                                           seed: line.brand ?? line.category)
    }

    /// The product's packshot (`ProductIllustration`), stored like an uploaded image so it is
    /// served from /files/ wherever product images appear. Keyed by content: seeding again finds it.
    func illustration(of subject: ProductIllustration.Subject, merchantId: UUID) async throws -> String {
        let bytes = Array(ProductIllustration.svg(for: subject).utf8)
        let digest = SigV4Signer.hex(SHA256.hash(data: bytes))
        if let existing = try await MediaFileModel.find(merchant: MerchantID(merchantId), sha256: digest, on: app.db) { return existing.url }
        let info = ImageInfo(format: .svg, width: ProductIllustration.side, height: ProductIllustration.side, byteCount: bytes.count)
        let key = MediaFileModel.imageKey(sha256: digest, format: .svg)
        try await app.fileStorage.put(key: key, data: Data(bytes), contentType: info.format.mimeType)
        let file = MediaFileModel(merchantId: merchantId, sha256: digest, key: key, image: info, uploadedBy: nil, createdAt: app.clock.now())
        try await file.create(on: app.db)
        return file.url
    }

    /// Demos seeded before products had pictures show one flat tile per category (a 480-pixel
    /// `PlaceholderImage` PNG). Seeding such a database again gives each demo product still
    /// showing exactly that tile its picture; products whose images someone changed are left alone.
    func replacePlaceholderImages() async throws {
        // The tiles' ten colours are shared: one tile may stand for several categories.
        var tiles: [String: Set<String>] = [:]
        for category in Set(Self.lines.map(\.category)) {
            let bytes = PlaceholderImage.png(width: 480, height: 480, color: .from(seed: category))
            let url = "/files/" + MediaFileModel.imageKey(sha256: SigV4Signer.hex(SHA256.hash(data: bytes)), format: .png)
            tiles[String(decoding: try JSONEncoder.api.encode([url]), as: UTF8.self), default: []].insert(category)
        }
        let stale = try await ProductModel.query(on: app.db).filter(\.$imagesJSON ~~ Array(tiles.keys)).all()
        guard !stale.isEmpty else { return }
        var subjects: [String: (ProductIllustration.Subject, category: String)] = [:]
        for line in Self.lines {
            for (nameIndex, name) in line.names.enumerated() {
                for editionIndex in Self.editions.indices {
                    subjects[Self.title(line, name: name, editionIndex: editionIndex)] = (Self.subject(line, name: name, nameIndex: nameIndex, editionIndex: editionIndex), line.category)
                }
            }
        }
        for product in stale {
            guard let (subject, category) = subjects[product.title], tiles[product.imagesJSON]?.contains(category) == true else { continue }
            product.images = [try await illustration(of: subject, merchantId: product.merchantId)]
            try await product.update(on: app.db)
        }
    }
}

/// A small deterministic generator (SplitMix64) so the demo data is the same on every machine.
struct SeededRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func next(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }
}
