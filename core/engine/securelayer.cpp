#include "securelayer.h"

#include "cryptowire.h"
#include "ipmsg.h"

#include <QtEndian>

SecureLayer::SecureLayer(SecurePeers* peers, Send send, QByteArray version, Clock clock)
    : m_peers(peers)
    , m_send(std::move(send))
    , m_version(std::move(version))
    , m_clock(std::move(clock))
{
}

bool SecureLayer::send(const QString& peer, const Endpoint& to, const QByteArray& datagram, bool heard)
{
    switch (m_peers->state(peer)) {
    case SecurePeers::State::Secure: {
        const auto envelope = m_peers->seal(peer, datagram);
        if (!envelope)
            return hold(peer, to, datagram);
        ipmsg::Packet outer;
        outer.version = m_version;
        // The envelope's counter (cryptowire.h: bytes 1-8, big-endian): unique per direction, like a packet number.
        outer.packetNo = qFromBigEndian<quint64>(envelope->constData() + 1);
        outer.command = cryptowire::SealedMode;
        outer.extension = *envelope;
        return m_send(ipmsg::encode(outer), to);
    }
    case SecurePeers::State::Waiting:
    case SecurePeers::State::KeyChanged: return hold(peer, to, datagram);
    case SecurePeers::State::Clear: break;
    }
    // No key from it yet: a peer heard from in this run without one does not encrypt (IP Messenger, iptux, an
    // older Pigeon); one not heard from yet may be a Pigeon whose announcement is on its way.
    return heard ? m_send(datagram, to) : hold(peer, to, datagram);
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
    if (m_peers->state(peer) != SecurePeers::State::Secure && m_peers->encrypts(peer))
        return {Verdict::Dropped, {}};
    const quint64 before = m_peers->refused();
    if (auto datagram = m_peers->open(peer, envelope, m_clock()))
        return {Verdict::Opened, std::move(*datagram)};
    return {m_peers->refused() != before ? Verdict::Refused : Verdict::Dropped, {}};
}

SecureLayer::Verdict SecureLayer::checkClear(const QString& peer)
{
    if (!m_peers->encrypts(peer))
        return Verdict::Clear;
    m_peers->refuseClear(peer, m_clock());
    return Verdict::Refused;
}
