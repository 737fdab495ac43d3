import Fluent
import Foundation
import MallCore
import Vapor

/// Realistic demo data: the self-operated brand with stores in Shanghai and Hangzhou, a
/// third-party fruit chain, staff for every built-in role and a few members. Running it twice
/// changes nothing.
struct DemoSeeder {
    let app: Application

    static let staffPassword = "Demo@2026"
    static let memberPassword = "Shop@2026"

    struct Account: Sendable {
        let kind: String
        let login: String
        let password: String
        let can: String
    }

    struct DemoStore {
        let code, name, province, city, district, address, phone: String
        let lat, lng: Double
        let kind: StoreKind
        let hours: [String: [String]]
        let radius: Double
        let capacity: Int
        let merchant: String
    }

    static let everyDay = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

    static func hours(_ period: String, weekend: String? = nil) -> [String: [String]] {
        Dictionary(uniqueKeysWithValues: everyDay.map { day in
            (day, [["sat", "sun"].contains(day) ? (weekend ?? period) : period])
        })
    }

    static let stores: [DemoStore] = [
        DemoStore(code: "SH-JA01", name: "链城超市 静安寺店", province: "上海市", city: "上海市", district: "静安区",
                  address: "南京西路1618号 久光百货B1", phone: "021-62881618", lat: 31.2235, lng: 121.4456, kind: .store,
                  hours: hours("08:00-22:00"), radius: 5, capacity: 800, merchant: "SELF"),
        DemoStore(code: "SH-XH02", name: "链城超市 徐家汇店", province: "上海市", city: "上海市", district: "徐汇区",
                  address: "虹桥路1号 港汇恒隆广场B2", phone: "021-64071188", lat: 31.1951, lng: 121.4375, kind: .store,
                  hours: hours("09:00-22:00", weekend: "09:00-23:00"), radius: 5, capacity: 600, merchant: "SELF"),
        DemoStore(code: "SH-LJZ03", name: "链城超市 陆家嘴店", province: "上海市", city: "上海市", district: "浦东新区",
                  address: "世纪大道8号 国金中心LG1", phone: "021-50128888", lat: 31.2368, lng: 121.5012, kind: .store,
                  hours: hours("07:00-02:00"), radius: 6, capacity: 1000, merchant: "SELF"),
        DemoStore(code: "SH-WH01", name: "链城 上海青浦仓", province: "上海市", city: "上海市", district: "青浦区",
                  address: "华新镇华腾路1288号", phone: "021-59791288", lat: 31.2440, lng: 121.2247, kind: .warehouse,
                  hours: hours("00:00-24:00"), radius: 60, capacity: 20000, merchant: "SELF"),
        DemoStore(code: "HZ-WL01", name: "链城超市 武林店", province: "浙江省", city: "杭州市", district: "拱墅区",
                  address: "延安路530号 杭州大厦C座B1", phone: "0571-85158888", lat: 30.2741, lng: 120.1632, kind: .store,
                  hours: hours("09:00-21:30"), radius: 5, capacity: 500, merchant: "SELF"),
        DemoStore(code: "HZ-XH02", name: "链城超市 西湖银泰店", province: "浙江省", city: "杭州市", district: "上城区",
                  address: "延安路98号 西湖银泰城B1", phone: "0571-87006666", lat: 30.2548, lng: 120.1637, kind: .store,
                  hours: hours("10:00-22:00"), radius: 4, capacity: 400, merchant: "SELF"),
        DemoStore(code: "HZ-BJ03", name: "链城超市 滨江星光店", province: "浙江省", city: "杭州市", district: "滨江区",
                  address: "江南大道228号 星光大道一期", phone: "0571-86696969", lat: 30.2085, lng: 120.2108, kind: .store,
                  hours: hours("08:30-22:00"), radius: 5, capacity: 450, merchant: "SELF"),
        DemoStore(code: "XF-SH01", name: "鲜丰果园 人民广场店", province: "上海市", city: "上海市", district: "黄浦区",
                  address: "西藏中路268号 来福士广场B1", phone: "021-63403600", lat: 31.2326, lng: 121.4752, kind: .store,
                  hours: hours("09:00-23:00"), radius: 3, capacity: 300, merchant: "XFRUIT"),
        DemoStore(code: "XF-HZ01", name: "鲜丰果园 湖滨店", province: "浙江省", city: "杭州市", district: "上城区",
                  address: "东坡路7号 湖滨银泰in77 A区", phone: "0571-87020707", lat: 30.2590, lng: 120.1655, kind: .store,
                  hours: hours("09:00-22:30"), radius: 3, capacity: 300, merchant: "XFRUIT"),
    ]

    /// Seeds everything and returns the accounts to print. Existing rows are left alone.
    func run() async throws -> [Account] {
        let db = app.db
        let fruit: MerchantModel
        if let existing = try await MerchantModel.find(code: "XFRUIT", on: db) {
            fruit = existing
        } else {
            fruit = MerchantModel(code: "XFRUIT", name: "鲜丰果园 Xianfeng Fruit", kind: .thirdParty, status: .active,
                                  contactName: "王建国", contactPhone: "0571-88886666", contactEmail: "partner@xianfeng.example",
                                  commissionRateBasisPoints: 600)
            try await fruit.create(on: db)
        }
        let merchants = ["SELF": SelfOperatedMerchant.id.rawValue, "XFRUIT": fruit.id!]
        var storeIds: [String: UUID] = [:]
        for demo in Self.stores {
            if let existing = try await StoreModel.query(on: db).filter(\.$code == demo.code).first() {
                storeIds[demo.code] = existing.id
                continue
            }
            let store = StoreModel()
            store.merchantId = merchants[demo.merchant]!
            store.code = demo.code
            store.name = demo.name
            store.kind = demo.kind
            store.status = .open
            store.province = demo.province
            store.city = demo.city
            store.district = demo.district
            store.address = demo.address
            store.latitude = demo.lat
            store.longitude = demo.lng
            store.phone = demo.phone
            store.setOpeningHours(try WeeklyHours(parsing: demo.hours))
            store.deliveryRadiusKm = demo.radius
            store.pickupEnabled = demo.kind == .store
            store.dailyOrderCapacity = demo.capacity
            try await store.create(on: db)
            storeIds[demo.code] = store.id
        }

        let roles = Dictionary(uniqueKeysWithValues: try await RoleModel.query(on: db).all().map { ($0.code, $0) })
        struct DemoStaff {
            let username, name: String
            let role: BuiltinRole
            let scope: AccessScope
            let storeMerchant: UUID?
            let can: String
        }
        let self_ = SelfOperatedMerchant.id
        let staff: [DemoStaff] = [
            DemoStaff(username: "admin", name: "平台管理员 Admin", role: .platformAdmin, scope: .platform, storeMerchant: nil,
                      can: "everything, across the platform"),
            DemoStaff(username: "operator", name: "运营 陈静", role: .platformOperator, scope: .platform, storeMerchant: nil,
                      can: "run the mall: stores, merchants, catalog review, orders; not staff, roles or settings"),
            DemoStaff(username: "self.admin", name: "自营商家管理员 李明", role: .merchantAdmin, scope: .merchant(self_), storeMerchant: nil,
                      can: "manage the self-operated merchant's stores, staff, stock and orders"),
            DemoStaff(username: "fruit.admin", name: "鲜丰商家管理员 王建国", role: .merchantAdmin, scope: .merchant(MerchantID(fruit.id!)),
                      storeMerchant: nil, can: "manage Xianfeng Fruit's own stores and staff only"),
            DemoStaff(username: "ja.manager", name: "静安寺店店长 张伟", role: .storeManager, scope: .store(StoreID(storeIds["SH-JA01"]!)),
                      storeMerchant: self_.rawValue, can: "run store SH-JA01: hours, stock, orders, its staff view"),
            DemoStaff(username: "ja.clerk", name: "静安寺店店员 刘洋", role: .storeClerk, scope: .store(StoreID(storeIds["SH-JA01"]!)),
                      storeMerchant: self_.rawValue, can: "work store SH-JA01's stock and orders; read-only on the store"),
            DemoStaff(username: "xh.clerk", name: "徐家汇店店员 赵敏", role: .storeClerk, scope: .store(StoreID(storeIds["SH-XH02"]!)),
                      storeMerchant: self_.rawValue, can: "work store SH-XH02's stock and orders; nothing of other stores"),
            DemoStaff(username: "wl.manager", name: "武林店店长 周杰", role: .storeManager, scope: .store(StoreID(storeIds["HZ-WL01"]!)),
                      storeMerchant: self_.rawValue, can: "run store HZ-WL01 in Hangzhou"),
            DemoStaff(username: "service", name: "客服 孙丽", role: .customerService, scope: .platform, storeMerchant: nil,
                      can: "look up members, orders and stores; handle after-sales"),
        ]
        var accounts: [Account] = []
        for person in staff {
            accounts.append(Account(kind: "staff", login: person.username, password: Self.staffPassword, can: person.can))
            if try await StaffModel.find(username: person.username, on: db) != nil { continue }
            let hash = try await app.password.async.hash(Self.staffPassword)
            let model = StaffModel(username: person.username, passwordHash: hash, displayName: person.name, mobile: nil)
            try await model.create(on: db)
            try await StaffRoleGrantModel(staffId: model.id!, roleId: roles[person.role.rawValue]!.id!, scope: person.scope,
                                          storeMerchant: person.storeMerchant).create(on: db)
            if person.role == .storeManager, case .store(let storeId) = person.scope, let store = try await StoreModel.find(storeId.rawValue, on: db) {
                store.managerStaffId = model.id
                try await store.update(on: db)
            }
        }

        let members: [(String?, String?, String)] = [
            ("13800138000", nil, "小王"),
            ("13912345678", nil, "李女士"),
            (nil, "chen.jie@example.com", "陈杰"),
        ]
        for (mobile, email, nickname) in members {
            let login = try MemberLogin(parsing: mobile ?? email!)
            accounts.append(Account(kind: "member", login: mobile ?? email!, password: Self.memberPassword, can: "shop: profile, addresses"))
            if try await MemberModel.find(login: login, on: db) != nil { continue }
            let hash = try await app.password.async.hash(Self.memberPassword)
            let member = MemberModel(mobile: mobile, email: email, passwordHash: hash, nickname: nickname)
            try await member.create(on: db)
            let home = MemberAddressModel()
            home.memberId = member.id!
            home.contactName = nickname
            home.phone = mobile ?? "13700001111"
            home.province = "上海市"
            home.city = "上海市"
            home.district = "静安区"
            home.detail = "愚园路168号 3号楼1201室"
            home.latitude = 31.2220
            home.longitude = 121.4390
            home.isDefault = true
            try await home.create(on: db)
        }
        try await DemoCatalog(app: app).run()
        // Member levels, and members spread over them with a year of orders and points.
        accounts += try await DemoMembership(app: app).run()
        try await DemoReviews(app: app).run()
        try await DemoPointsMall(app: app).run()
        try await DemoPromotions(app: app).run()
        try await DemoCoupons(app: app).run()
        try await DemoFlashSales(app: app).run()
        try await DemoGroupBuys(app: app).run()
        // A second third-party merchant in the same shopping centre, and a month of settlement.
        accounts += try await DemoSettlement(app: app).run()
        // A merchant application (招商入驻) with its papers, waiting in the review queue.
        try await DemoMerchantApplications(app: app).run()
        // Browsing history, then the recommendation neighbours and tags from it and the orders above.
        try await DemoRecommendations(app: app).run()
        // Members' RFM groups over the orders above, so the segments page has them on first start.
        _ = try await SegmentService(app: app, db: app.db).recompute(now: app.clock.now())
        return accounts
    }

    static func describe(_ accounts: [Account], baseURL: String) -> String {
        var lines = ["", "ChainMall demo data is ready at \(baseURL)", "", "Staff (POST /api/v1/admin/auth/login):"]
        for account in accounts where account.kind == "staff" {
            lines.append("  \(account.login.padding(toLength: 12, withPad: " ", startingAt: 0)) \(account.password)  — \(account.can)")
        }
        lines.append("Members (POST /api/v1/auth/login):")
        for account in accounts where account.kind == "member" {
            lines.append("  \(account.login.padding(toLength: 22, withPad: " ", startingAt: 0)) \(account.password)")
        }
        lines.append("")
        return lines.joined(separator: "\n")
    }
}

/// Loads the demo data and returns the text listing the demo accounts.
public func loadDemoData(_ app: Application) async throws -> String {
    let accounts = try await DemoSeeder(app: app).run()
    let server = app.http.server.configuration
    return DemoSeeder.describe(accounts, baseURL: "http://\(server.hostname):\(server.port)")
}
