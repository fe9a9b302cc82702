#include "cryptowire.h"
#include "filewire.h"
#include "ipmsg.h"
#include "session.h"

#include <QDir>
#include <QFile>
#include <QNetworkDatagram>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUdpSocket>

#include <functional>
#include <memory>

namespace {

const QHostAddress Loopback(QStringLiteral("127.0.0.1"));

// A man in the middle on loopback: A has `towardB`'s address as B's, B has `towardA`'s as A's. It forwards what
// each sends to the other, keeps a copy of every datagram, and lets the test alter or forge datagrams.
class Relay final : public QObject {
public:
    Relay()
    {
        ok = towardB.bind(Loopback, 0) && towardA.bind(Loopback, 0);
        connect(&towardB, &QUdpSocket::readyRead, this, [this] { pump(towardB, towardA, m_b, tamperAtoB); });
        connect(&towardA, &QUdpSocket::readyRead, this, [this] { pump(towardA, towardB, m_a, tamperBtoA); });
    }
    void setEnds(quint16 aPort, quint16 bPort)
    {
        m_a = aPort;
        m_b = bPort;
    }
    // Sends `bytes` to B as if from A (from the address B has for A).
    void forgeToB(const QByteArray& bytes) { towardA.writeDatagram(bytes, Loopback, m_b); }

    QUdpSocket towardB; // A sends here for B
    QUdpSocket towardA; // B sends here for A
    bool ok = false;
    QList<QByteArray> relayed;
    // Called on each datagram before it is forwarded; may change it.
    std::function<void(QByteArray&)> tamperAtoB;
    std::function<void(QByteArray&)> tamperBtoA;

private:
    void pump(QUdpSocket& in, QUdpSocket& out, quint16& to, const std::function<void(QByteArray&)>& tamper)
    {
        while (in.hasPendingDatagrams()) {
            QByteArray data = in.receiveDatagram().data();
            relayed.append(data);
            if (tamper)
                tamper(data);
            out.writeDatagram(data, Loopback, to);
        }
    }
    quint16 m_a = 0;
    quint16 m_b = 0;
};

// The incoming messages a spy on Messenger::messageAdded saw.
QList<Message> incoming(const QSignalSpy& spy)
{
    QList<Message> out;
    for (const auto& args : spy)
        if (const Message m = args.first().value<Message>(); m.direction == Direction::Incoming)
            out.append(m);
    return out;
}

bool isSealed(const QByteArray& datagram)
{
    const auto p = ipmsg::decode(datagram).packet;
    return p && p->mode() == cryptowire::SealedMode;
}

} // namespace

// Issue 13 end to end: two real Sessions (encryption on, as always) talking through a relay that reads, alters and
// forges datagrams.
class TestSecureChat final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void nothingRelayedInTheClear_data();
    void nothingRelayedInTheClear();
    void flippedByteIsRefusedRetransmissionDelivers();
    void forgeriesAreRefused_data();
    void forgeriesAreRefused();
    void newKeyWaitsForTrust_data();
    void newKeyWaitsForTrust();
    void everyKindGoesSealed_data();
    void everyKindGoesSealed();

private:
    void openB(quint16 port = 0);
    void connectBoth();

    std::unique_ptr<QTemporaryDir> m_aDir, m_bDir;
    std::unique_ptr<Session> m_a, m_b;
    std::unique_ptr<Relay> m_relay;
};

void TestSecureChat::init()
{
    m_aDir = std::make_unique<QTemporaryDir>();
    m_bDir = std::make_unique<QTemporaryDir>();
    m_relay = std::make_unique<Relay>();
    QVERIFY(m_relay->ok);
    m_a = std::make_unique<Session>();
    Session::Options o;
    o.profileDir = m_aDir->path();
    o.bind = Loopback;
    o.port = 0;
    o.nick = QStringLiteral("Alice");
    QVERIFY2(m_a->open(o), qPrintable(m_a->error()));
    openB();
}

void TestSecureChat::cleanup()
{
    m_a.reset();
    m_b.reset();
    m_relay.reset();
}

void TestSecureChat::openB(quint16 port)
{
    m_b = std::make_unique<Session>();
    Session::Options o;
    o.profileDir = m_bDir->path();
    o.bind = Loopback;
    o.port = port;
    o.nick = QStringLiteral("Bob");
    QVERIFY2(m_b->open(o), qPrintable(m_b->error()));
    m_relay->setEnds(m_a->transport().localEndpoint().port, m_b->transport().localEndpoint().port);
}

void TestSecureChat::connectBoth()
{
    QVERIFY(m_b->contacts().add({u"Alice"_qs, u"127.0.0.1"_qs, m_relay->towardA.localPort()}).isEmpty());
    QVERIFY(m_a->contacts().add({u"Bob"_qs, u"127.0.0.1"_qs, m_relay->towardB.localPort()}).isEmpty());
    QTRY_VERIFY(m_a->messenger()->isEncrypted(u"Bob"_qs));
    QTRY_VERIFY(m_b->messenger()->isEncrypted(u"Alice"_qs));
}

void TestSecureChat::nothingRelayedInTheClear_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("short") << u"the eagle lands at midnight 密码"_qs;
    QString longText;
    for (int i = 0; longText.size() < 20'000; ++i)
        longText += u"secret line %1 of the long plan 计划\n"_qs.arg(i);
    QTest::newRow("long, in parts") << longText;
}

void TestSecureChat::nothingRelayedInTheClear()
{
    QFETCH(QString, text);
    connectBoth();
    QSignalSpy bGot(m_b->messenger(), &Messenger::messageAdded);
    QSignalSpy aGot(m_a->messenger(), &Messenger::messageAdded);
    const qint64 id = m_a->messenger()->send(u"Bob"_qs, text);
    QVERIFY(id > 0);
    QTRY_COMPARE_WITH_TIMEOUT(m_a->history().message(id)->state, MessageState::Delivered, 15'000);
    const QString reply = u"reply: "_qs + text;
    const qint64 back = m_b->messenger()->send(u"Alice"_qs, reply);
    QTRY_COMPARE_WITH_TIMEOUT(m_b->history().message(back)->state, MessageState::Delivered, 15'000);
    QCOMPARE(incoming(bGot).size(), 1);
    QCOMPARE(incoming(bGot).first().text, text);
    QCOMPARE(incoming(bGot).first().peer, u"Alice"_qs);
    QCOMPARE(incoming(aGot).size(), 1);
    QCOMPARE(incoming(aGot).first().text, reply);

    // No 12-byte run of either text's UTF-8 bytes in anything the relay saw, and every datagram under the IPv6
    // minimum MTU; what carried the messages was sealed.
    const QByteArray utf8 = text.toUtf8();
    int sealed = 0;
    for (const QByteArray& d : std::as_const(m_relay->relayed)) {
        QVERIFY2(d.size() <= 1280, qPrintable(u"a datagram of %1 bytes"_qs.arg(d.size())));
        sealed += isSealed(d);
        for (qsizetype i = 0; i + 12 <= utf8.size(); i += 6)
            QVERIFY2(!d.contains(utf8.mid(i, 12)), d.constData());
    }
    QVERIFY(sealed >= 4); // each message and its acknowledgement
    QCOMPARE(m_a->messenger()->stats().forgeries, 0u);
    QCOMPARE(m_b->messenger()->stats().forgeries, 0u);
}

void TestSecureChat::flippedByteIsRefusedRetransmissionDelivers()
{
    connectBoth();
    bool flipped = false;
    m_relay->tamperAtoB = [&](QByteArray& d) {
        if (!flipped && isSealed(d)) {
            d[d.size() - 20] = char(d[d.size() - 20] ^ 0x01);
            flipped = true;
        }
    };
    QSignalSpy warnings(m_b->messenger(), &Messenger::forgeriesRefused);
    QSignalSpy bGot(m_b->messenger(), &Messenger::messageAdded);
    const qint64 id = m_a->messenger()->send(u"Bob"_qs, u"flip me"_qs);
    QTRY_COMPARE_WITH_TIMEOUT(m_a->history().message(id)->state, MessageState::Delivered, 10'000);
    QVERIFY(flipped);
    QCOMPARE(m_b->messenger()->stats().forgeries, 1u);
    QCOMPARE(warnings.count(), 1);
    QCOMPARE(warnings.first().at(0).toString(), u"Alice"_qs);
    QVERIFY(m_a->messenger()->stats().retransmissions >= 1);
    QCOMPARE(incoming(bGot).size(), 1);
    QCOMPARE(incoming(bGot).first().text, u"flip me"_qs);
    QCOMPARE(m_b->history().conversationSize(u"Alice"_qs), 1);
}

void TestSecureChat::forgeriesAreRefused_data()
{
    QTest::addColumn<QByteArray>("forgery");
    ipmsg::Packet p;
    p.version = "1_pigeon 0.1.0";
    p.packetNo = 4'000'000'000;
    p.user = "alice";
    p.host = "box";
    p.command = ipmsg::SendMsg | ipmsg::SendCheckOpt | ipmsg::Utf8Opt;
    p.extension = "forged: send me your password";
    QTest::newRow("plain IPMsg") << ipmsg::encode(p);
    QByteArray random(300, '\0');
    QRandomGenerator rng(13);
    for (char& c : random)
        c = char(rng.bounded(256));
    random.replace("forged", "xxxxxx");
    QTest::newRow("random bytes") << (QByteArray("forged ") + random);
    p.command = cryptowire::SealedMode;
    p.extension = QByteArray(1, char(cryptowire::Version)) + random.left(200);
    QTest::newRow("a made-up envelope") << ipmsg::encode(p);
    p.command = ipmsg::BrEntry;
    p.extension = ipmsg::buildEntry(u"forged Alice"_qs, {}, "alice", "box");
    QTest::newRow("entry without a key") << ipmsg::encode(p);
}

void TestSecureChat::forgeriesAreRefused()
{
    QFETCH(QByteArray, forgery);
    connectBoth();
    QSignalSpy warnings(m_b->messenger(), &Messenger::forgeriesRefused);
    QSignalSpy bGot(m_b->messenger(), &Messenger::messageAdded);
    // A burst: refused each time, one warning.
    constexpr int Burst = 5;
    for (int i = 0; i < Burst; ++i)
        m_relay->forgeToB(forgery);
    QTRY_COMPARE(m_b->messenger()->stats().forgeries, quint64(Burst));
    QCOMPARE(warnings.count(), 1);
    QCOMPARE(warnings.first().at(0).toString(), u"Alice"_qs);
    // The real Alice still gets through, and only she is shown.
    const qint64 id = m_a->messenger()->send(u"Bob"_qs, u"the real one"_qs);
    QTRY_COMPARE(m_a->history().message(id)->state, MessageState::Delivered);
    QCOMPARE(incoming(bGot).size(), 1);
    QCOMPARE(incoming(bGot).first().text, u"the real one"_qs);
    QCOMPARE(m_b->messenger()->nickOf(u"Alice"_qs), u"Alice"_qs);
    QCOMPARE(m_b->messenger()->presence(u"Alice"_qs), Presence::Online);
    QVERIFY(m_b->messenger()->isEncrypted(u"Alice"_qs));
}

void TestSecureChat::newKeyWaitsForTrust_data()
{
    QTest::addColumn<bool>("verified");
    QTest::newRow("unverified") << false;
    QTest::newRow("verified") << true;
}

void TestSecureChat::newKeyWaitsForTrust()
{
    QFETCH(bool, verified);
    connectBoth();
    if (verified)
        QVERIFY(m_a->pinnedKeys().setVerified(u"Bob"_qs, true));
    const QString oldFingerprint = m_b->identity().fingerprint();
    // Bob restarts on the same port with a new identity key (a new installation, or someone else).
    const quint16 bPort = m_b->transport().localEndpoint().port;
    m_b.reset();
    QVERIFY(QFile::remove(m_bDir->filePath(u"identity.key"_qs)));
    QSignalSpy changed(m_a->messenger(), &Messenger::keyChanged);
    QSignalSpy aGot(m_a->messenger(), &Messenger::messageAdded);
    openB(bPort);
    QVERIFY(m_b->identity().fingerprint() != oldFingerprint);
    QTRY_COMPARE(changed.count(), 1);
    QCOMPARE(changed.first().at(0).toString(), u"Bob"_qs);
    QCOMPARE(changed.first().at(1).toBool(), verified);
    QVERIFY(!m_a->messenger()->isEncrypted(u"Bob"_qs));
    QCOMPARE(m_a->messenger()->securePeers()->state(u"Bob"_qs), SecurePeers::State::KeyChanged);

    // Under the new key nothing goes either way: Bob's message is retransmitted and not shown; Alice's waits.
    QTRY_VERIFY(m_b->messenger()->isEncrypted(u"Alice"_qs));
    const qint64 fromB = m_b->messenger()->send(u"Alice"_qs, u"under the new key"_qs);
    const qint64 fromA = m_a->messenger()->send(u"Bob"_qs, u"waits for trust"_qs);
    QVERIFY(fromB > 0 && fromA > 0);
    QTRY_VERIFY(m_b->messenger()->stats().retransmissions >= 2);
    QCOMPARE(incoming(aGot).size(), 0);
    QCOMPARE(m_a->history().conversationSize(u"Bob"_qs), 1);
    // Bob's new life is not heard (its exit was, under the old key): Alice's message waits in the offline queue.
    QCOMPARE(m_a->history().message(fromA)->state, MessageState::Queued);
    for (const QByteArray& d : std::as_const(m_relay->relayed))
        QVERIFY(!d.contains("waits for trust"));

    // Trusted: both go, once each.
    QSignalSpy bGot(m_b->messenger(), &Messenger::messageAdded);
    QVERIFY(m_a->messenger()->trust(u"Bob"_qs));
    QVERIFY(m_a->messenger()->isEncrypted(u"Bob"_qs));
    QCOMPARE(m_a->pinnedKeys().find(u"Bob"_qs)->verified, false);
    QTRY_COMPARE_WITH_TIMEOUT(m_a->history().message(fromA)->state, MessageState::Delivered, 10'000);
    QTRY_COMPARE_WITH_TIMEOUT(m_b->history().message(fromB)->state, MessageState::Delivered, 10'000);
    QCOMPARE(incoming(aGot).size(), 1);
    QCOMPARE(incoming(aGot).first().text, u"under the new key"_qs);
    QCOMPARE(incoming(bGot).size(), 1);
    QCOMPARE(incoming(bGot).first().text, u"waits for trust"_qs);
}

void TestSecureChat::everyKindGoesSealed_data()
{
    QTest::addColumn<QString>("kind");
    QTest::newRow("file") << u"file"_qs;
    QTest::newRow("automatic answer while away") << u"away"_qs;
}

// Not only direct messages: a file (its offer, manifest and data) and an away answer between two Pigeons cross the
// relay sealed. Only entry packets go in the clear (presence: a status text is metadata). Group messages are checked
// in tst_secureengine: a group roster names members by address, which the relay changes.
void TestSecureChat::everyKindGoesSealed()
{
    QFETCH(QString, kind);
    connectBoth();
    QString secret;
    for (int i = 0; i < 40; ++i)
        secret += u"hidden %1 the vault code is 7-3-1 保密 "_qs.arg(i);
    QSignalSpy aGot(m_a->messenger(), &Messenger::messageAdded);
    QString fileName;
    if (kind == u"file") {
        fileName = u"vault-plan.txt"_qs;
        QFile file(m_aDir->filePath(fileName));
        QVERIFY(file.open(QIODevice::WriteOnly));
        for (int i = 0; i < 100; ++i) // 100 KiB and more: many data datagrams
            file.write(secret.toUtf8());
        file.close();
        QSignalSpy offered(m_b->transfers(), &Transfers::offered);
        QString error;
        const quint64 id = m_a->transfers()->offer(u"Bob"_qs, file.fileName(), &error);
        QVERIFY2(id, qPrintable(error));
        QTRY_COMPARE(offered.size(), 1);
        QVERIFY(QDir(m_bDir->path()).mkpath(u"downloads"_qs));
        QVERIFY2(m_b->transfers()->accept(id, &error, m_bDir->filePath(u"downloads"_qs)), qPrintable(error));
        QTRY_COMPARE_WITH_TIMEOUT(m_b->transfers()->info(id).value_or(Transfers::Info{}).state, TransferState::Done,
                                  20'000);
        QFile saved(m_b->transfers()->info(id)->saved);
        QVERIFY(saved.open(QIODevice::ReadOnly));
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(saved.readAll(), file.readAll());
    } else {
        const QString away = u"at the vault"_qs;
        m_b->messenger()->setStatus(Status::Away, away);
        const qint64 id = m_a->messenger()->send(u"Bob"_qs, secret);
        QTRY_COMPARE_WITH_TIMEOUT(m_a->history().message(id)->state, MessageState::Delivered, 10'000);
        QTRY_COMPARE(incoming(aGot).size(), 1);
        QCOMPARE(incoming(aGot).first().text, away);
        QVERIFY(incoming(aGot).first().isAutoReply);
        // The answer itself went sealed: its text is only in entry packets, as the status.
        for (const QByteArray& d : std::as_const(m_relay->relayed)) {
            const auto p = ipmsg::decode(d).packet;
            if (d.contains(away.toUtf8()))
                QVERIFY2(
                    p && (p->mode() == ipmsg::BrEntry || p->mode() == ipmsg::AnsEntry || p->mode() == ipmsg::BrAbsence),
                    d.constData());
        }
    }
    const QByteArray utf8 = secret.toUtf8();
    int sealed = 0;
    for (const QByteArray& d : std::as_const(m_relay->relayed)) {
        // Text parts stay under the IPv6 minimum MTU, file data under Ethernet's (filewire.h).
        const qsizetype limit = fileName.isEmpty() ? 1280 : filewire::MaxDatagramBytes;
        QVERIFY2(d.size() <= limit, qPrintable(u"a datagram of %1 bytes"_qs.arg(d.size())));
        sealed += isSealed(d);
        for (qsizetype i = 0; i + 12 <= utf8.size(); i += 97)
            QVERIFY2(!d.contains(utf8.mid(i, 12)), d.constData());
        if (!fileName.isEmpty())
            QVERIFY2(!d.contains(fileName.toUtf8()), d.constData());
    }
    QVERIFY(sealed >= 2);
    QCOMPARE(m_a->messenger()->stats().forgeries, 0u);
    QCOMPARE(m_b->messenger()->stats().forgeries, 0u);
}

QTEST_GUILESS_MAIN(TestSecureChat)
#include "tst_securechat.moc"
