#include "session.h"
#include "testfiles.h"

#include <QDateTime>
#include <QFile>
#include <QNetworkDatagram>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUdpSocket>

namespace {

const QHostAddress Loopback(QStringLiteral("127.0.0.1"));

Session::Options options(const QTemporaryDir& dir, const QString& nick)
{
    Session::Options o;
    o.profileDir = dir.path();
    o.bind = Loopback;
    o.port = 0; // any free port
    o.nick = nick;
    return o;
}

} // namespace

// Two real engines on 127.0.0.1, each with its own profile, socket and SQLite history.
class TestEndToEnd final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void chatBothWays();
    void longMessageBetweenPigeons();
    void takenPortIsAClearError();
    void unbindableAddressIsAClearError();
    void brokenContactsFileStillStarts();
    void historySurvivesRestart();
    void plainTextPeer();
};

void TestEndToEnd::chatBothWays()
{
    QTemporaryDir aDir;
    QTemporaryDir bDir;
    Session a;
    Session b;
    QVERIFY2(a.open(options(aDir, QStringLiteral("Alice"))), qPrintable(a.error()));
    QVERIFY2(b.open(options(bDir, QStringLiteral("Bob"))), qPrintable(b.error()));
    const quint16 aPort = a.transport().localEndpoint().port;
    const quint16 bPort = b.transport().localEndpoint().port;
    QVERIFY(aPort != 0 && bPort != 0 && aPort != bPort);
    QVERIFY(a.contacts().add({QStringLiteral("Bob"), QStringLiteral("127.0.0.1"), bPort}).isEmpty());
    QVERIFY(b.contacts().add({QStringLiteral("Alice"), QStringLiteral("127.0.0.1"), aPort}).isEmpty());
    // Adding a contact greets it; both see each other online.
    QTRY_COMPARE(a.messenger()->presence(QStringLiteral("Bob")), Presence::Online);
    QTRY_COMPARE(b.messenger()->presence(QStringLiteral("Alice")), Presence::Online);
    QCOMPARE(a.messenger()->nickOf(QStringLiteral("Bob")), QStringLiteral("Bob"));

    QSignalSpy aDelivery(a.messenger(), &Messenger::deliveryChanged);
    QSignalSpy bReceived(b.messenger(), &Messenger::messageAdded);
    const QString text = QStringLiteral("你好 Bob, meeting at 3:30? 😀");
    const qint64 id = a.messenger()->send(QStringLiteral("Bob"), text);
    QVERIFY(id > 0);
    QTRY_COMPARE(bReceived.size(), 1);
    const Message got = bReceived.first().first().value<Message>();
    QCOMPARE(got.text, text);
    QCOMPARE(got.peer, QStringLiteral("Alice"));
    QCOMPARE(got.remote, QStringLiteral("127.0.0.1:%1").arg(aPort));
    QTRY_COMPARE(a.history().message(id)->state, MessageState::Delivered);
    QCOMPARE(aDelivery.last().at(1).value<MessageState>(), MessageState::Delivered);

    QSignalSpy aReceived(a.messenger(), &Messenger::messageAdded);
    QVERIFY(b.messenger()->send(QStringLiteral("Alice"), QStringLiteral("3:30 works")) > 0);
    QTRY_COMPARE(aReceived.size(), 1);
    QCOMPARE(aReceived.first().first().value<Message>().text, QStringLiteral("3:30 works"));
    QCOMPARE(a.history().conversationSize(QStringLiteral("Bob")), 2);
    QCOMPARE(b.history().conversationSize(QStringLiteral("Alice")), 2);
}

void TestEndToEnd::longMessageBetweenPigeons()
{
    QTemporaryDir aDir;
    QTemporaryDir bDir;
    Session a;
    Session b;
    QVERIFY(a.open(options(aDir, QStringLiteral("A"))));
    QVERIFY(b.open(options(bDir, QStringLiteral("B"))));
    QVERIFY(a.contacts()
                .add({QStringLiteral("B"), QStringLiteral("127.0.0.1"), b.transport().localEndpoint().port})
                .isEmpty());
    QTRY_COMPARE(a.messenger()->presence(QStringLiteral("B")), Presence::Online);
    QString text;
    for (int i = 0; text.size() < 200'000; ++i)
        text += QStringLiteral("第%1行 line %1\n").arg(i);
    QSignalSpy received(b.messenger(), &Messenger::messageAdded);
    const qint64 id = a.messenger()->send(QStringLiteral("B"), text);
    QVERIFY(id > 0);
    QVERIFY(a.history().message(id)->fragmented);
    QTRY_COMPARE_WITH_TIMEOUT(a.history().message(id)->state, MessageState::Delivered, 20000);
    QCOMPARE(received.size(), 1);
    QCOMPARE(received.first().first().value<Message>().text, text);
}

void TestEndToEnd::takenPortIsAClearError()
{
    QUdpSocket holder;
    QVERIFY(holder.bind(Loopback, 0));
    QTemporaryDir dir;
    Session s;
    Session::Options o = options(dir, QStringLiteral("X"));
    o.port = holder.localPort();
    QVERIFY(!s.open(o));
    QVERIFY(!s.isListening());
    const QString port = QString::number(holder.localPort());
    QVERIFY2(s.error().contains(QStringLiteral("127.0.0.1:") + port), qPrintable(s.error()));
    QVERIFY2(s.error().contains(QStringLiteral("--port")), qPrintable(s.error()));
    // The engine and the history are there all the same: the GUI can offer another port.
    QVERIFY(s.messenger());
    QVERIFY(s.rebind(Loopback, 0));
}

void TestEndToEnd::unbindableAddressIsAClearError()
{
    QTemporaryDir dir;
    Session s;
    Session::Options o = options(dir, QStringLiteral("X"));
    o.bind = QHostAddress(QStringLiteral("192.0.2.1")); // TEST-NET-1: never on this machine; binding sends nothing
    QVERIFY(!s.open(o));
    QVERIFY2(s.error().contains(QStringLiteral("192.0.2.1")), qPrintable(s.error()));
    QVERIFY2(s.error().contains(QStringLiteral("--bind")), qPrintable(s.error()));
}

void TestEndToEnd::brokenContactsFileStillStarts()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("contacts.ini"));
    QVERIFY(writeFile(path, "[Bob\nhost = 127.0.0.1\n"));
    Session s;
    QVERIFY2(s.open(options(dir, QStringLiteral("X"))), qPrintable(s.error()));
    QCOMPARE(s.warnings().size(), 1);
    QVERIFY2(s.warnings().first().contains(path), qPrintable(s.warnings().first()));
    QVERIFY(s.isListening());
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), QByteArray("[Bob\nhost = 127.0.0.1\n"));
}

void TestEndToEnd::historySurvivesRestart()
{
    QTemporaryDir aDir;
    QTemporaryDir bDir;
    Session b;
    QVERIFY(b.open(options(bDir, QStringLiteral("B"))));
    const quint16 bPort = b.transport().localEndpoint().port;
    qint64 id = 0;
    qint64 aheadId = 0;
    {
        Session a;
        QVERIFY(a.open(options(aDir, QStringLiteral("A"))));
        QVERIFY(a.contacts().add({QStringLiteral("B"), QStringLiteral("127.0.0.1"), bPort}).isEmpty());
        id = a.messenger()->send(QStringLiteral("B"), QStringLiteral("before restart"));
        QTRY_COMPARE(a.history().message(id)->state, MessageState::Delivered);
        // The last run numbered a message a day ahead of this clock (a clock that was set back since): numbers from
        // the clock alone would go back, whatever second it is now.
        Message ahead;
        ahead.peer = QStringLiteral("B");
        ahead.direction = Direction::Outgoing;
        ahead.state = MessageState::Delivered;
        ahead.text = QStringLiteral("from a clock a day ahead");
        ahead.remote = QStringLiteral("127.0.0.1:%1").arg(bPort);
        ahead.packetNo = quint64(QDateTime::currentSecsSinceEpoch()) + 86'400;
        QVERIFY(a.history().append(ahead));
        QVERIFY(a.history().commit());
        aheadId = ahead.id;
    }
    Session a;
    QVERIFY(a.open(options(aDir, QStringLiteral("A"))));
    QCOMPARE(a.contacts().contacts().size(), 1);
    const auto m = a.history().message(id);
    QVERIFY(m);
    QCOMPARE(m->text, QStringLiteral("before restart"));
    QCOMPARE(m->state, MessageState::Delivered);
    // Packet numbers continue above the last run's, so the peer's dedupe never mistakes new messages for old ones.
    QSignalSpy received(b.messenger(), &Messenger::messageAdded);
    const qint64 next = a.messenger()->send(QStringLiteral("B"), QStringLiteral("after restart"));
    QTRY_COMPARE(received.size(), 1);
    QVERIFY(a.history().message(next)->packetNo > a.history().message(aheadId)->packetNo);
}

void TestEndToEnd::plainTextPeer()
{
    QTemporaryDir dir;
    Session s;
    QVERIFY(s.open(options(dir, QStringLiteral("X"))));
    QUdpSocket script;
    QVERIFY(script.bind(Loopback, 0));
    QSignalSpy received(s.messenger(), &Messenger::messageAdded);
    script.writeDatagram(QStringLiteral("ping 中文\n").toUtf8(), Loopback, s.transport().localEndpoint().port);
    QTRY_COMPARE(received.size(), 1);
    const Message m = received.first().first().value<Message>();
    QCOMPARE(m.text, QStringLiteral("ping 中文"));
    QCOMPARE(m.peer, QStringLiteral("127.0.0.1:%1").arg(script.localPort()));
    QVERIFY(s.messenger()->send(m.peer, QStringLiteral("pong")) > 0);
    QTRY_VERIFY(script.hasPendingDatagrams());
    QCOMPARE(script.receiveDatagram().data(), QByteArray("pong"));
}

QTEST_GUILESS_MAIN(TestEndToEnd)
#include "tst_endtoend.moc"
