import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

/// Member sign-up and sign-in, plus the token endpoints shared by members and staff.
struct MemberAuthRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let auth = routes.grouped("auth")
        auth.post("register", use: register)
        auth.post("login", use: login)
        auth.post("refresh", use: refresh)
        auth.post("logout", use: logout)
    }

    func register(req: Request) async throws -> Response {
        let input = try req.content.decode(MemberRegistration.self)
        let member = try await Self.createMember(req, input: input)
        let issued = try await TokenService(app: req.application, db: req.db)
            .startSession(kind: .member, subjectId: member.id!, userAgent: req.headers.first(name: .userAgent), ip: req.clientIP)
        let body = MemberSession(member: member.profile, tokens: issued.tokens)
        return try Response.json(body, status: .created)
    }

    /// Sign-up rules shared by the API and the web form.
    static func createMember(_ req: Request, input: MemberRegistration) async throws -> MemberModel {
        var errors = FieldErrorCollector()
        let mobile = input.mobile.flatMap { raw in errors.collect { try MobileNumber(parsing: raw) } }
        let email = input.email.flatMap { raw in errors.collect { try EmailAddress(parsing: raw) } }
        if input.mobile == nil && input.email == nil { errors.add("mobile", "give a mobile number or an email address") }
        errors.collect { try PasswordPolicy.check(input.password) }
        let nickname = input.nickname.flatMap { raw in errors.collect { try TextRule.check(raw, field: "nickname", max: 30) } }
        try errors.throwIfAny()

        let settings = try await SettingsService.resolved(on: req.db)
        guard settings.boolean(.memberRegistrationOpen) else {
            throw MallError.forbidden("Registration is closed at the moment.")
        }
        let hash = try await req.password.async.hash(input.password)
        let member = MemberModel(
            mobile: mobile?.digits, email: email?.value, passwordHash: hash,
            nickname: nickname ?? mobile.map { "用户" + $0.digits.suffix(4) } ?? String(email!.value.prefix { $0 != "@" }.prefix(30))
        )
        try await req.db.writeTransaction { db in
            if let mobile, try await MemberModel.find(login: .mobile(mobile), on: db) != nil {
                throw ValidationFailure(field: "mobile", message: "is already registered; sign in instead")
            }
            if let email, try await MemberModel.find(login: .email(email), on: db) != nil {
                throw ValidationFailure(field: "email", message: "is already registered; sign in instead")
            }
            try await member.create(on: db)
        }
        return member
    }

    func login(req: Request) async throws -> MemberSession {
        let input = try req.content.decode(LoginRequest.self)
        let member = try await Self.verifiedMember(req, login: input.login, password: input.password,
                                                   guestCartToken: req.headers.first(name: CartRoutes.tokenHeader))
        let issued = try await TokenService(app: req.application, db: req.db)
            .startSession(kind: .member, subjectId: member.id!, userAgent: req.headers.first(name: .userAgent), ip: req.clientIP)
        return MemberSession(member: member.profile, tokens: issued.tokens)
    }

    /// The password check shared by the API and the web sign-in form: throttled, and the same
    /// cost whether or not the account exists. A guest cart is merged into the member's.
    static func verifiedMember(_ req: Request, login raw: String, password: String, guestCartToken: String?) async throws -> MemberModel {
        let login = try MemberLogin(parsing: raw)
        let account: String
        switch login {
        case .mobile(let m): account = "member:" + m.digits
        case .email(let e): account = "member:" + e.value
        }
        let member = try await LoginGuard.attempt(req, account: account) { () -> MemberModel? in
            guard let member = try await MemberModel.find(login: login, on: req.db) else {
                _ = try await req.password.async.verify(password, created: LoginGuard.dummyHash(req))
                return nil
            }
            return try await req.password.async.verify(password, created: member.passwordHash) ? member : nil
        }
        guard member.status == "active" else { throw MallError.forbidden("This account is disabled; contact customer service.") }
        if let guestCartToken, !guestCartToken.isEmpty {
            // What a guest put in the cart before signing in stays in the cart.
            try await CartService.merge(guestToken: guestCartToken, into: member.id!, now: req.now, on: req.db)
        }
        return member
    }

    func refresh(req: Request) async throws -> TokenPair {
        let input = try req.content.decode(RefreshRequest.self)
        guard !input.refreshToken.isEmpty else { throw ValidationFailure(field: "refreshToken", message: "must not be empty") }
        let outcome = try await req.db.writeTransaction { db in
            try await TokenService(app: req.application, db: db).refresh(input.refreshToken)
        }
        switch outcome {
        case .rotated(let issued):
            return issued.tokens
        case .reused(let sessionId):
            try await TokenService(app: req.application, db: req.db).revoke(sessionId: sessionId, reason: "refresh token reused")
            throw MallError.unauthorized("This refresh token was already used, so the session has been signed out for safety. Sign in again.")
        }
    }

    /// Ends the session behind the access token; its refresh tokens die with it.
    func logout(req: Request) async throws -> HTTPStatus {
        let sessionId: UUID
        switch req.principal {
        case .member(let m): sessionId = m.sessionId
        case .staff(let s): sessionId = s.sessionId
        case nil: throw MallError.unauthorized("Send the access token of the session to end.")
        }
        try await TokenService(app: req.application, db: req.db).revoke(sessionId: sessionId, reason: "logout")
        return .noContent
    }
}

extension MemberModel {
    var profile: MemberProfile {
        MemberProfile(id: id!, mobile: mobile, email: email, nickname: nickname, avatarUrl: avatarURL, gender: gender,
                      birthday: birthday.flatMap { try? CalendarDate(parsing: $0, field: "birthday") }, level: level, createdAt: createdAt ?? Date(timeIntervalSince1970: 0))
    }
}

extension Response {
    static func json<T: Encodable>(_ value: T, status: HTTPResponseStatus = .ok) throws -> Response {
        let response = Response(status: status)
        try response.content.encode(value, using: JSONEncoder.api)
        return response
    }
}
