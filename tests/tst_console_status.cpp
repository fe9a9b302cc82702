// /away, /busy and /back in a real console process, against a script that speaks IP Messenger on a UDP socket of
// 127.0.0.1: what the console sends (literal bytes), what it prints, and that an automatic answer is not answered.

#include "consoleprocess.h"
#include "ipmsg.h"
#include "pigeonrun.h"

#include <QNetworkDatagram>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QUdpSocket>

namespace {

// The next IPMsg packet the script's socket receives (within 10 s), or an empty one.
ipmsg::Packet next(QUdpSocket& socket)
{
    if (!socket.hasPendingDatagrams() && !QTest::qWaitFor([&] { return socket.hasPendingDatagrams(); }, 10000))
        return {};
    return ipmsg::decode(socket.receiveDatagram().data()).packet.value_or(ipmsg::Packet{});
}

} // namespace

class TestConsoleStatus final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void awayAnswersOnceAndBackSaysSo();
    void keptStatusIsSaidAtStart_data();
    void keptStatusIsSaidAtStart();
};

void TestConsoleStatus::awayAnswersOnceAndBackSaysSo()
{
    QTemporaryDir dir;
    ConsoleProcess c;
    QVERIFY(c.start(dir.path(), {QStringLiteral("--name"), QStringLiteral("Me")}));

    c.type(QStringLiteral("/away gone fishing"));
    QTRY_VERIFY(c.output().contains(QStringLiteral("You are away: whoever writes gets \"gone fishing\" back, once.")));

    QUdpSocket bob;
    QVERIFY(bob.bind(QHostAddress(QStringLiteral("127.0.0.1")), 0));
    const QString bobName = QStringLiteral("Bob? (127.0.0.1:%1)").arg(bob.localPort());
    const auto send = [&](const char* datagram, qsizetype size) {
        bob.writeDatagram(QByteArray(datagram, size), c.address(), c.port());
    };
    // Bob's entry (BR_ENTRY | CAPUTF8OPT: he reads UTF-8) is answered with ANSENTRY | ABSENCEOPT | CAPUTF8OPT and the
    // title in the nickname.
    send("1:100:bob:pc:16777217:Bob\0\0", 27);
    ipmsg::Packet p = next(bob);
    QCOMPARE(p.command, 0x01000103u);
    QCOMPARE(ipmsg::parseEntry(p.extension).nick, QByteArray("Me[gone fishing]"));

    // Bob writes twice: one automatic answer (SENDMSG | AUTORETOPT | UTF8OPT, no SENDCHECKOPT), two acks.
    send("1:101:bob:pc:288:hi\0", 21);
    send("1:102:bob:pc:288:hello?\0", 25);
    QList<ipmsg::Packet> got;
    for (int i = 0; i < 3; ++i)
        got.append(next(bob));
    const auto answers = std::count_if(got.cbegin(), got.cend(), [](const ipmsg::Packet& q) {
        return q.command == 0x00802020u && q.text() == "gone fishing";
    });
    const auto acks =
        std::count_if(got.cbegin(), got.cend(), [](const ipmsg::Packet& q) { return q.mode() == ipmsg::RecvMsg; });
    QCOMPARE(answers, 1);
    QCOMPARE(acks, 2);
    QTRY_VERIFY(c.output().contains(QStringLiteral(" -> %1: [automatic answer] gone fishing  (sent)").arg(bobName)));

    // Bob's own automatic answer is shown as one and answered by nothing: the next datagram Bob gets is the BR_ABSENCE
    // of /back.
    send("1:103:bob:pc:8224:Bob is away too\0", 34);
    QTRY_VERIFY(c.output().contains(QStringLiteral("%1: [automatic answer] Bob is away too").arg(bobName)));
    // Bob goes away: BR_ABSENCE | ABSENCEOPT with his title; the console says so.
    send("1:104:bob:pc:260:Bob[in a meeting]\0\0", 36);
    QTRY_VERIFY2(c.output().contains(QStringLiteral("* %1 is away: in a meeting").arg(bobName)),
                 qPrintable(c.output()));
    c.type(QStringLiteral("/back"));
    p = next(bob);
    QCOMPARE(p.command, 0x01000004u); // BR_ABSENCE | CAPUTF8OPT, no ABSENCEOPT
    QCOMPARE(ipmsg::parseEntry(p.extension).nick, QByteArray("Me"));
    QTRY_VERIFY(c.output().contains(QStringLiteral("You are online.")));

    c.type(QStringLiteral("/busy"));
    QTRY_VERIFY(c.output().contains(QStringLiteral("You are busy.")));
    p = next(bob);
    QCOMPARE(p.command, 0x01000104u);
    QCOMPARE(ipmsg::parseEntry(p.extension).nick, QByteArray("Me[Busy]"));
    c.type(QStringLiteral("/back now"));
    QTRY_VERIFY(c.output().contains(QStringLiteral("/back takes no text.")));

    // The refused "/back now" makes the exit status 3, as any refused line does.
    QCOMPARE(c.finish(), 3);
}

// A status chosen in one run is kept in the profile; the next console says so before anything else, since it
// may answer people automatically without the user knowing.
void TestConsoleStatus::keptStatusIsSaidAtStart_data()
{
    QTest::addColumn<QString>("command");
    QTest::addColumn<QString>("said"); // the line the first run printed, which the second must print at start
    QTest::newRow("away with a text") << QStringLiteral("/away 出差到周五")
                                      << QStringLiteral("You are away: whoever writes gets \"出差到周五\" back, once.");
    QTest::newRow("away without a text") << QStringLiteral("/away")
                                         << QStringLiteral(
                                                "You are away. Without a text nobody gets an automatic answer.");
    QTest::newRow("busy") << QStringLiteral("/busy in a meeting") << QStringLiteral("You are busy: in a meeting");
    QTest::newRow("online") << QStringLiteral("/back") << QString();
}

void TestConsoleStatus::keptStatusIsSaidAtStart()
{
    QFETCH(QString, command);
    QFETCH(QString, said);
    QTemporaryDir dir;
    const QStringList args =
        QStringList{QStringLiteral("--console"), QStringLiteral("--profile"), dir.path()} + privateListenArgs();
    const Run first = runPigeon(args, (command + QStringLiteral("\n/quit\n")).toUtf8());
    QCOMPARE(first.exitCode, 0);
    if (!said.isEmpty())
        QVERIFY2(first.out.contains(said), qPrintable(first.out));

    const Run second = runPigeon(args, QByteArray("/quit\n"));
    QCOMPARE(second.exitCode, 0);
    const QStringList lines = second.out.split(u'\n', Qt::SkipEmptyParts);
    QVERIFY2(lines.value(0).contains(QStringLiteral("listening")), qPrintable(second.out));
    if (said.isEmpty())
        QVERIFY2(!second.out.contains(QRegularExpression(QStringLiteral("You are (away|busy)"))),
                 qPrintable(second.out));
    else
        QCOMPARE(lines.value(1), said);
}

QTEST_GUILESS_MAIN(TestConsoleStatus)
#include "tst_console_status.moc"
