#pragma once

#include "endpoint.h"
#include "securepeers.h"

#include <QByteArray>
#include <QHash>

#include <deque>
#include <functional>

// The engine's end of end-to-end encryption (issue 13), at the datagram layer: the command handlers above it build
// and read plain IPMsg datagrams, and this seals each one for a Pigeon that encrypts just before the Transport and
// opens each envelope just after it, so every Pigeon payload kind, present or future, is covered without knowing it.
//
// Out: to a Secure peer a datagram goes sealed (cryptowire.h: an IPMsg packet of mode SealedMode whose packet number
// is the envelope's counter); to a peer whose key is pinned but not usable (Waiting, KeyChanged), or to a peer not
// heard from in this run (it may be a Pigeon that encrypts), it is held here until the peer is Secure or turns out
// not to encrypt, never sent in the clear. Entry packets are not sealed: they carry the key announcement.
// In: an envelope is opened with the channel of the peer it comes from; a clear datagram from a peer that encrypts
// is refused (SecurePeers counts it, one warning per burst).
class SecureLayer {
public:
    using Clock = std::function<qint64()>; // ms, monotonic
    // Hands a datagram to the network (Messenger::sendDatagram); false when it could not.
    using Send = std::function<bool(const QByteArray& datagram, const Endpoint& to)>;
    // Datagrams held for one peer; past it the oldest goes (Delivery sends its messages again anyway).
    static constexpr qsizetype MaxHeldPerPeer = 256;
    // Peers with held datagrams; past it new ones are dropped.
    static constexpr qsizetype MaxHeldPeers = 1024;

    // `peers` outlives this. `version`: the IPMsg version field of the outer packets.
    SecureLayer(SecurePeers* peers, Send send, QByteArray version, Clock clock);

    // Sends `datagram` (a whole IPMsg datagram) to `peer` at `to`: sealed, in the clear (a peer that does not
    // encrypt and was `heard` from in this run), or held. False only when the transport refused it.
    bool send(const QString& peer, const Endpoint& to, const QByteArray& datagram, bool heard);
    // The channel of `peer` while it is Secure, else null: what a run of datagrams to one peer (a transfer's burst)
    // looks up once. Valid until control returns to the event loop (an entry packet may replace it).
    Channel* channelFor(const QString& peer) const { return m_peers->channel(peer); }
    // The sealed datagram (an IPMsg packet of mode SealedMode) carrying `datagram` with `channel`, as send() makes
    // it for a Secure peer, in a buffer that the next call reuses.
    const QByteArray& seal(Channel& channel, QByteArrayView datagram);
    // Sends what was held for `peer` as it now allows; `heard`: as for send().
    void release(const QString& peer, bool heard);
    bool holds(const QString& peer) const { return m_held.contains(peer); }
    // Datagrams held for all peers.
    qsizetype held() const;

    enum class Verdict {
        Clear,   // not sealed, and the peer does not encrypt: handle `datagram` as it came
        Opened,  // an envelope that opened: `datagram` is what it carried
        Refused, // a forgery, or clear from a peer that encrypts: counted by SecurePeers
        Dropped, // not for now: an envelope from a peer whose channel is not agreed (yet), a replay
    };
    struct Opened {
        Verdict verdict = Verdict::Dropped;
        QByteArray datagram;
    };
    // What to do with an IPMsg packet of mode SealedMode from `peer` (its extension is the envelope). The opened
    // datagram shares a buffer that the next call reuses.
    Opened openSealed(const QString& peer, QByteArrayView envelope);
    // What to do with a clear datagram from `peer` that is no entry packet.
    Verdict checkClear(const QString& peer);

private:
    struct Held {
        Endpoint to;
        QByteArray datagram;
    };

    bool hold(const QString& peer, const Endpoint& to, const QByteArray& datagram);

    SecurePeers* m_peers;
    Send m_send;
    QByteArray m_version; // sanitised as ipmsg::encode writes it
    QByteArray m_sealed;  // the last outer datagram, its buffer reused
    QByteArray m_opened;  // the last opened datagram, its buffer reused
    Clock m_clock;
    QHash<QString, std::deque<Held>> m_held;
};
