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

} // namespace fuzzchecks
