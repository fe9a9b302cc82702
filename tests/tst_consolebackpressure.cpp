#include "ipmsg.h"
#include "pigeonrun.h"

#include <QElapsedTimer>
#include <QNetworkDatagram>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <QUdpSocket>

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

namespace {

const QHostAddress Loopback(QStringLiteral("127.0.0.1"));
constexpr int Messages = 3000;
constexpr int Window = 32;      // messages in flight, as a sending IP Messenger peer keeps them
constexpr int TextBytes = 1000; // 3 MB in all: far more than a pipe (64 KiB) and the console's buffer hold
constexpr int AckDeadlineMs = 20'000;

// Message i's text: its number first, so that the printed lines can be checked for order and repeats.
QByteArray text(int i)
{
    QByteArray t = "m" + QByteArray::number(i).rightJustified(4, '0') + ' ';
    return t.leftJustified(TextBytes, 'x');
}

// Reads what is in the pipe now without waiting; false at end of file.
bool drain(int fd, QByteArray& into)
{
    char chunk[65536];
    for (;;) {
        const ssize_t n = ::read(fd, chunk, sizeof chunk);
        if (n > 0)
            into.append(chunk, n);
        else
            return !(n == 0);
        if (n < ssize_t(sizeof chunk))
            return true;
    }
}

} // namespace

// Issue 9, point 5: a console whose terminal stops reading goes on storing and acknowledging, and prints everything
// once the terminal reads again. A real `pigeon --console` process writes into a pipe that this test does not read
// while a real IPMsg sender on 127.0.0.1 sends it 3 000 messages.
class TestConsoleBackpressure final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void unreadTerminalDoesNotHoldBackDelivery();
};

void TestConsoleBackpressure::unreadTerminalDoesNotHoldBackDelivery()
{
    QTemporaryDir profile;
    QUdpSocket sender;
    QVERIFY(sender.bind(Loopback, 0));
    // A contact, as people one chats with are (strangers are rate limited to 200 datagrams/s).
    const Run added = runPigeon({QStringLiteral("contacts"), QStringLiteral("add"), QStringLiteral("sender"),
                                 QStringLiteral("127.0.0.1:%1").arg(sender.localPort()), QStringLiteral("--profile"),
                                 profile.path()});
    QCOMPARE(added.exitCode, 0);

    int pipeFds[2];
    QCOMPARE(::pipe2(pipeFds, O_CLOEXEC), 0);
    const int readEnd = pipeFds[0];
    const int writeEnd = pipeFds[1];
    const auto closeFds = qScopeGuard([&] {
        ::close(readEnd);
        if (fcntl(writeEnd, F_GETFD) >= 0)
            ::close(writeEnd);
    });
    QCOMPARE(fcntl(readEnd, F_SETFL, O_NONBLOCK), 0);

    QProcess console;
    const QStringList listen = privateListenArgs();
    console.setProgram(QStringLiteral(PIGEON_BINARY));
    console.setArguments(QStringList{QStringLiteral("--console"), QStringLiteral("--profile"), profile.path()} +
                         listen);
    console.setStandardOutputFile(QProcess::nullDevice());
    console.setChildProcessModifier([writeEnd] { ::dup2(writeEnd, STDOUT_FILENO); });
    console.start();
    QVERIFY(console.waitForStarted(5000));
    ::close(writeEnd);
    const auto stop = qScopeGuard([&] {
        if (console.state() != QProcess::NotRunning) {
            console.kill();
            console.waitForFinished(5000);
        }
    });

    QByteArray out;
    QVERIFY2(QTest::qWaitFor(
                 [&] {
                     drain(readEnd, out);
                     return out.contains("listening") || console.state() == QProcess::NotRunning;
                 },
                 10'000),
             "the console did not start listening");
    QVERIFY2(out.contains("listening"), console.readAllStandardError().constData());
    const QHostAddress address(listen[1]);
    const quint16 port = quint16(listen[3].toUInt());

    // From here on nobody reads the pipe.
    QElapsedTimer clock;
    clock.start();
    QSet<quint64> unacked;
    QHash<quint64, qint64> sentAt;
    int next = 0;
    int acked = 0;
    QList<int> ackOrder; // the order the console stored them in (it acknowledges in that order)
    const quint64 firstPacketNo = 1000;
    const auto send = [&](quint64 packetNo) {
        ipmsg::Packet p;
        p.version = "1";
        p.packetNo = packetNo;
        p.user = "sender";
        p.host = "loadbox";
        p.command = ipmsg::SendMsg | ipmsg::SendCheckOpt | ipmsg::Utf8Opt;
        p.extension = text(int(packetNo - firstPacketNo));
        sender.writeDatagram(ipmsg::encode(p), address, port);
        sentAt[packetNo] = clock.elapsed();
    };
    while (acked < Messages && clock.elapsed() < AckDeadlineMs) {
        while (next < Messages && unacked.size() < Window) {
            const quint64 packetNo = firstPacketNo + quint64(next++);
            unacked.insert(packetNo);
            send(packetNo);
        }
        sender.waitForReadyRead(50);
        while (sender.hasPendingDatagrams()) {
            const auto p = ipmsg::decode(sender.receiveDatagram().data()).packet;
            if (p && p->mode() == ipmsg::RecvMsg && unacked.remove(p->text().toULongLong())) {
                ++acked;
                ackOrder.append(int(p->text().toULongLong() - firstPacketNo));
            }
        }
        // A lost datagram is sent again, as IP Messenger does, after half a second.
        for (const quint64 packetNo : std::as_const(unacked))
            if (clock.elapsed() - sentAt.value(packetNo) > 500)
                send(packetNo);
    }
    const qint64 ackMs = clock.elapsed();
    qInfo("%d of %d messages acknowledged in %lld ms (%.0f/s) with the console's output not read", acked, Messages,
          ackMs, acked * 1000.0 / std::max<qint64>(ackMs, 1));
    QCOMPARE(acked, Messages);

    // The terminal really did stop taking output: the pipe holds a good part of its capacity (pages are not filled
    // to the byte) and nothing was read from it, while the messages alone are 3 MB.
    int inPipe = 0;
    QCOMPARE(ioctl(readEnd, FIONREAD, &inPipe), 0);
    QVERIFY2(inPipe >= fcntl(readEnd, F_GETPIPE_SZ) / 2, qPrintable(QString::number(inPipe)));

    // The terminal reads again, and the console is told to quit: everything is printed, then it exits.
    console.closeWriteChannel();
    QElapsedTimer reading;
    reading.start();
    bool open = true;
    while (open && reading.elapsed() < 30'000) {
        pollfd pfd{readEnd, POLLIN, 0};
        ::poll(&pfd, 1, 200);
        open = drain(readEnd, out);
    }
    QVERIFY2(!open, "the console's output did not end within 30 s of reading again");
    QVERIFY(console.waitForFinished(10'000));
    QCOMPARE(console.exitStatus(), QProcess::NormalExit);
    QCOMPARE(console.exitCode(), 0);

    // Every message once, in the order stored (a retransmission is acknowledged again but not printed again).
    QList<int> printed;
    const QRegularExpression numbered(QStringLiteral(R"(: m(\d{4}) x)"));
    for (const QByteArray& line : out.split('\n'))
        if (const auto match = numbered.match(QString::fromUtf8(line)); match.hasMatch())
            printed.append(match.captured(1).toInt());
    QCOMPARE(printed.size(), Messages);
    QCOMPARE(printed, ackOrder);
}

QTEST_GUILESS_MAIN(TestConsoleBackpressure)
#include "tst_consolebackpressure.moc"
