import Fluent
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
        let selfOperated = MerchantModel(
            id: SelfOperatedMerchant.id.rawValue, code: SelfOperatedMerchant.code, name: "自营 Self-operated",
            kind: .selfOperated, status: .active, contactName: "Headquarters", contactPhone: "400-820-8820",
            contactEmail: nil, commissionRateBasisPoints: 0
        )
        try await selfOperated.create(on: database)
    }

    func revert(on database: any Database) async throws {
        try await database.schema("merchants").delete()
    }
}
