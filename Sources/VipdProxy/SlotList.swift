/// An object kept in a ``SlotList``: it remembers where, so that its removal needs no search.
protocol SlotListMember: AnyObject {
    /// Its index in the list that keeps it; -1 in none.
    var slotListIndex: Int { get set }
}

/// Objects in no particular order, each added and removed in constant time (a removal moves the last
/// member into the freed slot). A member is in at most one list at a time.
struct SlotList<Member: SlotListMember> {
    /// The members, in no particular order.
    private(set) var members: [Member] = []

    var count: Int { members.count }
    var isEmpty: Bool { members.isEmpty }

    mutating func add(_ member: Member) {
        member.slotListIndex = members.count
        members.append(member)
    }

    /// Removes `member`; false (and nothing changed) when it is not in this list.
    @discardableResult
    mutating func remove(_ member: Member) -> Bool {
        let slot = member.slotListIndex
        guard slot >= 0, slot < members.count, members[slot] === member else { return false }
        let last = members.removeLast()
        if slot < members.count {
            members[slot] = last
            last.slotListIndex = slot
        }
        member.slotListIndex = -1
        return true
    }
}
