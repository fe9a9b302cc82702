#include "sendwindow.h"

#include <algorithm>

SendWindow::SendWindow(quint64 end, QList<quint64> boundaries, quint64 segmentBytes, Timing timing)
    : m_end(end)
    , m_boundaries(std::move(boundaries))
    , m_segmentBytes(std::max<quint64>(1, segmentBytes))
    , m_timing(timing)
    , m_rto(timing.initialRtoMs)
{
}

void SendWindow::restart(quint64 from)
{
    m_segments.clear();
    m_bySerial.clear();
    m_lost.clear();
    m_cumulative = m_nextNew = std::min(from, m_end);
    m_recoveryEnd = m_highestAcked = m_serial;
}

quint32 SendWindow::lengthAt(quint64 offset) const
{
    quint64 limit = std::min(m_end, offset + m_segmentBytes);
    const auto b = std::upper_bound(m_boundaries.cbegin(), m_boundaries.cend(), offset);
    if (b != m_boundaries.cend())
        limit = std::min(limit, *b);
    return quint32(limit - offset);
}

std::optional<SendWindow::Segment> SendWindow::next(qint64 nowMs)
{
    if (double(m_bySerial.size()) >= std::floor(m_cwnd))
        return std::nullopt;
    Segment s;
    if (!m_lost.empty()) {
        const auto lost = m_lost.begin();
        s = {lost->first, lost->second, true};
        m_lost.erase(lost);
        ++m_retransmissions;
    } else if (m_nextNew < m_end) {
        s = {m_nextNew, lengthAt(m_nextNew), false};
        m_nextNew += s.length;
    } else {
        return std::nullopt;
    }
    Sent& sent = m_segments[s.offset];
    sent.length = s.length;
    sent.serial = ++m_serial;
    sent.sentMs = nowMs;
    sent.retransmitted = s.retransmission;
    m_bySerial.emplace(sent.serial, s.offset);
    return s;
}

void SendWindow::sample(qint64 rttMs)
{
    // RFC 6298 2.2 and 2.3, with G = 1 ms.
    rttMs = std::max<qint64>(rttMs, 0);
    if (m_srtt < 0) {
        m_srtt = rttMs;
        m_rttvar = rttMs / 2;
    } else {
        m_rttvar = (3 * m_rttvar + std::abs(m_srtt - rttMs)) / 4;
        m_srtt = (7 * m_srtt + rttMs) / 8;
    }
    m_rto = std::clamp(m_srtt + std::max<qint64>(1, 4 * m_rttvar), m_timing.minRtoMs, m_timing.maxRtoMs);
}

void SendWindow::ackSegment(std::map<quint64, Sent>::iterator it, qint64 nowMs)
{
    const Sent& sent = it->second;
    if (sent.serial != 0) {
        m_bySerial.erase(sent.serial);
        m_highestAcked = std::max(m_highestAcked, sent.serial);
        if (!sent.retransmitted)
            sample(nowMs - sent.sentMs);
    } else {
        m_lost.erase(it->first);
    }
    // Slow start below ssthresh, then additive increase: one segment per window's worth of acknowledgements.
    m_cwnd = std::min(MaxWindow, m_cwnd < m_ssthresh ? m_cwnd + 1 : m_cwnd + 1 / m_cwnd);
    m_segments.erase(it);
}

void SendWindow::markLost(std::map<quint64, Sent>::iterator it)
{
    m_bySerial.erase(it->second.serial);
    it->second.serial = 0;
    m_lost.emplace(it->first, it->second.length);
}

void SendWindow::acknowledge(quint64 cumulative, const QList<std::pair<quint64, quint64>>& ranges, qint64 nowMs)
{
    cumulative = std::min(cumulative, m_nextNew);
    if (cumulative > m_cumulative)
        m_cumulative = cumulative;
    while (!m_segments.empty() && m_segments.begin()->first < m_cumulative)
        ackSegment(m_segments.begin(), nowMs);
    for (const auto& [begin, end] : ranges) {
        auto it = m_segments.lower_bound(begin);
        while (it != m_segments.end() && it->first + it->second.length <= end) {
            const auto next = std::next(it);
            ackSegment(it, nowMs);
            it = next;
        }
    }
    m_backoff = 1;
    // Segments sent DupThreshold transmissions before the newest acknowledged one are lost.
    bool lost = false;
    while (!m_bySerial.empty() && m_bySerial.begin()->first + DupThreshold <= m_highestAcked) {
        markLost(m_segments.find(m_bySerial.begin()->second));
        lost = true;
    }
    if (lost && m_highestAcked > m_recoveryEnd) {
        // Multiplicative decrease, once per round trip: the losses of one window are one congestion event.
        m_ssthresh = std::max(2.0, m_cwnd / 2);
        m_cwnd = m_ssthresh;
        m_recoveryEnd = m_serial;
    }
}

bool SendWindow::poll(qint64 nowMs)
{
    const qint64 due = nextDueMs();
    if (due < 0 || nowMs < due)
        return false;
    // Retransmission timeout: everything in flight is presumed lost, the window starts again from one segment.
    while (!m_bySerial.empty())
        markLost(m_segments.find(m_bySerial.begin()->second));
    m_ssthresh = std::max(2.0, m_cwnd / 2);
    m_cwnd = 1;
    m_recoveryEnd = m_serial;
    m_backoff = std::min<qint64>(m_backoff * 2, 64);
    return true;
}

qint64 SendWindow::nextDueMs() const
{
    if (m_bySerial.empty())
        return -1;
    const Sent& oldest = m_segments.at(m_bySerial.begin()->second);
    return oldest.sentMs + std::min(m_rto * m_backoff, m_timing.maxRtoMs);
}
