import Fluent
import Foundation
import SQLKit
import MallCore

struct CreateMerchants: AsyncMigration {
    var name: String { "001_CreateMerchants" }

    func prepare(on database: any Database) async throws {
        try await database.schema("merchants")
            .id()
            .field("code", .string, .required)
            .field("name", .string, .required)
            .field("kind", .string, .required)
            .field("status", .string, .required)
            .field("contact_name", .string, .required)
            .field("contact_phone", .string, .required)
            .field("contact_email", .string)
            .field("commission_rate_bp", .int, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "code")
            .create()
        // The platform's own brand exists before anyone signs in, with a fixed id code can name.
        // Written column by column rather than through MerchantModel, whose later columns do not
        // exist yet when this runs.
        try await (database as! any SQLDatabase).insert(into: "merchants")
            .columns("id", "code", "name", "kind", "status", "contact_name", "contact_phone", "contact_email", "commission_rate_bp", "created_at", "updated_at")
            .values(SQLBind(SelfOperatedMerchant.id.rawValue), SQLBind(SelfOperatedMerchant.code), SQLBind("自营 Self-operated"),
                    SQLBind(MerchantKind.selfOperated.rawValue), SQLBind(MerchantStatus.active.rawValue), SQLBind("Headquarters"),
                    SQLBind("400-820-8820"), SQLLiteral.null, SQLBind(0), SQLBind(Date()), SQLBind(Date()))
            .run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("merchants").delete()
    }
}
