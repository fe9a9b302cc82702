#include "delivery.h"

#include <algorithm>
#include <limits>

namespace {

// Head room above the smoothed round trip, at least: a steady slow link has almost no variance, and a timeout a few
// milliseconds above its round trip would fire on every late timer.
constexpr double RtoMarginShare = 0.25;
// A datagram to a peer heard from since it left (so the peer is there and this datagram was lost, not a vanished or
// congested path) is retried after at most 2^this timeouts; to a silent peer the wait doubles up to maxRtoMs.
constexpr int HeardBackoffSteps = 2;
constexpr int SilentBackoffSteps = 16;

} // namespace

struct Delivery::Window {
    Endpoint to;
    int size = IpMsgWindow;
    qint64 lastHeardMs = -1;
    double srtt = -1;
    double rttvar = 0;
    qint64 rtoMs = 0; // 0: no round trip measured yet
    // Karn: timeouts with no valid sample between them mean the timeout is below the round trip.
    qint64 lastTimeoutMs = -1;
    bool sampledSinceTimeout = false;
    int inFlight = 0;
    std::deque<Transmission*> waiting;
};

struct Delivery::Transmission {
    Outgoing* message = nullptr;
    quint64 packetNo = 0;
    QByteArray datagram;
    int tries = 0; // 0: waiting for the window
    qint64 firstSentMs = 0;
    qint64 dueMs = 0;
};

struct Delivery::Outgoing {
    qint64 id = 0;
    Window* window = nullptr;
    QList<Transmission*> parts;
    int unacked = 0;
};

Delivery::Delivery(Clock clock, Send send)
    : m_clock(std::move(clock))
    , m_send(std::move(send))
{
}

Delivery::~Delivery()
{
    for (Outgoing* out : std::as_const(m_messages)) {
        qDeleteAll(out->parts);
        delete out;
    }
    qDeleteAll(m_windows);
}

Delivery::Window& Delivery::window(const Endpoint& to)
{
    Window*& w = m_windows[to];
    if (!w) {
        w = new Window;
        w->to = to;
    }
    return *w;
}

bool Delivery::add(qint64 messageId, const Endpoint& to, const QList<Part>& parts, int window, bool firstLast)
{
    if (m_messages.contains(messageId) || parts.isEmpty())
        return false;
    Window& w = this->window(to);
    w.size = window;
    auto* out = new Outgoing{messageId, &w, {}, int(parts.size())};
    m_messages.insert(messageId, out);
    for (const Part& part : parts) {
        auto* t = new Transmission{out, part.packetNo, part.datagram};
        out->parts.append(t);
        m_inFlight.insert(t->packetNo, t);
    }
    for (qsizetype i = firstLast ? 1 : 0; i < out->parts.size(); ++i)
        w.waiting.push_back(out->parts[i]);
    if (firstLast)
        w.waiting.push_back(out->parts.first());
    pump(w);
    return true;
}

qint64 Delivery::acknowledge(quint64 packetNo, const Endpoint& from)
{
    const auto it = m_inFlight.constFind(packetNo);
    if (it == m_inFlight.cend())
        return 0;
    Transmission* t = it.value();
    Outgoing* out = t->message;
    Window& w = *out->window;
    if (t->tries == 0 || !(w.to == from))
        return 0;
    if (t->tries == 1) {
        // RFC 6298 2.2/2.3, from first transmissions only (Karn): an ack of a retransmission is ambiguous.
        const double rtt = double(m_clock() - t->firstSentMs);
        if (w.srtt < 0) {
            w.srtt = rtt;
            w.rttvar = rtt / 2;
        } else {
            w.rttvar = 0.75 * w.rttvar + 0.25 * std::abs(w.srtt - rtt);
            w.srtt = 0.875 * w.srtt + 0.125 * rtt;
        }
        // At least 1: 0 means "nothing measured yet", and loopback round trips now take well under a millisecond.
        w.rtoMs = std::max<qint64>(1, qint64(w.srtt + std::max(RtoMarginShare * w.srtt, 4 * w.rttvar)));
        w.sampledSinceTimeout = true;
    }
    m_inFlight.erase(it);
    --w.inFlight;
    t->tries = -1; // acked
    if (--out->unacked == 0) {
        const qint64 id = out->id;
        drop(out);
        return id;
    }
    pump(w);
    return 0;
}

void Delivery::drop(Outgoing* out)
{
    m_messages.remove(out->id);
    Window& w = *out->window;
    for (Transmission* t : std::as_const(out->parts)) {
        if (m_inFlight.remove(t->packetNo) && t->tries > 0)
            --w.inFlight;
        std::erase(w.waiting, t);
        delete t;
    }
    delete out;
    pump(w);
}

bool Delivery::remove(qint64 messageId)
{
    Outgoing* out = m_messages.value(messageId);
    if (!out)
        return false;
    drop(out);
    return true;
}

QList<qint64> Delivery::takeUnsent(const Endpoint& to)
{
    QList<Outgoing*> unsent;
    for (Outgoing* out : std::as_const(m_messages))
        if (out->window->to == to &&
            std::all_of(out->parts.cbegin(), out->parts.cend(), [](const Transmission* t) { return t->tries == 0; }))
            unsent.append(out);
    QList<qint64> ids;
    for (Outgoing* out : std::as_const(unsent)) {
        ids.append(out->id);
        drop(out);
    }
    return ids;
}

void Delivery::pump(Window& w)
{
    const qint64 now = m_clock();
    while (w.inFlight < w.size && !w.waiting.empty()) {
        Transmission* t = w.waiting.front();
        w.waiting.pop_front();
        t->tries = 1;
        t->firstSentMs = now;
        t->dueMs = now + rto(w);
        ++w.inFlight;
        m_send(t->datagram, w.to);
    }
}

qint64 Delivery::rto(const Window& w) const
{
    // RFC 6298: smoothed round trip plus four deviations, bounded; the initial value until a sample exists.
    return w.rtoMs == 0 ? m_timing.initialRtoMs : std::clamp(w.rtoMs, m_timing.minRtoMs, m_timing.maxRtoMs);
}

qint64 Delivery::nextDueMs() const
{
    qint64 due = std::numeric_limits<qint64>::max();
    for (const Transmission* t : std::as_const(m_inFlight))
        if (t->tries > 0)
            due = std::min(due, t->dueMs);
    return due == std::numeric_limits<qint64>::max() ? -1 : due;
}

QList<Delivery::Failure> Delivery::poll()
{
    const qint64 now = m_clock();
    QList<Outgoing*> failed;
    for (Transmission* t : std::as_const(m_inFlight)) {
        if (t->tries <= 0 || t->dueMs > now)
            continue;
        Window& w = *t->message->window;
        const bool heard = w.lastHeardMs >= t->firstSentMs;
        // Silent all along: the peer is gone. Heard from (other acks get through a lossy link): keep trying longer.
        if ((t->tries >= m_timing.minTries && !heard) || t->tries >= m_timing.maxTries ||
            now - t->firstSentMs > m_timing.giveUpMs) {
            if (!failed.contains(t->message))
                failed.append(t->message);
            continue;
        }
        if (t->tries == 1 && t->firstSentMs >= w.lastTimeoutMs) {
            // Acks of retransmissions are no samples (Karn), so a link slower than the timeout would never give one:
            // back the timeout itself off while timeouts come without a sample in between (RFC 6298 5.5).
            if (!w.sampledSinceTimeout)
                w.rtoMs = std::min(2 * rto(w), m_timing.maxRtoMs);
            w.lastTimeoutMs = now;
            w.sampledSinceTimeout = false;
        }
        ++t->tries;
        ++m_retransmissions;
        const int steps = std::min(t->tries - 1, heard ? HeardBackoffSteps : SilentBackoffSteps);
        t->dueMs = now + std::min(rto(w) << steps, m_timing.maxRtoMs);
        m_send(t->datagram, w.to);
    }
    QList<Failure> out;
    for (Outgoing* o : std::as_const(failed)) {
        const bool silent = o->window->lastHeardMs < o->parts.first()->firstSentMs;
        out.append({o->id, o->window->to, silent});
        drop(o);
    }
    return out;
}

void Delivery::heard(const Endpoint& from)
{
    if (m_inFlight.isEmpty())
        return; // only transmissions in flight compare with it
    if (Window* w = m_windows.value(from))
        w->lastHeardMs = m_clock();
}

void Delivery::setWindow(const Endpoint& to, int size)
{
    Window* w = m_windows.value(to);
    if (!w || w->size == size)
        return;
    w->size = size;
    pump(*w);
}

qint64 Delivery::rtoMs(const Endpoint& to) const
{
    const Window* w = m_windows.value(to);
    return w ? rto(*w) : m_timing.initialRtoMs;
}

bool Delivery::awaitsAckFrom(const Endpoint& to) const
{
    const Window* w = m_windows.value(to);
    return w && w->inFlight > 0;
}
