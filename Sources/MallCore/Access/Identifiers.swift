import Foundation

/// Distinct id types, because passing a store id where a merchant id belongs is exactly the
/// kind of bug that leaks one tenant's data to another.
public struct MerchantID: Hashable, Codable, Sendable, Comparable {
    public let rawValue: UUID
    public init(_ rawValue: UUID) { self.rawValue = rawValue }
    public init(from decoder: Decoder) throws { rawValue = try decoder.singleValueContainer().decode(UUID.self) }
    public func encode(to encoder: Encoder) throws { var c = encoder.singleValueContainer(); try c.encode(rawValue) }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue.uuidString < b.rawValue.uuidString }
}

public struct StoreID: Hashable, Codable, Sendable, Comparable {
    public let rawValue: UUID
    public init(_ rawValue: UUID) { self.rawValue = rawValue }
    public init(from decoder: Decoder) throws { rawValue = try decoder.singleValueContainer().decode(UUID.self) }
    public func encode(to encoder: Encoder) throws { var c = encoder.singleValueContainer(); try c.encode(rawValue) }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue.uuidString < b.rawValue.uuidString }
}
