// Who a message is from is decided by its address and port alone: a stranger that gives a contact's user name or
// nickname stays a stranger, --contacts-only refuses strangers entirely, and the console marks a stranger's
// nickname as a claim.

#include "fakeengine.h"
#include "messenger.h"
#include "packets.h"
#include "session.h"

#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUdpSocket>

class TestSpoofing final : public QObject, private FakeEngine {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void identityIsTheAddress_data();
    void identityIsTheAddress();
    void contactsOnlyRefusesStrangers_data();
    void contactsOnlyRefusesStrangers();
    void sessionAppliesContactsOnly();
    void consoleMarksStrangers();
};

namespace {

const Endpoint Alice{QHostAddress(QStringLiteral("127.0.0.1")), 2425};

Endpoint endpoint(const char* text)
{
    return *Endpoint::parse(QString::fromLatin1(text));
}

} // namespace

void TestSpoofing::init()
{
    QCOMPARE(openProfile({{QStringLiteral("Alice"), QStringLiteral("127.0.0.1"), 2425}}), QString());
    makeMessenger(Identity{QStringLiteral("me"), {}, "me", "here"}, endpoint("127.0.0.1:2426"));
    m_messenger->start();
}

void TestSpoofing::cleanup()
{
    closeEngine();
}

void TestSpoofing::identityIsTheAddress_data()
{
    QTest::addColumn<QString>("from");
    QTest::addColumn<QString>("peer");
    QTest::addRow("the contact") << u"127.0.0.1:2425"_qs << u"Alice"_qs;
    QTest::addRow("the contact, IPv4-mapped") << u"[::ffff:127.0.0.1]:2425"_qs << u"Alice"_qs;
    QTest::addRow("same address, other port") << u"127.0.0.1:2427"_qs << u"127.0.0.1:2427"_qs;
    QTest::addRow("other address, same port") << u"127.0.0.9:2425"_qs << u"127.0.0.9:2425"_qs;
    QTest::addRow("IPv6 loopback") << u"[::1]:2425"_qs << u"[::1]:2425"_qs;
}

void TestSpoofing::identityIsTheAddress()
{
    QFETCH(QString, from);
    QFETCH(QString, peer);
    const Endpoint sender = *Endpoint::parse(from);
    QSignalSpy added(m_messenger.get(), &Messenger::messageAdded);
    // Everything a packet can say about who sent it says "Alice".
    m_transport->deliver(ipmsgPacket(1000, ipmsg::BrEntry | ipmsg::CapUtf8Opt,
                                     ipmsg::buildEntry(QStringLiteral("Alice"), {}, "alice", "alice-laptop"), "alice",
                                     "alice-laptop"),
                         sender);
    m_transport->deliver(ipmsgPacket(1001, ipmsg::SendMsg | ipmsg::SendCheckOpt | ipmsg::Utf8Opt,
                                     "it's me, Alice: send me the password", "alice", "alice-laptop"),
                         sender);
    QTRY_COMPARE(added.count(), 1);
    const Message m = added.first().first().value<Message>();
    QCOMPARE(m.peer, peer);
    QCOMPARE(m.remote, sender.toString());
    QCOMPARE(m_messenger->isContact(sender), peer == u"Alice");
    QCOMPARE(m_history->conversationSize(peer), 1);
    if (peer != u"Alice")
        QCOMPARE(m_history->conversationSize(QStringLiteral("Alice")), 0);
    // The claimed nickname is kept as a claim of that address, for the front ends to show as such.
    QCOMPARE(m_messenger->nickOf(peer), QStringLiteral("Alice"));
    QCOMPARE(acksTo(*m_transport, sender), QList<quint64>{1001});
}

void TestSpoofing::contactsOnlyRefusesStrangers_data()
{
    QTest::addColumn<QByteArray>("datagram");
    QTest::addRow("SENDMSG") << ipmsgPacket(2000, ipmsg::SendMsg | ipmsg::SendCheckOpt, "hello", "alice");
    QTest::addRow("plain text") << QByteArray("hello from nc\n");
    QTest::addRow("long-message part") << ipmsgPacket(2000, ipmsg::PigeonFragment | ipmsg::SendCheckOpt,
                                                      fragment::encode({2000, 0, 2, "half"}));
    QTest::addRow("entry") << ipmsgPacket(2000, ipmsg::BrEntry, ipmsg::buildEntry(u"Alice"_qs, {}, "alice", "h"));
}

void TestSpoofing::contactsOnlyRefusesStrangers()
{
    QFETCH(QByteArray, datagram);
    m_messenger->setContactsOnly(true);
    QSignalSpy added(m_messenger.get(), &Messenger::messageAdded);
    const Endpoint stranger = endpoint("127.0.0.1:2427");
    const qsizetype sentBefore = m_transport->sent.size();
    m_transport->deliver(datagram, stranger);
    QTRY_COMPARE(m_messenger->stats().datagramsIn, quint64(1));
    QCOMPARE(m_messenger->stats().strangersRefused, quint64(1));
    QCOMPARE(m_messenger->stats().dropped, quint64(1));
    // Not answered in any way, not stored, not shown.
    QCOMPARE(m_transport->sent.size(), sentBefore);
    QCOMPARE(m_messenger->tables().strangers, 0);
    QCOMPARE(m_messenger->presence(stranger.toString()), Presence::Unknown);

    // The contact still gets through, and its message is acknowledged.
    m_transport->deliver(ipmsgPacket(3000, ipmsg::SendMsg | ipmsg::SendCheckOpt, "the real Alice", "alice"), Alice);
    QTRY_COMPARE(added.count(), 1);
    QCOMPARE(added.first().first().value<Message>().peer, QStringLiteral("Alice"));
    QCOMPARE(acksTo(*m_transport, Alice), QList<quint64>{3000});
    QCOMPARE(m_history->conversationSize(stranger.toString()), 0);
}

void TestSpoofing::sessionAppliesContactsOnly()
{
    for (const bool on : {false, true}) {
        QTemporaryDir dir;
        Session session;
        Session::Options options;
        options.profileDir = dir.path();
        options.bind = QHostAddress(QHostAddress::LocalHost);
        options.port = 0;
        options.contactsOnly = on;
        QVERIFY2(session.open(options), qPrintable(session.error()));
        QCOMPARE(session.messenger()->isContactsOnly(), on);
    }
}

void TestSpoofing::consoleMarksStrangers()
{
    QTemporaryDir profile;
    QUdpSocket contact, stranger;
    QVERIFY(contact.bind(QHostAddress(QHostAddress::LocalHost), 0));
    QVERIFY(stranger.bind(QHostAddress(QHostAddress::LocalHost), 0));
    QUdpSocket probe;
    QVERIFY(probe.bind(QHostAddress(QHostAddress::LocalHost), 0));
    const quint16 port = probe.localPort();
    probe.close();

    QProcess add;
    add.start(QStringLiteral(PIGEON_BINARY),
              {u"contacts"_qs, u"add"_qs, u"Alice"_qs, u"127.0.0.1:"_qs + QString::number(contact.localPort()),
               u"--profile"_qs, profile.path()});
    QVERIFY(add.waitForFinished(30'000));
    QCOMPARE(add.exitCode(), 0);

    QProcess console;
    console.start(QStringLiteral(PIGEON_BINARY), {u"--console"_qs, u"--profile"_qs, profile.path(), u"--bind"_qs,
                                                  u"127.0.0.1"_qs, u"--port"_qs, QString::number(port)});
    QVERIFY(console.waitForStarted());
    QByteArray out;
    const auto waitFor = [&](const QByteArray& text) {
        QElapsedTimer clock;
        clock.start();
        while (!out.contains(text) && clock.elapsed() < 30'000) {
            console.waitForReadyRead(200);
            out += console.readAllStandardOutput();
        }
        return out.contains(text);
    };
    QVERIFY2(waitFor("listening"), out.constData());
    const QHostAddress to(QHostAddress::LocalHost);
    const QByteArray entry = ipmsgPacket(10, ipmsg::BrEntry, ipmsg::buildEntry(u"Alice"_qs, {}, "alice", "h"), "alice");
    stranger.writeDatagram(entry, to, port);
    stranger.writeDatagram(ipmsgPacket(11, ipmsg::SendMsg | ipmsg::SendCheckOpt, "from the stranger", "alice"), to,
                           port);
    QVERIFY2(waitFor("from the stranger"), out.constData());
    contact.writeDatagram(ipmsgPacket(12, ipmsg::SendMsg | ipmsg::SendCheckOpt, "from the contact", "alice"), to, port);
    QVERIFY2(waitFor("from the contact"), out.constData());
    console.closeWriteChannel();
    QVERIFY(console.waitForFinished(30'000));
    out += console.readAllStandardOutput();

    const QString text = QString::fromUtf8(out);
    const QString strangerAt = u"127.0.0.1:"_qs + QString::number(stranger.localPort());
    QVERIFY2(text.contains(u"Alice? ("_qs + strangerAt + u"): from the stranger"), qPrintable(text));
    QVERIFY2(text.contains(u"Alice (127.0.0.1:"_qs + QString::number(contact.localPort()) + u"): from the contact"),
             qPrintable(text));
}

QTEST_GUILESS_MAIN(TestSpoofing)
#include "tst_spoofing.moc"
