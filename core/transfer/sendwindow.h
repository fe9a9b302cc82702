#pragma once

#include <QList>
#include <QtGlobal>

#include <algorithm>
#include <map>
#include <optional>
#include <utility>

// The sending side of one transfer's stream, without bytes or sockets: which segment goes next, what is in flight,
// what the receiver's selective acknowledgements (SACK, RFC 2018) say arrived, what is lost, and how much may be in
// flight (the congestion window, in segments).
//
// Congestion control is AIMD as TCP Reno / NewReno do it (RFC 5681, loss recovery after RFC 6675): slow start from
// 10 segments (RFC 6928) to ssthresh, then one segment more per round trip; a loss (a segment with three later ones
// acknowledged) halves the window once per round trip, a retransmission timeout drops it to one segment. AIMD is
// chosen because it is the rule TCP itself follows: a transfer sharing a link with TCP streams converges to a fair
// share instead of flooding it, and backs off under loss. The retransmission timeout (RTO) follows RFC 6298 with
// Karn's rule (no sample from a retransmitted segment), doubling on each timeout, as Delivery does for messages.
class SendWindow {
public:
    // RTO bounds, ms. The floor is higher than Delivery's: a spurious timeout here costs a whole window.
    struct Timing {
        qint64 initialRtoMs = 300;
        qint64 minRtoMs = 200;
        qint64 maxRtoMs = 4000;
    };
    struct Segment {
        quint64 offset = 0;
        quint32 length = 0;
        bool retransmission = false;
    };
    static constexpr double InitialWindow = 10;
    // In flight at most (segments): bounds memory and what a receiver may have to take at once.
    static constexpr double MaxWindow = 2048;
    // Later segments acknowledged before one counts as lost (TCP's duplicate-acknowledgement threshold).
    static constexpr quint64 DupThreshold = 3;

    // The stream is [0, end); `boundaries` are offsets no segment crosses (the manifest's end, each file's end),
    // sorted; segments are at most `segmentBytes`.
    SendWindow(quint64 end, QList<quint64> boundaries, quint64 segmentBytes, Timing timing);

    // Segments sent from now on are at most `bytes` (the receiver said what it takes); those in flight keep theirs.
    void setSegmentBytes(quint64 bytes) { m_segmentBytes = std::max<quint64>(1, bytes); }
    // Forgets everything in flight and acknowledged and sends from `from` on (a receiver that restarted, or said
    // where it is).
    void restart(quint64 from);
    // The next segment to send at `nowMs` (lost ones first, then new data), or nullopt when the window is full or
    // everything was sent. The caller sends it.
    std::optional<Segment> next(qint64 nowMs);
    // A SACK: everything below `cumulative` and the [begin, end) ranges arrived.
    void acknowledge(quint64 cumulative, const QList<std::pair<quint64, quint64>>& ranges, qint64 nowMs);
    // Handles a retransmission timeout if one is due at `nowMs`: true when one was.
    bool poll(qint64 nowMs);
    // When poll() has work (ms), or -1 when nothing is in flight.
    qint64 nextDueMs() const;

    bool finished() const { return m_cumulative >= m_end; }
    quint64 acknowledged() const { return m_cumulative; }
    quint64 end() const { return m_end; }
    double window() const { return m_cwnd; }
    int inFlight() const { return int(m_bySerial.size()); }
    qint64 rtoMs() const { return m_rto; }
    quint64 retransmissions() const { return m_retransmissions; }

private:
    struct Sent {
        quint32 length = 0;
        quint64 serial = 0; // 0: lost, waiting to go again
        qint64 sentMs = 0;
        bool retransmitted = false;
    };
    quint32 lengthAt(quint64 offset) const;
    void sample(qint64 rttMs);
    void ackSegment(std::map<quint64, Sent>::iterator it, qint64 nowMs);
    void markLost(std::map<quint64, Sent>::iterator it);

    quint64 m_end;
    QList<quint64> m_boundaries;
    quint64 m_segmentBytes;
    Timing m_timing;

    quint64 m_cumulative = 0;
    quint64 m_nextNew = 0;
    std::map<quint64, Sent> m_segments;    // sent and not acknowledged, by offset (in flight or lost)
    std::map<quint64, quint64> m_bySerial; // in flight: serial -> offset
    std::map<quint64, quint32> m_lost;     // to send again: offset -> length
    quint64 m_serial = 0;
    quint64 m_highestAcked = 0; // highest serial acknowledged
    quint64 m_recoveryEnd = 0;  // in loss recovery until a segment sent after this serial is acknowledged
    double m_cwnd = InitialWindow;
    double m_ssthresh = MaxWindow;
    qint64 m_srtt = -1;
    qint64 m_rttvar = 0;
    qint64 m_rto;
    qint64 m_backoff = 1;
    quint64 m_retransmissions = 0;
};
