#pragma once

#include "history.h"
#include "search.h"

#include <QString>

#include <limits>

// How the console and `pigeon history` show messages in a terminal: one line per message, colored when the output
// is a terminal (SGR escape codes) and plain otherwise.
class MessageLine {
public:
    // SGR parameters used by both.
    static constexpr const char* Dim = "2";
    static constexpr const char* Bold = "1";
    static constexpr const char* Red = "31";
    static constexpr const char* Green = "32";
    static constexpr const char* Yellow = "33";

    explicit MessageLine(bool color)
        : m_color(color)
    {
    }
    bool color() const { return m_color; }
    // `text` wrapped in the SGR `sgr` when color is on.
    QString paint(const QString& text, const char* sgr) const;
    // Who a message is from or to: a contact's name, or a stranger's address (with the nickname it claims, marked
    // with '?'), then the address it used; `nick` is the claimed nickname or empty.
    QString who(const QString& peer, const QString& remote, const QString& nick) const;
    // One message: "[TIME] WHO: TEXT" for a received one, "[TIME] -> WHO: TEXT (STATE)" for one sent, "[TIME] * TEXT"
    // for a line such as "came online"; an automatic answer has "[automatic answer]" before its TEXT. TIME in local
    // time, `timeFormat` as QDateTime::toString takes it. Received text is shown printable only (textcodec::printable):
    // it cannot move the cursor or change the terminal. `marks` (where a search matched in m.text) are shown in bold
    // when color is on.
    QString format(const Message& m, const QString& nick, const QString& timeFormat = QStringLiteral("HH:mm:ss"),
                   const QList<search::Span>& marks = {}) const;
    // A message of a group conversation: a received one "[TIME] GROUP › SENDER (ADDRESS:PORT): TEXT", the sender
    // colored by its name; a line such as "Bob left." "[TIME] GROUP › * TEXT", so that it says which group; one sent
    // as format() shows it. `marks` as for format().
    QString formatGroup(const Message& m, const QString& group, const QString& sender,
                        const QString& timeFormat = QStringLiteral("HH:mm:ss"),
                        const QList<search::Span>& marks = {}) const;

private:
    // A message's text as shown, printable, with `marks` in bold.
    QString text(const Message& m, const QList<search::Span>& marks) const;
    // "[TIME]", dimmed, `time` in local time as `timeFormat` says. Worked out once per second of `time` (a burst of
    // messages shares it): the conversion to local time and its formatting were a quarter of a console line's cost.
    QString stamp(const QDateTime& time, const QString& timeFormat) const;

    bool m_color;
    mutable qint64 m_stampSecond = std::numeric_limits<qint64>::min();
    mutable QString m_stampFormat;
    mutable QString m_stamp;
};
