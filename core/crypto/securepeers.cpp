#include "securepeers.h"

#include "keystore.h"

struct SecurePeers::Peer {
    std::unique_ptr<Channel> channel;                // Secure: the channel for this pair of runs
    std::optional<cryptowire::Announcement> current; // the announcement the channel was agreed with
    std::optional<cryptowire::Announcement> waiting; // KeyChanged: the announcement under the new key
    quint64 refused = 0;
    std::optional<qint64> lastRefusalMs;
};

SecurePeers::SecurePeers(const KeyStore& identity, PinnedKeys* pinned, QObject* parent)
    : QObject(parent)
    , m_identity(identity)
    , m_pinned(pinned)
    , m_handshake(identity)
{
}

SecurePeers::~SecurePeers() = default;

QByteArray SecurePeers::announcementLine() const
{
    return cryptowire::announcementLine(m_handshake.announcement());
}

SecurePeers::Peer& SecurePeers::peer(const QString& name)
{
    auto& p = m_peers[name];
    if (!p)
        p = std::make_shared<Peer>();
    return *p;
}

bool SecurePeers::connect(Peer& p, const cryptowire::Announcement& a, QString* error)
{
    const auto keys = m_handshake.agree(a, error);
    if (!keys)
        return false;
    p.channel = std::make_unique<Channel>(*keys, m_identity.publicKey(), a.identity);
    p.current = a;
    p.waiting.reset();
    return true;
}

SecurePeers::State SecurePeers::announced(const QString& name, QByteArrayView extension, QString* error)
{
    ++m_generation;
    QString why;
    const auto a = cryptowire::findAnnouncement(extension, &why);
    if (!a) {
        if (error)
            *error = why;
        return state(name);
    }
    // Checked before anything is pinned: a forged announcement must not pin a key.
    if (!crypto::verify(*a)) {
        if (error)
            *error = tr("the key announcement's signature does not match its identity key");
        return state(name);
    }
    const auto before = m_pinned->find(name);
    Peer& p = peer(name);
    switch (m_pinned->see(name, a->identity)) {
    case PinnedKeys::Seen::Pinned:
    case PinnedKeys::Seen::Known:
        // The same announcement again (every entry packet carries it) keeps the channel and its replay window; a
        // new ephemeral key (the peer restarted) gives a new channel.
        if (!p.channel || p.current != a)
            connect(p, *a, error);
        break;
    case PinnedKeys::Seen::Changed:
        p.channel.reset();
        p.current.reset();
        if (!p.waiting || p.waiting->identity != a->identity)
            Q_EMIT keyChanged(name, before && before->verified);
        p.waiting = *a;
        break;
    }
    return state(name);
}

SecurePeers::State SecurePeers::state(const QString& name) const
{
    const auto it = m_peers.constFind(name);
    if (it != m_peers.cend() && (*it)->channel)
        return State::Secure;
    const auto pinned = m_pinned->find(name);
    if (pinned && pinned->pending)
        return State::KeyChanged;
    return pinned ? State::Waiting : State::Clear;
}

bool SecurePeers::encrypts(const QString& name) const
{
    return m_pinned->find(name).has_value();
}

std::optional<QByteArray> SecurePeers::seal(const QString& name, QByteArrayView datagram)
{
    const auto it = m_peers.constFind(name);
    if (it == m_peers.cend() || !(*it)->channel)
        return std::nullopt;
    return (*it)->channel->seal(datagram);
}

std::optional<QByteArray> SecurePeers::open(const QString& name, QByteArrayView envelope, qint64 nowMs)
{
    QByteArray datagram;
    if (!openInto(name, channel(name), envelope, nowMs, datagram))
        return std::nullopt;
    return datagram;
}

bool SecurePeers::openInto(const QString& name, Channel* c, QByteArrayView envelope, qint64 nowMs, QByteArray& out)
{
    Channel::Refusal why = Channel::Refusal::Forged;
    if (c && c->openInto(envelope, out, &why))
        return true;
    if (why != Channel::Refusal::Replayed)
        countForgery(name, nowMs);
    return false;
}

Channel* SecurePeers::channel(const QString& name) const
{
    if (m_lastChannel.generation == m_generation && m_lastChannel.name == name)
        return m_lastChannel.channel;
    const auto it = m_peers.constFind(name);
    m_lastChannel = {name, it != m_peers.cend() ? (*it)->channel.get() : nullptr, m_generation};
    return m_lastChannel.channel;
}

void SecurePeers::refuseClear(const QString& name, qint64 nowMs)
{
    countForgery(name, nowMs);
}

void SecurePeers::countForgery(const QString& name, qint64 nowMs)
{
    // Forged datagrams may name any number of senders: those that are not peers here share one record (the empty
    // name), so a flood from spoofed addresses costs no memory and gives one warning per burst in all.
    const bool known = m_peers.contains(name) || encrypts(name);
    Peer& p = peer(known ? name : QString());
    ++m_refused;
    ++p.refused;
    const bool newBurst = !p.lastRefusalMs || nowMs - *p.lastRefusalMs >= BurstGapMs;
    p.lastRefusalMs = nowMs;
    if (newBurst)
        Q_EMIT forgeriesRefused(known ? name : QString(), p.refused);
}

bool SecurePeers::trust(const QString& name)
{
    ++m_generation;
    const auto pinned = m_pinned->find(name);
    if (!pinned || !pinned->pending)
        return false;
    Peer& p = peer(name);
    if (!m_pinned->trust(name))
        return false;
    // The announcement that brought the new key is used at once; without it (a change seen in an earlier run) the
    // peer's next entry packet connects.
    if (p.waiting && p.waiting->identity == *pinned->pending)
        connect(p, *p.waiting, nullptr);
    p.waiting.reset();
    return true;
}

void SecurePeers::rename(const QString& from, const QString& to)
{
    ++m_generation;
    if (from == to || from.isEmpty() || to.isEmpty() || m_peers.contains(to) || m_pinned->find(to))
        return;
    m_pinned->rename(from, to);
    if (auto p = m_peers.take(from))
        m_peers.insert(to, std::move(p));
}
