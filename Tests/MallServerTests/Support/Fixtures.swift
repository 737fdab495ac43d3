import Fluent
import Foundation
import MallAPI
import MallCore
import Testing
import Vapor
@testable import MallServer

/// Builders for the rows tests need, written straight to the database so each test states only
/// what it is about.
enum Fixtures {
    static let password = "Passw0rd!"

    static func store(_ app: Application, code: String, merchant: UUID = SelfOperatedMerchant.id.rawValue,
                      latitude: Double = 31.2235, longitude: Double = 121.4456, kind: StoreKind = .store,
                      status: StoreStatus = .open, hours: [String: [String]] = everyDay("08:00-22:00"),
                      radiusKm: Double = 5) async throws -> StoreModel {
        let store = StoreModel()
        store.merchantId = merchant
        store.code = code
        store.name = "Store \(code)"
        store.kind = kind
        store.status = status
        store.province = "上海市"
        store.city = "上海市"
        store.district = "静安区"
        store.address = "南京西路 \(code) 号"
        store.latitude = latitude
        store.longitude = longitude
        store.phone = "021-62881618"
        store.setOpeningHours(try WeeklyHours(parsing: hours))
        store.deliveryRadiusKm = radiusKm
        store.pickupEnabled = kind == .store
        store.dailyOrderCapacity = 500
        try await store.create(on: app.db)
        return store
    }

    static func everyDay(_ period: String) -> [String: [String]] {
        Dictionary(uniqueKeysWithValues: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map { ($0, [period]) })
    }

    static func merchant(_ app: Application, code: String) async throws -> MerchantModel {
        let merchant = MerchantModel(code: code, name: "Merchant \(code)", kind: .thirdParty, status: .active, contactName: "王",
                                     contactPhone: "0571-88886666", contactEmail: nil, commissionRateBasisPoints: 500)
        try await merchant.create(on: app.db)
        return merchant
    }

    /// Creates a staff member holding one role at one scope and signs them in.
    @discardableResult
    static func staff(_ app: Application, _ username: String, role: BuiltinRole, scope: AccessScope) async throws -> (StaffModel, String) {
        let staff = StaffModel(username: username, passwordHash: try await app.password.async.hash(password), displayName: username, mobile: nil)
        try await staff.create(on: app.db)
        let roleModel = try await RoleModel.find(code: role.rawValue, on: app.db)!
        var storeMerchant: UUID?
        if case .store(let storeId) = scope { storeMerchant = try await StoreModel.find(storeId.rawValue, on: app.db)!.merchantId }
        try await StaffRoleGrantModel(staffId: staff.id!, roleId: roleModel.id!, scope: scope, storeMerchant: storeMerchant).create(on: app.db)
        let session = try await app.send(.POST, "/api/v1/admin/auth/login", json: LoginRequest(login: username, password: password))
        #expect(session.status == .ok, "staff login for \(username): \(session.text)")
        return (staff, try session.decode(StaffSession.self).tokens.accessToken)
    }

    static func member(_ app: Application, mobile: String = "13800138000", password: String = password) async throws -> MemberSession {
        let response = try await app.send(.POST, "/api/v1/auth/register", json: MemberRegistration(mobile: mobile, password: password))
        #expect(response.status == .created, "register: \(response.text)")
        return try response.decode(MemberSession.self)
    }

    static func storeInput(code: String, merchant: UUID = SelfOperatedMerchant.id.rawValue) -> StoreInput {
        StoreInput(code: code, name: "链城超市 \(code)", merchantId: merchant, kind: .store, province: "上海市", city: "上海市",
                   district: "黄浦区", address: "西藏中路268号", latitude: 31.2326, longitude: 121.4752, phone: "021-63403600",
                   openingHours: everyDay("09:00-22:00"), deliveryRadiusKm: 3, pickupEnabled: true, dailyOrderCapacity: 300)
    }
}
