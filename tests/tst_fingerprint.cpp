// The identity at the edges of the pigeon executable: `pigeon --fingerprint`, and a start refused when the identity
// key is readable by other users or damaged. Nothing here sends a datagram.

#include "keystore.h"
#include "pigeonrun.h"

#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

class TestFingerprint final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void printsThisProfilesFingerprint();
    void startRefusedWithUnsafeKey_data();
    void startRefusedWithUnsafeKey();

private:
    static Run pigeon(const QString& profile, const QStringList& args)
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"HOME"_qs, profile);
        env.insert(u"NO_COLOR"_qs, u"1"_qs);
        return runPigeon(QStringList{u"--profile"_qs, profile} + args, {}, env);
    }
};

void TestFingerprint::printsThisProfilesFingerprint()
{
    QTemporaryDir profile;
    const Run first = pigeon(profile.path(), {u"--fingerprint"_qs});
    QCOMPARE(first.exitCode, 0);
    QVERIFY2(QRegularExpression(u"^\\d{5}( \\d{5}){7}\n$"_qs).match(first.out).hasMatch(), qPrintable(first.out));
    // The key was made on first use, private; the next run prints the same fingerprint.
    struct stat st {};
    const QString keyPath = profile.filePath(KeyStore::FileName.toString());
    QCOMPARE(::stat(QFile::encodeName(keyPath).constData(), &st), 0);
    QCOMPARE(st.st_mode & 07777, mode_t(0600));
    QCOMPARE(pigeon(profile.path(), {u"--fingerprint"_qs}).out, first.out);
    KeyStore store;
    QVERIFY2(store.open(profile.path()), qPrintable(store.error()));
    QCOMPARE(store.fingerprint() + u'\n', first.out);
    // Another profile, another identity.
    QTemporaryDir other;
    QVERIFY(pigeon(other.path(), {u"--fingerprint"_qs}).out != first.out);
}

void TestFingerprint::startRefusedWithUnsafeKey_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<bool>("damaged"); // else readable by others
    QTest::addColumn<QString>("message");
    const QStringList console{u"--console"_qs, u"--bind"_qs, u"127.0.0.1"_qs, u"--port"_qs, u"1"_qs};
    QTest::newRow("fingerprint, key readable by others")
        << QStringList{u"--fingerprint"_qs} << false << u"chmod 600"_qs;
    QTest::newRow("console, key readable by others") << console << false << u"chmod 600"_qs;
    QTest::newRow("fingerprint, damaged key") << QStringList{u"--fingerprint"_qs} << true << u"is damaged"_qs;
    QTest::newRow("console, damaged key") << console << true << u"is damaged"_qs;
}

void TestFingerprint::startRefusedWithUnsafeKey()
{
    QFETCH(QStringList, args);
    QFETCH(bool, damaged);
    QFETCH(QString, message);
    QTemporaryDir profile;
    QCOMPARE(pigeon(profile.path(), {u"--fingerprint"_qs}).exitCode, 0);
    const QString keyPath = profile.filePath(KeyStore::FileName.toString());
    if (damaged) {
        QFile key(keyPath);
        QVERIFY(key.open(QIODevice::WriteOnly | QIODevice::Truncate));
        key.write("pigeon identity key 1\nseed x\n");
    } else {
        QVERIFY(::chmod(QFile::encodeName(keyPath).constData(), 0644) == 0);
    }
    // Refused at start, with the reason, before anything is bound or shown.
    const Run run = pigeon(profile.path(), args);
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(message) && run.err.contains(keyPath), qPrintable(run.err));
    QVERIFY(run.out.isEmpty());
}

QTEST_GUILESS_MAIN(TestFingerprint)
#include "tst_fingerprint.moc"
