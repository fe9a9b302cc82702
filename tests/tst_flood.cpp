// A flood of garbage and of valid-looking packets from thousands of loopback addresses (127.0.5.x-127.0.24.x):
// the excess is dropped and counted, every per-sender table stays within its cap, and a contact's messages are all
// delivered meanwhile. Everything is sent to 127.0.0.1 only, bounded in count and time.

#include "packets.h"
#include "ratelimiter.h"
#include "session.h"

#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <arpa/inet.h>
#include <atomic>
#include <netinet/in.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace {

// An engine over a fake transport at 127.0.0.1:2426 in a temporary profile with no contacts, not started: the target
// of the engine-level floods. `ok` is false when the profile could not be made.
struct FloodTarget {
    QTemporaryDir dir;
    ContactBook contacts;
    History history;
    FakeTransport transport{*Endpoint::parse(u"127.0.0.1:2426"_qs)};
    Messenger messenger{Identity{u"me"_qs, {}, "me", "here"}, &contacts, &history, &transport};
    bool ok = contacts.load(dir.filePath(u"contacts.ini"_qs)) && history.open(dir.filePath(u"history.sqlite"_qs));

    // Starts the engine under `limits`.
    void start(const Messenger::Limits& limits)
    {
        messenger.setLimits(limits);
        messenger.start();
    }
};

} // namespace

class TestFlood final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void rateLimiter_data();
    void rateLimiter();
    void limiterTableIsBounded();
    void contactDeliveredThroughFlood();
    void offlineQueueIsBounded();
    void tablesStopAtTheirCaps();
    void peerRecordsAreEvicted();
};

void TestFlood::rateLimiter_data()
{
    QTest::addColumn<int>("sources");
    QTest::addColumn<int>("perSource");
    QTest::addColumn<int>("waitMs");
    QTest::addColumn<int>("allowed");
    // Limits: 10/s, bursts of 20, 100/s and 50 at once for everyone.
    QTest::addRow("one source, its burst") << 1 << 100 << 0 << 20;
    QTest::addRow("one source, burst then a second") << 1 << 100 << 1000 << 20 + 10;
    QTest::addRow("one source, under the rate") << 1 << 15 << 0 << 15;
    QTest::addRow("two sources, each its burst") << 2 << 30 << 0 << 40;
    QTest::addRow("many sources, the shared total") << 10 << 30 << 0 << 50;
    QTest::addRow("many sources, total refills") << 10 << 30 << 100 << 50 + 10;
}

void TestFlood::rateLimiter()
{
    QFETCH(int, sources);
    QFETCH(int, perSource);
    QFETCH(int, waitMs);
    QFETCH(int, allowed);
    RateLimiter limiter({10, 20, 100, 50, 64});
    int passed = 0;
    const auto burst = [&](qint64 nowMs) {
        for (int s = 0; s < sources; ++s)
            for (int i = 0; i < perSource; ++i)
                passed += limiter.allow(QHostAddress(quint32(0x7f000500 + s)), nowMs);
    };
    burst(1000);
    if (waitMs > 0)
        burst(1000 + waitMs);
    QCOMPARE(passed, allowed);
}

void TestFlood::limiterTableIsBounded()
{
    RateLimiter limiter({10, 20, 1e9, 1e9, 8});
    // 8 sources fill the table; everyone after them shares one overflow bucket (one burst for all of them).
    int overflow = 0;
    for (int s = 0; s < 100; ++s)
        for (int i = 0; i < 5; ++i) {
            const bool ok = limiter.allow(QHostAddress(quint32(0x7f000500 + s)), 1000);
            if (s >= 8)
                overflow += ok;
        }
    QCOMPARE(limiter.sources(), 8);
    QCOMPARE(overflow, 20);
    // Once the first sources are idle (refilled), a full table forgets them and new sources get their own buckets.
    QVERIFY(limiter.allow(QHostAddress(quint32(0x7f000600)), 1000 + 3000));
    QCOMPARE(limiter.sources(), 1);
    // The IPv4-mapped form of an address is the same source.
    QVERIFY(limiter.allow(QHostAddress(QStringLiteral("::ffff:127.0.6.0")), 1000 + 3000));
    QCOMPARE(limiter.sources(), 1);
}

namespace {

constexpr int FloodSources = 5000; // 127.0.5.1 ... 127.0.24.250
constexpr int PerLightSource = 4;
constexpr int HeavyEvery = 4; // after every HeavyEvery light datagrams, one from the heavy source
constexpr qint64 FloodDeadlineMs = 15'000;
constexpr int RealMessages = 40;

quint32 lightSource(int i)
{
    return 0x7f000000u | quint32(5 + i / 250) << 8 | quint32(1 + i % 250);
}

void sendFrom(int fd, const QByteArray& datagram, quint16 port)
{
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    to.sin_port = htons(port);
    ::sendto(fd, datagram.constData(), size_t(datagram.size()), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
}

int boundSocket(quint32 address)
{
    const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in from{};
    from.sin_family = AF_INET;
    from.sin_addr.s_addr = htonl(address);
    if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) == 0)
        return fd;
    if (fd >= 0)
        ::close(fd);
    return -1;
}

// Garbage, valid-looking SENDMSGs (each asking for an ack), parts of long messages that never complete, and
// entries claiming to be "alice".
QByteArray floodDatagram(QRandomGenerator& random, quint64 n)
{
    ipmsg::Packet p;
    p.version = "1";
    p.packetNo = 1'000'000 + n;
    p.user = "alice";
    p.host = "flood";
    switch (n % 4) {
    case 0: {
        QByteArray junk(1 + qsizetype(random.bounded(1400)), '\0');
        for (char& c : junk)
            c = char(random.bounded(256));
        return junk;
    }
    case 1:
        p.command = ipmsg::SendMsg | ipmsg::SendCheckOpt;
        p.extension = "buy now " + QByteArray::number(n);
        break;
    case 2:
        p.command = ipmsg::PigeonFragment | ipmsg::SendCheckOpt;
        p.extension = fragment::encode({p.packetNo, 0, 3, QByteArray(1200, 'x')});
        break;
    default:
        p.command = ipmsg::BrEntry;
        p.extension = ipmsg::buildEntry(QStringLiteral("alice"), {}, "alice", "flood");
        break;
    }
    return ipmsg::encode(p);
}

struct FloodResult {
    qint64 sent = 0;
    int sources = 0;
};

void flood(quint16 port, FloodResult* result)
{
    QRandomGenerator random(20261122);
    QElapsedTimer clock;
    clock.start();
    const int heavy = boundSocket(0x7f000601); // 127.0.6.1 is also one of the light sources: its bucket runs dry
    quint64 n = 0;
    for (int i = 0; i < FloodSources && clock.elapsed() < FloodDeadlineMs; ++i) {
        const int fd = boundSocket(lightSource(i));
        if (fd < 0)
            continue;
        ++result->sources;
        for (int k = 0; k < PerLightSource; ++k, ++n) {
            sendFrom(fd, floodDatagram(random, n), port);
            ++result->sent;
            if (heavy >= 0 && n % HeavyEvery == 0) {
                sendFrom(heavy, floodDatagram(random, n), port);
                ++result->sent;
            }
        }
        ::close(fd);
    }
    if (heavy >= 0)
        ::close(heavy);
}

} // namespace

void TestFlood::contactDeliveredThroughFlood()
{
    QTemporaryDir dirs[2];
    Session target, alice;
    Session::Options options;
    options.bind = QHostAddress(QHostAddress::LocalHost);
    options.port = 0;
    options.profileDir = dirs[0].path();
    QVERIFY2(target.open(options), qPrintable(target.error()));
    options.profileDir = dirs[1].path();
    QVERIFY2(alice.open(options), qPrintable(alice.error()));
    const quint16 targetPort = target.transport().localEndpoint().port;
    QCOMPARE(target.contacts().add({u"alice"_qs, u"127.0.0.1"_qs, alice.transport().localEndpoint().port}), QString());
    QCOMPARE(alice.contacts().add({u"target"_qs, u"127.0.0.1"_qs, targetPort}), QString());

    Messenger* receiver = target.messenger();
    // Room for a few thousand strangers' datagrams a second, so that every table meets its cap.
    Messenger::Limits limits;
    limits.strangers.totalRate = 5000;
    limits.strangers.totalBurst = 5000;
    receiver->setLimits(limits);

    QList<MessageState> states(RealMessages, MessageState::Sending);
    QHash<qint64, int> index;
    connect(alice.messenger(), &Messenger::deliveryChanged, this, [&](qint64 id, MessageState state) {
        if (index.contains(id))
            states[index.value(id)] = state;
    });
    // Turns of the event loop during the flood, for the log: the engine must keep giving way.
    QElapsedTimer sinceTick;
    sinceTick.start();
    qint64 longestTurnMs = 0;
    QTimer tick;
    connect(&tick, &QTimer::timeout, this, [&] { longestTurnMs = std::max(longestTurnMs, sinceTick.restart()); });
    tick.start(5);

    // Most of alice's datagrams may drown while the flood lasts (the socket buffer overflows): she keeps trying
    // instead of giving the target up as offline, which is not what this test is about.
    Messenger::Timing patient = alice.messenger()->timing();
    patient.minTries = patient.maxTries = 1000;
    patient.giveUpMs = 120'000;
    alice.messenger()->setTiming(patient);

    FloodResult floodResult;
    std::thread flooder(flood, targetPort, &floodResult);
    const auto joinFlooder = qScopeGuard([&] {
        if (flooder.joinable())
            flooder.join();
    });
    int sent = 0;
    QTimer pace;
    connect(&pace, &QTimer::timeout, this, [&] {
        if (sent == RealMessages)
            return;
        QString error;
        const qint64 id = alice.messenger()->send(u"target"_qs, u"real message "_qs + QString::number(sent), &error);
        QVERIFY2(id, qPrintable(error));
        index.insert(id, sent++);
    });
    pace.start(20);
    QTRY_VERIFY_WITH_TIMEOUT(
        sent == RealMessages &&
            std::all_of(states.cbegin(), states.cend(),
                        [](MessageState s) { return s != MessageState::Sending && s != MessageState::Queued; }),
        120'000);
    flooder.join();
    QTest::qWait(200); // what is still in the socket buffer

    QCOMPARE(states, QList<MessageState>(RealMessages, MessageState::Delivered));
    QCOMPARE(target.history().conversationSize(u"alice"_qs), RealMessages);

    const Messenger::Stats& stats = receiver->stats();
    const Messenger::Tables tables = receiver->tables();
    qInfo("flood: %lld datagrams from %d addresses; received %llu, rate-limited %llu, strangers refused %llu, "
          "dropped %llu; tables: %d links, %d rate sources, %d strangers, %d long messages (%lld bytes); longest "
          "event-loop turn %lld ms",
          floodResult.sent, floodResult.sources, stats.datagramsIn, stats.rateLimited, stats.strangersRefused,
          stats.dropped, tables.links, tables.rateSources, tables.strangers, tables.reassembling,
          qint64(tables.reassemblyBytes), longestTurnMs);
    // The engine keeps giving way: the drain reads at most a batch per turn of the event loop, so no turn lasts for
    // the flood (15 s); 2 s leaves room for a loaded machine and a coverage build.
    QVERIFY2(longestTurnMs < 2000, qPrintable(QString::number(longestTurnMs)));
    QVERIFY(floodResult.sources > limits.strangers.maxSources);
    QVERIFY(stats.rateLimited > 0);
    QVERIFY(stats.strangersRefused > 0);
    QVERIFY(stats.dropped >= stats.rateLimited + stats.strangersRefused);
    QVERIFY(tables.links <= limits.maxPeers);
    QVERIFY(tables.rateSources <= limits.strangers.maxSources);
    QCOMPARE(tables.strangers, limits.newStrangersPerHour);
    QVERIFY(tables.reassembling <= Reassembler::Limits{}.maxPending);
    QVERIFY(tables.reassemblyBytes <= Reassembler::Limits{}.maxBytes);
    // Conversations: alice's, and at most the admitted strangers'. None of the strangers passes for alice.
    const QList<ConversationSummary> conversations = target.history().conversations();
    QVERIFY(conversations.size() <= 1 + limits.newStrangersPerHour);
    for (const ConversationSummary& c : conversations)
        if (c.peer != u"alice")
            QVERIFY2(c.peer.startsWith(u"127.0."), qPrintable(c.peer));
}

void TestFlood::offlineQueueIsBounded()
{
    FloodTarget target;
    QVERIFY(target.ok);
    auto& [dir, contacts, history, transport, messenger, ok] = target;
    QCOMPARE(contacts.add({u"Bob"_qs, u"127.0.0.1"_qs, 2425}), QString());
    messenger.start();
    // Bob says goodbye: what is written to him now waits in the offline queue.
    transport.deliver(ipmsgPacket(1, ipmsg::BrExit, {}, "bob"), *Endpoint::parse(u"127.0.0.1:2425"_qs));
    QTRY_COMPARE(messenger.presence(u"Bob"_qs), Presence::Offline);
    QString error;
    int queued = 0;
    while (queued < 5000 && messenger.send(u"Bob"_qs, u"are you there? "_qs + QString::number(queued), &error))
        ++queued;
    QCOMPARE(queued, 1000);
    QVERIFY2(error.contains(u"1000 messages already wait"_qs), qPrintable(error));
    QVERIFY(history.commit());
    QCOMPARE(history.queuedCount(u"Bob"_qs), 1000);
    QCOMPARE(messagesSent(transport), 0);
}

// Each per-sender table driven past a cap made small through the engine's limits: the rate limiter's sources stop at
// maxSources and idle ones are evicted, stored strangers stop at newStrangersPerHour (the rest refused), half-received
// long messages stop at maxPending (the rest refused). The caps are read back from the engine, not copied.
void TestFlood::tablesStopAtTheirCaps()
{
    FloodTarget target;
    QVERIFY(target.ok);
    auto& [dir, contacts, history, transport, messenger, ok] = target;
    Reassembler::Limits reassembly;
    reassembly.maxPending = 4;
    messenger.setReassemblyLimits(reassembly);
    Messenger::Limits small;
    small.strangers = {1000, 4, 1e9, 1e9, 8};
    small.newStrangersPerHour = 5;
    target.start(small);
    const int caps[] = {messenger.limits().strangers.maxSources, messenger.limits().newStrangersPerHour,
                        reassembly.maxPending};
    const int sources = 3 * *std::max_element(std::begin(caps), std::end(caps));

    QSignalSpy added(&messenger, &Messenger::messageAdded);
    for (int i = 0; i < sources; ++i) {
        const Endpoint from{QHostAddress(quint32(0x7f000700 + i)), 2425};
        transport.deliver(ipmsgPacket(1'700'000'000 + quint64(2 * i), ipmsg::SendMsg | ipmsg::SendCheckOpt, "hi"),
                          from);
        transport.deliver(ipmsgPacket(1'700'000'001 + quint64(2 * i), ipmsg::PigeonFragment | ipmsg::SendCheckOpt,
                                      fragment::encode({1'700'000'001 + quint64(2 * i), 1, 2, "half"})),
                          from);
    }
    QTRY_COMPARE(messenger.stats().datagramsIn, quint64(2 * sources));
    const Messenger::Tables tables = messenger.tables();
    QCOMPARE(tables.rateSources, messenger.limits().strangers.maxSources);
    QCOMPARE(tables.strangers, messenger.limits().newStrangersPerHour);
    // Announced once their rows are committed, on a later turn of the event loop.
    QTRY_COMPARE(added.size(), messenger.limits().newStrangersPerHour);
    QVERIFY(messenger.stats().strangersRefused > 0);
    // Sources past maxSources share one overflow bucket, which runs dry.
    QVERIFY(messenger.stats().rateLimited > 0);
    QCOMPARE(tables.reassembling, reassembly.maxPending);
    QCOMPARE(messenger.partialMessages(), reassembly.maxPending);

    // Once the first sources have been idle long enough to refill their buckets, the full table evicts them and a
    // new source gets a bucket of its own (the limiter looks for idle ones at most once a second).
    QElapsedTimer clock;
    clock.start();
    int next = sources;
    while (messenger.tables().rateSources == messenger.limits().strangers.maxSources && clock.elapsed() < 5000) {
        transport.deliver("plain hello", Endpoint{QHostAddress(quint32(0x7f000700 + next++)), 7000});
        QTest::qWait(50);
    }
    QCOMPARE(messenger.tables().rateSources, 1);
}

// Peer records (presence, packet numbers, round trips) past maxPeers: the longest-silent strangers with nothing in
// flight are forgotten, so the table stays within the cap the engine's limits set.
void TestFlood::peerRecordsAreEvicted()
{
    FloodTarget target;
    QVERIFY(target.ok);
    auto& [dir, contacts, history, transport, messenger, ok] = target;
    Messenger::Limits small;
    small.strangers = {1e9, 1e9, 1e9, 1e9, 4096};
    small.maxPeers = 16;
    target.start(small);
    const int cap = messenger.limits().maxPeers;
    const auto source = [](int i) {
        return Endpoint{QHostAddress(quint32(0x7f000800 + i)), 2425};
    };
    for (int i = 0; i < 3 * cap; ++i) {
        transport.deliver(ipmsgPacket(1'700'000'000 + quint64(i), ipmsg::BrEntry, {}), source(i));
        QTRY_COMPARE(messenger.presence(source(i).toString()), Presence::Online);
        QVERIFY2(messenger.tables().links <= cap, qPrintable(QString::number(messenger.tables().links)));
    }
    // Records were forgotten, not merely refused: the newest is always known, and at most `cap` are.
    int known = 0;
    for (int i = 0; i < 3 * cap; ++i)
        known += messenger.presence(source(i).toString()) != Presence::Unknown;
    QVERIFY2(known <= cap, qPrintable(QString::number(known)));
    QCOMPARE(messenger.presence(source(3 * cap - 1).toString()), Presence::Online);
}

QTEST_GUILESS_MAIN(TestFlood)
#include "tst_flood.moc"
