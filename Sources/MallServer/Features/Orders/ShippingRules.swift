import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

/// Each merchant's delivery charge: its own rule, or the shop-wide flat fee and threshold.
enum ShippingRules {
    static func defaultRule(_ settings: ResolvedSettings) -> ShippingRule {
        let freeAbove = settings.integer(.shippingFreeAboveFen)
        return ShippingRule(fee: .flat(Money(minorUnits: Int64(settings.integer(.shippingFlatFeeFen)))),
                            freeShippingThreshold: freeAbove > 0 ? Money(minorUnits: Int64(freeAbove)) : nil)
    }

    static func rule(for merchant: MerchantModel, settings: ResolvedSettings) -> ShippingRule {
        merchant.shippingRuleJSON.flatMap { try? JSONDecoder.api.decode(ShippingRule.self, from: Data($0.utf8)) } ?? defaultRule(settings)
    }

    static func info(_ merchant: MerchantModel, settings: ResolvedSettings) -> ShippingRuleInfo {
        let rule = rule(for: merchant, settings: settings)
        var info = ShippingRuleInfo(merchantId: merchant.id!, mode: .free, flatFeeFen: nil, bands: [],
                                    freeAboveFen: rule.freeShippingThreshold?.minorUnits, isDefault: merchant.shippingRuleJSON == nil)
        switch rule.fee {
        case .free: info.mode = .free
        case .flat(let fee):
            info.mode = .flat
            info.flatFeeFen = fee.minorUnits
        case .distanceBands(let bands):
            info.mode = .distance
            info.bands = bands.map { DistanceBandInput(upToMeters: $0.upToMeters, feeFen: $0.fee.minorUnits) }
        }
        return info
    }
}

/// Merchants set how they charge for delivery; a merchant admin for their own merchant, HQ
/// for any.
struct ShippingRuleRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let rule = routes.grouped("merchants", ":merchantId", "shipping-rule")
        rule.get(use: show)
        rule.put(use: replace)
        rule.delete(use: reset)
    }

    func show(req: Request) async throws -> ShippingRuleInfo {
        let merchant = try await find(req)
        try req.authorize(.merchantView, on: .merchant(MerchantID(merchant.id!)))
        return ShippingRules.info(merchant, settings: try await SettingsService.resolved(on: req.db))
    }

    func replace(req: Request) async throws -> ShippingRuleInfo {
        let merchant = try await find(req)
        try req.authorize(.storeManage, on: .merchant(MerchantID(merchant.id!)))
        let input = try req.content.decode(ShippingRuleInput.self)
        let rule = try ShippingRule(mode: input.mode, flatFeeFen: input.flatFeeFen, bands: input.bands?.map { ($0.upToMeters, $0.feeFen) },
                                    freeAboveFen: input.freeAboveFen)
        try await save(req, merchant, json: try JSONText.encode(rule))
        return ShippingRules.info(merchant, settings: try await SettingsService.resolved(on: req.db))
    }

    func reset(req: Request) async throws -> ShippingRuleInfo {
        let merchant = try await find(req)
        try req.authorize(.storeManage, on: .merchant(MerchantID(merchant.id!)))
        try await save(req, merchant, json: nil)
        return ShippingRules.info(merchant, settings: try await SettingsService.resolved(on: req.db))
    }

    private func save(_ req: Request, _ merchant: MerchantModel, json: String?) async throws {
        let before = merchant.shippingRuleJSON
        try await req.db.writeTransaction { db in
            merchant.shippingRuleJSON = json
            try await merchant.update(on: db)
            try await req.audit.record(on: db, action: "merchant.shippingRule", owner: .merchant(MerchantID(merchant.id!)),
                                       targetType: "merchant", targetId: merchant.id!.uuidString, before: ["rule": before ?? "default"],
                                       after: ["rule": json ?? "default"])
        }
    }

    private func find(_ req: Request) async throws -> MerchantModel {
        _ = try req.requireStaff()
        guard let id = req.parameters.get("merchantId", as: UUID.self), let merchant = try await MerchantModel.find(id, on: req.db) else {
            throw MallError.notFound("No such merchant.")
        }
        return merchant
    }
}
