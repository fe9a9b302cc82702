// The handshake (core/crypto/handshake.h), the sealed channel (channel.h) and its replay window (replaywindow.h):
// two real identities in temporary profiles, libsodium throughout.

#include "channel.h"
#include "handshake.h"
#include "keystore.h"
#include "replaywindow.h"

#include <QTemporaryDir>
#include <QTest>

#include <memory>

class TestChannel final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void bothSidesAgree();
    void envelopesAreXChaCha20Poly1305();
    void forgedAnnouncementIsRefused_data();
    void forgedAnnouncementIsRefused();
    void ownAnnouncementIsRefused();
    void restartGivesNewKeys();
    void wrongKeysDoNotOpen();
    void reflectedEnvelopeDoesNotOpen();
    void alteredEnvelopeIsRefused_data();
    void alteredEnvelopeIsRefused();
    void replayIsRefused();
    void reorderingWithinWindow();
    void tooOldIsRefused();
    void replayWindow_data();
    void replayWindow();

private:
    // One Pigeon: its profile, identity and this run's handshake.
    struct Peer {
        QTemporaryDir dir;
        KeyStore keys;
        std::unique_ptr<crypto::Handshake> run;
    };
    static std::unique_ptr<Channel> channel(const Peer& self, const Peer& other);
    static void restart(Peer& peer) { peer.run = std::make_unique<crypto::Handshake>(peer.keys); }

    Peer m_alice;
    Peer m_bob;
    Peer m_carol;
};

void TestChannel::initTestCase()
{
    for (Peer* p : {&m_alice, &m_bob, &m_carol}) {
        QVERIFY(p->dir.isValid());
        QVERIFY2(p->keys.open(p->dir.path()), qPrintable(p->keys.error()));
        restart(*p);
    }
}

std::unique_ptr<Channel> TestChannel::channel(const Peer& self, const Peer& other)
{
    QString error;
    const auto keys = self.run->agree(other.run->announcement(), &error);
    if (!keys) {
        qWarning("agree: %s", qPrintable(error));
        return nullptr;
    }
    return std::make_unique<Channel>(*keys, self.keys.publicKey(), other.keys.publicKey());
}

void TestChannel::bothSidesAgree()
{
    QVERIFY(crypto::verify(m_alice.run->announcement()));
    QCOMPARE(m_alice.run->announcement().identity, m_alice.keys.publicKey());
    QString error;
    const auto a = m_alice.run->agree(m_bob.run->announcement(), &error);
    QVERIFY2(a, qPrintable(error));
    const auto b = m_bob.run->agree(m_alice.run->announcement(), &error);
    QVERIFY2(b, qPrintable(error));
    QCOMPARE(QByteArrayView(a->send.data(), 32), QByteArrayView(b->receive.data(), 32));
    QCOMPARE(QByteArrayView(a->receive.data(), 32), QByteArrayView(b->send.data(), 32));
    QVERIFY(QByteArrayView(a->send.data(), 32) != QByteArrayView(a->receive.data(), 32));

    auto alice = channel(m_alice, m_bob);
    auto bob = channel(m_bob, m_alice);
    QVERIFY(alice && bob);
    for (const QByteArray& text : {QByteArray(), QByteArray("hello"), QByteArray(1200, 'x')}) {
        const QByteArray sealed = alice->seal(text);
        QCOMPARE(sealed.size(), text.size() + cryptowire::Overhead);
        if (!text.isEmpty())
            QVERIFY(!sealed.contains(text));
        Channel::Refusal why = Channel::Refusal::Forged;
        QCOMPARE(bob->open(sealed, &why), text);
        QCOMPARE(why, Channel::Refusal::None);
        QCOMPARE(alice->open(bob->seal(text)), text);
    }
    // The same plaintext twice gives two different envelopes (random nonce, next counter).
    QVERIFY(alice->seal("same") != alice->seal("same"));
}

namespace {

// The associated data as cryptowire.h specifies it, built here from the specification.
QByteArray envelopeAd(const QByteArray& envelope, const crypto::IdentityKey& sender,
                      const crypto::IdentityKey& receiver)
{
    return QByteArray("pigeon-env-v1") + envelope.left(9) +
           QByteArray(reinterpret_cast<const char*>(sender.data()), 32) +
           QByteArray(reinterpret_cast<const char*>(receiver.data()), 32);
}

} // namespace

// The envelope is libsodium's XChaCha20-Poly1305 (IETF) as cryptowire.h says, though Channel derives each prefix's
// HChaCha20 subkey once: what libsodium seals opens, including under a new prefix (a new channel of the same keys),
// and what Channel seals opens with libsodium.
void TestChannel::envelopesAreXChaCha20Poly1305()
{
    QString error;
    const auto keys = m_alice.run->agree(m_bob.run->announcement(), &error);
    QVERIFY2(keys, qPrintable(error));
    const crypto::IdentityKey alice = m_alice.keys.publicKey();
    const crypto::IdentityKey bob = m_bob.keys.publicKey();
    auto bobSide = channel(m_bob, m_alice);
    for (int prefix = 0; prefix < 3; ++prefix) {
        // A sealer with its own random prefix, as a restarted Channel of the same keys has.
        Channel sender(*keys, alice, bob);
        for (quint64 n = 1; n <= 3; ++n) {
            const QByteArray text = QByteArray::number(prefix) + QByteArray(1000 + int(n), 'p');
            const QByteArray sealed = sender.seal(text);
            const QByteArray ad = envelopeAd(sealed, alice, bob);
            QByteArray opened(text.size(), Qt::Uninitialized);
            unsigned long long length = 0;
            QCOMPARE(crypto_aead_xchacha20poly1305_ietf_decrypt(
                         reinterpret_cast<unsigned char*>(opened.data()), &length, nullptr,
                         reinterpret_cast<const unsigned char*>(sealed.constData()) + cryptowire::HeaderBytes,
                         quint64(sealed.size() - cryptowire::HeaderBytes),
                         reinterpret_cast<const unsigned char*>(ad.constData()), quint64(ad.size()),
                         reinterpret_cast<const unsigned char*>(sealed.constData()) + 9, keys->send.data()),
                     0);
            QCOMPARE(opened, text);
            // And Channel opens it (the first sender only: the others start their counters at 1 again).
            if (prefix == 0)
                QCOMPARE(bobSide->open(sealed), text);
        }
        // libsodium's own sealing, under a fresh random nonce and a counter beyond the others.
        const quint64 counter = 100 + quint64(prefix);
        std::array<unsigned char, cryptowire::NonceBytes> nonce;
        randombytes_buf(nonce.data(), nonce.size());
        QByteArray envelope;
        cryptowire::appendHeader(envelope, counter, nonce);
        const QByteArray text = "from libsodium " + QByteArray::number(prefix);
        const QByteArray ad = envelopeAd(envelope, alice, bob);
        envelope.resize(cryptowire::HeaderBytes + text.size() + cryptowire::TagBytes);
        unsigned long long length = 0;
        crypto_aead_xchacha20poly1305_ietf_encrypt(
            reinterpret_cast<unsigned char*>(envelope.data()) + cryptowire::HeaderBytes, &length,
            reinterpret_cast<const unsigned char*>(text.constData()), quint64(text.size()),
            reinterpret_cast<const unsigned char*>(ad.constData()), quint64(ad.size()), nullptr, nonce.data(),
            keys->send.data());
        QCOMPARE(bobSide->open(envelope), text);
        // An altered tag under a known prefix still does not open.
        QByteArray altered = sender.seal("altered");
        altered[altered.size() - 1] = char(altered[altered.size() - 1] ^ 1);
        Channel::Refusal why = Channel::Refusal::None;
        QVERIFY(!bobSide->open(altered, &why));
        QCOMPARE(why, Channel::Refusal::Forged);
    }
}

void TestChannel::forgedAnnouncementIsRefused_data()
{
    QTest::addColumn<int>("part"); // 0: identity replaced by Carol's, 1: ephemeral flipped, 2: signature flipped
    QTest::newRow("someone else's identity") << 0;
    QTest::newRow("ephemeral key swapped") << 1;
    QTest::newRow("signature flipped") << 2;
}

void TestChannel::forgedAnnouncementIsRefused()
{
    QFETCH(int, part);
    cryptowire::Announcement forged = m_bob.run->announcement();
    if (part == 0)
        forged.identity = m_carol.keys.publicKey();
    else if (part == 1)
        forged.ephemeral = m_carol.run->announcement().ephemeral;
    else
        forged.signature[17] ^= 0x01;
    QVERIFY(!crypto::verify(forged));
    QString error;
    QVERIFY(!m_alice.run->agree(forged, &error));
    QVERIFY2(error.contains(u"signature"), qPrintable(error));
}

void TestChannel::ownAnnouncementIsRefused()
{
    QString error;
    QVERIFY(!m_alice.run->agree(m_alice.run->announcement(), &error));
    QVERIFY2(error.contains(u"own"), qPrintable(error));
}

void TestChannel::restartGivesNewKeys()
{
    Peer bob2;
    QVERIFY2(bob2.keys.open(m_bob.dir.path()), qPrintable(bob2.keys.error()));
    restart(bob2);
    // Same identity, new ephemeral key: what was sealed before the restart does not open after it.
    QCOMPARE(bob2.run->announcement().identity, m_bob.run->announcement().identity);
    QVERIFY(bob2.run->announcement().ephemeral != m_bob.run->announcement().ephemeral);
    auto alice = channel(m_alice, m_bob);
    const QByteArray before = alice->seal("before the restart");
    auto bobAfter = channel(bob2, m_alice);
    Channel::Refusal why = Channel::Refusal::None;
    QVERIFY(!bobAfter->open(before, &why));
    QCOMPARE(why, Channel::Refusal::Forged);
    QCOMPARE(channel(m_alice, bob2)->seal("x").size(), 1 + cryptowire::Overhead);
    QCOMPARE(bobAfter->open(channel(m_alice, bob2)->seal("after")), QByteArray("after"));
}

void TestChannel::wrongKeysDoNotOpen()
{
    auto alice = channel(m_alice, m_bob);
    const QByteArray sealed = alice->seal("for bob only");
    // Carol has her own channels with Alice and with Bob; neither opens Alice's envelope to Bob.
    for (const auto& [self, other] : {std::pair{&m_carol, &m_alice}, std::pair{&m_carol, &m_bob}}) {
        Channel::Refusal why = Channel::Refusal::None;
        QVERIFY(!channel(*self, *other)->open(sealed, &why));
        QCOMPARE(why, Channel::Refusal::Forged);
    }
    // Session keys right, but the envelope was sealed for another receiver identity (a redirected datagram).
    QString error;
    const auto keys = m_bob.run->agree(m_alice.run->announcement(), &error);
    Channel misnamed(*keys, m_carol.keys.publicKey(), m_alice.keys.publicKey());
    Channel::Refusal why = Channel::Refusal::None;
    QVERIFY(!misnamed.open(sealed, &why));
    QCOMPARE(why, Channel::Refusal::Forged);
    QCOMPARE(channel(m_bob, m_alice)->open(sealed), QByteArray("for bob only"));
}

void TestChannel::reflectedEnvelopeDoesNotOpen()
{
    auto alice = channel(m_alice, m_bob);
    Channel::Refusal why = Channel::Refusal::None;
    QVERIFY(!alice->open(alice->seal("to bob"), &why));
    QCOMPARE(why, Channel::Refusal::Forged);
}

void TestChannel::alteredEnvelopeIsRefused_data()
{
    QTest::addColumn<int>("offset"); // byte flipped; -1..-n: that many bytes cut from the end
    QTest::addColumn<Channel::Refusal>("refusal");
    QTest::newRow("version") << 0 << Channel::Refusal::Malformed;
    QTest::newRow("counter") << 8 << Channel::Refusal::Forged;
    QTest::newRow("nonce first") << 9 << Channel::Refusal::Forged;
    QTest::newRow("nonce last") << 32 << Channel::Refusal::Forged;
    QTest::newRow("ciphertext") << 40 << Channel::Refusal::Forged;
    QTest::newRow("tag last") << 33 + 20 + 15 << Channel::Refusal::Forged;
    QTest::newRow("one byte cut") << -1 << Channel::Refusal::Forged;
    QTest::newRow("tag cut") << -16 << Channel::Refusal::Forged;
    QTest::newRow("all but the header cut") << -36 << Channel::Refusal::Malformed;
}

void TestChannel::alteredEnvelopeIsRefused()
{
    QFETCH(int, offset);
    QFETCH(Channel::Refusal, refusal);
    auto alice = channel(m_alice, m_bob);
    auto bob = channel(m_bob, m_alice);
    const QByteArray text(20, 't');
    const QByteArray sealed = alice->seal(text);
    QCOMPARE(sealed.size(), 69);
    QByteArray altered = sealed;
    if (offset >= 0)
        altered[offset] = char(altered[offset] ^ 0x40);
    else
        altered.chop(-offset);
    Channel::Refusal why = Channel::Refusal::None;
    QVERIFY(!bob->open(altered, &why));
    QCOMPARE(why, refusal);
    // The refusal left the channel as it was: the genuine envelope still opens, once.
    QCOMPARE(bob->open(sealed, &why), text);
    QVERIFY(!bob->open(sealed, &why));
    QCOMPARE(why, Channel::Refusal::Replayed);
}

void TestChannel::replayIsRefused()
{
    auto alice = channel(m_alice, m_bob);
    auto bob = channel(m_bob, m_alice);
    const QByteArray first = alice->seal("one");
    QCOMPARE(bob->open(first), QByteArray("one"));
    Channel::Refusal why = Channel::Refusal::None;
    QVERIFY(!bob->open(first, &why));
    QCOMPARE(why, Channel::Refusal::Replayed);
    QCOMPARE(bob->open(alice->seal("two")), QByteArray("two"));
    QVERIFY(!bob->open(first, &why));
    QCOMPARE(why, Channel::Refusal::Replayed);
}

void TestChannel::reorderingWithinWindow()
{
    auto alice = channel(m_alice, m_bob);
    auto bob = channel(m_bob, m_alice);
    QList<QByteArray> sealed;
    for (int i = 0; i < 100; ++i)
        sealed.append(alice->seal(QByteArray::number(i)));
    QCOMPARE(alice->sealed(), quint64(100));
    // Newest first, then the rest interleaved: every one opens exactly once.
    for (int i = 99; i >= 0; i -= 2)
        QCOMPARE(bob->open(sealed[i]), QByteArray::number(i));
    for (int i = 0; i < 100; i += 2)
        QCOMPARE(bob->open(sealed[i]), QByteArray::number(i));
    for (const QByteArray& s : sealed)
        QVERIFY(!bob->open(s));
}

void TestChannel::tooOldIsRefused()
{
    auto alice = channel(m_alice, m_bob);
    auto bob = channel(m_bob, m_alice);
    const QByteArray old = alice->seal("late");
    for (quint64 i = 0; i < ReplayWindow::Size; ++i)
        alice->seal("skipped");
    QCOMPARE(bob->open(alice->seal("newest")), QByteArray("newest"));
    Channel::Refusal why = Channel::Refusal::None;
    QVERIFY(!bob->open(old, &why));
    QCOMPARE(why, Channel::Refusal::TooOld);
}

void TestChannel::replayWindow_data()
{
    QTest::addColumn<QList<quint64>>("accepted");
    QTest::addColumn<quint64>("counter");
    QTest::addColumn<ReplayWindow::Verdict>("verdict");
    using V = ReplayWindow::Verdict;
    const quint64 size = ReplayWindow::Size;
    QTest::newRow("empty, 1") << QList<quint64>{} << quint64(1) << V::Fresh;
    QTest::newRow("0 is never valid") << QList<quint64>{} << quint64(0) << V::TooOld;
    QTest::newRow("duplicate") << QList<quint64>{5} << quint64(5) << V::Duplicate;
    QTest::newRow("gap below") << QList<quint64>{5} << quint64(3) << V::Fresh;
    QTest::newRow("last in window") << QList<quint64>{size + 1} << quint64(2) << V::Fresh;
    QTest::newRow("just out of window") << QList<quint64>{size + 1} << quint64(1) << V::TooOld;
    QTest::newRow("far jump forgets old bits") << QList<quint64>{7, 7 + size} << quint64(7 + size) << V::Duplicate;
    QTest::newRow("slot reused after slide")
        << QList<quint64>{3, 3 + size - 1, 3 + size + 1} << quint64(3 + size) << V::Fresh;
    QTest::newRow("max counter") << QList<quint64>{std::numeric_limits<quint64>::max()}
                                 << std::numeric_limits<quint64>::max() << V::Duplicate;
}

void TestChannel::replayWindow()
{
    QFETCH(QList<quint64>, accepted);
    QFETCH(quint64, counter);
    QFETCH(ReplayWindow::Verdict, verdict);
    ReplayWindow window;
    for (quint64 c : accepted)
        window.accept(c);
    QCOMPARE(window.check(counter), verdict);
}

QTEST_GUILESS_MAIN(TestChannel)
#include "tst_channel.moc"
