import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Vapor

/// Coupons from template to use. Staff keep templates (audited); members claim, redeem codes
/// and are issued coupons, each grant moving two counters by conditional UPDATEs — the member's
/// own (never past the per-member limit) and the template's (never past its quantity) — in one
/// write transaction. Checkout locks the coupons it uses in its own transaction; payment marks
/// them used; a checkout that closes unpaid releases them; a job expires them.
struct CouponService {
    let app: Application
    let db: any Database

    static let expiryJob = "coupons.expire"

    enum Failure: ProblemConvertible, Equatable {
        case soldOut
        case limitReached(limit: Int)
        case refused(CouponClaimRefusal)
        case notEditable
        case editRefused(CouponEditRefusal)
        case codeUsedUp
        case codeAlreadyRedeemed
        case couponTaken
        case couponNotUsable(String)

        var status: HTTPResponseStatus {
            switch self {
            case .couponNotUsable: .unprocessableEntity
            default: .conflict
            }
        }

        var title: String { status.reasonPhrase }

        var detail: String? {
            switch self {
            case .soldOut: "All coupons of this kind have been claimed."
            case .limitReached(let limit): "You may hold at most \(limit) of this coupon."
            case .refused(let refusal): refusal.message
            case .notEditable: "This coupon belongs to another issuer; its issuer cannot change."
            case .editRefused(let refusal): refusal.message
            case .codeUsedUp: "This code has been used up."
            case .codeAlreadyRedeemed: "You have already redeemed this code."
            case .couponTaken: "A coupon you chose was just used by another order; review the checkout and try again."
            case .couponNotUsable(let why): why
            }
        }
    }

    // MARK: Templates (staff)

    /// Scope as stored: products, categories and brands; all empty for every product.
    struct Scope: Codable, Equatable {
        var productIds: [UUID] = []
        var categoryIds: [UUID] = []
        var brandIds: [UUID] = []
        /// Optional so templates stored before store scopes existed still read.
        var storeIds: [UUID]?
        var isEverything: Bool { productIds.isEmpty && categoryIds.isEmpty && brandIds.isEmpty }
    }

    static func coreKind(_ kind: CouponTemplateKind, amountOffFen: Int64?, percentOffBasisPoints: Int?, capFen: Int64?, giftSkuId: UUID?) -> CouponKind? {
        switch kind {
        case .cash, .threshold: amountOffFen.map { .amountOff(Money(minorUnits: $0)) }
        case .percentage: percentOffBasisPoints.map { .percentOff(basisPoints: $0, cap: capFen.map { Money(minorUnits: $0) }) }
        case .freeShipping: .freeShipping
        case .gift: giftSkuId.map { .freeItem(skuId: $0) }
        }
    }

    private func validated(_ input: CouponTemplateInput) async throws -> (title: String, validity: CouponValidity) {
        var errors = FieldErrorCollector()
        if let fen = input.amountOffFen { errors.range(fen, InputLimits.priceFen, "amountOffFen") }
        if let fen = input.minimumSpendFen { errors.range(fen, InputLimits.priceFen, "minimumSpendFen") }
        if let fen = input.capFen { errors.range(fen, InputLimits.priceFen, "capFen") }
        if let bp = input.percentOffBasisPoints { errors.range(bp, 1...9_999, "percentOffBasisPoints") }
        errors.range(input.totalQuantity, 1...10_000_000, "totalQuantity")
        if let limit = input.perMemberLimit { errors.range(limit, 1...100, "perMemberLimit") }
        if let days = input.validDays { errors.range(days, 1...CouponValidity.maximumDays, "validDays") }
        try errors.throwIfAny()
        if input.kind == .threshold && (input.minimumSpendFen ?? 0) <= 0 { errors.add("minimumSpendFen", "a threshold coupon needs a minimum spend") }
        let kind = Self.coreKind(input.kind, amountOffFen: input.amountOffFen, percentOffBasisPoints: input.percentOffBasisPoints,
                                 capFen: input.capFen, giftSkuId: input.giftSkuId)
        if kind == nil {
            switch input.kind {
            case .cash, .threshold: errors.add("amountOffFen", "is required for this kind")
            case .percentage: errors.add("percentOffBasisPoints", "is required for this kind")
            case .gift: errors.add("giftSkuId", "is required for this kind")
            case .freeShipping: break
            }
        }
        var validity: CouponValidity?
        switch (input.validFrom, input.validUntil, input.validDays) {
        case (let from?, let until?, nil): validity = .fixed(from: from, until: until)
        case (nil, nil, let days?): validity = .daysAfterClaim(days)
        default: errors.add("validDays", "give either validFrom and validUntil, or validDays")
        }
        let limits = [input.productIds?.count ?? 0, input.categoryIds?.count ?? 0, input.brandIds?.count ?? 0, input.storeIds?.count ?? 0,
                      input.memberLevels?.count ?? 0]
        if limits.contains(where: { $0 > 200 }) { errors.add("productIds", "scope lists hold at most 200 entries each") }
        if let kind, let validity {
            for error in CouponTemplateRules.validate(
                title: input.title, kind: kind, minimumSpend: Money(minorUnits: input.minimumSpendFen ?? 0), totalQuantity: input.totalQuantity,
                perMemberLimit: input.perMemberLimit ?? 1, validity: validity, claimStartsAt: input.claimStartsAt, claimEndsAt: input.claimEndsAt) {
                errors.add(error.field, error.message)
            }
        }
        if let merchantId = input.merchantId, try await MerchantModel.find(merchantId, on: db) == nil { errors.add("merchantId", "is not a merchant") }
        if let stores = input.storeIds, !stores.isEmpty, stores.count <= 200 {
            let query = StoreModel.query(on: db).filter(\.$id ~~ stores)
            if let merchantId = input.merchantId { query.filter(\.$merchantId == merchantId) }
            if try await query.count() != Set(stores).count {
                errors.add("storeIds", input.merchantId == nil ? "must be stores" : "must be stores of the merchant")
            }
        }
        if let skuId = input.giftSkuId {
            let sku = try await SKUModel.find(skuId, on: db)
            if sku?.enabled != true { errors.add("giftSkuId", "is not a SKU on sale") }
        }
        try errors.throwIfAny()
        return (input.title.trimmingWhitespace(), validity!)
    }

    private static func apply(_ input: CouponTemplateInput, title: String, to template: CouponTemplateModel) throws {
        template.merchantId = input.merchantId
        template.title = title
        template.kind = input.kind.rawValue
        template.amountOffFen = input.kind == .cash || input.kind == .threshold ? input.amountOffFen : nil
        template.minimumSpendFen = input.kind == .cash ? 0 : (input.minimumSpendFen ?? 0)
        template.percentOffBasisPoints = input.kind == .percentage ? input.percentOffBasisPoints : nil
        template.capFen = input.kind == .percentage ? input.capFen : nil
        template.giftSkuId = input.kind == .gift ? input.giftSkuId : nil
        template.scope = try JSONText.encode(Scope(productIds: input.productIds ?? [], categoryIds: input.categoryIds ?? [], brandIds: input.brandIds ?? [],
                                                  storeIds: input.storeIds.map { Array(Set($0)).sorted { $0.uuidString < $1.uuidString } }))
        template.memberLevels = try input.memberLevels.map { try JSONText.encode($0.sorted()) }
        template.newMembersOnly = input.newMembersOnly ?? false
        template.stacksWithPromotions = input.stacksWithPromotions ?? true
        template.returnOnFullRefund = input.returnOnFullRefund ?? false
        template.totalQuantity = input.totalQuantity
        template.perMemberLimit = input.perMemberLimit ?? 1
        template.validFrom = input.validFrom
        template.validUntil = input.validUntil
        template.validDays = input.validDays
        template.claimStartsAt = input.claimStartsAt
        template.claimEndsAt = input.claimEndsAt
        template.claimable = input.claimable ?? true
    }

    func create(_ input: CouponTemplateInput, audit: AuditRecorder) async throws -> CouponTemplateModel {
        let checked = try await validated(input)
        return try await db.writeTransaction { tx in
            let template = CouponTemplateModel()
            template.id = UUID()
            try Self.apply(input, title: checked.title, to: template)
            template.claimedCount = 0
            template.usedCount = 0
            template.createdAt = audit.now
            template.updatedAt = audit.now
            try await template.create(on: tx)
            try await audit.record(on: tx, action: "coupon.template.create", owner: template.owner, targetType: "coupon_template",
                                   targetId: template.id!.uuidString, after: Self.auditView(template))
            return template
        }
    }

    /// Replaces a template's terms until its validity starts; afterwards only a larger quantity
    /// is taken (`CouponTemplateRules.editRefusal`). Claims take the template's row, so a claim
    /// and an edit cannot cross.
    func update(templateId: UUID, _ input: CouponTemplateInput, audit: AuditRecorder) async throws -> CouponTemplateModel {
        let checked = try await validated(input)
        return try await db.writeTransaction { tx in
            try await tx.lockRow(CouponTemplateModel.schema, id: templateId)
            guard let template = try await CouponTemplateModel.find(templateId, on: tx) else { throw MallError.notFound("No such coupon.") }
            guard input.merchantId == template.merchantId else { throw Failure.notEditable }
            let proposed = CouponTemplateModel()
            try Self.apply(input, title: checked.title, to: proposed)
            proposed.id = template.id
            (proposed.claimedCount, proposed.usedCount, proposed.endedAt) = (template.claimedCount, template.usedCount, template.endedAt)
            func terms(_ model: CouponTemplateModel) throws -> CouponTemplate {
                var view = try CouponQueries.template(model)
                view.totalQuantity = 0
                return view
            }
            let validity = { (model: CouponTemplateModel) in [model.validFrom, model.validUntil].map { $0?.timeIntervalSince1970 } + [model.validDays.map(Double.init)] }
            if let refusal = CouponTemplateRules.editRefusal(
                ended: template.endedAt != nil,
                started: CouponTemplateRules.validityStarted(validity: try Self.validity(of: template), claimedCount: template.claimedCount, now: audit.now),
                claimedCount: template.claimedCount, termsChanged: try terms(proposed) != terms(template),
                validityChanged: validity(proposed) != validity(template), currentQuantity: template.totalQuantity, newQuantity: input.totalQuantity) {
                throw Failure.editRefused(refusal)
            }
            let before = Self.auditView(template)
            try Self.apply(input, title: checked.title, to: template)
            template.updatedAt = audit.now
            try await template.update(on: tx)
            try await audit.record(on: tx, action: "coupon.template.update", owner: template.owner, targetType: "coupon_template",
                                   targetId: templateId.uuidString, before: before, after: Self.auditView(template))
            return template
        }
    }

    static func validity(of template: CouponTemplateModel) throws -> CouponValidity {
        switch (template.validFrom, template.validUntil, template.validDays) {
        case (let from?, let until?, _): .fixed(from: from, until: until)
        case (_, _, let days?): .daysAfterClaim(days)
        default: throw MallError.conflict("This coupon has no validity stored.")
        }
    }

    /// Stops claims now; coupons already held stay usable until their own validity ends.
    func end(templateId: UUID, audit: AuditRecorder) async throws -> CouponTemplateModel {
        try await db.writeTransaction { tx in
            try await tx.lockRow(CouponTemplateModel.schema, id: templateId)
            guard let template = try await CouponTemplateModel.find(templateId, on: tx) else { throw MallError.notFound("No such coupon.") }
            guard template.endedAt == nil else { return template }
            template.endedAt = audit.now
            template.updatedAt = audit.now
            try await template.update(on: tx)
            try await audit.record(on: tx, action: "coupon.template.end", owner: template.owner, targetType: "coupon_template",
                                   targetId: templateId.uuidString, after: Self.auditView(template))
            return template
        }
    }

    /// A new template with the same terms and fresh counters, for staff to adjust before it starts.
    func copy(templateId: UUID, audit: AuditRecorder) async throws -> CouponTemplateModel {
        try await db.writeTransaction { tx in
            guard let source = try await CouponTemplateModel.find(templateId, on: tx) else { throw MallError.notFound("No such coupon.") }
            let copy = CouponTemplateModel()
            copy.id = UUID()
            copy.merchantId = source.merchantId
            copy.title = source.title
            copy.kind = source.kind
            copy.amountOffFen = source.amountOffFen
            copy.minimumSpendFen = source.minimumSpendFen
            copy.percentOffBasisPoints = source.percentOffBasisPoints
            copy.capFen = source.capFen
            copy.giftSkuId = source.giftSkuId
            copy.scope = source.scope
            copy.memberLevels = source.memberLevels
            copy.newMembersOnly = source.newMembersOnly
            copy.stacksWithPromotions = source.stacksWithPromotions
            copy.returnOnFullRefund = source.returnOnFullRefund
            copy.totalQuantity = source.totalQuantity
            copy.perMemberLimit = source.perMemberLimit
            copy.validFrom = source.validFrom
            copy.validUntil = source.validUntil
            copy.validDays = source.validDays
            copy.claimStartsAt = source.claimStartsAt
            copy.claimEndsAt = source.claimEndsAt
            copy.claimable = source.claimable
            copy.claimedCount = 0
            copy.usedCount = 0
            copy.endedAt = nil
            copy.createdAt = audit.now
            copy.updatedAt = audit.now
            try await copy.create(on: tx)
            try await audit.record(on: tx, action: "coupon.template.copy", owner: copy.owner, targetType: "coupon_template",
                                   targetId: copy.id!.uuidString, before: ["copiedFrom": templateId.uuidString], after: Self.auditView(copy))
            return copy
        }
    }

    static func auditView(_ template: CouponTemplateModel) -> [String: String] {
        ["title": template.title, "kind": template.kind, "merchantId": template.merchantId?.uuidString ?? "",
         "amountOffFen": template.amountOffFen.map { String($0) } ?? "", "minimumSpendFen": String(template.minimumSpendFen),
         "percentOffBasisPoints": template.percentOffBasisPoints.map(String.init) ?? "", "totalQuantity": String(template.totalQuantity),
         "perMemberLimit": String(template.perMemberLimit), "endedAt": template.endedAt.map { $0.formatted(.iso8601) } ?? ""]
    }

    // MARK: Granting

    /// How a member came by a coupon.
    enum Source: String {
        case claim, issue, code, pointsMall = "points_mall", birthday
    }

    /// Gives one coupon of the template to the member inside the caller's transaction. The
    /// member's counter goes first (an upsert, then a conditional increment), then the
    /// template's, so neither limit can be passed by concurrent grants; a refusal throws and
    /// the caller's transaction rolls both back.
    func grant(templateId: UUID, memberId: UUID, source: Source, checkAudience: Bool, couponId: UUID = UUID(), now: Date) async throws -> MemberCouponModel {
        guard let template = try await CouponTemplateModel.find(templateId, on: db) else { throw MallError.notFound("No such coupon.") }
        let ordered = try await OrderModel.query(on: db).filter(\.$memberId == memberId).count() > 0
        if checkAudience || source == .code {
            let level = try await MemberModel.find(memberId, on: db)?.level
            let levels = try template.memberLevels.map { Set(try JSONDecoder().decode([String].self, from: Data($0.utf8))) }
            if let refusal = CouponTemplateRules.claimRefusal(
                claimStartsAt: template.claimStartsAt, claimEndsAt: template.claimEndsAt, endedAt: template.endedAt,
                audience: CouponAudience(memberLevels: checkAudience ? levels : nil, newMembersOnly: checkAudience && template.newMembersOnly),
                memberLevel: level, memberHasOrdered: ordered, now: now) {
                throw Failure.refused(refusal)
            }
        } else if template.endedAt != nil {
            throw Failure.refused(.ended)
        }
        try await db.sql.raw("""
            INSERT INTO coupon_member_counts (id, template_id, member_id, claimed) VALUES (\(bind: UUID()), \(bind: templateId), \(bind: memberId), 0)
            ON CONFLICT (template_id, member_id) DO NOTHING
            """).run()
        let counted = try await db.sql.raw("""
            UPDATE coupon_member_counts SET claimed = claimed + 1
            WHERE template_id = \(bind: templateId) AND member_id = \(bind: memberId) AND claimed < \(bind: template.perMemberLimit) RETURNING claimed
            """).all()
        guard !counted.isEmpty else { throw Failure.limitReached(limit: template.perMemberLimit) }
        let taken = try await db.sql.raw("""
            UPDATE coupon_templates SET claimed_count = claimed_count + 1
            WHERE id = \(bind: templateId) AND claimed_count < total_quantity RETURNING claimed_count
            """).all()
        guard !taken.isEmpty else { throw Failure.soldOut }
        let validity: CouponValidity = template.validDays.map { .daysAfterClaim($0) }
            ?? .fixed(from: template.validFrom ?? now, until: template.validUntil ?? now)
        let window = validity.window(claimedAt: now)
        let coupon = MemberCouponModel()
        coupon.id = couponId
        coupon.templateId = templateId
        coupon.memberId = memberId
        coupon.status = MemberCouponStatus.available.rawValue
        coupon.source = source.rawValue
        coupon.validFrom = window.from
        coupon.validUntil = window.until
        coupon.claimedAt = now
        coupon.updatedAt = now
        try await coupon.create(on: db)
        return coupon
    }

    /// A member claims from the coupon centre or a product page.
    func claim(templateId: UUID, memberId: UUID, now: Date) async throws -> MemberCouponModel {
        guard let template = try await CouponTemplateModel.find(templateId, on: db), template.claimable else {
            throw MallError.notFound("No such coupon.")
        }
        return try await db.writeTransaction { tx in
            try await CouponService(app: app, db: tx).grant(templateId: templateId, memberId: memberId, source: .claim, checkAudience: true, now: now)
        }
    }

    /// A member types a code: a single-use code once, a shared one once per member, each
    /// within its quota.
    func redeem(code raw: String, memberId: UUID, now: Date) async throws -> MemberCouponModel {
        let code = raw.trimmingWhitespace().uppercased()
        guard (4...32).contains(code.count) else { throw ValidationFailure(field: "code", message: "must be 4 to 32 characters") }
        guard let found = try await CouponCodeModel.query(on: db).filter(\.$code == code).first() else {
            throw ValidationFailure(field: "code", message: "is not a valid code")
        }
        return try await db.writeTransaction { tx in
            let couponId = UUID()
            let first = try await tx.sql.raw("""
                INSERT INTO coupon_code_redemptions (id, code_id, member_id, member_coupon_id, created_at)
                VALUES (\(bind: UUID()), \(bind: found.id!), \(bind: memberId), \(bind: couponId), \(bind: now))
                ON CONFLICT (code_id, member_id) DO NOTHING RETURNING id
                """).all()
            guard !first.isEmpty else { throw Failure.codeAlreadyRedeemed }
            let counted = try await tx.sql.raw("""
                UPDATE coupon_codes SET redeemed = redeemed + 1 WHERE id = \(bind: found.id!) AND redeemed < quota RETURNING redeemed
                """).all()
            guard !counted.isEmpty else { throw Failure.codeUsedUp }
            return try await CouponService(app: app, db: tx).grant(templateId: found.templateId, memberId: memberId, source: .code,
                                                                   checkAudience: false, couponId: couponId, now: now)
        }
    }

    /// Staff give one coupon to each listed member (ids or mobiles), each in its own
    /// transaction: one member at their limit does not stop the others.
    func issue(templateId: UUID, _ input: CouponIssueInput, audit: AuditRecorder) async throws -> CouponIssueResult {
        let ids = input.memberIds ?? []
        let mobiles = input.mobiles ?? []
        guard (1...1_000).contains(ids.count + mobiles.count) else {
            throw ValidationFailure(field: "memberIds", message: "give 1 to 1000 members in all")
        }
        guard let template = try await CouponTemplateModel.find(templateId, on: db) else { throw MallError.notFound("No such coupon.") }
        var recipients: [(label: String, id: UUID?)] = ids.map { ($0.uuidString, $0) }
        let byMobile = Dictionary(try await MemberModel.query(on: db).filter(\.$mobile ~~ mobiles).all().compactMap { m in m.mobile.map { ($0, m.id!) } },
                                  uniquingKeysWith: { a, _ in a })
        recipients += mobiles.map { ($0, byMobile[$0]) }
        let known = Set(try await MemberModel.query(on: db).filter(\.$id ~~ ids).all().compactMap(\.id))
        var issued = 0
        var skipped: [String] = []
        for (label, id) in recipients {
            guard let id, known.contains(id) || byMobile.values.contains(id) else {
                skipped.append("\(label): no such member")
                continue
            }
            do {
                _ = try await db.writeTransaction { tx in
                    try await CouponService(app: app, db: tx).grant(templateId: templateId, memberId: id, source: .issue, checkAudience: false, now: audit.now)
                }
                issued += 1
            } catch let failure as Failure {
                skipped.append("\(label): \(failure.detail ?? "")")
            } catch {
                // Any other failure (the database went away, a deadlock) rolled back this member's
                // grant alone: the members before it keep theirs, and the list says who did not
                // get one, so staff can issue to them again.
                app.logger.warning("coupon issue to \(label) failed: \(String(reflecting: error))")
                skipped.append("\(label): could not be issued now; try again")
            }
        }
        // After the members' own transactions: one row with what they came to, even when some failed.
        try await audit.record(on: db, action: "coupon.template.issue", owner: template.owner, targetType: "coupon_template",
                               targetId: templateId.uuidString, after: ["issued": String(issued), "skipped": String(skipped.count)])
        return CouponIssueResult(issued: issued, skipped: skipped)
    }

    /// The member level's birthday coupon, once per birthday year: the source names the year,
    /// and the job's runs are serialised by its schedule, so a rerun finds the first grant.
    func grantBirthday(templateId: UUID, memberId: UUID, year: Int, levelName: String, now: Date) async throws {
        let source = "\(Source.birthday.rawValue):\(year)"
        try await db.writeTransaction { tx in
            guard try await MemberCouponModel.query(on: tx).filter(\.$memberId == memberId).filter(\.$templateId == templateId)
                .filter(\.$source == source).count() == 0 else { return }
            let coupon: MemberCouponModel
            do {
                coupon = try await CouponService(app: app, db: tx).grant(templateId: templateId, memberId: memberId, source: .birthday,
                                                                         checkAudience: false, now: now)
            } catch is Failure {
                // Sold out, ended or at the member's limit: the birthday passes without a coupon.
                return
            }
            coupon.source = source
            try await coupon.update(on: tx)
            try await NotificationOutbox(app: app, db: tx).send(
                audience: .member, recipientId: memberId, merchantId: nil, storeId: nil, title: "Happy birthday! A coupon for you",
                body: "Your \(levelName) birthday coupon has arrived in My coupons.", reference: .init(type: "member_coupon", id: coupon.id!.uuidString), now: now)
        }
    }

    // MARK: Codes

    /// Letters and digits a reader cannot confuse (no 0/O, 1/I/L).
    static let codeAlphabet = Array("23456789ABCDEFGHJKMNPQRSTUVWXYZ")

    /// `count` single-use random codes, or one shared `code` with a quota.
    func createCodes(templateId: UUID, _ input: CouponCodeBatchInput, audit: AuditRecorder) async throws -> [CouponCodeModel] {
        var errors = FieldErrorCollector()
        if let count = input.count { errors.range(count, 1...10_000, "count") }
        if let quota = input.quota { errors.range(quota, 1...10_000_000, "quota") }
        let shared = input.code.map { $0.trimmingWhitespace().uppercased() }
        if let shared, shared.count < 4 || shared.count > 32 || !shared.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) {
            errors.add("code", "must be 4 to 32 letters and digits")
        }
        if (input.count == nil) == (shared == nil) { errors.add("count", "give either count (single-use codes) or code with quota (a shared code)") }
        if shared != nil && input.quota == nil { errors.add("quota", "a shared code needs a quota") }
        try errors.throwIfAny()
        guard let template = try await CouponTemplateModel.find(templateId, on: db) else { throw MallError.notFound("No such coupon.") }
        let batchId = UUID()
        return try await db.writeTransaction { tx in
            var made: [CouponCodeModel] = []
            let wanted = shared.map { [$0] } ?? []
            var generator = SystemRandomNumberGenerator()
            var attempts = 0
            while made.count < (input.count ?? 1) {
                attempts += 1
                guard attempts <= (input.count ?? 1) * 2 + 10 else { throw MallError.conflict("Could not find unused codes; try again.") }
                let code = wanted.first ?? String((0..<10).map { _ in Self.codeAlphabet.randomElement(using: &generator)! })
                let id = UUID()
                let inserted = try await tx.sql.raw("""
                    INSERT INTO coupon_codes (id, template_id, batch_id, code, shared, quota, redeemed, created_at)
                    VALUES (\(bind: id), \(bind: templateId), \(bind: batchId), \(bind: code), \(bind: shared != nil), \(bind: input.quota ?? 1), 0, \(bind: audit.now))
                    ON CONFLICT (code) DO NOTHING RETURNING id
                    """).all()
                if inserted.isEmpty {
                    if shared != nil { throw ValidationFailure(field: "code", message: "is already in use") }
                    continue
                }
                if let row = try await CouponCodeModel.find(id, on: tx) { made.append(row) }
            }
            try await audit.record(on: tx, action: "coupon.codes.create", owner: template.owner, targetType: "coupon_template",
                                   targetId: templateId.uuidString, after: ["batchId": batchId.uuidString, "codes": String(made.count),
                                                                            "shared": String(shared != nil)])
            return made
        }
    }

    // MARK: Checkout

    /// The member's coupons usable now, with their templates.
    static func usable(memberId: UUID, now: Date, on db: any Database) async throws -> [(coupon: MemberCouponModel, template: CouponTemplateModel)] {
        // With their templates joined: checkout reads this on every order.
        let coupons = try await MemberCouponModel.query(on: db).join(CouponTemplateModel.self, on: \MemberCouponModel.$templateId == \CouponTemplateModel.$id)
            .filter(\.$memberId == memberId)
            .filter(\.$status == MemberCouponStatus.available.rawValue).filter(\.$validUntil > now).filter(\.$validFrom <= now)
            .sort(\.$validUntil).sort(\.$id).limit(100).all()
        return try coupons.map { ($0, try $0.joined(CouponTemplateModel.self)) }
    }

    /// The engine's view of a held coupon: its template's terms, its own window, and a scope
    /// resolved against the checkout's products (categories and brands become product ids).
    static func pricingCoupon(_ coupon: MemberCouponModel, _ template: CouponTemplateModel, products: [ProductModel]) throws -> Coupon? {
        guard let templateKind = CouponTemplateKind(rawValue: template.kind),
              let kind = coreKind(templateKind, amountOffFen: template.amountOffFen, percentOffBasisPoints: template.percentOffBasisPoints,
                                  capFen: template.capFen, giftSkuId: template.giftSkuId) else { return nil }
        let scope = try JSONDecoder().decode(Scope.self, from: Data(template.scope.utf8))
        let covered: ProductScope = scope.isEverything ? .allProducts : .products(Set(products.filter { product in
            scope.productIds.contains(product.id!) || scope.categoryIds.contains(product.categoryId) || product.brandId.map(scope.brandIds.contains) == true
        }.map { $0.id! }))
        let stores = scope.storeIds.flatMap { $0.isEmpty ? nil : Set($0.map(StoreID.init)) }
        return Coupon(id: coupon.id!, title: template.title, merchantId: template.merchantId.map(MerchantID.init), products: covered, stores: stores,
                      minimumSpend: Money(minorUnits: template.minimumSpendFen), kind: kind, validFrom: coupon.validFrom,
                      validUntil: coupon.validUntil, stacksWithPromotions: template.stacksWithPromotions)
    }

    /// Locks the coupons a checkout applied, inside its transaction; one taken meanwhile by
    /// another checkout fails this one whole.
    func lock(_ couponIds: [UUID], memberId: UUID, checkoutId: UUID, now: Date) async throws {
        for id in couponIds.sorted(by: { $0.uuidString < $1.uuidString }) {
            let locked = try await db.sql.raw("""
                UPDATE member_coupons SET status = \(bind: MemberCouponEvent.lock.target.rawValue), checkout_id = \(bind: checkoutId), updated_at = \(bind: now)
                WHERE id = \(bind: id) AND member_id = \(bind: memberId) AND status IN (\(binds: MemberCouponEvent.lock.sources.map(\.rawValue)))
                RETURNING id
                """).all()
            guard !locked.isEmpty else { throw Failure.couponTaken }
        }
    }

    /// The checkout was paid: its coupons are used and count on their templates.
    func checkoutPaid(_ checkoutId: UUID, now: Date) async throws {
        let used = try await db.sql.raw("""
            UPDATE member_coupons SET status = \(bind: MemberCouponEvent.use.target.rawValue), used_at = \(bind: now), updated_at = \(bind: now)
            WHERE checkout_id = \(bind: checkoutId) AND status IN (\(binds: MemberCouponEvent.use.sources.map(\.rawValue)))
            RETURNING template_id
            """).all()
        for row in used {
            let templateId = try row.decode(column: "template_id", as: UUID.self)
            try await db.sql.raw("UPDATE coupon_templates SET used_count = used_count + 1 WHERE id = \(bind: templateId)").run()
        }
    }

    /// An order of the checkout closed unpaid; once every order of it has, its coupons come back.
    func orderClosedUnpaid(_ order: OrderModel, now: Date) async throws {
        let open = try await OrderModel.query(on: db).filter(\.$checkoutId == order.checkoutId)
            .filter(\.$status !~ [OrderStatus.cancelled.rawValue, OrderStatus.expired.rawValue]).count()
        guard open == 0 else { return }
        try await db.sql.raw("""
            UPDATE member_coupons SET status = \(bind: MemberCouponEvent.release.target.rawValue), checkout_id = NULL, updated_at = \(bind: now)
            WHERE checkout_id = \(bind: order.checkoutId) AND status IN (\(binds: MemberCouponEvent.release.sources.map(\.rawValue)))
            """).run()
    }

    /// An after-sales refund went through: when every order of the checkout has had all its
    /// goods refunded, coupons whose template says so come back.
    func afterSalesRefunded(orderId: UUID, now: Date) async throws {
        guard let order = try await OrderModel.find(orderId, on: db) else { return }
        let orderIds = try await OrderModel.query(on: db).filter(\.$checkoutId == order.checkoutId).all().compactMap(\.id)
        let paid = try await OrderLineModel.query(on: db).filter(\.$orderId ~~ orderIds).all().reduce(Int64(0)) { $0 + $1.payableFen }
        let refunded = try await AfterSalesCaseModel.query(on: db).filter(\.$orderId ~~ orderIds).all().reduce(Int64(0)) { $0 + $1.refundedFen }
        guard paid > 0, refunded >= paid else { return }
        try await checkoutRefunded(order.checkoutId, now: now)
    }

    /// Every order of the checkout was refunded in full: coupons whose template says so come
    /// back (until their own validity ends) and no longer count as used on their template.
    /// Only the refund whose conditional UPDATE moved a coupon lowers the count, so concurrent
    /// refunds of the same checkout give each coupon back once.
    func checkoutRefunded(_ checkoutId: UUID, now: Date) async throws {
        let returned = try await db.sql.raw("""
            UPDATE member_coupons SET status = \(bind: MemberCouponEvent.returnAfterRefund.target.rawValue), checkout_id = NULL, used_at = NULL,
                updated_at = \(bind: now)
            WHERE checkout_id = \(bind: checkoutId) AND status IN (\(binds: MemberCouponEvent.returnAfterRefund.sources.map(\.rawValue)))
              AND template_id IN (SELECT id FROM coupon_templates WHERE return_on_full_refund = \(bind: true))
            RETURNING template_id
            """).all()
        for row in returned {
            let templateId = try row.decode(column: "template_id", as: UUID.self)
            try await db.sql.raw("UPDATE coupon_templates SET used_count = used_count - 1 WHERE id = \(bind: templateId) AND used_count > 0").run()
        }
    }

    /// The expiry job: available coupons whose window closed. Locked ones wait for their
    /// checkout, which uses or releases them.
    static func expire(now: Date, on db: any Database) async throws {
        try await db.writeTransaction { tx in
            try await tx.sql.raw("""
                UPDATE member_coupons SET status = \(bind: MemberCouponEvent.expire.target.rawValue), updated_at = \(bind: now)
                WHERE status IN (\(binds: MemberCouponEvent.expire.sources.map(\.rawValue))) AND valid_until <= \(bind: now)
                """).run()
        }
    }
}
