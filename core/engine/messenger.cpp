#include "messenger.h"

#include "cryptowire.h"
#include "filewire.h"
#include "fingerprint.h"

#include <QDateTime>
#include <QHostInfo>
#include <QLoggingCategory>
#include <QNetworkInterface>
#include <QSysInfo>

Q_LOGGING_CATEGORY(lcMessenger, "pigeon.messenger", QtWarningMsg)

namespace {

constexpr qsizetype IpMsgPartBytes = PeerDirectory::IpMsgPartBytes;
constexpr qsizetype PlainMaxBytes = PeerDirectory::PlainMaxBytes;
// How far back a packet number counts as a duplicate: peers number packets by time, so old numbers come back only
// after a restart that outran the clock.
constexpr qint64 DedupeWindowMs = 3600 * 1000;
// Bound on the numbers remembered per peer after its counter started again.
constexpr qsizetype MaxNumbersSinceRenumbering = 65'536;
// Packet numbers from this on are seconds since 1970 (IP Messenger, FeiQ, Pigeon) and never go back at a restart;
// below it they come from a counter that starts again at 1 (iptux).
constexpr quint64 ClockNumbers = 1'000'000'000;
// Messages that may wait for one offline peer: the queue lives in history, this keeps a stuck one from growing forever.
constexpr qint64 MaxQueuedPerPeer = 1000;

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

} // namespace

Identity Identity::fromSystem(const QString& nick)
{
    Identity id;
    QByteArray user = qgetenv("USER");
    if (user.isEmpty())
        user = qgetenv("USERNAME");
    if (user.isEmpty())
        user = "pigeon";
    id.user = user.left(32);
    id.host = QSysInfo::machineHostName().toUtf8().left(32);
    if (id.host.isEmpty())
        id.host = "localhost";
    id.nick = nick.isEmpty() ? QString::fromUtf8(id.user) : nick;
    return id;
}

Messenger::Messenger(Identity identity, ContactBook* contacts, History* history, Transport* transport, QObject* parent)
    : QObject(parent)
    , m_identity(std::move(identity))
    , m_contacts(contacts)
    , m_history(history)
    , m_transport(transport)
    , m_directory(contacts)
    , m_own([transport] { return transport->localEndpoint(); }, [this] { return m_clock.elapsed(); })
    , m_admission([this] { return m_clock.elapsed(); })
    , m_delivery([this] { return m_now(); },
                 [this](const QByteArray& datagram, const Endpoint& to) { output(datagram, to); })
    , m_batch(history, {[this](quint64 packetNo, const Endpoint& to) {
                            sendPacket(ipmsg::RecvMsg, QByteArray::number(packetNo), to);
                        },
                        [this](const Message& m) { Q_EMIT messageAdded(m); }, [this](const Message& m) { transmit(m); },
                        [this](const Message& m) {
                            Q_EMIT deliveryChanged(m.id, MessageState::Failed);
                        }})
    , m_groups(history)
{
    if (QString why; m_history->isOpen() && !m_groups.load(&why))
        qCWarning(lcMessenger) << "the groups could not be read:" << why;
    m_clock.start();
    m_now = nowMs;
    m_directory.setInUse([this](const Endpoint& ep) { return m_delivery.awaitsAckFrom(ep); });
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &Messenger::runDue);
    connect(&m_probe, &QTimer::timeout, this, &Messenger::probeQueuedPeers);
    m_probe.start(int(m_timing.probeIntervalMs));
    setReassemblyLimits({});
    connect(&m_expiry, &QTimer::timeout, this, [this] {
        if (const int dropped = m_reassembler.expire(m_now()))
            qCDebug(lcMessenger) << "dropped" << dropped << "half-received long messages after a timeout";
        if (m_reassembler.pending() == 0)
            m_expiry.stop();
    });
    connect(m_transport, &Transport::received, this, &Messenger::onDatagram);
    connect(m_history, &History::committed, this, [this] { m_batch.committed(); });
    connect(m_history, &History::failed, this, [this](const QString& error) {
        // The batch was rolled back: nothing in it may be acknowledged or announced. Senders will retransmit.
        if (!m_history->hasUncommitted())
            m_batch.rolledBack();
        Q_EMIT problem(error);
    });
    connect(&m_directory, &PeerDirectory::resolved, this, [this](const QString& host) { greetContacts(host); });
    connect(&m_directory, &PeerDirectory::resolveFailed, this, [this](const QString& host, const QString& error) {
        Q_EMIT problem(tr("The host name \"%1\" could not be resolved: %2").arg(host, error));
        failUnresolved(host);
    });
    connect(m_contacts, &ContactBook::contactAdded, this, [this](const Contact& contact) {
        if (const auto ep = m_directory.contactEndpoint(contact)) {
            m_history->renamePeer(ep->toString(), contact.name);
            renameSecurePeer(ep->toString(), contact.name);
        }
        m_directory.rebuildContactIndex();
        m_directory.resolve(contact);
        if (const auto ep = m_directory.contactEndpoint(contact); ep && contact.protocol == Protocol::IpMsg)
            greet(*ep);
    });
    connect(m_contacts, &ContactBook::contactChanged, this, [this](const QString& oldName, const Contact& contact) {
        if (oldName != contact.name) {
            m_history->renamePeer(oldName, contact.name);
            renameSecurePeer(oldName, contact.name);
        }
        m_directory.rebuildContactIndex();
        m_directory.resolve(contact);
    });
    connect(m_contacts, &ContactBook::contactRemoved, this, [this](const QString& name) {
        // Its datagrams are a stranger's again, named by address: its encryption state goes with them.
        const QList<Endpoint> endpoints = m_directory.indexedEndpoints(name);
        if (endpoints.size() == 1)
            renameSecurePeer(name, endpoints.first().toString());
        m_directory.rebuildContactIndex();
    });
    connect(m_contacts, &QAbstractItemModel::modelReset, this, [this] { m_directory.rebuildContactIndex(); });
}

Messenger::~Messenger() = default;

QByteArray Messenger::versionField() const
{
    return QByteArrayLiteral("1_pigeon " PIGEON_VERSION);
}

QList<Delivery::Part> Messenger::packParts(const QList<QByteArray>& payloads, quint64 first, quint32 command,
                                           bool fragmented) const
{
    QList<Delivery::Part> parts;
    parts.reserve(payloads.size());
    for (qsizetype i = 0; i < payloads.size(); ++i) {
        ipmsg::Packet p;
        p.version = versionField();
        p.packetNo = first + quint64(i);
        p.user = m_identity.user;
        p.host = m_identity.host;
        p.command = command;
        p.extension = fragmented ? fragment::encode({first, int(i), int(payloads.size()), payloads[i]}) : payloads[i];
        parts.append({p.packetNo, ipmsg::encode(p)});
    }
    return parts;
}

QByteArray Messenger::entry(TextEncoding encoding) const
{
    const PeerStatus& status = m_away.current();
    const QString nick =
        presence::wireNick(m_identity.nick, status, status.status == Status::Busy ? tr("Busy") : tr("Away"));
    QByteArray out = presence::markEntry(
        ipmsg::buildEntry(nick, m_identity.group, m_identity.user, m_identity.host, encoding), status);
    if (m_secure)
        out += m_secure->announcementLine() + '\n';
    return out;
}

quint32 Messenger::entryOptions() const
{
    return ipmsg::CapUtf8Opt | presence::entryOption(m_away.current().status);
}

void Messenger::setStatus(Status status, const QString& text, bool automatic)
{
    if (!m_away.set(status, text, automatic))
        return;
    // IP Messenger broadcasts BR_ABSENCE (not answered); Pigeon tells the IPMsg peers it greeted or heard from, and
    // the LAN when it announces itself there.
    for (const PeerLink* l : m_directory.peers())
        if (l->speaksIpMsg && l->presence != Presence::Offline && (l->greeted || l->presence == Presence::Online))
            sendPacket(ipmsg::BrAbsence | entryOptions(), entry(m_directory.wireEncoding(l->endpoint)), l->endpoint);
    if (m_broadcast)
        announce(ipmsg::BrAbsence | entryOptions());
    Q_EMIT statusChanged(m_away.current());
}

PeerStatus Messenger::peerStatus(const QString& peer) const
{
    const auto ep = m_directory.endpointOf(peer);
    const PeerLink* l = ep ? m_directory.find(*ep) : nullptr;
    return l && l->presence == Presence::Online ? l->status : PeerStatus{};
}

// IP Messenger's absence answer (presencestatus.h), kept in the conversation as an automatic answer that was sent. As
// everything that depends on a write, it leaves once the batch is committed: after the acknowledgement of the message
// it answers, in the order IP Messenger sends them.
void Messenger::answerAway(const Endpoint& from, const QString& peer)
{
    Message m;
    m.peer = peer;
    m.direction = Direction::Outgoing;
    m.text = m_away.current().text;
    m.remote = link(from).address;
    m.state = MessageState::Sent;
    m.isAutoReply = true;
    m.packetNo = link(from).speaksIpMsg ? m_numbers.next() : 0;
    if (!m_history->append(m)) {
        Q_EMIT problem(m_history->error());
        return;
    }
    m_batch.announce(m);
    m_batch.transmit(m);
}

// One SENDMSG with AUTORETOPT and without SENDCHECKOPT, so that it is neither acknowledged nor answered in turn, or the
// bare text to a plain-text peer; never retransmitted.
void Messenger::transmitAutoAnswer(const Message& m)
{
    const auto to = Endpoint::parse(m.remote);
    if (!to)
        return;
    const TextEncoding encoding = m_directory.wireEncoding(*to);
    if (m.packetNo == 0)
        sendDatagram(textcodec::encode(m.text, encoding), *to);
    else
        sendPacket(ipmsg::SendMsg | ipmsg::AutoRetOpt | (encoding == TextEncoding::Utf8 ? ipmsg::Utf8Opt : 0),
                   textcodec::encode(m.text, encoding), *to, m.packetNo);
}

void Messenger::setSecurePeers(SecurePeers* peers)
{
    m_secure = peers;
    m_sealer =
        peers
            ? std::make_unique<SecureLayer>(
                  peers, [this](const QByteArray& datagram, const Endpoint& to) { return sendDatagram(datagram, to); },
                  versionField(), [this] { return m_clock.elapsed(); })
            : nullptr;
    if (!peers)
        return;
    connect(peers, &SecurePeers::keyChanged, this, [this](const QString& peer, bool wasVerified) {
        Q_EMIT keyChanged(peer, wasVerified);
        Q_EMIT encryptionChanged(peer);
    });
    connect(peers, &SecurePeers::forgeriesRefused, this, &Messenger::forgeriesRefused);
}

bool Messenger::isEncrypted(const QString& peer) const
{
    return m_secure && m_secure->state(peer) == SecurePeers::State::Secure;
}

Messenger::Security Messenger::security(const QString& peer) const
{
    Security s;
    if (!m_secure)
        return s;
    s.encrypted = m_secure->state(peer) == SecurePeers::State::Secure;
    if (const auto pinned = m_secure->pinnedKeys()->find(peer)) {
        s.verified = pinned->verified;
        s.fingerprint = crypto::fingerprint(pinned->key);
        s.keyChanged = pinned->pending.has_value();
        if (pinned->pending)
            s.newFingerprint = crypto::fingerprint(*pinned->pending);
    }
    return s;
}

bool Messenger::setVerified(const QString& peer, bool verified)
{
    const auto pinned = m_secure ? m_secure->pinnedKeys()->find(peer) : std::nullopt;
    if (!pinned || pinned->pending || !m_secure->pinnedKeys()->setVerified(peer, verified))
        return false;
    Q_EMIT encryptionChanged(peer);
    return true;
}

bool Messenger::trust(const QString& peer)
{
    if (!m_secure || !m_secure->trust(peer))
        return false;
    Q_EMIT encryptionChanged(peer);
    const auto ep = m_directory.endpointOf(peer);
    if (m_secure->state(peer) == SecurePeers::State::Secure)
        m_sealer->release(peer, ep && heardThisRun(*ep));
    else if (ep)
        greet(*ep); // the change was seen in an earlier run: its answer brings the key's announcement
    return true;
}

void Messenger::renameSecurePeer(const QString& from, const QString& to)
{
    if (!m_secure)
        return;
    m_secure->rename(from, to);
    Q_EMIT encryptionChanged(to);
}

bool Messenger::heardThisRun(const Endpoint& endpoint) const
{
    const PeerLink* l = m_directory.find(endpoint);
    return l && l->lastHeardMs >= 0;
}

bool Messenger::output(const QByteArray& datagram, const Endpoint& to)
{
    if (!m_sealer)
        return sendDatagram(datagram, to);
    const QString peer = m_directory.peerFor(to);
    const bool heard = heardThisRun(to);
    const bool sent = m_sealer->send(peer, to, datagram, heard);
    // Held for a key: greet the peer (again, if the last greeting was lost), its answer carries its key.
    if (m_sealer->holds(peer) && m_secure->state(peer) != SecurePeers::State::KeyChanged)
        greet(to);
    return sent;
}

bool Messenger::acceptEntry(const ipmsg::Packet& p, const Endpoint& from)
{
    const QString peer = m_directory.peerFor(from);
    QString why;
    const bool announces = cryptowire::findAnnouncement(p.extension, &why).has_value();
    const SecurePeers::State before = m_secure->state(peer);
    // Keys are learnt only from peers the engine keeps: its contacts and the strangers it admits (bounded per hour),
    // so a flood of announcements under fresh keys cannot grow the pinned keys.
    SecurePeers::State after = before;
    if (announces && (m_directory.isContact(from) || m_admission.admit(from, false)))
        after = m_secure->announced(peer, p.extension, &why);
    if (!why.isEmpty())
        qCDebug(lcMessenger) << "key announcement from" << from.toString() << ":" << why;
    if (after != before)
        Q_EMIT encryptionChanged(peer);
    if (after == SecurePeers::State::KeyChanged) {
        // Nothing is taken from it under the new key; it still hears ours, so a trust() can connect at once.
        if (p.mode() == ipmsg::BrEntry)
            sendPacket(ipmsg::AnsEntry | ipmsg::CapUtf8Opt, entry(m_directory.wireEncoding(from)), from);
        ++m_stats.dropped;
        return false;
    }
    if (m_secure->encrypts(peer) && (!announces || !why.isEmpty() || after != SecurePeers::State::Secure)) {
        // A Pigeon that encrypts always announces its key: this entry packet is someone else's.
        m_sealer->checkClear(peer);
        ++m_stats.dropped;
        ++m_stats.forgeries;
        return false;
    }
    return true;
}

qsizetype Messenger::partBytes() const
{
    return m_secure ? fragment::SealedPartBytes : fragment::PartBytes;
}

void Messenger::greet(const Endpoint& to)
{
    if (isOwnEndpoint(to))
        return; // a contact that is this Pigeon itself
    link(to).greeted = true;
    sendPacket(ipmsg::BrEntry | entryOptions(), entry(m_directory.wireEncoding(to)), to);
}

void Messenger::greetContacts(const QString& host)
{
    // Every IPMsg contact (on `host` only, when given) whose address is known; plain-text ones there get their
    // queue, since they are never greeted and never answer.
    for (const Contact& c : m_contacts->contacts()) {
        if (!host.isEmpty() && c.host != host)
            continue;
        const auto ep = m_directory.contactEndpoint(c);
        if (ep && c.protocol == Protocol::IpMsg)
            greet(*ep);
        else if (ep && !host.isEmpty())
            flushQueue(c.name);
    }
}

void Messenger::start()
{
    m_numbers = ipmsg::PacketNumbers(m_history->lastPacketNo());
    m_directory.rebuildContactIndex();
    for (const Contact& c : m_contacts->contacts())
        m_directory.resolve(c);
    greetContacts();
    if (m_broadcast)
        announce(ipmsg::BrEntry | entryOptions());
    // Messages that were on their way when Pigeon stopped go out again under the same numbers, so a peer that got
    // them already recognises the duplicates. Queued ones wait for their peer.
    for (const Message& m : m_history->unsent()) {
        if (m_groups.find(m.peer) && m.peer.startsWith(u'#'))
            continue; // a group's message is delivered member by member (resumeGroups)
        if (m.state == MessageState::Sending)
            transmit(m);
        else
            m_queuedPeers.insert(m.peer);
    }
    resumeGroups();
}

void Messenger::announce(quint32 command)
{
    const quint16 port = m_transport->localEndpoint().port;
    // Nobody has announced anything yet: the first fields in the legacy encoding, the UTF-8 block for the others.
    const QByteArray extension = entry(m_directory.legacyEncoding());
    for (const QHostAddress& address : broadcastAddresses())
        sendDatagram(ipmsgRequest(command, extension), Endpoint{address, port}); // to the LAN: never sealed
}

QList<QHostAddress> Messenger::broadcastAddresses()
{
    QList<QHostAddress> out;
    const auto interfaces = QNetworkInterface::allInterfaces();
    for (const QNetworkInterface& i : interfaces) {
        const auto flags = i.flags();
        if (!flags.testFlag(QNetworkInterface::IsUp) || !flags.testFlag(QNetworkInterface::IsRunning) ||
            !flags.testFlag(QNetworkInterface::CanBroadcast) || flags.testFlag(QNetworkInterface::IsLoopBack))
            continue;
        const auto entries = i.addressEntries();
        for (const QNetworkAddressEntry& e : entries)
            if (!e.broadcast().isNull() && e.ip().protocol() == QAbstractSocket::IPv4Protocol &&
                !out.contains(e.broadcast()))
                out.append(e.broadcast());
    }
    return out;
}

void Messenger::stop()
{
    m_history->commit();
    if (m_broadcast)
        announce(ipmsg::BrExit);
    // Members of my groups hear it too: they hold group messages for me while I am away.
    const QSet<Endpoint> members = groupMembers();
    for (const PeerLink* l : m_directory.peers())
        if ((l->greeted || members.contains(l->endpoint)) && l->speaksIpMsg)
            sendPacket(ipmsg::BrExit, entry(m_directory.wireEncoding(l->endpoint)), l->endpoint);
}

qint64 Messenger::send(const QString& peer, const QString& text, QString* error)
{
    return post(peer, text, false, error);
}

qint64 Messenger::sendSealed(const QString& peer, const QString& text, QString* error)
{
    return post(peer, text, true, error);
}

bool Messenger::canSeal(const QString& peer) const
{
    const Route route = m_directory.route(peer);
    return route.known && route.protocol == Protocol::IpMsg && !route.isPigeon;
}

qint64 Messenger::post(const QString& peer, const QString& text, bool sealed, QString* error)
{
    const auto fail = [error](const QString& why) -> qint64 {
        if (error)
            *error = why;
        return 0;
    };
    if (text.trimmed().isEmpty())
        return fail(tr("An empty message is not sent."));
    if (const GroupBook::Group* group = m_groups.find(peer); group && peer.startsWith(u'#'))
        return sendToGroup(*group, text, error);
    const Route route = m_directory.route(peer);
    if (!route.known)
        return fail(tr("There is no contact named \"%1\".").arg(peer));
    if (sealed && !canSeal(peer))
        return fail(tr("Only IP Messenger clients other than Pigeon take sealed messages."));
    const std::optional<Endpoint>& to = route.endpoint;
    if (!to)
        m_directory.resolve(*m_contacts->find(peer));
    else if (isOwnEndpoint(*to))
        return fail(selfRefusal(*to));

    Message m;
    m.peer = route.peer;
    m.direction = Direction::Outgoing;
    m.text = text;
    m.remote = to ? to->toString() : QString();
    m.sealed = sealed;
    bool offline = false;
    bool waiting = false;
    if (route.protocol == Protocol::PlainText) {
        if (!to)
            return fail(tr("The address of %1 is not known yet.").arg(route.peer));
        if (textcodec::encode(text, route.encoding).size() > PlainMaxBytes)
            return fail(tr("The message is longer than one datagram can carry (%1 bytes).").arg(PlainMaxBytes));
        m.state = MessageState::Sending;
    } else {
        const QByteArray utf8 = text.toUtf8();
        if (utf8.size() > fragment::MaxMessageBytes)
            return fail(tr("The message is longer than 1 MiB."));
        m.fragmented = route.isPigeon && utf8.size() > partBytes();
        m.parts = int(m.fragmented ? fragment::split(utf8, partBytes()).size()
                                   : textcodec::split(text, route.encoding, IpMsgPartBytes).size());
        const PeerLink* l = to ? m_directory.find(*to) : nullptr;
        offline = !to || (l && l->presence == Presence::Offline);
        // Earlier messages still wait in the queue (behind a failed one): this one goes behind them.
        waiting = m_queuedPeers.contains(route.peer);
        m.state = offline || waiting ? MessageState::Queued : MessageState::Sending;
        if (m.state == MessageState::Sending)
            m.packetNo = m_numbers.reserve(m.parts);
        else if (m_history->queuedCount(route.peer) >= MaxQueuedPerPeer)
            return fail(tr("%1 is offline and %2 messages already wait for them; send more when they are back.")
                            .arg(route.peer)
                            .arg(MaxQueuedPerPeer));
    }
    if (!m_history->append(m))
        return fail(m_history->error());
    if (m.state == MessageState::Sending)
        m_batch.transmit(m);
    else
        m_queuedPeers.insert(m.peer);
    Q_EMIT messageAdded(m);
    if (waiting && !offline)
        flushQueue(m.peer);
    return m.id;
}

bool Messenger::retry(qint64 id, QString* error)
{
    const auto m = m_history->message(id);
    if (!m || m->direction != Direction::Outgoing || m->state != MessageState::Failed) {
        if (error)
            *error = tr("Only a message that failed can be sent again.");
        return false;
    }
    if (m_groups.find(m->peer) && m->peer.startsWith(u'#'))
        return retryGroup(*m, error);
    if (m_delivery.contains(id))
        return true;
    // Back into the queue in its place (issue 16) while an earlier failure holds the queue, so that it does not
    // overtake that one, or while a contact's host name has no address, which is looked up again.
    const Route route = m_directory.route(m->peer, m->remote);
    const qint64 held = m_history->failureHoldingQueue(m->peer);
    const auto contact = m_contacts->find(m->peer);
    const bool unresolved = contact && !m_directory.contactEndpoint(*contact);
    if (route.protocol == Protocol::IpMsg && ((held && held < id) || unresolved)) {
        setFinished(id, MessageState::Queued);
        m_queuedPeers.insert(m->peer);
        if (unresolved)
            m_directory.resolve(*contact);
        return true;
    }
    Message again = *m;
    // A Pigeon recognises the same numbers as a duplicate; other IPMsg clients drop old numbers, so they get new ones.
    const auto ep = Endpoint::parse(again.remote);
    if (!ep || !m_directory.isPigeon(*ep))
        again.packetNo = m_numbers.reserve(again.parts);
    again.state = MessageState::Sending;
    if (!m_history->resend(id, again.packetNo, again.parts)) {
        if (error)
            *error = m_history->error();
        return false;
    }
    Q_EMIT deliveryChanged(id, MessageState::Sending);
    m_batch.transmit(again);
    // The messages queued behind it follow it, in order, unless another failure holds them.
    if (route.protocol == Protocol::IpMsg && presence(m->peer) != Presence::Offline)
        flushQueue(m->peer);
    return true;
}

void Messenger::markRead(const QString& peer)
{
    const QList<Message> receipts = m_history->markRead(peer);
    for (const Message& m : receipts)
        if (const auto ep = Endpoint::parse(m.remote))
            sendPacket(ipmsg::ReadMsg, QByteArray::number(m.packetNo), *ep);
}

bool Messenger::openSealed(qint64 id)
{
    const auto m = m_history->openSealed(id);
    if (!m)
        return false;
    // The notice names this message's packet number only (IP Messenger's prot-eng.txt: READMSG when a seal opens).
    if (const auto ep = Endpoint::parse(m->remote); ep && m->wantsReadReceipt)
        sendPacket(ipmsg::ReadMsg, QByteArray::number(m->packetNo), *ep);
    Q_EMIT messageOpened(id);
    return true;
}

void Messenger::setTiming(const Timing& timing)
{
    m_timing = timing;
    m_delivery.setTiming(timing);
    m_probe.start(int(m_timing.probeIntervalMs));
}

void Messenger::probeQueuedPeers()
{
    // IP Messenger has no keepalive: a contact that went offline during a burst of loss is silent until it writes or
    // restarts. Greeting it again lets its answer (ANSENTRY) release the queue. Only contacts, only with a queue.
    for (const QString& peer : std::as_const(m_queuedPeers)) {
        const auto contact = m_contacts->find(peer);
        if (!contact || contact->protocol != Protocol::IpMsg)
            continue;
        if (const auto ep = m_directory.contactEndpoint(*contact); ep && presence(peer) != Presence::Online)
            greet(*ep);
    }
    for (const Endpoint& member : std::as_const(m_groupQueued))
        if (const PeerLink* l = m_directory.find(member); !l || l->presence != Presence::Online)
            greet(member);
}

void Messenger::flushQueue(const QString& peer)
{
    if (!m_queuedPeers.remove(peer))
        return;
    // Messages written after one that failed wait until the user retries it: messages arrive in the order they were
    // written (issue 16).
    const qint64 held = m_history->failureHoldingQueue(peer);
    for (const Message& m : m_history->unsent()) {
        if (m.peer != peer || m.state != MessageState::Queued || m_delivery.contains(m.id))
            continue;
        if (held && m.id > held) {
            m_queuedPeers.insert(peer);
            continue;
        }
        Message again = m;
        again.state = MessageState::Sending;
        // Never sent: fresh numbers, above anything the peer saw from us meanwhile.
        again.packetNo = m_numbers.reserve(again.parts);
        if (const auto ep = m_directory.endpointOf(peer))
            again.remote = ep->toString();
        if (m_history->resend(again.id, again.packetNo, again.parts)) {
            Q_EMIT deliveryChanged(again.id, MessageState::Sending);
            m_batch.transmit(again);
        }
    }
}

void Messenger::failUnresolved(const QString& host)
{
    QSet<QString> peers;
    for (const Contact& c : m_contacts->contacts())
        if (c.host == host)
            peers.insert(c.name);
    for (const Message& m : m_history->unsent())
        if (m.state == MessageState::Queued && peers.contains(m.peer))
            setFinished(m.id, MessageState::Failed);
    for (const QString& peer : std::as_const(peers))
        m_queuedPeers.remove(peer);
}

void Messenger::transmit(const Message& m)
{
    if (m.id < 0) {
        transmitGroup(-m.id);
        return;
    }
    if (m_delivery.contains(m.id))
        return;
    if (m.isAutoReply) {
        transmitAutoAnswer(m);
        return;
    }
    const Route route = m_directory.route(m.peer, m.remote);
    if (!route.endpoint) {
        finishMessage(m.id, MessageState::Failed);
        Q_EMIT problem(tr("Cannot send to %1: its address is not known.").arg(m.peer));
        return;
    }
    const Endpoint& to = *route.endpoint;
    if (isOwnEndpoint(to)) {
        // A contact's host name that resolved to this Pigeon, or a message stored before it was refused.
        finishMessage(m.id, MessageState::Failed);
        Q_EMIT problem(selfRefusal(to));
        return;
    }
    if (route.protocol == Protocol::PlainText) {
        const bool ok = sendDatagram(textcodec::encode(m.text, route.encoding), to);
        if (!ok)
            Q_EMIT problem(m_transport->errorString());
        setFinished(m.id, ok ? MessageState::Sent : MessageState::Failed);
        return;
    }

    if (!link(to).greeted)
        greet(to); // iptux forgets nothing about packet numbers until it hears an entry packet
    QList<QByteArray> payloads;
    quint32 command = 0;
    if (m.fragmented) {
        payloads = fragment::split(m.text.toUtf8(), partBytes());
        command = ipmsg::PigeonFragment | ipmsg::SendCheckOpt | ipmsg::Utf8Opt;
    } else {
        payloads = textcodec::split(m.text, route.encoding, IpMsgPartBytes);
        command = ipmsg::SendMsg | ipmsg::SendCheckOpt | ipmsg::ReadCheckOpt |
                  (route.encoding == TextEncoding::Utf8 ? ipmsg::Utf8Opt : 0) | (m.sealed ? ipmsg::SecretOpt : 0);
    }
    quint64 first = m.packetNo;
    if (payloads.size() != m.parts || first == 0) {
        first = m_numbers.reserve(int(payloads.size()));
        m_history->resend(m.id, first, int(payloads.size()));
    }
    const QList<Delivery::Part> parts = packParts(payloads, first, command, m.fragmented);
    // The receiver acks part 0 only with the whole message: it goes last, so that its retries wait for little.
    m_delivery.add(m.id, to, parts, windowFor(to), m.fragmented);
    wakeTimer();
}

int Messenger::windowFor(const Endpoint& to) const
{
    return m_directory.isPigeon(to) ? Delivery::PigeonWindow : Delivery::IpMsgWindow;
}

void Messenger::wakeTimer()
{
    if (!m_timer.isActive())
        armTimer();
}

void Messenger::armTimer()
{
    const qint64 due = m_delivery.nextDueMs();
    if (due < 0) {
        m_timer.stop();
        return;
    }
    m_timer.start(int(std::clamp<qint64>(due - m_now(), 0, m_timing.maxRtoMs)));
}

void Messenger::runDue()
{
    const quint64 before = m_delivery.retransmissions();
    const QList<Delivery::Failure> failures = m_delivery.poll();
    m_stats.retransmissions += m_delivery.retransmissions() - before;
    for (const Delivery::Failure& f : failures) {
        setFinished(f.messageId, MessageState::Failed);
        if (f.silent)
            setPresence(f.to, Presence::Offline);
    }
    armTimer();
}

void Messenger::finishMessage(qint64 id, MessageState state)
{
    if (m_delivery.remove(id))
        wakeTimer();
    setFinished(id, state);
}

void Messenger::setFinished(qint64 id, MessageState state)
{
    if (id < 0) {
        setGroupDelivery(-id, state);
        return;
    }
    m_history->setState(id, state);
    Q_EMIT deliveryChanged(id, state);
}

void Messenger::setLimits(const Limits& limits)
{
    m_admission.setLimits(limits);
    m_directory.setMaxPeers(limits.maxPeers);
}

Messenger::Tables Messenger::tables() const
{
    return {int(m_directory.peers().size()), m_admission.rateSources(), m_admission.strangers(),
            m_reassembler.pending(), m_reassembler.heldBytes()};
}

void Messenger::onDatagram(const Datagram& datagram)
{
    ++m_stats.datagramsIn;
    // Pigeon is never its own peer, whatever the protocol: its own broadcast coming back, or a datagram it sent to
    // one of its own addresses.
    if (m_own.contains(datagram.from)) {
        ++m_stats.dropped;
        return;
    }
    m_receivedAt = datagram.to;
    // Strangers are limited before anything is decoded, so a flood costs a table look-up per datagram. A stranger we
    // are sending to is not: its acknowledgements must get through.
    if (!m_directory.isContact(datagram.from)) {
        switch (m_admission.screen(datagram.from, m_delivery.awaitsAckFrom(datagram.from))) {
        case Admission::Verdict::Pass: break;
        case Admission::Verdict::Refused:
            ++m_stats.dropped;
            ++m_stats.strangersRefused;
            return;
        case Admission::Verdict::RateLimited:
            ++m_stats.dropped;
            ++m_stats.rateLimited;
            return;
        }
    }
    if (m_sealer) {
        // Envelopes are read in place: no copy of the datagram before it is opened.
        if (const auto view = ipmsg::decodeView(datagram.data); view && view->mode() == cryptowire::SealedMode)
            openEnvelope(*view, datagram.from);
        else
            openSecure(ipmsg::decode(datagram.data), datagram);
        return;
    }
    const ipmsg::DecodeResult decoded = ipmsg::decode(datagram.data);
    if (decoded.packet)
        handlePacket(*decoded.packet, datagram.from);
    else
        handlePlainText(datagram.data, datagram.from);
}

// With encryption on, what is no envelope (openEnvelope): clear datagrams only from peers that do not encrypt (and
// their entry packets, which carry the keys), everything else refused.
void Messenger::openSecure(const ipmsg::DecodeResult& decoded, const Datagram& datagram)
{
    const Endpoint& from = datagram.from;
    const auto refuse = [this] {
        ++m_stats.dropped;
        ++m_stats.forgeries;
    };
    if (decoded.packet) {
        const ipmsg::Packet& p = *decoded.packet;
        // Presence packets go in the clear (to the LAN too) and carry the sender's key announcement, BR_EXIT as well
        // (stop()): a Pigeon's broadcast goodbye is no forgery.
        const bool entry = p.mode() == ipmsg::BrEntry || p.mode() == ipmsg::AnsEntry || p.mode() == ipmsg::BrAbsence ||
                           p.mode() == ipmsg::BrExit;
        if (entry ? !acceptEntry(p, from)
                  : m_sealer->checkClear(m_directory.peerFor(from)) != SecureLayer::Verdict::Clear) {
            if (!entry)
                refuse();
            return;
        }
        handlePacket(p, from);
        return;
    }
    if (m_sealer->checkClear(m_directory.peerFor(from)) != SecureLayer::Verdict::Clear) {
        refuse();
        return;
    }
    handlePlainText(datagram.data, from);
}

// With encryption on: an envelope (an IPMsg packet of mode SealedMode) opened with its sender's channel.
void Messenger::openEnvelope(const ipmsg::PacketView& outer, const Endpoint& from)
{
    const SecureLayer::Opened opened = m_sealer->openSealed(m_directory.peerFor(from), outer.extension);
    switch (opened.verdict) {
    case SecureLayer::Verdict::Opened: break;
    case SecureLayer::Verdict::Refused:
        ++m_stats.dropped;
        ++m_stats.forgeries;
        return;
    case SecureLayer::Verdict::Clear:
    case SecureLayer::Verdict::Dropped: ++m_stats.dropped; return;
    }
    const std::optional<ipmsg::PacketView> inner = ipmsg::decodeView(opened.datagram);
    if (!inner || inner->mode() == cryptowire::SealedMode) {
        ++m_stats.dropped;
        return;
    }
    // File datagrams (most of what a transfer brings) go to their handler as read, without a Packet's copies.
    if (inner->mode() == filewire::Mode) {
        noteFilePeer(*inner, from);
        if (m_fileHandler)
            m_fileHandler(inner->extension, from);
        return;
    }
    handlePacket(*ipmsg::decode(opened.datagram).packet, from);
}

void Messenger::noteFilePeer(const ipmsg::PacketView& p, const Endpoint& from)
{
    const qint64 at = m_now();
    if (at == m_fileNoted.ms && p.packetNo <= m_fileNoted.packetNo && from == m_fileNoted.from &&
        m_receivedAt == m_fileNoted.local && p.version == m_fileNoted.version)
        return;
    ipmsg::Packet packet;
    packet.version = p.version.first(std::min(p.version.size(), textcodec::MaxFieldBytes)).toByteArray();
    packet.packetNo = p.packetNo;
    packet.command = p.command;
    notePeer(packet, from);
    m_fileNoted = {at, p.packetNo, from, m_receivedAt, packet.version};
}

// Every stranger that writes gets a conversation in history: at most newStrangersPerHour new ones an hour, so a flood
// from many addresses cannot bury the contact list (or fill the disk) with conversations. Refused messages are not
// acknowledged; their senders see them fail.
bool Messenger::admitSender(const Endpoint& from)
{
    if (m_admission.admit(from, m_directory.isContact(from)))
        return true;
    ++m_stats.dropped;
    ++m_stats.strangersRefused;
    return false;
}

bool Messenger::storeIncoming(Message m, const Endpoint& from)
{
    m.peer = m_directory.peerFor(from);
    m.direction = Direction::Incoming;
    m.state = MessageState::Received;
    m.remote = link(from).address;
    m.unread = true;
    if (!m_history->append(m)) {
        ++m_stats.dropped;
        return false;
    }
    m_batch.announce(m);
    return true;
}

void Messenger::handlePacket(const ipmsg::Packet& p, const Endpoint& from)
{
    notePeer(p, from);
    // The dispatcher: one handler per command. A new payload kind adds a case and a handler (messenger.h says how).
    switch (p.mode()) {
    case ipmsg::BrEntry:
    case ipmsg::AnsEntry:
    case ipmsg::BrAbsence: handleEntry(p, from); break;
    case ipmsg::BrExit: handleExit(from); break;
    case ipmsg::SendMsg: handleSendMsg(p, from); break;
    case ipmsg::PigeonFragment: handleFragment(p, from); break;
    case ipmsg::PigeonGroup: handleGroup(p, from); break;
    case ipmsg::PigeonGroupPart: handleGroupPart(p, from); break;
    case ipmsg::RecvMsg: handleRecvMsg(p, from); break;
    case ipmsg::ReadMsg: handleReadMsg(p, from); break;
    case ipmsg::GetInfo: handleGetInfo(from); break;
    case filewire::Mode: handleFile(p, from); break;
    case ipmsg::GetAbsenceInfo: handleGetAbsenceInfo(from); break;
    case ipmsg::ReleaseFiles: handleIpmsgFile(p, from); break;
    default:
        // Private and unsupported commands (FeiQ typing, iptux 0xFB-0xFF, file transfer): nothing to do.
        break;
    }
}

// What every packet tells of its sender: its nickname (entry packets), that it is there, its packet numbers.
void Messenger::notePeer(const ipmsg::Packet& p, const Endpoint& from)
{
    const bool entry = p.mode() == ipmsg::BrEntry || p.mode() == ipmsg::AnsEntry || p.mode() == ipmsg::BrAbsence;
    PeerStatus status;
    if (entry) {
        // The nickname first, so that whoever hears of the presence change can show it. What the peer says it reads
        // decides the encoding of everything sent to it from now on (PeerDirectory::wireEncoding).
        const ipmsg::EntryInfo info = ipmsg::parseEntry(p.extension);
        PeerLink& l = link(from);
        l.capUtf8 = p.has(ipmsg::CapUtf8Opt);
        l.declaredEncoding = info.declaredEncoding;
        l.nick = textcodec::bounded(!info.utf8Nick.isEmpty() ? info.utf8Nick
                                                             : textcodec::decode(info.nick, p.has(ipmsg::Utf8Opt),
                                                                                 m_directory.encodingOf(from),
                                                                                 m_directory.legacyEncoding()));
        // "Nick[title]" with ABSENCEOPT is away, not a name (presencestatus.h).
        const presence::Heard heard = presence::fromEntry(p.command, l.nick, p.extension);
        l.nick = heard.nick;
        status = heard.status;
    } else if (p.has(ipmsg::Utf8Opt)) {
        link(from).capUtf8 = true; // it writes UTF8OPT, so it reads it
    }
    if (p.mode() != ipmsg::BrExit)
        heardFrom(from, p.version);
    PeerLink& l = link(from);
    if (entry && p.packetNo <= l.highestNo && l.highestNo < ClockNumbers) {
        // An entry packet whose counter went back: the peer restarted (an entry packet overtaken on the way by later
        // packets goes back a little too, but clock numbers never reach here). Rows stored from the next millisecond
        // on belong to its new life.
        l.renumberedMs = m_now() + 1;
        l.numbersSinceRenumbering.clear();
        l.highestNo = p.packetNo;
    }
    l.highestNo = std::max(l.highestNo, p.packetNo);
    if (entry && l.status != status) {
        l.status = status;
        Q_EMIT peerStatusChanged(m_directory.peerFor(from), status);
    }
}

void Messenger::handleEntry(const ipmsg::Packet& p, const Endpoint& from)
{
    if (p.mode() == ipmsg::BrEntry)
        sendPacket(ipmsg::AnsEntry | entryOptions(), entry(m_directory.wireEncoding(from)), from);
}

void Messenger::handleExit(const Endpoint& from)
{
    setPresence(from, Presence::Offline);
}

void Messenger::handleSendMsg(const ipmsg::Packet& p, const Endpoint& from)
{
    // An auto-reply or a broadcast is never answered automatically, not even with an ack (IPMsg does the same).
    const bool ack = p.has(ipmsg::SendCheckOpt) && !p.has(ipmsg::BroadcastOpt) && !p.has(ipmsg::AutoRetOpt);
    handleMessage(
        p, from,
        textcodec::decode(p.text(), p.has(ipmsg::Utf8Opt), m_directory.encodingOf(from), m_directory.legacyEncoding()),
        p.packetNo, ack);
    if (p.has(ipmsg::FileAttachOpt))
        handleIpmsgFile(p, from);
}

void Messenger::handleFragment(const ipmsg::Packet& p, const Endpoint& from)
{
    const auto part = decodePart(p, from);
    if (!part)
        return;
    if (m_history->findIncoming(from.toString(), part->messageNo, m_now() - DedupeWindowMs)) {
        ++m_stats.duplicates;
        m_batch.acknowledge(p.packetNo, from);
        return;
    }
    const auto whole = reassemble(p, from, *part);
    if (!whole)
        return;
    handleMessage(p, from, QString::fromUtf8(*whole), part->messageNo, true);
    if (part->index != 0 && m_history->findIncoming(from.toString(), part->messageNo, m_now() - DedupeWindowMs))
        m_batch.acknowledge(part->messageNo, from);
}

std::optional<fragment::Part> Messenger::decodePart(const ipmsg::Packet& p, const Endpoint& from)
{
    QString why;
    auto part = fragment::decode(p.extension, &why);
    if (!part) {
        ++m_stats.dropped;
        qCDebug(lcMessenger) << "dropped a part from" << from.toString() << ":" << why;
    }
    return part;
}

std::optional<QByteArray> Messenger::reassemble(const ipmsg::Packet& p, const Endpoint& from,
                                                const fragment::Part& part)
{
    const Reassembler::Result r = m_reassembler.add(from, part, m_now());
    switch (r.outcome) {
    case Reassembler::Outcome::Stored:
    case Reassembler::Outcome::Duplicate:
        // Other parts are acked at once, part 0 only with the whole payload: if the parts held here are lost
        // (a restart, a timeout), the sender keeps trying part 0 and never calls the payload delivered.
        if (part.index != 0)
            sendPacket(ipmsg::RecvMsg, QByteArray::number(p.packetNo), from);
        if (!m_expiry.isActive())
            m_expiry.start();
        return std::nullopt;
    case Reassembler::Outcome::Complete: return r.text;
    case Reassembler::Outcome::Refused:
        ++m_stats.dropped;
        qCDebug(lcMessenger) << "refused a part from" << from.toString() << ":" << r.error;
        return std::nullopt;
    }
    return std::nullopt;
}

// An acknowledgement counts only from the address and port the message went to (Delivery::acknowledge).
void Messenger::handleRecvMsg(const ipmsg::Packet& p, const Endpoint& from)
{
    if (const qint64 done = m_delivery.acknowledge(p.text().trimmed().toULongLong(), from))
        setFinished(done, MessageState::Delivered);
    else
        handleIpmsgFile(p, from); // perhaps the acknowledgement of a file offer
    wakeTimer();
}

// A read receipt: matched on the address and port the message went to, as its row's remote says. READCHECKOPT on it
// asks for ANSREADMSG back (IP Messenger's prot-eng.txt).
void Messenger::handleReadMsg(const ipmsg::Packet& p, const Endpoint& from)
{
    if (p.has(ipmsg::ReadCheckOpt))
        sendPacket(ipmsg::AnsReadMsg, QByteArray::number(p.packetNo), from);
    const qint64 id = m_history->findOutgoing(link(from).address, p.text().trimmed().toULongLong());
    const auto m = id ? m_history->message(id) : std::nullopt;
    if (!m || (m->state != MessageState::Delivered && m->state != MessageState::Sending))
        return;
    if (m->state == MessageState::Sending)
        finishMessage(id, MessageState::Read);
    else
        setFinished(id, MessageState::Read);
}

void Messenger::handleGetInfo(const Endpoint& from)
{
    sendPacket(ipmsg::SendInfo, QByteArrayLiteral("Pigeon " PIGEON_VERSION), from);
}

void Messenger::handleFile(const ipmsg::Packet& p, const Endpoint& from)
{
    if (m_fileHandler)
        m_fileHandler(p.extension, from);
}

void Messenger::handleIpmsgFile(const ipmsg::Packet& p, const Endpoint& from)
{
    if (m_ipmsgFileHandler)
        m_ipmsgFileHandler(p, from);
}

quint64 Messenger::sendIpmsg(quint32 command, const QByteArray& extension, const Endpoint& to, quint64 packetNo)
{
    const quint64 number = packetNo ? packetNo : m_numbers.next();
    sendPacket(command, extension, to, number);
    return number;
}

QByteArray Messenger::ipmsgRequest(quint32 command, const QByteArray& extension)
{
    ipmsg::Packet p;
    p.version = versionField();
    p.packetNo = m_numbers.next();
    p.user = m_identity.user;
    p.host = m_identity.host;
    p.command = command;
    p.extension = extension;
    return ipmsg::encode(p);
}

QByteArray Messenger::versionOf(const Endpoint& from) const
{
    const PeerLink* l = m_directory.find(from);
    return l ? l->version : QByteArray();
}

// IP Messenger asks for the absence text: the away or busy text, or IP Messenger's own words when there is none
// (presence::absenceInfo), in the encoding the peer reads.
void Messenger::handleGetAbsenceInfo(const Endpoint& from)
{
    const TextEncoding encoding = m_directory.wireEncoding(from);
    sendPacket(ipmsg::SendAbsenceInfo | (encoding == TextEncoding::Utf8 ? ipmsg::Utf8Opt : 0),
               textcodec::encode(presence::absenceInfo(m_away.current()), encoding), from);
}

void Messenger::handlePlainText(const QByteArray& data, const Endpoint& from)
{
    QString text = textcodec::decode(data, false, m_directory.encodingOf(from), m_directory.legacyEncoding());
    while (text.endsWith(u'\n') || text.endsWith(u'\r') || text.endsWith(QChar(0)))
        text.chop(1);
    if (text.trimmed().isEmpty()) {
        ++m_stats.dropped;
        qCDebug(lcMessenger) << "dropped an empty plain-text datagram from" << from.toString();
        return;
    }
    if (!admitSender(from))
        return;
    PeerLink& l = link(from);
    l.speaksIpMsg = false;
    l.lastHeardMs = m_now();
    l.local = m_receivedAt;
    m_delivery.heard(from);
    Message m;
    m.text = text;
    if (storeIncoming(m, from) && m_away.takeAnswer(m_directory.peerFor(from), 0))
        answerAway(from, m_directory.peerFor(from));
}

void Messenger::handleMessage(const ipmsg::Packet& p, const Endpoint& from, const QString& text, quint64 messageNo,
                              bool ack)
{
    PeerLink& l = link(from);
    const QString remote = l.address;
    const qint64 since = m_now() - DedupeWindowMs;
    // The same number with another text is a new message from a peer whose counter started again unannounced.
    const qint64 seen = m_history->findIncoming(remote, messageNo, since);
    if (seen && m_history->message(seen)->text == text &&
        (l.renumberedMs == 0 || l.numbersSinceRenumbering.contains(messageNo))) {
        ++m_stats.duplicates;
        if (ack)
            m_batch.acknowledge(p.packetNo, from);
        return;
    }
    if (text.trimmed().isEmpty()) {
        if (ack)
            m_batch.acknowledge(p.packetNo, from);
        return;
    }
    if (!admitSender(from))
        return;
    Message m;
    m.text = text;
    m.packetNo = messageNo;
    // A sealed message (SECRETOPT) is answered with READMSG when opened (IP Messenger's prot-eng.txt); Pigeons ask with
    // READCHECKOPT alone.
    m.sealed = p.has(ipmsg::SecretOpt);
    m.wantsReadReceipt = (p.has(ipmsg::SecretOpt) || p.has(ipmsg::ReadCheckOpt)) && !p.has(ipmsg::BroadcastOpt) &&
                         !p.has(ipmsg::AutoRetOpt);
    m.isAutoReply = p.has(ipmsg::AutoRetOpt);
    // A message overtaken on the way by a later one from the same sender is shown where the sender put it.
    m.sortKey = m_history->sortKeyBefore(remote, messageNo, std::max(since, l.renumberedMs));
    // Not stored, not acknowledged: the sender tries again.
    if (!storeIncoming(m, from))
        return;
    if (l.renumberedMs != 0 && l.numbersSinceRenumbering.size() < MaxNumbersSinceRenumbering)
        l.numbersSinceRenumbering.insert(messageNo);
    if (ack)
        m_batch.acknowledge(p.packetNo, from);
    if (m_away.takeAnswer(m_directory.peerFor(from), p.command))
        answerAway(from, m_directory.peerFor(from));
}

void Messenger::sendPacket(quint32 command, const QByteArray& extension, const Endpoint& to, quint64 packetNo)
{
    ipmsg::Packet p;
    p.version = versionField();
    p.packetNo = packetNo ? packetNo : m_numbers.next();
    p.user = m_identity.user;
    p.host = m_identity.host;
    p.command = command;
    p.extension = extension;
    const quint32 mode = command & 0xFF;
    if (mode == ipmsg::BrEntry || mode == ipmsg::AnsEntry || mode == ipmsg::BrAbsence)
        sendDatagram(ipmsg::encode(p), to); // in the clear: it carries the key announcement
    else
        output(ipmsg::encode(p), to);
}

bool Messenger::sendDatagram(const QByteArray& data, const Endpoint& to)
{
    if (m_own.contains(to))
        return false;
    // An answer leaves from the local address its peer last wrote to (issue 15.3): a peer behind NAT, or one on a
    // connected UDP socket, hears nothing from any other.
    const PeerLink* l = m_directory.find(to);
    return m_transport->send(data, to, l ? l->local : QHostAddress());
}

QString Messenger::selfRefusal(const Endpoint& to) const
{
    return tr("%1 is this Pigeon itself: a message to yourself is not sent.").arg(to.toString());
}

void Messenger::heardFrom(const Endpoint& from, const QByteArray& version)
{
    PeerLink& l = link(from);
    l.lastHeardMs = m_now();
    m_delivery.heard(from);
    l.speaksIpMsg = true;
    l.local = m_receivedAt;
    if (l.version != version) {
        l.version = version;
        // A peer just recognised as a Pigeon takes the wider window at once.
        m_delivery.setWindow(from, windowFor(from));
    }
    setPresence(from, Presence::Online);
    if (m_groupQueued.contains(from))
        flushGroupQueue(from);
    if (m_sealer)
        m_sealer->release(m_directory.peerFor(from), true);
}

void Messenger::setPresence(const Endpoint& endpoint, Presence presence)
{
    PeerLink& l = link(endpoint);
    if (l.presence == presence)
        return;
    l.presence = presence;
    const QString peer = m_directory.peerFor(endpoint);
    if (presence == Presence::Offline) {
        // Messages that have not left yet wait in the offline queue instead of failing one by one.
        const QList<qint64> requeue = m_delivery.takeUnsent(endpoint);
        for (qint64 id : requeue)
            setFinished(id, MessageState::Queued);
        if (!requeue.isEmpty()) {
            wakeTimer();
            m_queuedPeers.insert(peer);
        }
    }
    Q_EMIT presenceChanged(peer, presence);
    if (presence == Presence::Online)
        flushQueue(peer);
}

Presence Messenger::presence(const QString& peer) const
{
    const auto ep = m_directory.endpointOf(peer);
    const PeerLink* l = ep ? m_directory.find(*ep) : nullptr;
    return l ? l->presence : Presence::Unknown;
}

std::optional<Endpoint> Messenger::endpointOf(const QString& peer) const
{
    return m_directory.endpointOf(peer);
}

QString Messenger::nickOf(const QString& peer) const
{
    const auto ep = m_directory.endpointOf(peer);
    const PeerLink* l = ep ? m_directory.find(*ep) : nullptr;
    return l ? l->nick : QString();
}

qsizetype Messenger::maxTextBytes(const QString& peer) const
{
    return m_directory.route(peer).maxTextBytes;
}

void Messenger::setReassemblyLimits(const Reassembler::Limits& limits)
{
    m_reassembler = Reassembler(limits);
    // Checked four times per timeout: a half-received message is gone at most a quarter of it late.
    m_expiry.setInterval(int(std::max<qint64>(1, limits.timeoutMs / 4)));
}

qint64 Messenger::retransmitTimeoutMs(const QString& peer) const
{
    const auto ep = m_directory.endpointOf(peer);
    return ep ? m_delivery.rtoMs(*ep) : m_timing.initialRtoMs;
}

int Messenger::pendingCount() const
{
    return m_delivery.pending() + m_batch.transmissions();
}
