#pragma once

#include "contactbook.h"
#include "history.h"

#include <QDateTime>
#include <QString>

// Fills a profile folder with the contacts and the bilingual conversation the README screenshot shows. Only
// 127.0.0.x addresses: the demo never reaches a real network.
namespace demo {

inline Message message(const QString& peer, Direction direction, const QString& text, const QDateTime& time,
                       MessageState state, bool unread = false) {
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

// `alicePort`: where a live second Pigeon for Alice listens (0: nobody).
inline bool writeProfile(const QString& dir, quint16 alicePort) {
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
    const QDateTime now = QDateTime::currentDateTime();
    const QDateTime yesterday = QDateTime(now.date().addDays(-1), QTime(18, 40));
    const QDateTime today =
        QDateTime(now.date(), QTime(0, 0)).addSecs(qMax<qint64>(60, now.time().msecsSinceStartOfDay() / 1000 - 1200));
    const QString alice = QStringLiteral("Alice");
    QList<Message> messages = {
        message(alice, Direction::Incoming, QStringLiteral("Are we still on for the demo tomorrow?"), yesterday,
                MessageState::Received),
        message(alice, Direction::Outgoing, QStringLiteral("Yes! 10:00 in the small meeting room."),
                yesterday.addSecs(60), MessageState::Read),
        message(alice, Direction::Incoming, QStringLiteral("早上好！会议室的投影仪修好了吗？"), today,
                MessageState::Received),
        message(alice, Direction::Outgoing, QStringLiteral("修好了 👍 Slides are here: https://example.org/pigeon-demo"),
                today.addSecs(40), MessageState::Delivered),
        message(alice, Direction::Incoming,
                QStringLiteral("Great, thanks. I'll bring the iptux laptop so we can show FeiQ and IP Messenger "
                               "talking to Pigeon over plain UDP, one datagram per message."),
                today.addSecs(95), MessageState::Received),
        message(alice, Direction::Outgoing, QStringLiteral("好的，明天见！"), today.addSecs(130), MessageState::Failed),
        message(QStringLiteral("王小明"), Direction::Incoming, QStringLiteral("午饭一起吗？🍜"), today.addSecs(-600),
                MessageState::Received, true),
        message(QStringLiteral("王小明"), Direction::Incoming, QStringLiteral("十二点楼下见"), today.addSecs(-590),
                MessageState::Received, true),
        message(QStringLiteral("Build bot"), Direction::Incoming, QStringLiteral("nightly build #512 passed ✔"),
                yesterday.addSecs(-3600), MessageState::Received),
        message(QStringLiteral("127.0.0.9:2425"), Direction::Incoming,
                QStringLiteral("Hi, is this the printer room PC?"), today.addSecs(-1500), MessageState::Received, true),
    };
    for (Message& m : messages)
        if (!history.append(m))
            return false;
    return history.commit();
}

} // namespace demo
