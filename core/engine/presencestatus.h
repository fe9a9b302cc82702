#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QSet>
#include <QString>

#include <optional>

// Away and busy, the IP Messenger way. Facts from IP Messenger for Win32 3.21 (H. Shirouzu, mainwin.cpp) and its
// protocol document (prot-eng.txt, Draft-9 "Member recognition" and "Send/Receive Message"):
// - every entry packet (BR_ENTRY, ANSENTRY, BR_ABSENCE) carries ABSENCEOPT (0x100) while the user is absent, and
//   BR_ABSENCE (0x04) goes out when the absence mode or the nickname changes; it is not answered;
// - the nickname field then reads "nick[title]" (GetNickNameEx), which is how IP Messenger, FeiQ and iptux list an
//   absent user, since none of them has another place for it;
// - a SENDMSG received while absent is answered with SENDMSG|AUTORETOPT (0x2000) carrying the absence text, unless it
//   carried AUTORETOPT or BROADCASTOPT itself ("ping-pong protection"); the answer has no SENDCHECKOPT and is not
//   acknowledged (MsgSendMsg);
// - GETABSENCEINFO (0x50) is answered with SENDABSENCEINFO (0x51) carrying the absence text, or "Not absence mode".
// Pigeon adds one line "PS:away:TEXT" or "PS:busy:TEXT" to the UTF-8 block of its entry packets (IPMsg 4 reads only
// the UN, HN, NN and GN lines of it), so that Pigeons tell Busy from Away and get the whole text; other clients see
// both as absent, with the title in the nickname.

enum class Status { Online, Away, Busy };

// A status and its optional text, as a user sets it or as a peer's entry packets tell it.
struct PeerStatus {
    Status status = Status::Online;
    QString text;

    bool operator==(const PeerStatus&) const = default;
};

namespace presence {

// Longest status text, in characters: it is the automatic answer, one datagram to any IPMsg client.
inline constexpr qsizetype MaxTextChars = 1000;
// Longest part of it that goes into the nickname's brackets (IP Messenger's list shows a short title there).
inline constexpr qsizetype MaxTitleChars = 32;
// What IP Messenger answers GETABSENCEINFO with when its user is not absent (prot-eng.txt, "Other commands").
inline constexpr char NotAbsence[] = "Not absence mode";

// "online", "away", "busy": the words of the settings file and of the PS line.
QString statusName(Status status);
std::optional<Status> statusFromName(QStringView name);
// The text a user typed, made fit for the wire: control characters become spaces, at most MaxTextChars.
QString cleanText(const QString& text);
// The nickname as entry packets carry it: `nick`, or "nick[title]" while away or busy, the title being the text's
// first line (at most MaxTitleChars) or else `word` (the status's name in the user's language).
QString wireNick(const QString& nick, const PeerStatus& status, const QString& word);
// ABSENCEOPT while away or busy, else 0.
quint32 entryOption(Status status);
// An entry packet's extension with the PS line added to its UTF-8 block (when it has one) while away or busy.
QByteArray markEntry(QByteArray extension, const PeerStatus& status);
// What a peer's entry packet says: its nickname without the absence title, and its status. `nick` is the decoded
// nickname field, `command` the packet's command, `extension` its extension (for the PS line).
struct Heard {
    QString nick;
    PeerStatus status;
};
Heard fromEntry(quint32 command, const QString& nick, QByteArrayView extension);
// The answer to GETABSENCEINFO: the away or busy text, or NotAbsence.
QString absenceInfo(const PeerStatus& status);

} // namespace presence

// This Pigeon's own status, and who got the automatic answer during this away period. A period starts at every change
// of status or text; each peer (a conversation key) is answered at most once in it, and never a message that is an
// automatic answer or a broadcast itself, so two away Pigeons (or a Pigeon and IP Messenger) cannot answer each other
// in a loop.
class AwayStatus {
public:
    // At most this many peers are remembered per period; past it nobody else is answered (a flood cannot grow it).
    static constexpr qsizetype MaxAnswered = 4096;

    const PeerStatus& current() const { return m_status; }
    // Whether the current status was set by the idle timer rather than by the user.
    bool isAutomatic() const { return m_automatic; }
    // Sets the status (text cleaned, see presence::cleanText). True when the status or text changed: a new period.
    bool set(Status status, const QString& text, bool automatic);
    // Whether a message with IPMsg command `command` from `peer` gets the automatic answer now: Away with a text,
    // `peer` not answered yet in this period, and the message neither an automatic answer nor a broadcast. A true
    // answer counts `peer` as answered.
    bool takeAnswer(const QString& peer, quint32 command);

private:
    PeerStatus m_status;
    bool m_automatic = false;
    QSet<QString> m_answered;
};
