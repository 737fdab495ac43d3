/// Where a product stands in platform review. Only approved content may be shown to shoppers.
public enum ProductStatus: String, Codable, Sendable, CaseIterable {
    /// Being written or changed by the merchant; never visible to shoppers.
    case draft
    /// Submitted and frozen until a reviewer decides or the merchant withdraws it.
    case pendingReview = "pending_review"
    /// Content accepted; the merchant may put it on the shelf.
    case approved
    /// Turned down with a reason the merchant can act on.
    case rejected
}

/// A product's review status and shelf state as one value state machine: one mutating method
/// per event, each either moving to the next state or throwing `IllegalTransition`.
///
/// Invariants: the product is on the shelf only while approved, and `rejectionReason` is set
/// only while rejected (review history belongs in an audit log, not in the current state).
public struct ProductLifecycle: Equatable, Sendable, Codable {
    public private(set) var status: ProductStatus
    /// Listed for sale. Shelving is the merchant's choice, but only for approved content.
    public private(set) var onShelf: Bool
    public private(set) var rejectionReason: String?

    /// Restores a stored state. A combination that breaks the invariants (on the shelf while in
    /// draft, say) is read in its safe form: off the shelf, without a stale reason.
    public init(status: ProductStatus = .draft, onShelf: Bool = false, rejectionReason: String? = nil) {
        self.status = status
        self.onShelf = onShelf && status == .approved
        self.rejectionReason = status == .rejected ? rejectionReason : nil
    }

    private enum CodingKeys: String, CodingKey {
        case status, onShelf, rejectionReason
    }

    /// Decoding goes through `init` so stored data cannot smuggle in a broken state.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            status: try container.decode(ProductStatus.self, forKey: .status),
            onShelf: try container.decodeIfPresent(Bool.self, forKey: .onShelf) ?? false,
            rejectionReason: try container.decodeIfPresent(String.self, forKey: .rejectionReason)
        )
    }

    /// The merchant sends the product to the platform for review.
    public mutating func submit() throws {
        switch status {
        case .draft, .rejected:
            // First submission, or a resubmission after fixing what the reviewer flagged.
            status = .pendingReview
            rejectionReason = nil
        case .pendingReview:
            throw illegal(to: .pendingReview, "the product is already waiting for review")
        case .approved:
            throw illegal(to: .pendingReview, "the product is already approved; edit it to send a new version")
        }
    }

    /// A reviewer accepts the content. Approval does not shelve it: the merchant decides when to sell.
    public mutating func approve() throws {
        switch status {
        case .pendingReview:
            status = .approved
        case .draft, .rejected:
            throw illegal(to: .approved, "only a product waiting for review can be approved")
        case .approved:
            throw illegal(to: .approved, "the product is already approved")
        }
    }

    /// A reviewer turns the content down. The reason (2–200 characters) is shown to the
    /// merchant, so an empty one is a `ValidationFailure` on field `reason`.
    public mutating func reject(reason: String) throws {
        switch status {
        case .pendingReview:
            // The state is checked first: an illegal step is worth reporting even with a bad reason.
            rejectionReason = try TextRule.check(reason, field: "reason", min: 2, max: 200)
            status = .rejected
        case .draft, .approved:
            throw illegal(to: .rejected, "only a product waiting for review can be rejected")
        case .rejected:
            throw illegal(to: .rejected, "the product is already rejected")
        }
    }

    /// The merchant changes the content (title, images, description…).
    public mutating func edit() throws {
        switch status {
        case .draft:
            // Drafts are edited freely.
            break
        case .rejected:
            // Fixing a rejected product starts a new draft.
            status = .draft
            rejectionReason = nil
        case .approved:
            // Shoppers must never see unreviewed content, so the edit leaves the shelf at once
            // and the product needs review again.
            status = .draft
            onShelf = false
        case .pendingReview:
            throw illegal(to: .draft, "withdraw the product from review before editing it, so the reviewer does not judge a moving target")
        }
    }

    /// The merchant takes back a submission, e.g. to make one more change.
    public mutating func withdraw() throws {
        switch status {
        case .pendingReview:
            status = .draft
        case .draft, .approved, .rejected:
            throw illegal(to: .draft, "only a product waiting for review can be withdrawn")
        }
    }

    /// The merchant lists the approved product for sale.
    public mutating func putOnShelf() throws {
        switch (status, onShelf) {
        case (.approved, false):
            onShelf = true
        case (.approved, true):
            throw IllegalTransition(from: "on_shelf", to: "on_shelf", reason: "the product is already on the shelf")
        case (.draft, _), (.pendingReview, _), (.rejected, _):
            throw IllegalTransition(from: status.rawValue, to: "on_shelf", reason: "only an approved product can go on the shelf")
        }
    }

    /// The merchant (or the platform) stops selling the product; it stays approved and can return.
    public mutating func takeOffShelf() throws {
        switch (status, onShelf) {
        case (.approved, true):
            onShelf = false
        case (.approved, false), (.draft, _), (.pendingReview, _), (.rejected, _):
            throw IllegalTransition(from: "off_shelf", to: "off_shelf", reason: "the product is not on the shelf")
        }
    }

    private func illegal(to target: ProductStatus, _ reason: String) -> IllegalTransition {
        IllegalTransition(from: status.rawValue, to: target.rawValue, reason: reason)
    }
}
