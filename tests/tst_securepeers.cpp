// The per-peer encryption state the engine will use (core/crypto/securepeers.h): two Pigeons with real identities
// exchange the key announcements of their entry packets and seal for each other; key changes, forgeries and clear
// datagrams from a peer that encrypts.

#include "ipmsg.h"
#include "keystore.h"
#include "pinnedkeys.h"
#include "securepeers.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

class TestSecurePeers final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void entryPacketsMakeThemSecure();
    void clearPeerStaysClear();
    void forgedAnnouncementPinsNothing();
    void restartKeepsTheIdentity();
    void keyChangeWaitsForTrust_data();
    void keyChangeWaitsForTrust();
    void pinnedPeerWaitsForAnnouncement();
    void forgeriesOneWarningPerBurst();
    void renameKeepsChannelAndKey();

private:
    // One Pigeon: profile, identity, pinned keys and its SecurePeers for this run.
    struct Pigeon {
        QTemporaryDir dir;
        KeyStore identity;
        PinnedKeys pinned;
        std::unique_ptr<SecurePeers> peers;

        void start()
        {
            QVERIFY2(identity.open(dir.path()), qPrintable(identity.error()));
            QVERIFY2(pinned.load(dir.filePath(PinnedKeys::FileName.toString())), qPrintable(pinned.error()));
            peers = std::make_unique<SecurePeers>(identity, &pinned);
        }
        QByteArray entry() const
        {
            return ipmsg::buildEntry(QStringLiteral("n"), {}, "u", "h") + peers->announcementLine() + '\n';
        }
    };
    static void exchange(Pigeon& a, const QString& aCallsB, Pigeon& b, const QString& bCallsA)
    {
        QString error;
        a.peers->announced(aCallsB, b.entry(), &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        b.peers->announced(bCallsA, a.entry(), &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }

    std::unique_ptr<Pigeon> m_alice;
    std::unique_ptr<Pigeon> m_bob;
};

void TestSecurePeers::init()
{
    m_alice = std::make_unique<Pigeon>();
    m_bob = std::make_unique<Pigeon>();
    m_alice->start();
    m_bob->start();
}

void TestSecurePeers::entryPacketsMakeThemSecure()
{
    SecurePeers& alice = *m_alice->peers;
    SecurePeers& bob = *m_bob->peers;
    QCOMPARE(alice.state(u"bob"_qs), SecurePeers::State::Clear);
    QVERIFY(!alice.seal(u"bob"_qs, "not yet"));
    exchange(*m_alice, u"bob"_qs, *m_bob, u"alice"_qs);
    QCOMPARE(alice.state(u"bob"_qs), SecurePeers::State::Secure);
    QCOMPARE(bob.state(u"alice"_qs), SecurePeers::State::Secure);
    QVERIFY(alice.encrypts(u"bob"_qs));
    QCOMPARE(m_alice->pinned.find(u"bob"_qs)->key, m_bob->identity.publicKey());
    const QByteArray datagram = "1:1764547200:alice:laptop:288:hello\0";
    const auto sealed = alice.seal(u"bob"_qs, datagram);
    QVERIFY(sealed && !sealed->contains("hello"));
    QCOMPARE(bob.open(u"alice"_qs, *sealed, 0), datagram);
    // The repeated entry packets of a live peer keep the channel (a reset would reopen the replay window).
    exchange(*m_alice, u"bob"_qs, *m_bob, u"alice"_qs);
    QVERIFY(!bob.open(u"alice"_qs, *sealed, 0));
    QCOMPARE(bob.refused(), quint64(0)); // a replay is dropped, not reported as a forgery
    QCOMPARE(bob.open(u"alice"_qs, *alice.seal(u"bob"_qs, "again"), 0), QByteArray("again"));
    // Opened only as the peer it was sealed by.
    QVERIFY(!bob.open(u"carol"_qs, *alice.seal(u"bob"_qs, "x"), 0));
    QCOMPARE(bob.refused(), quint64(1));
}

void TestSecurePeers::clearPeerStaysClear()
{
    QString error;
    // iptux's and IP Messenger's entry packets carry no key.
    QCOMPARE(m_alice->peers->announced(u"iptux"_qs, QByteArrayView("nick\0group\0icon\0utf-8\0", 22), &error),
             SecurePeers::State::Clear);
    QCOMPARE(m_alice->peers->announced(u"ipmsg"_qs, ipmsg::buildEntry(u"x"_qs, {}, "u", "h"), &error),
             SecurePeers::State::Clear);
    QVERIFY(error.isEmpty());
    QVERIFY(!m_alice->peers->encrypts(u"iptux"_qs));
    QVERIFY(m_alice->pinned.entries().isEmpty());
}

void TestSecurePeers::forgedAnnouncementPinsNothing()
{
    // Bob's announcement with the signature's last byte changed, as a forger on the LAN could send it.
    QByteArray entry = m_bob->entry();
    const qsizetype end = entry.lastIndexOf('\n');
    QByteArray line = entry.mid(entry.indexOf("PK:1:"), end - entry.indexOf("PK:1:"));
    QByteArray raw = QByteArray::fromBase64(line.mid(5));
    raw[127] = char(raw[127] ^ 1);
    entry.replace(line, QByteArray("PK:1:" + raw.toBase64()));
    QString error;
    QCOMPARE(m_alice->peers->announced(u"bob"_qs, entry, &error), SecurePeers::State::Clear);
    QVERIFY2(error.contains(u"signature"), qPrintable(error));
    QVERIFY(m_alice->pinned.entries().isEmpty());
    QCOMPARE(m_alice->peers->announced(u"bob"_qs, QByteArrayView("nick\0\0\nPK:1:AAAA\n", 17), &error),
             SecurePeers::State::Clear);
    QVERIFY2(error.contains(u"128 bytes"), qPrintable(error));
}

void TestSecurePeers::restartKeepsTheIdentity()
{
    exchange(*m_alice, u"bob"_qs, *m_bob, u"alice"_qs);
    const QByteArray before = *m_alice->peers->seal(u"bob"_qs, "sealed before Bob restarted");
    QVERIFY(m_alice->peers->channel(u"bob"_qs)); // looked up, so kept as channel()'s last answer
    // Bob restarts: same identity, new ephemeral key. Still Secure, new session keys.
    m_bob->start();
    QSignalSpy changed(m_alice->peers.get(), &SecurePeers::keyChanged);
    exchange(*m_alice, u"bob"_qs, *m_bob, u"alice"_qs);
    QCOMPARE(changed.count(), 0);
    QCOMPARE(m_alice->peers->state(u"bob"_qs), SecurePeers::State::Secure);
    QVERIFY(!m_bob->peers->open(u"alice"_qs, before, 0));
    QCOMPARE(m_bob->peers->open(u"alice"_qs, *m_alice->peers->seal(u"bob"_qs, "after"), 0), QByteArray("after"));
    // channel() gives the new channel, not the one it answered before the restart.
    Channel* channel = m_alice->peers->channel(u"bob"_qs);
    QVERIFY(channel);
    QCOMPARE(m_bob->peers->open(u"alice"_qs, channel->seal("through channel()"), 0), QByteArray("through channel()"));
}

void TestSecurePeers::keyChangeWaitsForTrust_data()
{
    QTest::addColumn<bool>("verified");
    QTest::newRow("unverified") << false;
    QTest::newRow("verified: a stronger warning") << true;
}

void TestSecurePeers::keyChangeWaitsForTrust()
{
    QFETCH(bool, verified);
    exchange(*m_alice, u"bob"_qs, *m_bob, u"alice"_qs);
    QVERIFY(m_alice->pinned.setVerified(u"bob"_qs, verified));
    // "Bob" comes back with a new profile: another identity key.
    auto impostor = std::make_unique<Pigeon>();
    impostor->start();
    QSignalSpy changed(m_alice->peers.get(), &SecurePeers::keyChanged);
    QCOMPARE(m_alice->peers->announced(u"bob"_qs, impostor->entry()), SecurePeers::State::KeyChanged);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.at(0).at(0).toString(), u"bob"_qs);
    QCOMPARE(changed.at(0).at(1).toBool(), verified);
    // Nothing is sealed for it, nor opened from it, under either key.
    QVERIFY(!m_alice->peers->seal(u"bob"_qs, "secret"));
    impostor->peers->announced(u"alice"_qs, m_alice->entry());
    QVERIFY(!m_alice->peers->open(u"bob"_qs, *impostor->peers->seal(u"alice"_qs, "hi"), 0));
    // Repeated entry packets do not warn again, and the pinned key stays.
    m_alice->peers->announced(u"bob"_qs, impostor->entry());
    QCOMPARE(changed.count(), 1);
    QCOMPARE(m_alice->pinned.find(u"bob"_qs)->key, m_bob->identity.publicKey());
    // The user trusts the new key: pinned, unverified, and the channel is made from its announcement at once.
    QVERIFY(m_alice->peers->trust(u"bob"_qs));
    QVERIFY(!m_alice->peers->trust(u"bob"_qs));
    QCOMPARE(m_alice->peers->state(u"bob"_qs), SecurePeers::State::Secure);
    QCOMPARE(m_alice->pinned.find(u"bob"_qs)->key, impostor->identity.publicKey());
    QVERIFY(!m_alice->pinned.find(u"bob"_qs)->verified);
    QCOMPARE(impostor->peers->open(u"alice"_qs, *m_alice->peers->seal(u"bob"_qs, "ok"), 0), QByteArray("ok"));
}

void TestSecurePeers::pinnedPeerWaitsForAnnouncement()
{
    exchange(*m_alice, u"bob"_qs, *m_bob, u"alice"_qs);
    // Alice restarts: Bob's key is pinned from the last run, but there is no channel until Bob announces himself.
    m_alice->start();
    QCOMPARE(m_alice->peers->state(u"bob"_qs), SecurePeers::State::Waiting);
    QVERIFY(m_alice->peers->encrypts(u"bob"_qs));
    QVERIFY(!m_alice->peers->seal(u"bob"_qs, "waits"));
    exchange(*m_alice, u"bob"_qs, *m_bob, u"alice"_qs);
    QCOMPARE(m_alice->peers->state(u"bob"_qs), SecurePeers::State::Secure);
}

void TestSecurePeers::forgeriesOneWarningPerBurst()
{
    exchange(*m_alice, u"bob"_qs, *m_bob, u"alice"_qs);
    SecurePeers& alice = *m_alice->peers;
    QSignalSpy warned(&alice, &SecurePeers::forgeriesRefused);
    const QByteArray genuine = *m_bob->peers->seal(u"alice"_qs, "genuine");
    QByteArray flipped = genuine;
    flipped[50] = char(flipped[50] ^ 1); // in the tag
    // A burst: random bytes, a flipped envelope, clear IPMsg packets, all within BurstGapMs of each other.
    qint64 now = 1'000;
    QVERIFY(!alice.open(u"bob"_qs, QByteArray(80, 'r'), now));
    QVERIFY(!alice.open(u"bob"_qs, flipped, now += 100));
    for (int i = 0; i < 50; ++i)
        alice.refuseClear(u"bob"_qs, now += 100);
    QCOMPARE(alice.refused(), quint64(52));
    QCOMPARE(warned.count(), 1);
    QCOMPARE(warned.at(0).at(1).toULongLong(), quint64(1));
    // The genuine envelope still opens after the forgeries.
    QCOMPARE(alice.open(u"bob"_qs, genuine, now), QByteArray("genuine"));
    // Quiet for BurstGapMs: the next forgery is a new burst, one more warning.
    alice.refuseClear(u"bob"_qs, now += SecurePeers::BurstGapMs);
    QCOMPARE(warned.count(), 2);
    QCOMPARE(warned.at(1).at(1).toULongLong(), quint64(53));
    // Bursts are per peer; senders that are no peer share one, under the empty name.
    alice.refuseClear(u"127.0.0.9:2425"_qs, now);
    alice.refuseClear(u"127.0.0.10:2425"_qs, now);
    QCOMPARE(warned.count(), 3);
    QCOMPARE(warned.at(2).at(0).toString(), QString());
    QCOMPARE(alice.refused(), quint64(55));
}

void TestSecurePeers::renameKeepsChannelAndKey()
{
    // Bob wrote as a stranger (named by address) and is then added as a contact: the same channel and pinned key.
    exchange(*m_alice, u"127.0.0.2:2425"_qs, *m_bob, u"alice"_qs);
    SecurePeers& alice = *m_alice->peers;
    const QByteArray sealed = *m_bob->peers->seal(u"alice"_qs, "after the rename");
    QVERIFY(alice.channel(u"127.0.0.2:2425"_qs));
    QVERIFY(!alice.channel(u"Bob"_qs));
    alice.rename(u"127.0.0.2:2425"_qs, u"Bob"_qs);
    QVERIFY(!alice.channel(u"127.0.0.2:2425"_qs));
    QVERIFY(alice.channel(u"Bob"_qs));
    QCOMPARE(alice.state(u"Bob"_qs), SecurePeers::State::Secure);
    QCOMPARE(alice.state(u"127.0.0.2:2425"_qs), SecurePeers::State::Clear);
    QCOMPARE(m_alice->pinned.find(u"Bob"_qs)->key, m_bob->identity.publicKey());
    QVERIFY(!m_alice->pinned.find(u"127.0.0.2:2425"_qs));
    QCOMPARE(alice.open(u"Bob"_qs, sealed, 0), QByteArray("after the rename"));

    // A name that has its own key keeps it: nothing is swapped silently.
    Pigeon carol;
    carol.start();
    exchange(*m_alice, u"Carol"_qs, carol, u"alice"_qs);
    alice.rename(u"Bob"_qs, u"Carol"_qs);
    QCOMPARE(m_alice->pinned.find(u"Carol"_qs)->key, carol.identity.publicKey());
    QCOMPARE(m_alice->pinned.find(u"Bob"_qs)->key, m_bob->identity.publicKey());
    QCOMPARE(alice.state(u"Bob"_qs), SecurePeers::State::Secure);
}

QTEST_GUILESS_MAIN(TestSecurePeers)
#include "tst_securepeers.moc"
