#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

#include <optional>
#include <utility>
#include <variant>

// Files between Pigeons: the payloads of Pigeon's private IPMsg mode PigeonFile (0xE4), one per datagram, binary,
// little-endian. Other IPMsg clients ignore the unknown mode, and the engine sends it only to peers it knows are
// Pigeons.
//
//   payload = version(1) kind(1) transferId(8) body
//
// A transfer moves one stream: the manifest (the list of entries, encodeManifest) at offsets [0, M), then the
// contents of the files in manifest order. The offer carries M and the manifest's SHA-256, so a receiver fetches and
// checks the manifest like any other data before it creates anything.
namespace filewire {

inline constexpr quint32 Mode = 0xE4;
inline constexpr quint8 Version = 1;
// Stream bytes per Data payload, at most. A data datagram is at most 1 452 bytes (a 1 500-byte Ethernet MTU minus
// IPv6 and UDP headers; IPv4 leaves 1 472): the IPMsg header of a file datagram <= 48 bytes (fileoutput.cpp: a
// version field <= 19 bytes, a packet number <= 20 digits, empty user and host, the command, the NUL), the Data
// header's 18, and the encryption layer's envelope (49 bytes, and an outer header <= 48 bytes as the inner one).
inline constexpr qsizetype ChunkBytes = 1288;
// What a sender sends until the receiver says it takes ChunkBytes (ChunkSize): a receiver older than ChunkSize
// took at most this.
inline constexpr qsizetype LegacyChunkBytes = 1152;
inline constexpr qsizetype MaxFileHeaderBytes = 48;
inline constexpr qsizetype MaxDatagramBytes = 1452;
// Ranges a selective acknowledgement lists above the cumulative point.
inline constexpr int MaxSackRanges = 16;
// Bounds a manifest must keep (what a receiver holds in memory before anything is written).
inline constexpr quint32 MaxEntries = 100'000;
inline constexpr quint32 MaxManifestBytes = 16u << 20;
inline constexpr qsizetype MaxPathBytes = 4096;
inline constexpr qsizetype MaxNameBytes = 255;
inline constexpr qsizetype Sha256Bytes = 32;

// One file or folder of a manifest. `path` is relative, '/'-separated, and starts with the offer's name.
struct Entry {
    QString path;
    bool folder = false;
    quint64 size = 0;  // bytes; 0 for a folder
    QByteArray sha256; // 32 bytes for a file, empty for a folder
    friend bool operator==(const Entry&, const Entry&) = default;
};

QByteArray encodeManifest(const QList<Entry>& entries);
// Refuses (nullopt, *error says why) bytes that are no manifest: truncated, trailing bytes, over the bounds, a file
// without a 32-byte hash. It does not judge the names: safename.h does.
std::optional<QList<Entry>> decodeManifest(QByteArrayView bytes, QString* error = nullptr);

// Why a transfer ended without its file (Cancel).
enum class Reason : quint8 {
    Declined = 1,    // the receiver said no
    Cancelled = 2,   // either side's user cancelled
    FileChanged = 3, // the sender's file changed after it was offered
    Failed = 4,      // the receiver could not write or check it (the text says why)
    Unknown = 5,     // the peer has no such transfer
};

// Sender -> receiver: "may I send you this?" Also sent again after a restart, and as a probe while waiting.
struct Offer {
    quint64 id = 0;
    QString name; // the top-level file or folder
    quint64 totalBytes = 0;
    quint32 files = 0;
    quint32 manifestBytes = 0;
    QByteArray manifestSha256;
};
// Receiver -> sender: send from stream offset `from` (everything below is on disk). `session` changes when the
// receiver restarts, so that the sender forgets acknowledgements from before.
struct Accept {
    quint64 id = 0;
    quint32 session = 0;
    quint64 from = 0;
};
// Receiver -> sender: the offer is shown to the user; stop repeating it.
struct Pending {
    quint64 id = 0;
};
// Sender -> receiver: stream bytes at `offset`.
struct Data {
    quint64 id = 0;
    quint64 offset = 0;
    QByteArray bytes;
};
// Receiver -> sender: selective acknowledgement (as TCP's SACK, RFC 2018): every byte below `cumulative` and the
// listed [begin, end) ranges above it arrived.
struct Sack {
    quint64 id = 0;
    quint32 session = 0;
    quint64 cumulative = 0;
    QList<std::pair<quint64, quint64>> ranges;
};
// Receiver -> sender: the files are checked and under their final names.
struct Done {
    quint64 id = 0;
};
// Either way: the transfer ended without its file.
struct Cancel {
    quint64 id = 0;
    Reason reason = Reason::Cancelled;
    QString text; // for the other side's user, <= 255 bytes
};

// Receiver -> sender, with each Accept: the largest Data payload it takes (<= ChunkBytes). A sender without this
// kind drops it as unknown and goes on with LegacyChunkBytes, which every receiver takes.
struct ChunkSize {
    quint64 id = 0;
    quint16 bytes = 0;
};

using Payload = std::variant<Offer, Accept, Pending, Data, Sack, Done, Cancel, ChunkSize>;

// Data payloads, the bulk of a transfer, without a Data's copies: written in place by the sender (its header, then
// the stream bytes straight after it) and read in place by the receiver.
inline constexpr qsizetype DataHeaderBytes = 1 + 1 + 8 + 8; // version, kind, transferId, offset
// Writes a Data payload's header (DataHeaderBytes) to `out`; 1..ChunkBytes stream bytes follow it.
void writeDataHeader(char* out, quint64 id, quint64 offset);
struct DataView {
    quint64 id = 0;
    quint64 offset = 0;
    QByteArrayView bytes; // points into the payload read
};
// The Data payload in `payload`, with decode()'s checks; nullopt for anything else (decode() says why).
std::optional<DataView> decodeData(QByteArrayView payload);

QByteArray encode(const Payload& payload);
// Nullopt (and *error) for anything malformed: unknown version or kind, truncated, trailing bytes, out of bounds.
std::optional<Payload> decode(QByteArrayView bytes, QString* error = nullptr);
quint64 idOf(const Payload& payload);

} // namespace filewire
