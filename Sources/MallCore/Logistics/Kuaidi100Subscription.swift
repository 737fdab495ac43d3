import Foundation

/// Where a shipment's Kuaidi100 subscription stands. Without a subscription Kuaidi100 never
/// pushes scans, so the shopper's tracking would stay empty.
public enum TrackingSubscriptionState: String, Codable, Sendable, CaseIterable {
    /// Asked for (a job will send it, again after failures).
    case pending
    /// Kuaidi100 tracks the parcel and pushes its scans.
    case subscribed
    /// Kuaidi100 refused it for a reason that sending it again cannot change (see the note).
    case refused
}

/// One subscription request (快递100 订阅接口: POST to https://poll.kuaidi100.com/poll with the
/// form fields `schema=json` and `param`). After it Kuaidi100 follows the parcel and pushes
/// every change to `callbackURL`, signed with `salt` (see `Kuaidi100Push`).
public struct Kuaidi100Subscription: Sendable, Equatable {
    /// Kuaidi100's company code (`Carrier.kuaidi100Code`), lower case.
    public var company: String
    /// The tracking number.
    public var number: String
    /// The account's 授权 key.
    public var key: String
    public var callbackURL: String
    public var salt: String
    /// The recipient's or sender's phone. SF Express (顺丰) only shows a parcel's scans to a
    /// subscription that names it; other carriers ignore it.
    public var phone: String?

    public init(company: String, number: String, key: String, callbackURL: String, salt: String, phone: String? = nil) {
        self.company = company
        self.number = number
        self.key = key
        self.callbackURL = callbackURL
        self.salt = salt
        self.phone = phone
    }

    private struct Param: Encodable {
        struct Parameters: Encodable {
            var callbackurl: String
            var salt: String
            /// "1": scans carry the place they happened (`areaName`), which the tracking timeline shows.
            var resultv2 = "1"
            var phone: String?
        }

        var company: String
        var number: String
        var key: String
        var parameters: Parameters
    }

    /// The `param` form field: the request as JSON, keys sorted so the same shipment always
    /// sends the same text.
    public func param() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let value = Param(company: company, number: number, key: key,
                          parameters: .init(callbackurl: callbackURL, salt: salt, phone: phone.flatMap { $0.isEmpty ? nil : $0 }))
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

/// Kuaidi100's answer to a subscription (`{"result":true,"returnCode":"200","message":"提交成功"}`)
/// and what to do about it.
public struct Kuaidi100SubscriptionAnswer: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        /// Kuaidi100 follows the parcel.
        case subscribed
        /// A passing fault: send the same subscription again later.
        case retry(String)
        /// The request itself is wrong; sending it again cannot help.
        case refused(String)
    }

    public var result: Bool
    public var returnCode: String
    public var message: String

    public init(result: Bool, returnCode: String, message: String) {
        self.result = result
        self.returnCode = returnCode
        self.message = message
    }

    private struct Wire: Decodable {
        var result: Bool?
        var returnCode: String?
        var message: String?

        enum CodingKeys: String, CodingKey { case result, returnCode, message }

        // The documentation writes `result` as a boolean and `returnCode` as a string, but its
        // older examples write `"result":"true"`; both spellings of each are read.
        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            if let flag = try? container.decode(Bool.self, forKey: .result) {
                result = flag
            } else {
                result = (try? container.decode(String.self, forKey: .result)).map { $0.lowercased() == "true" }
            }
            if let code = try? container.decode(String.self, forKey: .returnCode) {
                returnCode = code
            } else {
                returnCode = (try? container.decode(Int.self, forKey: .returnCode)).map(String.init)
            }
            message = try? container.decode(String.self, forKey: .message)
        }
    }

    /// Reads the answer's JSON; anything without a `returnCode` is not an answer.
    public init(json: Data) throws {
        guard let wire = try? JSONDecoder().decode(Wire.self, from: json), let code = wire.returnCode else {
            throw ValidationFailure(field: "returnCode", message: "is missing from the Kuaidi100 answer")
        }
        self.init(result: wire.result ?? false, returnCode: code, message: String((wire.message ?? "").prefix(200)))
    }

    /// Kuaidi100's return codes (订阅接口 返回结果):
    /// - 200 提交成功; 501 重复订阅 — the parcel is already being tracked and the repeat is
    ///   ignored, so tracking is on either way (a retried job sees 501 after a lost 200).
    /// - 500 服务器错误: a passing fault at Kuaidi100 — try again.
    /// - 600 not a valid key, 601 key expired, 700 bad data or callback URL, 701 carrier refused,
    ///   702 carrier not recognised: the same request fails the same way — give up and say why.
    /// - Anything else is unknown: try again rather than lose the parcel's tracking.
    public var outcome: Outcome {
        let said = "\(returnCode) \(message)"
        switch returnCode {
        case "200", "501": return .subscribed
        case "600", "601", "700", "701", "702": return .refused(said)
        default: return .retry(said)
        }
    }
}
