// The transfer's sending window (sendwindow.h) on a clock of the test's own: segments, SACK, AIMD, RTO.

#include "sendwindow.h"

#include <QTest>

namespace {

const SendWindow::Timing Timing{300, 200, 4000};

// Sends everything the window allows at `now`.
QList<SendWindow::Segment> drain(SendWindow& w, qint64 now)
{
    QList<SendWindow::Segment> out;
    while (const auto s = w.next(now))
        out.append(*s);
    return out;
}

} // namespace

class TestSendWindow final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void segmentsStopAtBoundaries();
    void slowStartThenFinished();
    void lossHalvesTheWindowOncePerRoundTrip();
    void timeoutDropsToOneSegment();
    void rtoFollowsRfc6298();
    void restartGoesOnFromTheReceiversPoint();
};

void TestSendWindow::segmentsStopAtBoundaries()
{
    SendWindow w(2500, {100, 1100}, 1000, Timing);
    QList<std::pair<quint64, quint32>> got;
    for (const auto& s : drain(w, 0))
        got.append({s.offset, s.length});
    const QList<std::pair<quint64, quint32>> expected{{0, 100}, {100, 1000}, {1100, 1000}, {2100, 400}};
    QCOMPARE(got, expected);
}

void TestSendWindow::slowStartThenFinished()
{
    SendWindow w(1000 * 100, {}, 1000, Timing);
    QCOMPARE(drain(w, 0).size(), 10); // RFC 6928's initial window
    // Every acknowledged segment opens the window by one: two more go out per acknowledgement.
    w.acknowledge(1000, {}, 10);
    QCOMPARE(w.window(), 11.0);
    const auto more = drain(w, 10);
    QCOMPARE(more.size(), 2);
    // Acknowledging all that is out, round after round, until the end.
    quint64 sentTo = more.last().offset + more.last().length;
    for (qint64 now = 20; !w.finished() && now < 1000; ++now) {
        w.acknowledge(sentTo, {}, now);
        for (const auto& s : drain(w, now))
            sentTo = s.offset + s.length;
    }
    QCOMPARE(w.acknowledged(), 100'000u);
    QCOMPARE(w.inFlight(), 0);
    QCOMPARE(w.nextDueMs(), -1);
}

void TestSendWindow::lossHalvesTheWindowOncePerRoundTrip()
{
    SendWindow w(1000 * 1000, {}, 1000, Timing);
    const auto first = drain(w, 0);
    QCOMPARE(first.size(), 10);
    // Segments 0 and 1 are lost; 2..9 arrive and are SACKed one by one. At the second SACK, segment 0 has three
    // later segments acknowledged (2, 3 and the one sent right after it, 1, is not): lost. The window, 10 + 2 then,
    // is halved to 6.
    w.acknowledge(0, {{2000, 3000}}, 5);
    w.acknowledge(0, {{2000, 4000}}, 5);
    QCOMPARE(w.window(), 6.0);
    // Segment 1 is found lost at the next SACK, in the same round trip: no second halving, only additive increase.
    for (quint64 i = 4; i < 10; ++i)
        w.acknowledge(0, {{2000, (i + 1) * 1000}}, 5);
    QVERIFY2(w.window() > 6.0 && w.window() < 7.0, qPrintable(QString::number(w.window())));
    const auto again = drain(w, 6);
    QVERIFY(again.size() >= 2);
    QCOMPARE(again[0].offset, 0u);
    QVERIFY(again[0].retransmission);
    QCOMPARE(again[1].offset, 1000u);
    QVERIFY(again[1].retransmission);
    QCOMPARE(w.retransmissions(), 2u);
}

void TestSendWindow::timeoutDropsToOneSegment()
{
    SendWindow w(1000 * 1000, {}, 1000, Timing);
    QCOMPARE(drain(w, 0).size(), 10);
    QCOMPARE(w.nextDueMs(), Timing.initialRtoMs);
    QVERIFY(!w.poll(Timing.initialRtoMs - 1));
    QVERIFY(w.poll(Timing.initialRtoMs));
    QCOMPARE(w.window(), 1.0);
    const auto again = drain(w, Timing.initialRtoMs);
    QCOMPARE(again.size(), 1);
    QCOMPARE(again[0].offset, 0u);
    // The timeout doubles (RFC 6298 5.5).
    QCOMPARE(w.nextDueMs(), Timing.initialRtoMs + 2 * Timing.initialRtoMs);
}

void TestSendWindow::rtoFollowsRfc6298()
{
    SendWindow w(1000 * 1000, {}, 1000, Timing);
    drain(w, 0);
    // First sample R = 400 ms: SRTT = 400, RTTVAR = 200, RTO = SRTT + 4 RTTVAR = 1200 ms.
    w.acknowledge(1000, {}, 400);
    QCOMPARE(w.rtoMs(), 1200);
    // A retransmitted segment gives no sample (Karn): after a timeout, its acknowledgement leaves the RTO alone.
    SendWindow k(1000 * 1000, {}, 1000, Timing);
    drain(k, 0);
    QVERIFY(k.poll(Timing.initialRtoMs));
    drain(k, Timing.initialRtoMs);
    k.acknowledge(1000, {}, 5000);
    QCOMPARE(k.rtoMs(), Timing.initialRtoMs);
}

void TestSendWindow::restartGoesOnFromTheReceiversPoint()
{
    SendWindow w(10'000, {}, 1000, Timing);
    drain(w, 0);
    w.restart(4000);
    QCOMPARE(w.acknowledged(), 4000u);
    QCOMPARE(w.inFlight(), 0);
    const auto next = drain(w, 1);
    QCOMPARE(next.first().offset, 4000u);
    QCOMPARE(next.size(), 6);
}

QTEST_GUILESS_MAIN(TestSendWindow)
#include "tst_sendwindow.moc"
