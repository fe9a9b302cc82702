// pigeon history and pigeon doctor, run as processes on a profile written by History, also while another History
// has the file open with a write under way.

#include "history.h"
#include "pigeonrun.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

class TestHistoryCli final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void printsConversations_data();
    void printsConversations();
    void searchesNewestFirst();
    void hidesSealed_data();
    void hidesSealed();
    void unknownPeer();
    void doctor();

private:
    std::unique_ptr<QTemporaryDir> m_profile;
    std::unique_ptr<History> m_history;
};

namespace {

QProcessEnvironment utc()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"TZ"_qs, u"UTC"_qs);
    env.insert(u"NO_COLOR"_qs, u"1"_qs);
    return env;
}

Message message(const QString& peer, Direction direction, const QString& text, int minute, MessageState state)
{
    Message m;
    m.peer = peer;
    m.remote = peer == u"Alice"_qs ? u"127.0.0.1:2426"_qs : peer;
    m.direction = direction;
    m.text = text;
    m.state = state;
    m.time = QDateTime(QDate(2026, 3, 1), QTime(9, minute), Qt::UTC);
    return m;
}

} // namespace

void TestHistoryCli::init()
{
    m_profile = std::make_unique<QTemporaryDir>();
    m_history = std::make_unique<History>();
    QVERIFY(m_history->open(m_profile->filePath(u"history.sqlite"_qs)));
    Message rows[] = {
        message(u"Alice"_qs, Direction::Incoming, u"早上好"_qs, 0, MessageState::Received),
        message(u"127.0.0.9:40001"_qs, Direction::Incoming, u"who is this?"_qs, 1, MessageState::Received),
        message(u"Alice"_qs, Direction::Outgoing, u"good morning"_qs, 2, MessageState::Delivered),
        message(u"Alice"_qs, Direction::Outgoing, u"lunch?"_qs, 3, MessageState::Failed),
    };
    for (Message& m : rows)
        QVERIFY(m_history->append(m));
    QVERIFY(m_history->commit());
    // Another Pigeon on the profile, in the middle of a write: the reader sees what was committed.
    Message pending = message(u"Alice"_qs, Direction::Incoming, u"not committed yet"_qs, 4, MessageState::Received);
    QVERIFY(m_history->append(pending));
}

void TestHistoryCli::cleanup()
{
    m_history.reset();
    m_profile.reset();
}

void TestHistoryCli::printsConversations_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("expected");
    const QString alice = u"[2026-03-01 09:00:00] Alice (127.0.0.1:2426): 早上好\n"
                          "[2026-03-01 09:02:00] -> Alice (127.0.0.1:2426): good morning  (delivered)\n"
                          "[2026-03-01 09:03:00] -> Alice (127.0.0.1:2426): lunch?  (failed)\n"_qs;
    QTest::addRow("one peer") << QStringList{u"Alice"_qs} << alice;
    QTest::addRow("the last message") << QStringList{u"Alice"_qs, u"--last"_qs, u"1"_qs}
                                      << u"[2026-03-01 09:03:00] -> Alice (127.0.0.1:2426): lunch?  (failed)\n"_qs;
    QTest::addRow("all, the oldest conversation first")
        << QStringList{}
        << u"== 127.0.0.9:40001 ==\n[2026-03-01 09:01:00] 127.0.0.9:40001: who is this?\n== Alice ==\n"_qs + alice;
    // --search: every conversation, newest first; only what was committed.
    QTest::addRow("search, Latin in another case")
        << QStringList{u"--search"_qs, u"MORNING"_qs}
        << u"[2026-03-01 09:02:00] -> Alice (127.0.0.1:2426): good morning  (delivered)\n"_qs;
    QTest::addRow("search text after '='")
        << QStringList{u"--search=MORNING"_qs}
        << u"[2026-03-01 09:02:00] -> Alice (127.0.0.1:2426): good morning  (delivered)\n"_qs;
    QTest::addRow("search, two Chinese characters")
        << QStringList{u"--search"_qs, u"早上"_qs} << u"[2026-03-01 09:00:00] Alice (127.0.0.1:2426): 早上好\n"_qs;
    QTest::addRow("search, a short word")
        << QStringList{u"--search"_qs, u"is"_qs} << u"[2026-03-01 09:01:00] 127.0.0.9:40001: who is this?\n"_qs;
    QTest::addRow("search in one conversation") << QStringList{u"--search"_qs, u"who"_qs, u"Alice"_qs} << QString();
    QTest::addRow("search, not committed") << QStringList{u"--search"_qs, u"committed"_qs} << QString();
}

void TestHistoryCli::printsConversations()
{
    QFETCH(QStringList, args);
    QFETCH(QString, expected);
    const Run run =
        runPigeon(QStringList{u"history"_qs} + args + QStringList{u"--profile"_qs, m_profile->path()}, {}, utc());
    QCOMPARE(run.err, QString());
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(run.out, expected);
}

void TestHistoryCli::searchesNewestFirst()
{
    Message rows[] = {
        message(u"Alice"_qs, Direction::Incoming, u"the meeting is at ten"_qs, 10, MessageState::Received),
        message(u"127.0.0.9:40001"_qs, Direction::Incoming, u"MEETING moved"_qs, 11, MessageState::Received),
    };
    for (Message& m : rows)
        QVERIFY(m_history->append(m));
    QVERIFY(m_history->commit());
    const QString newest = u"[2026-03-01 09:11:00] 127.0.0.9:40001: MEETING moved\n"_qs;
    const QString older = u"[2026-03-01 09:10:00] Alice (127.0.0.1:2426): the meeting is at ten\n"_qs;
    const QStringList profile{u"--profile"_qs, m_profile->path()};
    Run run = runPigeon(QStringList{u"history"_qs, u"--search"_qs, u"Meeting"_qs} + profile, {}, utc());
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(run.out, newest + older);
    run = runPigeon(QStringList{u"history"_qs, u"--search"_qs, u"Meeting"_qs, u"--last"_qs, u"1"_qs} + profile, {},
                    utc());
    QCOMPARE(run.out, newest);
    run = runPigeon(QStringList{u"history"_qs, u"--search"_qs, u"  "_qs} + profile, {}, utc());
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains(u"usage"_qs), qPrintable(run.err));
}

void TestHistoryCli::hidesSealed_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("expected");
    const QString opened = u"[2026-03-01 09:21:00] Alice (127.0.0.1:2426): secret opened\n"_qs;
    QTest::addRow("read back") << QStringList{u"Alice"_qs, u"--last"_qs, u"2"_qs}
                               << u"[2026-03-01 09:20:00] Alice (127.0.0.1:2426): (sealed message)\n"_qs + opened;
    QTest::addRow("search") << QStringList{u"--search"_qs, u"secret"_qs} << opened;
    QTest::addRow("search, a short word") << QStringList{u"--search"_qs, u"at"_qs} << QString();
}

void TestHistoryCli::hidesSealed()
{
    // An IP Messenger sealed message is opened in the console (/open), which tells its sender; until then no read-back
    // or search shows its text. One opened since shows as any other.
    QFETCH(QStringList, args);
    QFETCH(QString, expected);
    Message sealed = message(u"Alice"_qs, Direction::Incoming, u"secret plan at noon"_qs, 20, MessageState::Received);
    sealed.sealed = true;
    sealed.wantsReadReceipt = true;
    Message opened = message(u"Alice"_qs, Direction::Incoming, u"secret opened"_qs, 21, MessageState::Received);
    opened.sealed = true;
    QVERIFY(m_history->append(sealed));
    QVERIFY(m_history->append(opened));
    QVERIFY(m_history->commit());
    QVERIFY(m_history->openSealed(opened.id));
    QVERIFY(m_history->commit());
    const Run run =
        runPigeon(QStringList{u"history"_qs} + args + QStringList{u"--profile"_qs, m_profile->path()}, {}, utc());
    QCOMPARE(run.err, QString());
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(run.out, expected);
}

void TestHistoryCli::unknownPeer()
{
    const Run run = runPigeon({u"history"_qs, u"Bob"_qs, u"--profile"_qs, m_profile->path()}, {}, utc());
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains(u"no conversation with \"Bob\""_qs), qPrintable(run.err));
    QCOMPARE(run.out, QString());
    const Run bad = runPigeon({u"history"_qs, u"--last"_qs, u"zero"_qs, u"--profile"_qs, m_profile->path()}, {}, utc());
    QCOMPARE(bad.exitCode, 1);
    QVERIFY2(bad.err.contains(u"--last"_qs), qPrintable(bad.err));
}

void TestHistoryCli::doctor()
{
    const QString path = m_profile->filePath(u"history.sqlite"_qs);
    QVERIFY(m_history->commit());
    const Run sound = runPigeon({u"doctor"_qs, u"--profile"_qs, m_profile->path()});
    QCOMPARE(sound.exitCode, 0);
    QVERIFY2(sound.out.contains(path) && sound.out.contains(u"sound"_qs), qPrintable(sound.out));
    m_history.reset();
    // Pages in the middle of the file overwritten: nothing at open reads them, the doctor does.
    {
        History h;
        QVERIFY(h.open(path));
        for (int i = 0; i < 3000; ++i) {
            Message m = message(u"Alice"_qs, Direction::Incoming, QString(300, QChar(u'a' + i % 26)), 5,
                                MessageState::Received);
            QVERIFY(h.append(m));
        }
        QVERIFY(h.commit());
    }
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadWrite));
    const qint64 pages = file.size() / 4096;
    QVERIFY(pages > 20);
    QVERIFY(file.seek(4096 * (pages / 2)));
    file.write(QByteArray(8 * 4096, '\xa5'));
    file.close();
    const Run damaged = runPigeon({u"doctor"_qs, u"--profile"_qs, m_profile->path()});
    QCOMPARE(damaged.exitCode, 2);
    QVERIFY2(damaged.err.contains(path) && damaged.err.contains(u"damaged"_qs), qPrintable(damaged.err));
    // Reading every message reads that page: refused with the file's name and the doctor's.
    const Run history = runPigeon({u"history"_qs, u"--profile"_qs, m_profile->path()});
    QCOMPARE(history.exitCode, 2);
    QVERIFY2(history.err.contains(path) && history.err.contains(u"pigeon doctor"_qs), qPrintable(history.err));
}

QTEST_GUILESS_MAIN(TestHistoryCli)
#include "tst_history_cli.moc"
