import Foundation
import MallCore
import Testing

@Suite("Kuaidi100 subscriptions")
struct Kuaidi100SubscriptionTests {
    @Test("param is the documented JSON: company, number, key, and parameters with callbackurl, salt, resultv2=1 and the phone")
    func param() throws {
        let subscription = Kuaidi100Subscription(company: "shunfeng", number: "SF1234567890", key: "AbC123",
                                                 callbackURL: "https://mall.example.com/api/v1/logistics/kuaidi100/push", salt: "salt-2026", phone: "13800138000")
        let text = try subscription.param()
        #expect(text == #"{"company":"shunfeng","key":"AbC123","number":"SF1234567890","parameters":{"callbackurl":"https://mall.example.com/api/v1/logistics/kuaidi100/push","phone":"13800138000","resultv2":"1","salt":"salt-2026"}}"#)
        let withoutPhone = Kuaidi100Subscription(company: "zhongtong", number: "ZT1", key: "k", callbackURL: "https://x/api/v1/logistics/kuaidi100/push", salt: "s")
        #expect(try !withoutPhone.param().contains("phone"), "no phone: the field is left out, not sent empty")
    }

    @Test("what each documented return code means", arguments: [
        (#"{"result":true,"returnCode":"200","message":"提交成功"}"#, Kuaidi100SubscriptionAnswer.Outcome.subscribed),
        (#"{"result":"true","returnCode":"200","message":"提交成功"}"#, .subscribed),
        (#"{"result":false,"returnCode":"501","message":"重复订阅"}"#, .subscribed),
        (#"{"result":false,"returnCode":500,"message":"服务器错误"}"#, .retry("500 服务器错误")),
        (#"{"result":false,"returnCode":"600","message":"您不是合法的订阅者"}"#, .refused("600 您不是合法的订阅者")),
        (#"{"result":false,"returnCode":"601","message":"POLL:KEY已过期"}"#, .refused("601 POLL:KEY已过期")),
        (#"{"result":false,"returnCode":"700","message":"订阅方的订阅数据存在错误"}"#, .refused("700 订阅方的订阅数据存在错误")),
        (#"{"result":false,"returnCode":"701","message":"拒绝订阅的快递公司"}"#, .refused("701 拒绝订阅的快递公司")),
        (#"{"result":false,"returnCode":"702","message":"识别不到该单号对应的快递公司"}"#, .refused("702 识别不到该单号对应的快递公司")),
        (#"{"result":false,"returnCode":"999","message":"新的错误"}"#, .retry("999 新的错误")),
    ] as [(String, Kuaidi100SubscriptionAnswer.Outcome)])
    func outcomes(json: String, expected: Kuaidi100SubscriptionAnswer.Outcome) throws {
        #expect(try Kuaidi100SubscriptionAnswer(json: Data(json.utf8)).outcome == expected)
    }

    @Test("an answer without a return code is not an answer", arguments: ["", "<html>502 Bad Gateway</html>", #"{"result":true}"#, "[]"])
    func unreadable(body: String) {
        #expect(throws: (any Error).self) { try Kuaidi100SubscriptionAnswer(json: Data(body.utf8)) }
    }
}
