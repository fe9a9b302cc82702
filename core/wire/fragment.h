#pragma once

#include "endpoint.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QHash>

#include <optional>

// Long messages between Pigeons travel as parts small enough to avoid IP fragmentation, each its own IPMsg packet
// (mode PigeonFragment, acked with RECVMSG like a SENDMSG). The extension of a part is
//
//   messageNo ":" index ":" count ":" bytes
//
// where messageNo is the packet number of part 0, index counts from 0 and the bytes of all parts, in order, are the
// UTF-8 text. Other IPMsg clients ignore the unknown mode.
namespace fragment {

inline constexpr qsizetype PartBytes = 1200; // payload per part: 1 200 + header < 1 280 (IPv6 minimum MTU)
// Payload per part sealed for a Pigeon that encrypts: the envelope adds cryptowire::Overhead (49) and an outer IPMsg
// header of at most 42 bytes (cryptowire.h), so its parts are 96 bytes shorter to stay under the same 1 280.
inline constexpr qsizetype SealedPartBytes = PartBytes - 96;
inline constexpr qsizetype MaxMessageBytes = 1 << 20; // 1 MiB of text
inline constexpr int MaxParts = int((MaxMessageBytes + PartBytes - 1) / PartBytes);

struct Part {
    quint64 messageNo = 0;
    int index = 0;
    int count = 0;
    QByteArray bytes;
};

QByteArray encode(const Part& part);
std::optional<Part> decode(QByteArrayView extension, QString* error = nullptr);
// Cuts `text` into parts of at most `partBytes` (PartBytes, or SealedPartBytes for a Pigeon that encrypts).
QList<QByteArray> split(const QByteArray& text, qsizetype partBytes = PartBytes);

} // namespace fragment

// Collects the parts of long messages until each is whole. Memory is bounded: a message over MaxMessageBytes, more
// than `maxPending` half-received messages or more than `maxBytes` held in all are refused, and a message with no new
// part for `timeoutMs` is dropped with everything it held.
class Reassembler {
public:
    struct Limits {
        int maxPending = 64;
        qsizetype maxBytes = 32 * fragment::MaxMessageBytes;
        int maxPendingPerSource = 8;
        qint64 timeoutMs = 60'000;
    };
    enum class Outcome { Stored, Duplicate, Complete, Refused };
    struct Result {
        Outcome outcome = Outcome::Refused;
        QByteArray text; // the whole message, on Complete
        QString error;   // why, on Refused
    };

    Reassembler() = default;
    explicit Reassembler(Limits limits)
        : m_limits(limits)
    {
    }

    Result add(const Endpoint& from, const fragment::Part& part, qint64 nowMs);
    // Drops messages that have waited too long; returns how many.
    int expire(qint64 nowMs);
    int pending() const { return int(m_messages.size()); }
    qsizetype heldBytes() const { return m_heldBytes; }

private:
    struct Key {
        Endpoint from;
        quint64 messageNo;
        friend bool operator==(const Key&, const Key&) = default;
        friend size_t qHash(const Key& key, size_t seed = 0) { return qHashMulti(seed, key.from, key.messageNo); }
    };
    struct Pending {
        QList<QByteArray> parts;
        int received = 0;
        qsizetype bytes = 0;
        qint64 lastMs = 0;
    };

    Limits m_limits;
    QHash<Key, Pending> m_messages;
    qsizetype m_heldBytes = 0;
};
