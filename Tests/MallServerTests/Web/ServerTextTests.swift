import Foundation
import MallAPI
import MallCore
import Testing
import Vapor
@testable import MallServer

@Suite("Server-written text in the shopper's language")
struct ServerTextTests {
    static let folder = "Resources/Locales/server"

    @Test("sentences with values: holes match the shortest text, values are translated too, {1}/{2} reorder them")
    func patterns() throws {
        let text = try ServerText.load(from: Self.folder)
        #expect(text.translate("must be at least 8 characters", to: .zhCN) == "至少需要 8 个字符")
        #expect(text.translate("the order is already cancelled", to: .zhCN) == "订单已是「已取消」状态", "the status inside is translated as well")
        #expect(text.translate("15% off ¥80.00 of covered goods", to: .zhCN) == "适用商品 ¥80.00，减 15%", "{2} and {1} swap the values")
        #expect(text.translate("Goods subtotal: ¥12.90", to: .zhCN) == "商品小计：¥12.90")
        // A coupon's line must not be read as one long "{} off {} of covered goods{}" sentence.
        #expect(text.translate("满99减15: -¥15.00 (¥15.00 off ¥234.10 of covered goods)", to: .zhCN) == "满99减15：-¥15.00（适用商品 ¥234.10，减 ¥15.00）")
        #expect(text.translate("Some items cannot be bought as they are: “牛奶 大份”: not enough stock within delivery reach; “茶 小份”: no longer on sale, this option is no longer sold. Fix the cart and try again.", to: .zhCN)
                == "部分商品当前无法购买：「牛奶 大份」：可配送库存不足；「茶 小份」：已下架，该规格已停售。请调整购物车后重试。")
        #expect(text.translate("Order 1 shipping: Delivery: flat fee ¥6.00; add ¥93.40 from this shop for free delivery", to: .zhCN)
                == "订单 1 运费：配送：固定运费 ¥6.00；再买本店 ¥93.40 即可免运费", "a sentence inside a sentence inside a sentence")
        #expect(text.translate("Delivery from 静安寺店 (store, 0.6 km): one store fills every line; 4 of 7 candidate(s) not eligible.", to: .zhCN)
                == "由 静安寺店（门店，0.6 km） 配送：一家门店即可备齐全部商品。")
        #expect(text.translate("must be at least 8 characters", to: .en) == "must be at least 8 characters")
        #expect(text.translate("a sentence nobody translated", to: .zhCN) == "a sentence nobody translated", "unknown text stays as written")
        #expect(ServerText.match("a b c", ["a ", " c"]) == ["b"])
        #expect(ServerText.match("x", ["a ", " c"]) == nil)
    }

    @Test("every catalog key is a sentence the server still writes, and no translation uses more values than its key has")
    func catalogInStep() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(Self.folder)/zh-CN.json"))
        let catalog = try JSONDecoder().decode([String: String].self, from: data)
        #expect(catalog.count > 300)
        var sources = ""
        for case let path as String in FileManager.default.enumerator(atPath: "Sources")! where path.hasSuffix(".swift") {
            sources += try String(contentsOfFile: "Sources/\(path)", encoding: .utf8)
        }
        // Codes the API sends, reason phrases from the HTTP library, and type names the decoding
        // errors put into "must be {}".
        let composed = Set(OrderStatus.allCases.map(\.rawValue)
            + ["Bad Request", "Not Found", "Conflict", "Unauthorized", "Forbidden", "Too Many Requests", "Service Unavailable",
               "Internal Server Error", "Unprocessable Content", "Payload Too Large"]
            + ["a string", "a whole number", "a number", "true or false", "an id", "a list", "an object"]
            // An allocation candidate's label: "\(name) (\(kind.rawValue), \(distance))"; lists joined with ", ".
            + ["{} (store, {})", "{} (warehouse, {})", "{}, {}", "{}; {}"])
        for (key, translation) in catalog {
            let holes = key.components(separatedBy: "{}").count - 1
            let numbered = (1...9).filter { translation.contains("{\($0)}") }
            #expect(numbered.allSatisfy { $0 <= holes }, "\(key)")
            #expect(translation.components(separatedBy: "{}").count - 1 <= holes, "\(key)")
            if composed.contains(key) { continue }
            let longest = key.components(separatedBy: "{}").max { $0.count < $1.count } ?? key
            #expect(sources.contains(longest), "no source writes \(key)")
        }
    }

    @Test("problem details follow the language cookie, a browser session's default, or Accept-Language; plain API calls stay English")
    func problemLanguage() async throws {
        try await withTestApp { app in
            let bad = #"{"mobile":"123","password":"x"}"#
            let english = try await app.send(.POST, "/api/v1/auth/register", raw: bad)
            #expect(english.problem?.detail == "Some fields are invalid.")
            #expect(english.problem?.errors?.contains { $0.message.hasPrefix("must be a mainland China mobile number") } == true)

            let chinese = try await app.send(.POST, "/api/v1/auth/register", raw: bad, headers: ["Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"])
            #expect(chinese.problem?.detail == "部分字段填写有误。")
            #expect(chinese.problem?.errors?.first { $0.field == "mobile" }?.message == "必须是中国大陆手机号（以 13–19 开头的 11 位数字）")
            #expect(chinese.problem?.errors?.first { $0.field == "password" }?.message == "至少需要 8 个字符")

            let cookieEnglish = try await app.send(.POST, "/api/v1/auth/register", raw: bad, headers: ["Accept-Language": "zh-CN", "Cookie": "lang=en"])
            #expect(cookieEnglish.problem?.detail == "Some fields are invalid.", "the shopper's own choice wins over the browser's header")
        }
    }
}
