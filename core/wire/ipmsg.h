#pragma once

#include "textcodec.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <optional>

// The IP Messenger (IPMsg) wire format, as spoken by IP Messenger, FeiQ, iptux and Pigeon.
//
//   packet    = version ":" packetNo ":" user ":" host ":" command ":" extension [NUL]
//   version   = "1" *any-but-colon          ("1", "1_iptux 0.8.3", "1_lbt6_0#128#...")
//   packetNo  = 1*DIGIT                     (IPMsg: max(time(), last + 1))
//   command   = 1*DIGIT                     (mode in the low byte, option bits above)
//   extension = *OCTET                      (may hold ':' and NUL; text ends at the first NUL)
//
// Fields split on the first five ':'. Everything here is a pure function over bytes. What a peer sends is bounded here,
// before anything keeps it: version, user and host keep at most textcodec::MaxFieldBytes bytes, the entry's nickname
// and group as well (textcodec::MaxFieldChars characters once decoded).
namespace ipmsg {

inline constexpr quint16 DefaultPort = 2425;

// Modes (cmd & 0xff).
inline constexpr quint32 NoOperation = 0x00;
inline constexpr quint32 BrEntry = 0x01;
inline constexpr quint32 BrExit = 0x02;
inline constexpr quint32 AnsEntry = 0x03;
inline constexpr quint32 BrAbsence = 0x04;
inline constexpr quint32 SendMsg = 0x20;
inline constexpr quint32 RecvMsg = 0x21;
inline constexpr quint32 ReadMsg = 0x30;
inline constexpr quint32 DelMsg = 0x31;
inline constexpr quint32 AnsReadMsg = 0x32;
inline constexpr quint32 GetInfo = 0x40;
inline constexpr quint32 SendInfo = 0x41;
inline constexpr quint32 GetAbsenceInfo = 0x50;
inline constexpr quint32 SendAbsenceInfo = 0x51;
// Files (ipmsgfilewire.h): GETFILEDATA and GETDIRFILES go over TCP, RELEASEFILES over UDP.
inline constexpr quint32 GetFileData = 0x60;
inline constexpr quint32 ReleaseFiles = 0x61;
inline constexpr quint32 GetDirFiles = 0x62;
// Pigeon's private mode: one part of a long message between Pigeons (see fragment.h).
inline constexpr quint32 PigeonFragment = 0xE1;
// Pigeon's private modes for group conversations (grouppayload.h): one group datagram, and one part of a long one
// (cut and numbered as PigeonFragment's parts are).
inline constexpr quint32 PigeonGroup = 0xE2;
inline constexpr quint32 PigeonGroupPart = 0xE3;

// Option bits for entry commands.
inline constexpr quint32 AbsenceOpt = 0x100;
inline constexpr quint32 ServerOpt = 0x200;
inline constexpr quint32 DialupOpt = 0x10000;
inline constexpr quint32 FileAttachOpt = 0x200000;
inline constexpr quint32 EncryptOpt = 0x400000;
inline constexpr quint32 Utf8Opt = 0x800000;
inline constexpr quint32 CapUtf8Opt = 0x1000000;
// Option bits for send commands.
inline constexpr quint32 SendCheckOpt = 0x100;
inline constexpr quint32 SecretOpt = 0x200;
inline constexpr quint32 BroadcastOpt = 0x400;
inline constexpr quint32 MulticastOpt = 0x800;
inline constexpr quint32 AutoRetOpt = 0x2000;
inline constexpr quint32 RetryOpt = 0x4000;
inline constexpr quint32 PasswordOpt = 0x8000;
inline constexpr quint32 NoLogOpt = 0x20000;
inline constexpr quint32 NoAddListOpt = 0x80000;
inline constexpr quint32 ReadCheckOpt = 0x100000;

constexpr quint32 mode(quint32 command)
{
    return command & 0xffu;
}

struct Packet {
    QByteArray version = QByteArrayLiteral("1");
    quint64 packetNo = 0;
    QByteArray user;
    QByteArray host;
    quint32 command = 0;
    QByteArray extension;

    quint32 mode() const { return ipmsg::mode(command); }
    bool has(quint32 option) const { return (command & option) == option; }
    // The message part of the extension: everything before the first NUL.
    QByteArray text() const;
};

struct DecodeResult {
    std::optional<Packet> packet;
    QString error; // why the bytes are not an IPMsg packet; empty on success
};

// Version, user and host are cut to textcodec::MaxFieldBytes; the extension is kept whole (the message itself).
DecodeResult decode(QByteArrayView datagram);

// A packet read in place, for the datagrams that come by the hundred thousand (sealed envelopes, file data): the
// fields point into the datagram and are valid while it is. The same checks as decode(); nothing is cut.
struct PacketView {
    QByteArrayView version;
    quint64 packetNo = 0;
    QByteArrayView user;
    QByteArrayView host;
    quint32 command = 0;
    QByteArrayView extension; // without the trailing NUL

    quint32 mode() const { return ipmsg::mode(command); }
};
// Nullopt (and *error says why) for what decode() refuses.
std::optional<PacketView> decodeView(QByteArrayView datagram, QString* error = nullptr);
// Encodes with a trailing NUL. User and host must not contain ':' (encode replaces it with '_').
QByteArray encode(const Packet& packet);

// The user-visible parts of an entry packet (BR_ENTRY / ANSENTRY / BR_ABSENCE).
// Every field is bounded: nick and group to textcodec::MaxFieldBytes, the UTF-8 ones to textcodec::MaxFieldChars.
struct EntryInfo {
    QByteArray nick;  // in the sender's encoding
    QByteArray group; // in the sender's encoding
    // IPMsg 4's UTF-8 block "\nUN:user\nHN:host\nNN:nick\nGN:group\n", when present.
    QString utf8Nick;
    QString utf8Group;
    // The encoding the sender says it uses, lower case: iptux's fourth field, "nick\0group\0icon\0utf-8\0" (as iptux
    // 0.8.3 sends it, tests/fuzz/corpus/ipmsg/ansentry-iptux); empty when the packet names none.
    QByteArray declaredEncoding;
};
EntryInfo parseEntry(QByteArrayView extension);
// nick\0group\0 in `encoding` (what a peer without UTF-8 reads), then the UTF-8 block "\nUN:..\nHN:..\nNN:..\nGN:..\n"
// that IPMsg 4 appends with CAPUTF8OPT, so that peers with UTF-8 read the names whatever `encoding` is.
QByteArray buildEntry(const QString& nick, const QString& group, const QByteArray& user, const QByteArray& host,
                      TextEncoding encoding = TextEncoding::Utf8);

// Packet numbers: max(seconds since epoch, last + 1), never repeating within a process.
class PacketNumbers {
public:
    explicit PacketNumbers(quint64 floor = 0)
        : m_last(floor)
    {
    }
    quint64 next() { return reserve(1); }
    // Reserves `count` consecutive numbers and returns the first.
    quint64 reserve(int count);
    quint64 last() const { return m_last; }

private:
    quint64 m_last;
};

QString modeName(quint32 mode);

} // namespace ipmsg
