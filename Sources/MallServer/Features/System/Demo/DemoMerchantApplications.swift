import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

/// One application waiting in the review queue, with its three required papers (plain
/// placeholder images), so a reviewer can take it, look at it and approve it straight away.
/// Seeding again finds it by its credit code and changes nothing.
struct DemoMerchantApplications {
    let app: Application

    static let creditCode = "91330106MA2H7K3Q0L"

    func run() async throws {
        let db = app.db
        guard try await MerchantApplicationModel.query(on: db).filter(\.$creditCode == Self.creditCode).count() == 0 else { return }
        var category = try await CategoryModel.query(on: db).filter(\.$name == "水果").first()
        if category == nil { category = try await CategoryModel.query(on: db).sort(\.$sortOrder).first() }
        guard let category else { return }
        let service = MerchantApplicationService(app: app, db: db)
        let (application, _) = try await service.submit(MerchantApplicationInput(
            companyName: "杭州茶香里茶叶有限公司", creditCode: Self.creditCode, legalRepresentative: "沈明远", contactName: "沈经理",
            contactPhone: "13757100001", contactEmail: "shen@chaxiangli.example", categoryId: try category.requireID(), brandName: "茶香里",
            description: "西湖龙井核心产区自有茶园，明前、雨前新茶。",
            bankAccount: BankAccount(accountName: "杭州茶香里茶叶有限公司", bankName: "中国工商银行", branchName: "杭州西湖支行",
                                     accountNumber: "1202021109900123456"),
            stores: [ApplicationStoreInput(name: "茶香里 龙井路店", province: "浙江省", city: "杭州市", district: "西湖区",
                                           address: "龙井路1号", latitude: 30.2335, longitude: 120.1250, phone: "0571-87960001")]))
        for (kind, seed) in [(ApplicationDocumentKind.businessLicence, "licence"), (.idCardFront, "id-front"), (.idCardBack, "id-back")] {
            let bytes = PlaceholderImage.png(width: 320, height: 200, color: .from(seed: seed))
            _ = try await service.attach(bytes, kind: kind, to: application, storage: app.fileStorage)
        }
    }
}
