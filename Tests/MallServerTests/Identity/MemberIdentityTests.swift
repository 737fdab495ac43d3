import Fluent
import Foundation
import MallAPI
import MallCore
import Testing
import Vapor
@testable import MallServer

@Suite("Member identity")
struct MemberIdentityTests {
    @Test("register with a mobile number, then sign in with it")
    func registerAndLogin() async throws {
        try await withTestApp { app in
            let session = try await Fixtures.member(app, mobile: "+86 139 1234 5678")
            #expect(session.member.mobile == "13912345678")
            #expect(session.member.nickname == "用户5678")
            let login = try await app.send(.POST, "/api/v1/auth/login", json: LoginRequest(login: "13912345678", password: Fixtures.password))
            #expect(login.status == .ok)
            let me = try await app.send(.GET, "/api/v1/me", token: try login.decode(MemberSession.self).tokens.accessToken)
            #expect(try me.decode(MemberProfile.self).id == session.member.id)
            let stored = try #require(try await MemberModel.find(session.member.id, on: app.db))
            #expect(stored.passwordHash.hasPrefix("$2"), "passwords are stored as bcrypt hashes")
            #expect(stored.passwordHash != Fixtures.password)
        }
    }

    @Test("register with an email; duplicates and bad input are field errors, malformed JSON is a 400")
    func registrationErrors() async throws {
        try await withTestApp { app in
            let created = try await app.send(.POST, "/api/v1/auth/register", json: MemberRegistration(email: "Chen@Example.com", password: "abc12345", nickname: "陈"))
            #expect(created.status == .created)
            #expect(try created.decode(MemberSession.self).member.email == "chen@example.com")

            let duplicate = try await app.send(.POST, "/api/v1/auth/register", json: MemberRegistration(email: "chen@example.com", password: "abc12345"))
            #expect(duplicate.status == .unprocessableEntity)
            #expect(duplicate.problem?.errors == [FieldError(field: "email", message: "is already registered; sign in instead")])

            let invalid = try await app.send(.POST, "/api/v1/auth/register", json: MemberRegistration(mobile: "12345", password: "short"))
            #expect(invalid.status == .unprocessableEntity)
            #expect(Set(invalid.problem?.errors?.map(\.field) ?? []) == ["mobile", "password"])
            #expect(invalid.headers.contentType?.description.hasPrefix("application/problem+json") == true)

            let malformed = try await app.send(.POST, "/api/v1/auth/register", raw: "{\"mobile\": ")
            #expect(malformed.status == .badRequest)
            #expect(malformed.problem?.detail == "The request body is not valid JSON.")

            let missing = try await app.send(.POST, "/api/v1/auth/register", raw: "{\"mobile\": \"13800138000\"}")
            #expect(missing.status == .unprocessableEntity)
            #expect(missing.problem?.errors?.first?.field == "password")

            let wrongType = try await app.send(.POST, "/api/v1/auth/register", raw: "{\"mobile\": 13800138000, \"password\": \"abc12345\"}")
            #expect(wrongType.status == .unprocessableEntity)
            #expect(wrongType.problem?.errors?.first == FieldError(field: "mobile", message: "must be a string"))

            #expect(try await MemberModel.query(on: app.db).count() == 1, "failed registrations leave nothing behind")
        }
    }

    @Test("repeated wrong passwords are throttled with a 429 and Retry-After, even with the right password")
    func throttling() async throws {
        try await withTestApp { app in
            _ = try await Fixtures.member(app)
            for _ in 0..<5 {
                let wrong = try await app.send(.POST, "/api/v1/auth/login", json: LoginRequest(login: "13800138000", password: "wrong-pass1"))
                #expect(wrong.status == .unauthorized)
            }
            let blocked = try await app.send(.POST, "/api/v1/auth/login", json: LoginRequest(login: "13800138000", password: Fixtures.password))
            #expect(blocked.status == .tooManyRequests)
            #expect(blocked.headers.first(name: "Retry-After").flatMap(Int.init) ?? 0 > 0)
            #expect(blocked.problem?.detail?.contains("Too many failed sign-in attempts") == true)
            // Another account from the same address is not locked by this one's failures.
            _ = try await Fixtures.member(app, mobile: "13900000001")
            let other = try await app.send(.POST, "/api/v1/auth/login", json: LoginRequest(login: "13900000001", password: Fixtures.password))
            #expect(other.status == .ok)
        }
    }

    @Test("one address guessing across many accounts is throttled too; the lock lifts after the window")
    func addressThrottling() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock, adjust: { $0.loginIPMaxFailures = 6 }) { app in
            _ = try await Fixtures.member(app)
            for n in 0..<6 {
                let guess = try await app.send(.POST, "/api/v1/auth/login", json: LoginRequest(login: "1390000000\(n)", password: "guess12345"))
                #expect(guess.status == .unauthorized)
            }
            let blocked = try await app.send(.POST, "/api/v1/auth/login", json: LoginRequest(login: "13800138000", password: Fixtures.password))
            #expect(blocked.status == .tooManyRequests)
            let wait = try #require(blocked.headers.first(name: "Retry-After").flatMap(Int.init))
            #expect(wait > 0 && wait <= 15 * 60)
            clock.advance(seconds: TimeInterval(wait))
            let later = try await app.send(.POST, "/api/v1/auth/login", json: LoginRequest(login: "13800138000", password: Fixtures.password))
            #expect(later.status == .ok)
        }
    }

    @Test("refresh tokens rotate; reusing one revokes the session")
    func refreshRotation() async throws {
        try await withTestApp { app in
            let session = try await Fixtures.member(app)
            let first = try await app.send(.POST, "/api/v1/auth/refresh", json: RefreshRequest(refreshToken: session.tokens.refreshToken))
            #expect(first.status == .ok)
            let rotated = try first.decode(TokenPair.self)
            #expect(rotated.refreshToken != session.tokens.refreshToken)
            #expect(try await app.send(.GET, "/api/v1/me", token: rotated.accessToken).status == .ok)

            let replay = try await app.send(.POST, "/api/v1/auth/refresh", json: RefreshRequest(refreshToken: session.tokens.refreshToken))
            #expect(replay.status == .unauthorized)
            #expect(try await app.send(.GET, "/api/v1/me", token: rotated.accessToken).status == .unauthorized,
                    "after reuse is detected every token of the session is dead")
            #expect(try await app.send(.POST, "/api/v1/auth/refresh", json: RefreshRequest(refreshToken: rotated.refreshToken)).status == .unauthorized)
        }
    }

    @Test("logout ends the session at once; access tokens expire by the clock")
    func logoutAndExpiry() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock) { app in
            let session = try await Fixtures.member(app)
            #expect(try await app.send(.POST, "/api/v1/auth/logout", token: session.tokens.accessToken).status == .noContent)
            let after = try await app.send(.GET, "/api/v1/me", token: session.tokens.accessToken)
            #expect(after.status == .unauthorized)
            #expect(after.headers.first(name: .wwwAuthenticate) == "Bearer")

            let login = try await app.send(.POST, "/api/v1/auth/login", json: LoginRequest(login: "13800138000", password: Fixtures.password))
            let token = try login.decode(MemberSession.self).tokens.accessToken
            clock.advance(seconds: 899)
            #expect(try await app.send(.GET, "/api/v1/me", token: token).status == .ok)
            clock.advance(seconds: 2)
            #expect(try await app.send(.GET, "/api/v1/me", token: token).status == .unauthorized)
            #expect(try await app.send(.GET, "/api/v1/me", token: "not.a.jwt").status == .unauthorized)
            #expect(try await app.send(.GET, "/api/v1/me").status == .unauthorized)
        }
    }

    @Test("changing the password signs out other devices and needs the current password")
    func changePassword() async throws {
        try await withTestApp { app in
            let phone = try await Fixtures.member(app)
            let laptop = try await app.send(.POST, "/api/v1/auth/login", json: LoginRequest(login: "13800138000", password: Fixtures.password))
                .decode(MemberSession.self)
            let wrong = try await app.send(.POST, "/api/v1/me/password", token: phone.tokens.accessToken,
                                           json: PasswordChange(currentPassword: "nope12345", newPassword: "NewPass123"))
            #expect(wrong.problem?.errors?.first?.field == "currentPassword")
            let changed = try await app.send(.POST, "/api/v1/me/password", token: phone.tokens.accessToken,
                                             json: PasswordChange(currentPassword: Fixtures.password, newPassword: "NewPass123"))
            #expect(changed.status == .noContent)
            #expect(try await app.send(.GET, "/api/v1/me", token: phone.tokens.accessToken).status == .ok)
            #expect(try await app.send(.GET, "/api/v1/me", token: laptop.tokens.accessToken).status == .unauthorized)
            #expect(try await app.send(.POST, "/api/v1/auth/login", json: LoginRequest(login: "13800138000", password: "NewPass123")).status == .ok)
        }
    }

    @Test("profile edits validate each field")
    func profile() async throws {
        try await withTestApp { app in
            let session = try await Fixtures.member(app)
            let token = session.tokens.accessToken
            let ok = try await app.send(.PATCH, "/api/v1/me", token: token,
                                        json: MemberProfileUpdate(nickname: "小王", avatarUrl: "https://img.example.com/a.png", gender: .female, birthday: "1995-06-18"))
            let profile = try ok.decode(MemberProfile.self)
            #expect(profile.nickname == "小王")
            #expect(profile.gender == .female)
            #expect(profile.birthday?.description == "1995-06-18")
            #expect(profile.avatarUrl == "https://img.example.com/a.png")

            let bad = try await app.send(.PATCH, "/api/v1/me", token: token,
                                         json: MemberProfileUpdate(nickname: "", avatarUrl: "javascript:alert(1)", birthday: "2099-01-01"))
            #expect(Set(bad.problem?.errors?.map(\.field) ?? []) == ["nickname", "avatarUrl", "birthday"])
            let unchanged = try await app.send(.GET, "/api/v1/me", token: token).decode(MemberProfile.self)
            #expect(unchanged == profile, "a rejected edit changes nothing")

            let badGender = try await app.send(.PATCH, "/api/v1/me", token: token, raw: "{\"gender\":\"robot\"}")
            #expect(badGender.status == .unprocessableEntity)
            #expect(badGender.problem?.errors?.first?.field == "gender")
        }
    }

    @Test("addresses: one default, the first is default, deleting the default promotes the next")
    func addresses() async throws {
        try await withTestApp { app in
            let token = try await Fixtures.member(app).tokens.accessToken
            func input(_ detail: String, isDefault: Bool? = nil) -> AddressInput {
                AddressInput(contactName: "王小明", phone: "13800138000", province: "上海市", city: "上海市", district: "静安区",
                             detail: detail, latitude: 31.22, longitude: 121.44, isDefault: isDefault)
            }
            let home = try await app.send(.POST, "/api/v1/me/addresses", token: token, json: input("愚园路168号")).decode(Address.self)
            #expect(home.isDefault)
            let office = try await app.send(.POST, "/api/v1/me/addresses", token: token, json: input("世纪大道8号")).decode(Address.self)
            #expect(!office.isDefault)
            _ = try await app.send(.POST, "/api/v1/me/addresses/\(office.id)/default", token: token)
            var list = try await app.send(.GET, "/api/v1/me/addresses", token: token).decode([Address].self)
            #expect(list.filter(\.isDefault).map(\.id) == [office.id])

            #expect(try await app.send(.DELETE, "/api/v1/me/addresses/\(office.id)", token: token).status == .noContent)
            list = try await app.send(.GET, "/api/v1/me/addresses", token: token).decode([Address].self)
            #expect(list.map(\.id) == [home.id])
            #expect(list.first?.isDefault == true)

            var halfPoint = input("x路1号")
            halfPoint.longitude = nil
            halfPoint.phone = "123"
            let bad = try await app.send(.POST, "/api/v1/me/addresses", token: token, json: halfPoint)
            #expect(Set(bad.problem?.errors?.map(\.field) ?? []) == ["phone", "longitude"])

            // Typed without a location: placed at its district's centre, so delivery can be routed.
            var typed = input("延安中路1000号")
            typed.latitude = nil
            typed.longitude = nil
            let placed = try await app.send(.POST, "/api/v1/me/addresses", token: token, json: typed).decode(Address.self)
            let centre = try #require(DistrictCentres.centre(city: "上海市", district: "静安区"))
            #expect(placed.latitude == centre.latitude && placed.longitude == centre.longitude)
            typed.city = "北京市"
            typed.district = "朝阳区"
            let elsewhere = try await app.send(.PUT, "/api/v1/me/addresses/\(placed.id)", token: token, json: typed).decode(Address.self)
            #expect(elsewhere.latitude == nil && elsewhere.longitude == nil, "a city the mall does not serve gets no guessed point")

            let stranger = try await Fixtures.member(app, mobile: "13900000002").tokens.accessToken
            #expect(try await app.send(.PUT, "/api/v1/me/addresses/\(home.id)", token: stranger, json: input("偷梁换柱")).status == .notFound)
            #expect(try await app.send(.DELETE, "/api/v1/me/addresses/\(home.id)", token: stranger).status == .notFound)
        }
    }

    @Test("staff tokens cannot use member endpoints and member tokens cannot use staff endpoints")
    func tokenKinds() async throws {
        try await withTestApp { app in
            let member = try await Fixtures.member(app).tokens.accessToken
            let (_, staff) = try await Fixtures.staff(app, "root", role: .platformAdmin, scope: .platform)
            #expect(try await app.send(.GET, "/api/v1/me", token: staff).status == .forbidden)
            #expect(try await app.send(.GET, "/api/v1/admin/stores", token: member).status == .forbidden)
            #expect(try await app.send(.GET, "/api/v1/admin/stores").status == .unauthorized)
        }
    }
}
