#include "contactbook.h"
#include "cryptowire.h"
#include "faketransport.h"
#include "history.h"
#include "keystore.h"
#include "messenger.h"
#include "packets.h"
#include "pinnedkeys.h"
#include "securepeers.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace {

const Endpoint Self{QHostAddress(QStringLiteral("127.0.0.1")), 2425};
const Endpoint BobAt{QHostAddress(QStringLiteral("127.0.0.2")), 2425};

// The other end, played with the real crypto layer: its own identity key, pinned keys and channels.
struct OtherPigeon {
    explicit OtherPigeon(const QString& folder)
    {
        ok = key.open(folder) && pinned.load(folder + u"/keys"_qs);
        peers = std::make_unique<SecurePeers>(key, &pinned);
    }
    QByteArray entryExtension(bool withKey) const
    {
        QByteArray e = ipmsg::buildEntry(u"Bob"_qs, {}, "bob", "bobhost");
        if (withKey)
            e += peers->announcementLine() + '\n';
        return e;
    }
    // What a sealed datagram from the engine carries; nullopt when it is not one or does not open.
    std::optional<ipmsg::Packet> open(const QByteArray& datagram)
    {
        const auto outer = ipmsg::decode(datagram).packet;
        if (!outer || outer->mode() != cryptowire::SealedMode)
            return std::nullopt;
        const auto inner = peers->open(u"Alice"_qs, outer->extension, 0);
        return inner ? ipmsg::decode(*inner).packet : std::nullopt;
    }
    QByteArray seal(const QByteArray& datagram)
    {
        ipmsg::Packet outer;
        outer.version = "1_pigeon 0.1.0";
        outer.packetNo = ++counter;
        outer.command = cryptowire::SealedMode;
        outer.extension = *peers->seal(u"Alice"_qs, datagram);
        return ipmsg::encode(outer);
    }
    KeyStore key;
    PinnedKeys pinned;
    std::unique_ptr<SecurePeers> peers;
    quint64 counter = 0;
    bool ok = false;
};

} // namespace

// The engine with encryption on, over a fake network: messages to a Pigeon wait for its key, and clear datagrams
// from a Pigeon that encrypts are refused.
class TestSecureEngine final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void messageWaitsForKey_data();
    void messageWaitsForKey();
    void clearFromAnEncryptingPeerIsRefused_data();
    void clearFromAnEncryptingPeerIsRefused();
    void broadcastExitWithTheKeyIsTaken();
    void groupMessageGoesSealed_data();
    void groupMessageGoesSealed();

private:
    // Bob's entry packet reaches the engine, which answers; Bob learns the engine's key from its greeting.
    // `version`: the IPMsg version field of Bob's answer ("1_pigeon ..." says it is a Pigeon).
    void bobAnswers(bool withKey, const QByteArray& version = "1");
    QList<ipmsg::Packet> clearSentToBob() const;

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<KeyStore> m_key;
    std::unique_ptr<PinnedKeys> m_pinned;
    std::unique_ptr<ContactBook> m_contacts;
    std::unique_ptr<History> m_history;
    std::unique_ptr<FakeTransport> m_transport;
    std::unique_ptr<Messenger> m_messenger;
    std::unique_ptr<SecurePeers> m_secure;
    std::unique_ptr<OtherPigeon> m_bob;
};

void TestSecureEngine::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(QDir(m_dir->path()).mkpath(u"alice"_qs) && QDir(m_dir->path()).mkpath(u"bob"_qs));
    m_key = std::make_unique<KeyStore>();
    QVERIFY(m_key->open(m_dir->filePath(u"alice"_qs)));
    m_pinned = std::make_unique<PinnedKeys>();
    QVERIFY(m_pinned->load(m_dir->filePath(u"alice/keys"_qs)));
    m_bob = std::make_unique<OtherPigeon>(m_dir->filePath(u"bob"_qs));
    QVERIFY(m_bob->ok);
    m_contacts = std::make_unique<ContactBook>();
    QVERIFY(m_contacts->load(m_dir->filePath(u"alice/contacts.ini"_qs)));
    m_history = std::make_unique<History>();
    QVERIFY(m_history->open(m_dir->filePath(u"alice/history.sqlite"_qs)));
    m_transport = std::make_unique<FakeTransport>(Self);
    Identity id;
    id.nick = u"Alice"_qs;
    id.user = "alice";
    id.host = "alicehost";
    m_messenger = std::make_unique<Messenger>(id, m_contacts.get(), m_history.get(), m_transport.get());
    m_secure = std::make_unique<SecurePeers>(*m_key, m_pinned.get());
    m_messenger->setSecurePeers(m_secure.get());
    m_messenger->start();
}

void TestSecureEngine::cleanup()
{
    m_messenger.reset();
    m_secure.reset();
    m_transport.reset();
    m_history.reset();
    m_contacts.reset();
    m_bob.reset();
    m_pinned.reset();
    m_key.reset();
    m_dir.reset();
}

QList<ipmsg::Packet> TestSecureEngine::clearSentToBob() const
{
    QList<ipmsg::Packet> out;
    for (const FakeTransport::Sent& s : m_transport->sent)
        if (const auto p = ipmsg::decode(s.data).packet; s.to == BobAt && p && p->mode() != cryptowire::SealedMode)
            out.append(*p);
    return out;
}

void TestSecureEngine::bobAnswers(bool withKey, const QByteArray& version)
{
    // The engine greeted Bob with its key; Bob pins it and answers with its own (or, an IPMsg client, without).
    const auto greetings = clearSentToBob();
    QVERIFY(!greetings.isEmpty());
    QCOMPARE(greetings.first().mode(), quint32(ipmsg::BrEntry));
    QVERIFY(greetings.first().extension.contains("\nPK:1:"));
    if (withKey)
        QCOMPARE(m_bob->peers->announced(u"Alice"_qs, greetings.first().extension), SecurePeers::State::Secure);
    m_transport->deliver(ipmsgPacket(100, ipmsg::AnsEntry, m_bob->entryExtension(withKey), "bob", "bobhost", version),
                         BobAt);
}

void TestSecureEngine::messageWaitsForKey_data()
{
    QTest::addColumn<bool>("pinnedBefore"); // Bob's key is known from an earlier run
    QTest::addColumn<bool>("bobEncrypts");  // Bob is a Pigeon that announces a key
    QTest::newRow("key pinned in an earlier run") << true << true;
    QTest::newRow("first contact with a Pigeon") << false << true;
    QTest::newRow("an IPMsg client: no key, sent in the clear") << false << false;
}

void TestSecureEngine::messageWaitsForKey()
{
    QFETCH(bool, pinnedBefore);
    QFETCH(bool, bobEncrypts);
    if (pinnedBefore)
        QCOMPARE(m_pinned->see(u"Bob"_qs, m_bob->key.publicKey()), PinnedKeys::Seen::Pinned);
    QVERIFY(m_contacts->add({u"Bob"_qs, BobAt.address.toString(), BobAt.port}).isEmpty());
    const QString text = u"not before the key"_qs;
    const qint64 id = m_messenger->send(u"Bob"_qs, text);
    QVERIFY(id > 0);
    // Nothing but the greeting leaves while Bob's key is unknown, however long it waits.
    QTRY_VERIFY(m_messenger->heldDatagrams() >= 1);
    QTRY_VERIFY(m_messenger->stats().retransmissions >= 1);
    for (const FakeTransport::Sent& s : std::as_const(m_transport->sent))
        QVERIFY2(!s.data.contains(text.toUtf8()), s.data.constData());
    QCOMPARE(messagesSent(*m_transport), 0);
    QCOMPARE(m_history->message(id)->state, MessageState::Sending);

    bobAnswers(bobEncrypts);
    QTRY_COMPARE(m_messenger->heldDatagrams(), 0);
    QTRY_VERIFY(m_transport->sent.size() > 0);
    std::optional<ipmsg::Packet> message;
    for (const FakeTransport::Sent& s : std::as_const(m_transport->sent)) {
        if (s.to != BobAt)
            continue;
        const auto p = bobEncrypts ? m_bob->open(s.data) : ipmsg::decode(s.data).packet;
        if (p && p->mode() == ipmsg::SendMsg)
            message = p;
    }
    QVERIFY(message);
    QCOMPARE(QString::fromUtf8(message->text()), text);
    QCOMPARE(messagesSent(*m_transport), bobEncrypts ? 0 : 1); // as a clear SENDMSG only to the IPMsg client
    QCOMPARE(m_messenger->isEncrypted(u"Bob"_qs), bobEncrypts);

    // Bob's acknowledgement, sealed when Bob encrypts, completes it.
    const QByteArray ack = ipmsgPacket(101, ipmsg::RecvMsg, QByteArray::number(message->packetNo), "bob", "bobhost");
    m_transport->deliver(bobEncrypts ? m_bob->seal(ack) : ack, BobAt);
    QTRY_COMPARE(m_history->message(id)->state, MessageState::Delivered);
}

void TestSecureEngine::clearFromAnEncryptingPeerIsRefused_data()
{
    QTest::addColumn<QByteArray>("datagram");
    QTest::newRow("SENDMSG") << ipmsgPacket(200, ipmsg::SendMsg | ipmsg::SendCheckOpt, "clear as Bob", "bob",
                                            "bobhost");
    QTest::newRow("plain text") << QByteArray("clear as Bob\n");
    QTest::newRow("BR_EXIT") << ipmsgPacket(200, ipmsg::BrExit, "Bob", "bob", "bobhost");
    QTest::newRow("RECVMSG") << ipmsgPacket(200, ipmsg::RecvMsg, "1", "bob", "bobhost");
}

void TestSecureEngine::clearFromAnEncryptingPeerIsRefused()
{
    QFETCH(QByteArray, datagram);
    QVERIFY(m_contacts->add({u"Bob"_qs, BobAt.address.toString(), BobAt.port}).isEmpty());
    bobAnswers(true);
    QTRY_VERIFY(m_messenger->isEncrypted(u"Bob"_qs));
    QCOMPARE(m_messenger->presence(u"Bob"_qs), Presence::Online);

    QSignalSpy added(m_messenger.get(), &Messenger::messageAdded);
    QSignalSpy warnings(m_messenger.get(), &Messenger::forgeriesRefused);
    QSignalSpy presence(m_messenger.get(), &Messenger::presenceChanged);
    for (int i = 0; i < 3; ++i)
        m_transport->deliver(datagram, BobAt);
    QTRY_COMPARE(m_messenger->stats().forgeries, 3u);
    QCOMPARE(warnings.count(), 1);
    QCOMPARE(added.count(), 0);
    QCOMPARE(presence.count(), 0);
    QCOMPARE(m_messenger->presence(u"Bob"_qs), Presence::Online);

    // The same, sealed by the real Bob, is taken.
    m_transport->deliver(
        m_bob->seal(ipmsgPacket(300, ipmsg::SendMsg | ipmsg::SendCheckOpt, "sealed by Bob", "bob", "bobhost")), BobAt);
    QTRY_COMPARE(added.count(), 1);
    QCOMPARE(added.first().first().value<Message>().text, u"sealed by Bob"_qs);
    QCOMPARE(added.first().first().value<Message>().peer, u"Bob"_qs);
}

// A Pigeon with LAN announcement says goodbye to the LAN in the clear (it cannot seal a broadcast): with its key
// announcement that goodbye is its own, not a forgery; the unsealed BR_EXIT above, without the key, is refused.
void TestSecureEngine::broadcastExitWithTheKeyIsTaken()
{
    QVERIFY(m_contacts->add({u"Bob"_qs, BobAt.address.toString(), BobAt.port}).isEmpty());
    bobAnswers(true);
    QTRY_VERIFY(m_messenger->isEncrypted(u"Bob"_qs));
    QCOMPARE(m_messenger->presence(u"Bob"_qs), Presence::Online);
    QSignalSpy warnings(m_messenger.get(), &Messenger::forgeriesRefused);
    m_transport->deliver(ipmsgPacket(101, ipmsg::BrExit, m_bob->entryExtension(true), "bob", "bobhost"), BobAt);
    QTRY_COMPARE(m_messenger->presence(u"Bob"_qs), Presence::Offline);
    QCOMPARE(m_messenger->stats().forgeries, 0u);
    QCOMPARE(warnings.count(), 0);
    QVERIFY(m_messenger->isEncrypted(u"Bob"_qs));
}

void TestSecureEngine::groupMessageGoesSealed_data()
{
    QTest::addColumn<int>("repeat"); // the text is this many times "the plan is ready"
    QTest::newRow("short") << 1;
    QTest::newRow("long, in group parts") << 400;
}

// Group datagrams to a Pigeon member (the invitation with its roster, the text, its parts) leave sealed.
void TestSecureEngine::groupMessageGoesSealed()
{
    QFETCH(int, repeat);
    QVERIFY(m_contacts->add({u"Bob"_qs, BobAt.address.toString(), BobAt.port}).isEmpty());
    bobAnswers(true, "1_pigeon 0.1.0");
    QTRY_VERIFY(m_messenger->isEncrypted(u"Bob"_qs));
    QString error;
    const QString group = m_messenger->createGroup(u"plotters"_qs, {u"Bob"_qs}, &error);
    QVERIFY2(!group.isEmpty(), qPrintable(error));
    const QString text = u"the plan is ready "_qs.repeated(repeat);
    QVERIFY2(m_messenger->send(group, text, &error) > 0, qPrintable(error));

    // What Bob opens: group datagrams, together carrying the text; nothing of it in the clear.
    QByteArray opened;
    QSet<quint32> modes;
    int datagrams = 0; // each cut between two datagrams may split one "the plan is ready"
    const auto read = [&] {
        for (const FakeTransport::Sent& s : std::exchange(m_transport->sent, {})) {
            if (s.to != BobAt)
                continue;
            QVERIFY2(!s.data.contains("the plan is ready"), s.data.constData());
            QVERIFY2(s.data.size() <= 1280, qPrintable(u"a datagram of %1 bytes"_qs.arg(s.data.size())));
            if (const auto p = m_bob->open(s.data)) {
                modes.insert(p->mode());
                opened += p->extension;
                ++datagrams;
            }
        }
    };
    QTRY_VERIFY((read(), opened.count("the plan is ready") >= repeat - datagrams + 1));
    QVERIFY(modes.contains(ipmsg::PigeonGroup));
    QCOMPARE(modes.contains(ipmsg::PigeonGroupPart), repeat > 1);
}

QTEST_GUILESS_MAIN(TestSecureEngine)
#include "tst_secureengine.moc"
