#include "commitbatch.h"

CommitBatch::CommitBatch(const History* history, Actions actions)
    : m_history(history)
    , m_actions(std::move(actions))
{
}

void CommitBatch::acknowledge(quint64 packetNo, const Endpoint& to)
{
    if (m_history->hasUncommitted())
        m_acks.append({packetNo, to});
    else
        m_actions.acknowledge(packetNo, to);
}

void CommitBatch::committed()
{
    for (const auto& [packetNo, to] : std::exchange(m_acks, {}))
        m_actions.acknowledge(packetNo, to);
    for (const Message& m : std::exchange(m_announce, {}))
        m_actions.announce(m);
    for (const Message& m : std::exchange(m_transmit, {}))
        m_actions.transmit(m);
}

void CommitBatch::rolledBack()
{
    m_acks.clear();
    m_announce.clear();
    for (const Message& m : std::exchange(m_transmit, {}))
        m_actions.fail(m);
}
