// Damaged, unreadable and full files: a clear error that names the file, the file left as it was, and Pigeon going
// on with what it can. A full disk is a file-size limit (RLIMIT_FSIZE) on this process: writes past it fail as on a
// full disk, and nothing that was not stored may be acknowledged or sent.

#include "historyfiles.h"
#include "messenger.h"
#include "packets.h"
#include "pigeonrun.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

class TestCorruption final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void damagedHistory_data();
    void damagedHistory();
    void damagedPage();
    void damagedContacts_data();
    void damagedContacts();
    void fullDisk();
};

namespace {

QByteArray digest(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QCryptographicHash::hash(file.readAll(), QCryptographicHash::Sha256);
}

Run pigeon(const QStringList& args)
{
    return runPigeon(args);
}

QStringList consoleArgs(const QString& profile)
{
    return QStringList{u"--console"_qs, u"--profile"_qs, profile} + privateListenArgs();
}

} // namespace

void TestCorruption::damagedHistory_data()
{
    QTest::addColumn<QString>("damage");
    QTest::addColumn<QString>("reason");
    QTest::addRow("garbage") << u"garbage"_qs << u"cannot be used"_qs;
    QTest::addRow("a database cut short") << u"truncated"_qs << u"malformed"_qs;
    QTest::addRow("a folder in its place") << u"folder"_qs << u"cannot open"_qs;
}

void TestCorruption::damagedHistory()
{
    QFETCH(QString, damage);
    QFETCH(QString, reason);
    QTemporaryDir profile;
    const QString path = profile.filePath(u"history.sqlite"_qs);
    if (damage == u"garbage") {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray("this is not a database, it is a shopping list\n").repeated(200));
    } else if (damage == u"truncated") {
        QCOMPARE(fillHistory(path, 2000), QString());
        QFile::remove(path + u"-wal"_qs);
        QFile::remove(path + u"-shm"_qs);
        QFile file(path);
        QVERIFY(file.resize(file.size() / 2));
    } else {
        QVERIFY(QDir().mkpath(path));
    }
    const QByteArray before = digest(path);

    const Run run = pigeon(consoleArgs(profile.path()));
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(path), qPrintable(run.err));
    QVERIFY2(run.err.contains(reason), qPrintable(run.err));
    // Open reads only the first pages now (start-up must not grow with the history): the error offers the full check.
    // Damage deeper in the file is found by `pigeon doctor` or when a page is read (tst_history_cli).
    if (damage != u"folder")
        QVERIFY2(run.err.contains(u"pigeon doctor"_qs), qPrintable(run.err));
    QCOMPARE(digest(path), before);
    QCOMPARE(QFileInfo(path).isDir(), damage == u"folder");
}

// A database whose header and size are intact but one page in the middle is garbage (a bad sector, a torn write):
// unlike a file cut short it passes every PRAGMA, so only reading that page finds the damage. The history must say
// so (at open, or when the damaged rows are read) and leave the file as it was.
void TestCorruption::damagedPage()
{
    QTemporaryDir profile;
    const QString path = profile.filePath(u"history.sqlite"_qs);
    QCOMPARE(fillHistory(path, 2000), QString());
    QVERIFY(!QFile::exists(path + u"-wal"_qs) || QFileInfo(path + u"-wal"_qs).size() == 0);
    {
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadWrite));
        constexpr qint64 PageBytes = 4096; // SQLite's default page size
        const qint64 pages = file.size() / PageBytes;
        QVERIFY2(pages > 20, qPrintable(QString::number(pages)));
        QVERIFY(file.seek(pages / 2 * PageBytes));
        QCOMPARE(file.write(QByteArray(PageBytes, char(0xa5))), PageBytes);
    }
    const QByteArray before = digest(path);

    History history;
    QString error;
    if (history.open(path)) {
        // Opened: the damage must surface when its rows are read, not as a shorter conversation.
        const QList<Message> rows = history.conversation(u"Alice"_qs, std::numeric_limits<double>::infinity(), 5000);
        QVERIFY2(!history.error().isEmpty(),
                 qPrintable(u"a damaged page read without an error; rows: "_qs + QString::number(rows.size())));
        error = history.error();
    } else {
        error = history.error();
    }
    QVERIFY2(error.contains(path), qPrintable(error));
    QVERIFY2(error.contains(u"damaged"_qs) || error.contains(u"malformed"_qs), qPrintable(error));
    QCOMPARE(digest(path), before);
}

void TestCorruption::damagedContacts_data()
{
    QTest::addColumn<QByteArray>("content"); // empty: a folder where the file should be
    QTest::addColumn<QString>("reason");
    QTest::addRow("not UTF-8") << QByteArray("[Alice]\nhost = \xff\xfe\n") << u"line 1: the file is not UTF-8"_qs;
    QTest::addRow("a line that is no key = value")
        << QByteArray("[Alice]\nhost = 127.0.0.1\nport 2425\n") << u"line 3"_qs;
    QTest::addRow("a port out of range") << QByteArray("[Alice]\nhost = 127.0.0.1\nport = 99999\n") << u"line 3"_qs;
    QTest::addRow("a folder in its place") << QByteArray() << u"cannot read"_qs;
}

void TestCorruption::damagedContacts()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, reason);
    QTemporaryDir profile;
    const QString path = profile.filePath(u"contacts.ini"_qs);
    if (content.isEmpty()) {
        QVERIFY(QDir().mkpath(path));
    } else {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(content);
    }
    const QByteArray before = digest(path);

    // The console starts anyway (with no contacts) and says what is wrong with which file.
    const Run console = pigeon(consoleArgs(profile.path()));
    QCOMPARE(console.exitCode, 0);
    QVERIFY2(console.out.contains(path) && console.out.contains(reason), qPrintable(console.out));

    // Listing fails with the reason; adding refuses to overwrite the file.
    const Run list = pigeon({u"contacts"_qs, u"list"_qs, u"--profile"_qs, profile.path()});
    QCOMPARE(list.exitCode, 2);
    QVERIFY2(list.err.contains(path) && list.err.contains(reason), qPrintable(list.err));
    const Run add =
        pigeon({u"contacts"_qs, u"add"_qs, u"Bob"_qs, u"127.0.0.1:2426"_qs, u"--profile"_qs, profile.path()});
    QVERIFY(add.exitCode != 0);
    QVERIFY2(add.err.contains(path), qPrintable(add.err));
    QCOMPARE(digest(path), before);
}

void TestCorruption::fullDisk()
{
    QTemporaryDir dir;
    ContactBook contacts;
    const QString contactsPath = dir.filePath(u"contacts.ini"_qs);
    QVERIFY(contacts.load(contactsPath));
    QCOMPARE(contacts.add({u"Alice"_qs, u"127.0.0.1"_qs, 2425}), QString());
    History history;
    const QString historyPath = dir.filePath(u"history.sqlite"_qs);
    QVERIFY(history.open(historyPath));
    FakeTransport transport(*Endpoint::parse(u"127.0.0.1:2426"_qs));
    Messenger messenger(Identity{u"me"_qs, {}, "me", "here"}, &contacts, &history, &transport);
    messenger.start();
    const Endpoint alice = *Endpoint::parse(u"127.0.0.1:2425"_qs);
    QSignalSpy added(&messenger, &Messenger::messageAdded);
    QSignalSpy problems(&messenger, &Messenger::problem);
    QSignalSpy delivery(&messenger, &Messenger::deliveryChanged);
    const QByteArray big(100'000, 'b');

    transport.deliver(ipmsgPacket(1, ipmsg::SendMsg | ipmsg::SendCheckOpt, "before the disk filled up", "alice"),
                      alice);
    QTRY_COMPARE(acksTo(transport, alice), QList<quint64>{1});
    const QByteArray contactsBefore = digest(contactsPath);
    // Under the limit nothing is asserted: a failure message written to a log file would itself hit the limit.
    bool reported = false;
    QString problem;
    QList<quint64> acksWhileFull;
    int shownWhileFull = 0;
    qint64 id = 0;
    bool failedReported = false;
    int sentBefore = 0, sentWhileFull = 0;
    QString contactsWhy;
    {
        // A write past 4 KiB into any file fails (RLIMIT_FSIZE counts the position, not the file's length): the
        // write-ahead log has its full length from the start (History::preallocateLog), so a limit at its length would
        // let every frame in.
        const FileSizeLimit full(4096);
        QVERIFY(full.ok());
        // Received but not stored: not acknowledged (the sender will try again), not shown.
        transport.deliver(ipmsgPacket(2, ipmsg::SendMsg | ipmsg::SendCheckOpt, big, "alice"), alice);
        reported = QTest::qWaitFor([&] { return !problems.isEmpty(); }, 5000);
        problem = reported ? problems.last().first().toString() : QString();
        QTest::qWait(50);
        acksWhileFull = acksTo(transport, alice);
        shownWhileFull = int(added.count());

        // Typed but not stored: it never leaves, and it is reported as failed.
        sentBefore = messagesSent(transport);
        id = messenger.send(u"Alice"_qs, QString::fromLatin1(big));
        failedReported = QTest::qWaitFor(
            [&] {
                return !delivery.isEmpty() && delivery.last().at(0).toLongLong() == id &&
                       delivery.last().at(1).value<MessageState>() == MessageState::Failed;
            },
            5000);
        QTest::qWait(50);
        sentWhileFull = messagesSent(transport);

        // Contacts: the change is refused with the file's name.
        const FileSizeLimit tiny(16);
        contactsWhy = contacts.add({u"Bob"_qs, u"127.0.0.1"_qs, 2427});
    }
    QVERIFY(reported);
    QVERIFY2(problem.contains(historyPath), qPrintable(problem));
    QCOMPARE(acksWhileFull, QList<quint64>{1});
    QCOMPARE(shownWhileFull, 1);
    QVERIFY(id);
    QVERIFY(failedReported);
    QCOMPARE(sentWhileFull, sentBefore);
    QVERIFY2(contactsWhy.contains(contactsPath), qPrintable(contactsWhy));
    QVERIFY(!contacts.find(u"Bob"_qs));
    QCOMPARE(digest(contactsPath), contactsBefore);

    // Room again: the sender's retransmission is stored once and acknowledged.
    transport.deliver(ipmsgPacket(2, ipmsg::SendMsg | ipmsg::SendCheckOpt, big, "alice"), alice);
    QTRY_COMPARE(acksTo(transport, alice), (QList<quint64>{1, 2}));
    QCOMPARE(history.conversationSize(u"Alice"_qs), 2);
    history.commit();
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_qs, u"integrity"_qs);
        db.setDatabaseName(historyPath);
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(q.exec(u"PRAGMA integrity_check"_qs) && q.next());
        QCOMPARE(q.value(0).toString(), u"ok"_qs);
    }
    QSqlDatabase::removeDatabase(u"integrity"_qs);
}

QTEST_GUILESS_MAIN(TestCorruption)
#include "tst_corruption.moc"
