#pragma once

#include "channel.h"
#include "handshake.h"
#include "pinnedkeys.h"

#include <QHash>
#include <QObject>

#include <memory>
#include <optional>

class KeyStore;

// The encryption state of every peer, for the engine: what to announce, which peers are secure, sealing for them
// and opening from them, trust on first use and key changes, and refused forgeries counted with one warning per
// burst. Peers are named by the engine (a contact's name, or an address for a stranger); nothing here touches the
// network or the engine, so it is tested on its own (tst_securepeers).
//
// A peer is
//   Clear      no key seen: not a Pigeon that encrypts (IP Messenger, iptux, plain text, an older Pigeon);
//   Waiting    its key is pinned (from an earlier run) but it has not announced itself in this one yet: datagrams
//              to it wait for its next entry packet;
//   Secure     its announcement carried its pinned key and a valid signature: datagrams to it are sealed;
//   KeyChanged it announced another identity key than the pinned one: nothing is sealed for it or opened from it
//              until the user trusts the new key (trust()).
// Once a peer has a pinned key it is known to encrypt: a datagram from it that is not a sealed envelope that opens
// is refused (refuseClear()), whatever its state.
class SecurePeers : public QObject {
    Q_OBJECT
public:
    enum class State { Clear, Waiting, Secure, KeyChanged };

    // Refusals from one peer less than this apart (ms) are one burst: one forgeriesRefused() for all of them.
    static constexpr qint64 BurstGapMs = 10'000;

    // `identity` must be open and outlive this; `pinned` is loaded by the caller and outlives this.
    SecurePeers(const KeyStore& identity, PinnedKeys* pinned, QObject* parent = nullptr);
    ~SecurePeers() override;

    // The line to end every entry packet's UTF-8 block with (cryptowire.h), without its LF.
    QByteArray announcementLine() const;

    // An entry packet's extension from `peer`: learns, pins or compares its key (cryptowire::findAnnouncement).
    // Anyone can make valid announcements under fresh keys: the engine calls this only for peers it keeps (its
    // contacts and its bounded table of links), so that the pinned keys cannot be flooded.
    // A bad or forged announcement changes nothing and sets *error; no announcement keeps the peer as it was.
    State announced(const QString& peer, QByteArrayView entryExtension, QString* error = nullptr);
    State state(const QString& peer) const;
    // True when the peer has a pinned key (see the class comment).
    bool encrypts(const QString& peer) const;

    // The envelope carrying `datagram` to `peer`; nullopt unless the peer is Secure (the datagram must wait).
    std::optional<QByteArray> seal(const QString& peer, QByteArrayView datagram);
    // The datagram inside an envelope from `peer`; nullopt when refused (counted as a forgery, except replays,
    // which are retransmissions' copies as often as attacks and are dropped silently). `nowMs`: a monotonic clock.
    std::optional<QByteArray> open(const QString& peer, QByteArrayView envelope, qint64 nowMs);
    // As open(), with the peer's `channel` (channel(): null when it has none) looked up by the caller, writing the
    // datagram into `out` (a reused buffer allocates nothing); false when refused.
    bool openInto(const QString& peer, Channel* channel, QByteArrayView envelope, qint64 nowMs, QByteArray& out);
    // The channel that seals for `peer` while it is Secure, else null. Valid until the peer's state changes (an
    // entry packet, trust(), rename()), so only for the datagrams of one pass (SecureLayer::channelFor).
    Channel* channel(const QString& peer) const;
    // Records a clear (unsealed) datagram from `peer`, which encrypts: refused and counted as a forgery.
    void refuseClear(const QString& peer, qint64 nowMs);

    // The user accepts the changed key of `peer` (/trust): pinned, and the peer is Secure again. False when no key
    // change is waiting.
    bool trust(const QString& peer);
    // The pinned keys this works with (fingerprints, "verified").
    PinnedKeys* pinnedKeys() const { return m_pinned; }
    // The engine names `from` `to` now (a stranger added as a contact, a contact renamed or removed): its channel,
    // state and pinned key follow. Nothing moves onto a name that has its own pinned key or channel.
    void rename(const QString& from, const QString& to);
    // Datagrams refused as forgeries since start, all peers.
    quint64 refused() const { return m_refused; }

Q_SIGNALS:
    // `peer` presented another identity key than its pinned one; `wasVerified`: the old one had been compared aloud
    // (a stronger warning).
    void keyChanged(const QString& peer, bool wasVerified);
    // A datagram from `peer` was refused as a forgery, the first of a burst (one warning per burst); `total`: how
    // many were refused from it since start. `peer` is empty for senders that are no peer here (all share one
    // burst and count).
    void forgeriesRefused(const QString& peer, quint64 total);

private:
    struct Peer;
    Peer& peer(const QString& name);
    void countForgery(const QString& name, qint64 nowMs);
    bool connect(Peer& p, const cryptowire::Announcement& a, QString* error);

    const KeyStore& m_identity;
    PinnedKeys* m_pinned;
    crypto::Handshake m_handshake;
    QHash<QString, std::shared_ptr<Peer>> m_peers;
    quint64 m_refused = 0;
    // channel()'s last answer: a transfer asks for the same peer's at every datagram, and a string hash each time
    // cost a tenth of the receiver's user time. Any change of channels or names (announced(), trust(), rename())
    // moves the generation on, which forgets it.
    quint64 m_generation = 0;
    mutable struct {
        QString name;
        Channel* channel = nullptr;
        quint64 generation = ~quint64(0);
    } m_lastChannel;
};
