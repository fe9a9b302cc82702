#include "ipmsg.h"

#include <QDateTime>

#include <algorithm>
#include <array>
#include <charconv>

namespace ipmsg {

namespace {

std::optional<quint64> parseNumber(QByteArrayView field)
{
    if (field.isEmpty() || field.size() > 20)
        return std::nullopt;
    quint64 value = 0;
    for (char c : field) {
        if (c < '0' || c > '9')
            return std::nullopt;
        const quint64 digit = quint64(c - '0');
        if (value > (std::numeric_limits<quint64>::max() - digit) / 10)
            return std::nullopt;
        value = value * 10 + digit;
    }
    return value;
}

QByteArray bounded(QByteArrayView field)
{
    return field.first(std::min(field.size(), textcodec::MaxFieldBytes)).toByteArray();
}

// The NUL-separated field at `index` of an entry's extension; empty when there are fewer fields.
QByteArrayView entryField(QByteArrayView extension, int index)
{
    qsizetype start = 0;
    for (int i = 0; i < index; ++i) {
        const qsizetype nul = extension.indexOf('\0', start);
        if (nul < 0)
            return {};
        start = nul + 1;
    }
    const qsizetype end = extension.indexOf('\0', start);
    return extension.sliced(start, (end < 0 ? extension.size() : end) - start);
}

// Appends a header field; ':' and NUL, which would end it early, become '_'.
void appendField(QByteArray& out, const QByteArray& field)
{
    const qsizetype from = out.size();
    out.append(field);
    std::replace_if(
        out.begin() + from, out.end(), [](char c) { return c == ':' || c == '\0'; }, '_');
}

void appendNumber(QByteArray& out, quint64 value)
{
    char digits[20]; // the digits of 2^64 - 1
    const char* end = std::to_chars(digits, digits + sizeof digits, value).ptr;
    out.append(digits, end - digits);
}

} // namespace

QByteArray Packet::text() const
{
    const qsizetype nul = extension.indexOf('\0');
    return nul < 0 ? extension : extension.left(nul);
}

std::optional<PacketView> decodeView(QByteArrayView datagram, QString* error)
{
    const auto fail = [error](const QString& why) -> std::optional<PacketView> {
        if (error)
            *error = why;
        return std::nullopt;
    };
    if (datagram.isEmpty())
        return fail(QStringLiteral("empty datagram"));
    std::array<qsizetype, 5> colon{};
    qsizetype from = 0;
    for (qsizetype& c : colon) {
        c = datagram.indexOf(':', from);
        if (c < 0)
            return fail(QStringLiteral("fewer than six ':'-separated fields"));
        from = c + 1;
    }
    const QByteArrayView version = datagram.first(colon[0]);
    if (!version.startsWith('1') || (version.size() > 1 && version[1] >= '0' && version[1] <= '9'))
        return fail(QStringLiteral("version is not 1"));
    const auto field = [&](int i) {
        return datagram.sliced(colon[i] + 1, colon[i + 1] - colon[i] - 1);
    };
    const auto packetNo = parseNumber(field(0));
    if (!packetNo)
        return fail(QStringLiteral("packet number is not a decimal number"));
    const auto command = parseNumber(field(3));
    if (!command || *command > std::numeric_limits<quint32>::max())
        return fail(QStringLiteral("command is not a 32-bit decimal number"));
    PacketView p;
    p.version = version;
    p.packetNo = *packetNo;
    p.user = field(1);
    p.host = field(2);
    p.command = quint32(*command);
    p.extension = datagram.sliced(colon[4] + 1);
    if (p.extension.endsWith('\0'))
        p.extension.chop(1);
    return p;
}

DecodeResult decode(QByteArrayView datagram)
{
    QString error;
    const std::optional<PacketView> view = decodeView(datagram, &error);
    if (!view)
        return {std::nullopt, error};
    Packet p;
    // A stranger's 60 000-byte user name costs MaxFieldBytes from here on.
    p.version = bounded(view->version);
    p.packetNo = view->packetNo;
    p.user = bounded(view->user);
    p.host = bounded(view->host);
    p.command = view->command;
    p.extension = view->extension.toByteArray();
    return {std::move(p), {}};
}

QByteArray encode(const Packet& p)
{
    // Built in place (one allocation): half the instructions of copying each field and replacing in the copy
    // (callgrind: 1 820 against 3 810 per acknowledgement).
    QByteArray out;
    out.reserve(p.version.size() + p.user.size() + p.host.size() + p.extension.size() + 48);
    appendField(out, p.version);
    out.append(':');
    appendNumber(out, p.packetNo);
    out.append(':');
    appendField(out, p.user);
    out.append(':');
    appendField(out, p.host);
    out.append(':');
    appendNumber(out, p.command);
    out.append(':').append(p.extension).append('\0');
    return out;
}

EntryInfo parseEntry(QByteArrayView extension)
{
    EntryInfo info;
    info.nick = bounded(entryField(extension, 0));
    info.group = bounded(entryField(extension, 1));
    // iptux: nick, group, icon file, encoding. IPMsg 4's third field is its UTF-8 block, which starts with '\n'.
    if (const QByteArrayView third = entryField(extension, 2); !third.startsWith('\n')) {
        const QByteArrayView declared = entryField(extension, 3);
        if (!declared.isEmpty() && declared.size() <= 32)
            info.declaredEncoding = declared.toByteArray().toLower();
    }
    // The UTF-8 block follows a NUL and starts with '\n'; its lines are KEY:value.
    const qsizetype block = extension.indexOf(QByteArrayView("\0\n", 2));
    if (block >= 0) {
        const QByteArrayView lines = extension.sliced(block + 2);
        qsizetype pos = 0;
        while (pos < lines.size()) {
            qsizetype end = lines.indexOf('\n', pos);
            if (end < 0)
                end = lines.size();
            const QByteArrayView line = lines.sliced(pos, end - pos);
            if (line.startsWith("NN:"))
                info.utf8Nick = textcodec::bounded(QString::fromUtf8(bounded(line.sliced(3))));
            else if (line.startsWith("GN:"))
                info.utf8Group = textcodec::bounded(QString::fromUtf8(bounded(line.sliced(3))));
            pos = end + 1;
        }
    }
    return info;
}

QByteArray buildEntry(const QString& nick, const QString& group, const QByteArray& user, const QByteArray& host,
                      TextEncoding encoding)
{
    const QByteArray nick8 = nick.toUtf8();
    const QByteArray group8 = group.toUtf8();
    QByteArray out = textcodec::encode(nick, encoding) + '\0' + textcodec::encode(group, encoding) + '\0';
    out += "\nUN:" + user + "\nHN:" + host + "\nNN:" + nick8 + "\nGN:" + group8 + '\n';
    return out;
}

quint64 PacketNumbers::reserve(int count)
{
    const quint64 now = quint64(QDateTime::currentSecsSinceEpoch());
    const quint64 first = std::max(now, m_last + 1);
    m_last = first + quint64(std::max(count, 1)) - 1;
    return first;
}

QString modeName(quint32 m)
{
    switch (m) {
    case NoOperation: return QStringLiteral("NOOPERATION");
    case BrEntry: return QStringLiteral("BR_ENTRY");
    case BrExit: return QStringLiteral("BR_EXIT");
    case AnsEntry: return QStringLiteral("ANSENTRY");
    case BrAbsence: return QStringLiteral("BR_ABSENCE");
    case SendMsg: return QStringLiteral("SENDMSG");
    case RecvMsg: return QStringLiteral("RECVMSG");
    case ReadMsg: return QStringLiteral("READMSG");
    case DelMsg: return QStringLiteral("DELMSG");
    case AnsReadMsg: return QStringLiteral("ANSREADMSG");
    case GetInfo: return QStringLiteral("GETINFO");
    case SendInfo: return QStringLiteral("SENDINFO");
    case GetAbsenceInfo: return QStringLiteral("GETABSENCEINFO");
    case SendAbsenceInfo: return QStringLiteral("SENDABSENCEINFO");
    case PigeonFragment: return QStringLiteral("PIGEON_FRAGMENT");
    case PigeonGroup: return QStringLiteral("PIGEON_GROUP");
    case PigeonGroupPart: return QStringLiteral("PIGEON_GROUP_PART");
    default: return QStringLiteral("0x%1").arg(m, 2, 16, QLatin1Char('0'));
    }
}

} // namespace ipmsg
