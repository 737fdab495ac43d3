import Foundation
import MallAPI
import Testing
import Vapor
@testable import MallServer

@Suite("Group buying on the storefront: the list of running activities")
struct GroupBuyPageTests {
    @Test("/group-buys lists the running activities (group against regular price, group size, groups open) linking to each, in both languages; the home page and member centre link to it")
    func listPage() async throws {
        try await withTestApp { app in
            let deal = try await GroupBuyTests.deal(app, size: 2)
            let later = try await app.send(.POST, "/api/v1/admin/marketing/group-buys", token: deal.admin, json: GroupBuyActivityInput(
                title: "明日三人团", skuId: deal.shop.milk.id!, storeId: deal.shop.near.id!, groupPriceFen: 880, groupSize: 3, timeLimitMinutes: 60,
                startsAt: testEpoch.addingTimeInterval(86_400), endsAt: testEpoch.addingTimeInterval(172_800))).decode(GroupBuyActivity.self)
            let opener = try await FlashSaleTests.quickMember(app, 1)
            #expect(try await GroupBuyTests.open(app, deal, token: opener.token).status == .created)

            let chinese = try await app.send(.GET, "/group-buys", headers: ["Cookie": "lang=zh-CN"])
            #expect(chinese.status == .ok)
            #expect(chinese.text.contains(#"<a href="/group-buys/\#(deal.activity.id)">"#), "\(chinese.text)")
            #expect(chinese.text.contains(#"<span class="product-title">牛奶两人团</span>"#))
            #expect(chinese.text.contains(#"拼团价 ¥9.90 <del class="muted">¥12.50</del>"#))
            #expect(chinese.text.contains("2 人成团 · 1 个团等你加入"))
            #expect(!chinese.text.contains(later.title), "an activity that has not started is not listed")
            let english = try await app.send(.GET, "/group-buys", headers: ["Cookie": "lang=en"])
            #expect(english.text.contains(#"Group price ¥9.90 <del class="muted">¥12.50</del>"#) && english.text.contains("2 people per group · 1 groups waiting"),
                    "\(english.text)")

            let home = try await app.send(.GET, "/", headers: ["Cookie": "lang=zh-CN"])
            #expect(home.text.contains(#"<a class="btn" href="/group-buys">拼团</a>"#), "\(home.text)")
            let browser = TestBrowser(app)
            _ = try await Fixtures.member(app)
            #expect(try await browser.signInMember().status == .seeOther)
            let member = try await browser.get("/member")
            #expect(member.status == .ok && member.text.contains(#"<a href="/group-buys">拼团</a>"#), "\(member.text)")

            _ = try await app.send(.POST, "/api/v1/admin/marketing/group-buys/\(deal.activity.id)/end", token: deal.admin)
            let empty = try await app.send(.GET, "/group-buys", headers: ["Cookie": "lang=zh-CN"])
            #expect(empty.text.contains("暂时没有进行中的拼团") && !empty.text.contains("牛奶两人团"), "\(empty.text)")
        }
    }
}
