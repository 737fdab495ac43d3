import Foundation
import MallAPI
import MallCore
import Vapor

/// The storefront's application form (商家入驻) and the applicant's follow-up page. Both are
/// shells: `/js/merchant-apply.js` sends the form to the public API, uploads the papers with the
/// follow-up token, and on the follow-up page reads the application with the token it kept (from
/// the address's fragment, which never reaches a server, or this browser's storage).
struct MerchantApplicationPagesRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("merchant-apply", use: form)
        routes.get("merchant-apply", ":applicationId", use: followUp)
    }

    struct Field: Encodable, Sendable {
        let name: String
        let id: String
        let label: String
        let type: String
        let required: Bool
        let maxlength: Int
        let hint: String?
    }

    struct Section: Encodable, Sendable {
        let title: String
        let fields: [Field]
        /// The category of business sits with the company's fields.
        var withCategory = false
    }

    struct Option: Encodable, Sendable {
        let value: String
        let label: String
    }

    struct PageData: Encodable, Sendable {
        let applicationId: String
        let followUp: Bool
        let sections: [Section]
        let categories: [Option]
        let documents: [Field]
    }

    func form(req: Request) async throws -> Response {
        try await render(req, applicationId: "")
    }

    func followUp(req: Request) async throws -> Response {
        let id = try req.pathId("applicationId", notFound: "No such application.")
        return try await render(req, applicationId: id.uuidString)
    }

    private func render(_ req: Request, applicationId: String) async throws -> Response {
        func field(_ name: String, _ key: String, type: String = "text", required: Bool = true, max: Int = 60, hint: String? = nil) -> Field {
            Field(name: name, id: "apply-" + name.replacingOccurrences(of: ".", with: "-").replacingOccurrences(of: "[", with: "-")
                    .replacingOccurrences(of: "]", with: ""),
                  label: req.message(key), type: type, required: required, maxlength: max, hint: hint.map { req.message($0) })
        }
        let sections = [
            Section(title: req.message("apply_company"), fields: [
                field("companyName", "apply_company_name"),
                field("creditCode", "apply_credit_code", max: 40, hint: "apply_credit_code_hint"),
                field("legalRepresentative", "apply_legal_representative", max: 30),
                field("brandName", "apply_brand", required: false),
                field("description", "apply_description", type: "textarea", required: false, max: 1_000),
            ], withCategory: true),
            Section(title: req.message("apply_contact"), fields: [
                field("contactName", "apply_contact_name", max: 30),
                field("contactPhone", "apply_contact_phone", type: "tel", max: 20),
                field("contactEmail", "apply_contact_email", type: "email", required: false, max: 254),
            ]),
            Section(title: req.message("apply_bank"), fields: [
                field("bankAccount.accountName", "apply_bank_account_name"),
                field("bankAccount.bankName", "apply_bank_name"),
                field("bankAccount.branchName", "apply_bank_branch"),
                field("bankAccount.accountNumber", "apply_bank_account_number", max: 60),
            ]),
            Section(title: req.message("apply_store"), fields: [
                field("stores[0].name", "apply_store_name"),
                field("stores[0].province", "apply_store_province", max: 30),
                field("stores[0].city", "apply_store_city", max: 30),
                field("stores[0].district", "apply_store_district", max: 30),
                field("stores[0].address", "apply_store_address", max: 120),
                field("stores[0].latitude", "apply_store_latitude", type: "number", max: 20, hint: "apply_store_point_hint"),
                field("stores[0].longitude", "apply_store_longitude", type: "number", max: 20),
                field("stores[0].phone", "apply_store_phone", type: "tel", max: 20),
            ]),
        ]
        let documents = ApplicationDocumentKind.allCases.map { kind in
            field("document." + kind.rawValue, "apply_document_" + kind.rawValue, type: "file", required: ApplicationDocumentKind.required.contains(kind))
        }
        let categories = try await TaxonomyRoutes.tree(on: req.db).map { Option(value: $0.id.uuidString, label: $0.name) }
        let data = PageData(applicationId: applicationId, followUp: !applicationId.isEmpty, sections: sections, categories: categories, documents: documents)
        return try await req.renderPage("storefront/merchant-apply",
                                        title: req.message(applicationId.isEmpty ? "apply_title" : "apply_follow_title"), data: data)
    }
}
