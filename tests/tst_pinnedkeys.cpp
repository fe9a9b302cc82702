// Pinned peer keys, trust on first use (core/crypto/pinnedkeys.h).

#include "pinnedkeys.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

class TestPinnedKeys final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void firstKeyIsPinned();
    void changedKeyWaitsForTrust();
    void trustPinsTheNewKeyUnverified();
    void verifiedSurvivesReload();
    void fileIsPrivate();
    void damagedFileIsAClearError_data();
    void damagedFileIsAClearError();
    void forget();

private:
    static crypto::IdentityKey key(char fill)
    {
        crypto::IdentityKey k{};
        k.fill(static_cast<unsigned char>(fill));
        return k;
    }
    static QString path(const QTemporaryDir& dir) { return dir.filePath(PinnedKeys::FileName.toString()); }
};

void TestPinnedKeys::firstKeyIsPinned()
{
    QTemporaryDir dir;
    PinnedKeys keys;
    QVERIFY2(keys.load(path(dir)), qPrintable(keys.error()));
    QVERIFY(!keys.find(QStringLiteral("alice")));
    QCOMPARE(keys.see(QStringLiteral("alice"), key('a')), PinnedKeys::Seen::Pinned);
    QCOMPARE(keys.see(QStringLiteral("alice"), key('a')), PinnedKeys::Seen::Known);
    // Pinned per peer: the same key under another name is that peer's first key.
    QCOMPARE(keys.see(QStringLiteral("王 小明\t\n"), key('a')), PinnedKeys::Seen::Pinned);
    PinnedKeys reloaded;
    QVERIFY2(reloaded.load(path(dir)), qPrintable(reloaded.error()));
    QCOMPARE(reloaded.entries(), keys.entries());
    QCOMPARE(reloaded.see(QStringLiteral("alice"), key('a')), PinnedKeys::Seen::Known);
    QCOMPARE(reloaded.find(QStringLiteral("王 小明\t\n"))->key, key('a'));
}

void TestPinnedKeys::changedKeyWaitsForTrust()
{
    QTemporaryDir dir;
    PinnedKeys keys;
    QVERIFY(keys.load(path(dir)));
    keys.see(QStringLiteral("alice"), key('a'));
    QCOMPARE(keys.see(QStringLiteral("alice"), key('b')), PinnedKeys::Seen::Changed);
    // Seen again, it stays a change: never pinned by repetition.
    QCOMPARE(keys.see(QStringLiteral("alice"), key('b')), PinnedKeys::Seen::Changed);
    auto entry = keys.find(QStringLiteral("alice"));
    QCOMPARE(entry->key, key('a'));
    QCOMPARE(entry->pending, key('b'));
    // The old key is still the one that counts.
    QCOMPARE(keys.see(QStringLiteral("alice"), key('a')), PinnedKeys::Seen::Known);
    // The change survives a restart.
    PinnedKeys reloaded;
    QVERIFY2(reloaded.load(path(dir)), qPrintable(reloaded.error()));
    QCOMPARE(reloaded.find(QStringLiteral("alice"))->pending, key('b'));
    QCOMPARE(reloaded.see(QStringLiteral("alice"), key('b')), PinnedKeys::Seen::Changed);
}

void TestPinnedKeys::trustPinsTheNewKeyUnverified()
{
    QTemporaryDir dir;
    PinnedKeys keys;
    QVERIFY(keys.load(path(dir)));
    QVERIFY(!keys.trust(QStringLiteral("alice")));
    keys.see(QStringLiteral("alice"), key('a'));
    QVERIFY(keys.setVerified(QStringLiteral("alice"), true));
    QVERIFY(!keys.trust(QStringLiteral("alice"))); // nothing pending
    keys.see(QStringLiteral("alice"), key('b'));
    QVERIFY(keys.find(QStringLiteral("alice"))->verified);
    QVERIFY(keys.trust(QStringLiteral("alice")));
    const auto entry = keys.find(QStringLiteral("alice"));
    QCOMPARE(entry->key, key('b'));
    QVERIFY(!entry->pending);
    QVERIFY(!entry->verified);
    QCOMPARE(keys.see(QStringLiteral("alice"), key('b')), PinnedKeys::Seen::Known);
    QCOMPARE(keys.see(QStringLiteral("alice"), key('a')), PinnedKeys::Seen::Changed);
}

void TestPinnedKeys::verifiedSurvivesReload()
{
    QTemporaryDir dir;
    PinnedKeys keys;
    QVERIFY(keys.load(path(dir)));
    QVERIFY(!keys.setVerified(QStringLiteral("bob"), true));
    keys.see(QStringLiteral("bob"), key('b'));
    QVERIFY(keys.setVerified(QStringLiteral("bob"), true));
    PinnedKeys reloaded;
    QVERIFY(reloaded.load(path(dir)));
    QVERIFY(reloaded.find(QStringLiteral("bob"))->verified);
    QVERIFY(reloaded.setVerified(QStringLiteral("bob"), false));
    PinnedKeys again;
    QVERIFY(again.load(path(dir)));
    QVERIFY(!again.find(QStringLiteral("bob"))->verified);
}

void TestPinnedKeys::fileIsPrivate()
{
    QTemporaryDir dir;
    PinnedKeys keys;
    QVERIFY(keys.load(path(dir)));
    keys.see(QStringLiteral("alice"), key('a'));
    struct stat st {};
    QCOMPARE(::stat(QFile::encodeName(path(dir)).constData(), &st), 0);
    QCOMPARE(st.st_mode & 07777, mode_t(0600));
}

void TestPinnedKeys::damagedFileIsAClearError_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("why");
    const QByteArray a = QByteArray(32, 'a').toBase64();
    const QByteArray b = QByteArray(32, 'b').toBase64();
    QTest::newRow("two fields") << QByteArray("# c\nalice\t" + a + '\n') << "line 2: expected 3 or 4";
    QTest::newRow("short key") << QByteArray("alice\t" + QByteArray(31, 'a').toBase64() + "\tverified\n")
                               << "line 1: the key is not 32 bytes";
    QTest::newRow("bad flags") << QByteArray("alice\t" + a + "\tmaybe\n") << "line 1: unknown flags";
    QTest::newRow("pending equals key") << QByteArray("alice\t" + a + "\tverified\t" + a + '\n')
                                        << "line 1: the pending key";
    QTest::newRow("twice") << QByteArray("alice\t" + a + "\tverified\nalice\t" + b + "\tunverified\n")
                           << "line 2: peer \"alice\" appears twice";
    QTest::newRow("empty name") << QByteArray("\t" + a + "\tverified\n") << "line 1: empty peer name";
}

void TestPinnedKeys::damagedFileIsAClearError()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, why);
    QTemporaryDir dir;
    QFile file(path(dir));
    QVERIFY(file.open(QIODevice::WriteOnly));
    QCOMPARE(file.write(text), text.size());
    file.close();
    PinnedKeys keys;
    QVERIFY(!keys.load(path(dir)));
    QVERIFY2(keys.error().contains(why) && keys.error().contains(path(dir)), qPrintable(keys.error()));
    QVERIFY(keys.entries().isEmpty());
}

void TestPinnedKeys::forget()
{
    QTemporaryDir dir;
    PinnedKeys keys;
    QVERIFY(keys.load(path(dir)));
    keys.see(QStringLiteral("alice"), key('a'));
    QVERIFY(keys.forget(QStringLiteral("alice")));
    QVERIFY(!keys.forget(QStringLiteral("alice")));
    QCOMPARE(keys.see(QStringLiteral("alice"), key('b')), PinnedKeys::Seen::Pinned);
}

QTEST_GUILESS_MAIN(TestPinnedKeys)
#include "tst_pinnedkeys.moc"
