// Writes a small profile history with the first release's History (commit 9838a9f).
#include "history.h"
#include <QCoreApplication>
#include <cstdio>

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    History h;
    if (!h.open(QString::fromLocal8Bit(argv[1]))) {
        fprintf(stderr, "%s\n", qPrintable(h.error()));
        return 1;
    }
    const qint64 t0 = 1763769600000; // 2025-11-22 00:00 UTC
    int n = 0;
    auto add = [&](const QString& peer, Direction d, const QString& text, MessageState s, const QString& remote,
                   quint64 packetNo, bool unread = false, bool receipt = false, bool system = false, int parts = 1) {
        Message m;
        m.peer = peer;
        m.direction = d;
        m.text = text;
        m.state = s;
        m.remote = remote;
        m.packetNo = packetNo;
        m.time = QDateTime::fromMSecsSinceEpoch(t0 + 60000 * n++, Qt::UTC);
        m.unread = unread;
        m.wantsReadReceipt = receipt;
        m.isSystem = system;
        m.parts = parts;
        m.fragmented = parts > 1;
        if (!h.append(m)) {
            fprintf(stderr, "%s\n", qPrintable(h.error()));
            std::exit(1);
        }
        return m.id;
    };
    const QString alice = QStringLiteral("Alice"), alicer = QStringLiteral("127.0.0.1:2426");
    const QString wang = QString::fromUtf8("王小明"), wangr = QStringLiteral("127.0.0.2:2425");
    const QString stranger = QStringLiteral("127.0.0.9:40001");
    add(alice, Direction::Incoming, QStringLiteral("hello from Alice"), MessageState::Received, alicer, 1001);
    qint64 a =
        add(alice, Direction::Outgoing, QStringLiteral("hi Alice, delivered"), MessageState::Sending, alicer, 5001);
    h.setState(a, MessageState::Delivered);
    qint64 b =
        add(alice, Direction::Outgoing, QStringLiteral("this one was read"), MessageState::Sending, alicer, 5002);
    h.setState(b, MessageState::Delivered);
    h.setState(b, MessageState::Read);
    add(alice, Direction::Incoming, QStringLiteral("Alice came online"), MessageState::Received, alicer, 0, false,
        false, true);
    QString longText;
    for (int i = 0; i < 400; ++i)
        longText += QStringLiteral("line %1 of a long message; ").arg(i);
    add(alice, Direction::Outgoing, longText, MessageState::Sending, alicer, 5003, false, false, false, 3);
    qint64 f = add(alice, Direction::Outgoing, QStringLiteral("this one failed"), MessageState::Sending, alicer, 5006);
    h.setState(f, MessageState::Failed);
    add(alice, Direction::Incoming, QStringLiteral("unread, asks for a receipt"), MessageState::Received, alicer, 1002,
        true, true);
    h.commit();
    add(wang, Direction::Incoming, QString::fromUtf8("你好，今天下午三点开会吗？"), MessageState::Received, wangr, 77,
        true, true);
    add(wang, Direction::Incoming, QString::fromUtf8("会议室在二楼。🙂"), MessageState::Received, wangr, 78,
        true);
    h.markRead(wang);
    add(wang, Direction::Outgoing, QString::fromUtf8("好的，我会准时到。"), MessageState::Queued, wangr, 0);
    add(wang, Direction::Outgoing, QString::fromUtf8("长消息：") + QString::fromUtf8("汉字").repeated(1500),
        MessageState::Sending, wangr, 5007, false, false, false, 2);
    add(stranger, Direction::Incoming, QStringLiteral("hello, who is this?"), MessageState::Received, stranger, 9,
        true);
    add(stranger, Direction::Outgoing, QStringLiteral("plain text reply"), MessageState::Sending, stranger, 5009);
    qint64 s = add(stranger, Direction::Outgoing, QStringLiteral("sent to a plain-text peer"), MessageState::Sending,
                   stranger, 5010);
    h.setState(s, MessageState::Sent);
    if (!h.commit())
        return 1;
    return 0;
}
