import Foundation
import MallCore
import Testing

@Suite("Product review and shelf workflow")
struct ProductLifecycleTests {
    enum Event: String, CaseIterable, Sendable {
        case submit, approve, reject, edit, withdraw, putOnShelf, takeOffShelf

        func apply(to lifecycle: inout ProductLifecycle) throws {
            switch self {
            case .submit: try lifecycle.submit()
            case .approve: try lifecycle.approve()
            case .reject: try lifecycle.reject(reason: "主图模糊")
            case .edit: try lifecycle.edit()
            case .withdraw: try lifecycle.withdraw()
            case .putOnShelf: try lifecycle.putOnShelf()
            case .takeOffShelf: try lifecycle.takeOffShelf()
            }
        }
    }

    static let draft = ProductLifecycle()
    static let pending = ProductLifecycle(status: .pendingReview)
    static let approved = ProductLifecycle(status: .approved)
    static let onShelf = ProductLifecycle(status: .approved, onShelf: true)
    static let rejected = ProductLifecycle(status: .rejected, rejectionReason: "主图模糊")

    /// The whole machine: every state against every event; nil means the step is illegal.
    static let table: [(ProductLifecycle, Event, ProductLifecycle?)] = [
        (draft, .submit, pending), (pending, .submit, nil), (approved, .submit, nil), (onShelf, .submit, nil), (rejected, .submit, pending),
        (draft, .approve, nil), (pending, .approve, approved), (approved, .approve, nil), (onShelf, .approve, nil), (rejected, .approve, nil),
        (draft, .reject, nil), (pending, .reject, rejected), (approved, .reject, nil), (onShelf, .reject, nil), (rejected, .reject, nil),
        (draft, .edit, draft), (pending, .edit, nil), (approved, .edit, draft), (onShelf, .edit, draft), (rejected, .edit, draft),
        (draft, .withdraw, nil), (pending, .withdraw, draft), (approved, .withdraw, nil), (onShelf, .withdraw, nil), (rejected, .withdraw, nil),
        (draft, .putOnShelf, nil), (pending, .putOnShelf, nil), (approved, .putOnShelf, onShelf), (onShelf, .putOnShelf, nil), (rejected, .putOnShelf, nil),
        (draft, .takeOffShelf, nil), (pending, .takeOffShelf, nil), (approved, .takeOffShelf, nil), (onShelf, .takeOffShelf, approved), (rejected, .takeOffShelf, nil),
    ]

    @Test("every state and event pair behaves as the table says")
    func transitionTable() {
        #expect(Self.table.count == 5 * Event.allCases.count, "the table covers every pair")
        for (start, event, expected) in Self.table {
            var lifecycle = start
            do {
                try event.apply(to: &lifecycle)
                #expect(lifecycle == expected, "\(start) on \(event)")
            } catch is IllegalTransition {
                #expect(expected == nil, "\(start) on \(event) should have been allowed")
                #expect(lifecycle == start, "a refused step changes nothing")
            } catch {
                Issue.record("\(start) on \(event): unexpected \(error)")
            }
        }
    }

    @Test("the usual path: draft, review, rejection, fix, approval, shelf")
    func happyPath() throws {
        var product = ProductLifecycle()
        try product.submit()
        try product.reject(reason: "  缺少食品生产许可证编号  ")
        #expect(product.status == .rejected)
        #expect(product.rejectionReason == "缺少食品生产许可证编号", "the reason is trimmed")
        try product.edit()
        #expect(product == ProductLifecycle(status: .draft), "fixing starts a new draft and clears the reason")
        try product.submit()
        try product.approve()
        #expect(product.status == .approved && !product.onShelf, "approval does not shelve by itself")
        try product.putOnShelf()
        #expect(product.onShelf)
    }

    @Test("editing approved content takes it off the shelf until it is reviewed again")
    func editLeavesShelf() throws {
        var product = ProductLifecycle(status: .approved, onShelf: true)
        try product.edit()
        #expect(product.status == .draft)
        #expect(!product.onShelf)
        #expect(throws: IllegalTransition.self) { try product.putOnShelf() }
    }

    @Test("a submission must be withdrawn before it is edited")
    func withdrawBeforeEdit() throws {
        var product = ProductLifecycle(status: .pendingReview)
        #expect(throws: IllegalTransition(from: "pending_review", to: "draft",
                                          reason: "withdraw the product from review before editing it, so the reviewer does not judge a moving target")) {
            try product.edit()
        }
        try product.withdraw()
        try product.edit()
        #expect(product.status == .draft)
    }

    @Test("a rejection needs a reason of 2 to 200 characters")
    func rejectionReason() throws {
        var product = ProductLifecycle(status: .pendingReview)
        #expect(throws: ValidationFailure(field: "reason", message: "must be at least 2 characters")) { try product.reject(reason: " 差 ") }
        #expect(throws: ValidationFailure(field: "reason", message: "must be at most 200 characters")) {
            try product.reject(reason: String(repeating: "违", count: 201))
        }
        #expect(product == ProductLifecycle(status: .pendingReview), "a bad reason leaves the product waiting")
        try product.reject(reason: String(repeating: "违", count: 200))
        #expect(product.rejectionReason?.count == 200)
    }

    @Test("illegal steps explain themselves")
    func messages() {
        var product = ProductLifecycle()
        #expect(throws: IllegalTransition(from: "draft", to: "on_shelf", reason: "only an approved product can go on the shelf")) {
            try product.putOnShelf()
        }
        var shelved = ProductLifecycle(status: .approved, onShelf: true)
        #expect(throws: IllegalTransition(from: "on_shelf", to: "on_shelf", reason: "the product is already on the shelf")) {
            try shelved.putOnShelf()
        }
        #expect(throws: IllegalTransition(from: "approved", to: "pending_review",
                                          reason: "the product is already approved; edit it to send a new version")) {
            try shelved.submit()
        }
    }

    @Test("stored states that break the invariants are read safely")
    func normalisedInit() throws {
        #expect(!ProductLifecycle(status: .draft, onShelf: true).onShelf)
        #expect(!ProductLifecycle(status: .pendingReview, onShelf: true).onShelf)
        #expect(ProductLifecycle(status: .approved, rejectionReason: "旧原因").rejectionReason == nil)
        let json = Data(#"{"status":"draft","onShelf":true,"rejectionReason":"x"}"#.utf8)
        #expect(try JSONDecoder().decode(ProductLifecycle.self, from: json) == ProductLifecycle(status: .draft))
    }

    @Test("round-trips through JSON with snake_case status values")
    func codable() throws {
        let original = ProductLifecycle(status: .rejected, rejectionReason: "主图模糊")
        let data = try JSONEncoder().encode(original)
        #expect(String(decoding: data, as: UTF8.self).contains(#""status":"rejected""#))
        #expect(try JSONDecoder().decode(ProductLifecycle.self, from: data) == original)
        #expect(try JSONEncoder().encode(ProductStatus.pendingReview) == Data(#""pending_review""#.utf8))
    }

    @Test("random event sequences keep the invariants")
    func invariants() {
        var random = CatalogTestRandom(seed: 2026)
        for _ in 0..<300 {
            var product = ProductLifecycle()
            for _ in 0..<30 {
                try? Event.allCases.randomElement(using: &random)!.apply(to: &product)
                #expect(!product.onShelf || product.status == .approved)
                #expect((product.rejectionReason != nil) == (product.status == .rejected))
            }
        }
    }
}
