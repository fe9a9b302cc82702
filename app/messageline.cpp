#include "messageline.h"

#include "conversationmodel.h"
#include "systemline.h"
#include "textcodec.h"

#include <QCoreApplication>

namespace {

const char* const PeerColors[] = {"1;34", "1;35", "1;36", "1;32", "1;33", "1;31"};

} // namespace

QString MessageLine::paint(const QString& text, const char* sgr) const
{
    if (!m_color)
        return text;
    return QStringLiteral("\x1b[") + QLatin1String(sgr) + u'm' + text + QStringLiteral("\x1b[0m");
}

QString MessageLine::stamp(const QDateTime& time, const QString& timeFormat) const
{
    const qint64 ms = time.toMSecsSinceEpoch();
    const qint64 second = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
    // A format with fractions of a second ('z') changes within one.
    if (second != m_stampSecond || timeFormat != m_stampFormat || timeFormat.contains(u'z')) {
        m_stamp = paint(u'[' + time.toLocalTime().toString(timeFormat) + u']', Dim);
        m_stampSecond = second;
        m_stampFormat = timeFormat;
    }
    return m_stamp;
}

QString MessageLine::who(const QString& peer, const QString& remote, const QString& nick) const
{
    const char* color = PeerColors[qHash(peer) % std::size(PeerColors)];
    if ((peer == remote || remote.isEmpty()) && nick.isEmpty())
        return paint(textcodec::printable(peer), color);
    // A stranger's nickname is only what it claims: shown with a '?' so that it cannot pass for a contact.
    const QString name = peer == remote ? nick + u'?' : peer;
    return paint(textcodec::printable(name), color) +
           (remote.isEmpty() ? QString() : paint(QStringLiteral(" (") + remote + u')', Dim));
}

QString MessageLine::text(const Message& m, const QList<search::Span>& marks) const
{
    // An IP Messenger sealed message not opened yet: its sender is told when it is read, so its text stays hidden.
    if (m.sealed && m.direction == Direction::Incoming)
        return paint(QCoreApplication::translate("MessageLine", "(sealed message)"), Yellow);
    if (!m_color || marks.isEmpty())
        return textcodec::printable(ConversationModel::shownText(m.text));
    // Line ends as shownText() makes them, piece by piece: the marks are places in the original text (a query has no
    // white space inside a word, so no mark splits a CRLF).
    const auto piece = [&m](qsizetype from, qsizetype to) {
        return textcodec::printable(
            m.text.mid(from, to - from).replace(QStringLiteral("\r\n"), QStringLiteral("\n")).replace(u'\r', u'\n'));
    };
    QString out;
    qsizetype at = 0;
    for (const search::Span& s : marks) {
        out += piece(at, s.start) + paint(piece(s.start, s.start + s.length), Bold);
        at = s.start + s.length;
    }
    return out + textcodec::printable(ConversationModel::shownText(m.text.mid(at)));
}

QString MessageLine::format(const Message& m, const QString& nick, const QString& timeFormat,
                            const QList<search::Span>& marks) const
{
    const QString time = stamp(m.time, timeFormat);
    if (m.isSystem)
        return time + u' ' +
               paint(QStringLiteral("* ") +
                         textcodec::printable(ConversationModel::shownText(systemline::render(m.text))),
                     Dim);
    // An automatic answer of someone away says so, either way, so that nobody takes it for a reply.
    const QString automatic =
        m.isAutoReply ? paint(QCoreApplication::translate("MessageLine", "[automatic answer]"), Dim) + u' ' : QString();
    if (m.direction == Direction::Incoming)
        return time + u' ' + who(m.peer, m.remote, nick) + u": " + automatic + text(m, marks);
    return time + QStringLiteral(" -> ") + who(m.peer, m.remote, nick) + u": " + automatic + text(m, marks) +
           paint(QStringLiteral("  (") + stateName(m.state) + u')', Dim);
}

QString MessageLine::formatGroup(const Message& m, const QString& group, const QString& sender,
                                 const QString& timeFormat, const QList<search::Span>& marks) const
{
    if (m.direction == Direction::Outgoing && !m.isSystem)
        return format(m, {}, timeFormat, marks);
    const QString time = stamp(m.time, timeFormat);
    const QString prefix = time + u' ' + paint(textcodec::printable(group), Bold) + QStringLiteral(" \u203a ");
    if (m.isSystem)
        return prefix + paint(QStringLiteral("* ") +
                                  textcodec::printable(ConversationModel::shownText(systemline::render(m.text))),
                              Dim);
    const char* color = PeerColors[qHash(sender) % std::size(PeerColors)];
    return prefix + paint(textcodec::printable(sender), color) + paint(QStringLiteral(" (") + m.remote + u')', Dim) +
           u": " + text(m, marks);
}
