// Two Pigeons exchange messages both ways on 127.0.0.1 while one or the other is killed with SIGKILL at random
// moments, 20 times, and restarted. Afterwards both histories pass SQLite's integrity check, every message its sender
// saw acknowledged is in the receiver's history exactly once, nothing is stored twice, and nothing was received that
// its sender had not stored first.

#include <QHostAddress>
#include <QProcess>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

class TestCrashSafety final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void killedAtRandomMoments();
};

namespace {

constexpr int Kills = 20;

// Where the two drivers listen. A killed driver comes back on the same address and port, which another process could
// take in the meantime if it were an ephemeral port on 127.0.0.1. So each run picks its own addresses in 127.0.0.0/8
// (away from 127.0.0.1) and a port below Linux's ephemeral range (32768-60999): nobody else's port 0 lands there,
// and only a wildcard bind of that very port could collide.
struct Place {
    QString address;
    quint16 port = 0;
};

bool startDriver(QProcess& process, const QString& dir, const Place& place, const Place& peer)
{
    process.setProgram(QStringLiteral(PIGEON_CRASHDRIVER));
    process.setArguments({dir, place.address, QString::number(place.port), peer.address, QString::number(peer.port)});
    process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    process.start();
    if (!process.waitForStarted())
        return false;
    while (!process.canReadLine())
        if (!process.waitForReadyRead(30'000))
            return false;
    return process.readLine() == "ready\n";
}

struct Side {
    QString name;
    QHash<QString, int> incoming; // text -> rows
    QSet<QString> outgoing;       // every text it stored to send
    QSet<QString> delivered;      // the ones acknowledged (delivered or read)
    int duplicatePacketNumbers = -1;
    QString integrity;
};

Side readHistory(const QString& name, const QString& path)
{
    Side side;
    side.name = name;
    const QString connection = u"check-"_qs + name;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection);
        db.setDatabaseName(path);
        if (!db.open()) {
            side.integrity = db.lastError().text();
            return side;
        }
        QSqlQuery q(db);
        q.exec(QStringLiteral("PRAGMA integrity_check"));
        side.integrity = q.next() ? q.value(0).toString() : q.lastError().text();
        q.exec(QStringLiteral("SELECT text, direction, state FROM messages WHERE (flags & 4) = 0"));
        while (q.next()) {
            const QString text = q.value(0).toString();
            if (q.value(1).toInt() == 0) {
                ++side.incoming[text];
            } else {
                side.outgoing.insert(text);
                if (q.value(2).toInt() == 3 || q.value(2).toInt() == 4)
                    side.delivered.insert(text);
            }
        }
        q.exec(QStringLiteral("SELECT COUNT(*) FROM (SELECT 1 FROM messages WHERE direction = 0 "
                              "GROUP BY remote, packet_no HAVING COUNT(*) > 1)"));
        side.duplicatePacketNumbers = q.next() ? q.value(0).toInt() : -1;
    }
    QSqlDatabase::removeDatabase(connection);
    return side;
}

} // namespace

void TestCrashSafety::killedAtRandomMoments()
{
    const quint32 seed = qEnvironmentVariableIsSet("PIGEON_CRASH_SEED")
                             ? quint32(qEnvironmentVariableIntValue("PIGEON_CRASH_SEED"))
                             : QRandomGenerator::global()->generate();
    qInfo("kill schedule seed %u (set PIGEON_CRASH_SEED to repeat it)", seed);
    QRandomGenerator random(seed);

    QTemporaryDir dirs[2];
    const quint32 net = 0x7f000000u | (100 + random.bounded(100u)) << 16 | random.bounded(250u) << 8;
    const quint16 port = quint16(20000 + random.bounded(10000u));
    const Place places[2] = {{QHostAddress(net | 1).toString(), port}, {QHostAddress(net | 2).toString(), port}};
    QProcess drivers[2];
    for (int i = 0; i < 2; ++i)
        QVERIFY(startDriver(drivers[i], dirs[i].path(), places[i], places[1 - i]));

    for (int k = 0; k < Kills; ++k) {
        QTest::qWait(50 + int(random.bounded(400)));
        const int victim = int(random.bounded(2));
        drivers[victim].kill(); // SIGKILL: no chance to commit, acknowledge or say goodbye
        QVERIFY(drivers[victim].waitForFinished(10'000));
        QVERIFY(startDriver(drivers[victim], dirs[victim].path(), places[victim], places[1 - victim]));
    }
    QTest::qWait(500);
    for (QProcess& driver : drivers)
        driver.closeWriteChannel();
    for (QProcess& driver : drivers) {
        QVERIFY(driver.waitForFinished(60'000));
        QCOMPARE(driver.exitStatus(), QProcess::NormalExit);
        QCOMPARE(driver.exitCode(), 0);
    }

    const Side sides[2] = {readHistory(u"a"_qs, dirs[0].filePath(u"history.sqlite"_qs)),
                           readHistory(u"b"_qs, dirs[1].filePath(u"history.sqlite"_qs))};
    for (int i = 0; i < 2; ++i) {
        const Side& sender = sides[i];
        const Side& receiver = sides[1 - i];
        qInfo("%s: %lld stored to send, %lld acknowledged, %lld received by %s", qPrintable(sender.name),
              qint64(sender.outgoing.size()), qint64(sender.delivered.size()), qint64(receiver.incoming.size()),
              qPrintable(receiver.name));
        QCOMPARE(receiver.integrity, u"ok"_qs);
        QCOMPARE(receiver.duplicatePacketNumbers, 0);
        // Enough traffic to mean something.
        QVERIFY(sender.delivered.size() >= 20);
        for (const QString& text : sender.delivered)
            QVERIFY2(receiver.incoming.value(text) == 1,
                     qPrintable(u"acknowledged \""_qs + text + u"\" is stored "_qs +
                                QString::number(receiver.incoming.value(text)) + u" times by "_qs + receiver.name));
        for (auto it = receiver.incoming.cbegin(); it != receiver.incoming.cend(); ++it) {
            QVERIFY2(it.value() == 1, qPrintable(u"\""_qs + it.key() + u"\" stored twice"_qs));
            QVERIFY2(sender.outgoing.contains(it.key()),
                     qPrintable(u"\""_qs + it.key() + u"\" was received but its sender has no record of it"_qs));
        }
    }
}

QTEST_GUILESS_MAIN(TestCrashSafety)
#include "tst_crashsafety.moc"
