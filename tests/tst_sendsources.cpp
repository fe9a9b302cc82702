// What `/send PATH` (Transfers::offer) takes as a source, as a user types it: a folder with the slash a shell's
// completion adds, and things that are no file to send (a symbolic link, a pipe, a device, nothing), each refused
// at once with the reason, before anything reaches the peer. A pipe that nobody writes must not block the program.

#include "faketransport.h"
#include "testfiles.h"
#include "transferside.h"

#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <fcntl.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace {

const Endpoint AliceAt{QHostAddress(QStringLiteral("127.0.3.11")), 2425};
const Endpoint BobAt{QHostAddress(QStringLiteral("127.0.3.12")), 2425};

// One Pigeon over the fake network, its stores in `dir`, started.
struct Side : TransferSide {
    Side(FakeTransport* wire, const QString& dir, const QString& nick, const Contact& other)
        : TransferSide(wire, dir, nick, other)
    {
        start();
    }
};

} // namespace

class TestSendSources final : public QObject, private TransferPair<Side> {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void refused_data();
    void refused();
    void folderWithTrailingSlash();
};

void TestSendSources::init()
{
    QCOMPARE(openWires(AliceAt, BobAt), QString());
    m_alice = std::make_unique<Side>(m_aliceWire.get(), m_aliceDir, QStringLiteral("Alice"),
                                     contact(QStringLiteral("Bob"), BobAt));
    m_bob = std::make_unique<Side>(m_bobWire.get(), m_bobDir, QStringLiteral("Bob"),
                                   contact(QStringLiteral("Alice"), AliceAt));
    QTRY_VERIFY(m_alice->messenger.route(QStringLiteral("Bob")).isPigeon);
}

void TestSendSources::cleanup()
{
    closePair();
}

void TestSendSources::refused_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("reason"); // what the refusal must say, English

    QTest::newRow("symbolic link to a file") << "symlink"
                                             << "is a symbolic link";
    QTest::newRow("named pipe nobody writes") << "fifo"
                                              << "not a regular file";
    QTest::newRow("device") << "device"
                            << "not a regular file";
    QTest::newRow("nothing there") << "missing"
                                   << "no such file or folder";
}

void TestSendSources::refused()
{
    QFETCH(QString, kind);
    QFETCH(QString, reason);
    const QString target = m_dir->filePath(QStringLiteral("target.txt"));
    QVERIFY(writeFile(target, "secret\n"));
    QString path = m_dir->filePath(kind);
    if (kind == u"symlink")
        QVERIFY(QFile::link(target, path));
    else if (kind == u"fifo")
        QCOMPARE(::mkfifo(QFile::encodeName(path).constData(), 0600), 0);
    else if (kind == u"device")
        path = QStringLiteral("/dev/null");

    // Should offer() open the pipe, it would wait for a writer forever: this one comes once, after 2 s, so that a
    // wrong offer() returns (with an offer made) instead of hanging the test.
    std::atomic<bool> done = false;
    std::thread writer([&done, fifo = QFile::encodeName(path), isFifo = kind == u"fifo"] {
        for (int i = 0; isFifo && i < 40 && !done; ++i) {
            if (i >= 20) {
                if (const int fd = ::open(fifo.constData(), O_WRONLY | O_NONBLOCK); fd >= 0) {
                    ::close(fd);
                    return;
                }
            }
            ::usleep(100'000);
        }
    });
    const qsizetype sentBefore = m_aliceWire->sent.size();
    QString error;
    const quint64 id = m_alice->transfers.offer(QStringLiteral("Bob"), path, &error);
    done = true;
    writer.join();
    QCOMPARE(id, quint64(0));
    QVERIFY2(error.contains(reason), qPrintable(error));
    QVERIFY2(error.contains(path), qPrintable(error));
    QVERIFY(m_alice->transfers.transfers().isEmpty());
    QCOMPARE(m_aliceWire->sent.size(), sentBefore);
}

void TestSendSources::folderWithTrailingSlash()
{
    const QString folder = m_dir->filePath(QStringLiteral("Minutes"));
    QVERIFY(QDir().mkpath(folder));
    QVERIFY(writeFile(folder + QStringLiteral("/monday.txt"), "agreed\n"));
    QString error;
    const quint64 id = m_alice->transfers.offer(QStringLiteral("Bob"), folder + u'/', &error);
    QVERIFY2(id != 0, qPrintable(error));
    QCOMPARE(m_alice->transfers.info(id)->name, QStringLiteral("Minutes"));
    // Bob hears it under the folder's name.
    QTRY_COMPARE(m_bob->transfers.transfers().size(), 1);
    const Transfers::Info info = m_bob->transfers.transfers().constFirst();
    QCOMPARE(info.name, QStringLiteral("Minutes"));
    QCOMPARE(info.files, quint32(1));
    QCOMPARE(info.totalBytes, quint64(7));
}

QTEST_GUILESS_MAIN(TestSendSources)
#include "tst_sendsources.moc"
