#pragma once

#include "endpoint.h"
#include "history.h"

#include <functional>

// The rule "nothing that depends on a write leaves before the write is committed", in one place. History joins
// writes into one transaction that commits when control returns to the event loop; what depends on the rows of
// that transaction waits here: acknowledgements of stored messages, the announcement of new ones to the front ends,
// and outgoing messages. committed() runs them all, in that order; rolledBack() drops the acknowledgements and
// announcements (the senders will retransmit) and fails the outgoing messages.
class CommitBatch {
public:
    // What the owner does with each action once its rows are committed, or when they were rolled back.
    struct Actions {
        std::function<void(quint64 packetNo, const Endpoint& to)> acknowledge;
        std::function<void(const Message& message)> announce;
        std::function<void(const Message& message)> transmit;
        std::function<void(const Message& message)> fail;
    };

    CommitBatch(const History* history, Actions actions);

    // An acknowledgement of `packetNo` to `to`: at once when nothing is uncommitted, else after the commit.
    void acknowledge(quint64 packetNo, const Endpoint& to);
    // A stored message to announce (messageAdded) after the commit.
    void announce(const Message& message) { m_announce.append(message); }
    // A stored outgoing message to send after the commit.
    void transmit(const Message& message) { m_transmit.append(message); }

    // The rows are committed: acknowledges, announces, then transmits everything collected, and empties the batch.
    void committed();
    // The transaction was rolled back: drops acknowledgements and announcements, fails outgoing messages.
    void rolledBack();
    // Outgoing messages waiting for the commit.
    int transmissions() const { return int(m_transmit.size()); }
    bool isEmpty() const { return m_acks.isEmpty() && m_announce.isEmpty() && m_transmit.isEmpty(); }

private:
    const History* m_history;
    Actions m_actions;
    QList<QPair<quint64, Endpoint>> m_acks;
    QList<Message> m_announce;
    QList<Message> m_transmit;
};
