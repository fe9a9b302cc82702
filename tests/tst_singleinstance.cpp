// One profile, one Pigeon (issue 14, issue 15 point 6): a second process on a profile in use exits 2 and names the
// process that holds it, a second start of the window brings the first to the front and exits 0, a lock left by a
// crashed process is taken over, and the refused process sends nothing. Real pigeon processes on 127.0.0.1.

#include "ipmsg.h"
#include "profile.h"

#include <QNetworkDatagram>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUdpSocket>

class TestSingleInstance final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void profileInUse_data();
    void profileInUse();
    void crashedHolderIsTakenOver();
    void refusedProcessSendsNothing();

private:
    QTemporaryDir m_runtime; // XDG_RUNTIME_DIR of every process here, the window's socket in it
};

namespace {

quint16 freePort()
{
    QUdpSocket probe;
    probe.bind(QHostAddress::LocalHost, 0);
    return probe.localPort();
}

QProcessEnvironment environment(const QString& runtime)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("XDG_RUNTIME_DIR"), runtime);
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    env.insert(QStringLiteral("NO_COLOR"), QStringLiteral("1"));
    return env;
}

// Starts `pigeon --profile DIR --bind 127.0.0.1 --port FREE args`, standard input left open.
void start(QProcess& process, const QString& runtime, const QString& profile, const QStringList& args)
{
    process.setProcessEnvironment(environment(runtime));
    process.start(QStringLiteral(PIGEON_BINARY),
                  QStringList{QStringLiteral("--profile"), profile, QStringLiteral("--bind"),
                              QStringLiteral("127.0.0.1"), QStringLiteral("--port"), QString::number(freePort())} +
                      args);
}

// Starts a console and waits until it listens.
bool startConsole(QProcess& process, const QString& runtime, const QString& profile)
{
    start(process, runtime, profile, {QStringLiteral("--console")});
    QByteArray out;
    for (int i = 0; i < 100 && !out.contains("listening"); ++i) {
        if (!process.waitForReadyRead(100) && process.state() != QProcess::Running)
            return false;
        out += process.readAllStandardOutput();
    }
    return out.contains("listening");
}

} // namespace

void TestSingleInstance::init()
{
    QVERIFY(m_runtime.isValid());
}

void TestSingleInstance::profileInUse_data()
{
    QTest::addColumn<bool>("holderIsWindow");
    QTest::addColumn<QStringList>("secondArgs");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("message"); // %1: the holder's pid
    const QString inUse = QStringLiteral("is in use by %1 (pid %2)");
    QTest::newRow("console, then console")
        << false << QStringList{QStringLiteral("--console")} << 2 << inUse.arg(QStringLiteral("Pigeon in a terminal"));
    QTest::newRow("console, then window")
        << false << QStringList() << 2 << inUse.arg(QStringLiteral("Pigeon in a terminal"));
    QTest::newRow("window, then console")
        << true << QStringList{QStringLiteral("--console")} << 2 << inUse.arg(QStringLiteral("the Pigeon window"));
    QTest::newRow("window, then window") << true << QStringList() << 0
                                         << QStringLiteral("the window on this profile (pid %2) is now in front");
    // `pigeon contacts` changes what the holder keeps in memory and writes back whole: refused; a list is harmless.
    QTest::newRow("console, then contacts add") << false
                                                << QStringList{QStringLiteral("contacts"), QStringLiteral("add"),
                                                               QStringLiteral("Zed"), QStringLiteral("127.0.0.1:9")}
                                                << 2 << inUse.arg(QStringLiteral("Pigeon in a terminal"));
    QTest::newRow("window, then contacts remove")
        << true << QStringList{QStringLiteral("contacts"), QStringLiteral("remove"), QStringLiteral("Zed")} << 2
        << inUse.arg(QStringLiteral("the Pigeon window"));
    QTest::newRow("console, then contacts list")
        << false << QStringList{QStringLiteral("contacts"), QStringLiteral("list")} << 0 << QString();
    QTest::newRow("window, then a screenshot of it")
        << true << QStringList{QStringLiteral("--screenshot"), QStringLiteral("shot.png")} << 2
        << inUse.arg(QStringLiteral("the Pigeon window"));
}

void TestSingleInstance::profileInUse()
{
    QFETCH(bool, holderIsWindow);
    QFETCH(QStringList, secondArgs);
    QFETCH(int, exitCode);
    QFETCH(QString, message);
    QTemporaryDir profile;
    QVERIFY(profile.isValid());

    // The holder: a console process, or this process holding the lock and the socket as the window does.
    QProcess console;
    qputenv("XDG_RUNTIME_DIR", m_runtime.path().toUtf8());
    ProfileLock lock{Profile(profile.path())};
    qint64 holderPid = QCoreApplication::applicationPid();
    if (holderIsWindow) {
        QVERIFY(lock.acquire());
        QVERIFY2(lock.listen(), qPrintable(lock.error()));
    } else {
        QVERIFY(startConsole(console, m_runtime.path(), profile.path()));
        holderPid = console.processId();
    }
    QSignalSpy activations(&lock, &ProfileLock::activationRequested);

    QProcess second;
    second.setWorkingDirectory(profile.path());
    start(second, m_runtime.path(), profile.path(), secondArgs);
    second.closeWriteChannel();
    // The window answers the second start from this event loop.
    QTRY_COMPARE_WITH_TIMEOUT(second.state(), QProcess::NotRunning, 20'000);
    const QString out = QString::fromUtf8(second.readAllStandardOutput() + second.readAllStandardError());
    QCOMPARE(second.exitStatus(), QProcess::NormalExit);
    QVERIFY2(second.exitCode() == exitCode, qPrintable(out));
    QVERIFY2(out.contains(message.arg(QString::number(holderPid))), qPrintable(out));
    QCOMPARE(activations.size(), message.contains(QStringLiteral("now in front")) ? 1 : 0);
    QVERIFY(!QFile::exists(profile.filePath(QStringLiteral("shot.png"))));
    QFile contacts(profile.filePath(QStringLiteral("contacts.ini")));
    QVERIFY(!contacts.open(QIODevice::ReadOnly) || !contacts.readAll().contains("Zed"));

    if (!holderIsWindow) {
        console.closeWriteChannel();
        QVERIFY(console.waitForFinished(10'000));
        QCOMPARE(console.exitCode(), 0);
    }
}

void TestSingleInstance::crashedHolderIsTakenOver()
{
    QTemporaryDir profile;
    QProcess crashed;
    QVERIFY(startConsole(crashed, m_runtime.path(), profile.path()));
    crashed.kill(); // SIGKILL: the lock file stays behind
    QVERIFY(crashed.waitForFinished(10'000));
    QVERIFY(QFile::exists(profile.filePath(QStringLiteral("pigeon.lock"))));

    QProcess next;
    QVERIFY2(startConsole(next, m_runtime.path(), profile.path()), next.readAllStandardError().constData());
    next.closeWriteChannel();
    QVERIFY(next.waitForFinished(10'000));
    QCOMPARE(next.exitCode(), 0);
}

// Issue 15 point 6: A sends to a contact whose acknowledgements are lost; a second Pigeon on A's profile must not
// resend A's message from its own port.
void TestSingleInstance::refusedProcessSendsNothing()
{
    QTemporaryDir profile;
    QUdpSocket contact; // an IP Messenger client without keys: answers greetings, never acknowledges
    QVERIFY(contact.bind(QHostAddress::LocalHost, 0));
    QProcess a;
    QVERIFY(startConsole(a, m_runtime.path(), profile.path()));
    a.write("/add Bob 127.0.0.1:" + QByteArray::number(contact.localPort()) + "\n/to Bob\nhello once\n");

    QSet<quint16> fromPorts;
    int received = 0;
    const auto drain = [&] {
        while (contact.hasPendingDatagrams()) {
            const QNetworkDatagram d = contact.receiveDatagram();
            // Its answer tells A it does not encrypt (no key announcement): A's message may leave in the clear.
            if (const auto p = ipmsg::decode(d.data()).packet; p && p->mode() == ipmsg::BrEntry) {
                ipmsg::Packet answer;
                answer.packetNo = p->packetNo + 1;
                answer.user = "bob";
                answer.host = "box";
                answer.command = ipmsg::AnsEntry;
                answer.extension = ipmsg::buildEntry(QStringLiteral("Bob"), {}, "bob", "box");
                contact.writeDatagram(ipmsg::encode(answer), d.senderAddress(), quint16(d.senderPort()));
            }
            if (d.data().contains("hello once")) {
                fromPorts.insert(quint16(d.senderPort()));
                ++received;
            }
        }
        return received;
    };
    QTRY_VERIFY_WITH_TIMEOUT(drain() >= 1, 10'000);

    QProcess b;
    start(b, m_runtime.path(), profile.path(), {QStringLiteral("--console")});
    b.closeWriteChannel();
    QVERIFY(b.waitForFinished(20'000));
    QCOMPARE(b.exitCode(), 2);
    // A goes on retransmitting (RTO); wait for two more copies, then every copy came from A's one port.
    const int before = received;
    QTRY_VERIFY_WITH_TIMEOUT(drain() >= before + 2, 20'000);
    QCOMPARE(fromPorts.size(), 1);
    a.closeWriteChannel();
    QVERIFY(a.waitForFinished(30'000));
}

QTEST_GUILESS_MAIN(TestSingleInstance)
#include "tst_singleinstance.moc"
