// Files between two `pigeon --console` processes on loopback addresses of their own (issue 10): /send, the offer as
// printed, /accept, /transfers, where it was saved; a folder accepted by --accept-files into --downloads.

#include "consoleprocess.h"
#include "testfiles.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

namespace {

} // namespace

class TestConsoleFiles final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void fileAcceptedByHand();
    void folderAcceptedAutomatically();
    void largeFileIsPreparedAndCancelled();

private:
    // Alice and Bob know each other and Alice writes to Bob.
    bool introduce(ConsoleProcess& alice, ConsoleProcess& bob);
};

bool TestConsoleFiles::introduce(ConsoleProcess& alice, ConsoleProcess& bob)
{
    // Alice first: Bob has greeted no one, so his answer to her greeting is the first Alice hears of him.
    alice.type(QStringLiteral("/add Bob ") + bob.endpoint());
    alice.type(QStringLiteral("/to Bob"));
    if (!QTest::qWaitFor([&] { return alice.output().contains(QStringLiteral("* Bob is online")); }, 10000))
        return false;
    bob.type(QStringLiteral("/add Alice ") + alice.endpoint());
    return QTest::qWaitFor([&] { return bob.output().contains(QStringLiteral("Added Alice")); }, 10000);
}

void TestConsoleFiles::fileAcceptedByHand()
{
    QTemporaryDir dir;
    QRandomGenerator random(7);
    QByteArray content(3 << 20, Qt::Uninitialized);
    random.fillRange(reinterpret_cast<quint32*>(content.data()), content.size() / 4);
    const QString source = dir.filePath(QStringLiteral("holiday photo.jpg"));
    QVERIFY(writeFile(source, content));
    const QString downloads = dir.filePath(QStringLiteral("downloads"));
    ConsoleProcess alice;
    ConsoleProcess bob;
    QVERIFY(alice.start(dir.filePath(QStringLiteral("alice"))));
    QVERIFY(bob.start(dir.filePath(QStringLiteral("bob")), {QStringLiteral("--downloads"), downloads}));
    QVERIFY2(introduce(alice, bob), qPrintable(alice.output() + bob.output()));
    alice.type(QStringLiteral("/send ") + source);
    QTRY_VERIFY_WITH_TIMEOUT(bob.output().contains(QStringLiteral("* [1] Alice offers holiday photo.jpg (3.0 MB, 1 "
                                                                  "file(s)): /accept 1 or /decline 1")),
                             10000);
    bob.type(QStringLiteral("/accept"));
    const QString saved = QDir(downloads).filePath(QStringLiteral("holiday photo.jpg"));
    QTRY_VERIFY_WITH_TIMEOUT(bob.output().contains(QStringLiteral("* [1] holiday photo.jpg saved as ") + saved), 20000);
    QTRY_VERIFY(alice.output().contains(QStringLiteral("* [1] Bob received holiday photo.jpg")));
    QFile f(saved);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QVERIFY(f.readAll() == content);
    bob.type(QStringLiteral("/transfers"));
    QTRY_VERIFY(
        bob.output().contains(QStringLiteral("  [1] <- Alice holiday photo.jpg  3.0 MB (1 file(s))  done ") + saved));
    QCOMPARE(alice.finish(), 0);
    QCOMPARE(bob.finish(), 0);
}

void TestConsoleFiles::folderAcceptedAutomatically()
{
    QTemporaryDir dir;
    const QString root = dir.filePath(QStringLiteral("Minutes"));
    QVERIFY(writeFile(root + QStringLiteral("/monday.txt"), "Monday"));
    QVERIFY(writeFile(root + QStringLiteral("/scans/page 1.png"), QByteArray(100'000, 'p')));
    const QString downloads = dir.filePath(QStringLiteral("inbox"));
    ConsoleProcess alice;
    ConsoleProcess bob;
    QVERIFY(alice.start(dir.filePath(QStringLiteral("alice"))));
    QVERIFY(bob.start(dir.filePath(QStringLiteral("bob")),
                      {QStringLiteral("--downloads"), downloads, QStringLiteral("--accept-files")}));
    QVERIFY2(introduce(alice, bob), qPrintable(alice.output() + bob.output()));
    // Bob knows Alice only once his /add went through; the offer waits for that (introduce() saw Bob online).
    QTRY_VERIFY(bob.output().contains(QStringLiteral("Added Alice")));
    alice.type(QStringLiteral("/send ") + root);
    const QString saved = QDir(downloads).filePath(QStringLiteral("Minutes"));
    QTRY_VERIFY_WITH_TIMEOUT(bob.output().contains(QStringLiteral("* [1] Minutes saved as ") + saved), 20000);
    QVERIFY2(bob.output().contains(QStringLiteral("Alice offers Minutes (97.7 kB, 2 file(s))")),
             qPrintable(bob.output()));
    QCOMPARE(tree(saved), tree(root));
    QCOMPARE(alice.finish(), 0);
    QCOMPARE(bob.finish(), 0);
}

void TestConsoleFiles::largeFileIsPreparedAndCancelled()
{
    // 4 GiB that take no disk space: seconds of hashing, during which the console goes on answering.
    QTemporaryDir dir;
    const QString source = dir.filePath(QStringLiteral("disk.img"));
    {
        QFile f(source);
        QVERIFY(f.open(QIODevice::WriteOnly) && f.resize(qint64(4) << 30));
    }
    ConsoleProcess alice;
    ConsoleProcess bob;
    QVERIFY(alice.start(dir.filePath(QStringLiteral("alice"))));
    QVERIFY(bob.start(dir.filePath(QStringLiteral("bob"))));
    QVERIFY2(introduce(alice, bob), qPrintable(alice.output() + bob.output()));
    alice.type(QStringLiteral("/send ") + source);
    QTRY_VERIFY(alice.output().contains(QStringLiteral("* [1] preparing ") + source + QStringLiteral(" for Bob")));
    alice.type(QStringLiteral("/transfers"));
    QTRY_VERIFY2(alice.output().contains(QStringLiteral("  [1] -> Bob disk.img")), qPrintable(alice.output()));
    QVERIFY2(alice.output().contains(QStringLiteral(" preparing, hashing ")), qPrintable(alice.output()));
    alice.type(QStringLiteral("/cancel 1"));
    QTRY_VERIFY(alice.output().contains(QStringLiteral("* [1] disk.img cancelled")));
    QCOMPARE(alice.finish(), 0);
    QCOMPARE(bob.finish(), 0);
    // The offer never went out.
    QVERIFY2(!alice.output().contains(QStringLiteral("offered")), qPrintable(alice.output()));
    QVERIFY2(!bob.output().contains(QStringLiteral("offers")), qPrintable(bob.output()));
}

QTEST_GUILESS_MAIN(TestConsoleFiles)
#include "tst_console_files.moc"
