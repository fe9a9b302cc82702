#include "presencestatus.h"

#include "ipmsg.h"

namespace presence {

namespace {

constexpr QByteArrayView StatusKey = "PS:";

} // namespace

QString statusName(Status status)
{
    switch (status) {
    case Status::Online: return QStringLiteral("online");
    case Status::Away: return QStringLiteral("away");
    case Status::Busy: return QStringLiteral("busy");
    }
    return QStringLiteral("online");
}

std::optional<Status> statusFromName(QStringView name)
{
    for (Status s : {Status::Online, Status::Away, Status::Busy})
        if (name.compare(statusName(s), Qt::CaseInsensitive) == 0)
            return s;
    return std::nullopt;
}

QString cleanText(const QString& text)
{
    QString out;
    out.reserve(std::min(text.size(), MaxTextChars));
    for (const QChar c : text) {
        if (out.size() >= MaxTextChars)
            break;
        // A line feed stays (the answer may have lines); other control characters would break a terminal or a field.
        out += c == u'\n' || !(c.category() == QChar::Other_Control || c == QChar(0x7f)) ? c : QChar(u' ');
    }
    return out.trimmed();
}

QString wireNick(const QString& nick, const PeerStatus& status, const QString& word)
{
    if (status.status == Status::Online)
        return nick;
    QString title = status.text.section(u'\n', 0, 0).trimmed();
    // Brackets inside would make the title unreadable to whoever parses "nick[title]".
    title.replace(u'[', u'(').replace(u']', u')');
    if (title.size() > MaxTitleChars)
        title = title.left(MaxTitleChars - 1) + QChar(0x2026);
    return nick + u'[' + (title.isEmpty() ? word : title) + u']';
}

quint32 entryOption(Status status)
{
    return status == Status::Online ? 0 : ipmsg::AbsenceOpt;
}

QByteArray markEntry(QByteArray extension, const PeerStatus& status)
{
    // The UTF-8 block follows the first two fields' NULs, starts with '\n' and ends with one.
    if (status.status == Status::Online || !extension.contains(QByteArrayView("\0\n", 2)) || !extension.endsWith('\n'))
        return extension;
    QString text = status.text;
    text.replace(u'\n', u' ');
    return extension + StatusKey.toByteArray() + statusName(status.status).toLatin1() + ':' + text.toUtf8() + '\n';
}

Heard fromEntry(quint32 command, const QString& nick, QByteArrayView extension)
{
    Heard heard{nick, {}};
    if (!(command & ipmsg::AbsenceOpt))
        return heard;
    heard.status.status = Status::Away;
    bool pigeon = false;
    const qsizetype block = extension.indexOf(QByteArrayView("\0\n", 2));
    if (block >= 0) {
        const QByteArrayView lines = extension.sliced(block + 2);
        for (qsizetype pos = 0; pos < lines.size();) {
            qsizetype end = lines.indexOf('\n', pos);
            if (end < 0)
                end = lines.size();
            const QByteArrayView line = lines.sliced(pos, end - pos);
            if (line.startsWith(StatusKey)) {
                // A Pigeon's: "PS:busy:TEXT" says which absence, and its whole text (maybe empty).
                const QString value = QString::fromUtf8(line.sliced(StatusKey.size()));
                const auto s = statusFromName(value.section(u':', 0, 0));
                if (s && *s != Status::Online) {
                    heard.status.status = *s;
                    pigeon = true;
                    heard.status.text = cleanText(value.section(u':', 1));
                }
            }
            pos = end + 1;
        }
    }
    // "nick[title]": the title is the text; a nickname that only ends in ']' without an absence is left alone.
    const qsizetype open = nick.lastIndexOf(u'[');
    if (nick.endsWith(u']') && open > 0) {
        heard.nick = nick.left(open);
        if (!pigeon)
            heard.status.text = cleanText(nick.mid(open + 1, nick.size() - open - 2));
    }
    return heard;
}

QString absenceInfo(const PeerStatus& status)
{
    return status.status == Status::Online || status.text.isEmpty() ? QString::fromLatin1(NotAbsence) : status.text;
}

} // namespace presence

bool AwayStatus::set(Status status, const QString& text, bool automatic)
{
    const PeerStatus next{status, status == Status::Online ? QString() : presence::cleanText(text)};
    m_automatic = automatic && status != Status::Online;
    if (next == m_status)
        return false;
    m_status = next;
    m_answered.clear();
    return true;
}

bool AwayStatus::takeAnswer(const QString& peer, quint32 command)
{
    if (m_status.status != Status::Away || m_status.text.isEmpty())
        return false;
    if (command & (ipmsg::AutoRetOpt | ipmsg::BroadcastOpt))
        return false;
    if (m_answered.contains(peer) || m_answered.size() >= MaxAnswered)
        return false;
    m_answered.insert(peer);
    return true;
}
