/// A bounded map that forgets the entry least likely to be wanted again when it is full, by the
/// CLOCK approximation of least-recently-used: a read sets an entry's reference bit, and the
/// eviction hand sweeps the slots, clearing set bits and taking the first clear one. Reads cost a
/// hash lookup and one bit, without the list splicing of an exact LRU, which matters because the
/// server reads under a lock on every request.
public struct ClockCache<Key: Hashable, Value> {
    fileprivate struct Slot {
        let key: Key
        var value: Value
        var referenced: Bool
    }

    /// The most entries held at once.
    public let capacity: Int
    private var slots: [Slot] = []
    private var index: [Key: Int] = [:]
    private var hand = 0

    /// `capacity` below 1 is taken as 1.
    public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    public var count: Int { slots.count }

    /// The value for `key`, marking it as recently used.
    public mutating func value(for key: Key) -> Value? {
        guard let position = index[key] else { return nil }
        slots[position].referenced = true
        return slots[position].value
    }

    /// Stores `value`, evicting one entry when the cache is full and `key` is new.
    public mutating func insert(_ value: Value, for key: Key) {
        if let position = index[key] {
            slots[position].value = value
            slots[position].referenced = true
            return
        }
        guard slots.count >= capacity else {
            index[key] = slots.count
            slots.append(Slot(key: key, value: value, referenced: false))
            return
        }
        // Every pass clears the bits it meets, so the sweep ends within two turns of the clock.
        while slots[hand].referenced {
            slots[hand].referenced = false
            hand = (hand + 1) % slots.count
        }
        index[slots[hand].key] = nil
        slots[hand] = Slot(key: key, value: value, referenced: false)
        index[key] = hand
        hand = (hand + 1) % slots.count
    }

    public mutating func removeValue(for key: Key) {
        guard let position = index.removeValue(forKey: key) else { return }
        let last = slots.count - 1
        if position != last {
            slots[position] = slots[last]
            index[slots[position].key] = position
        }
        slots.removeLast()
        if hand >= slots.count { hand = 0 }
    }

    public mutating func removeAll(where shouldRemove: (Key, Value) -> Bool) {
        slots.removeAll { shouldRemove($0.key, $0.value) }
        index = Dictionary(uniqueKeysWithValues: slots.enumerated().map { ($0.element.key, $0.offset) })
        hand = 0
    }
}

extension ClockCache: Sendable where Key: Sendable, Value: Sendable {}
extension ClockCache.Slot: Sendable where Key: Sendable, Value: Sendable {}
