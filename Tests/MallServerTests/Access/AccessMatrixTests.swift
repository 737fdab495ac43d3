import Fluent
import Foundation
import MallAPI
import MallCore
import Testing
import Vapor
@testable import MallServer

/// Every built-in role at a realistic scope against every staff endpoint, on stores of its own,
/// of a sibling store and of another merchant. Expectations are written out by hand from the
/// role definitions, not computed by the code under test.
@Suite("Access control matrix")
struct AccessMatrixTests {
    enum Who: String, CaseIterable, CustomTestStringConvertible {
        case admin, operatorStaff, selfAdmin, otherAdmin, managerA, clerkA, clerkB, service
        var testDescription: String { rawValue }
    }

    enum Call: String, CaseIterable {
        case showA, editA, statusA, showB, editB, showC, editC, createSelfStore, createOtherStore
        case showSelfMerchant, editOtherMerchant, createMerchant, readSettings, writeSettings
        case readAudit, listStaff, createClerkAtA, createRole, listJobs
        case listBackups, readInbox, showSelfPrices, editTemplate
        case listSettlements, readOtherFeeRules, addOtherFeeRule, runSettlement, issueOtherStatement
        case listApplications, readSalesReport, readStoreBSalesReport
    }

    /// The calls each principal may make; every other call must be a 403.
    static let allowed: [Who: Set<Call>] = [
        .admin: Set(Call.allCases),
        .operatorStaff: Set(Call.allCases).subtracting([.writeSettings, .createClerkAtA, .createRole, .listJobs, .listBackups]),
        .selfAdmin: [.showA, .editA, .statusA, .showB, .editB, .createSelfStore, .showSelfMerchant, .readAudit, .listStaff, .createClerkAtA, .readInbox,
                     .showSelfPrices, .listSettlements, .readSalesReport, .readStoreBSalesReport],
        .otherAdmin: [.showC, .editC, .createOtherStore, .readAudit, .listStaff, .readInbox, .listSettlements, .readOtherFeeRules, .readSalesReport],
        .managerA: [.showA, .editA, .statusA, .readAudit, .listStaff, .readInbox, .readSalesReport],
        .clerkA: [.showA, .readInbox],
        .clerkB: [.showB, .readInbox],
        .service: [.showA, .showB, .showC, .showSelfMerchant, .readInbox, .showSelfPrices],
    ]

    /// Which stores each principal sees in the store list.
    static let visibleStores: [Who: Set<String>] = [
        .admin: ["SA", "SB", "SC"], .operatorStaff: ["SA", "SB", "SC"], .service: ["SA", "SB", "SC"],
        .selfAdmin: ["SA", "SB"], .otherAdmin: ["SC"], .managerA: ["SA"], .clerkA: ["SA"], .clerkB: ["SB"],
    ]

    @Test("role × scope × endpoint", arguments: Who.allCases)
    func matrix(who: Who) async throws {
        try await withTestApp { app in
            let other = try await Fixtures.merchant(app, code: "OTHER")
            let storeA = try await Fixtures.store(app, code: "SA")
            let storeB = try await Fixtures.store(app, code: "SB")
            let storeC = try await Fixtures.store(app, code: "SC", merchant: other.id!)
            let selfId = SelfOperatedMerchant.id
            let scope: AccessScope
            let role: BuiltinRole
            switch who {
            case .admin: (role, scope) = (.platformAdmin, .platform)
            case .operatorStaff: (role, scope) = (.platformOperator, .platform)
            case .selfAdmin: (role, scope) = (.merchantAdmin, .merchant(selfId))
            case .otherAdmin: (role, scope) = (.merchantAdmin, .merchant(MerchantID(other.id!)))
            case .managerA: (role, scope) = (.storeManager, .store(storeA.storeID))
            case .clerkA: (role, scope) = (.storeClerk, .store(storeA.storeID))
            case .clerkB: (role, scope) = (.storeClerk, .store(storeB.storeID))
            case .service: (role, scope) = (.customerService, .platform)
            }
            let (_, token) = try await Fixtures.staff(app, "who", role: role, scope: scope)
            let clerkRole = try await RoleModel.find(code: BuiltinRole.storeClerk.rawValue, on: app.db)!
            let selfSKU = try await Fixtures.sku(app, code: "SELF-1")
            let template = SpecTemplateModel()
            template.name = "服装"
            template.specsJSON = #"[{"name":"颜色","values":["红"]}]"#
            try await template.create(on: app.db)

            var writesAllowed = 0
            for call in Call.allCases {
                let response: APIResponse
                switch call {
                case .showA: response = try await app.send(.GET, "/api/v1/admin/stores/\(storeA.id!)", token: token)
                case .editA: response = try await app.send(.PATCH, "/api/v1/admin/stores/\(storeA.id!)", token: token, json: StoreUpdate(name: "renamed A"))
                case .statusA: response = try await app.send(.POST, "/api/v1/admin/stores/\(storeA.id!)/status", token: token, json: StatusChange(status: StoreStatus.closed))
                case .showB: response = try await app.send(.GET, "/api/v1/admin/stores/\(storeB.id!)", token: token)
                case .editB: response = try await app.send(.PATCH, "/api/v1/admin/stores/\(storeB.id!)", token: token, json: StoreUpdate(name: "renamed B"))
                case .showC: response = try await app.send(.GET, "/api/v1/admin/stores/\(storeC.id!)", token: token)
                case .editC: response = try await app.send(.PATCH, "/api/v1/admin/stores/\(storeC.id!)", token: token, json: StoreUpdate(name: "renamed C"))
                case .createSelfStore: response = try await app.send(.POST, "/api/v1/admin/stores", token: token, json: Fixtures.storeInput(code: "NEW-SELF"))
                case .createOtherStore: response = try await app.send(.POST, "/api/v1/admin/stores", token: token, json: Fixtures.storeInput(code: "NEW-OTHER", merchant: other.id!))
                case .showSelfMerchant: response = try await app.send(.GET, "/api/v1/admin/merchants/\(selfId.rawValue)", token: token)
                case .editOtherMerchant: response = try await app.send(.PATCH, "/api/v1/admin/merchants/\(other.id!)", token: token, json: MerchantUpdate(name: "renamed merchant"))
                case .createMerchant: response = try await app.send(.POST, "/api/v1/admin/merchants", token: token,
                                                                    json: MerchantInput(code: "NEWM", name: "新商家", contactName: "李", contactPhone: "021-12345678"))
                case .readSettings: response = try await app.send(.GET, "/api/v1/admin/settings", token: token)
                case .writeSettings: response = try await app.send(.PATCH, "/api/v1/admin/settings", token: token, json: SettingsUpdate(values: ["shop.name": .string("鲜生活")]))
                case .readAudit: response = try await app.send(.GET, "/api/v1/admin/audit-logs", token: token)
                case .listStaff: response = try await app.send(.GET, "/api/v1/admin/staff", token: token)
                case .createClerkAtA: response = try await app.send(.POST, "/api/v1/admin/staff", token: token,
                                                                    json: StaffCreate(username: "new.clerk", password: "Clerk1234", displayName: "新店员",
                                                                                      grants: [GrantInput(roleId: clerkRole.id!, scope: .store, storeId: storeA.id!)]))
                case .createRole: response = try await app.send(.POST, "/api/v1/admin/roles", token: token,
                                                                json: RoleInput(code: "auditor", name: "Auditor", permissions: ["audit.view"]))
                case .listJobs: response = try await app.send(.GET, "/api/v1/admin/jobs", token: token)
                case .listBackups: response = try await app.send(.GET, "/api/v1/admin/backups", token: token)
                case .readInbox: response = try await app.send(.GET, "/api/v1/admin/notifications/unread-count", token: token)
                case .showSelfPrices: response = try await app.send(.GET, "/api/v1/admin/skus/\(selfSKU.id!)/prices", token: token)
                case .editTemplate: response = try await app.send(.PUT, "/api/v1/admin/spec-templates/\(template.id!)", token: token,
                                                                  json: SpecTemplateInput(name: "上衣", specs: [SpecDefinition(name: "颜色", values: ["黑"])]))
                case .listSettlements: response = try await app.send(.GET, "/api/v1/admin/settlements", token: token)
                case .readOtherFeeRules: response = try await app.send(.GET, "/api/v1/admin/merchants/\(other.id!)/fee-rules", token: token)
                case .addOtherFeeRule: response = try await app.send(.POST, "/api/v1/admin/merchants/\(other.id!)/fee-rules", token: token,
                                                                     json: FeeRuleInput(rateBasisPoints: 600))
                case .runSettlement: response = try await app.send(.POST, "/api/v1/admin/settlements/runs", token: token)
                case .issueOtherStatement: response = try await app.send(.POST, "/api/v1/admin/settlements/issue", token: token,
                                                                         json: IssueStatementInput(merchantId: other.id!))
                case .listApplications: response = try await app.send(.GET, "/api/v1/admin/merchant-applications", token: token)
                case .readSalesReport: response = try await app.send(.GET, "/api/v1/admin/reports/sales", token: token)
                case .readStoreBSalesReport: response = try await app.send(.GET, "/api/v1/admin/reports/sales?storeId=\(storeB.id!)", token: token)
                }
                let expected = Self.allowed[who]!.contains(call)
                if expected, call == .issueOtherStatement {
                    // Allowed, and refused for what it finds: the other merchant has sold nothing yet.
                    #expect(response.status == .conflict && response.problem?.detail?.hasPrefix("Nothing is booked") == true, "\(who): \(response.text)")
                } else if expected {
                    #expect((200..<300).contains(Int(response.status.code)), "\(who) \(call) should be allowed: \(response.text)")
                    if !call.rawValue.hasPrefix("show") && !call.rawValue.hasPrefix("read") && !call.rawValue.hasPrefix("list") { writesAllowed += 1 }
                } else {
                    #expect(response.status == .forbidden, "\(who) \(call) should be forbidden, got \(response.status): \(response.text)")
                    #expect(response.problem?.status == 403)
                }
            }

            // Denied edits changed nothing; allowed ones each left one audit row.
            for (store, call) in [(storeA, Call.editA), (storeB, .editB), (storeC, .editC)] {
                let name = try await StoreModel.find(store.id!, on: app.db)!.name
                #expect((name == "renamed \(store.code.suffix(1))") == Self.allowed[who]!.contains(call), "\(who) \(call) left name \(name)")
            }
            #expect(try await AuditLogModel.query(on: app.db).count() == writesAllowed)

            let list = try await app.send(.GET, "/api/v1/admin/stores", token: token)
            let codes = Set(try list.decode(ListPage<Store>.self).items.map(\.code)).subtracting(["NEW-SELF", "NEW-OTHER"])
            #expect(codes == Self.visibleStores[who]!, "\(who) sees \(codes)")
        }
    }

    @Test("merchant staff see only their own audit rows")
    func scopedAudit() async throws {
        try await withTestApp { app in
            let other = try await Fixtures.merchant(app, code: "OTHER")
            let storeA = try await Fixtures.store(app, code: "SA")
            let storeC = try await Fixtures.store(app, code: "SC", merchant: other.id!)
            let (_, admin) = try await Fixtures.staff(app, "root", role: .platformAdmin, scope: .platform)
            _ = try await app.send(.PATCH, "/api/v1/admin/stores/\(storeA.id!)", token: admin, json: StoreUpdate(phone: "021-11112222"))
            _ = try await app.send(.PATCH, "/api/v1/admin/stores/\(storeC.id!)", token: admin, json: StoreUpdate(phone: "021-33334444"))
            _ = try await app.send(.PATCH, "/api/v1/admin/settings", token: admin, json: SettingsUpdate(values: ["shop.name": .string("X")]))
            let (_, otherAdmin) = try await Fixtures.staff(app, "other.admin", role: .merchantAdmin, scope: .merchant(MerchantID(other.id!)))
            let rows = try await app.send(.GET, "/api/v1/admin/audit-logs", token: otherAdmin).decode(ListPage<AuditEntry>.self)
            #expect(rows.items.map(\.targetId) == [storeC.id!.uuidString])
            let all = try await app.send(.GET, "/api/v1/admin/audit-logs", token: admin).decode(ListPage<AuditEntry>.self)
            #expect(all.total == 3)
        }
    }

    @Test("staff cannot grant roles beyond their own reach")
    func noEscalation() async throws {
        try await withTestApp { app in
            let storeA = try await Fixtures.store(app, code: "SA")
            let other = try await Fixtures.merchant(app, code: "OTHER")
            let storeC = try await Fixtures.store(app, code: "SC", merchant: other.id!)
            let (_, selfAdmin) = try await Fixtures.staff(app, "self.admin", role: .merchantAdmin, scope: .merchant(SelfOperatedMerchant.id))
            let roles = Dictionary(uniqueKeysWithValues: try await RoleModel.query(on: app.db).all().map { ($0.code, $0.id!) })
            func create(_ username: String, _ grant: GrantInput) async throws -> APIResponse {
                try await app.send(.POST, "/api/v1/admin/staff", token: selfAdmin,
                                   json: StaffCreate(username: username, password: "Staff1234", displayName: username, grants: [grant]))
            }
            #expect(try await create("xx1", GrantInput(roleId: roles["store_clerk"]!, scope: .store, storeId: storeC.id!)).status == .forbidden)
            #expect(try await create("xx2", GrantInput(roleId: roles["platform_admin"]!, scope: .platform)).status == .forbidden)
            let wrongScope = try await create("xx3", GrantInput(roleId: roles["store_clerk"]!, scope: .merchant, merchantId: SelfOperatedMerchant.id.rawValue))
            #expect(wrongScope.status == .unprocessableEntity)
            #expect(wrongScope.problem?.errors?.first?.field == "scope")
            let ok = try await create("xx4", GrantInput(roleId: roles["store_manager"]!, scope: .store, storeId: storeA.id!))
            #expect(ok.status == .created)
            let created = try ok.decode(StaffMember.self)
            #expect(created.grants.map(\.roleCode) == ["store_manager"])
            #expect(created.grants.first?.storeId == storeA.id)
            #expect(try await StaffModel.query(on: app.db).filter(\.$username ~~ ["xx1", "xx2", "xx3"]).count() == 0)

            // The new manager can sign in and sees exactly their store.
            let login = try await app.send(.POST, "/api/v1/admin/auth/login", json: LoginRequest(login: "xx4", password: "Staff1234"))
            let session = try login.decode(StaffSession.self)
            #expect(session.permissions.contains(.storeManage))
            #expect(!session.permissions.contains(.staffManage))
        }
    }
}
