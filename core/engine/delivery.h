#pragma once

#include "endpoint.h"

#include <QHash>
#include <QList>

#include <deque>
#include <functional>

// Reliable delivery of datagrams that the peer acknowledges one by one (IPMsg SENDMSG / RECVMSG, Pigeon parts):
// a sending window per peer, the retransmission timeout (RTO) of RFC 6298 with Karn's rule, retries with backoff,
// and giving up. It knows nothing of packets, history or sockets: it sends through `Send`, reads the time from
// `Clock`, and its owner calls poll() when nextDueMs() comes (so a test drives it with a fake clock, no waiting).
class Delivery {
public:
    using Clock = std::function<qint64()>; // ms, monotonic enough for differences
    using Send = std::function<void(const QByteArray& datagram, const Endpoint& to)>;

    // Retransmission: the first timeout before any round trip was measured, the bounds of the adaptive timeout,
    // and when to give up (after minTries when the peer has been silent all along, else maxTries or giveUpMs).
    struct Timing {
        qint64 initialRtoMs = 300;
        qint64 minRtoMs = 30;
        qint64 maxRtoMs = 2000;
        int minTries = 10;
        int maxTries = 40;
        qint64 giveUpMs = 60'000;
        // How often an offline IPMsg contact with queued messages is greeted again (BR_ENTRY), so that the queue
        // goes out when it is back even if it never speaks first. Used by the owner, which does the greeting.
        qint64 probeIntervalMs = 60'000;
    };
    // One datagram of a message, acknowledged by its packet number.
    struct Part {
        quint64 packetNo = 0;
        QByteArray datagram;
    };
    // A message given up on by poll(): `silent` when nothing at all was heard from its peer since it was sent.
    struct Failure {
        qint64 messageId = 0;
        Endpoint to;
        bool silent = false;
    };
    // Messages in flight per peer: a Pigeon takes 32; other IPMsg clients one at a time (iptux drops, and still
    // acks, any packet whose number is not above the last it saw, so a retransmission overtaken would be lost).
    static constexpr int PigeonWindow = 32;
    static constexpr int IpMsgWindow = 1;

    Delivery(Clock clock, Send send);
    ~Delivery();
    Delivery(const Delivery&) = delete;
    Delivery& operator=(const Delivery&) = delete;

    void setTiming(const Timing& timing) { m_timing = timing; }
    const Timing& timing() const { return m_timing; }

    // Queues the parts of message `messageId` for `to` and sends what the window (`window` datagrams in flight to
    // `to`) allows. With `firstLast`, part 0 goes after the others (a Pigeon acks part 0 only with the whole
    // message). False if the id is already here.
    bool add(qint64 messageId, const Endpoint& to, const QList<Part>& parts, int window, bool firstLast = false);
    // An acknowledgement of `packetNo` from `from`. It counts only from the address and port the part went to
    // (issue 17). Returns the id of the message it completed, 0 if none.
    qint64 acknowledge(quint64 packetNo, const Endpoint& from);
    // Forgets a message (read, failed or requeued elsewhere); false if it was not here.
    bool remove(qint64 messageId);
    // Takes out the messages to `to` of which no part has left yet, for the offline queue.
    QList<qint64> takeUnsent(const Endpoint& to);
    // Retransmits what is due now and gives up on what has tried long enough (those are removed and returned).
    QList<Failure> poll();
    // When poll() has something to do next (ms on the clock), -1 when nothing is in flight.
    qint64 nextDueMs() const;

    // The peer at `from` was heard from (any datagram): retries to it back off less, and it is not silent.
    void heard(const Endpoint& from);
    // Messages in flight to `to` at once (PigeonWindow, IpMsgWindow), once something was sent to it; sends more if
    // it grew.
    void setWindow(const Endpoint& to, int window);
    // The current retransmission timeout to `to`, ms.
    qint64 rtoMs(const Endpoint& to) const;

    bool contains(qint64 messageId) const { return m_messages.contains(messageId); }
    // Messages not yet fully acknowledged.
    int pending() const { return int(m_messages.size()); }
    // Whether a datagram to `to` waits for its acknowledgement (its acks must get through any rate limit).
    bool awaitsAckFrom(const Endpoint& to) const;
    quint64 retransmissions() const { return m_retransmissions; }

private:
    struct Window;
    struct Transmission;
    struct Outgoing;

    Window& window(const Endpoint& to);
    qint64 rto(const Window& w) const;
    void pump(Window& w);
    void drop(Outgoing* out);

    Clock m_clock;
    Send m_send;
    Timing m_timing;
    QHash<Endpoint, Window*> m_windows;
    QHash<quint64, Transmission*> m_inFlight; // by packet number, sent or waiting for the window
    QHash<qint64, Outgoing*> m_messages;      // by message id
    quint64 m_retransmissions = 0;
};
