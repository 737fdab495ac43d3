import Foundation

/// A carrier the stores hand parcels to. `kuaidi100Code` is the company code Kuaidi100 uses in
/// its subscription and push messages (`com`), so pushed events find their shipment.
public struct Carrier: Hashable, Codable, Sendable {
    public var code: String
    public var name: String
    public var kuaidi100Code: String?
    public var servicePhone: String?

    public init(code: String, name: String, kuaidi100Code: String?, servicePhone: String?) {
        self.code = code
        self.name = name
        self.kuaidi100Code = kuaidi100Code
        self.servicePhone = servicePhone
    }

    /// The store's own courier (同城配送): no tracking number from a carrier, but a named
    /// courier with a phone number the shopper can call.
    public static let storeCourierCode = "store_courier"

    public static let all: [Carrier] = [
        Carrier(code: "sf", name: "顺丰速运", kuaidi100Code: "shunfeng", servicePhone: "95338"),
        Carrier(code: "jd", name: "京东物流", kuaidi100Code: "jd", servicePhone: "950616"),
        Carrier(code: "ems", name: "中国邮政 EMS", kuaidi100Code: "ems", servicePhone: "11183"),
        Carrier(code: "zto", name: "中通快递", kuaidi100Code: "zhongtong", servicePhone: "95311"),
        Carrier(code: "yto", name: "圆通速递", kuaidi100Code: "yuantong", servicePhone: "95554"),
        Carrier(code: "sto", name: "申通快递", kuaidi100Code: "shentong", servicePhone: "95543"),
        Carrier(code: "yd", name: "韵达快递", kuaidi100Code: "yunda", servicePhone: "95546"),
        Carrier(code: "jt", name: "极兔速递", kuaidi100Code: "jtexpress", servicePhone: "956025"),
        Carrier(code: "db", name: "德邦快递", kuaidi100Code: "debangkuaidi", servicePhone: "95353"),
        Carrier(code: storeCourierCode, name: "门店配送（同城）", kuaidi100Code: nil, servicePhone: nil),
    ]

    public static func find(_ code: String) -> Carrier? { all.first { $0.code == code } }
    public static func find(kuaidi100Code: String) -> Carrier? { all.first { $0.kuaidi100Code == kuaidi100Code } }
}

/// Where a parcel is, in the terms we show the shopper.
public enum TrackingState: String, Codable, Sendable, CaseIterable {
    case collected
    case inTransit = "in_transit"
    case outForDelivery = "out_for_delivery"
    case delivered
    case problem
    case returning
    case refused
    case customs

    /// Kuaidi100's `state` values (快递100 推送: 0 在途, 1 揽收, 2 疑难, 3 签收, 4 退签, 5 派件,
    /// 6 退回, 7 转投, 8 清关, 14 拒签). Unknown codes count as in transit rather than being lost.
    public init(kuaidi100State: String) {
        switch kuaidi100State {
        case "1": self = .collected
        case "2": self = .problem
        case "3": self = .delivered
        case "4", "6": self = .returning
        case "5": self = .outForDelivery
        case "8": self = .customs
        case "14": self = .refused
        default: self = .inTransit
        }
    }

    public var label: String {
        switch self {
        case .collected: "已揽收"
        case .inTransit: "运输中"
        case .outForDelivery: "派送中"
        case .delivered: "已签收"
        case .problem: "疑难件"
        case .returning: "退回中"
        case .refused: "已拒签"
        case .customs: "清关中"
        }
    }
}

/// One scan event of a parcel.
public struct TrackingEvent: Hashable, Codable, Sendable {
    public var at: Date
    public var description: String
    public var location: String?
    public var state: TrackingState?

    public init(at: Date, description: String, location: String? = nil, state: TrackingState? = nil) {
        self.at = at
        self.description = description
        self.location = location
        self.state = state
    }
}

/// The JSON inside Kuaidi100's subscription push (`param` form field). The signature
/// (`sign` = upper-case hex MD5 of the `param` text followed by the subscription's salt) is
/// checked by the server before this is parsed.
public struct Kuaidi100Push: Sendable, Equatable {
    public var carrierCode: String
    public var trackingNumber: String
    /// The parcel's overall state when the push was sent.
    public var state: TrackingState
    /// Oldest first.
    public var events: [TrackingEvent]
    /// `abort` pushes mean Kuaidi100 stopped tracking (for example, no scans for 30 days).
    public var trackingStopped: Bool

    private struct Wire: Decodable {
        struct LastResult: Decodable {
            struct Scan: Decodable {
                var context: String
                var time: String?
                var ftime: String?
                var areaName: String?
                var status: String?
            }

            var state: String?
            var com: String
            var nu: String
            var data: [Scan]?
        }

        var status: String?
        var lastResult: LastResult
    }

    /// Parses the push. Scan times are Beijing time without a zone, as Kuaidi100 sends them.
    public init(json: Data) throws {
        let wire: Wire
        do { wire = try JSONDecoder().decode(Wire.self, from: json) } catch {
            throw ValidationFailure(field: "param", message: "is not a Kuaidi100 push message")
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "Asia/Shanghai")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        var events: [TrackingEvent] = []
        for scan in wire.lastResult.data ?? [] {
            guard let text = scan.ftime ?? scan.time, let at = formatter.date(from: text) else {
                throw ValidationFailure(field: "param", message: "has a scan without a readable time")
            }
            let description = scan.context.trimmingWhitespace()
            guard !description.isEmpty else { continue }
            events.append(TrackingEvent(at: at, description: String(description.prefix(500)),
                                        location: scan.areaName.flatMap { $0.isEmpty ? nil : String($0.prefix(100)) }))
        }
        // Kuaidi100 lists the newest scan first.
        events.sort { $0.at < $1.at }
        carrierCode = wire.lastResult.com
        trackingNumber = wire.lastResult.nu
        state = TrackingState(kuaidi100State: wire.lastResult.state ?? "0")
        trackingStopped = wire.status == "abort"
        self.events = events
        if let last = self.events.indices.last { self.events[last].state = state }
    }
}
