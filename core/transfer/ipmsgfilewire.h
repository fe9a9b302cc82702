#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

#include <optional>

// The IP Messenger family's file protocol (IP Messenger's prot-eng.txt, "file attachment" and "directory transfer";
// iptux 0.8.3 src/iptux-core/internal/SendFile.cpp, SendFileData.cpp, RecvFileData.cpp, Command.cpp). Pure functions
// over bytes (the command values are in ipmsg.h); names stay bytes in the peer's encoding (the caller decodes them with
// the peer's codec).
//
//   offer      = SENDMSG|FILEATTACHOPT, extension = text NUL attachments
//   attachments= *(entry BEL [":"])             (iptux writes "entry\a", its broadcast form "entry\a:")
//   entry      = fileID ":" name ":" size ":" mtime ":" attr *(":" extattr) ":"
//                fileID decimal (IP Messenger and iptux write it with %d/%u); size, mtime, attr hex;
//                "::" in name stands for one ':'
//   attr       = mode in the low byte (1 file, 2 directory, 3 RETPARENT, others unsupported), option bits above
//   GETFILEDATA (0x60) over TCP to the sender's IPMsg port: extension = packetNo ":" fileID ":" offset (all hex);
//                the sender writes the file's bytes from offset and closes
//   GETDIRFILES (0x62): extension = packetNo ":" fileID [":0"] (hex; iptux appends ":0"); the answer is
//   stream      = *(header contents)
//   header      = headerSize ":" name ":" size ":" attr *(":" extattr) ":"
//                headerSize hex (iptux and IP Messenger write 4 digits), counting the whole header from its first
//                byte up to and including the ':' before the contents; size, attr hex; contents = size bytes of a
//                file (none for a folder); a folder's entries follow its header, up to a RETPARENT header (name ".")
//                that closes it; the RETPARENT closing the offered folder ends the stream
//   RELEASEFILES (0x61) over UDP: extension = packetNo (decimal): the receiver declines or gives up an offer.
namespace ipmsgfiles {

// File kinds (attr & 0xff).
inline constexpr quint32 KindFile = 1;
inline constexpr quint32 KindDirectory = 2;
inline constexpr quint32 KindReturnParent = 3;

// Bounds on what a peer sends: entries in one offer, bytes of one name, bytes of one header (the 64 KiB),
// and characters in a number field.
inline constexpr int MaxAttachments = 256;
inline constexpr qsizetype MaxNameBytes = 1024;
inline constexpr qsizetype MaxHeaderBytes = 64 * 1024;
inline constexpr qsizetype MaxNumberChars = 16;

struct Attachment {
    quint32 fileId = 0;
    QByteArray name; // unescaped, in the sender's encoding
    quint64 size = 0;
    quint64 mtime = 0; // seconds since the epoch
    quint32 attr = KindFile;

    quint32 kind() const { return attr & 0xffu; }
    friend bool operator==(const Attachment&, const Attachment&) = default;
};

// The attachments after the message text's NUL. Empty on a malformed list (the reason in *error): a number that is
// no hex (decimal for fileID) or too long, a missing field, an empty or over-long name, more than MaxAttachments
// entries.
std::optional<QList<Attachment>> decodeAttachments(QByteArrayView bytes, QString* error = nullptr);
// The attachment list as iptux writes it ("entry\a" each).
QByteArray encodeAttachments(const QList<Attachment>& attachments);

// "::" for each ':' in a name, and back.
QByteArray escapeName(QByteArrayView name);

// The extension of GETFILEDATA and GETDIRFILES.
struct FileRequest {
    quint64 packetNo = 0;
    quint32 fileId = 0;
    quint64 offset = 0;
    friend bool operator==(const FileRequest&, const FileRequest&) = default;
};
std::optional<FileRequest> decodeRequest(QByteArrayView extension, QString* error = nullptr);
QByteArray encodeRequest(const FileRequest& request, bool withOffset = true);

// One header of a GETDIRFILES stream.
struct Header {
    QByteArray name; // unescaped, in the sender's encoding; "." for RETPARENT
    quint64 size = 0;
    quint32 attr = KindFile;
    quint64 mtime = 0; // from the "14=" extended attribute (IPMSG_FILE_MTIME) when present

    quint32 kind() const { return attr & 0xffu; }
    friend bool operator==(const Header&, const Header&) = default;
};

// Reads one header at the start of `bytes`. NeedMore: the header is not complete yet (never when MaxHeaderBytes or
// more are there); Error: malformed (a header size that is no hex, below the fields it holds or over MaxHeaderBytes,
// a size that is no hex or over 2^62, a missing field, an empty or over-long name; the reason in *error).
enum class ParseStatus { Ok, NeedMore, Error };
ParseStatus parseHeader(QByteArrayView bytes, Header* header, qsizetype* consumed, QString* error = nullptr);
// A header as iptux writes it: 4 hex digits of size (more when needed), name, size, attr, then the mtime attribute.
QByteArray encodeHeader(const Header& header);

} // namespace ipmsgfiles
