import XCTest

@testable import VipdProxy

final class SlotListTests: XCTestCase {
    private final class Member: SlotListMember {
        var slotListIndex = -1
    }

    func testEveryMemberKnowsItsSlotAfterAddsAndRemovalsInAnyOrder() {
        var list = SlotList<Member>()
        let members = (0..<6).map { _ in Member() }
        for member in members { list.add(member) }
        for removed in [members[0], members[5], members[2]] {
            XCTAssertTrue(list.remove(removed))
            XCTAssertEqual(removed.slotListIndex, -1)
        }
        XCTAssertEqual(Set(list.members.map(ObjectIdentifier.init)), Set([1, 3, 4].map { ObjectIdentifier(members[$0]) }))
        for (index, member) in list.members.enumerated() {
            XCTAssertEqual(member.slotListIndex, index)
        }
    }

    func testRemovingWhatIsNotThereChangesNothing() {
        var list = SlotList<Member>()
        var other = SlotList<Member>()
        let kept = Member()
        let elsewhere = Member()
        list.add(kept)
        other.add(elsewhere)
        XCTAssertFalse(list.remove(elsewhere), "a member of another list at the same index")
        XCTAssertFalse(list.remove(Member()))
        XCTAssertTrue(list.remove(kept))
        XCTAssertFalse(list.remove(kept), "removed twice")
        XCTAssertTrue(list.isEmpty)
        XCTAssertEqual(elsewhere.slotListIndex, 0)
    }
}
