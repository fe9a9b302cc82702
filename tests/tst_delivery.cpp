#include "delivery.h"

#include <QTest>

namespace {

const Endpoint Peer{QHostAddress(QStringLiteral("127.0.0.2")), 2425};

Delivery::Timing timing()
{
    Delivery::Timing t;
    t.initialRtoMs = 300;
    t.minRtoMs = 30;
    t.maxRtoMs = 2000;
    t.minTries = 10;
    t.maxTries = 40;
    t.giveUpMs = 60'000;
    return t;
}

QList<Delivery::Part> onePart(quint64 packetNo)
{
    return {{packetNo, "datagram " + QByteArray::number(packetNo)}};
}

} // namespace

// Delivery on a fake clock: every time below is set by the test, nothing waits.
class TestDelivery final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void rtoFromSamples_data();
    void rtoFromSamples();
    void karnTakesNoSampleFromRetransmissions();
    void backoff_data();
    void backoff();
    void givesUpOnSilentPeerAfterMinTries();
    void givesUpOnHeardPeerAfterMaxTries();
    void givesUpOnHeardPeerAfterGiveUpMs();
    void window_data();
    void window();
    void ackFromAnotherPortIsIgnored();
    void multiPartMessageFirstLast();
    void unsentMessagesAreTakenForTheQueue();

private:
    // Moves the clock to `ms`, running every poll() that falls due on the way; returns the failures.
    QList<Delivery::Failure> advanceTo(qint64 ms);
    QList<qint64> sendTimes() const;

    qint64 m_now = 0;
    QList<QPair<qint64, QByteArray>> m_sent; // (ms, datagram)
    std::unique_ptr<Delivery> m_delivery;
};

void TestDelivery::init()
{
    m_now = 0;
    m_sent.clear();
    m_delivery = std::make_unique<Delivery>([this] { return m_now; },
                                            [this](const QByteArray& datagram, const Endpoint& to) {
                                                QCOMPARE(to, Peer);
                                                m_sent.append({m_now, datagram});
                                            });
    m_delivery->setTiming(timing());
}

QList<Delivery::Failure> TestDelivery::advanceTo(qint64 ms)
{
    QList<Delivery::Failure> failures;
    for (qint64 due = m_delivery->nextDueMs(); due >= 0 && due <= ms; due = m_delivery->nextDueMs()) {
        m_now = std::max(m_now, due);
        failures += m_delivery->poll();
    }
    m_now = ms;
    return failures;
}

QList<qint64> TestDelivery::sendTimes() const
{
    QList<qint64> out;
    for (const auto& s : m_sent)
        out.append(s.first);
    return out;
}

void TestDelivery::rtoFromSamples_data()
{
    QTest::addColumn<QList<qint64>>("roundTrips");
    QTest::addColumn<qint64>("rto");
    // RFC 6298: first sample R gives SRTT = R, RTTVAR = R/2, RTO = SRTT + max(SRTT/4, 4 RTTVAR) = 3R.
    QTest::newRow("one sample of 100 ms") << QList<qint64>{100} << qint64(300);
    // Second equal sample: RTTVAR = 3/4 * 50 = 37.5, SRTT = 100, RTO = 100 + 150.
    QTest::newRow("two samples of 100 ms") << QList<qint64>{100, 100} << qint64(250);
    // 100 then 200: RTTVAR = 37.5 + 25 = 62.5, SRTT = 87.5 + 25 = 112.5, RTO = 112.5 + 250 = 362.
    QTest::newRow("100 then 200 ms") << QList<qint64>{100, 200} << qint64(362);
    QTest::newRow("bounded above by maxRtoMs") << QList<qint64>{1000} << qint64(2000);
    QTest::newRow("bounded below by minRtoMs") << QList<qint64>{2} << qint64(30);
}

void TestDelivery::rtoFromSamples()
{
    QFETCH(QList<qint64>, roundTrips);
    QFETCH(qint64, rto);
    QCOMPARE(m_delivery->rtoMs(Peer), timing().initialRtoMs);
    quint64 no = 100;
    for (qint64 rtt : roundTrips) {
        QVERIFY(m_delivery->add(qint64(no), Peer, onePart(no), Delivery::IpMsgWindow));
        m_now += rtt;
        QCOMPARE(m_delivery->acknowledge(no, Peer), qint64(no));
        ++no;
    }
    QCOMPARE(m_delivery->rtoMs(Peer), rto);
    QCOMPARE(m_delivery->retransmissions(), quint64(0));
}

void TestDelivery::karnTakesNoSampleFromRetransmissions()
{
    QVERIFY(m_delivery->add(1, Peer, onePart(1), Delivery::IpMsgWindow));
    advanceTo(300); // the initial RTO: sent again, and the timeout backs off to 600 (no sample since)
    QCOMPARE(sendTimes(), (QList<qint64>{0, 300}));
    QCOMPARE(m_delivery->rtoMs(Peer), qint64(600));
    m_now = 350;
    QCOMPARE(m_delivery->acknowledge(1, Peer), qint64(1));
    // A sample of 350 ms would give 3 * 350 = 1050; an ack of a retransmission gives none.
    QCOMPARE(m_delivery->rtoMs(Peer), qint64(600));
    // The next first transmission does give one: 100 ms after 600 with no earlier sample: 3 * 100.
    QVERIFY(m_delivery->add(2, Peer, onePart(2), Delivery::IpMsgWindow));
    m_now += 100;
    QCOMPARE(m_delivery->acknowledge(2, Peer), qint64(2));
    QCOMPARE(m_delivery->rtoMs(Peer), qint64(300));
}

void TestDelivery::backoff_data()
{
    QTest::addColumn<bool>("heard");
    QTest::addColumn<QList<qint64>>("times");
    // maxRtoMs 10 000 here. Initial RTO 300, doubled once by the timeout without a sample (600); then the wait is
    // RTO << (tries - 1), at most maxRtoMs: 1200, 2400, 4800, 9600, 10000. For a peer heard from since the first
    // transmission at most RTO << 2: 1200, 2400, 2400, 2400.
    QTest::newRow("silent peer") << false << QList<qint64>{0, 300, 1500, 3900, 8700, 18300, 28300};
    QTest::newRow("heard peer") << true << QList<qint64>{0, 300, 1500, 3900, 6300, 8700, 11100};
}

void TestDelivery::backoff()
{
    QFETCH(bool, heard);
    QFETCH(QList<qint64>, times);
    Delivery::Timing t = timing();
    t.maxRtoMs = 10'000;
    m_delivery->setTiming(t);
    QVERIFY(m_delivery->add(1, Peer, onePart(1), Delivery::IpMsgWindow));
    if (heard) {
        m_now = 1;
        m_delivery->heard(Peer);
    }
    QVERIFY(advanceTo(times.last()).isEmpty());
    QCOMPARE(sendTimes(), times);
    QCOMPARE(m_delivery->retransmissions(), quint64(times.size() - 1));
}

void TestDelivery::givesUpOnSilentPeerAfterMinTries()
{
    QVERIFY(m_delivery->add(7, Peer, onePart(7), Delivery::IpMsgWindow));
    const QList<Delivery::Failure> failures = advanceTo(600'000);
    QCOMPARE(m_sent.size(), timing().minTries);
    QCOMPARE(failures.size(), 1);
    QCOMPARE(failures.first().messageId, qint64(7));
    QCOMPARE(failures.first().to, Peer);
    QVERIFY(failures.first().silent);
    QCOMPARE(m_delivery->pending(), 0);
    QCOMPARE(m_delivery->nextDueMs(), qint64(-1));
}

void TestDelivery::givesUpOnHeardPeerAfterMaxTries()
{
    Delivery::Timing t = timing();
    t.maxTries = 15;
    t.giveUpMs = 10'000'000;
    m_delivery->setTiming(t);
    QVERIFY(m_delivery->add(7, Peer, onePart(7), Delivery::IpMsgWindow));
    QList<Delivery::Failure> failures;
    // The peer keeps talking (other datagrams arrive) but never acknowledges this one.
    for (int i = 0; i < 1000 && failures.isEmpty(); ++i) {
        failures = advanceTo(m_now + 100);
        m_delivery->heard(Peer);
    }
    QCOMPARE(m_sent.size(), 15);
    QCOMPARE(failures.size(), 1);
    QVERIFY(!failures.first().silent);
}

void TestDelivery::givesUpOnHeardPeerAfterGiveUpMs()
{
    Delivery::Timing t = timing();
    t.maxTries = 1000;
    t.giveUpMs = 5000;
    m_delivery->setTiming(t);
    QVERIFY(m_delivery->add(7, Peer, onePart(7), Delivery::IpMsgWindow));
    QList<Delivery::Failure> failures;
    for (int i = 0; i < 200 && failures.isEmpty(); ++i) {
        failures = advanceTo(m_now + 100);
        m_delivery->heard(Peer);
    }
    QCOMPARE(failures.size(), 1);
    QVERIFY(!failures.first().silent);
    // Heard: at most 4 RTO (2400 ms at RTO 600) between tries, and given up at the first timeout after 5000 ms.
    QVERIFY2(m_now > 5000 && m_now <= 5000 + 2400 + 100, qPrintable(QString::number(m_now)));
    QVERIFY(m_sent.size() < timing().minTries);
}

void TestDelivery::window_data()
{
    QTest::addColumn<int>("window");
    QTest::newRow("Pigeon: 32") << Delivery::PigeonWindow;
    QTest::newRow("other IPMsg clients: 1") << Delivery::IpMsgWindow;
}

void TestDelivery::window()
{
    QFETCH(int, window);
    for (quint64 no = 1; no <= 40; ++no)
        QVERIFY(m_delivery->add(qint64(no), Peer, onePart(no), window));
    QCOMPARE(m_sent.size(), window);
    QVERIFY(m_delivery->awaitsAckFrom(Peer));
    QCOMPARE(m_delivery->acknowledge(1, Peer), qint64(1));
    QCOMPARE(m_sent.size(), window + 1);
    QCOMPARE(m_sent.last().second, QByteArray("datagram " + QByteArray::number(window + 1)));
    // Recognised as a Pigeon later: the window opens at once.
    m_delivery->setWindow(Peer, Delivery::PigeonWindow);
    QCOMPARE(m_sent.size(), 1 + Delivery::PigeonWindow);
    QCOMPARE(m_delivery->pending(), 39);
}

void TestDelivery::ackFromAnotherPortIsIgnored()
{
    QVERIFY(m_delivery->add(1, Peer, onePart(1), Delivery::IpMsgWindow));
    QCOMPARE(m_delivery->acknowledge(1, Endpoint{Peer.address, quint16(Peer.port + 1)}), qint64(0));
    QCOMPARE(m_delivery->acknowledge(1, Endpoint{QHostAddress(QStringLiteral("127.0.0.3")), Peer.port}), qint64(0));
    QCOMPARE(m_delivery->pending(), 1);
    QCOMPARE(m_delivery->acknowledge(1, Endpoint{QHostAddress(QStringLiteral("::ffff:127.0.0.2")), Peer.port}),
             qint64(1));
}

void TestDelivery::multiPartMessageFirstLast()
{
    QVERIFY(m_delivery->add(5, Peer, {{10, "p0"}, {11, "p1"}, {12, "p2"}}, Delivery::PigeonWindow, true));
    QCOMPARE(m_sent.size(), 3);
    QCOMPARE(m_sent[0].second, QByteArray("p1"));
    QCOMPARE(m_sent[2].second, QByteArray("p0"));
    QCOMPARE(m_delivery->acknowledge(11, Peer), qint64(0));
    QCOMPARE(m_delivery->acknowledge(11, Peer), qint64(0)); // a duplicate ack counts once
    QCOMPARE(m_delivery->acknowledge(12, Peer), qint64(0));
    QCOMPARE(m_delivery->acknowledge(10, Peer), qint64(5));
    QVERIFY(!m_delivery->contains(5));
}

void TestDelivery::unsentMessagesAreTakenForTheQueue()
{
    for (quint64 no = 1; no <= 3; ++no)
        QVERIFY(m_delivery->add(qint64(no), Peer, onePart(no), Delivery::IpMsgWindow));
    QList<qint64> unsent = m_delivery->takeUnsent(Peer);
    std::sort(unsent.begin(), unsent.end());
    QCOMPARE(unsent, (QList<qint64>{2, 3}));
    QCOMPARE(m_delivery->pending(), 1);
    QVERIFY(m_delivery->remove(1));
    QVERIFY(!m_delivery->remove(1));
    QCOMPARE(m_delivery->nextDueMs(), qint64(-1));
}

QTEST_GUILESS_MAIN(TestDelivery)
#include "tst_delivery.moc"
