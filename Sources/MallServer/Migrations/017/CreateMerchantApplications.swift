import Fluent
import SQLKit

/// Merchant onboarding: applications with their private documents, the merchant's credit code,
/// deposit and public shop face (logo, description, followers), and the flag that makes a staff account created for someone else change its
/// password at the first sign-in.
struct CreateMerchantApplications: AsyncMigration {
    var name: String { "017_CreateMerchantApplications" }

    func prepare(on database: any Database) async throws {
        try await database.schema("merchant_applications")
            .id()
            .field("status", .string, .required)
            .field("reason", .string)
            // SHA-256 of the follow-up token the applicant holds; the token itself is never stored.
            .field("token_hash", .string, .required)
            .field("company_name", .string, .required)
            .field("credit_code", .string, .required)
            .field("legal_representative", .string, .required)
            .field("contact_name", .string, .required)
            .field("contact_phone", .string, .required)
            .field("contact_email", .string)
            .field("category_id", .uuid, .required, .references("categories", "id"))
            .field("brand_name", .string)
            .field("description", .string)
            .field("bank_account_name", .string, .required)
            .field("bank_name", .string, .required)
            .field("bank_branch", .string, .required)
            .field("bank_account_number", .string, .required)
            // The intended stores as JSON (`[ApplicationStoreInput]`); they become rows on approval.
            .field("stores", .string, .required)
            .field("reviewer_staff_id", .uuid, .references("staff", "id"))
            .field("merchant_id", .uuid, .references("merchants", "id"))
            .field("decided_at", .datetime)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        try await database.index("merchant_applications_queue", on: "merchant_applications", columns: ["status", "created_at"])
        try await database.index("merchant_applications_credit_code", on: "merchant_applications", columns: ["credit_code"])

        try await database.schema("merchant_application_documents")
            .id()
            .field("application_id", .uuid, .required, .references("merchant_applications", "id"))
            .field("kind", .string, .required)
            .field("file_key", .string, .required)
            .field("sha256", .string, .required)
            .field("content_type", .string, .required)
            .field("byte_count", .int, .required)
            .field("created_at", .datetime, .required)
            // One file per kind: a second upload replaces the first.
            .unique(on: "application_id", "kind")
            .create()

        try await database.schema("merchant_follows")
            .id()
            .field("merchant_id", .uuid, .required, .references("merchants", "id"))
            .field("member_id", .uuid, .required, .references("members", "id"))
            .field("created_at", .datetime, .required)
            // Following twice is following once.
            .unique(on: "merchant_id", "member_id")
            .create()
        try await database.index("merchant_follows_member", on: "merchant_follows", columns: ["member_id", "created_at"])

        try await database.schema("merchants").field("credit_code", .string).update()
        try await database.schema("merchants").field("description", .string).update()
        try await database.schema("merchants").field("logo_url", .string).update()
        try await database.schema("merchants").field("deposit_fen", .int64, .required, .sql(.default(0))).update()
        try await database.schema("staff").field("must_change_password", .bool, .required, .sql(.default(false))).update()
        // Set on every product of a merchant while it is suspended or closed: the products leave
        // the storefront without losing their own shelf state, which comes back on reinstatement.
        try await database.schema("products").field("merchant_suspended_at", .datetime).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("products").deleteField("merchant_suspended_at").update()
        try await database.schema("staff").deleteField("must_change_password").update()
        try await database.schema("merchants").deleteField("deposit_fen").update()
        try await database.schema("merchants").deleteField("logo_url").update()
        try await database.schema("merchants").deleteField("description").update()
        try await database.schema("merchants").deleteField("credit_code").update()
        try await database.schema("merchant_follows").delete()
        try await database.schema("merchant_application_documents").delete()
        try await database.schema("merchant_applications").delete()
    }
}
