#pragma once

#include "contactbook.h"
#include "groupbook.h"
#include "history.h"

#include <QDateTime>
#include <QString>

// Fills a profile folder with the contacts and the bilingual conversation the README screenshot shows. Only
// 127.0.0.x addresses: the demo never reaches a real network.
namespace demo {

inline Message message(const QString& peer, Direction direction, const QString& text, const QDateTime& time,
                       MessageState state, bool unread = false)
{
    Message m;
    m.peer = peer;
    m.direction = direction;
    m.text = text;
    m.time = time.toUTC();
    m.state = state;
    m.remote = QStringLiteral("127.0.0.1:2425");
    m.unread = unread;
    return m;
}

// A group of me, 王小明 and Chen Jing with a short bilingual thread: the README screenshot adds Alice live.
inline const QString DemoGroup = QStringLiteral("#Demo team");

inline bool writeGroup(History& history, const QDateTime& morning)
{
    const QString wang = QStringLiteral("127.0.0.2:2425");
    const QString chen = QStringLiteral("127.0.0.4:2425");
    Roster roster;
    roster.add(QString(), QStringLiteral("Me"));
    roster.add(wang, QStringLiteral("王小明"));
    roster.add(chen, QStringLiteral("Chen Jing"));
    GroupBook groups(&history);
    QString error;
    const QByteArray id = QByteArray::fromHex("5049474e2047524f55502044454d4f21");
    if (!groups.add(id, DemoGroup.mid(1), roster, {}, &error))
        return false;
    const auto from = [](Message m, const QString& remote) {
        m.remote = remote;
        return m;
    };
    const QDateTime at = morning.addSecs(3600);
    QList<Message> thread = {
        from(message(DemoGroup, Direction::Incoming, QStringLiteral("今天下午三点评审设计稿，大家有空吗？"), at,
                     MessageState::Received),
             wang),
        from(message(DemoGroup, Direction::Incoming, QStringLiteral("I'm in. Room 402, with the printed mock-ups?"),
                     at.addSecs(50), MessageState::Received),
             chen),
        message(DemoGroup, Direction::Outgoing, QStringLiteral("Works for me 👍 I'll bring the laptop."), at.addSecs(90),
                MessageState::Delivered),
        from(message(DemoGroup, Direction::Incoming, QStringLiteral("好，402 见。"), at.addSecs(120),
                     MessageState::Received),
             wang),
    };
    for (Message& m : thread) {
        if (!history.append(m))
            return false;
        if (m.direction == Direction::Outgoing)
            for (const QString& member : {wang, chen})
                if (!groups.addDelivery(id, m.id, member, MessageState::Delivered))
                    return false;
    }
    return true;
}

// `alicePort`: where a live second Pigeon for Alice listens (0: nobody).
inline bool writeProfile(const QString& dir, quint16 alicePort)
{
    ContactBook book;
    if (!book.load(dir + QStringLiteral("/contacts.ini")))
        return false;
    const QList<Contact> contacts = {
        {QStringLiteral("Alice"), QStringLiteral("127.0.0.1"), alicePort ? alicePort : quint16(2425), Protocol::IpMsg,
         TextEncoding::Utf8},
        {QStringLiteral("王小明"), QStringLiteral("127.0.0.2"), 2425, Protocol::IpMsg, TextEncoding::Gbk},
        {QStringLiteral("Build bot"), QStringLiteral("127.0.0.3"), 9000, Protocol::PlainText, TextEncoding::Utf8},
        {QStringLiteral("Chen Jing"), QStringLiteral("127.0.0.4"), 2425, Protocol::IpMsg, TextEncoding::Utf8},
    };
    for (const Contact& c : contacts)
        if (!book.add(c).isEmpty())
            return false;

    History history;
    if (!history.open(dir + QStringLiteral("/history.sqlite")))
        return false;
    // Earlier days only, at fixed hours: the picture reads the same whenever it is taken, and the live message the
    // test sends today comes last.
    const QDate now = QDate::currentDate();
    const QDateTime earlier = QDateTime(now.addDays(-2), QTime(18, 40));
    const QDateTime morning = QDateTime(now.addDays(-1), QTime(9, 15));
    const QString alice = QStringLiteral("Alice");
    QList<Message> messages = {
        message(alice, Direction::Incoming, QStringLiteral("Are we still on for the demo tomorrow?"), earlier,
                MessageState::Received),
        message(alice, Direction::Outgoing, QStringLiteral("Yes! 10:00 in the small meeting room."),
                earlier.addSecs(60), MessageState::Read),
        message(alice, Direction::Incoming, QStringLiteral("早上好！会议室的投影仪修好了吗？"), morning,
                MessageState::Received),
        message(alice, Direction::Outgoing, QStringLiteral("修好了 👍 Slides are here: https://example.org/pigeon-demo"),
                morning.addSecs(40), MessageState::Delivered),
        message(alice, Direction::Incoming,
                QStringLiteral("Great, thanks. I'll bring the iptux laptop so we can show FeiQ and IP Messenger "
                               "talking to Pigeon over plain UDP, one datagram per message."),
                morning.addSecs(95), MessageState::Received),
        message(alice, Direction::Outgoing, QStringLiteral("好的，明天见！"), morning.addSecs(130),
                MessageState::Failed),
        message(QStringLiteral("王小明"), Direction::Incoming, QStringLiteral("午饭一起吗？🍜"), morning.addSecs(-1800),
                MessageState::Received, true),
        message(QStringLiteral("王小明"), Direction::Incoming, QStringLiteral("十二点楼下见"), morning.addSecs(-1740),
                MessageState::Received, true),
        message(QStringLiteral("Build bot"), Direction::Incoming, QStringLiteral("nightly build #512 passed ✔"),
                earlier.addSecs(-3600), MessageState::Received),
        message(QStringLiteral("127.0.0.9:2425"), Direction::Incoming,
                QStringLiteral("Hi, is this the printer room PC?"), morning.addSecs(-3600), MessageState::Received,
                true),
    };
    for (Message& m : messages)
        if (!history.append(m))
            return false;
    return writeGroup(history, morning) && history.commit();
}

} // namespace demo
