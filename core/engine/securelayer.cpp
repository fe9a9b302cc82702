#include "securelayer.h"

#include "cryptowire.h"
#include "ipmsg.h"

#include <charconv>

SecureLayer::SecureLayer(SecurePeers* peers, Send send, QByteArray version, Clock clock)
    : m_peers(peers)
    , m_send(std::move(send))
    , m_version(std::move(version))
    , m_clock(std::move(clock))
{
    m_version.replace(':', '_').replace('\0', '_');
}

bool SecureLayer::send(const QString& peer, const Endpoint& to, const QByteArray& datagram, bool heard)
{
    switch (m_peers->state(peer)) {
    case SecurePeers::State::Secure:
        if (Channel* channel = m_peers->channel(peer))
            return m_send(seal(*channel, datagram), to);
        return hold(peer, to, datagram);
    case SecurePeers::State::Waiting:
    case SecurePeers::State::KeyChanged: return hold(peer, to, datagram);
    case SecurePeers::State::Clear: break;
    }
    // No key from it yet: a peer heard from in this run without one does not encrypt (IP Messenger, iptux, an
    // older Pigeon); one not heard from yet may be a Pigeon whose announcement is on its way.
    return heard ? m_send(datagram, to) : hold(peer, to, datagram);
}

const QByteArray& SecureLayer::seal(Channel& channel, QByteArrayView datagram)
{
    // ipmsg::encode's layout, written straight into one buffer: the outer packet's packet number is the envelope's
    // counter (cryptowire.h: unique per direction, like a packet number), user and host stay empty, the extension
    // is the envelope, then a NUL.
    m_sealed.resize(0);
    m_sealed.reserve(m_version.size() + 32 + cryptowire::Overhead + datagram.size());
    m_sealed.append(m_version).append(':');
    char digits[24];
    const auto counter = std::to_chars(digits, digits + sizeof digits, channel.sealed() + 1).ptr;
    m_sealed.append(digits, counter - digits).append(":::");
    const auto mode = std::to_chars(digits, digits + sizeof digits, cryptowire::SealedMode).ptr;
    m_sealed.append(digits, mode - digits).append(':');
    channel.sealInto(m_sealed, datagram);
    m_sealed.append('\0');
    return m_sealed;
}

bool SecureLayer::hold(const QString& peer, const Endpoint& to, const QByteArray& datagram)
{
    auto it = m_held.find(peer);
    if (it == m_held.end()) {
        if (m_held.size() >= MaxHeldPeers)
            return true;
        it = m_held.insert(peer, {});
    }
    std::deque<Held>& queue = *it;
    // Delivery sends the same bytes again at each retransmission: one copy waits.
    for (const Held& h : queue)
        if (h.to == to && h.datagram == datagram)
            return true;
    if (qsizetype(queue.size()) >= MaxHeldPerPeer)
        queue.pop_front();
    queue.push_back({to, datagram});
    return true;
}

void SecureLayer::release(const QString& peer, bool heard)
{
    const auto it = m_held.find(peer);
    if (it == m_held.end())
        return;
    const SecurePeers::State state = m_peers->state(peer);
    if (state == SecurePeers::State::Waiting || state == SecurePeers::State::KeyChanged ||
        (state == SecurePeers::State::Clear && !heard))
        return;
    const std::deque<Held> queue = std::move(*it);
    m_held.erase(it);
    for (const Held& h : queue)
        send(peer, h.to, h.datagram, heard);
}

qsizetype SecureLayer::held() const
{
    qsizetype n = 0;
    for (const auto& queue : m_held)
        n += qsizetype(queue.size());
    return n;
}

SecureLayer::Opened SecureLayer::openSealed(const QString& peer, QByteArrayView envelope)
{
    // Without a channel nothing can be told apart: after a restart (ours or the peer's) its envelopes sealed for
    // the old channel still arrive for a moment, and under a changed key nothing is opened until it is trusted.
    // They are dropped without a warning; the sender's retransmissions come sealed for the new channel.
    // An envelope from a peer without a key opens nothing either: SecurePeers counts it as a forgery.
    Channel* channel = m_peers->channel(peer);
    if (!channel && m_peers->encrypts(peer))
        return {Verdict::Dropped, {}};
    const quint64 before = m_peers->refused();
    if (m_peers->openInto(peer, channel, envelope, m_clock(), m_opened))
        return {Verdict::Opened, m_opened};
    return {m_peers->refused() != before ? Verdict::Refused : Verdict::Dropped, {}};
}

SecureLayer::Verdict SecureLayer::checkClear(const QString& peer)
{
    if (!m_peers->encrypts(peer))
        return Verdict::Clear;
    m_peers->refuseClear(peer, m_clock());
    return Verdict::Refused;
}
