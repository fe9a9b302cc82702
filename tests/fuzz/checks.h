#pragma once

#include <QByteArrayView>
#include <QString>

// What each fuzz target does with one input, shared by the libFuzzer targets (fuzz_*.cpp) and by tst_fuzzcorpus,
// which replays the seed corpus and every input that once crashed through the same code in the ordinary test run.
// Each returns an empty string, or the invariant that broke.
namespace fuzzchecks {

// ipmsg::decode; a decoded packet re-encodes to bytes that decode to the same packet; parseEntry on it.
QString ipmsgPacket(QByteArrayView data);
// The plain-text path: textcodec::decode (both ways of flagging) and textcodec::printable, which must leave no
// control character, C1 control or bidirectional override in what reaches a terminal.
QString plainText(QByteArrayView data);
// A stream of parts from a few senders into a Reassembler with small limits, which must hold at all times.
QString fragments(QByteArrayView data);
// ContactBook::parse; what it accepts serializes to a file that parses to the same contacts.
QString contacts(QByteArrayView data);
// The encryption's decoders (cryptowire.h): the data as a sealed envelope (decode/encode round trip, then opened by
// a channel with fixed keys: refused unless it was sealed under them, and never opened twice) and as an entry
// packet's extension holding a key announcement (a found announcement re-encodes to itself; its signature is
// checked without crashing).
QString envelope(QByteArrayView data);
// grouppayload::decode; what it accepts re-encodes to bytes that decode to the same payload, and a roster made of
// its members stays within the bounds.
QString groupPayload(QByteArrayView data);
// PinnedKeys::parse; what it accepts serializes to a file that parses to the same pinned keys.
QString pinnedKeys(QByteArrayView data);

// The file payloads (filewire.h): a decoded payload re-encodes to the same bytes; the data as a manifest: a decoded
// one re-encodes to the same bytes, and the name checks (safename.h) run over it; a manifest they accept has only
// relative paths under its first entry, with no "." or ".." component.
QString filePayload(QByteArrayView data);

// The IP Messenger family's file protocol (ipmsgfilewire.h). The data as an attachment list: a decoded list holds
// 1..MaxAttachments entries with non-empty names of at most MaxNameBytes and sizes of at most 2^62, and re-encodes to
// bytes that decode to the same list. The data as a folder stream, header after header (each header's file bytes
// skipped): an accepted header is no longer than MaxHeaderBytes, re-encodes to a header that parses to itself, and
// every shorter prefix of it parses as NeedMore; NeedMore only while less than MaxHeaderBytes remain.
QString ipmsgFiles(QByteArrayView data);

// The fixed session keys and identities of envelope(): the side that seals the seeds in corpus/envelope/ (the
// receiving side swaps them).
struct FuzzKeys {
    unsigned char send, receive, self, peer;
};
inline constexpr FuzzKeys EnvelopeSender{0x22, 0x11, 0xBB, 0xAA};

// Whole datagrams into the engine: a Messenger over the fake transport with a temporary History, a contact "Alice"
// (127.0.0.2:2425, IPMsg), a plain-text contact and a message on its way to Alice. The input is a list of records
// [source byte][length byte][that many bytes] (the last one takes what is left); the source byte picks Alice, Alice
// on another port, the plain-text contact or a stranger. After the input: no crash, every table within its limit,
// nothing stored empty, everything sent a valid IPMsg packet (or text to the plain-text contact).
QString engine(QByteArrayView data);

} // namespace fuzzchecks
