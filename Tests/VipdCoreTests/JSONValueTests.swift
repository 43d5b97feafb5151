import Foundation
import VipdCore
import XCTest

/// JSON values read through JSONDecoder, as the listings of nft and ip and the monitor's lines are.
final class JSONValueTests: XCTestCase {
    private func decode(_ text: String) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    func testEveryKindOfValue() throws {
        let value = try XCTUnwrap(decode(#"{"a": [1, -2.5, "x", true, null, {"b": 3}], "c": "d"}"#))
        let array = try XCTUnwrap(value["a"]?.arrayValue)
        XCTAssertEqual(array.count, 6)
        XCTAssertEqual(array[0].integerValue, 1)
        XCTAssertEqual(array[1].numberValue, -2.5)
        XCTAssertNil(array[1].integerValue)
        XCTAssertEqual(array[2].stringValue, "x")
        XCTAssertEqual(array[3].text, "true")
        XCTAssertEqual(array[4].text, "null")
        XCTAssertEqual(array[5]["b"]?.integerValue, 3)
        XCTAssertEqual(array[0].numberValue, 1)
        XCTAssertEqual(value["c"]?.stringValue, "d")
        XCTAssertEqual(value.objectMembers?.map(\.0).sorted(), ["a", "c"])
    }

    func testAccessorsOfTheWrongKindAreNil() throws {
        let value = try XCTUnwrap(decode(#"["1", 2]"#))
        XCTAssertNil(value["key"])
        XCTAssertNil(value.objectMembers)
        XCTAssertNil(value.stringValue)
        XCTAssertNil(value.arrayValue?[0].integerValue)
        XCTAssertNil(value.arrayValue?[1].stringValue)
        XCTAssertNil(value.arrayValue?[1]["key"])
    }

    func testWrittenBackAsCompactJSON() throws {
        let value = try XCTUnwrap(decode(#" [ "a\nb" , { "k" : [ ] } ] "#))
        XCTAssertEqual(value.text, #"["a\nb",{"k":[]}]"#)
    }

    func testNotJSONIsAnError() {
        for text in ["", "{", "{\"a\" 1}", "nul", String(repeating: "[", count: 100_000)] {
            XCTAssertNil(decode(text), text.prefix(20).description)
        }
    }
}
