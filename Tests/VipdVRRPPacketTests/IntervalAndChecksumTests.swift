import Testing

@testable import VipdVRRPPacket

@Suite("advertisement interval and Internet checksum")
struct IntervalAndChecksumTests {
    @Test func version2IntervalIsWholeSeconds1To255() {
        #expect(VRRPVersion.v2.wireInterval(for: .seconds(1)) == 1)
        #expect(VRRPVersion.v2.wireInterval(for: .seconds(255)) == 255)
        #expect(VRRPVersion.v2.wireInterval(for: .seconds(0)) == nil)
        #expect(VRRPVersion.v2.wireInterval(for: .seconds(256)) == nil)
        #expect(VRRPVersion.v2.wireInterval(for: .milliseconds(1500)) == nil)
        #expect(VRRPVersion.v2.wireInterval(for: .seconds(-1)) == nil)
    }

    @Test func version3IntervalIsCentiseconds1To4095() {
        #expect(VRRPVersion.v3.wireInterval(for: .milliseconds(10)) == 1)
        #expect(VRRPVersion.v3.wireInterval(for: .milliseconds(100)) == 10)
        #expect(VRRPVersion.v3.wireInterval(for: .seconds(1)) == 100)
        #expect(VRRPVersion.v3.wireInterval(for: .milliseconds(40_950)) == 4095)
        #expect(VRRPVersion.v3.wireInterval(for: .milliseconds(40_960)) == nil)
        #expect(VRRPVersion.v3.wireInterval(for: .milliseconds(15)) == nil)
        #expect(VRRPVersion.v3.wireInterval(for: .zero) == nil)
        #expect(VRRPVersion.v3.wireInterval(for: .milliseconds(-10)) == nil)
        #expect(VRRPVersion.v3.wireInterval(for: .seconds(Int64.max)) == nil)
    }

    @Test func wireIntervalRoundTrips() {
        for version in VRRPVersion.allCases {
            for units in [UInt16(1), 2, 99, 100, 255] {
                #expect(version.wireInterval(for: version.interval(fromWire: units)) == units)
            }
        }
        #expect(VRRPVersion.v3.wireInterval(for: VRRPVersion.v3.interval(fromWire: 4095)) == 4095)
    }

    /// RFC 1071 section 3's worked example: the sum of 00 01 f2 03 f4 f5 f6 f7 is ddf2.
    @Test func rfc1071Example() {
        var checksum = InternetChecksum()
        checksum.add([0x00, 0x01, 0xF2, 0x03, 0xF4, 0xF5, 0xF6, 0xF7])
        #expect(checksum.value == ~UInt16(0xDDF2))
    }

    @Test func oddLengthIsPaddedAndWordsAddLikeBytes() {
        var odd = InternetChecksum()
        odd.add([0xAB, 0xCD, 0xEF])
        #expect(odd.value == internetChecksum([0xAB, 0xCD, 0xEF, 0x00]))
        var words = InternetChecksum()
        words.add(word: 0xFFFF)
        words.add(word: 0x0001)
        #expect(words.value == internetChecksum([0xFF, 0xFF, 0x00, 0x01]))
    }

    @Test func dataHoldingItsChecksumSumsToZero() {
        let data: [UInt8] = [0x45, 0x00, 0x00, 0x1C, 0x12, 0x34, 0x00, 0x00, 0xFF, 0x70]
        var first = InternetChecksum()
        first.add(data)
        let value = first.value
        var second = InternetChecksum()
        second.add(data + [UInt8(value >> 8), UInt8(value & 0xFF)])
        #expect(second.value == 0)
    }
}
