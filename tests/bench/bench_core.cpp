// Pigeon's engine benchmarks. Each subcommand prints one line of key=value pairs; run.sh runs them several times
// next to udp_baseline and prints medians and ratios. Only 127.0.0.x is used; every loop is bounded in count and in
// time.
//
//   pigeon_bench throughput SIZE N   N messages of SIZE bytes to a second process, acked after its commit
//   pigeon_bench latency N           one message at a time: send() -> Delivered, p50/p99 in microseconds
//   pigeon_bench codec N             IPMsg decode and encode of typical packets
//   pigeon_bench history N           N incoming messages into a fresh database, as the engine stores them
//   pigeon_bench flood GARBAGE REAL  GARBAGE junk datagrams at full speed while REAL messages are sent
//   pigeon_bench peer DIR            (internal) the receiving process

#include "benchutil.h"

#include "history.h"
#include "ipmsg.h"
#include "session.h"

#include <QCoreApplication>
#include <QProcess>
#include <QRandomGenerator>
#include <QSocketNotifier>
#include <QTimer>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

namespace {

constexpr int DeadlineMs = 300'000; // no figure may run longer than this
constexpr QStringView PeerName = u"peer";

qint64 argNumber(const QStringList& args, int i)
{
    bool ok = false;
    const qint64 n = args.value(i).toLongLong(&ok);
    if (!ok || n <= 0)
        bench::fail("expected a positive number as argument " + QByteArray::number(i));
    return n;
}

// Whether both processes encrypt (the default; "clear" after the arguments turns it off, for the comparison).
bool encrypt = true;

Session::Options loopbackOptions(const QString& dir, const QString& nick)
{
    Session::Options o;
    o.encrypt = encrypt;
    o.profileDir = dir;
    o.bind = QHostAddress(QStringLiteral("127.0.0.1"));
    o.port = 0;
    o.nick = nick;
    // Files (issue 10): offers from the contact are taken without asking, into the profile's folder.
    o.downloads = dir + QStringLiteral("/downloads");
    o.acceptFiles = true;
    return o;
}

// The receiving process: a Session on 127.0.0.1 with a fresh profile. Prints "port=N" once listening; answers
// "stats" on stdin with what it received and its memory; leaves on "quit", at end of input or at the deadline.
int runPeer(const QString& dir)
{
    Session session;
    if (!session.open(loopbackOptions(dir, QStringLiteral("bench-peer"))))
        bench::fail(session.error().toUtf8());
    qint64 received = 0;
    QObject::connect(session.messenger(), &Messenger::messageAdded, qApp, [&received](const Message& m) {
        if (m.direction == Direction::Incoming)
            ++received;
    });
    bench::emitLine("port=" + QByteArray::number(session.transport().localEndpoint().port));
    QSocketNotifier input(STDIN_FILENO, QSocketNotifier::Read);
    QByteArray pending;
    QObject::connect(&input, &QSocketNotifier::activated, qApp, [&] {
        char buf[256];
        const ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
        if (n <= 0) {
            QCoreApplication::quit();
            return;
        }
        pending.append(buf, n);
        qsizetype eol;
        while ((eol = pending.indexOf('\n')) >= 0) {
            const QByteArray command = pending.left(eol).trimmed();
            pending.remove(0, eol + 1);
            if (command == "stats") {
                const bench::Memory mem = bench::memory();
                const Messenger::Stats& st = session.messenger()->stats();
                bench::emitLine(
                    "received=" + QByteArray::number(received) + " rss_kb=" + QByteArray::number(mem.rssKb) +
                    " peak_kb=" + QByteArray::number(mem.peakKb) + " datagrams=" + QByteArray::number(st.datagramsIn) +
                    " dropped=" + QByteArray::number(st.dropped) + " cpu_us=" + QByteArray::number(bench::cpuMicros()));
            } else if (command.startsWith("contact ")) {
                // The sender is a contact, as people one chats with are: strangers are rate limited
                // (Messenger::Limits).
                const QString error = session.contacts().add(
                    {QStringLiteral("bench"), QStringLiteral("127.0.0.1"), quint16(command.mid(8).toUInt())});
                bench::emitLine(error.isEmpty() ? QByteArray("ok") : error.toUtf8());
            } else if (command == "quit") {
                QCoreApplication::quit();
            }
        }
    });
    QTimer::singleShot(DeadlineMs + 60'000, qApp, &QCoreApplication::quit);
    const int rc = QCoreApplication::exec();
    session.close();
    return rc;
}

// The sending side: this process's own Session, and the peer process it talks to as the contact "peer".
class Link {
public:
    Link()
    {
        if (!m_dirs[0].isValid() || !m_dirs[1].isValid())
            bench::fail("cannot create a scratch folder");
        m_peer.setProgram(QCoreApplication::applicationFilePath());
        m_peer.setArguments({QStringLiteral("peer"), m_dirs[1].path(), encrypt ? QString() : QStringLiteral("clear")});
        m_peer.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        m_peer.start();
        const QByteArray hello = readLine();
        if (!hello.startsWith("port="))
            bench::fail("the peer did not start: " + hello);
        const quint16 port = quint16(hello.mid(5).toUInt());
        if (!m_session.open(loopbackOptions(m_dirs[0].path(), QStringLiteral("bench"))))
            bench::fail(m_session.error().toUtf8());
        QObject::connect(messenger(), &Messenger::problem, qApp,
                         [](const QString& why) { std::fprintf(stderr, "bench: %s\n", qPrintable(why)); });
        m_peer.write("contact " + QByteArray::number(m_session.transport().localEndpoint().port) + '\n');
        if (const QByteArray answer = readLine(); answer != "ok")
            bench::fail("the peer could not add this process as a contact: " + answer);
        // Adding the contact greets it; its answer tells the engine that it is a Pigeon (window 32).
        const QString error = m_session.contacts().add({PeerName.toString(), QStringLiteral("127.0.0.1"), port});
        if (!error.isEmpty())
            bench::fail(error.toUtf8());
        waitUntil([this] { return messenger()->presence(PeerName.toString()) == Presence::Online; }, 10'000);
        if (encrypt)
            waitUntil([this] { return messenger()->isEncrypted(PeerName.toString()); }, 10'000);
    }

    ~Link()
    {
        m_peer.write("quit\n");
        if (!m_peer.waitForFinished(30'000))
            m_peer.kill();
        m_session.close();
    }

    Messenger* messenger() { return m_session.messenger(); }
    Transfers* transfers() { return m_session.transfers(); }
    QString scratch() const { return m_dirs[0].path(); }
    QString peer() const { return PeerName.toString(); }

    // The peer's answer to "stats", as key=value pairs.
    QHash<QByteArray, qint64> peerStats()
    {
        m_peer.write("stats\n");
        QHash<QByteArray, qint64> out;
        for (const QByteArray& pair : readLine().split(' ')) {
            const qsizetype eq = pair.indexOf('=');
            if (eq > 0)
                out.insert(pair.left(eq), pair.mid(eq + 1).toLongLong());
        }
        return out;
    }

    quint16 peerPort() { return m_session.contacts().find(PeerName.toString())->port; }

    template <typename Done>
    static void waitUntil(Done done, int timeoutMs)
    {
        QElapsedTimer t;
        t.start();
        // Sleeps until something happens (processEvents with a time limit would spin and steal the peer's CPU); the
        // tick only bounds the wait.
        QTimer tick;
        tick.start(50);
        while (!done()) {
            if (t.elapsed() > timeoutMs)
                bench::fail("timed out");
            QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
        }
    }

private:
    QByteArray readLine()
    {
        QElapsedTimer t;
        t.start();
        while (!m_peer.canReadLine()) {
            if (t.elapsed() > 10'000 || !m_peer.waitForReadyRead(1000)) {
                if (m_peer.state() != QProcess::Running || t.elapsed() > 10'000)
                    return {};
            }
        }
        return m_peer.readLine().trimmed();
    }

    QTemporaryDir m_dirs[2] = {QTemporaryDir(bench::scratchTemplate()), QTemporaryDir(bench::scratchTemplate())};
    QProcess m_peer;
    Session m_session;
};

QString textOf(qint64 i, qsizetype size)
{
    QString text = QString::number(i) + u' ';
    text.append(QString(std::max<qsizetype>(0, size - text.size()), u'x'));
    return text;
}

// Keeps at most `maxOutstanding` messages undelivered; the engine itself puts at most its window on the wire.
int runThroughput(qsizetype size, qint64 n)
{
    Link link;
    constexpr int MaxOutstanding = 64;
    qint64 sent = 0, delivered = 0, failed = 0;
    int outstanding = 0;
    Messenger* messenger = link.messenger();
    const auto refill = [&] {
        while (outstanding < MaxOutstanding && sent < n) {
            QString error;
            if (!messenger->send(link.peer(), textOf(sent, size), &error))
                bench::fail(error.toUtf8());
            ++sent;
            ++outstanding;
        }
    };
    QObject::connect(messenger, &Messenger::deliveryChanged, qApp, [&](qint64, MessageState state) {
        if (state == MessageState::Delivered || state == MessageState::Failed) {
            ++(state == MessageState::Delivered ? delivered : failed);
            --outstanding;
            refill();
        }
    });
    const qint64 peerCpuBefore = link.peerStats().value("cpu_us");
    const qint64 cpuBefore = bench::cpuMicros();
    QElapsedTimer clock;
    clock.start();
    refill();
    Link::waitUntil([&] { return delivered + failed == n; }, DeadlineMs);
    const double secs = double(clock.nsecsElapsed()) / 1e9;
    const qint64 cpu = bench::cpuMicros() - cpuBefore;
    const QHash<QByteArray, qint64> peer = link.peerStats();
    const qint64 received = peer.value("received");
    bench::emitLine("figure=throughput size=" + QByteArray::number(size) + " n=" + QByteArray::number(n) +
                    " delivered=" + QByteArray::number(delivered) + " failed=" + QByteArray::number(failed) +
                    " received=" + QByteArray::number(received) +
                    " retransmissions=" + QByteArray::number(messenger->stats().retransmissions) +
                    " sender_cpu_us_per_msg=" + QByteArray::number(double(cpu) / double(n), 'f', 2) +
                    " receiver_cpu_us_per_msg=" +
                    QByteArray::number(double(peer.value("cpu_us") - peerCpuBefore) / double(n), 'f', 2) +
                    " per_s=" + QByteArray::number(qRound64(double(delivered) / secs)));
    return failed == 0 && received == n ? 0 : 1;
}

// One file of `mib` MiB to the peer process, which accepts it (--accept-files): goodput from the offer (after the
// sender hashed the file) to the receiver's Done (after it checked the SHA-256 and renamed the file), and the memory
// of both sides while it moved.
int runFiles(qint64 mib)
{
    Link link;
    const QString path = link.scratch() + QStringLiteral("/file.bin");
    {
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly))
            bench::fail("cannot write the file");
        QByteArray chunk(1 << 20, Qt::Uninitialized);
        for (qint64 i = 0; i < mib; ++i) {
            QRandomGenerator::global()->fillRange(reinterpret_cast<quint32*>(chunk.data()), chunk.size() / 4);
            file.write(chunk);
        }
    }
    const auto peerBefore = link.peerStats();
    const qint64 peerRssBefore = peerBefore.value("rss_kb");
    const qint64 rssBefore = bench::memory().rssKb;
    Transfers* transfers = link.transfers();
    QString error;
    const quint64 id = transfers->offer(link.peer(), path, &error);
    if (!id)
        bench::fail(error.toUtf8());
    // The offer goes out once the sender's worker thread hashed the file: the clock starts then.
    Link::waitUntil([&] { return transfers->info(id)->state != TransferState::Preparing; }, DeadlineMs);
    QElapsedTimer clock;
    clock.start();
    const qint64 cpuBefore = bench::cpuMicros();
    Link::waitUntil(
        [&] {
            const TransferState state = transfers->info(id)->state;
            return state != TransferState::Offered && state != TransferState::Moving;
        },
        DeadlineMs);
    const double secs = double(clock.nsecsElapsed()) / 1e9;
    const qint64 cpuUs = bench::cpuMicros() - cpuBefore;
    // Peaks from the kernel's high-water marks (VmHWM), not from samples: asking the peer for its memory while the
    // file moves stalls this side's event loop (the question is answered synchronously), and a 0.2 s transfer falls
    // between samples. A high-water mark also counts what came before the offer, so this is an upper bound.
    const auto peerAfter = link.peerStats();
    const qint64 peakRss = bench::memory().peakKb;
    const qint64 peerPeakRss = peerAfter.value("peak_kb");
    const qint64 peerCpuUs = peerAfter.value("cpu_us") - peerBefore.value("cpu_us");
    const Transfers::Info info = *transfers->info(id);
    bench::emitLine("figure=files mib=" + QByteArray::number(mib) + " state=" + transferStateName(info.state).toUtf8() +
                    " seconds=" + QByteArray::number(secs, 'f', 3) +
                    " sender_rss_growth_kb=" + QByteArray::number(peakRss - rssBefore) +
                    " receiver_rss_growth_kb=" + QByteArray::number(peerPeakRss - peerRssBefore) +
                    // CPU time of each side from the offer to Done: what a wall-clock rate on a shared machine hides.
                    " sender_cpu_ms=" + QByteArray::number(cpuUs / 1000) + " receiver_cpu_ms=" +
                    QByteArray::number(peerCpuUs / 1000) + " mib_s=" + QByteArray::number(double(mib) / secs, 'f', 2));
    return info.state == TransferState::Done ? 0 : 1;
}

double percentile(QList<double> values, double p)
{
    std::sort(values.begin(), values.end());
    return values.isEmpty() ? 0
                            : values.at(std::min<qsizetype>(values.size() - 1, qsizetype(double(values.size()) * p)));
}

int runLatency(qint64 n)
{
    Link link;
    Messenger* messenger = link.messenger();
    QList<double> micros;
    micros.reserve(n);
    QElapsedTimer clock;
    qint64 current = 0;
    bool done = false;
    QObject::connect(messenger, &Messenger::deliveryChanged, qApp, [&](qint64 id, MessageState state) {
        if (id != current || (state != MessageState::Delivered && state != MessageState::Failed))
            return;
        if (state == MessageState::Failed)
            bench::fail("a message failed");
        micros.append(double(clock.nsecsElapsed()) / 1e3);
        done = true;
    });
    QElapsedTimer total;
    total.start();
    for (qint64 i = 0; i < n && total.elapsed() < DeadlineMs; ++i) {
        done = false;
        clock.start();
        current = messenger->send(link.peer(), textOf(i, 64));
        if (!current)
            bench::fail("send refused");
        Link::waitUntil([&] { return done; }, 10'000);
    }
    bench::emitLine("figure=latency n=" + QByteArray::number(micros.size()) +
                    " p50_us=" + QByteArray::number(percentile(micros, 0.5), 'f', 1) +
                    " p99_us=" + QByteArray::number(percentile(micros, 0.99), 'f', 1));
    return micros.size() == n ? 0 : 1;
}

// A SENDMSG with 64 bytes of text, its RECVMSG and an entry packet: what a chat mostly consists of.
int runCodec(qint64 n)
{
    ipmsg::Packet send;
    send.version = "1_pigeon 0.1.0";
    send.packetNo = 1732230000;
    send.user = "alice";
    send.host = "laptop";
    send.command = ipmsg::SendMsg | ipmsg::SendCheckOpt | ipmsg::Utf8Opt;
    send.extension = QByteArray(64, 'x');
    ipmsg::Packet ack = send;
    ack.command = ipmsg::RecvMsg;
    ack.extension = "1732230000";
    ipmsg::Packet entry = send;
    entry.command = ipmsg::BrEntry | ipmsg::CapUtf8Opt;
    entry.extension = ipmsg::buildEntry(QStringLiteral("Alice"), QStringLiteral("Team"), "alice", "laptop");
    const ipmsg::Packet packets[] = {send, ack, entry};
    const QByteArray wire[] = {ipmsg::encode(send), ipmsg::encode(ack), ipmsg::encode(entry)};

    // The SENDMSG as the protocol writes it (version:packetNo:user:host:command:extension), written out by hand:
    // 8388896 = SENDMSG 0x20 | SENDCHECKOPT 0x100 | UTF8OPT 0x800000 (ipmsg.h, IP Messenger protocol).
    const QByteArray sendWire = "1_pigeon 0.1.0:1732230000:alice:laptop:8388896:" + QByteArray(64, 'x');
    if (!wire[0].startsWith(sendWire))
        bench::fail("codec: the SENDMSG is not encoded as the protocol says: " + wire[0]);

    // Every decoded packet and every encoded size is checked, so a codec that breaks fails the smoke run.
    quint64 check = 0;
    qint64 wrong = 0;
    QElapsedTimer clock;
    clock.start();
    for (qint64 i = 0; i < n; ++i) {
        const ipmsg::DecodeResult r = ipmsg::decode(wire[i % 3]);
        const ipmsg::Packet& expected = packets[i % 3];
        if (!r.packet || r.packet->packetNo != expected.packetNo || r.packet->command != expected.command ||
            r.packet->user != expected.user || r.packet->host != expected.host ||
            r.packet->extension != expected.extension)
            ++wrong;
        check += r.packet ? r.packet->packetNo + quint64(r.packet->extension.size()) : 1;
    }
    const double decodeSecs = double(clock.nsecsElapsed()) / 1e9;
    clock.restart();
    for (qint64 i = 0; i < n; ++i) {
        const qsizetype size = ipmsg::encode(packets[i % 3]).size();
        if (size != wire[i % 3].size())
            ++wrong;
        check += quint64(size);
    }
    const double encodeSecs = double(clock.nsecsElapsed()) / 1e9;
    if (wrong > 0)
        bench::fail("codec: " + QByteArray::number(wrong) + " of " + QByteArray::number(2 * n) +
                    " decodes or encodes gave another packet");
    bench::emitLine("figure=codec n=" + QByteArray::number(n) +
                    " decode_per_s=" + QByteArray::number(qRound64(double(n) / decodeSecs)) + " encode_per_s=" +
                    QByteArray::number(qRound64(double(n) / encodeSecs)) + " check=" + QByteArray::number(check));
    return 0;
}

// Stores N incoming messages the way Messenger::handleMessage does (duplicate check, place in the thread, insert),
// committing in batches of 256 (what UdpTransport reads per pass) as the event loop would.
int runHistory(qint64 n)
{
    constexpr int Batch = 256;
    QTemporaryDir dir(bench::scratchTemplate());
    History history;
    if (!history.open(dir.filePath(QStringLiteral("history.sqlite"))))
        bench::fail(history.error().toUtf8());
    const QString remote = QStringLiteral("127.0.0.2:2425");
    const qint64 since = QDateTime::currentMSecsSinceEpoch() - 3600 * 1000;
    const qint64 cpuBefore = bench::cpuMicros();
    QElapsedTimer clock;
    clock.start();
    qint64 stored = 0;
    for (qint64 i = 0; i < n && clock.elapsed() < DeadlineMs; ++i) {
        const quint64 packetNo = 1732230000 + quint64(i);
        if (history.findIncoming(remote, packetNo, since))
            bench::fail("a fresh database found a duplicate");
        Message m;
        m.peer = QStringLiteral("alice");
        m.text = textOf(i, 64);
        m.remote = remote;
        m.packetNo = packetNo;
        m.unread = true;
        m.sortKey = history.sortKeyBefore(remote, packetNo, since);
        if (!history.append(m))
            bench::fail(history.error().toUtf8());
        ++stored;
        if (stored % Batch == 0) {
            if (!history.commit())
                bench::fail(history.error().toUtf8());
            // Back to the event loop between batches, as in the engine: History's timers (the checkpoint) run there.
            QCoreApplication::processEvents();
        }
    }
    if (!history.commit())
        bench::fail(history.error().toUtf8());
    const double secs = double(clock.nsecsElapsed()) / 1e9;
    const double cpuSecs = double(bench::cpuMicros() - cpuBefore) / 1e6;
    bench::emitLine("figure=history n=" + QByteArray::number(stored) +
                    " per_cpu_s=" + QByteArray::number(qRound64(double(stored) / cpuSecs)) +
                    " per_s=" + QByteArray::number(qRound64(double(stored) / secs)));
    return stored == n && history.conversationSize(QStringLiteral("alice")) == n ? 0 : 1;
}

// Sends `count` junk datagrams from 127.0.0.3 to the port as fast as the socket takes them (bounded by count and
// by the deadline): random bytes, and broken IPMsg headers.
void flood(quint16 port, qint64 count)
{
    const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in from{};
    from.sin_family = AF_INET;
    from.sin_addr.s_addr = htonl(0x7f000003);
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0)
        bench::fail("cannot bind the flood socket on 127.0.0.3");
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    to.sin_port = htons(port);
    QRandomGenerator random(42);
    QByteArray junk(1200, '\0');
    QElapsedTimer clock;
    clock.start();
    for (qint64 i = 0; i < count && clock.elapsed() < DeadlineMs; ++i) {
        const qsizetype size = 1 + qsizetype(random.bounded(1000));
        if (i % 2 == 0) {
            for (qsizetype j = 0; j < size; ++j)
                junk[j] = char(random.bounded(256));
        } else {
            const QByteArray header = "1:" + QByteArray::number(i) + ":x:y:" + QByteArray::number(random.generate());
            std::copy(header.cbegin(), header.cend(), junk.begin());
        }
        ::sendto(fd, junk.constData(), size_t(size), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
    }
    ::close(fd);
}

int runFlood(qint64 garbage, qint64 real)
{
    Link link;
    Messenger* messenger = link.messenger();
    const qint64 rssBefore = link.peerStats().value("rss_kb");
    qint64 delivered = 0, failed = 0;
    QObject::connect(messenger, &Messenger::deliveryChanged, qApp, [&](qint64, MessageState state) {
        if (state == MessageState::Delivered)
            ++delivered;
        else if (state == MessageState::Failed)
            ++failed;
    });
    QElapsedTimer clock;
    clock.start();
    std::thread flooder(flood, link.peerPort(), garbage);
    // The real messages go out one every 2 ms while the flood runs, as a busy chat would send them.
    qint64 sent = 0;
    QTimer pace;
    QObject::connect(&pace, &QTimer::timeout, qApp, [&] {
        if (sent < real && !messenger->send(link.peer(), textOf(sent++, 64)))
            bench::fail("send refused");
    });
    pace.start(2);
    Link::waitUntil([&] { return delivered + failed == real; }, DeadlineMs);
    const double realSecs = double(clock.nsecsElapsed()) / 1e9;
    pace.stop();
    flooder.join();
    const QHash<QByteArray, qint64> after = link.peerStats();
    bench::emitLine("figure=flood garbage=" + QByteArray::number(garbage) + " real=" + QByteArray::number(real) +
                    " delivered=" + QByteArray::number(delivered) +
                    " received=" + QByteArray::number(after.value("received")) +
                    " peer_datagrams=" + QByteArray::number(after.value("datagrams")) +
                    " real_secs=" + QByteArray::number(realSecs, 'f', 2) +
                    " rss_growth_kb=" + QByteArray::number(after.value("rss_kb") - rssBefore) +
                    " peak_growth_kb=" + QByteArray::number(after.value("peak_kb") - rssBefore));
    return delivered == real ? 0 : 1;
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const QString command = args.value(1);
    encrypt = args.last() != u"clear";
    if (command == u"peer")
        return runPeer(args.value(2));
    if (command == u"throughput")
        return runThroughput(argNumber(args, 2), argNumber(args, 3));
    if (command == u"latency")
        return runLatency(argNumber(args, 2));
    if (command == u"codec")
        return runCodec(argNumber(args, 2));
    if (command == u"history")
        return runHistory(argNumber(args, 2));
    if (command == u"flood")
        return runFlood(argNumber(args, 2), argNumber(args, 3));
    if (command == u"files")
        return runFiles(argNumber(args, 2));
    std::fprintf(stderr, "usage: pigeon_bench throughput SIZE N | latency N | codec N | history N | "
                         "flood GARBAGE REAL | files MIB  [clear: no end-to-end encryption]\n");
    return 2;
}
