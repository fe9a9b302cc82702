// The identity key store (core/crypto/keystore.h) and the fingerprint format (core/crypto/fingerprint.h).

#include "fingerprint.h"
#include "keystore.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

class TestKeyStore final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void firstStartMakesPrivateKey();
    void reloadGivesSameIdentity();
    void signatureVerifies();
    void keyReadableByOthersIsRefused();
    void wideFolderIsMadePrivate();
    void wideFilesAreMadePrivate_data();
    void wideFilesAreMadePrivate();
    void damagedFileIsAClearError_data();
    void damagedFileIsAClearError();
    void missingFolderIsAnError();
    void fingerprintFormat_data();
    void fingerprintFormat();

private:
    static mode_t mode(const QString& path);
    static QString keyPath(const QTemporaryDir& dir) { return dir.filePath(KeyStore::FileName.toString()); }
};

mode_t TestKeyStore::mode(const QString& path)
{
    struct stat st {};
    return ::stat(QFile::encodeName(path).constData(), &st) == 0 ? st.st_mode & 07777 : mode_t(-1);
}

void TestKeyStore::firstStartMakesPrivateKey()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(::chmod(QFile::encodeName(dir.path()).constData(), 0755) == 0);
    KeyStore store;
    QVERIFY2(store.open(dir.path()), qPrintable(store.error()));
    QVERIFY(store.isOpen());
    QVERIFY(store.created());
    // A fresh profile is made private silently: nothing was exposed yet.
    QVERIFY(store.warnings().isEmpty());
    QCOMPARE(mode(keyPath(dir)), mode_t(0600));
    QCOMPARE(mode(dir.path()), mode_t(0700));
    QVERIFY(store.publicKey() != crypto::IdentityKey{});
    // No temporary file of QSaveFile is left behind.
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{KeyStore::FileName.toString()});
}

void TestKeyStore::reloadGivesSameIdentity()
{
    QTemporaryDir dir;
    KeyStore first;
    QVERIFY2(first.open(dir.path()), qPrintable(first.error()));
    KeyStore second;
    QVERIFY2(second.open(dir.path()), qPrintable(second.error()));
    QVERIFY(!second.created());
    QCOMPARE(second.publicKey(), first.publicKey());
    QCOMPARE(second.fingerprint(), first.fingerprint());
    // Another profile is another identity.
    QTemporaryDir other;
    KeyStore third;
    QVERIFY2(third.open(other.path()), qPrintable(third.error()));
    QVERIFY(third.publicKey() != first.publicKey());
    QVERIFY(third.fingerprint() != first.fingerprint());
}

void TestKeyStore::signatureVerifies()
{
    QTemporaryDir dir;
    KeyStore store;
    QVERIFY2(store.open(dir.path()), qPrintable(store.error()));
    const QByteArray message = "pigeon";
    QByteArray signature = store.sign(message);
    QCOMPARE(signature.size(), qsizetype(crypto_sign_BYTES));
    const auto verifies = [&](const QByteArray& m) {
        return crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(signature.constData()),
                                           reinterpret_cast<const unsigned char*>(m.constData()), quint64(m.size()),
                                           store.publicKey().data()) == 0;
    };
    QVERIFY(verifies(message));
    QVERIFY(!verifies("pigeoN"));
}

void TestKeyStore::keyReadableByOthersIsRefused()
{
    QTemporaryDir dir;
    {
        KeyStore store;
        QVERIFY2(store.open(dir.path()), qPrintable(store.error()));
    }
    QVERIFY(::chmod(QFile::encodeName(keyPath(dir)).constData(), 0644) == 0);
    KeyStore store;
    QVERIFY(!store.open(dir.path()));
    QVERIFY(!store.isOpen());
    QVERIFY2(store.error().contains(u"chmod 600") && store.error().contains(keyPath(dir)) &&
                 store.error().contains(u"0644"),
             qPrintable(store.error()));
    // The key is neither replaced nor loosened further: the user decides.
    QCOMPARE(mode(keyPath(dir)), mode_t(0644));
    QVERIFY(::chmod(QFile::encodeName(keyPath(dir)).constData(), 0600) == 0);
    QVERIFY2(store.open(dir.path()), qPrintable(store.error()));
}

void TestKeyStore::wideFolderIsMadePrivate()
{
    QTemporaryDir dir;
    {
        KeyStore store;
        QVERIFY2(store.open(dir.path()), qPrintable(store.error()));
    }
    QVERIFY(::chmod(QFile::encodeName(dir.path()).constData(), 0755) == 0);
    KeyStore store;
    QVERIFY2(store.open(dir.path()), qPrintable(store.error()));
    QCOMPARE(mode(dir.path()), mode_t(0700));
    QCOMPARE(store.warnings().size(), 1);
    QVERIFY2(store.warnings().first().contains(u"0755"), qPrintable(store.warnings().first()));
}

void TestKeyStore::wideFilesAreMadePrivate_data()
{
    QTest::addColumn<mode_t>("folder");
    QTest::addColumn<bool>("warned"); // only an open folder exposed the files
    QTest::newRow("in a private folder") << mode_t(0700) << false;
    QTest::newRow("in an open folder") << mode_t(0755) << true;
}

// The history and the other files a start makes with the umask's 0644 become 0600 (issue 13: files 0600).
void TestKeyStore::wideFilesAreMadePrivate()
{
    QFETCH(mode_t, folder);
    QFETCH(bool, warned);
    QTemporaryDir dir;
    {
        KeyStore store;
        QVERIFY2(store.open(dir.path()), qPrintable(store.error()));
    }
    const QString history = dir.filePath(u"history.sqlite"_qs);
    QFile file(history);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.close();
    QVERIFY(::chmod(QFile::encodeName(history).constData(), 0644) == 0);
    QVERIFY(::chmod(QFile::encodeName(dir.path()).constData(), folder) == 0);
    KeyStore store;
    QVERIFY2(store.open(dir.path()), qPrintable(store.error()));
    QCOMPARE(mode(history), mode_t(0600));
    QCOMPARE(mode(dir.path()), mode_t(0700));
    const bool named = std::any_of(store.warnings().cbegin(), store.warnings().cend(),
                                   [](const QString& w) { return w.contains(u"history.sqlite"); });
    QCOMPARE(named, warned);
    // A first start's files are made private too, by the same function Session calls once they exist.
    QVERIFY(::chmod(QFile::encodeName(history).constData(), 0664) == 0);
    QCOMPARE(KeyStore::makeFilesPrivate(dir.path()), QStringList{u"history.sqlite"_qs});
    QCOMPARE(mode(history), mode_t(0600));
}

void TestKeyStore::damagedFileIsAClearError_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("why");
    const QByteArray seed = QByteArray(32, 'A').toBase64();
    const QByteArray key = QByteArray(32, 'B').toBase64();
    QTest::newRow("empty") << QByteArray() << "not a Pigeon identity key";
    QTest::newRow("other file") << QByteArray("[identity]\nnickname=x\n") << "not a Pigeon identity key";
    QTest::newRow("no seed") << QByteArray("pigeon identity key 1\npublic " + key + '\n') << "no 32-byte seed";
    QTest::newRow("short seed") << QByteArray("pigeon identity key 1\nseed " + QByteArray(31, 'A').toBase64() +
                                              "\npublic " + key + '\n')
                                << "no 32-byte seed";
    QTest::newRow("not base64") << QByteArray("pigeon identity key 1\nseed !!!!\npublic " + key + '\n')
                                << "no 32-byte seed";
    QTest::newRow("no public key") << QByteArray("pigeon identity key 1\nseed " + seed + '\n')
                                   << "no 32-byte public key";
    QTest::newRow("seed and key disagree")
        << QByteArray("pigeon identity key 1\nseed " + seed + "\npublic " + key + '\n')
        << "the seed does not give the public key";
}

void TestKeyStore::damagedFileIsAClearError()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, why);
    QTemporaryDir dir;
    QFile file(keyPath(dir));
    QVERIFY(file.open(QIODevice::WriteOnly));
    QVERIFY(file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner));
    QCOMPARE(file.write(text), text.size());
    file.close();
    KeyStore store;
    QVERIFY(!store.open(dir.path()));
    QVERIFY2(store.error().contains(u"damaged") && store.error().contains(why) && store.error().contains(keyPath(dir)),
             qPrintable(store.error()));
    // The damaged file is kept for the user to restore, never silently replaced by a new identity.
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), text);
}

void TestKeyStore::missingFolderIsAnError()
{
    QTemporaryDir dir;
    KeyStore store;
    QVERIFY(!store.open(dir.filePath(QStringLiteral("absent"))));
    QVERIFY2(store.error().contains(u"does not exist"), qPrintable(store.error()));
}

void TestKeyStore::fingerprintFormat_data()
{
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<QString>("expected");
    // Expected values from Python's hashlib.blake2b(b"pigeon-fingerprint-v1" + key, digest_size=32), an
    // implementation independent of libsodium, grouped as fingerprint.h describes.
    QByteArray counting(32, '\0');
    for (int i = 0; i < 32; ++i)
        counting[i] = char(i);
    QTest::newRow("0..31") << counting << "18470 88340 20979 30679 22268 19004 82330 08906";
    QTest::newRow("zeros") << QByteArray(32, '\0') << "60830 41181 15999 04944 77781 09432 39597 52854";
}

void TestKeyStore::fingerprintFormat()
{
    QFETCH(QByteArray, key);
    QFETCH(QString, expected);
    QVERIFY(crypto::ready());
    crypto::IdentityKey identity{};
    std::copy(key.begin(), key.end(), identity.begin());
    QCOMPARE(crypto::fingerprint(identity), expected);
}

QTEST_GUILESS_MAIN(TestKeyStore)
#include "tst_keystore.moc"
